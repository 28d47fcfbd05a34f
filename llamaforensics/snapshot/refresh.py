"""Bring an existing snapshot up to date: new log rows only, the catalog re-read, nothing dropped.

llama_logs is append-only by convention, so only rows whose id the snapshot
has not seen are copied (found from the source's id list, then fetched with a
created_at range pushed down to PostgreSQL and anti-joined here). Catalog
tables change in place, so they are re-read whole and compared with the
snapshot's: only rows that changed are rewritten. A row that vanished
upstream is kept and marked with the time it was first found missing
(``_lf_deleted_at``); that is the history a cascade delete erased from the
live database.

Everything happens in one DuckDB transaction over one PostgreSQL snapshot: a
failed refresh leaves the file exactly as it was.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import duckdb
import psycopg

from ..errors import LlamaForensicsError, SnapshotError
from ..postgres.connection import read_only_transaction
from ..postgres.dsn import Dsn, redact
from .format import (
    DELETED_COLUMN,
    REFRESH_MEMORY_LIMIT,
    SNAPSHOT_TABLES,
    SnapshotTable,
    limit_memory,
    one_row,
    quote_ident,
    read_manifests,
    write_manifest,
)
from .open import SnapshotInfo, table_counts
from .progress import execute_with_progress
from .scanner import SOURCE_ALIAS, attach_postgres
from .source import SourceInfo, inspect_source
from .take import (
    estimated_rows,
    keep_times_beyond_duckdb,
    select_list,
    source_clock,
    source_query,
    source_relation,
)
from .writable import open_writable

# Log rows are stamped when their writer's transaction starts but become visible
# when it commits: rows of a transaction still open at the last run can carry
# an older created_at. Rows older than this window are still found, by the
# exact row-count check and the id reconciliation it triggers.
REFRESH_OVERLAP = timedelta(hours=1)

# Every how many refreshes the small row groups they appended are merged (see _compacts).
_COMPACT_EVERY = 8


def refresh_snapshot(
    dsn: Dsn,
    path: str | Path,
    *,
    progress: bool = True,
    verify: bool = False,
    opening: Future[duckdb.DuckDBPyConnection] | None = None,
) -> dict:
    """Update the snapshot at ``path`` from ``dsn``; return rows added and newly deleted per table.

    The result's ``info`` describes the refreshed snapshot as :func:`snapshot_info` would.
    ``opening`` is the file being opened already, by
    :func:`~llamaforensics.snapshot.writable.open_writable_in_background` (``path`` then only
    names it).

    ``verify=True`` reconciles the whole log id list even when the row counts
    agree (slower; catches a deletion and a backdated insert that cancel out).
    """
    path = Path(path)
    started = time.perf_counter()
    con, source = _open_with_source(path, dsn, opening)
    try:
        manifests = read_manifests(con)
        since = manifests[-1].taken_at
        _add_enum_values(con, source)
        con.execute(
            "RESET max_vacuum_tasks" if _compacts(manifests) else "SET max_vacuum_tasks = 0"
        )
        con.execute("BEGIN")
        taken_at, _ = source_clock(con)
        estimates = estimated_rows(con, source)
        counts, new, deleted = {}, {}, {}
        with ThreadPoolExecutor(1, thread_name_prefix="lf-count") as pool:
            log_count = _count_log_rows(pool, con, dsn)
            # the catalog first: the log's count runs meanwhile, instead of beside the log's own
            # copy
            for table in sorted(SNAPSHOT_TABLES.values(), key=lambda t: t.name == "llama_logs"):
                if table.upstream not in source.columns:
                    continue
                if table.name == "llama_logs":
                    result = _refresh_log(
                        con, table, source, taken_at, since, verify, progress, log_count
                    )
                else:
                    result = _refresh_catalog_table(
                        con, table, source, taken_at, estimates.get(table.upstream), progress
                    )
                counts[table.name], new[table.name], deleted[table.name] = result
        write_manifest(
            con,
            kind="refresh",
            taken_at=taken_at,
            source=dsn.display,
            server_version=source.server_version,
            schema_fingerprint=source.fingerprint,
            row_counts=counts,
            new_rows=new,
            deleted_rows=deleted,
            drift=source.drift,
            duration_s=round(time.perf_counter() - started, 3),
        )
        # Checkpoint as part of the commit: the new rows go to the file once, not to the WAL and
        # then again into the file when the connection closes (-20 ms of 0.6 s at 2M rows).
        con.execute("SET checkpoint_threshold = '0b'")
        con.execute("COMMIT")
        con.execute(f"DETACH {SOURCE_ALIAS}")
        history, tables = read_manifests(con), table_counts(con)
    except duckdb.Error as exc:
        raise LlamaForensicsError(
            f"refresh of {path} from {dsn.display} failed: {redact(str(exc), dsn.password)}"
        ) from None
    finally:
        con.close()
    info = SnapshotInfo(path.resolve(), path.stat().st_size, history[-1], tables, history)
    return {"new_rows": new, "deleted_rows": deleted, "row_counts": counts, "info": info}


def _open_with_source(
    path: Path, dsn: Dsn, opening: Future | None
) -> tuple[duckdb.DuckDBPyConnection, SourceInfo]:
    """Open the snapshot (unless ``opening`` does) and attach the source while it is inspected.

    The inspection waits on the server, the rest mostly on this process's CPU
    (the extension's signature check, reading the source's catalog). A source
    that cannot be read is reported as the inspection words it, before a
    snapshot that cannot be.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="lf-inspect") as pool:
        inspected = pool.submit(inspect_source, dsn)
        try:
            con = opening.result() if opening is not None else open_writable(path)
        except BaseException:
            inspected.result()
            raise
        try:
            try:
                limit_memory(con, REFRESH_MEMORY_LIMIT)
                attach_postgres(con, dsn)
                con.execute(
                    f"SELECT 1 FROM {source_relation(SNAPSHOT_TABLES['llama_logs'])} LIMIT 0"
                )
            except duckdb.Error as exc:
                inspected.result()
                raise LlamaForensicsError(
                    f"refresh of {path} from {dsn.display} failed: {redact(str(exc), dsn.password)}"
                ) from None
            return con, inspected.result()
        except BaseException:
            con.close()
            raise


