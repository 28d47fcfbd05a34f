"""Write demo data straight into a snapshot file (no server), and its ground truth to Parquet."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

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
from .dataset import DemoData, prefetched
from .life_plan import DEMO_NOW

TRUTH_TABLE = "_lf_ground_truth"


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
