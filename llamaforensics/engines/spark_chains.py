"""Job roots on Spark: pointer jumping as joins, no depth limit, loops and breaks as in DuckDB.

The jobs come from the same SQL as the DuckDB engine's (``queries/job_chain_jobs.sql``
and ``rank_parents.sql``, translated). Every job points at its parent (a job
with no parent, or whose parent no row has, at itself: a top). Each round, every
job that has not reached a top takes its target's pointer, adding its target's
steps: one join, after which the pointer has climbed twice as far, so a chain of
depth d settles in ceil(log2 d) rounds. Only the unsettled jobs join, and the
rounds stop once they prove the rest are on or under a loop (see ``_climb``; by
then each of those points at a job on its loop). Those few are collected and
their loops walked once on the driver by the embedded engine's own code
(``lineage.pointers.loops``), so loops are named and ordered exactly as there.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from ..lineage.pointers import CYCLE, loops
from ..lineage.roots import cycles, loop_names
from ..queries import load_query
from .spark import SparkLake, polars_frame

if TYPE_CHECKING:  # PySpark is an optional extra
    from pyspark.sql import DataFrame as SparkFrame


def infer_roots_spark(lake: SparkLake) -> SparkFrame:
    """Return a Spark frame of every job of ``_lf_jobs`` and its root (``infer_roots``'s columns).

    Columns: job_id, parent_job_id, inferred_root, depth, status, missing_parent,
    conflicting_parents, cycle, on_cycle, root_lo, root_hi, root_job_hash.
    """
    from pyspark.sql import functions as F

    jobs = lake.session.table("_lf_jobs")
    known = jobs.select(F.col("job_id").alias("_known"))
    start = (
        jobs.join(known, jobs.parent == known._known, "left")
        .select(
            "job_id",
            "parent",
            "conflicting_parents",
            "job_hash",
            "root_lo",
            "root_hi",
            F.col("_known").isNull().alias("is_top"),
            F.when(F.col("_known").isNotNull(), F.col("parent"))
            .otherwise(F.col("job_id"))
            .alias("ptr"),
            F.when(F.col("_known").isNotNull(), 1).otherwise(0).alias("steps"),
        )
        .localCheckpoint()
    )
    tops = start.filter("is_top").select(F.col("job_id").alias("ptr"))
    return _label(lake, start, _climb(start.select("job_id", "ptr", "steps"), start.count(), tops))


def _climb(pointers, jobs: int, tops):
    """Jump unsettled pointers until each rests on a top or the rounds show a loop; return them all.

    A job still climbing after round k is more than 2^k steps below its top, and
    every job on its way up that is further than 2^k from the top is still
    climbing too: its depth is at most (jobs still climbing) + 2^k. So once at
    most 2^k jobs still climb, one more round settles every job not on or under
    a loop, and the rest are the loops'. A job under a loop is at most (jobs
    still climbing) steps above it, so that round also leaves its pointer on
    the loop, where the loop walk on the driver starts.
    """
    from functools import reduce

    from pyspark.sql import functions as F

    # a job is settled once its pointer is a top; tops point at themselves
    pointers = (
        pointers.join(tops.withColumn("_top", F.lit(True)), "ptr", "left")
        .select("job_id", "ptr", "steps", F.col("_top").isNotNull().alias("settled"))
        .localCheckpoint()
    )
    settled, active = [pointers.filter("settled")], pointers.filter("NOT settled").localCheckpoint()
    remaining, last_round = active.count(), False
    for k in range(1, math.ceil(math.log2(max(jobs, 2))) + 2):
        if not remaining or last_round:
            break
        last_round = remaining <= 2 ** (k - 1)
        everyone = reduce(lambda a, b: a.unionByName(b), settled, active)
        via = everyone.select(
            F.col("job_id").alias("_via"),
            F.col("ptr").alias("_ptr"),
            F.col("steps").alias("_steps"),
            F.col("settled").alias("_settled"),
        )
        jumped = (
            active.join(via, active.ptr == via._via)
            .select(
                "job_id",
                F.col("_ptr").alias("ptr"),
                (F.col("steps") + F.col("_steps")).alias("steps"),
                F.col("_settled").alias("settled"),
            )
            .localCheckpoint()
        )
        settled.append(jumped.filter("settled"))
        active = jumped.filter("NOT settled")
        remaining = active.count()
    return reduce(lambda a, b: a.unionByName(b), settled, active)


def _label(lake: SparkLake, start, pointers):
    """Return each job's root, depth, status, break and loop from its resting pointer."""
    from pyspark.sql import functions as F

    top = start.select(
        F.col("job_id").alias("ptr"),
        F.col("parent").alias("top_parent"),
        F.col("job_hash").alias("top_hash"),
    )
    rows = start.drop("ptr", "steps", "is_top").join(pointers, "job_id").join(top, "ptr", "left")
    status = (
        F.when(~F.col("settled"), "cycle")
        .when(F.col("parent").isNull(), "root")
        .when(F.col("top_parent").isNotNull(), "broken")
        .otherwise("ok")
    )
    labelled = rows.select(
        "job_id",
        F.col("parent").alias("parent_job_id"),
        F.when(F.col("settled"), F.col("ptr")).alias("inferred_root"),
        F.when(F.col("settled"), F.col("steps")).alias("depth"),
        status.alias("status"),
        F.when(status == "broken", F.col("top_parent")).alias("missing_parent"),
        "conflicting_parents",
        "root_lo",
        "root_hi",
        F.when(F.col("settled"), F.col("top_hash")).alias("root_job_hash"),
        "ptr",
    )
    named = _loops(
        lake, labelled.filter("status = 'cycle'").select("job_id", "parent_job_id", "ptr").toArrow()
    )
    return (
        labelled.drop("ptr")
        .join(named, "job_id", "left")
        .select("*", F.coalesce(F.col("_on_cycle"), F.lit(False)).alias("on_cycle"))
        .drop("_on_cycle")
    )


def _loops(lake: SparkLake, looping):
    """Name each loop by its smallest job id, as the embedded engine does."""
    frame = polars_frame(looping)
    number = {job: i for i, job in enumerate(frame["job_id"].to_list())}
    parent = np.array([number[p] for p in frame["parent_job_id"].to_list()], dtype=np.int64)
    top = np.array([number[p] for p in frame["ptr"].to_list()], dtype=np.int64)
    loop, on_loop = loops(parent, top, np.full(len(parent), CYCLE, dtype=np.int8))
    names = loop_names(frame["job_id"], loop, on_loop)
    named = frame.select(
        "job_id",
        frame["job_id"].gather(pl.Series(np.where(names >= 0, names, 0))).alias("cycle"),
        pl.Series("_on_cycle", on_loop),
    )
    schema = "job_id string, cycle string, _on_cycle boolean"
    return lake.session.createDataFrame(named.rows(), schema)


def prepare_job_chains_spark(lake: SparkLake) -> dict[str, list[str]]:
    """Make ``_lf_chain_rows`` on Spark with the DuckDB engine's SQL; return the loops by name."""
    lake.execute(load_query("job_chain_jobs"))
    lake.execute(load_query("rank_parents"))
    roots = infer_roots_spark(lake)
    lake.view("_lf_job_roots", roots)
    lake.execute(load_query("job_chain_roots"))
    lake.execute(load_query("job_chain_rows"))
    on_cycle = polars_frame(
        lake.session.table("_lf_job_roots")
        .filter("on_cycle")
        .select("job_id", "parent_job_id", "cycle", "on_cycle")
        .toArrow()
    )
    return {loop[0]: loop for loop in cycles(None, on_cycle)}
