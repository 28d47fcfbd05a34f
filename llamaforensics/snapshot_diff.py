"""What changed between two snapshots of one database: albums, fields, tracks, logs, findings.

Both snapshots are attached read-only to one in-memory DuckDB; an album
counts as present while its row is live (not marked deleted upstream). Albums
that disappeared keep their log rows in a refreshed snapshot: the diff says
how many survive.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from .snapshot import open_snapshot
from .snapshot.extremes import pg_style, shown_items, shown_rows
from .snapshot.format import DELETED_COLUMN, SNAPSHOT_TABLES, connect, duckdb_type, quote_ident

IGNORED_FIELDS = {"updated_at", DELETED_COLUMN}


@dataclass
class SnapshotDiff:
    old: str
    new: str
    albums_added: pl.DataFrame
    albums_removed: pl.DataFrame
    fields_changed: pl.DataFrame
    tracks_changed: pl.DataFrame
    findings_appeared: pl.DataFrame
    findings_resolved: pl.DataFrame
    counts: dict = field(default_factory=dict)
    log_rows_changed: pl.DataFrame = field(default_factory=pl.DataFrame)
    artist_links_changed: pl.DataFrame = field(default_factory=pl.DataFrame)

    def to_dict(self) -> dict:
        frames = {k: shown_rows(getattr(self, k)) for k in TABLES}
        return {"old": self.old, "new": self.new, "counts": self.counts, **frames}

    def per_album(self) -> pl.DataFrame:
        """Return one row per album that changed in any way: what changed, counted."""
        return per_album(self)


TABLES = (
    "albums_added",
    "albums_removed",
    "fields_changed",
    "tracks_changed",
    "log_rows_changed",
    "artist_links_changed",
    "findings_appeared",
    "findings_resolved",
)


def attach_snapshots(old: str | os.PathLike, new: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """Return an in-memory DuckDB with snapshots ``old`` and ``new`` attached as ``o`` and ``n``.

    Both are attached read-only.
    """
    for path in (old, new):
        open_snapshot(path).close()  # a clear error for anything that is not a snapshot
    con = connect(":memory:")
    con.execute(f"ATTACH '{str(old).replace(chr(39), chr(39) * 2)}' AS o (READ_ONLY)")
    con.execute(f"ATTACH '{str(new).replace(chr(39), chr(39) * 2)}' AS n (READ_ONLY)")
    return con


def _field_changes(con) -> pl.DataFrame:
    cols = [
        c.name
        for c in SNAPSHOT_TABLES["albums"].columns
        if c.name not in IGNORED_FIELDS and c.name != "id"
    ]
    parts = [
        f"SELECT a.id::VARCHAR AS album_id, b.title, '{c}' AS field, "
        f"{_text('a', c)} AS old_value, {_text('b', c)} AS new_value "
        "FROM o.albums a JOIN n.albums b USING (id) "
        f"WHERE a.{quote_ident(c)} IS DISTINCT FROM b.{quote_ident(c)} "
        f"AND b.{DELETED_COLUMN} IS NULL"
        for c in cols
    ]
    return con.execute(" UNION ALL ".join(parts) + " ORDER BY album_id, field").pl()


def _text(alias: str, column: str) -> str:
    """Return SQL of an album column as text; times and dates as PostgreSQL prints them."""
    value = f"{alias}.{quote_ident(column)}"
    kind = duckdb_type(next(c for c in SNAPSHOT_TABLES["albums"].columns if c.name == column))
    return pg_style(value) if kind in ("TIMESTAMP", "DATE") else f"{value}::VARCHAR"


def _album_sets(con) -> tuple[pl.DataFrame, pl.DataFrame]:
    added = con.execute(f"""
        SELECT b.id::VARCHAR AS album_id, b.title, {shown_items("b.created_at", "created_at")}
        FROM n.albums b
        WHERE b.{DELETED_COLUMN} IS NULL
          AND NOT EXISTS (SELECT 1 FROM o.albums a WHERE a.id = b.id AND a.{DELETED_COLUMN} IS NULL)
        ORDER BY b.created_at""").pl()
    removed = con.execute(f"""
        SELECT a.id::VARCHAR AS album_id, a.title,
               (SELECT count(*) FROM n.llama_logs l WHERE l.album_id = a.id) AS log_rows_kept,
               (SELECT count(*) FROM o.llama_logs l WHERE l.album_id = a.id) AS log_rows_before
        FROM o.albums a
        WHERE a.{DELETED_COLUMN} IS NULL
          AND NOT EXISTS (SELECT 1 FROM n.albums b WHERE b.id = a.id AND b.{DELETED_COLUMN} IS NULL)
        ORDER BY a.title""").pl()
    return added, removed


def _track_changes(con) -> pl.DataFrame:
    return con.execute(f"""
        WITH o_t AS (SELECT album_id, id, title FROM o.tracks WHERE {DELETED_COLUMN} IS NULL),
             n_t AS (SELECT album_id, id, title FROM n.tracks WHERE {DELETED_COLUMN} IS NULL),
             gained AS (SELECT album_id, list(title ORDER BY title) AS titles, count(*) AS n
                        FROM n_t WHERE id NOT IN (SELECT id FROM o_t) GROUP BY album_id),
             lost AS (SELECT album_id, list(title ORDER BY title) AS titles, count(*) AS n
                      FROM o_t WHERE id NOT IN (SELECT id FROM n_t) GROUP BY album_id)
        SELECT coalesce(g.album_id, l.album_id)::VARCHAR AS album_id, coalesce(g.n, 0) AS gained,
               coalesce(l.n, 0) AS lost, coalesce(g.titles, []) AS gained_titles,
               coalesce(l.titles, []) AS lost_titles
        FROM gained g FULL JOIN lost l ON l.album_id = g.album_id
        WHERE coalesce(g.album_id, l.album_id) IN (
            SELECT id FROM n.albums WHERE {DELETED_COLUMN} IS NULL)
        ORDER BY album_id""").pl()


def _log_changes(con) -> pl.DataFrame:
    from .queries import load_query

    cols = [quote_ident(c) for c in SNAPSHOT_TABLES["llama_logs"].column_names]
    old_row, new_row = (", ".join(f"{side}.{c}" for c in cols) for side in ("a", "b"))
    changed = f"({old_row}) IS DISTINCT FROM ({new_row})"
    return con.execute(load_query("diff_log_rows").format(changed_condition=changed)).pl()


def _link_changes(con) -> pl.DataFrame:
    from .queries import load_query

    return con.execute(load_query("diff_artist_links")).pl()


def per_album(diff: SnapshotDiff) -> pl.DataFrame:
    """Fold every per-album frame of ``diff`` into one row per album (0: no change of that kind)."""
    parts = [
        diff.albums_added.select("album_id", pl.lit(1).alias("added")),
        diff.albums_removed.select("album_id", pl.lit(1).alias("removed")),
        diff.fields_changed.group_by("album_id").agg(pl.len().alias("fields_changed")),
        diff.tracks_changed.select(
            "album_id", pl.col("gained").alias("tracks_gained"), pl.col("lost").alias("tracks_lost")
        ),
        diff.log_rows_changed.filter(pl.col("album_id").is_not_null()).select(
            "album_id",
            pl.col("new").alias("log_rows_new"),
            pl.col("changed").alias("log_rows_changed"),
            pl.col("vanished").alias("log_rows_vanished"),
        ),
        diff.artist_links_changed.select(
            "album_id",
            pl.col("linked").alias("artists_linked"),
            pl.col("unlinked").alias("artists_unlinked"),
        ),
    ]
    out = pl.DataFrame(schema={"album_id": pl.String})
    for part in parts:
        part = part.with_columns(pl.col("album_id").cast(pl.String))
        out = out.join(part, on="album_id", how="full", coalesce=True)
    counts = [c for c in out.columns if c != "album_id"]
    return out.with_columns(pl.col(counts).fill_null(0).cast(pl.Int64)).sort("album_id")


def _findings(path: Path) -> pl.DataFrame:
    from .findings import run_findings

    con = open_snapshot(path)
    try:
        frames = run_findings(con)
    finally:
        con.close()
    return pl.concat([f.select("kind", "entity_id", "title", "severity") for f in frames.values()])


def diff_snapshots(old: str | os.PathLike, new: str | os.PathLike) -> SnapshotDiff:
    """Return what changed from snapshot ``old`` to snapshot ``new`` (of the same database)."""
    old, new = Path(old), Path(new)
    con = attach_snapshots(old, new)
    try:
        added, removed = _album_sets(con)
        fields, tracks = _field_changes(con), _track_changes(con)
        logs, links = _log_changes(con), _link_changes(con)
    finally:
        con.close()
    before, after = _findings(old), _findings(new)
    appeared = after.join(before, on=["kind", "entity_id"], how="anti")
    resolved = before.join(after, on=["kind", "entity_id"], how="anti")
    counts = {
        "albums_added": added.height,
        "albums_removed": removed.height,
        "fields_changed": fields.height,
        "albums_with_track_changes": tracks.height,
        "log_rows_new": int(logs["new"].sum()),
        "log_rows_changed": int(logs["changed"].sum()),
        "log_rows_vanished": int(logs["vanished"].sum()),
        "artist_links_added": int(links["linked"].sum()),
        "artist_links_removed": int(links["unlinked"].sum()),
        "findings_appeared": appeared.height,
        "findings_resolved": resolved.height,
    }
    return SnapshotDiff(
        str(old), str(new), added, removed, fields, tracks, appeared, resolved, counts, logs, links
    )