def _compacts(manifests: list) -> bool:
    """Whether this refresh lets DuckDB merge the small row groups that earlier refreshes appended.

    Left to itself, DuckDB merges at every commit whose new rows would double
    the table's trailing partial row group, rewriting rows already stored
    (0.1-0.3 s of a 20,000-row refresh of 2M rows). Merging on every eighth
    refresh instead keeps at most eight small row groups at the table's end.
    """
    since_full = 0
    for entry in reversed(manifests):
        if entry.kind != "refresh":
            break
        since_full += 1
    return (since_full + 1) % _COMPACT_EVERY == 0


def _add_enum_values(con: duckdb.DuckDBPyConnection, info: SourceInfo) -> None:
    """Fail clearly when the source grew enum values after the snapshot was first taken."""
    present = {
        name
        for (name,) in con.execute(
            "SELECT type_name FROM duckdb_types() "
            "WHERE logical_type = 'ENUM' AND database_name = current_database()"
        ).fetchall()
    }
    names = [name for name in info.enums if name in present]
    if not names:
        return
    ranges = one_row(
        con.execute("SELECT " + ", ".join(f"enum_range(NULL::{quote_ident(n)})" for n in names))
    )
    for name, known in zip(names, ranges, strict=True):
        unknown = [v for v in info.enums[name] if v not in known]
        if unknown:
            raise SnapshotError(
                f'the source\'s enum "{name}" gained values since this snapshot was taken '
                f"({', '.join(unknown)}); take a full snapshot into a new file"
            )


