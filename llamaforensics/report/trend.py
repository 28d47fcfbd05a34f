"""Findings over the snapshot's refresh history: counts per kind at every refresh, new and fixed.

Why reconstruct rather than record: a snapshot keeps the history a refresh
needs to answer "what did the findings look like then?" -- every log row has
its ``created_at``, every catalog row its ``created_at`` and its
``_lf_deleted_at`` (when it was first seen missing), and the manifest says
when each refresh read the source. Recording counts at refresh time would
add a findings scan to every refresh (the refresh is the hot path; the report
is not) and would leave every snapshot taken before the recording existed
with no trend at all. So the findings are run again as of each refresh: the
snapshot's tables are shadowed by temporary views holding the rows that
existed then (created by that time, not yet seen deleted), and the manifest
by the entries up to that refresh, so time-based checks measure against it.
A row whose time lies after the latest refresh (an impossible time, itself a
finding) counts as present at every point: the snapshot cannot tell when it came.

What the history cannot tell: a catalog row is stored as last read, so a
field changed since (a musicbrainz_id set, a track_count corrected) shows its
latest value at every earlier point, and link tables (album_artists,
track_artists) have no time of their own and count at every point. A fix
made by adding rows (tracks fetched, log rows written) is seen; a fix made by
overwriting a field is seen only from the refresh that read it on.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from ..findings import KINDS, Thresholds, run_findings
from ..snapshot.format import (
    DELETED_COLUMN,
    MANIFEST_TABLE,
    SNAPSHOT_TABLES,
    quote_ident,
    read_manifests,
)

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


def trend(history: pl.DataFrame, manifests) -> pl.DataFrame:
    """Return per refresh and kind: the count, and how many are new and fixed since the one before.

    ``manifests`` are the refreshes ``history`` was run at (a refresh with no
    finding has no row in it, and still one per kind here, each zero).

    Every kind appears at every refresh (zero when it had none), so a line
    per kind can be drawn and a kind that went away shows its fall to zero.
    """
    seqs = [(m.seq, m.taken_at) for m in manifests]  # the refreshes run, with findings or not
    rows, before = [], None
    for seq, taken_at in seqs:
        now = history.filter(pl.col("seq") == seq)
        for kind in KINDS:
            ids = set(now.filter(pl.col("kind") == kind)["entity_id"].to_list())
            old = (
                None
                if before is None
                else set(before.filter(pl.col("kind") == kind)["entity_id"].to_list())
            )
            rows.append(
                {
                    "seq": seq,
                    "taken_at": taken_at,
                    "kind": kind,
                    "count": len(ids),
                    "new": None if old is None else len(ids - old),
                    "fixed": None if old is None else len(old - ids),
                }
            )
        before = now
    schema = {
        "seq": pl.Int64,
        "taken_at": pl.Datetime,
        "kind": pl.String,
        "count": pl.Int64,
        "new": pl.Int64,
        "fixed": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)


def _run_as_of(
    con, seq: int, taken_at: datetime, thresholds, latest: bool
) -> dict[str, pl.DataFrame]:
    """Run the findings on the snapshot as it stood at refresh ``seq`` (latest: the tables)."""
    if latest:
        return run_findings(con, thresholds=thresholds)
    database = quote_ident(con.execute("SELECT current_database()").fetchone()[0])
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
