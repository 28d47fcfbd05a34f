"""Job-lineage graphs for the jobs people look at: one album's, or one job's whole tree.

Nodes are jobs (a job's log rows are attached to it), edges go job -> parent
job, one per distinct parent its rows name. The set of jobs is found in SQL,
one level of parents or children per query, so a loop ends the walk and
networkx only ever holds that small set. A walk deeper than ``MAX_LEVELS``
(a pathological chain) switches to the global root inference and takes the
jobs' whole trees from it, so no depth costs more than one pass over the log.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import duckdb
import networkx as nx

from ..snapshot.extremes import (
    TEXT_SUFFIX,
    ShownTime,
    has_pg_text,
    kept_text_sql,
    shown_items,
    shown_row,
)
from ..snapshot.lookup import album_log, mentioning
from .roots import store_roots

MAX_LEVELS = 64
ROWS_ATTACHED_UP_TO = 2_000
ROW_COLUMNS = (
    "id",
    "created_at",
    "operation",
    "category",
    "status",
    "entity_type",
    "album_id",
    "track_id",
    "artist_id",
    "reason",
    "error_message",
    "root_job_id",
    "is_root_job",
    "triggered_by",
    "user_id",
)
_TEXT = {"id", "category", "status", "entity_type", "album_id", "track_id", "artist_id"}
_ROW_NAMES = ("id", "created_at", "created_at" + TEXT_SUFFIX, *ROW_COLUMNS[2:])
_ROW_SELECT = ", ".join(f"{c}::VARCHAR AS {c}" if c in _TEXT else c for c in ROW_COLUMNS)

_ALBUM_JOBS = """
WITH {log}
SELECT job_id FROM log WHERE album_id = $album::UUID AND job_id IS NOT NULL
UNION SELECT job_id FROM log
      WHERE entity_id = $album::UUID AND entity_type = 'ALBUM' AND job_id IS NOT NULL
UNION SELECT job_id FROM log
      WHERE track_id IN (SELECT unnest($tracks::UUID[])) AND job_id IS NOT NULL
UNION SELECT job_id FROM log
      WHERE artist_id IN (SELECT unnest($artists::UUID[])) AND job_id IS NOT NULL
"""  # one filter per scan, each pushed into the scan: 5x faster than one scan with the four ORed
# One level of a walk: (the key the lookup finds the rows by, the query).
_PARENTS = (
    "job_id",
    """
WITH {log} SELECT DISTINCT parent_job_id FROM log
WHERE parent_job_id IS NOT NULL AND job_id IN (SELECT unnest($jobs::VARCHAR[]))
""",
)
_CHILDREN = (
    "parent_job_id",
    """
WITH {log} SELECT DISTINCT job_id FROM log
WHERE job_id IS NOT NULL AND parent_job_id IN (SELECT unnest($jobs::VARCHAR[]))
""",
)
# Each job's summary and its parent edges, computed in DuckDB: no Python object per log row.
_SUMMARY = """
WITH {log}
SELECT job_id, count(*), {first_at}, arg_min(category::VARCHAR, (created_at, id)),
       arg_max(status::VARCHAR, (created_at, id)), list_sort(list_distinct(list(operation))),
       bool_or(status = 'FAILED')
FROM log WHERE job_id IN (SELECT unnest($jobs::VARCHAR[])) GROUP BY job_id
"""
_EDGES = """
WITH {log}
SELECT job_id, parent_job_id, count(*) FROM log
WHERE job_id IN (SELECT unnest($jobs::VARCHAR[])) AND parent_job_id IS NOT NULL GROUP BY ALL
"""
_SAME_TREE = """
SELECT job_id, parent_job_id FROM _lf_roots
WHERE coalesce(inferred_root, cycle) IN (
    SELECT coalesce(inferred_root, cycle) FROM _lf_roots
    WHERE job_id IN (SELECT unnest($jobs::VARCHAR[])))
