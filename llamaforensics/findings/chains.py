"""Job chains for the findings: every job's inferred root, and the log rows whose chain is wrong.

The roots come from the lineage engine (``lineage.infer_roots``: pointer
jumping with no depth limit, safe on loops and missing parents), fed by
``queries/job_chain_jobs.sql``, which in the same pass over the log reads
what each job's rows store as root_job_id. Only the jobs whose rows can have
a problem (roots that vary or disagree with the inferred one, a loop, a
missing or disputed parent) go into DuckDB, as the temp table
``_lf_chain_roots``; ``queries/job_chain_rows.sql`` then joins the log to
them and keeps the rows with a problem in ``_lf_chain_rows``, which the five
job-chain kinds read.
"""

from __future__ import annotations

import duckdb
import polars as pl

from ..queries import load_query

CHAIN_TABLES = ("_lf_chain_rows", "_lf_chain_roots")
SHOWN_CYCLE_JOBS = (
    20  # a loop of 10,000 jobs is named, counted and shown by its first jobs, not copied per row
)


def prepare_job_chains(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Fill ``_lf_chain_roots`` and ``_lf_chain_rows``.

    Return each loop's jobs in walk order, by the loop's name.
    """
    from ..lineage import cycles, infer_roots

    roots = infer_roots(
        con, "job_chain_jobs", carry=("job_hash", "root_lo", "root_hi"), carry_root=("job_hash",)
    )
    _store_chain_roots(con, roots)
    con.execute(load_query("job_chain_rows"))
    return {loop[0]: loop for loop in cycles(con, roots.filter(pl.col("on_cycle")))}


def drop_job_chains(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temp tables :func:`prepare_job_chains` made."""
    for table in CHAIN_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")


def describe_loops(frame: pl.DataFrame, loops: dict[str, list[str]]) -> pl.DataFrame:
    """Add each looping row's loop length and its first jobs, in walk order from the loop's name."""
    if not frame.height:
        return frame
    names = frame["cycle"].unique().to_list()
    shown = pl.DataFrame(
        {
            "cycle": names,
            "cycle_length": [len(loops.get(n, [])) for n in names],
            "cycle_jobs": [loops.get(n, [])[:SHOWN_CYCLE_JOBS] for n in names],
        },
        schema={"cycle": pl.String, "cycle_length": pl.Int64, "cycle_jobs": pl.List(pl.String)},
    )
    return frame.join(shown, on="cycle", how="left", maintain_order="left")


def _store_chain_roots(con: duckdb.DuckDBPyConnection, roots: pl.DataFrame) -> None:
    """Keep the jobs whose rows can have a problem (``queries/job_chain_roots.sql``, as on Spark).

    Plain Arrow strings (not Polars' string views), so DuckDB can copy the
    registered frame in one scan.
    """
    needed = roots.select(
        "job_id",
        "parent_job_id",
        "inferred_root",
        pl.col("status").cast(pl.String),
        "missing_parent",
        "conflicting_parents",
        "cycle",
        "on_cycle",
        "root_lo",
        "root_hi",
        "root_job_hash",
    )
    con.register("_lf_job_roots", needed.to_arrow(compat_level=pl.CompatLevel.oldest()))
    try:
        con.execute(load_query("job_chain_roots"))
    finally:
        con.unregister("_lf_job_roots")
