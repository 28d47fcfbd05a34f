"""Job lineage: roots with no depth limit, loops and breaks, stored-root checks, graphs, figures, GraphML."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta

import duckdb
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llamaforensics.commands.lineage import describe
from llamaforensics.findings import run_findings
from llamaforensics.lineage import (
    check_roots,
    compare_with_upstream,
    cycles,
    infer_roots,
    upstream_backfill_roots,
)
from llamaforensics.lineage import graph as graph_module
from llamaforensics.lineage import graphml as graphml_module
from llamaforensics.lineage.graph import album_lineage, job_graph, job_lineage
from llamaforensics.lineage.graph_figure import lineage_figure
from llamaforensics.lineage.graphml import to_graphml
from llamaforensics.lineage.outline import outline, parse_range, window
from llamaforensics.lineage.pointers import CYCLE, MISSING_PARENT, STATUSES, classify, climb, loops
from llamaforensics.snapshot.format import create_schema, quote_ident, write_manifest

T0 = datetime(2026, 1, 1)
ALBUM, TRACK, ARTIST, OTHER_ALBUM = (str(uuid.UUID(int=n)) for n in (0xA1B, 0x7AC, 0xA27, 0xB0B))


def log(job, parent=None, root=None, **extra) -> dict:
    """One llama_logs row; is_root_job follows "has no parent" unless given."""
    return {
        "job_id": job,
        "parent_job_id": parent,
        "root_job_id": root,
        "is_root_job": parent is None,
        **extra,
    }


def log_db(
    rows: list[dict],
    tracks: dict[str, str] | None = None,
    album_artists: dict[str, str] | None = None,
    path=None,
):
    """Return a snapshot-shaped database (in memory, or at ``path``) holding the rows (one minute
    apart), tracks and album artists."""
    con = duckdb.connect(str(path) if path else ":memory:")
    create_schema(con)
    for n, row in enumerate(rows):
        row = {
            "id": str(uuid.UUID(int=n + 1)),
            "operation": "enrichment:album",
            "category": "ENRICHED",
            "status": "SUCCESS",
            "retry_count": 0,
            "api_call_count": 0,
            "created_at": T0 + timedelta(minutes=n),
            **row,
        }
        columns = ", ".join(quote_ident(c) for c in row)
        con.execute(
            f"INSERT INTO llama_logs ({columns}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
    for track, album in (tracks or {}).items():
        con.execute(
            "INSERT INTO tracks (id, album_id, title, track_number) VALUES (?, ?, 'a track', 1)",
            [track, album],
        )
    for album, artist in (album_artists or {}).items():
        con.execute(
            "INSERT INTO album_artists (album_id, artist_id, role, position) VALUES (?, ?, 'primary', 0)",
            [album, artist],
        )
    return con


def chain(depth: int, prefix: str = "j") -> list[dict]:
    """Return a chain of depth+1 jobs j0 <- j1 <- ... <- j{depth}, every row rooted correctly."""
    return [
        log(f"{prefix}{d}", f"{prefix}{d - 1}" if d else None, f"{prefix}0")
        for d in range(depth + 1)
    ]


def roots_of(con) -> dict[str, tuple]:
    return {
        r["job_id"]: (r["inferred_root"], r["depth"], r["status"])
        for r in infer_roots(con).to_dicts()
    }


# --- root inference -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "depth",
    [
        pytest.param(1, id="depth-1"),
        pytest.param(15, id="depth-15"),
        pytest.param(40, id="depth-40"),
    ],
)
def test_roots_of_chains_of_any_depth(depth):
    roots = roots_of(log_db(chain(depth)))
    assert roots[f"j{depth}"] == ("j0", depth, "ok")
    assert roots["j0"] == ("j0", 0, "root")
    assert {r[0] for r in roots.values()} == {"j0"} and len(roots) == depth + 1


def test_a_chain_100000_deep_settles_in_a_few_rounds():
    con = duckdb.connect()
    create_schema(con)
    con.execute("""
        INSERT INTO llama_logs (id, operation, category, status, job_id, parent_job_id, is_root_job, created_at)
        SELECT uuid(), 'enrichment:album', 'ENRICHED', 'SUCCESS', 'd' || g, CASE WHEN g > 0 THEN 'd' || (g - 1) END,
               g = 0, TIMESTAMP '2026-01-01' + g * INTERVAL 1 SECOND
        FROM range(100000) AS t(g)""")
    started = time.perf_counter()
    deepest = infer_roots(con).filter(job_id="d99999").to_dicts()[0]
    assert (deepest["inferred_root"], deepest["depth"], deepest["status"]) == ("d0", 99999, "ok")
    assert time.perf_counter() - started < 10  # a walk one level at a time would take minutes


@pytest.mark.parametrize(
    "rows, loop_members, expected",
    [
        pytest.param(
            [log("a", "b"), log("b", "a")],
            [["a", "b"]],
            {"a": (None, None, "cycle"), "b": (None, None, "cycle")},
            id="two-cycle",
        ),
        pytest.param([log("c", "c")], [["c"]], {"c": (None, None, "cycle")}, id="self-loop"),
        pytest.param(
            [log("c", "a"), log("a", "b"), log("b", "c"), log("tail", "a"), log("tail2", "tail")],
            [["a", "b", "c"]],
            {j: (None, None, "cycle") for j in ("a", "b", "c", "tail", "tail2")},
            id="tail-into-three-cycle",
        ),
        pytest.param(
            [log("x", "y"), log("y", "x"), log("r"), log("k", "r")],
            [["x", "y"]],
            {
                "x": (None, None, "cycle"),
                "y": (None, None, "cycle"),
                "r": ("r", 0, "root"),
                "k": ("r", 1, "ok"),
            },
            id="loop-beside-a-tree",
        ),
    ],
)
def test_loops_terminate_and_are_reported(rows, loop_members, expected):
    con = log_db(rows)
    assert roots_of(con) == expected
    assert cycles(con) == loop_members
    frame = infer_roots(con).filter(status="cycle")
    assert set(frame["cycle"]) == {members[0] for members in loop_members}
    assert sorted(frame.filter(on_cycle=True)["job_id"]) == sorted(
        j for m in loop_members for j in m
    )


def test_a_break_makes_the_highest_reachable_job_the_root():
    con = log_db(
        [
            log("batch", "mb-sync-batch", "batch", is_root_job=True),
            log("child", "batch", "batch"),
            log("grandchild", "child", "batch"),
        ]
    )
    frame = {r["job_id"]: r for r in infer_roots(con).to_dicts()}
    assert [
        (
            frame[j]["inferred_root"],
            frame[j]["depth"],
            frame[j]["status"],
            frame[j]["missing_parent"],
        )
        for j in ("batch", "child", "grandchild")
    ] == [
        ("batch", 0, "broken", "mb-sync-batch"),
        ("batch", 1, "broken", "mb-sync-batch"),
        ("batch", 2, "broken", "mb-sync-batch"),
    ]


@pytest.mark.parametrize(
    "rows, parent, conflicts",
    [
        pytest.param(
            [log("r1"), log("r2"), log("x", "r2"), log("x", "r1"), log("x", "r1")],
            "r1",
            1,
            id="most-named-wins",
        ),
        pytest.param(
            [log("r1"), log("r2"), log("x", "r2"), log("x", "r1")],
            "r2",
            1,
            id="tie-goes-to-first-named",
        ),
        pytest.param(
            [log("r1"), log("x", None), log("x", "r1"), log("x", None)],
            "r1",
            0,
            id="null-parent-rows-do-not-count",
        ),
    ],
)
def test_conflicting_parents_take_the_most_named_one(rows, parent, conflicts):
    x = infer_roots(log_db(rows)).filter(job_id="x").to_dicts()[0]
    assert (x["parent_job_id"], x["inferred_root"], x["conflicting_parents"]) == (
        parent,
        parent,
        conflicts,
    )


def test_rows_without_a_job_are_not_jobs():
    con = log_db([log(None), log(None, "a"), log("a")])
    assert roots_of(con) == {"a": ("a", 0, "root")}


def test_rows_deleted_upstream_still_carry_the_chain():
    con = log_db(
        [log("r"), log("deleted", "r", _lf_deleted_at=T0 + timedelta(days=3)), log("c", "deleted")]
    )
    assert roots_of(con) == {"r": ("r", 0, "root"), "deleted": ("r", 1, "ok"), "c": ("r", 2, "ok")}


def test_an_empty_log_has_no_jobs():
    assert infer_roots(log_db([])).height == 0 and cycles(log_db([])) == []


# --- stored roots ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows, expected",
    [
        pytest.param([log("r", root="r"), log("c", "r")], [("c", "null_root")], id="null-root"),
        pytest.param(
            [log("r", root="r"), log("c1", "r", "r"), log("c2", "c1", "c1")],
            [("c2", "wrong_root")],
            id="wrong-root",
        ),
        pytest.param(
            [log("r", root="r", is_root_job=False), log("c", "r", "r", is_root_job=True)],
            [("c", "is_root_mismatch"), ("r", "is_root_mismatch")],
            id="is-root-mismatch",
        ),
        pytest.param(
            [log("b", "gone", "b"), log("c", "b", "b")], [("b", "broken_chain")], id="broken-chain"
        ),
        pytest.param(
            [log("l", "l", "l", is_root_job=False)], [("l", "looping_chain")], id="looping-chain"
        ),
        pytest.param(chain(3), [], id="all-well"),
    ],
)
def test_stored_roots_are_checked_row_by_row(rows, expected):
    problems = check_roots(log_db(rows))
    assert sorted((r["job_id"], r["problem"]) for r in problems.to_dicts()) == expected


def test_check_roots_names_the_break_and_the_loop():
    problems = check_roots(
        log_db([log("b", "mb-sync-batch", "b", is_root_job=False), log("p", "q"), log("q", "p")])
    )
    assert problems.filter(problem="broken_chain")["missing_parent"].to_list() == ["mb-sync-batch"]
    assert problems.filter(problem="looping_chain")["cycle"].to_list() == ["p", "p"]


def test_job_chain_findings_check_every_row_of_a_job():
    """The findings leave out the jobs whose rows all store the right root; each row of any other job is still checked."""
    rows = chain(2) + [
        log("mixed", "j0", "j0"),
        log("mixed", "j0", None),
        log("mixed", "j0", "j1"),  # one right, one null, one wrong
        log("same-wrong", "j1", "j1"),
        log("same-wrong", "j1", "j1"),  # both store one wrong root
        log("all-null", "j0"),
        log("all-null", "j0"),
        log("split", "j0", "j0"),
        log("split", "gone", "j0"),  # its second row's parent is missing
    ]
    con = log_db(rows)
    write_manifest(
        con,
        kind="demo",
        taken_at=T0 + timedelta(days=1),
        source="test",
        schema_fingerprint="",
        row_counts={},
        new_rows={},
    )
    frames = run_findings(con, ["null_root_job_id", "wrong_root_job_id", "broken_parent_chain"])
    ids = {str(uuid.UUID(int=n + 1)): n for n in range(len(rows))}
    found = {kind: sorted(ids[i] for i in frame["entity_id"]) for kind, frame in frames.items()}
    # rows 0-2: the chain j0 <- j1 <- j2; 3-5 mixed; 6-7 same-wrong; 8-9 all-null; 10-11 split
    assert found == {
        "null_root_job_id": [4, 8, 9],
        "wrong_root_job_id": [5, 6, 7],
        "broken_parent_chain": [11],
    }


def test_job_chain_findings_read_what_the_connection_reads():
    """Uncommitted rows and temporary tables shadowing the snapshot's (as the dossier's) are what the checks see."""
    con = log_db([log("r", root="r"), log("c", "r")])  # row 1: c has no root_job_id
    write_manifest(
        con,
        kind="demo",
        taken_at=T0 + timedelta(days=1),
        source="test",
        schema_fingerprint="",
        row_counts={},
        new_rows={},
    )
    kinds = ["null_root_job_id", "dangling_entity_id"]  # a job-chain kind and another
    assert run_findings(con, kinds)["null_root_job_id"].height == 1
    con.execute("CREATE TEMP TABLE llama_logs AS SELECT * FROM main.llama_logs WHERE job_id = 'r'")
    assert run_findings(con, kinds)["null_root_job_id"].height == 0
    con.execute("DROP TABLE temp.main.llama_logs")
    con.begin()
    con.execute(
        "INSERT INTO llama_logs (id, job_id, parent_job_id, operation, category, status, retry_count, "
        "api_call_count, created_at) VALUES (uuid(), 'd', 'r', 'x', 'ENRICHED', 'SUCCESS', 0, 0, ?)",
        [T0],
    )
    assert run_findings(con, kinds)["null_root_job_id"].height == 2
    con.rollback()


def test_upstream_backfill_is_wrong_where_inference_is_not():
    """Depth-limited walk joined on the non-unique job_id: short below depth 10, lost in loops, fanned out on conflicts."""
    conflicted = [
        log("b-root", root="b-root"),
        log("a-root", root="a-root"),
        log("x", "b-root", "b-root"),
        log("x", "b-root", "b-root"),
        log("x", "a-root", "a-root"),
        log("x-child", "x", "b-root"),
    ]
    con = log_db(chain(12) + [log("p", "q"), log("q", "p")] + conflicted)
    upstream = {r["job_id"]: r for r in upstream_backfill_roots(con).to_dicts()}
    assert (upstream["j12"]["upstream_root"], upstream["j12"]["steps"]) == ("j2", 10)
    assert (upstream["x-child"]["upstream_root"], upstream["x-child"]["candidate_roots"]) == (
        "a-root",
        2,
    )
    diff = compare_with_upstream(con)
    assert sorted(
        (r["job_id"], r["upstream_root"], r["inferred_root"], r["why"]) for r in diff.to_dicts()
    ) == [
        ("j11", "j1", "j0", "chain deeper than the depth limit of 10"),
        ("j12", "j2", "j0", "chain deeper than the depth limit of 10"),
        ("p", "p", None, "loop: the walk circles until its depth limit"),
        ("q", "q", None, "loop: the walk circles until its depth limit"),
        ("x", "a-root", "b-root", "job_id not unique: the walk fanned out"),
        ("x-child", "a-root", "b-root", "job_id not unique: the walk fanned out"),
    ]
    assert roots_of(con)["j12"] == ("j0", 12, "ok") and roots_of(con)["x-child"] == (
        "b-root",
        2,
        "ok",
    )


# --- property: pointer jumping agrees with the obvious walk ---------------------------------------


def reference_roots(parent: dict[str, str | None]) -> dict[str, tuple]:
    """Return (root, depth, status) per job by walking one job at a time, the obvious way."""
    out = {}
    for job in parent:
        path, node = [job], job
        while parent.get(node) is not None and parent[node] in parent and parent[node] not in path:
            node = parent[node]
            path.append(node)
        if parent.get(node) in path:
            out[job] = (None, None, "cycle")
        elif parent[job] is None:
            out[job] = (job, 0, "root")
        else:
            out[job] = (node, len(path) - 1, "broken" if parent[node] is not None else "ok")
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=-2, max_value=40), min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)), max_size=4),
)
def test_pointer_jumping_agrees_with_the_obvious_walk(parents, back_edges):
    # A forest (a parent earlier in the list, none (-1), or one no row has (-2)), plus edges that may close loops.
    parent = {
        f"n{i}": (f"n{p}" if 0 <= p < i else "gone" if p == -2 else None)
        for i, p in enumerate(parents)
    }
    for a, b in back_edges:
        if f"n{a}" in parent and f"n{b}" in parent:
            parent[f"n{a}"] = f"n{b}"
    con = log_db([log(job, p) for job, p in parent.items()])
    assert roots_of(con) == reference_roots(parent)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=3000), st.integers(min_value=0, max_value=2**32 - 1))
def test_pointer_arrays_agree_with_the_obvious_walk_on_large_random_graphs(n, seed):
    # Any parent array at all: a random mix of roots, dangling parents, long chains and loops.
    rng = np.random.default_rng(seed)
    parent = np.where(
        rng.random(n) < 0.7,
        np.maximum(np.arange(n) - rng.integers(1, 4, n), -1),
        rng.integers(-2, n, n),
    )
    parent = parent.astype(np.int32)
    names = {i: f"n{i}" for i in range(n)}
    by_name = {
        names[i]: (names[p] if p >= 0 else "gone" if p == MISSING_PARENT else None)
        for i, p in enumerate(parent)
    }
    top, steps = climb(parent)
    status = classify(parent, top)
    expected = reference_roots(by_name)
    got = {
        names[i]: ((None, None) if status[i] == CYCLE else (names[top[i]], int(steps[i])))
        + (STATUSES[status[i]],)
        for i in range(n)
    }
    assert got == expected
    loop, on_loop = loops(parent, top, status)
    assert (loop >= 0).tolist() == (status == CYCLE).tolist()
    for member in np.flatnonzero(on_loop):
        assert on_loop[parent[member]] and loop[parent[member]] == loop[member]


# --- graphs ---------------------------------------------------------------------------------------


def album_world() -> duckdb.DuckDBPyConnection:
    """A sync batch that created the album, enrichment jobs for the album, its track and its artist, and strangers."""
    return log_db(
        [
            log("sync", operation="musicbrainz:sync-new-releases", category="CREATED"),
            log(
                "create",
                "sync",
                album_id=ALBUM,
                operation="album:created:musicbrainz-sync",
                category="CREATED",
            ),
            log("enrich-album", "create", album_id=ALBUM),
            log(
                "track-job",
                "enrich-album",
                track_id=TRACK,
                operation="track:created:enrichment",
                category="CREATED",
            ),
            log("artist-job", "mb-batch", artist_id=ARTIST, operation="enrichment:artist"),
            log("artist-image", "artist-job", operation="cache:artist-image", status="FAILED"),
            log(
                "other-album",
                "sync",
                album_id=OTHER_ALBUM,
                operation="album:created:musicbrainz-sync",
            ),
            log("other-child", "other-album", album_id=OTHER_ALBUM),
        ],
        tracks={TRACK: ALBUM},
        album_artists={ALBUM: ARTIST},
    )


def test_album_lineage_reaches_track_and_artist_jobs_roots_and_descendants():
    graph = album_lineage(album_world(), ALBUM)
    assert set(graph.nodes) == {
        "sync",
        "create",
        "enrich-album",
        "track-job",
        "artist-job",
        "artist-image",
        "mb-batch",
    }
    assert set(graph.edges) == {
        ("create", "sync"),
        ("enrich-album", "create"),
        ("track-job", "enrich-album"),
        ("artist-job", "mb-batch"),
        ("artist-image", "artist-job"),
    }
    assert graph.nodes["mb-batch"]["missing"] and graph.nodes["artist-image"]["failed"]
    assert {j for j, d in graph.nodes(data=True) if d.get("touches_album")} == {
        "create",
        "enrich-album",
        "track-job",
        "artist-job",
    }
    assert graph.nodes["create"]["rows"][0]["album_id"] == ALBUM


@pytest.mark.parametrize(
    "album",
    [
        pytest.param(str(uuid.UUID(int=0xDEAD)), id="no-logs"),
        pytest.param("not an id'; DROP TABLE llama_logs; --", id="not-an-id"),
    ],
)
def test_album_lineage_of_an_album_without_jobs_is_empty(album):
    con = album_world()
    assert album_lineage(con, album).number_of_nodes() == 0
    assert con.execute("SELECT count(*) FROM llama_logs").fetchone()[0] == 8


def test_job_lineage_of_an_unknown_job_is_one_missing_node():
    graph = job_lineage(album_world(), "no-such-job")
    assert list(graph.nodes(data="missing")) == [("no-such-job", True)]


def test_album_lineage_walks_chains_deeper_than_a_walk_level_limit(monkeypatch):
    monkeypatch.setattr(graph_module, "MAX_LEVELS", 4)
    rows = chain(9) + [
        log("touch", "j9", album_id=ALBUM),
        log("under", "touch"),
        log("stranger", "j3"),
    ]
    graph = album_lineage(log_db(rows), ALBUM)
    assert set(graph.nodes) == {f"j{d}" for d in range(10)} | {"touch", "under"}


def test_job_lineage_is_the_whole_tree_of_the_root():
    con = album_world()
    assert set(job_lineage(con, "track-job").nodes) == {
        "sync",
        "create",
        "enrich-album",
        "track-job",
        "other-album",
        "other-child",
    }
    assert set(job_lineage(con, "artist-image").nodes) == {"mb-batch", "artist-job", "artist-image"}


@pytest.mark.parametrize(
    "levels", [pytest.param(64, id="walked"), pytest.param(2, id="from-global-roots")]
)
@pytest.mark.parametrize(
    "rows, job, expected",
    [
        pytest.param(
            [log("a", "b"), log("b", "a"), log("t", "a")], "a", {"a", "b", "t"}, id="two-cycle"
        ),
        pytest.param([log("s", "s"), log("t", "s")], "t", {"s", "t"}, id="self-loop"),
        pytest.param(
            [log(f"e{n}", f"e{(n + 1) % 5}") for n in range(5)],
            "e3",
            {f"e{n}" for n in range(5)},
            id="five-cycle",
        ),
        pytest.param(
            chain(6) + [log("k", "j6"), log("side", "j2")],
            "k",
            {f"j{d}" for d in range(7)} | {"k", "side"},
            id="chain",
        ),
    ],
)
def test_job_lineage_terminates_on_loops_at_any_depth(monkeypatch, levels, rows, job, expected):
    monkeypatch.setattr(graph_module, "MAX_LEVELS", levels)
    assert set(job_lineage(log_db(rows), job).nodes) == expected


def test_job_graph_attaches_rows_and_marks_missing_parents():
    graph = job_graph(
        log_db([log("a", "gone", reason="first"), log("a", "gone", status="FAILED")]), ["a"]
    )
    a = graph.nodes["a"]
    assert [r["reason"] for r in a["rows"]] == ["first", None]
    assert (a["category"], a["status"], a["first_at"], a["failed"], a["missing"]) == (
        "ENRICHED",
        "FAILED",
        T0,
        True,
        False,
    )
    assert graph.nodes["gone"]["missing"] and graph.edges["a", "gone"]["rows"] == 2


# --- figure and export ----------------------------------------------------------------------------

HOSTILE = "<script>alert(\"x\")</script> & 'quoted' 東京 🦙"


def test_figure_escapes_hostile_text():
    con = log_db(
        [log("r"), log("c", "r", "r", status="FAILED", reason=HOSTILE, operation="<b>op</b>")]
    )
    fig = lineage_figure(job_lineage(con, "c"), f"album {HOSTILE}")
    hover = " ".join(t for trace in fig.data if trace.hovertext for t in trace.hovertext)
    assert "<script>" not in hover and "<b>op</b>" not in hover
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27; 東京 🦙"
        in hover
    )
    assert "&lt;b&gt;op&lt;/b&gt; ENRICHED FAILED" in hover
    assert "<script>" not in fig.layout.title.text and "東京 🦙" in fig.layout.title.text
    failed = [t for t in fig.data[1:] if "x" in t.marker.symbol]
    assert failed and "#d62728" in failed[0].marker.line.color


def test_figure_layers_follow_depth_and_time():
    graph = job_lineage(log_db(chain(3) + [log("gone-child", "gone")]), "j3")
    fig = lineage_figure(graph)
    ys = {y for trace in fig.data[1:] for y in trace.y}
    assert ys == {0, -1, -2, -3}
    assert (
        lineage_figure(job_lineage(log_db([log("a", "b"), log("b", "a")]), "a")).data[1].y
        is not None
    )


def test_graphml_round_trips(tmp_path):
    con = log_db([log("r"), log("c", "r", "r", status="FAILED", reason=HOSTILE), log("c", "gone")])
    graph = job_lineage(con, "c")
    back = nx.read_graphml(to_graphml(graph, tmp_path / "g.graphml"))
    assert set(back.nodes) == {"r", "c", "gone"} and set(back.edges) == {("c", "r"), ("c", "gone")}
    c = back.nodes["c"]
    assert (c["failed"], c["missing"], c["status"], c["first_at"]) == (
        True,
        False,
        "SUCCESS",
        "2026-01-01T00:01:00",
    )
    assert [r["reason"] for r in json.loads(c["rows"])] == [HOSTILE, None]
    assert back.nodes["gone"]["missing"] is True and back.edges["c", "r"]["rows"] == 1


# --- the demo catalog's planted chain problems -----------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_snapshot):
    from llamaforensics.snapshot import open_snapshot

    con = open_snapshot(demo_snapshot)
    yield con
    con.close()


@pytest.mark.parametrize(
    "problem, kind",
    [
        pytest.param("null_root", "null_root_job_id", id="null-root"),
        pytest.param("wrong_root", "wrong_root_job_id", id="wrong-root"),
        pytest.param("broken_chain", "broken_parent_chain", id="broken"),
        pytest.param("looping_chain", "looping_parent_chain", id="looping"),
    ],
)
def test_chain_problems_match_the_planted_truth_exactly(demo, problem, kind):
    found = check_roots(demo)
    got = set(found.filter(found["problem"] == problem)["id"])
    planted = {
        i
        for (i,) in demo.execute(
            "SELECT entity_id FROM _lf_ground_truth WHERE kind = ?", [kind]
        ).fetchall()
    }
    assert got == planted and planted


def test_demo_album_lineage_reaches_tracks_artists_roots_and_children(demo):
    album = demo.execute(
        "SELECT l.album_id::VARCHAR FROM llama_logs l JOIN llama_logs a ON a.artist_id IS NOT NULL AND a.parent_job_id = l.job_id "
        "WHERE l.operation = 'album:created:musicbrainz-sync' ORDER BY 1 LIMIT 1"
    ).fetchone()[0]
    graph = album_lineage(demo, album)
    operations = {op for _, d in graph.nodes(data=True) for op in d["operations"]}
    assert {
        "musicbrainz:sync-new-releases",
        "album:created:musicbrainz-sync",
        "enrichment:album",
        "track:created:enrichment",
        "artist:created",
        "enrichment:artist",
    } <= operations
    assert nx.is_directed_acyclic_graph(graph)
    assert sum(1 for job in graph.nodes if graph.out_degree(job) == 0) == 1, "one root"
    failing = demo.execute(
        "SELECT entity_id FROM _lf_ground_truth WHERE kind = 'failing_enrichment' LIMIT 1"
    ).fetchone()[0]
    assert any(d["failed"] for _, d in album_lineage(demo, failing).nodes(data=True))


def test_demo_job_lineage_of_a_loop_terminates(demo):
    graph = job_lineage(demo, "requeue-0-a-0")
    assert set(graph.nodes) == {
        "requeue-0-a-0",
        "requeue-0-b-0",
    } and not nx.is_directed_acyclic_graph(graph)


# --- outlines of deep chains and multi-parent jobs (issue 19) ------------------------------------


def test_a_deep_chain_is_shown_by_its_ends_with_its_depth_stated():
    graph = job_lineage(log_db(chain(299)), "j0")
    shown = window(outline(graph), head=5, tail=3)
    lines = list(describe(graph, "job j0", shown))
    assert lines[0] == "job j0: 300 jobs, 300 outline entries, deepest 299 below the top"
    assert [line.split()[-4] for line in lines[1:6]] == ["j0", "j1", "j2", "j3", "j4"]
    assert lines[6] == (
        "  ... 292 entries not shown (positions 5 to 296); see them with --range 5:297"
    )
    assert lines[7].strip().startswith("[depth 297] ")
    assert "j297  [enrichment:album] 1 rows" in lines[7]
    assert len(lines) == 10 and max(len(line) for line in lines) < 120  # indentation stops growing


def test_a_range_of_a_deep_chain_shows_exactly_those_entries():
    graph = job_lineage(log_db(chain(99)), "j0")
    shown = window(outline(graph), parse_range("40:43"))
    assert [(e.position, e.job, e.depth) for e in shown.entries] == [
        (40, "j40", 40),
        (41, "j41", 41),
        (42, "j42", 42),
    ]
    assert shown.total == 100 and shown.deepest == 99 and shown.elided is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("5", id="no-colon"),
        pytest.param("9:3", id="backwards"),
        pytest.param("a:b", id="not-numbers"),
    ],
)
def test_a_bad_range_is_a_usage_error(text):
    from llamaforensics.errors import UsageError

    with pytest.raises(UsageError, match="--range wants START:END"):
        parse_range(text)


def test_a_job_with_two_parents_is_drawn_under_both_and_never_as_a_loop():
    con = log_db(
        [log("p1"), log("p2"), log("child", "p1"), log("child", "p2"), log("grandchild", "child")]
    )
    graph = job_lineage(con, "child")
    assert set(graph.edges) == {("child", "p1"), ("child", "p2"), ("grandchild", "child")}
    assert not any(graph.nodes[j]["missing"] for j in graph)
    entries = [(e.job, e.depth, e.again) for e in outline(graph)]
    assert entries == [
        ("p1", 0, None),
        ("child", 1, None),
        ("grandchild", 2, None),
        ("p2", 0, None),
        ("child", 1, "shown"),
    ]
    text = "\n".join(describe(graph, "job child"))
    assert "loop" not in text and "missing" not in text and "(parents: p1, p2)" in text


def test_a_loop_is_still_a_loop_in_the_outline():
    graph = job_lineage(log_db([log("a", "b"), log("b", "a")]), "a")
    assert [(e.job, e.again) for e in outline(graph)] == [("a", None), ("b", None), ("a", "loop")]


def test_graphml_streams_rows_from_the_snapshot_for_a_large_graph(tmp_path, monkeypatch):
    monkeypatch.setattr(graph_module, "ROWS_ATTACHED_UP_TO", 2)
    monkeypatch.setattr(graphml_module, "GRAPHML_BATCH", 2)
    con = log_db(chain(4) + [log("j4", reason="esc \x1b[2J bell \x07 \U0001f999")])
    graph = job_lineage(con, "j0")
    assert "rows" not in graph.nodes["j1"] and graph.nodes["j4"]["row_count"] == 2
    back = nx.read_graphml(to_graphml(graph, tmp_path / "g.graphml", con))
    assert set(back.nodes) == {f"j{d}" for d in range(5)} and back.number_of_edges() == 4
    rows = json.loads(back.nodes["j4"]["rows"])
    assert [r["reason"] for r in rows] == [None, "esc \x1b[2J bell \x07 \U0001f999"]
    assert back.nodes["j4"]["row_count"] == 2 and back.edges["j4", "j3"]["rows"] == 1


def test_a_job_with_two_parents_is_a_chain_problem_of_its_own():
    con = log_db(
        [
            log("p1"),
            log("p2"),
            log("child", "p1", "p1"),
            log("child", "p2", "p1"),
            log("ok", "p1", "p1"),
        ]
    )
    found = check_roots(con)
    multi = found.filter(found["problem"] == "multi_parent")
    assert sorted(multi["job_id"]) == ["child", "child"]
    assert sorted(multi["parent_job_id"]) == ["p1", "p2"]
    assert not {"broken_chain", "looping_chain"} & set(found["problem"])


def test_lineage_check_counts_multi_parent_jobs(tmp_path, capsys):
    from llamaforensics.cli import main

    path = tmp_path / "s.duckdb"
    disk = log_db([log("p1"), log("p2"), log("child", "p1"), log("child", "p2")], path=path)
    write_manifest(
        disk,
        kind="demo",
        taken_at=T0 + timedelta(days=1),
        source="test",
        schema_fingerprint="",
        row_counts={},
        new_rows={},
    )
    disk.close()
    assert main(["lineage", "--check", "--json", "--snapshot", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["problems"]["multi_parent"] == 2


def test_a_large_graph_is_drawn_as_its_shown_jobs_with_their_rows(monkeypatch):
    from llamaforensics.lineage.outline import drawable

    monkeypatch.setattr(graph_module, "ROWS_ATTACHED_UP_TO", 10)
    con = log_db(chain(99))
    graph = job_lineage(con, "j0")
    part, title = drawable(con, graph, window(outline(graph), head=3, tail=2), "job j0")
    assert set(part.nodes) == {"j0", "j1", "j2", "j98", "j99"} and part.nodes["j98"]["rows"]
    assert title == "job j0: 5 of 100 jobs shown (depth 99); --range START:END draws others"
    small = job_lineage(log_db(chain(3)), "j0")
    assert drawable(con, small, title="t") == (small, "t")


def test_a_long_loop_is_one_bounded_line_in_the_check():
    from llamaforensics.commands.lineage import _loop_text

    assert _loop_text(["a", "b"]) == "a -> b -> a"
    assert _loop_text([f"j{n}" for n in range(100_000)]) == (
        "j0 -> j1 -> j2 -> j3 -> j4 -> j5 -> j6 -> j7 -> ... (100,000 jobs in the loop) -> j0"
    )


def test_an_empty_job_id_is_named_not_blank():
    con = log_db([log("", "p"), log("p"), log("child", "")])
    text = "\n".join(describe(job_lineage(con, "child"), "job child"))
    assert "(empty job id)" in text and "loop" not in text


def test_the_figure_draws_both_parents_of_a_two_parent_job():
    con = log_db([log("p1"), log("p2"), log("child", "p1"), log("child", "p2")])
    graph = job_lineage(con, "child")
    edges = lineage_figure(graph).data[0]
    segments = [tuple(edges.y[i : i + 2]) for i in range(0, len(edges.y), 3)]
    assert len(segments) == 2 and not any(graph.nodes[j]["missing"] for j in graph)