"""


def album_lineage(con: duckdb.DuckDBPyConnection, album_id: str) -> nx.DiGraph:
    """Return the jobs that touched the album, its tracks or its artists, with their kin.

    Their kin: every ancestor up to the roots, and every child down. The jobs
    that touched it are marked ``touches_album``. An id that is no UUID, or an
    album no log row mentions, gives an empty graph.
    """
    try:
        album = str(uuid.UUID(str(album_id)))
    except ValueError:
        return nx.DiGraph()  # not an id at all: no job touched it
    log, rows, members = album_log(con, album)
    touching = sorted(
        j
        for (j,) in con.execute(
            _ALBUM_JOBS.format(log=log), {"album": album, **rows, **members}
        ).fetchall()
    )
    graph = job_graph(con, sorted(_lineage_of(con, touching, touching)))
    for job in touching:
        graph.nodes[job]["touches_album"] = True
    return graph


def job_lineage(con: duckdb.DuckDBPyConnection, job_id: str) -> nx.DiGraph:
    """Return the job's whole tree: its ancestors up to the root, and everything below that root."""
    ancestors = _walk(con, {job_id}, _PARENTS)
    if ancestors is None:
        return job_graph(con, sorted(_trees(con, [job_id])))
    descendants = _walk(con, _tops(con, ancestors) or {job_id}, _CHILDREN)
    if descendants is None:
        return job_graph(con, sorted(_trees(con, [job_id])))
    return job_graph(con, sorted(ancestors | descendants))


def _tops(con: duckdb.DuckDBPyConnection, jobs: set[str]) -> set[str]:
    """Return the ``jobs`` that have rows and no parent with rows.

    Those are the roots, and the highest jobs below a break.
    """
    log, rows = mentioning(con, "llama_logs", {"job_id": sorted(jobs)}, "log")
    edges = con.execute(
        f"WITH {log} SELECT DISTINCT job_id, parent_job_id FROM log "
        "WHERE job_id IN (SELECT unnest($jobs::VARCHAR[]))",
        {"jobs": sorted(jobs), **rows},
    ).fetchall()
    existing = {job for job, _ in edges}
    return existing - {job for job, parent in edges if parent in existing and parent != job}


def _lineage_of(
    con: duckdb.DuckDBPyConnection, up_from: list[str], down_from: list[str]
) -> set[str]:
    """Return ``up_from`` with every ancestor, and ``down_from`` with every descendant."""
    ancestors = _walk(con, set(up_from), _PARENTS)
    descendants = _walk(con, set(down_from), _CHILDREN)
    if ancestors is None or descendants is None:
        return _lineage_in_trees(con, up_from, down_from)
    return ancestors | descendants


def _walk(
    con: duckdb.DuckDBPyConnection, start: set[str], step: tuple[str, str]
) -> set[str] | None:
    """Return ``start`` and every job ``step`` reaches from it, level by level.

    None past ``MAX_LEVELS`` levels: the caller then takes the whole trees instead.
    """
    seen, frontier = set(start), sorted(start)
    key, sql = step
    for _ in range(MAX_LEVELS):
        if not frontier:
            return seen
        log, rows = mentioning(con, "llama_logs", {key: frontier}, "log")
        frontier = sorted(
            {j for (j,) in con.execute(sql.format(log=log), {"jobs": frontier, **rows}).fetchall()}
            - seen
        )
        seen.update(frontier)
    return None if frontier else seen


def _trees(con: duckdb.DuckDBPyConnection, jobs: list[str]) -> set[str]:
    """Return every job in the same tree (same inferred root, or same loop) as one of ``jobs``.

    Only the ids: a graph of the tree, built to read its nodes, was 60 MB for 100,000 jobs.
    """
    store_roots(con)
    found = {job for job, _ in _batches(con.execute(_SAME_TREE, {"jobs": jobs}))}
    return found | set(jobs)


def _tree_graph(con: duckdb.DuckDBPyConnection, jobs: list[str]) -> nx.DiGraph:
    """Return the graph (job -> inferred parent) of the trees the ``jobs`` are in.

    Built from the global root inference, which has no depth limit.
    """
    store_roots(con)
    graph = nx.DiGraph()
    for job, parent in con.execute(_SAME_TREE, {"jobs": jobs}).fetchall():
        graph.add_node(job)
        if parent is not None:
            graph.add_edge(job, parent)
    return graph


def _lineage_in_trees(
    con: duckdb.DuckDBPyConnection, up_from: list[str], down_from: list[str]
) -> set[str]:
    """Do what ``_lineage_of`` does within the jobs' whole trees.

    For chains too deep to walk level by level.
    """
    tree = _tree_graph(con, sorted(set(up_from) | set(down_from)))
    found = set(up_from) | set(down_from)
    for job in up_from:
        found |= nx.descendants(tree, job) if job in tree else set()  # edges point at parents
    for job in down_from:
        found |= nx.ancestors(tree, job) if job in tree else set()
    return found


