"""The catalog on a snapshot copy (DuckDB): what a rehearsal writes, with no server touched.

A deleted row is marked (``_lf_deleted_at``) rather than dropped, as in every
snapshot, and reads see live rows only; references are those of the upstream
DDL's foreign keys between the tables a snapshot holds. There are no row
locks: a rehearsal is the only writer of its copy.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from ..postgres import quote_ident as q
from ..schema import upstream_foreign_keys, upstream_unique_keys
from ..snapshot.format import DELETED_COLUMN, SNAPSHOT_TABLES, connect
from .catalog import ForeignKey, Reference, Row
from .fields import columns
from .session import utc_now
from .sql_catalog import SqlCatalog


class SnapshotCatalog(SqlCatalog):
    """A writable snapshot copy seen as a catalog: ``?`` parameters, no row locks, soft deletes."""

    placeholder = "?"
    locks = False
    refusals = (
        duckdb.ConstraintException,
        duckdb.ConversionException,
        duckdb.InvalidInputException,
    )

    def __init__(self, path: str | Path, clock: Callable[[], datetime] = utc_now):
        self.con = connect(path)
        self.clock = clock
        self.in_transaction = False
        self.unseen: set[str] = set()  # tables pointing at rows written here, not in a snapshot

    def close(self) -> None:
        self.con.close()

    def begin(self) -> None:
        self.con.begin()
        self.in_transaction = True

    def commit(self) -> None:
        self.con.commit()
        self.in_transaction = False

    def rollback(self) -> None:
        if self.in_transaction:
            self.con.rollback()
            self.in_transaction = False

    def _execute(self, sql: str, params: list[Any]) -> int:
        (count,) = self.con.execute(sql, params).fetchone() or (0,)
        return int(count)

    def _fetch(self, sql: str, params: list[Any]) -> list[Row]:
        cur = self.con.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [
            {k: v for k, v in zip(names, r, strict=True) if k != DELETED_COLUMN}
            for r in cur.fetchall()
        ]

    def _live(self) -> str:
        return f" AND {DELETED_COLUMN} IS NULL"

    def delete(self, table: str, where: Row, *, expect: int | None = None) -> int | None:
        mark = {DELETED_COLUMN: self.clock().isoformat(timespec="milliseconds")}
        sets = f"{DELETED_COLUMN} = {self.placeholder}"
        return self._write(
            f"UPDATE {q(table)} SET {sets} WHERE {self._where(where)}",
            list(mark.values()) + self._params(where),
            expect,
            f"{table}: expected to delete {expect} row(s) {where}",
        )

    def adapt(self, table: str, column: str, value: Any) -> Any:
        col = columns(table).get(column)
        if col is not None and col.pg_type == "JSONB" and value is not None:
            return json.dumps(value, ensure_ascii=False)
        return value

    def json_text(self, key: str) -> str:
        return f"json_extract_string(metadata, '$.llamaforensics.{key}')"

    def user_exists(self, user_id: str) -> bool:
        return bool(self._fetch("SELECT 1 AS x FROM users WHERE id = ?", [user_id]))

    def references(self, table: str) -> list[Reference]:
        """Return the upstream foreign keys into ``table`` from tables the snapshot holds."""
        unique = upstream_unique_keys()
        refs: list[Reference] = []
        for fk in upstream_foreign_keys():
            if fk.target != table or fk.table not in SNAPSHOT_TABLES or len(fk.columns) != 1:
                continue
            (column,), key = fk.columns, SNAPSHOT_TABLES[fk.table].key
            uniques = tuple(
                cols for cols in unique.get(fk.table, ()) if column in cols and cols != key
            )
            refs.append(
                Reference(fk.table, column, key, ((key,) if column in key else ()) + uniques)
            )
        return sorted(refs, key=lambda r: (r.table, r.column))

    def _foreign_keys_into(self, table: str) -> list[ForeignKey]:
        """Return the upstream foreign keys into ``table`` from tables the snapshot holds.

        Tables a snapshot leaves out (user favourites, collections, ...) cannot be
        checked here: a rehearsal sees only the rows it has.
        """
        into = [fk for fk in upstream_foreign_keys() if fk.target == table]
        self.unseen.update(fk.table for fk in into if fk.table not in SNAPSHOT_TABLES)
        return [
            ForeignKey(
                fk.table, fk.columns, fk.target_columns, fk.on_delete, SNAPSHOT_TABLES[fk.table].key
            )
            for fk in into
            if fk.table in SNAPSHOT_TABLES
        ]
