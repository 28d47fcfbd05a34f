"""The lake: a snapshot as a folder of Parquet files that any Parquet reader reads as is.

Layout::

    DIR/manifest.json                          the snapshot's manifest history, enums, partitions
    DIR/llama_logs/month=YYYY-MM/*.parquet     the log, Hive-partitioned by created_at's month (UTC)
    DIR/<table>/*.parquet                      one folder per catalog table

Columns and types are the DuckDB snapshot's (uuid, lists, JSON, timestamps,
``_lf_deleted_at``); enums are stored as their text (Parquet has no enum type) and
``manifest.json`` keeps each enum's values in order, so the DuckDB engine reads them
back as the same enum types. The manifest holds the same facts as a snapshot file's
``_lf_manifest`` (one entry per snapshot, refresh or export) and is written last,
by rename: a lake without one is unfinished.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from ..errors import LlamaForensicsError, SnapshotError
from ..snapshot.format import FORMAT_VERSION, SNAPSHOT_TABLES, one_row, quote_ident
from ..version import __version__

MANIFEST_FILE = "manifest.json"
# Times DuckDB cannot hold (PG_TEXT_TABLE), with PostgreSQL's text: a folder of the lake if any.
LOG_TABLE = "llama_logs"
PARTITION_COLUMN = "month"
# Rows per Parquet row group: big enough for fast scans, small enough to bound a writer's memory.
ROW_GROUP_SIZE = 122_880


# DuckDB's partitioned writer buffers rows per partition before it flushes them: alone (524,288
# rows a thread, 100 open files) it ran out of the snapshot's 256 MB at 1M log rows, and would grow
# with the months a log spans. Bounded here: each thread flushes every row group's worth, at most 8
# partition files stay open (more months make more, smaller files, not more memory), under 512 MB.
# Measured at 1M rows (loaded machine): 9.8-12.3 s, peak RSS 750-850 MB; 27 s under the 256 MB.
LAKE_WRITE_SETTINGS = {
    "memory_limit": "'512MB'",
    "partitioned_write_flush_threshold": str(ROW_GROUP_SIZE),
    "partitioned_write_max_open_files": "8",
}


def limit_lake_writer(con: duckdb.DuckDBPyConnection) -> None:
    """Bound the memory of DuckDB's (partitioned) Parquet writer: see ``LAKE_WRITE_SETTINGS``."""
    for name, value in LAKE_WRITE_SETTINGS.items():
        con.execute(f"SET {name} = {value}")


def table_dir(lake: Path, table: str) -> Path:
    """Return the folder holding ``table``'s Parquet files."""
    return Path(lake) / table


def parquet_glob(lake: Path, table: str) -> str:
    """Return the glob of ``table``'s files (the log's sit one partition folder deeper)."""
    depth = f"{PARTITION_COLUMN}=*/" if table == LOG_TABLE else ""
    return str(table_dir(lake, table) / f"{depth}*.parquet")


def month_expr(column: str = "created_at") -> str:
    """Return the SQL (DuckDB) of a row's partition: its created_at month, ``YYYY-MM``."""
    return f"strftime({column}, '%Y-%m')"


def copy_options(partitioned: bool) -> str:
    """Return COPY ... TO options: Parquet, zstd, and for the log one folder per month."""
    partition = (
        f", PARTITION_BY ({PARTITION_COLUMN}), OVERWRITE_OR_IGNORE true" if partitioned else ""
    )
    return f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE}{partition})"


def copy_table_sql(select: str, target: Path, partitioned: bool) -> str:
    """Return the COPY statement writing ``select``'s rows to ``target`` (a folder, or one file)."""
    path = str(target if partitioned else target / "data_0.parquet").replace("'", "''")
    return f"COPY ({select}) TO '{path}' {copy_options(partitioned)}"


def manifest_entry(**entry: Any) -> dict:
    """Return one manifest entry with the fields of a snapshot file's ``_lf_manifest`` (but seq)."""
    fields = (
        "kind",
        "taken_at",
        "source",
        "server_version",
        "schema_fingerprint",
        "row_counts",
        "new_rows",
        "deleted_rows",
        "drift",
        "duration_s",
    )
    out = {name: entry.get(name) for name in fields}
    out["taken_at"] = str(out["taken_at"])
    for name in ("new_rows", "deleted_rows", "row_counts"):
        out[name] = out[name] or {}
    out["drift"] = out["drift"] or []
    out.update(format_version=FORMAT_VERSION, tool_version=__version__)
    if "partitions" in entry:
        out["partitions"] = entry["partitions"]
    return out


