"""The upstream root_job_id backfill, reproduced, and where it disagrees with the inferred roots.

The app's migration walked parent_job_id upwards with a recursive query
limited to depth 10, joined on job_id. Three things make it wrong on real
data: chains deeper than 10 stop short of their root, loops are walked round
until the limit, and job_id is not unique, so a walk fans out over every row
of a parent job and a job whose rows name different parents gets several
candidate roots, one of them kept at random.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import polars as pl

from ..queries import load_query
from .roots import store_roots

UPSTREAM_DEPTH_LIMIT = 10
REASONS = {
    "loop": "loop: the walk circles until its depth limit",
    "deep": f"chain deeper than the depth limit of {UPSTREAM_DEPTH_LIMIT}",
    "fan_out": "job_id not unique: the walk fanned out",
    "other": "other",
}


def upstream_backfill_roots(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return, per log row with a job, the root the upstream depth-10 walk over rows gives it.

    Columns: id, job_id, parent_job_id, upstream_root, steps (how far the walk
    climbed), candidate_roots (how many different jobs it ended on; the upstream
    UPDATE kept one of them arbitrarily, this keeps the smallest).
    """
    with _upstream_pairs(con):
        return con.execute("""
            SELECT l.id::VARCHAR AS id, u.job_id, u.parent_job_id, u.upstream_root, u.steps,
                   u.candidate_roots
            FROM llama_logs l
            JOIN _lf_upstream u
              ON u.job_id = l.job_id AND u.parent_job_id IS NOT DISTINCT FROM l.parent_job_id
            ORDER BY u.job_id, id
        """).pl()


def compare_with_upstream(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the log rows whose upstream-backfill root differs from the inferred root, and why.

    Columns: id, job_id, upstream_root, inferred_root, status, depth,
    candidate_roots, conflicting_parents, why (see ``REASONS``). Compared per
    (job, parent) pair, then spread over the pairs' rows.
    """
    store_roots(con)
    with _upstream_pairs(con):
        return con.execute(
            """
            WITH differing AS (
                SELECT u.job_id, u.parent_job_id, u.upstream_root, r.inferred_root, r.status,
                       r.depth, u.candidate_roots, r.conflicting_parents,
                       CASE WHEN r.status = 'cycle' THEN $loop
                            WHEN r.depth > $limit THEN $deep
                            WHEN u.candidate_roots > 1 OR r.conflicting_parents > 0 THEN $fan_out
                            ELSE $other END AS why
                FROM _lf_upstream u
                JOIN _lf_roots r ON r.job_id = u.job_id
                WHERE u.upstream_root IS DISTINCT FROM r.inferred_root
            )
            SELECT l.id::VARCHAR AS id, d.* EXCLUDE (parent_job_id)
            FROM llama_logs l
            JOIN differing d
              ON d.job_id = l.job_id AND d.parent_job_id IS NOT DISTINCT FROM l.parent_job_id
            ORDER BY why, job_id, id
        """,
            {**REASONS, "limit": UPSTREAM_DEPTH_LIMIT},
        ).pl()


@contextmanager
def _upstream_pairs(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Keep the upstream walk's answer per (job_id, parent_job_id) in ``_lf_upstream`` meanwhile.

    A temp table, dropped when the block ends, so two comparisons never see each other's pairs.
    """
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _lf_upstream AS " + load_query("upstream_backfill_roots")
    )
    try:
        yield
    finally:
        con.execute("DROP TABLE IF EXISTS _lf_upstream")