def _count_log_rows(
    pool: ThreadPoolExecutor, con: duckdb.DuckDBPyConnection, dsn: Dsn
) -> Future[int]:
    """Start counting the source's log rows, in the refresh's own snapshot, on a second connection.

    The exact count is what tells a quiet log from one where rows vanished; it
    reads the whole log's smallest index, so it runs while the new rows are
    copied instead of after them (it was a tenth of a refresh at 2M rows).
    """
    exported = one_row(con.execute(f"SELECT * FROM {source_query('SELECT pg_export_snapshot()')}"))[
        0
    ]

    def count() -> int:
        try:
            with read_only_transaction(dsn, snapshot=exported) as conn:
                # One process is enough to finish before the copy does; parallel workers would
                # take CPU from it.
                conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
                return one_row(conn.execute("SELECT count(*) FROM public.llama_logs"))[0]
        except psycopg.Error as exc:
            raise LlamaForensicsError(
                f"counting the log rows of {dsn.display} failed: "
                f"{redact(str(exc).strip(), dsn.password)}"
            ) from None

    return pool.submit(count)


def _refresh_log(
    con,
    table: SnapshotTable,
    info: SourceInfo,
    taken_at,
    since,
    verify,
    progress,
    upstream_count: Future[int],
) -> tuple[int, int, int]:
    """Copy log rows the snapshot has not seen; mark rows gone upstream; return the three counts.

    The counts: (upstream, new, deleted).

    The fast path fetches rows created since the last run (minus an overlap for
    writer transactions that were still open then) and then compares exact row
    counts inside the same source snapshot. Any difference means a row vanished
    or arrived backdated, and only then is the full id list reconciled.
    """
    new = _copy_new_log_rows(con, table, info, since - REFRESH_OVERLAP, progress)
    upstream = upstream_count.result()
    live = con.execute(
        f"SELECT count(*) FROM llama_logs WHERE {DELETED_COLUMN} IS NULL"
    ).fetchone()[0]
    deleted = 0
    if verify or upstream != live:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _lf_up AS "
            f"SELECT id, created_at FROM {source_relation(table)}"
        )
        oldest_missing = con.execute(
            "SELECT min(u.created_at) FROM _lf_up u ANTI JOIN llama_logs l ON l.id = u.id"
        ).fetchone()[0]
        if oldest_missing is not None:
            new += _copy_new_log_rows(con, table, info, oldest_missing, progress)
        deleted = _mark_vanished(con, "llama_logs", ("id",), "_lf_up", taken_at)
        _unmark_returned(con, "llama_logs", ("id",), "_lf_up")
        con.execute("DROP TABLE _lf_up")
    return upstream, new, deleted


def _copy_new_log_rows(con, table: SnapshotTable, info: SourceInfo, since, progress: bool) -> int:
    """Copy source log rows created at or after ``since`` whose id the snapshot lacks.

    Return how many.
    """
    cols = ", ".join(quote_ident(c) for c in table.column_names)
    # Upstream has no index on created_at alone; naming both is_root_job values lets PostgreSQL
    # range-scan the (is_root_job, created_at) index instead of reading the whole table (16x here).
    window = source_query(
        "SELECT * FROM public.llama_logs WHERE is_root_job IN (true, false) "
        f"AND created_at >= '{since:%Y-%m-%d %H:%M:%S.%f}'"
    )
    before = con.execute("SELECT count(*) FROM llama_logs").fetchone()[0]
    # The window arrives as one stream, so the insert runs on one thread either way; a second DuckDB
    # thread would only take CPU from the PostgreSQL processes serving it and the count (-40 ms of
    # 0.19 s).
    con.execute("SET threads = 1")
    try:
        execute_with_progress(
            con,
            f"INSERT INTO llama_logs ({cols}, {DELETED_COLUMN}) "
            f"SELECT {select_list(table, info)}, NULL FROM {window} AS src "
            # rows are immutable: a row of the window the snapshot has is in the same window here
            # (no 2M-id hash table)
            "ANTI JOIN (SELECT id FROM llama_logs "
            f"WHERE created_at >= '{since:%Y-%m-%d %H:%M:%S.%f}') AS seen "
            f"ON seen.id = src.id",
            desc="llama_logs (new)",
            total=None,
            enabled=progress,
        )
    finally:
        con.execute("RESET threads")
    keep_times_beyond_duckdb(
        con,
        table,
        info,
        f"is_root_job IN (true, false) AND created_at >= '{since:%Y-%m-%d %H:%M:%S.%f}'",
    )
    return con.execute("SELECT count(*) FROM llama_logs").fetchone()[0] - before


