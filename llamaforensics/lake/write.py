"""Write a lake: from PostgreSQL in one read-only REPEATABLE READ transaction, or from a snapshot.

Both paths stream rows through DuckDB's Parquet writer (``COPY ... TO`` with
``PARTITION_BY`` for the log), under the snapshot's memory limit: memory stays
bounded whatever the row count. Everything is written into a hidden folder
beside the lake and renamed into place at the end, so a failure never leaves a
half-written lake behind, and an existing lake is only replaced by a finished one.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from ..errors import SnapshotError
from ..postgres.dsn import Dsn, redact
from ..snapshot.format import (
    DELETED_COLUMN,
    PG_TEXT_TABLE,
    SNAPSHOT_TABLES,
    connect,
    create_schema,
    one_row,
    quote_ident,
)
from ..snapshot.progress import execute_with_progress
from .format import (
    LOG_TABLE,
    MANIFEST_FILE,
    copy_table_sql,
    lake_select,
    limit_lake_writer,
    manifest_entry,
    remove_tree,
    snapshot_enums,
    staged_work,
    staging_dir,
    table_dir,
    write_manifest,
)


def take_lake(dsn: Dsn, lake: str | os.PathLike, *, progress: bool = True) -> Path:
    """Copy every snapshot table of ``dsn`` into a new lake at ``lake`` and return its path.

    The same consistent read as :func:`~llamaforensics.snapshot.take_snapshot`:
    one PostgreSQL transaction (REPEATABLE READ, READ ONLY) for all tables.
    """
    from ..snapshot.scanner import SOURCE_ALIAS, attach_postgres
    from ..snapshot.source import inspect_source
    from ..snapshot.take import estimated_rows, select_list, source_clock, source_relation

    lake = _checked_target(Path(lake))
    info = inspect_source(dsn)
    started = time.perf_counter()
    stage = staging_dir(lake)
    con = connect(":memory:")

    def failed(exc: duckdb.Error) -> str:
        return f"lake of {dsn.display} failed: {redact(str(exc), dsn.password)}"

    with staged_work(con, stage, failed):
        limit_lake_writer(con)
        create_schema(con, enum_values=info.enums)
        attach_postgres(con, dsn)
        con.execute("BEGIN")
        taken_at, _ = source_clock(con)
        estimates = estimated_rows(con, info)
        relations = {
            t.name: f"(SELECT {select_list(t, info)}, CAST(NULL AS TIMESTAMP) AS {DELETED_COLUMN} "
            f"FROM {source_relation(t)} AS src) AS rows"
            for t in SNAPSHOT_TABLES.values()
            if t.upstream in info.columns
        }
        counts = write_tables(
            con,
            stage,
            relations,
            progress,
            {t.name: estimates.get(t.upstream) for t in SNAPSHOT_TABLES.values()},
        )
        con.execute("COMMIT")
        con.execute(f"DETACH {SOURCE_ALIAS}")
        entry = manifest_entry(
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
        write_manifest(stage, [entry], snapshot_enums(con))
        install(stage, lake)
    return lake


def export_lake(
    snapshot: str | os.PathLike | None, lake: str | os.PathLike, *, progress: bool = True
) -> Path:
    """Write the snapshot file ``snapshot`` (default: the workbench's) as a lake at ``lake``.

    Every row is exported, deleted-upstream marks included; the manifest keeps the
    snapshot's history and adds one ``export`` entry naming the file.
    """
    from ..snapshot.format import read_manifests
    from ..snapshot.open import open_snapshot, table_counts

    lake = _checked_target(Path(lake))
    started = time.perf_counter()
    con = open_snapshot(snapshot)
    stage = staging_dir(lake)

    def failed(exc: duckdb.Error) -> str:
        return f"export of the snapshot to {lake} failed: {str(exc).splitlines()[0]}"

    with staged_work(con, stage, failed):
        limit_lake_writer(con)
        history = [m.to_dict() for m in read_manifests(con)]
        relations = {name: quote_ident(name) for name in SNAPSHOT_TABLES}
        write_tables(con, stage, relations, progress, {})
        _copy_pg_text(con, stage)
        source = one_row(
            con.execute(
                "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
            )
        )[0]
        latest = history[-1]
        counts = {name: c["live"] for name, c in table_counts(con).items()}
        history.append(
            manifest_entry(
                **{
                    **latest,
                    "kind": "export",
                    "source": f"snapshot:{source}",
                    "row_counts": counts,
                    "new_rows": {},
                    "deleted_rows": {},
                    "duration_s": round(time.perf_counter() - started, 3),
                }
            )
        )
        write_manifest(stage, history, snapshot_enums(con))
        install(stage, lake)
    return lake


def write_tables(
    con: duckdb.DuckDBPyConnection,
    stage: Path,
    relations: dict[str, str],
    progress: bool,
    estimates: dict[str, int | None],
) -> dict[str, int]:
    """Write each table's rows (relations with a snapshot's columns) under ``stage``; return counts.

    A table with no rows still gets a folder (the log's holds no partition then).
    """
    counts = {}
    for name in SNAPSHOT_TABLES:
        target = table_dir(stage, name)
        target.mkdir(parents=True)
        if name not in relations:
            counts[name] = 0
            continue
        sql = copy_table_sql(
            lake_select(name, relations[name]), target, partitioned=name == LOG_TABLE
        )
        counts[name] = one_row(
            execute_with_progress(con, sql, desc=name, total=estimates.get(name), enabled=progress)
        )[0]
    return counts


def _copy_pg_text(con: duckdb.DuckDBPyConnection, stage: Path) -> None:
    """Export the snapshot's times DuckDB cannot hold, with PostgreSQL's text, when it has any."""
    from ..snapshot.extremes import has_pg_text

    if has_pg_text(con):
        table_dir(stage, PG_TEXT_TABLE).mkdir(parents=True)
        con.execute(
            copy_table_sql(f"SELECT * FROM {PG_TEXT_TABLE}", table_dir(stage, PG_TEXT_TABLE), False)
        )


def install(stage: Path, lake: Path) -> None:
    """Put the finished lake in ``stage`` at ``lake``, replacing an earlier lake there only now."""
    old = lake.parent / f".{lake.name}.old{os.getpid()}"
    if lake.exists():
        lake.replace(old)
    stage.replace(lake)
    remove_tree(old)


def _checked_target(lake: Path) -> Path:
    """Refuse a folder that holds something other than a lake: it would be replaced whole."""
    if lake.exists() and (
        not lake.is_dir() or (any(lake.iterdir()) and not (lake / MANIFEST_FILE).exists())
    ):
        raise SnapshotError(
            f"{lake} exists and is not a llamaforensics lake; choose a new or empty folder"
        )
    lake.parent.mkdir(parents=True, exist_ok=True)
    return lake
