"""The snapshot file: a DuckDB database whose tables mirror the upstream ones.

Every snapshot, whether read from PostgreSQL or generated as demo data, has
the same tables with the upstream column names and types (uuid, the enums,
lists, JSON, timestamps), derived from ``schema/upstream.sql``. Two things are
added:

* ``_lf_deleted_at`` on every table: NULL while the row exists upstream, the
  time it was first seen missing otherwise. A row seen once is never dropped
  (cascade deletes upstream erase exactly the history forensics needs).
* ``_lf_manifest``: one row per snapshot or refresh -- when, from where
  (password-free), row counts, schema fingerprint, drift, tool version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb

from ..errors import SnapshotError
from ..postgres import quote_ident
from ..schema import Column, upstream_enums, upstream_tables
from ..version import __version__

FORMAT_VERSION = 1
DELETED_COLUMN = "_lf_deleted_at"
MANIFEST_TABLE = "_lf_manifest"
PG_TEXT_TABLE = "_lf_pg_text"  # times DuckDB cannot hold, as PostgreSQL printed them


@dataclass(frozen=True)
class SnapshotTable:
    """One snapshot table: its upstream source, the columns copied, and its key."""

    name: str
    upstream: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _spec(
    name: str, upstream: str, key: tuple[str, ...], only: tuple[str, ...] | None = None
) -> SnapshotTable:
    cols = upstream_tables()[upstream].columns
    kept = tuple(c for c in cols if c.pg_type != "TSVECTOR" and (only is None or c.name in only))
    return SnapshotTable(name, upstream, kept, key)


# Order matters only for people reading `info`: the log first, then the catalog.
SNAPSHOT_TABLES: dict[str, SnapshotTable] = {
    t.name: t
    for t in (
        _spec("llama_logs", "llama_logs", ("id",)),
        _spec("albums", "albums", ("id",)),
        _spec("artists", "artists", ("id",)),
        _spec("tracks", "tracks", ("id",)),
        _spec("album_artists", "album_artists", ("album_id", "artist_id", "role")),
        _spec("track_artists", "track_artists", ("track_id", "artist_id", "role")),
        _spec("sync_jobs", "sync_jobs", ("id",)),
        # Only what attributes a log row to a person; no e-mail or other personal data.
        _spec("users", "User", ("id",), only=("id", "name", "username", "role")),
    )
}


# DuckDB must never try to download an extension (no network here, nor on many
# production hosts); json and parquet are built in, postgres_scanner is loaded
# explicitly from its wheel. The memory limit keeps a snapshot's peak RSS
# bounded however many rows stream through (DuckDB spills beyond it).
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
SNAPSHOT_MEMORY_LIMIT = "256MB"
# A refresh holds each catalog table as the source has it to compare it with the snapshot's (1.4M
# tracks are ~300 MB): under the copy's limit that spilled to disk and took 4x as long; this keeps
# it under 1 GB.
REFRESH_MEMORY_LIMIT = "768MB"


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file the way every part of the workbench does (no extension downloads).

    The configuration is the same for every connection: DuckDB refuses a second
    connection to a file in one process when the configurations differ.
    """
    con = duckdb.connect(str(path), read_only=read_only, config=dict(DUCKDB_CONFIG))
    # DuckDB prints a bar of its own to stdout in a REPL, `python -c` or a notebook, even under
    # --quiet and into --json output; the workbench draws its own (progress.py), from the same query
    # progress.
    con.execute("SET enable_progress_bar_print = false")
    return con


def limit_memory(con: duckdb.DuckDBPyConnection, limit: str = SNAPSHOT_MEMORY_LIMIT) -> None:
    """Bound a bulk copy's memory: DuckDB spills to disk beyond the limit instead of growing."""
    con.execute(f"SET memory_limit = '{limit}'")


