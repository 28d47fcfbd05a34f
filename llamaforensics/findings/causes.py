"""Findings grouped by root cause: the same sync batch, job, source or day.

A finding's origin is the log row that created its album (or, for a log-row
finding, that row): ``queries/finding_origins.sql``. Each finding joins the
most specific group its origin allows -- its sync batch (the creating row's
parent job), else its job, else its source, else its day -- within its kind,
so every member of a group takes the same fix and one fix aimed at the origin
can close the group. Groups come largest first.
"""

from __future__ import annotations

import duckdb
import polars as pl

from ..queries import load_query

CAUSE_ORDER = ("batch", "job_id", "source", "day")
CAUSE_LABEL = {"batch": "sync batch", "job_id": "job", "source": "source", "day": "day"}


def finding_origins(con: duckdb.DuckDBPyConnection, findings: pl.DataFrame) -> pl.DataFrame:
    """Return (entity_type, entity_id, job_id, batch, source, day) for ``findings``' entities."""
    ids = {
        t: findings.filter(pl.col("entity_type") == t)["entity_id"].unique().to_list()
        for t in ("ALBUM", "LOG")
    }
    return con.execute(
        load_query("finding_origins"), {"albums": ids["ALBUM"], "logs": ids["LOG"]}
    ).pl()


def with_causes(con: duckdb.DuckDBPyConnection, findings: pl.DataFrame) -> pl.DataFrame:
    """Return ``findings`` with ``cause`` (what the group shares) and ``cause_value`` added."""
    origins = finding_origins(con, findings).with_columns(pl.col("day").cast(pl.String))
    picked = pl.coalesce(
        [pl.when(pl.col(c).is_not_null()).then(pl.lit(CAUSE_LABEL[c])) for c in CAUSE_ORDER]
    )
    value = pl.coalesce([pl.col(c) for c in CAUSE_ORDER])
    origins = origins.select(
        "entity_type",
        "entity_id",
        picked.fill_null("unknown").alias("cause"),
        value.fill_null("-").alias("cause_value"),
    )
    return findings.join(origins, on=["entity_type", "entity_id"], how="left").with_columns(
        pl.col("cause").fill_null("unknown"), pl.col("cause_value").fill_null("-")
    )


def group_by_cause(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Return one row per (kind, fix, cause, value): how many findings share it, and their ids.

    The fix is part of the group (a kind's fix can depend on the finding: a
    trackless album's on its cause), so one fix closes a whole group.
    Largest group first; ties by kind and value, so the order is stable.
    """
    found = [f for f in frames.values() if f.height]
    if not found:
        return pl.DataFrame(
            schema={
                "kind": pl.String,
                "cause": pl.String,
                "cause_value": pl.String,
                "findings": pl.UInt32,
                "suggested_fix": pl.String,
                "entity_ids": pl.List(pl.String),
            }
        )
    caused = with_causes(con, pl.concat(found))
    return (
        caused.group_by("kind", "cause", "cause_value", "suggested_fix")
        .agg(pl.len().alias("findings"), pl.col("entity_id").sort().alias("entity_ids"))
        .select("kind", "cause", "cause_value", "findings", "suggested_fix", "entity_ids")
        .sort(["findings", "kind", "cause_value"], descending=[True, False, False])
    )
