"""Findings and audits over a lake, on the DuckDB engine (out of core) or on Apache Spark.

Both engines run the same SQL: the DuckDB engine over ``open_lake``'s views,
exactly as over a snapshot file; the Spark engine over ``SparkLake``'s views,
each query translated by ``engines.dialect``. Results are the same Polars frames.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING

import polars as pl

from ..errors import UsageError
from ..findings.kinds import KINDS, Thresholds
from ..findings.run import KindNames, checked_kinds, run_findings, run_kind

if TYPE_CHECKING:  # PySpark and sqlglot are an optional extra
    from .spark import SparkLake

ENGINES = ("duckdb", "spark")


def lake_findings(
    lake: str | os.PathLike,
    kinds: KindNames = None,
    thresholds: Thresholds | None = None,
    *,
    engine: str = "duckdb",
    master: str | None = None,
) -> dict[str, pl.DataFrame]:
    """Run the findings (all, or ``kinds``) over ``lake`` on ``engine``; a frame per kind."""
    if engine == "duckdb":
        from ..lake.open import open_lake

        con = open_lake(lake, uuids_as_text=True)
        try:
            return run_findings(con, kinds, thresholds)
        finally:
            con.close()
    return spark_findings(open_spark_lake(lake, engine, master), kinds, thresholds)


def open_spark_lake(
    lake: str | os.PathLike, engine: str = "spark", master: str | None = None
) -> SparkLake:
    """Return the lake opened on Spark (``master``, or Spark's own configuration)."""
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    from .spark import SparkLake, spark_session

    return SparkLake(spark_session(master), lake)


def spark_findings(
    lake: SparkLake, kinds: KindNames = None, thresholds: Thresholds | None = None
) -> dict[str, pl.DataFrame]:
    """Run the findings on a :class:`~.spark.SparkLake`: the same SQL, the same frames."""
    from .spark_chains import prepare_job_chains_spark

    kinds = checked_kinds(kinds)
    taken_at = datetime.fromisoformat(lake.manifest["history"][-1]["taken_at"])
    params = {"now": taken_at, **(thresholds or Thresholds()).params()}
    chained = [k for k in kinds if KINDS[k].needs == "job_chains"]
    frames = {k: run_kind(lake, k, params, None) for k in kinds if k not in chained}
    if chained:
        loops = prepare_job_chains_spark(lake)
        frames |= {k: run_kind(lake, k, params, loops) for k in chained}
    return {k: frames[k] for k in kinds}