def duckdb_type(column: Column) -> str:
    """Return the DuckDB type that keeps an upstream column's meaning."""
    if column.enum:
        return f'"{column.enum}"'
    base = column.pg_type.removesuffix("[]")
    mapped = {
        "UUID": "UUID",
        "INTEGER": "INTEGER",
        "BOOLEAN": "BOOLEAN",
        "DATE": "DATE",
        "DOUBLE PRECISION": "DOUBLE",
        "JSONB": "JSON",
        "TIMESTAMPTZ": "TIMESTAMPTZ",
    }.get(base)
    if mapped is None and base.startswith("TIMESTAMP"):
        mapped = "TIMESTAMP"
    if mapped is None and (base.startswith("VARCHAR") or base == "TEXT"):
        mapped = "VARCHAR"
    if mapped is None:
        raise ValueError(f"no DuckDB type for upstream type {column.pg_type}")
    return mapped + ("[]" if column.is_array else "")


class Fetches(Protocol):
    """A query result: a DuckDB connection after ``execute``, or a psycopg cursor."""

    def fetchone(self) -> Any: ...


def one_row(result: Fetches) -> tuple[Any, ...]:
    """Return the row of a query that always yields one (an aggregate, ``current_database()``).

    Raise LookupError instead of handing a None on to be indexed.
    """
    row = result.fetchone()
    if row is None:
        raise LookupError("the query returned no row")
    return tuple(row)


def create_schema(
    con: duckdb.DuckDBPyConnection,
    enum_values: dict[str, tuple[str, ...]] | None = None,
    near_unique: dict[str, frozenset[str]] | None = None,
) -> None:
    """Create the enum types, tables and manifest of an empty snapshot.

    ``enum_values`` lets a snapshot of a drifted source carry enum values the
    upstream schema does not know (they are reported, and kept).

    ``near_unique`` names, per upstream table, the columns the source's
    statistics show to be mostly distinct. Their text columns are stored with
    FSST from the start: DuckDB otherwise also weighs dictionary compression
    for every row group, hashing every string, and a dictionary cannot pay off
    when most values differ (1.0-1.8 s of the 11-13 s of CPU a 2M-row
    snapshot took went to that on log rows with unique reasons and metadata;
    the file is as small).
    """
    enums = dict(upstream_enums())
    for name, values in (enum_values or {}).items():
        enums[name] = enums.get(name, ()) + tuple(v for v in values if v not in enums.get(name, ()))
    for name, values in enums.items():
        literals = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
        con.execute(f"CREATE TYPE {quote_ident(name)} AS ENUM ({literals})")
    for table in SNAPSHOT_TABLES.values():
        unique = (near_unique or {}).get(table.upstream, frozenset())
        cols = [_column_ddl(c, fsst=c.name in unique) for c in table.columns]
        cols.append(f"{DELETED_COLUMN} TIMESTAMP")
        con.execute(f"CREATE TABLE {quote_ident(table.name)} ({', '.join(cols)})")
    create_pg_text_table(con)  # times DuckDB cannot hold, as the source has them
    con.execute(
        f"""CREATE TABLE {MANIFEST_TABLE} (
            seq INTEGER NOT NULL,
            kind VARCHAR NOT NULL,            -- full | refresh | demo
            taken_at TIMESTAMP NOT NULL,      -- UTC, when the source snapshot was opened
            source VARCHAR NOT NULL,          -- password-free DSN, or 'demo:seed=..,scale=..'
            format_version INTEGER NOT NULL,
            tool_version VARCHAR NOT NULL,
            server_version VARCHAR,
            schema_fingerprint VARCHAR NOT NULL,
            row_counts JSON NOT NULL,         -- rows present upstream per table
            new_rows JSON NOT NULL,           -- rows added by this run per table
            deleted_rows JSON NOT NULL,       -- rows newly marked deleted per table
            drift JSON NOT NULL,              -- list of schema drift messages
            duration_s DOUBLE
        )"""
    )


