"""Root inference over every job of the log, set-at-a-time, with no depth limit.

DuckDB reduces the log to its distinct jobs (queries/job_parents.sql), each
with the one parent it names, and hands them over once, numbered 0..n-1, with
each job's parent number. The numbers climb to their tops by
pointer jumping as NumPy arrays (see ``pointers``), and Polars puts the ids
back by gathering at the numbers. No Python object per row or per job; the
job ids cross from DuckDB once.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import numpy as np
import polars as pl

from ..queries import load_query
from .pointers import BROKEN, CYCLE, MISSING_PARENT, NO_PARENT, STATUSES, classify, climb, loops


def infer_roots(
    con: duckdb.DuckDBPyConnection,
    jobs_query: str = "job_parents",
    carry: tuple[str, ...] = (),
    carry_root: tuple[str, ...] = (),
) -> pl.DataFrame:
    """Return one row per job: its parent, inferred root, depth, status, and its break or loop.

    Columns: job_id, parent_job_id, inferred_root, depth, status (root / ok /
    broken / cycle), missing_parent (the dangling id a broken chain ends at),
    conflicting_parents (other parents the job's rows name), cycle (the loop,
    named by its smallest job id), on_cycle (the job is one of the loop's
    members, not just under it). Rows are in no particular order.
    ``store_roots`` keeps them in the connection for SQL that joins on them.

    ``jobs_query`` names the SQL file that collapses the log to jobs (the
    findings use ``job_chain_jobs``, which also reads each job's stored roots
    in the same pass); ``carry`` names further columns of its table that each
    job keeps, after the others, and ``carry_root`` those of them each job
    also takes from its inferred root, as ``root_<column>``.
    """
    try:
        jobs, parent = numbered_jobs(con, jobs_query, carry)
    finally:
        con.execute("DROP TABLE IF EXISTS _lf_jobs")
    top, steps = climb(parent)
    status = classify(parent, top)
    loop, on_loop = loops(parent, top, status)
    del parent
    names = loop_names(jobs["job_id"], loop, on_loop)
    return _label(jobs, top, steps, status, names, on_loop, carry, carry_root)


def store_roots(con: duckdb.DuckDBPyConnection, roots: pl.DataFrame | None = None) -> pl.DataFrame:
    """Keep ``roots`` (inferred now when not given) in the temp table ``_lf_roots``; return them.

    SQL that needs every job's root joins on that table.

    A table, not a registered frame: DuckDB pushes join filters into a registered
    Arrow scan through pyarrow, which cannot compare the string views Polars hands over.
    """
    roots = infer_roots(con) if roots is None else roots
    con.register("_lf_roots_frame", roots.to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _lf_roots AS SELECT * FROM _lf_roots_frame")
    finally:
        con.unregister("_lf_roots_frame")
    return roots


def numbered_jobs(
    con: duckdb.DuckDBPyConnection, jobs_query: str = "job_parents", carry: tuple[str, ...] = ()
) -> tuple[pl.DataFrame, np.ndarray]:
    """Return the distinct jobs and each one's parent number.

    The jobs' columns: job_id, parent_job_id, conflicting_parents, and ``carry``.

    Job i is row i of the frame; ``parent[i]`` is its parent's number, NO_PARENT
    or MISSING_PARENT. ``queries/<jobs_query>.sql`` builds the temp table
    ``_lf_jobs`` and ``queries/rank_parents.sql`` settles its disputed parents;
    then one query hands over every job with its parent's rowid and, only for
    a parent no job has, the dangling id as text, and the rowids are
    renumbered to the order the rows arrived in.
    """
    if not all(c.isidentifier() for c in carry):
        raise ValueError(f"carry names columns of _lf_jobs, not {carry!r}")
    con.execute(load_query(jobs_query))
    con.execute(load_query("rank_parents"))
    carried = "".join(f", j.{c}" for c in carry)
    # A relation's .pl() hands the result over in parallel: 0.43 s for 3M jobs, against 0.75-0.94 s
    # through execute().pl() (with or without Arrow string views).
    found = con.sql(f"""
        SELECT j.rowid AS job, j.job_id, j.conflicting_parents, p.rowid AS parent{carried},
               CASE WHEN p.rowid IS NULL THEN j.parent END AS dangling
        FROM _lf_jobs j LEFT JOIN _lf_jobs p ON p.job_id = j.parent
    """).pl()
    rowid = found["job"].to_numpy()
    dense = _dense_rowids(rowid)
    number = np.empty(found.height, dtype=np.int32)
    number[dense(rowid)] = np.arange(found.height, dtype=np.int32)  # rowid -> position
    parent = np.where(found["dangling"].is_null().to_numpy(), NO_PARENT, MISSING_PARENT).astype(
        np.int32
    )
    is_job = found["parent"].is_not_null().to_numpy()
    parent[is_job] = number[dense(found["parent"].filter(is_job).to_numpy())]
    parent_ids = found["job_id"].gather(_or_null(parent, parent < 0))
    jobs = found.select(
        "job_id",
        parent_ids.zip_with(parent_ids.is_not_null(), found["dangling"]).alias("parent_job_id"),
        "conflicting_parents",
        *carry,
    )
    return jobs, parent


def _dense_rowids(rowids: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Return a function taking the table's rowids to 0..n-1.

    A table made and filled in one committed statement numbers its rows
    0..n-1; one made inside an open transaction numbers them from a large
    offset. Both are contiguous (an offset is subtracted); anything else is
    ranked.
    """
    if not rowids.size:
        return lambda values: values
    low = rowids.min()
    if rowids.max() - low + 1 == rowids.size:
        return lambda values: values - low
    ordered = np.sort(rowids)
    return lambda values: np.searchsorted(ordered, values)


