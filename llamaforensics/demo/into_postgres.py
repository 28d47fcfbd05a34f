"""Write demo data into PostgreSQL with COPY, fast, and all or nothing.

Loading drops the loaded tables' indexes and keys first and rebuilds them after
the COPY (one sorted pass per index instead of millions of random inserts), over
two connections, so 10 million log rows load in minutes; if anything fails, the
tables are emptied and the keys restored: the database is left exactly as it was
(empty, with the upstream schema).
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as csv
from tqdm.auto import tqdm

from ..postgres.dsn import Dsn
from ..snapshot.format import (
    quote_ident,
)
from .dataset import DemoData, prefetched
from .shapes import DEMO_TABLES


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
    with psycopg.connect(dsn.conninfo, autocommit=True) as conn:
        for t in tables:
            conn.execute(f"ANALYZE public.{quote_ident(t)}")
