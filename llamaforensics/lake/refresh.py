"""Bring a lake up to date: only partitions that changed are rewritten, and nothing is dropped.

The log's partitions are its months. A month is rewritten when the source has
a row of it the lake lacks, when a row of it vanished upstream (kept, marked
with the time it was first found missing, as a snapshot file keeps it), or
when a row marked so is back. A catalog table is one partition, rewritten only
when a row changed, arrived or vanished. Everything is read in one read-only
REPEATABLE READ transaction of the source; the new partitions are written
beside the lake and moved in at the end, before the manifest, so a failed
refresh leaves the lake as it was.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import duckdb

from ..postgres.dsn import Dsn, redact
from ..snapshot.format import (
    DELETED_COLUMN,
    SNAPSHOT_TABLES,
    quote_ident,
)
from ..snapshot.progress import execute_with_progress
from .format import (
    LOG_TABLE,
    PARTITION_COLUMN,
    copy_table_sql,
    lake_select,
    limit_lake_writer,
    manifest_entry,
    month_expr,
    read_manifest,
    remove_tree,
    snapshot_enums,
    staged_work,
    staging_dir,
    table_dir,
    write_manifest,
)
from .open import files_relation, open_lake


def refresh_lake(
    dsn: Dsn, lake: str | os.PathLike, *, progress: bool = True, verify: bool = False
) -> dict:
    """Update the lake at ``lake`` from ``dsn``; return new and deleted rows, partitions.

    ``verify=True`` reconciles every log id even when the row counts agree (slower; catches a
    deletion and a backdated insert that cancel out), as ``snapshot --refresh --verify`` does.
    """
    from ..snapshot.scanner import SOURCE_ALIAS, attach_postgres
    from ..snapshot.source import inspect_source
    from ..snapshot.take import source_clock

    lake, started = Path(lake), time.perf_counter()
    manifest = read_manifest(lake)
    info = inspect_source(dsn)
    con = open_lake(lake, enums=info.enums)
    stage = staging_dir(lake)

    def failed(exc: duckdb.Error) -> str:
        return f"refresh of {lake} from {dsn.display} failed: {redact(str(exc), dsn.password)}"

    with staged_work(con, stage, failed):
        limit_lake_writer(con)  # the catalog compared in temp tables, months written partitioned
        attach_postgres(con, dsn)
        con.execute("BEGIN")
        taken_at, _ = source_clock(con)
        since = datetime.fromisoformat(manifest["history"][-1]["taken_at"])
        counts, new, deleted, rewritten = {}, {}, {}, []
        for table in SNAPSHOT_TABLES.values():
            if table.upstream not in info.columns:
                continue
            if table.name == LOG_TABLE:
                found = _refresh_log(con, lake, stage, info, taken_at, since, verify, progress)
            else:
                found = _refresh_catalog_table(con, lake, stage, table, info, taken_at, progress)
            counts[table.name], new[table.name], deleted[table.name], parts = found
            rewritten += parts
        con.execute("COMMIT")
        con.execute(f"DETACH {SOURCE_ALIAS}")
        enums = snapshot_enums(con)
    _move_in(stage, lake, rewritten)
    entry = manifest_entry(
        kind="refresh",
        taken_at=taken_at,
        source=dsn.display,
        server_version=info.server_version,
        schema_fingerprint=info.fingerprint,
        row_counts=counts,
        new_rows=new,
        deleted_rows=deleted,
        drift=info.drift,
        duration_s=round(time.perf_counter() - started, 3),
        partitions=rewritten,
    )
    write_manifest(lake, manifest["history"] + [entry], enums)
    return {"new_rows": new, "deleted_rows": deleted, "row_counts": counts, "partitions": rewritten}


def _refresh_catalog_table(con, lake: Path, stage: Path, table, info, taken_at, progress) -> tuple:
    """Rewrite a catalog table's file if a row differs: the source's, and the vanished marked."""
    from ..snapshot.take import select_list, source_relation

    name, key = quote_ident(table.name), _key_match(table.key, "old", "_lf_fresh")
    execute_with_progress(
        con,
        f"CREATE OR REPLACE TEMP TABLE _lf_fresh AS SELECT {select_list(table, info)}, "
        f"CAST(NULL AS TIMESTAMP) AS {DELETED_COLUMN} FROM {source_relation(table)} AS src",
        desc=table.name,
        total=None,
        enabled=progress,
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _lf_next AS
        SELECT * FROM _lf_fresh UNION ALL
        SELECT * REPLACE (coalesce({DELETED_COLUMN}, $t) AS {DELETED_COLUMN}) FROM {name} AS old
        WHERE NOT EXISTS (SELECT 1 FROM _lf_fresh WHERE {key})""",
        {"t": taken_at},
    )
    counts = f"""SELECT
        (SELECT count(*) FROM _lf_fresh),
        (SELECT count(*) FROM _lf_fresh WHERE NOT EXISTS (SELECT 1 FROM {name} AS old WHERE {key})),
        (SELECT count(*) FROM {name} AS old WHERE {DELETED_COLUMN} IS NULL
            AND NOT EXISTS (SELECT 1 FROM _lf_fresh WHERE {key})),
        (SELECT count(*) FROM (SELECT * FROM _lf_next EXCEPT ALL SELECT * FROM {name}))
        + (SELECT count(*) FROM (SELECT * FROM {name} EXCEPT ALL SELECT * FROM _lf_next))"""
    upstream, new, deleted, differs = con.execute(counts).fetchone()
    parts = []
    if differs:
        table_dir(stage, table.name).mkdir(parents=True)
        con.execute(
            copy_table_sql(lake_select(table.name, "_lf_next"), table_dir(stage, table.name), False)
        )
        parts = [table.name]
    con.execute("DROP TABLE _lf_fresh; DROP TABLE _lf_next")
    return upstream, new, deleted, parts


