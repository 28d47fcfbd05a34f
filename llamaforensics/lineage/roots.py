"""Root inference over every job of the log, set-at-a-time, with no depth limit.

Pointer jumping (doubling) over the distinct jobs in DuckDB: every job points
at its parent; each round every pointer jumps to its target's pointer, so after
k rounds it has climbed 2^k steps. Chains of any depth settle in log2(depth)
rounds; a job whose parent no row has stops there (a break: the highest
reachable job is its root); a job on or below a loop never reaches a top and
is reported as such, with the loop's members. No Python object per row.
"""

from __future__ import annotations

import math

import duckdb
import networkx as nx
import polars as pl

from ..queries import load_query

STATUSES = ("root", "ok", "broken", "cycle")


def _prepare_edges(con: duckdb.DuckDBPyConnection) -> int:
    con.execute(load_query("job_edges"))
    return con.execute("SELECT count(*) FROM _lf_job_edges").fetchone()[0]


def _jump(con: duckdb.DuckDBPyConnection, n_jobs: int) -> None:
    """Fill _lf_ptr(job_id, ptr, depth, settled, top_kind): the top each job reaches and how far it is.

    A top is a job with no parent (kind 'root'), a parent no row has ('broken')
    or itself as parent ('loop'). A job is settled once its pointer reaches a
    top; only unsettled jobs jump, so the work shrinks every round. A round that
    settles nobody leaves only jobs on or under a loop: they never reach a top.
    """
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _lf_ptr AS
        WITH first AS (
            SELECT e.job_id, e.parent, p.job_id AS parent_job, p.parent AS grandparent, g.job_id AS grandparent_job
            FROM _lf_job_edges e
            LEFT JOIN _lf_job_edges p ON p.job_id = e.parent
            LEFT JOIN _lf_job_edges g ON g.job_id = p.parent
        ), kinds AS (
            SELECT *,
                   CASE WHEN parent IS NULL THEN 'root' WHEN parent = job_id THEN 'loop'
                        WHEN parent_job IS NULL THEN 'broken' END AS own_kind,
                   CASE WHEN parent_job IS NULL THEN NULL WHEN grandparent IS NULL THEN 'root'
                        WHEN grandparent = parent_job THEN 'loop' WHEN grandparent_job IS NULL THEN 'broken' END AS parent_kind
            FROM first
        )
        -- a top (no parent, a missing parent, or itself) points at itself; its children are settled at once
        SELECT job_id,
               CASE WHEN own_kind IS NOT NULL THEN job_id ELSE parent_job END AS ptr,
               CASE WHEN own_kind IS NOT NULL THEN 0 ELSE 1 END AS depth,
               own_kind IS NOT NULL OR parent_kind IS NOT NULL AS settled,
               coalesce(own_kind, parent_kind) AS top_kind
        FROM kinds
    """)
    for _ in range(max(1, math.ceil(math.log2(max(n_jobs, 2)))) + 1):
        settled = con.execute("""
            CREATE OR REPLACE TEMP TABLE _lf_step AS
            SELECT a.job_id, b.ptr, a.depth + b.depth AS depth, b.settled, b.top_kind
            FROM _lf_ptr a JOIN _lf_ptr b ON b.job_id = a.ptr
            WHERE NOT a.settled;
            SELECT count(*) FILTER (WHERE settled), count(*) FROM _lf_step
        """).fetchone()
        if not settled[1]:
            break
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _lf_ptr AS
            SELECT * FROM _lf_ptr WHERE settled UNION ALL SELECT * FROM _lf_step
        """)
        if not settled[0] and _ > 0:
            break


def infer_roots(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return one row per job: parent, inferred root, depth, status (root/ok/broken/cycle), missing parent.

    Also leaves the temp table ``_lf_roots`` with the same columns for SQL that
    joins on it (the findings do).
    """
    n_jobs = _prepare_edges(con)
    _jump(con, n_jobs)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _lf_roots AS
        SELECT e.job_id, e.parent AS parent_job_id, e.conflicting_parents,
               CASE WHEN r.settled AND r.top_kind <> 'loop' THEN r.ptr END AS inferred_root,
               CASE WHEN r.settled AND r.top_kind <> 'loop' THEN r.depth END AS depth,
               CASE WHEN e.parent IS NULL THEN 'root'
                    WHEN NOT r.settled OR r.top_kind = 'loop' THEN 'cycle'
                    WHEN r.top_kind = 'broken' THEN 'broken'
                    ELSE 'ok' END AS status,
               CASE WHEN e.parent IS NOT NULL AND e.parent <> e.job_id
                         AND NOT EXISTS (SELECT 1 FROM _lf_job_edges p WHERE p.job_id = e.parent) THEN e.parent END
                   AS missing_parent
        FROM _lf_job_edges e JOIN _lf_ptr r USING (job_id)
    """)
    return con.execute("SELECT * FROM _lf_roots ORDER BY job_id").pl()


def cycles(con: duckdb.DuckDBPyConnection) -> list[list[str]]:
    """Return the parent_job_id loops (each a list of job ids), from the jobs infer_roots marked 'cycle'."""
    edges = con.execute("SELECT job_id, parent_job_id FROM _lf_roots WHERE status = 'cycle'").fetchall()
    graph = nx.DiGraph(edges)
    return sorted(sorted(c) for c in nx.simple_cycles(graph))


def check_roots(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return every log row whose job chain has a problem, with the problem named.

    problem: null_root (root_job_id NULL though the chain has a top), wrong_root
    (stored root is not the top), is_root_mismatch (is_root_job disagrees with
    "has no parent"), broken_chain (the row's parent is no job), looping_chain
    (the row's job is on or under a loop).
    """
    infer_roots(con)
    return con.execute(load_query("root_problems")).pl()


def upstream_backfill_roots(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return, per log row with a job, the root the upstream depth-10, row-level backfill would give it."""
    return con.execute(load_query("upstream_backfill_roots")).pl()


def compare_with_upstream(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the rows where the upstream backfill method and the inferred root disagree, and why."""
    infer_roots(con)
    upstream = upstream_backfill_roots(con)
    con.register("_lf_upstream", upstream)
    try:
        return con.execute("""
            SELECT l.id::VARCHAR AS id, l.job_id, u.upstream_root, r.inferred_root, r.status, r.depth,
                   u.candidate_roots, r.conflicting_parents,
                   CASE WHEN r.status = 'cycle' THEN 'loop: the walk circles until its depth limit'
                        WHEN r.depth > 10 THEN 'chain deeper than the depth limit of 10'
                        WHEN u.candidate_roots > 1 OR r.conflicting_parents > 0 THEN 'job_id not unique: the walk fanned out'
                        ELSE 'other' END AS why
            FROM llama_logs l
            JOIN _lf_upstream u ON u.id = l.id::VARCHAR
            JOIN _lf_roots r ON r.job_id = l.job_id
            WHERE u.upstream_root IS DISTINCT FROM r.inferred_root
            ORDER BY why, l.job_id
        """).pl()
    finally:
        con.unregister("_lf_upstream")