def _refresh_catalog_table(
    con, table: SnapshotTable, info, taken_at, estimate, progress
) -> tuple[int, int, int]:
    """Bring a catalog table's live rows to the source's; keep and mark rows gone upstream.

    Only rows that differ from every live row (new, changed upstream, or back
    after being marked deleted) are rewritten: an unchanged catalog costs one
    read and no writes, however large it is.
    """
    name = quote_ident(table.name)
    cols = ", ".join(quote_ident(c) for c in table.column_names)
    execute_with_progress(
        con,
        "CREATE OR REPLACE TEMP TABLE _lf_fresh AS "
        f"SELECT {select_list(table, info)} FROM {source_relation(table)} AS src",
        desc=table.name,
        total=estimate,
        enabled=progress,
    )
    keep_times_beyond_duckdb(con, table, info, target="_lf_fresh")  # as kept, else such rows differ
    same = " AND ".join(
        f"fresh.{c} IS NOT DISTINCT FROM live.{c}" for c in map(quote_ident, table.column_names)
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _lf_changed AS SELECT fresh.* FROM _lf_fresh AS fresh "
        f"ANTI JOIN (SELECT {cols} FROM {name} WHERE {DELETED_COLUMN} IS NULL) AS live ON {same}"
    )
    upstream, changed, live = con.execute(
        f"SELECT (SELECT count(*) FROM _lf_fresh), (SELECT count(*) FROM _lf_changed), "
        f"(SELECT count(*) FROM {name} WHERE {DELETED_COLUMN} IS NULL)"
    ).fetchone()
    new = deleted = 0
    by_key = _key_match(table.key, name, "_lf_changed")
    if changed:
        new = con.execute(
            f"SELECT count(*) FROM _lf_changed ANTI JOIN {name} ON {by_key}"
        ).fetchone()[0]
    if (
        upstream - changed != live
    ):  # a live row matches no source row: it changed upstream, or vanished
        deleted = _mark_vanished(con, table.name, table.key, "_lf_fresh", taken_at)
    if changed:  # new, changed, or back after being marked deleted: the row replaces any it had
        con.execute(f"DELETE FROM {name} WHERE EXISTS (SELECT 1 FROM _lf_changed WHERE {by_key})")
        con.execute(
            f"INSERT INTO {name} ({cols}, {DELETED_COLUMN}) SELECT *, NULL FROM _lf_changed"
        )
    return upstream, new, deleted


def _mark_vanished(con, table: str, key: tuple[str, ...], present: str, taken_at) -> int:
    """Mark live rows missing from ``present`` as deleted; return how many."""
    name = quote_ident(table)
    return con.execute(
        f"UPDATE {name} SET {DELETED_COLUMN} = $t WHERE {DELETED_COLUMN} IS NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {present} WHERE {_key_match(key, name, present)})",
        {"t": taken_at},
    ).fetchone()[0]


def _unmark_returned(con, table: str, key: tuple[str, ...], present: str) -> None:
    """Un-mark rows marked deleted that are in ``present`` again.

    The catalog re-inserts its own instead.
    """
    name = quote_ident(table)
    con.execute(
        f"UPDATE {name} SET {DELETED_COLUMN} = NULL WHERE {DELETED_COLUMN} IS NOT NULL "
        f"AND EXISTS (SELECT 1 FROM {present} WHERE {_key_match(key, name, present)})"
    )


def _key_match(key: tuple[str, ...], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{quote_ident(k)} = {right}.{quote_ident(k)}" for k in key)