def _refresh_log(con, lake: Path, stage: Path, info, taken_at, since, verify, progress) -> tuple:
    """Rewrite the months that gained, lost or got back a row; return counts and partitions.

    The fast path reads the ids of the source's rows created since the last run (less an hour
    for writers still open then) and compares exact row counts in the same source snapshot.
    Only a difference (a row vanished, or one arrived backdated), or ``verify``, reads every
    id to reconcile the whole log, as a snapshot file's refresh does.
    """
    from ..snapshot.refresh import REFRESH_OVERLAP
    from ..snapshot.take import source_query, source_relation

    table = SNAPSHOT_TABLES[LOG_TABLE]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _lf_seen AS "
        f"SELECT id, created_at, {DELETED_COLUMN} AS deleted_at FROM llama_logs"
    )
    window = source_query(
        "SELECT id, created_at FROM public.llama_logs WHERE is_root_job IN (true, false) "
        f"AND created_at >= '{since - REFRESH_OVERLAP:%Y-%m-%d %H:%M:%S.%f}'"
    )
    new = _read_ids(con, window, progress)
    upstream = con.execute(
        f"SELECT * FROM {source_query('SELECT count(*) FROM public.llama_logs')}"
    ).fetchone()[0]
    live = con.execute("SELECT count(*) FROM _lf_seen WHERE deleted_at IS NULL").fetchone()[0]
    reconciled = verify or upstream != live + new
    deleted, changed = 0, "SELECT created_at FROM _lf_new"
    if reconciled:
        new = _read_ids(con, source_relation(table), progress)
        deleted = con.execute(
            "SELECT count(*) FROM _lf_seen s WHERE deleted_at IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM _lf_up u WHERE u.id = s.id)"
        ).fetchone()[0]
        changed += (  # and the rows that vanished, or came back
            " UNION ALL SELECT s.created_at FROM _lf_seen s LEFT JOIN _lf_up u ON u.id = s.id "
            "WHERE (s.deleted_at IS NULL) = (u.id IS NULL)"
        )
    months = [
        m
        for (m,) in con.execute(
            f"SELECT DISTINCT {month_expr()} FROM ({changed}) ORDER BY 1"
        ).fetchall()
    ]
    if months:
        _write_months(con, lake, stage, table, info, months, taken_at, reconciled, progress)
    con.execute("DROP TABLE _lf_up; DROP TABLE _lf_seen; DROP TABLE _lf_new")
    return upstream, new, deleted, [f"{LOG_TABLE}/{PARTITION_COLUMN}={m}" for m in months]


