"""Findings as they stood at earlier refreshes of a snapshot, reconstructed from its history.

The snapshot's tables are shadowed by temporary views holding the rows that
existed at that refresh (created by that time, not yet seen deleted), and the
manifest by the entries up to it, so time-based checks measure against it. The
report draws its trend from these; ``findings --new-since-refresh`` keeps what
the refresh before did not have. Why reconstruct rather than record, and what
the history cannot tell: see :mod:`llamaforensics.report.trend`.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from ..snapshot.format import (
    DELETED_COLUMN,
    MANIFEST_TABLE,
    SNAPSHOT_TABLES,
    one_row,
    quote_ident,
    read_manifests,
)
from .kinds import Thresholds
from .run import run_findings

TREND_POINTS = 12  # the latest refreshes shown: each is a findings run of its own
TIME_COLUMN = {
    "llama_logs": "created_at",
    "albums": "created_at",
    "artists": "created_at",
    "tracks": "created_at",
    "sync_jobs": "created_at",
}


def findings_by_refresh(
    con: duckdb.DuckDBPyConnection, points: int = TREND_POINTS, thresholds: Thresholds | None = None
) -> pl.DataFrame:
    """Return (seq, taken_at, kind, entity_id) per finding at the last ``points`` refreshes."""
    manifests = read_manifests(con)[-max(points, 1) :]
    parts = []
    for manifest in manifests:
        latest = manifest is manifests[-1]
        frames = _run_as_of(con, manifest.seq, manifest.taken_at, thresholds, latest)
        found = pl.concat([f.select("kind", "entity_id") for f in frames.values()], how="vertical")
        parts.append(
            found.with_columns(
                pl.lit(manifest.seq).alias("seq"), pl.lit(manifest.taken_at).alias("taken_at")
            )
        )
    return pl.concat(parts).select("seq", "taken_at", "kind", "entity_id")


def findings_as_of_previous_refresh(
    con: duckdb.DuckDBPyConnection, thresholds: Thresholds | None = None
) -> pl.DataFrame | None:
    """Return (kind, entity_id) of the findings at the refresh before the latest (None: none)."""
    manifests = read_manifests(con)
    if len(manifests) < 2:
        return None
    previous = manifests[-2]
    frames = _run_as_of(con, previous.seq, previous.taken_at, thresholds, latest=False)
    return pl.concat([f.select("kind", "entity_id") for f in frames.values()], how="vertical")


def _run_as_of(
    con: duckdb.DuckDBPyConnection,
    seq: int,
    taken_at: datetime,
    thresholds: Thresholds | None,
    latest: bool,
) -> dict[str, pl.DataFrame]:
    """Run the findings on the snapshot as it stood at refresh ``seq`` (latest: the tables)."""
    if latest:
        return run_findings(con, thresholds=thresholds)
    database = quote_ident(one_row(con.execute("SELECT current_database()"))[0])
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _lf_as_of AS SELECT $t::TIMESTAMP AS t, $seq::BIGINT AS seq, "
        f"(SELECT max(taken_at) FROM {database}.main.{MANIFEST_TABLE}) AS latest",
        {"t": taken_at, "seq": seq},
    )
    views = _as_of_views(database)
    try:
        for sql in views.values():
            con.execute(sql)
        return run_findings(con, thresholds=thresholds)
    finally:
        for name in views:
            con.execute(f"DROP VIEW IF EXISTS temp.main.{quote_ident(name)}")
        con.execute("DROP TABLE IF EXISTS temp.main._lf_as_of")


def _as_of_views(database: str) -> dict[str, str]:
    """Return the CREATE TEMP VIEW statements shadowing each table with its rows as of one refresh.

    Views cannot hold parameters, so the refresh's time and seq are read from
    the one-row temp table ``_lf_as_of`` (bound, never formatted in).
    """
    views = {}
    for name in SNAPSHOT_TABLES:
        table = f"{database}.main.{quote_ident(name)}"
        when = TIME_COLUMN.get(name)
        # A time after the latest refresh is impossible (impossible_log_time): such a row was there
        # all along, as far as the snapshot can tell -- not "created" after any refresh.
        col = quote_ident(when) if when else None
        existed = (
            f"WHERE {col} <= (SELECT t FROM _lf_as_of) OR {col} > (SELECT latest FROM _lf_as_of)"
            if when
            else ""
        )
        views[name] = (
            f"CREATE OR REPLACE TEMP VIEW {quote_ident(name)} AS SELECT * REPLACE ("
            f"CASE WHEN {DELETED_COLUMN} <= (SELECT t FROM _lf_as_of) THEN {DELETED_COLUMN} END "
            f"AS {DELETED_COLUMN}) "
            f"FROM {table} {existed}"
        )
    views[MANIFEST_TABLE] = (
        f"CREATE OR REPLACE TEMP VIEW {MANIFEST_TABLE} AS SELECT * FROM "
        f"{database}.main.{MANIFEST_TABLE} WHERE seq <= (SELECT seq FROM _lf_as_of)"
    )
    return views