def _or_null(numbers: np.ndarray, hide: np.ndarray) -> pl.Series:
    """Return ``numbers`` as a Series, null where ``hide``: gathering at a null gives a null."""
    return pl.Series(numbers).set(pl.Series(hide), None)


def _label(
    jobs: pl.DataFrame,
    top: np.ndarray,
    steps: np.ndarray,
    status: np.ndarray,
    loop_name: np.ndarray,
    on_loop: np.ndarray,
    carry: tuple[str, ...] = (),
    carry_root: tuple[str, ...] = (),
) -> pl.DataFrame:
    """Return the jobs with their roots.

    Ids are gathered by job number, so the strings are never copied.
    """
    looping = status == CYCLE
    return jobs.select(
        "job_id",
        "parent_job_id",
        pl.col("job_id").gather(_or_null(top, looping)).alias("inferred_root"),
        _or_null(steps, looping).alias("depth"),
        pl.Series("status", status).replace_strict(
            range(len(STATUSES)), STATUSES, return_dtype=pl.Enum(STATUSES)
        ),
        pl.col("parent_job_id").gather(_or_null(top, status != BROKEN)).alias("missing_parent"),
        "conflicting_parents",
        pl.col("job_id").gather(_or_null(loop_name, loop_name < 0)).alias("cycle"),
        pl.Series("on_cycle", on_loop),
        *carry,
        *(pl.col(c).gather(_or_null(top, looping)).alias(f"root_{c}") for c in carry_root),
    )


def loop_names(job_ids: pl.Series, loop: np.ndarray, on_loop: np.ndarray) -> np.ndarray:
    """Return, per job on or under a loop, the number of the loop's member with the smallest id.

    -1 elsewhere. The smallest id names a loop the same way whichever member a walk met first.
    """
    members = np.flatnonzero(on_loop)
    named = np.full(len(loop), -1, dtype=loop.dtype)
    if members.size:
        first = (
            pl.DataFrame({"member": members, "loop": loop[members], "id": job_ids.gather(members)})
            .sort("id")
            .group_by("loop")
            .first()
        )
        named[first["loop"].to_numpy()] = first["member"].to_numpy()
    return np.where(loop >= 0, named[loop], -1)


def cycles(
    con: duckdb.DuckDBPyConnection | None, roots: pl.DataFrame | None = None
) -> list[list[str]]:
    """Return the parent_job_id loops, each as its jobs in walk order from the smallest job id.

    Reads ``roots`` when given (then ``con`` may be None: Spark's roots come as a
    frame), else the ``_lf_roots`` left by the last ``check_roots`` or
    ``store_roots`` on this connection, else infers them.
    """
    if roots is None:
        if con is None:
            raise ValueError("cycles() needs the roots or a connection to find them on")
        try:
            roots = con.table("_lf_roots").filter("on_cycle").pl()
        except duckdb.CatalogException:
            roots = infer_roots(con)
    members = roots.filter(pl.col("on_cycle")).select("job_id", "parent_job_id", "cycle").rows()
    parent = {job: up for job, up, _ in members}
    found = []
    for start in sorted({name for *_, name in members}):
        walk = [start]
        while (node := parent[walk[-1]]) != start:
            walk.append(node)
        found.append(walk)
    return found


CHAIN_PROBLEMS = (
    "broken_chain",
    "is_root_mismatch",
    "looping_chain",
    "multi_parent",
    "null_root",
    "wrong_root",
)


def check_roots(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return every log row whose job chain has a problem, one row per (log row, problem).

    problem: null_root (root_job_id NULL though the chain has a top), wrong_root
    (stored root is not the inferred one), is_root_mismatch (is_root_job
    disagrees with "the job has no parent"), broken_chain (the row's
    parent_job_id names no job), looping_chain (the row's job is on or under a
    loop), multi_parent (the row's job has rows naming different parents). See
    queries/root_problems.sql.
    """
    store_roots(con)
    return con.execute(load_query("root_problems")).pl()
