"""Copy the source database into a snapshot file, in one consistent read-only transaction.

All tables are read inside ONE PostgreSQL transaction (REPEATABLE READ, READ
ONLY, opened by DuckDB's postgres_scanner for the DuckDB transaction; its
parallel workers share that snapshot through ``pg_export_snapshot()``), so the
catalog and the log agree row for row. Rows stream as binary COPY straight into
DuckDB's storage: memory stays bounded whatever the row count.

A full snapshot is written to a temporary file and renamed at the end, so a
failure never leaves a half-written snapshot behind.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from ..errors import LlamaForensicsError, SnapshotError
from ..postgres.dsn import Dsn, redact
from .extremes import keep_extreme_times
from .format import (
    DELETED_COLUMN,
    SNAPSHOT_TABLES,
    SnapshotTable,
    connect,
    create_pg_text_table,
    create_schema,
    duckdb_type,
    limit_memory,
    one_row,
    quote_ident,
    write_manifest,
)
from .progress import execute_with_progress
from .scanner import SOURCE_ALIAS, attach_postgres
from .source import SourceInfo, inspect_source

_ESTIMATES_SQL = (
    f"SELECT * FROM postgres_query('{SOURCE_ALIAS}', "
    "'SELECT relname::text, greatest(reltuples, 0)::bigint "
    "FROM pg_class WHERE relnamespace = ''public''::regnamespace AND relkind = ''r''')"
)
_CLOCK_SQL = (
    f"SELECT * FROM postgres_query('{SOURCE_ALIAS}', "
    "'SELECT (now() AT TIME ZONE ''UTC'')::timestamp(3), txid_current_snapshot()::text')"
)


def take_snapshot(
    dsn: Dsn, path: str | os.PathLike, *, progress: bool = True, overwrite: bool = True
) -> Path:
    """Copy every snapshot table of ``dsn`` into a new snapshot file at ``path``; return it."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise SnapshotError(f"{path} exists; pass --refresh to update it or choose another file")
    info = inspect_source(dsn, statistics=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    _remove(tmp)
    started = time.perf_counter()
    try:
        con = connect(tmp)
        try:
            _copy_all(con, dsn, info, progress, started)
        finally:
            con.close()
        tmp.replace(path)
    except duckdb.Error as exc:
        _remove(tmp)
        raise LlamaForensicsError(
            f"snapshot of {dsn.display} failed: {redact(str(exc), dsn.password)}"
        ) from None
    except BaseException:
        _remove(tmp)
        raise
    return path


def _copy_all(
    con: duckdb.DuckDBPyConnection, dsn: Dsn, info: SourceInfo, progress: bool, started: float
) -> None:
    limit_memory(con)
    create_schema(con, enum_values=info.enums, near_unique=info.near_unique)
    create_pg_text_table(con)
    attach_postgres(con, dsn)
    con.execute("SET preserve_insertion_order = false")
    con.execute("BEGIN")
    taken_at, _ = source_clock(con)
    estimates = estimated_rows(con, info)
    counts = {}
    for table in SNAPSHOT_TABLES.values():
        present = table.upstream in info.columns
        counts[table.name] = (
            _copy_table(con, table, info, estimates.get(table.upstream), progress) if present else 0
        )
    write_manifest(
        con,
        kind="full",
        taken_at=taken_at,
        source=dsn.display,
        server_version=info.server_version,
        schema_fingerprint=info.fingerprint,
        row_counts=counts,
        new_rows=counts,
        drift=info.drift,
        duration_s=round(time.perf_counter() - started, 3),
    )
    con.execute("COMMIT")
    con.execute(f"DETACH {SOURCE_ALIAS}")
    con.execute("CHECKPOINT")


def source_clock(con: duckdb.DuckDBPyConnection) -> tuple:
    """Return the source transaction's start time (UTC) and snapshot: the moment the copy shows."""
    return one_row(con.execute(_CLOCK_SQL))


def estimated_rows(con: duckdb.DuckDBPyConnection, info: SourceInfo) -> dict[str, int]:
    """Return the planner's row estimates per upstream table (for progress bars only)."""
    return {name: n for name, n in con.execute(_ESTIMATES_SQL).fetchall() if name in info.columns}


def select_list(table: SnapshotTable, info: SourceInfo, source_alias: str = "src") -> str:
    """Return the SELECT list that maps the source's columns onto the snapshot's names and types."""
    exprs = []
    for col in table.columns:
        ident = f"{source_alias}.{quote_ident(col.name)}"
        if not info.has_column(table.upstream, col.name):
            expr = f"CAST(NULL AS {duckdb_type(col)})"
        elif col.enum:
            expr = f"CAST({ident} AS {quote_ident(col.enum)})"
        elif col.pg_type == "JSONB":
            expr = f"{ident}::JSON"
        else:
            expr = ident
        exprs.append(f"{expr} AS {quote_ident(col.name)}")
    return ", ".join(exprs)


def source_relation(table: SnapshotTable) -> str:
    """Return the attached source table, scanned in parallel ctid ranges (whole-table copies)."""
    return f"{SOURCE_ALIAS}.public.{quote_ident(table.upstream)}"


def source_query(sql: str) -> str:
    """Return a relation that runs ``sql`` inside PostgreSQL, in the same transaction.

    Selective reads (a time window, a count) are far cheaper as one query the
    server plans itself than as the scanner's many ctid-range COPYs.
    """
    return f"postgres_query('{SOURCE_ALIAS}', '" + sql.replace("'", "''") + "')"


def _copy_table(
    con, table: SnapshotTable, info: SourceInfo, estimate: int | None, progress: bool
) -> int:
    cols = ", ".join(quote_ident(c) for c in table.column_names)
    execute_with_progress(
        con,
        f"INSERT INTO {quote_ident(table.name)} ({cols}, {DELETED_COLUMN}) "
        f"SELECT {select_list(table, info)}, NULL FROM {source_relation(table)} AS src",
        desc=table.name,
        total=estimate,
        enabled=progress,
    )
    keep_times_beyond_duckdb(con, table, info)
    return con.execute(f"SELECT count(*) FROM {quote_ident(table.name)}").fetchone()[0]


def keep_times_beyond_duckdb(
    con: duckdb.DuckDBPyConnection,
    table: SnapshotTable,
    info: SourceInfo,
    window: str = "true",
    target: str | None = None,
) -> int:
    """Keep the copied timestamps DuckDB cannot hold exactly (see ``extremes``); return how many."""
    columns = [
        c.name
        for c in table.columns
        if duckdb_type(c) == "TIMESTAMP" and info.has_column(table.upstream, c.name)
    ]
    if len(table.key) != 1:
        return 0  # the link tables: no timestamps
    return keep_extreme_times(
        con, SOURCE_ALIAS, table.name, table.upstream, table.key[0], columns, window, target
    )


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        if p.exists():
            p.unlink()