def _read_ids(con, source: str, progress: bool) -> int:
    """Read ids and times of ``source``'s log rows into ``_lf_up``; return how many are new."""
    execute_with_progress(
        con,
        f"CREATE OR REPLACE TEMP TABLE _lf_up AS SELECT id, created_at FROM {source}",
        desc="llama_logs (ids)",
        total=None,
        enabled=progress,
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _lf_new AS SELECT * FROM _lf_up ANTI JOIN _lf_seen USING (id)"
    )
    return con.execute("SELECT count(*) FROM _lf_new").fetchone()[0]


def _write_months(
    con, lake: Path, stage: Path, table, info, months: list[str], taken_at, reconciled, progress
) -> None:
    """Write the months whole: the lake's rows and the source's rows it lacks.

    When the whole log was ``reconciled``, the lake's rows are marked as the source has them
    (gone upstream, or back); otherwise they are kept as they are.
    """
    from ..snapshot.take import select_list, source_query

    patterns = [
        str(table_dir(lake, LOG_TABLE) / f"{PARTITION_COLUMN}={m}" / "*.parquet") for m in months
    ]
    existing = [p for p in patterns if Path(p).parent.is_dir()]
    marked = f"TIMESTAMP '{taken_at:%Y-%m-%d %H:%M:%S.%f}'"  # COPY takes no parameters
    old = f"SELECT * FROM ({files_relation(LOG_TABLE, existing)}) AS old" if existing else None
    if existing and reconciled:
        old = (
            "SELECT old.* REPLACE (CASE WHEN up.id IS NULL "
            f"THEN coalesce(old.{DELETED_COLUMN}, {marked}) END "
            f"AS {DELETED_COLUMN}) FROM ({files_relation(LOG_TABLE, existing)}) AS old "
            "LEFT JOIN _lf_up AS up ON up.id = old.id"
        )
    since = con.execute("SELECT min(created_at) FROM _lf_new").fetchone()[0]
    arriving = None
    if since is not None:
        # Upstream has no index on created_at alone; naming both is_root_job values lets PostgreSQL
        # range-scan its (is_root_job, created_at) index instead of reading the whole table.
        window = source_query(
            "SELECT * FROM public.llama_logs WHERE is_root_job IN (true, false) "
            f"AND created_at >= '{since:%Y-%m-%d %H:%M:%S.%f}'"
        )
        arriving = (
            f"SELECT {select_list(table, info)}, CAST(NULL AS TIMESTAMP) AS {DELETED_COLUMN} "
            f"FROM {window} AS src SEMI JOIN _lf_new ON _lf_new.id = src.id"
        )
    rows = " UNION ALL ".join(part for part in (old, arriving) if part)
    target = table_dir(stage, LOG_TABLE)
    target.mkdir(parents=True)
    execute_with_progress(
        con,
        copy_table_sql(lake_select(LOG_TABLE, f"({rows}) AS rows"), target, True),
        desc="llama_logs (months)",
        total=None,
        enabled=progress,
    )


def _move_in(stage: Path, lake: Path, parts: list[str]) -> None:
    """Replace each rewritten partition of ``lake`` with the one written under ``stage``.

    Renames only; if one fails, the partitions already replaced are put back, so
    the lake stays the one its manifest describes.
    """
    trash = lake.parent / f".{lake.name}.trash{os.getpid()}"
    moved = []
    try:
        for part in parts:
            target = lake / part
            if target.exists():
                (trash / part).parent.mkdir(parents=True, exist_ok=True)
                target.replace(trash / part)
            moved.append(part)
            target.parent.mkdir(parents=True, exist_ok=True)
            (stage / part).replace(target)
    except BaseException:
        for part in reversed(moved):
            _put_back(lake / part, trash / part)
        raise
    finally:
        remove_tree(stage)
        remove_tree(trash)


def _put_back(target: Path, kept: Path) -> None:
    """Undo one partition's replacement: the new one removed, the one it replaced (if any) back."""
    remove_tree(target)
    if kept.exists():
        kept.replace(target)


def _key_match(key: tuple[str, ...], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{quote_ident(k)} = {right}.{quote_ident(k)}" for k in key)
