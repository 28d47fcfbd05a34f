"""Job lineage: roots with no depth limit, loops and breaks, stored-root checks, graphs, figures, GraphML."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import duckdb
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llamaforensics.lineage import (album_lineage, check_roots, compare_with_upstream, cycles, infer_roots, job_lineage,
                                    lineage_figure, to_graphml)
from llamaforensics.snapshot.format import create_schema

T0 = datetime(2026, 1, 1)


def log_db(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    """A snapshot-shaped in-memory database holding rows (job_id, parent_job_id, root_job_id[, is_root[, status]])."""
    con = duckdb.connect()
    create_schema(con)
    for i, row in enumerate(rows):
        job, parent, root, *rest = row
        is_root = rest[0] if rest else parent is None
        status = rest[1] if len(rest) > 1 else "SUCCESS"
        con.execute(
            "INSERT INTO llama_logs (id, operation, category, status, job_id, parent_job_id, root_job_id, is_root_job, "
            "retry_count, api_call_count, created_at) VALUES (?, 'enrichment:album', 'ENRICHED', ?, ?, ?, ?, ?, 0, 0, ?)",
            [str(uuid.UUID(int=i + 1)), status, job, parent, root, is_root, T0 + timedelta(minutes=i)])
    return con


def chain(depth: int, prefix: str = "j") -> list[tuple]:
    """A chain of depth+1 jobs j0 <- j1 <- ... <- j{depth}, every row rooted correctly."""
    return [(f"{prefix}{d}", f"{prefix}{d - 1}" if d else None, f"{prefix}0") for d in range(depth + 1)]


def roots_of(con) -> dict[str, tuple]:
    return {r["job_id"]: (r["inferred_root"], r["depth"], r["status"]) for r in infer_roots(con).to_dicts()}


@pytest.mark.parametrize("depth", [pytest.param(1, id="depth-1"), pytest.param(15, id="depth-15"),
                                   pytest.param(40, id="depth-40")])
def test_roots_of_chains_of_any_depth(depth):
    roots = roots_of(log_db(chain(depth)))
    assert roots[f"j{depth}"] == ("j0", depth, "ok")
    assert roots["j0"] == ("j0", 0, "root")
    assert all(r[0] == "j0" for r in roots.values())


@pytest.mark.parametrize("rows, members", [
    pytest.param([("a", "b", "a"), ("b", "a", "a")], [["a", "b"]], id="two-cycle"),
    pytest.param([("c", "c", "c")], [["c"]], id="self-loop"),
    pytest.param([("a", "b", None), ("b", "c", None), ("c", "a", None), ("d", "a", None)], [["a", "b", "c"]], id="tail-into-loop"),
])
def test_loops_terminate_and_are_reported(rows, members):
    con = log_db(rows)
    roots = roots_of(con)
    assert all(status == "cycle" and root is None for root, _, status in roots.values())
    assert cycles(con) == members


def test_a_break_makes_the_highest_reachable_job_the_root():
    con = log_db([("batch", "mb-sync-batch", "batch", True), ("child", "batch", "batch"), ("grandchild", "child", "batch")])
    roots = roots_of(con)
    assert roots["grandchild"] == ("batch", 2, "broken")
    assert roots["batch"] == ("batch", 0, "broken")
    problems = check_roots(con)
    assert problems.filter(problems["problem"] == "broken_chain")["missing_parent"].to_list() == ["mb-sync-batch"]
    assert problems.filter(problems["problem"] == "is_root_mismatch")["job_id"].to_list() == ["batch"]


def test_conflicting_parents_take_the_most_named_one():
    con = log_db([("r1", None, "r1"), ("r2", None, "r2"), ("x", "r1", "r1"), ("x", "r1", "r1"), ("x", "r2", "r2")])
    frame = infer_roots(con)
    x = frame.filter(frame["job_id"] == "x").to_dicts()[0]
    assert (x["parent_job_id"], x["inferred_root"], x["conflicting_parents"]) == ("r1", "r1", 1)


def test_rows_without_a_job_are_not_jobs():
    con = log_db([(None, None, None), ("a", None, "a")])
    assert set(roots_of(con)) == {"a"}


def test_stored_roots_are_checked_row_by_row():
    rows = [("r", None, "r"), ("c1", "r", None), ("c2", "c1", "c1"), ("c3", "c2", "r"), ("loop", "loop", "loop")]
    problems = check_roots(log_db(rows))
    found = sorted((r["job_id"], r["problem"]) for r in problems.to_dicts())
    assert found == [("c1", "null_root"), ("c2", "wrong_root"), ("loop", "looping_chain")]


def test_upstream_backfill_fails_where_inference_does_not():
    """Depth-limited walk joined on non-unique job_id: wrong below depth 10, and on loops."""
    rows = chain(12) + [("a", "b", None), ("b", "a", None)]
    con = log_db(rows)
    diff = compare_with_upstream(con)
    deep = diff.filter(diff["why"] == "chain deeper than the depth limit of 10")
    assert sorted(deep["job_id"].to_list()) == ["j11", "j12"]
    assert sorted(deep["upstream_root"].to_list()) == ["j1", "j2"] and set(deep["inferred_root"]) == {"j0"}
    assert set(diff.filter(diff["why"].str.starts_with("loop"))["job_id"]) == {"a", "b"}
    assert roots_of(con)["j12"] == ("j0", 12, "ok")


def reference_roots(parent: dict[str, str | None]) -> dict[str, str | None]:
    """The obvious walk, one job at a time: the top, or None when the walk meets a job twice."""
    out = {}
    for job in parent:
        seen, node = {job}, job
        while parent.get(node) is not None and parent[node] in parent:
            node = parent[node]
            if node in seen:
                node = None
                break
            seen.add(node)
        out[job] = node
    return out


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=-1, max_value=30), min_size=1, max_size=30),
       st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=3))
def test_pointer_jumping_agrees_with_the_obvious_walk(parents, back_edges):
    # A forest (parent index < own index, or none), plus a few arbitrary edges that may close loops.
    parent = {f"n{i}": (f"n{p}" if 0 <= p < i else None) for i, p in enumerate(parents)}
    for a, b in back_edges:
        if f"n{a}" in parent and f"n{b}" in parent:
            parent[f"n{a}"] = f"n{b}"
    con = log_db([(job, p, None) for job, p in parent.items()])
    got = {job: root for job, (root, _, _) in roots_of(con).items()}
    assert got == reference_roots(parent)


@pytest.fixture(scope="module")
def demo(demo_snapshot):
    from llamaforensics.snapshot import open_snapshot

    con = open_snapshot(demo_snapshot)
    yield con
    con.close()


@pytest.mark.parametrize("problem, kind", [
    pytest.param("null_root", "null_root_job_id", id="null-root"),
    pytest.param("wrong_root", "wrong_root_job_id", id="wrong-root"),
    pytest.param("broken_chain", "broken_parent_chain", id="broken"),
    pytest.param("looping_chain", "looping_parent_chain", id="looping"),
])
def test_chain_problems_match_the_planted_truth_exactly(demo, problem, kind):
    found = check_roots(demo)
    got = set(found.filter(found["problem"] == problem)["id"])
    planted = {i for (i,) in demo.execute("SELECT entity_id FROM _lf_ground_truth WHERE kind = ?", [kind]).fetchall()}
    assert got == planted and planted


def test_album_lineage_reaches_tracks_artists_roots_and_children(demo):
    album = demo.execute(
        "SELECT l.album_id::VARCHAR FROM llama_logs l JOIN llama_logs a ON a.artist_id IS NOT NULL AND a.parent_job_id = l.job_id "
        "WHERE l.operation = 'album:created:musicbrainz-sync' ORDER BY 1 LIMIT 1").fetchone()[0]
    graph = album_lineage(demo, album)
    operations = {op for _, d in graph.nodes(data=True) for op in d["operations"]}
    assert {"musicbrainz:sync-new-releases", "album:created:musicbrainz-sync", "enrichment:album",
            "track:created:enrichment", "artist:created", "enrichment:artist"} <= operations
    assert nx.is_directed_acyclic_graph(graph)
    assert sum(1 for _, d in graph.nodes(data=True) if graph.out_degree(_) == 0) == 1, "one root"
    failing = demo.execute("SELECT entity_id FROM _lf_ground_truth WHERE kind = 'failing_enrichment' LIMIT 1").fetchone()[0]
    assert any(d["failed"] for _, d in album_lineage(demo, failing).nodes(data=True))


def test_job_lineage_of_a_loop_terminates(demo):
    graph = job_lineage(demo, "requeue-0-a-0")
    assert set(graph.nodes) == {"requeue-0-a-0", "requeue-0-b-0"} and not nx.is_directed_acyclic_graph(graph)


def test_figure_escapes_hostile_text_and_graphml_round_trips(tmp_path):
    con = log_db([("r", None, "r"), ("c", "r", "r", False, "FAILED")])
    con.execute("UPDATE llama_logs SET reason = '<script>alert(1)</script> 東京 \"quoted\"'")
    graph = job_lineage(con, "c")
    fig = lineage_figure(graph, "<b>title</b>")
    hover = " ".join(t for trace in fig.data if trace.hovertext for t in trace.hovertext)
    assert "<script>" not in hover and "&lt;script&gt;" in hover and "東京" in hover
    assert "<b>title</b>" not in fig.layout.title.text
    assert any("x" in (trace.marker.symbol or []) for trace in fig.data[1:])
    back = nx.read_graphml(to_graphml(graph, tmp_path / "g.graphml"))
    assert set(back.nodes) == {"r", "c"} and list(back.edges) == [("c", "r")] and back.nodes["c"]["failed"] is True