def job_graph(con: duckdb.DuckDBPyConnection, job_ids: list[str]) -> nx.DiGraph:
    """Return the DiGraph of ``job_ids``, each summarised; parents no row has become ``missing``.

    Node attributes: row_count, first_at, category (of the first row), status
    (of the last row), operations, failed (a row has status FAILED), missing;
    and rows (dicts, in time order) when the graph has at most
    ``ROWS_ATTACHED_UP_TO`` jobs: a 100,000-deep chain's rows as Python dicts
    took 650 MB, so a larger graph carries the summaries (computed in SQL) and
    :func:`job_rows` fetches the rows of the jobs someone looks at. Edge
    attribute: rows (how many of the job's rows name that parent).
    """
    jobs = list(job_ids)
    log, found = mentioning(con, "llama_logs", {"job_id": jobs}, "log")
    params = {"jobs": jobs, **found}
    graph = nx.DiGraph()
    graph.add_nodes_from(jobs, **_NO_ROWS)
    shared: dict = {}  # one object per distinct category, status, operations: jobs share a few
    first_at = shown_items("min(created_at)", "first_at")  # beyond Python: PostgreSQL's text
    summaries = _batches(con.execute(_SUMMARY.format(log=log, first_at=first_at), params))
    for job, count, first, first_text, category, status, operations, failed in summaries:
        graph.add_node(
            job,
            missing=False,
            row_count=count,
            first_at=ShownTime(first, first_text) if first_text else first,
            category=shared.setdefault(category, category),
            status=shared.setdefault(status, status),
            operations=shared.setdefault(tuple(operations), list(operations)),
            failed=failed,
        )
    for job, parent, count in _batches(con.execute(_EDGES.format(log=log), params)):
        graph.add_edge(job, parent, rows=count)
    for _, data in graph.nodes(data=True):
        if "missing" not in data:  # a parent outside ``jobs`` that no row has
            data.update(_NO_ROWS)
    if len(jobs) <= ROWS_ATTACHED_UP_TO:
        attach_rows(con, graph, jobs)
    return graph


def _batches(cursor: duckdb.DuckDBPyConnection, size: int = 10_000) -> Iterator[tuple]:
    """Yield a result's rows a batch at a time.

    100,000 summaries fetched as one list cost 50 MB more at peak.
    """
    while batch := cursor.fetchmany(size):
        yield from batch


_NO_ROWS: dict[str, object] = {
    "missing": True,
    "row_count": 0,
    "first_at": None,
    "category": None,
    "status": None,
    "operations": [],
    "failed": False,
}


def attach_rows(con: duckdb.DuckDBPyConnection, graph: nx.DiGraph, jobs: Iterable[str]) -> None:
    """Attach their log rows (dicts, in time order) to the ``jobs`` of ``graph`` (hover text)."""
    jobs = list(jobs)
    for job in jobs:
        graph.nodes[job]["rows"] = []
    for job, rows in job_rows(con, jobs):
        graph.nodes[job]["rows"] = rows


def job_rows(
    con: duckdb.DuckDBPyConnection, jobs: list[str]
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Yield (job, its rows as dicts in time order) for the ``jobs`` that have rows, in order."""
    log, found = mentioning(con, "llama_logs", {"job_id": list(jobs)}, "log")
    rows: dict[str, list[dict[str, Any]]] = {}
    kept = kept_text_sql("llama_logs", "created_at", "log.id") if has_pg_text(con) else None
    created = shown_items("log.created_at", "created_at", kept_text=kept)
    select = _ROW_SELECT.replace("created_at,", created + ",", 1)
    for job, *values in con.execute(
        f"WITH {log} SELECT job_id, {select} FROM log "
        "WHERE job_id IN (SELECT unnest($jobs::VARCHAR[])) ORDER BY log.created_at, log.id",
        {"jobs": list(jobs), **found},
    ).fetchall():
        rows.setdefault(job, []).append(shown_row(dict(zip(_ROW_NAMES, values, strict=True))))
    for job in jobs:
        if job in rows:
            yield job, rows.pop(job)