def create_pg_text_table(con: duckdb.DuckDBPyConnection, temporary: bool = False) -> None:
    """Create ``_lf_pg_text``: values DuckDB cannot hold, as PostgreSQL printed them (extremes)."""
    con.execute(f"""CREATE {"TEMP " if temporary else ""}TABLE IF NOT EXISTS {PG_TEXT_TABLE} (
        table_name VARCHAR NOT NULL, row_key VARCHAR NOT NULL, column_name VARCHAR NOT NULL,
        pg_text VARCHAR NOT NULL)  -- a value DuckDB cannot hold, as PostgreSQL printed it""")


def _column_ddl(column: Column, fsst: bool) -> str:
    type_name = duckdb_type(column)
    pinned = fsst and type_name in ("VARCHAR", "JSON")  # not lists, uuids or enums
    return f"{quote_ident(column.name)} {type_name}" + (" USING COMPRESSION fsst" if pinned else "")


@dataclass(frozen=True)
class Manifest:
    """The latest manifest entry of a snapshot, plus how many runs built it."""

    seq: int
    kind: str
    taken_at: datetime
    source: str
    format_version: int
    tool_version: str
    server_version: str | None
    schema_fingerprint: str
    row_counts: dict
    new_rows: dict
    deleted_rows: dict
    drift: list
    duration_s: float | None

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["taken_at"] = self.taken_at.isoformat()
        return d


def write_manifest(con: duckdb.DuckDBPyConnection, **entry: Any) -> None:
    """Append one manifest entry (the seq number and versions are filled in here)."""
    seq = one_row(con.execute(f"SELECT coalesce(max(seq), 0) + 1 FROM {MANIFEST_TABLE}"))[0]
    con.execute(
        f"""INSERT INTO {MANIFEST_TABLE} VALUES
            ($seq, $kind, $taken_at, $source, $format_version, $tool_version, $server_version,
             $schema_fingerprint, $row_counts, $new_rows, $deleted_rows, $drift, $duration_s)""",
        {
            "seq": seq,
            "format_version": FORMAT_VERSION,
            "tool_version": __version__,
            "server_version": entry.pop("server_version", None),
            "duration_s": entry.pop("duration_s", None),
            **{
                k: json.dumps(entry.pop(k, {} if k != "drift" else []))
                for k in ("row_counts", "new_rows", "deleted_rows", "drift")
            },
            **entry,
        },
    )


def read_manifests(con: duckdb.DuckDBPyConnection) -> list[Manifest]:
    """Return every manifest entry, oldest first."""
    rows = con.execute(
        f"SELECT * EXCLUDE (row_counts, new_rows, deleted_rows, drift), "
        f"row_counts::VARCHAR, new_rows::VARCHAR, deleted_rows::VARCHAR, drift::VARCHAR "
        f"FROM {MANIFEST_TABLE} ORDER BY seq"
    ).fetchall()
    out = []
    for r in rows:
        (seq, kind, taken_at, source, fmt, tool, server, fp, dur, counts, new, deleted, drift) = r
        out.append(
            Manifest(
                seq,
                kind,
                taken_at,
                source,
                fmt,
                tool,
                server,
                fp,
                json.loads(counts),
                json.loads(new),
                json.loads(deleted),
                json.loads(drift),
                dur,
            )
        )
    return out


def check_snapshot(con: duckdb.DuckDBPyConnection, path: Path | str) -> Manifest:
    """Return the latest manifest; raise :class:`SnapshotError` if it is no usable snapshot."""
    has_manifest = one_row(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [MANIFEST_TABLE]
        )
    )[0]
    if not has_manifest:
        raise SnapshotError(
            f"{path} is a DuckDB file but not a llamaforensics snapshot (no manifest)"
        )
    manifests = read_manifests(con)
    if not manifests:
        raise SnapshotError(f"{path} is an unfinished snapshot (empty manifest); take it again")
    latest = manifests[-1]
    if latest.format_version > FORMAT_VERSION:
        raise SnapshotError(
            f"{path} was written by llamaforensics {latest.tool_version} (snapshot format "
            f"{latest.format_version}); this is {__version__} (format {FORMAT_VERSION}): "
            "upgrade llamaforensics"
        )
    return latest
