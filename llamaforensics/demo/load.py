"""Write demo data: into PostgreSQL with COPY, straight into a snapshot file, and the ground truth to Parquet.

PostgreSQL loading is one transaction: the loaded tables' indexes and foreign
keys are dropped first and rebuilt after the COPY (one sorted pass per index
instead of millions of random inserts), so 10 million log rows load in
minutes; if anything fails, the database is left exactly as it was.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
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
from ..snapshot.format import SNAPSHOT_TABLES, connect, create_schema, duckdb_type, quote_ident, write_manifest
from .plan import DEMO_NOW
from .shapes import DEMO_TABLES, arrow_schema

TRUTH_TABLE = "_lf_ground_truth"


def _pg_array_literal(values: pa.Array) -> pa.Array:
    """Return text[] values as PostgreSQL array literals (elements quoted, quotes and backslashes escaped)."""
    flat = pc.replace_substring(pc.replace_substring(pc.list_flatten(values), "\\", "\\\\"), '"', '\\"')
    quoted = pa.ListArray.from_arrays(values.offsets, pc.binary_join_element_wise('"', flat, '"', ""), mask=pc.is_null(values))
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
    csv.write_csv(_csv_ready(table), buf, csv.WriteOptions(include_header=False, quoting_style="needed"))
    cols = ", ".join(quote_ident(c) for c in table.column_names)
    with cur.copy(f"COPY public.{quote_ident(name)} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(buf.getbuffer())


_CONSTRAINTS_SQL = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
FROM pg_constraint c
WHERE c.contype IN ('p', 'u', 'f') AND (c.conrelid = ANY(%(rels)s::regclass[]) OR c.confrelid = ANY(%(rels)s::regclass[]))
ORDER BY c.contype = 'f', c.conname
"""
_INDEXES_SQL = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = ANY(%(rels)s::regclass[])
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))
"""


def _drop_keys(cur, tables: list[str]) -> list[str]:
    """Drop the tables' indexes and keys (and foreign keys into them); return the DDL that restores them."""
    rels = [f"public.{quote_ident(t)}" for t in tables]
    constraints = cur.execute(_CONSTRAINTS_SQL, {"rels": rels}).fetchall()
    indexes = cur.execute(_INDEXES_SQL, {"rels": rels}).fetchall()
    for rel, name, _def, _type in sorted(constraints, key=lambda c: c[3] != "f"):
        cur.execute(f"ALTER TABLE {rel} DROP CONSTRAINT {quote_ident(name)}")
    for name, _def in indexes:
        cur.execute(f"DROP INDEX {name}")
    restore = [d for _n, d in indexes]
    restore += [f"ALTER TABLE {rel} ADD CONSTRAINT {quote_ident(name)} {d}" for rel, name, d, t in constraints if t != "f"]
    restore += [f"ALTER TABLE {rel} ADD CONSTRAINT {quote_ident(name)} {d}" for rel, name, d, t in constraints if t == "f"]
    return restore


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


def write_postgres(data, dsn: Dsn, progress: bool = False) -> dict[str, int]:
    """Load the demo data into ``dsn`` (upstream schema, empty tables) in one transaction; return rows per table."""
    import psycopg

    counts = {t: 0 for t in DEMO_TABLES}
    with psycopg.connect(dsn.conninfo) as conn, conn.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cur.execute("SET LOCAL synchronous_commit = off")
        restore = _drop_keys(cur, list(DEMO_TABLES))
        bar = tqdm(unit="album", desc="loading PostgreSQL", disable=not progress)
        for name in ("User", "Collection"):
            _copy(cur, name, data.people_tables[name])
            counts[name] += len(data.people_tables[name])
        for chunk in prefetched(data.chunks()):
            for name in DEMO_TABLES:
                if name in chunk.tables and len(chunk.tables[name]):
                    _copy(cur, name, chunk.tables[name])
                    counts[name] += len(chunk.tables[name])
            bar.update(len(chunk.tables["albums"]))
        bar.close()
        for ddl in tqdm(restore, desc="indexes and keys", unit="index", disable=not progress):
            cur.execute(ddl)
    _analyze(dsn, DEMO_TABLES)
    return counts


def _analyze(dsn: Dsn, tables) -> None:
    import psycopg

    with psycopg.connect(dsn.conninfo, autocommit=True) as conn:
        for t in tables:
            conn.execute(f"ANALYZE public.{quote_ident(t)}")


def upstream_fingerprint() -> str:
    """The schema fingerprint a snapshot of the upstream schema carries (as PostgreSQL's format_type names it)."""
    h = hashlib.sha256()
    tables = upstream_tables()
    for upstream in sorted({t.upstream for t in SNAPSHOT_TABLES.values()}):
        for col in tables[upstream].columns:
            h.update(f"{upstream}.{col.name}:{_format_type(col.pg_type)}\n".encode())
    for name, values in sorted(upstream_enums().items()):
        h.update(f"enum {name}:{','.join(values)}\n".encode())
    return h.hexdigest()[:16]


def _format_type(pg_type: str) -> str:
    array = pg_type.endswith("[]")
    base = pg_type.removesuffix("[]")
    if base.startswith('"'):
        name = base
    elif base.startswith("VARCHAR"):
        name = "character varying" + base[len("VARCHAR"):]
    elif base.startswith("TIMESTAMP("):
        name = base.lower() + " without time zone"
    else:
        name = {"TIMESTAMPTZ": "timestamp with time zone", "TIMESTAMP": "timestamp without time zone"}.get(base, base.lower())
    return name + ("[]" if array else "")


def write_snapshot(data, path: str | os.PathLike, progress: bool = False) -> Path:
    """Build a snapshot file straight from the demo data (no server), with its ground truth inside."""
    path = Path(path)
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
    create_schema(con)
    con.execute("BEGIN")
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
    con.execute(f"CREATE TABLE {TRUTH_TABLE} (kind VARCHAR NOT NULL, entity_type VARCHAR NOT NULL, entity_id VARCHAR NOT NULL, detail JSON)")
    truth = data.ground_truth
    con.register("truth", truth)
    con.execute(f"INSERT INTO {TRUTH_TABLE} SELECT kind, entity_type, entity_id, detail::JSON FROM truth")
    con.unregister("truth")
    write_manifest(con, kind="demo", taken_at=DEMO_NOW, source=data.source, schema_fingerprint=upstream_fingerprint(),
                   row_counts=counts, new_rows=counts)
    con.execute("COMMIT")
    con.execute("CHECKPOINT")


def _insert(con, name: str, table: pa.Table, counts: dict) -> None:
    con.register("batch", table)
    con.execute(_insert_sql(name))
    con.unregister("batch")
    counts[name] += len(table)


def write_ground_truth(data, path: str | os.PathLike) -> Path:
    """Write the ground truth (kind, entity_type, entity_id, detail) to a Parquet file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(data.ground_truth, path)
    return path