def read_manifest(lake: Path) -> dict:
    """Return the lake's manifest; raise :class:`SnapshotError` if ``lake`` is no finished lake."""
    lake = Path(lake)
    path = lake / MANIFEST_FILE
    if not lake.is_dir():
        raise SnapshotError(
            f"no lake at {lake}; write one with: llamaforensics snapshot DSN --lake {lake}"
        )
    if not path.is_file():
        raise SnapshotError(
            f"{lake} is no llamaforensics lake (no {MANIFEST_FILE}); write it again"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        history = manifest["history"]
    except (ValueError, KeyError, TypeError):
        raise SnapshotError(
            f"{path} is not a lake manifest (unreadable JSON); write the lake again"
        ) from None
    newest = history[-1].get("format_version", 0) if history else 0
    if newest > FORMAT_VERSION:
        raise SnapshotError(
            f"{lake} was written by llamaforensics {history[-1].get('tool_version')} (format "
            f"{newest}); this is {__version__} (format {FORMAT_VERSION}): upgrade llamaforensics"
        )
    return manifest


def write_manifest(lake: Path, history: list[dict], enums: dict[str, list[str]]) -> None:
    """Write ``manifest.json`` by rename, numbering the entries: the last step of every write."""
    for seq, entry in enumerate(history, start=1):
        entry["seq"] = seq
    doc = {
        "format_version": FORMAT_VERSION,
        "columns": column_types(),
        "enums": enums,
        "history": history,
    }
    tmp = Path(lake) / f".{MANIFEST_FILE}.tmp{os.getpid()}"
    tmp.write_text(
        json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    tmp.replace(Path(lake) / MANIFEST_FILE)


def snapshot_enums(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Return the enum types of a DuckDB connection's database, each with its values in order."""
    names = [
        n
        for (n,) in con.execute(
            "SELECT type_name FROM duckdb_types() WHERE logical_type = 'ENUM' AND NOT internal "
            "AND database_name = current_database()"
        ).fetchall()
    ]
    if not names:
        return {}
    values = one_row(
        con.execute("SELECT " + ", ".join(f"enum_range(NULL::{quote_ident(n)})" for n in names))
    )
    return {name: list(v) for name, v in zip(names, values, strict=True)}


def staging_dir(lake: Path) -> Path:
    """Return a fresh hidden folder beside ``lake`` for files that replace its own once complete."""
    lake = Path(lake)
    stage = lake.parent / f".{lake.name}.tmp{os.getpid()}"
    remove_tree(stage)
    return stage


def remove_tree(path: Path) -> None:
    if Path(path).exists():
        shutil.rmtree(path)


@contextmanager
def staged_work(
    con: duckdb.DuckDBPyConnection, stage: Path, failed: Callable[[duckdb.Error], str]
) -> Iterator[None]:
    """Close ``con`` when done; on any failure remove ``stage`` (the lake stays as it was).

    A DuckDB error becomes one :class:`LlamaForensicsError` line, ``failed(exc)``.
    """
    try:
        yield
    except duckdb.Error as exc:
        remove_tree(stage)
        raise LlamaForensicsError(failed(exc)) from None
    except BaseException:
        remove_tree(stage)
        raise
    finally:
        con.close()


def stored_type(snapshot_type: str) -> str:
    """Return the Parquet-side type of a snapshot column: uuids and enums as text, the rest as is.

    Spark cannot read Parquet's UUID type at all (PARQUET_TYPE_ILLEGAL) and
    Polars reads it as bytes; the canonical text every reader understands. The
    manifest keeps each column's snapshot type, and the DuckDB engine casts back.
    """
    return "VARCHAR" if snapshot_type == "UUID" or snapshot_type.startswith('"') else snapshot_type


def column_types() -> dict[str, dict[str, str]]:
    """Return each lake table's columns with their snapshot (DuckDB) types, as in the manifest."""
    from ..snapshot.format import DELETED_COLUMN, duckdb_type

    return {
        t.name: {**{c.name: duckdb_type(c) for c in t.columns}, DELETED_COLUMN: "TIMESTAMP"}
        for t in SNAPSHOT_TABLES.values()
    }


def lake_select(table: str, rows: str) -> str:
    """Return the SELECT turning ``rows`` (with the snapshot's columns) into the lake's rows."""
    cols = [
        f"CAST({quote_ident(name)} AS {stored_type(kind)}) AS {quote_ident(name)}"
        for name, kind in column_types()[table].items()
    ]
    if table == LOG_TABLE:
        cols.append(f"{month_expr()} AS {PARTITION_COLUMN}")
    return f"SELECT {', '.join(cols)} FROM {rows}"
