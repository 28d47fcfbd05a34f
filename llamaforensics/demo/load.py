"""Write demo data: into PostgreSQL with COPY, into a snapshot, its ground truth to Parquet.

PostgreSQL loading drops the loaded tables' indexes and keys first and rebuilds
them after the COPY (one sorted pass per index instead of millions of random
inserts), over two connections, so 10 million log rows load in minutes; if
anything fails, the tables are emptied and the keys restored: the database is
left exactly as it was (empty, with the upstream schema).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Queue
from threading import Thread

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as csv
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from ..dsn import Dsn
from ..schema import upstream_enums, upstream_tables
from ..snapshot.format import (
    SNAPSHOT_TABLES,
    connect,
    create_schema,
    duckdb_type,
    limit_memory,
    quote_ident,
    write_manifest,
)
from .dataset import DemoData
from .life_plan import DEMO_NOW
from .shapes import DEMO_TABLES

TRUTH_TABLE = "_lf_ground_truth"


def _pg_array_literal(values: pa.Array) -> pa.Array:
    """Return text[] values as PostgreSQL array literals (elements quoted, " and \\ escaped)."""
    flat = pc.replace_substring(
        pc.replace_substring(pc.list_flatten(values), "\\", "\\\\"), '"', '\\"'
    )
    quoted = pa.ListArray.from_arrays(
        values.offsets, pc.binary_join_element_wise('"', flat, '"', ""), mask=pc.is_null(values)
    )
    joined = pc.binary_join(quoted, ",")
    return pc.binary_join_element_wise("{", joined, "}", "")


def _csv_ready(table: pa.Table) -> pa.Table:
    cols = []
    for name in table.column_names:
        col = table[name].combine_chunks()
        if pa.types.is_list(col.type):
            col = _pg_array_literal(col)
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def _copy(cur, name: str, table: pa.Table) -> None:
    buf = io.BytesIO()
    csv.write_csv(
        _csv_ready(table), buf, csv.WriteOptions(include_header=False, quoting_style="needed")
    )
    cols = ", ".join(quote_ident(c) for c in table.column_names)
    with cur.copy(f"COPY public.{quote_ident(name)} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(buf.getbuffer())


_CONSTRAINTS_SQL = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
FROM pg_constraint c
WHERE c.contype IN ('p', 'u', 'f')
  AND (c.conrelid = ANY(%(rels)s::regclass[]) OR c.confrelid = ANY(%(rels)s::regclass[]))
ORDER BY c.contype = 'f', c.conname
"""
_INDEXES_SQL = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = ANY(%(rels)s::regclass[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u')
  )
"""


def _drop_keys(cur, tables: list[str]) -> list[list[str]]:
    """Drop the tables' indexes and keys (and foreign keys into them); return DDL to restore them.

    The DDL comes in three stages (indexes; primary and unique keys; foreign keys),
    the statements of one stage independent of each other.
    """
    rels = [f"public.{quote_ident(t)}" for t in tables]
    constraints = cur.execute(_CONSTRAINTS_SQL, {"rels": rels}).fetchall()
    indexes = cur.execute(_INDEXES_SQL, {"rels": rels}).fetchall()
    for rel, name, _def, _type in sorted(constraints, key=lambda c: c[3] != "f"):
        cur.execute(f"ALTER TABLE {rel} DROP CONSTRAINT {quote_ident(name)}")
    for name, _def in indexes:
        cur.execute(f"DROP INDEX {name}")
    add = "ALTER TABLE {} ADD CONSTRAINT {} {}"
    return [
        [d for _n, d in indexes],
        [add.format(rel, quote_ident(name), d) for rel, name, d, t in constraints if t != "f"],
        [add.format(rel, quote_ident(name), d) for rel, name, d, t in constraints if t == "f"],
    ]


def prefetched(items: Iterator, depth: int = 1) -> Iterator:
    """Yield ``items``, producing the next ones in a thread meanwhile (generation overlaps COPY)."""
    queue: Queue = Queue(maxsize=depth)
    done = object()

    def produce() -> None:
        try:
            for item in items:
                queue.put(item)
            queue.put(done)
        except BaseException as exc:  # handed to the consumer, raised there
            queue.put(exc)

    Thread(target=produce, daemon=True, name="demo-chunks").start()
    while (item := queue.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item


# Two writers keep both cores busy: PostgreSQL parses one COPY stream per connection.
LOG_WRITER, CATALOG_WRITER = 0, 1


def write_postgres(data: DemoData, dsn: Dsn, progress: bool = False) -> dict[str, int]:
    """Load the demo data into ``dsn`` (upstream schema, empty tables); return rows per table.

    Keys are dropped, the rows copied over two connections (llama_logs on one, the
    catalog on the other), then the keys rebuilt over two connections. The
    database must hold no rows before (``llamaforensics demo`` checks): if
    anything fails, every loaded table is emptied and every key restored, which
    leaves it exactly as it was.
    """
    import psycopg

    with psycopg.connect(dsn.conninfo, autocommit=True) as admin:
        with admin.transaction():
            stages = _drop_keys(admin.cursor(), list(DEMO_TABLES))
        try:
            counts = _copy_all(data, dsn, progress)
            _restore(dsn, stages, progress)
        except BaseException:
            _undo_load(admin, stages)
            raise
    _analyze(dsn, DEMO_TABLES)
    return counts


def _copy_all(data, dsn: Dsn, progress: bool) -> dict[str, int]:
    import psycopg

    counts = {t: 0 for t in DEMO_TABLES}
    conns = [psycopg.connect(dsn.conninfo) for _ in range(2)]
    try:
        with ThreadPoolExecutor(2, thread_name_prefix="demo-copy") as pool:
            for name in ("User", "Collection"):
                _copy(conns[CATALOG_WRITER].cursor(), name, data.people_tables[name])
                counts[name] += len(data.people_tables[name])
            bar = tqdm(unit="album", desc="loading PostgreSQL", disable=not progress)
            for chunk in prefetched(data.chunks()):
                jobs = [
                    pool.submit(_copy_chunk, conns[w], chunk, w)
                    for w in (LOG_WRITER, CATALOG_WRITER)
                ]
                for job in jobs:
                    for name, n in job.result().items():
                        counts[name] += n
                bar.update(len(chunk.tables["albums"]))
            bar.close()
        for conn in conns:
            conn.commit()
    finally:
        for conn in conns:
            conn.close()
    return counts


def _copy_chunk(conn, chunk, writer: int) -> dict[str, int]:
    done = {}
    for name in DEMO_TABLES:
        if (name == "llama_logs") == (writer == LOG_WRITER) and len(chunk.tables.get(name, ())):
            _copy(conn.cursor(), name, chunk.tables[name])
            done[name] = len(chunk.tables[name])
    return done


def _restore(dsn: Dsn, stages: list[list[str]], progress: bool) -> None:
    """Rebuild indexes and keys, stage by stage, two statements at a time."""
    import psycopg

    bar = tqdm(
        total=sum(map(len, stages)), desc="indexes and keys", unit="index", disable=not progress
    )
    conns = [psycopg.connect(dsn.conninfo, autocommit=True) for _ in range(2)]
    try:
        for conn in conns:
            conn.execute(
                "SET maintenance_work_mem = '1GB'"
            )  # sorts of 10M-row indexes stay in memory
        with ThreadPoolExecutor(2, thread_name_prefix="demo-keys") as pool:
            for stage in stages:
                halves = [stage[0::2], stage[1::2]]
                for job in [
                    pool.submit(_run_all, conn, half, bar)
                    for conn, half in zip(conns, halves, strict=True)
                ]:
                    job.result()
    finally:
        for conn in conns:
            conn.close()
        bar.close()


def _run_all(conn, statements: list[str], bar) -> None:
    for ddl in statements:
        conn.execute(ddl)
        bar.update(1)


def _undo_load(admin, stages: list[list[str]]) -> None:
    """Empty the loaded tables and restore whichever keys are missing: the state before the load."""
    tables = ", ".join(f"public.{quote_ident(t)}" for t in DEMO_TABLES)
    admin.execute(f"TRUNCATE {tables}")
    for stage in stages:
        for ddl in stage:
            try:
                admin.execute(ddl)
            except Exception as exc:  # already restored before the failure
                if getattr(exc, "sqlstate", None) not in ("42P07", "42710", "42P16"):
                    raise


def _analyze(dsn: Dsn, tables) -> None:
    import psycopg

    with psycopg.connect(dsn.conninfo, autocommit=True) as conn:
        for t in tables:
            conn.execute(f"ANALYZE public.{quote_ident(t)}")


def upstream_fingerprint() -> str:
    """Return the fingerprint of a snapshot of the upstream schema (types named by format_type)."""
    h = hashlib.sha256()
    tables = upstream_tables()
    for upstream in sorted({t.upstream for t in SNAPSHOT_TABLES.values()}):
        for col in tables[upstream].columns:
            h.update(f"{upstream}.{col.name}:{col.format_type}\n".encode())
    for name, values in sorted(upstream_enums().items()):
        h.update(f"enum {name}:{','.join(values)}\n".encode())
    return h.hexdigest()[:16]


def write_snapshot(data: DemoData, path: str | os.PathLike, progress: bool = False) -> Path:
    """Build a snapshot file straight from the demo data (no server), its ground truth inside.

    The file's folder is created when missing: a fresh ``$LLAMAFORENSICS_HOME``, a new ``--out``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        con = connect(tmp)
        try:
            _fill_snapshot(con, data, progress)
        finally:
            con.close()
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _insert_sql(name: str) -> str:
    table = SNAPSHOT_TABLES[name]
    cols = ", ".join(quote_ident(c.name) for c in table.columns)
    casts = ", ".join(f"CAST({quote_ident(c.name)} AS {duckdb_type(c)})" for c in table.columns)
    return f"INSERT INTO {quote_ident(name)} ({cols}) SELECT {casts} FROM batch"


def _fill_snapshot(con, data, progress: bool) -> None:
    # No enclosing transaction: the file is a temporary one, renamed into place only when complete,
    # and a transaction would hold every inserted row in memory until its commit (10.6 GB at 10M
    # log rows).
    limit_memory(con)
    create_schema(con)
    counts = {name: 0 for name in SNAPSHOT_TABLES}
    upstream_of = {t.upstream: t.name for t in SNAPSHOT_TABLES.values()}
    bar = tqdm(unit="album", desc="building snapshot", disable=not progress)
    for batch in data.batches("User"):
        _insert(con, "users", batch, counts)
    for chunk in prefetched(data.chunks()):
        for upstream, name in upstream_of.items():
            if upstream in chunk.tables:
                _insert(con, name, chunk.tables[upstream], counts)
        bar.update(len(chunk.tables["albums"]))
    bar.close()
    con.execute(
        f"CREATE TABLE {TRUTH_TABLE} (kind VARCHAR NOT NULL, entity_type VARCHAR NOT NULL, "
        f"entity_id VARCHAR NOT NULL, detail JSON)"
    )
    truth = data.ground_truth
    con.register("truth", truth)
    con.execute(
        f"INSERT INTO {TRUTH_TABLE} SELECT kind, entity_type, entity_id, detail::JSON FROM truth"
    )
    con.unregister("truth")
    write_manifest(
        con,
        kind="demo",
        taken_at=DEMO_NOW,
        source=data.source,
        schema_fingerprint=upstream_fingerprint(),
        row_counts=counts,
        new_rows=counts,
    )
    con.execute("CHECKPOINT")


def _insert(con, name: str, table: pa.Table, counts: dict) -> None:
    con.register("batch", table)
    con.execute(_insert_sql(name))
    con.unregister("batch")
    counts[name] += len(table)


def write_ground_truth(data: DemoData, path: str | os.PathLike) -> Path:
    """Write the ground truth (kind, entity_type, entity_id, detail) to a Parquet file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(data.ground_truth, path)
    return path
