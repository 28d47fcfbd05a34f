"""The catalog on PostgreSQL: one connection, explicit transactions, rows locked when read.

Writes of one correction go to the server in one round trip (a pipeline) and
their row counts are checked after it; a lost connection is one clear
:class:`~llamaforensics.errors.ConnectionFailed`, never a half-written change.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg.types.string import TextLoader

from ..errors import ConnectionFailed
from ..postgres import quote_ident as q
from ..postgres.connection import connect
from ..postgres.dsn import Dsn
from .catalog import ForeignKey, Query, Reference, Row
from .fields import canonical_row, json_columns
from .sql_catalog import SqlCatalog, check_count, insert_columns

# psycopg warns of each pipeline it abandons when a connection is lost; the engine raises one
# clear error for that (ConnectionFailed), so the warning reaches only those who configure
# logging themselves.
logging.getLogger("psycopg").addHandler(logging.NullHandler())

_SCALARS = frozenset((str, int, float, bool))
ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
# admin_shutdown (pg_terminate_backend), crash_shutdown, cannot_connect_now
SHUTDOWN = ("57P01", "57P02", "57P03")
# Every foreign key into a table (%s: its quoted name), with its columns on both sides, in order.
FOREIGN_KEYS_INTO = """
SELECT c.conrelid AS relid, c.conrelid::regclass::text AS tbl, c.confdeltype AS action,
       array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
             ORDER BY k.i) AS cols,
       array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n
             ORDER BY k.i) AS target_cols
FROM pg_constraint c
WHERE c.contype = 'f' AND c.confrelid = to_regclass(%s)
ORDER BY 2, 4
"""
# Every single-column foreign key into a table (%s: its quoted name).
REFERENCES_INTO = """
SELECT c.conrelid::regclass::text AS tbl, a.attname AS col, c.conrelid AS relid
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
WHERE c.contype = 'f' AND c.confrelid = to_regclass(%s) AND cardinality(c.conkey) = 1
ORDER BY 1, 2
"""
PRIMARY_KEY = """
SELECT a.attname FROM pg_index i JOIN unnest(i.indkey) WITH ORDINALITY k(attnum, n) ON true
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = %s AND i.indisprimary ORDER BY k.n
"""
ALL_COLUMNS = (
    "SELECT attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped "
    "ORDER BY attnum"
)
UNIQUE_INDEXES = """
SELECT array_agg(a.attname::text ORDER BY k.n) AS cols
FROM pg_index i JOIN unnest(i.indkey) WITH ORDINALITY k(attnum, n) ON true
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = %s AND i.indisunique AND i.indpred IS NULL
GROUP BY i.indexrelid
"""
# A correction applied by an earlier run of a batch: of its metadata, only its album updates.
BRIEF_LOGGED_COLUMNS = (
    "id, created_at, root_job_id, album_id, entity_id, jsonb_build_object('llamaforensics', "
    "jsonb_build_object('ops', jsonb_path_query_array(metadata, "
    '\'$.llamaforensics.ops[*] ? (@.table == "albums" && @.action == "update")\'))) AS metadata'
)


class PostgresCatalog(SqlCatalog):
    """A PostgreSQL database: one connection, explicit transactions, rows locked when read."""

    refusals = (psycopg.errors.IntegrityError, psycopg.errors.DataError)

    # writes sent in :meth:`together`, their counts not checked yet
    _pending: list[tuple[psycopg.Cursor[Any], int | None, str]] | None = None

    def __init__(self, dsn: Dsn):
        self.dsn = dsn
        self.conn = connect(dsn, autocommit=False)
        # UUIDs as text: what canonical() makes of a UUID anyway
        self.conn.adapters.register_loader("uuid", TextLoader)

    def close(self) -> None:
        self.conn.close()

    def begin(self) -> None:
        pass  # psycopg opens the transaction with the first statement

    def commit(self) -> None:
        try:
            self.conn.commit()
        except psycopg.OperationalError as exc:  # lost while committing: applied or not, never half
            raise self._lost(exc) from None

    def rollback(self) -> None:
        if self.conn.closed or self.conn.broken:
            return  # the server rolled back when the connection went
        try:
            self.conn.rollback()
        except psycopg.OperationalError:
            # cannot even roll back: the connection is gone, its transaction with it
            self.conn.close()

    @contextmanager
    def together(self) -> Iterator[None]:
        """Pipeline the writes made inside: one round trip for all; their counts checked after."""
        pending: list[tuple[psycopg.Cursor[Any], int | None, str]] = []
        self._pending = pending
        try:
            with self.conn.pipeline():
                yield
        except psycopg.OperationalError as exc:
            raise self._lost(exc) from None
        finally:
            self._pending = None
        for cur, expect, what in pending:
            check_count(cur.rowcount, expect, what)

    def _write(self, sql: str, params: list[Any], expect: int | None, what: str) -> int | None:
        if self._pending is None:
            return super()._write(sql, params, expect, what)
        self._pending.append((self._run(sql, params), expect, what))
        return None

    def _execute(self, sql: str, params: list[Any]) -> int:
        return self._run(sql, params).rowcount

    def _fetch(self, sql: str, params: list[Any]) -> list[Row]:
        return self._run(sql, params, rows_as_dicts=True).fetchall()

    def _run_queries(self, queries: list[Query]) -> list[list[Row]]:
        if len(queries) < 2:
            return super()._run_queries(queries)
        try:
            with self.conn.pipeline():  # every query sent at once; the server runs them in order
                cursors = [
                    self.conn.cursor(row_factory=dict_row).execute(x.sql, x.params) for x in queries
                ]
                fetched = [cur.fetchall() for cur in cursors]
        except psycopg.OperationalError as exc:
            raise self._lost(exc) from None
        return [
            [canonical_row(x.table, r) for r in rows]
            for x, rows in zip(queries, fetched, strict=True)
        ]

    def _run(
        self, sql: str, params: list[Any], *, rows_as_dicts: bool = False
    ) -> psycopg.Cursor[Any]:
        try:
            cursor = self.conn.cursor(row_factory=dict_row) if rows_as_dicts else self.conn.cursor()
            return cursor.execute(sql, params)
        except psycopg.OperationalError as exc:
            raise self._lost(exc) from None

    def insert_many(self, table: str, rows: list[Row]) -> None:
        """Insert the rows in one statement: sent as one JSON document, made rows by the server.

        Per value, the driver's parameter adaptation cost more than the whole
        document's encoding; the server parses JSON faster than bound values.
        """
        try:
            document = json.dumps(rows, ensure_ascii=False, allow_nan=False)
        except ValueError:  # NaN or infinity: not JSON, bound as values instead
            return super().insert_many(table, rows)
        # jsonb_populate_recordset: a missing key is NULL
        cols = ", ".join(q(n) for n in insert_columns(rows))
        sql = (
            f"INSERT INTO {q(table)} ({cols}) SELECT {cols} "
            f"FROM jsonb_populate_recordset(NULL::{q(table)}, %s::jsonb)"
        )
        self._write(sql, [document], len(rows), f"{table}: expected to insert {len(rows)} row(s)")

    def _execute_many(self, sql: str, params: list[list[Any]]) -> None:
        try:
            self.conn.cursor().executemany(sql, params)  # pipelined: one round trip
        except psycopg.OperationalError as exc:
            raise self._lost(exc) from None

    def _lost(self, exc: psycopg.OperationalError) -> ConnectionFailed:
        """Return the error to raise for a lost connection (or a statement the server cancelled).

        A connection lost in the middle of a pipeline is not always marked broken
        by the driver, and cannot even roll back: it is closed here (the server
        rolls the transaction back by itself), and named by what the server said.
        """
        cause = _server_error(exc)
        first = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        state = getattr(cause, "sqlstate", None) or ""
        gone = self.conn.broken or self.conn.closed
        if gone or not state or state.startswith("08") or state in SHUTDOWN:
            self.conn.close()
            return ConnectionFailed(f"lost the connection to {self.dsn.display}: {first}")
        return ConnectionFailed(f"{self.dsn.display} stopped the correction: {first}")

    def adapt(self, table: str, column: str, value: Any) -> Any:
        if value is None:
            return None
        if column in json_columns(table):
            return Jsonb(value)
        if value.__class__ in _SCALARS:
            return value
        return Jsonb(value) if isinstance(value, dict) or _has_dicts(value) else value

    def json_text(self, key: str) -> str:
        return f"(metadata -> 'llamaforensics' ->> '{key}')"

    def _logged_columns(self, brief: bool) -> str:
        # its album updates: what a batch run again needs of a correction applied by the earlier run
        return BRIEF_LOGGED_COLUMNS if brief else "*"

    def user_exists(self, user_id: str) -> bool:
        return bool(self._fetch('SELECT 1 AS x FROM "User" WHERE id = %s', [user_id]))

    def references(self, table: str) -> list[Reference]:
        """Return every single-column foreign key into ``table``, read from pg_constraint."""
        return [
            Reference(
                r["tbl"].strip('"'),
                r["col"],
                self._key(r["relid"]),
                self._unique(r["relid"], r["col"]),
            )
            for r in self._fetch(REFERENCES_INTO, [q(table)])
        ]

    def _foreign_keys_into(self, table: str) -> list[ForeignKey]:
        return [
            ForeignKey(
                _unquoted(r["tbl"]),
                tuple(r["cols"]),
                tuple(r["target_cols"]),
                ON_DELETE.get(r["action"]) or str(r["action"]),
                self._key(r["relid"]),
            )
            for r in self._fetch(FOREIGN_KEYS_INTO, [q(table)])
        ]

    def _key(self, relid: int) -> tuple[str, ...]:
        rows = self._fetch(PRIMARY_KEY, [relid]) or self._fetch(ALL_COLUMNS, [relid])
        return tuple(r["attname"] for r in rows)

    def _unique(self, relid: int, column: str) -> tuple[tuple[str, ...], ...]:
        rows = self._fetch(UNIQUE_INDEXES, [relid])
        return tuple(tuple(r["cols"]) for r in rows if column in r["cols"])


def _unquoted(name: str) -> str:
    """Return a table name as ``regclass`` prints it, without its identifier quotes."""
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


def _server_error(exc: BaseException) -> BaseException:
    """Return what the server said about a failure (what a pipeline raised first), else ``exc``."""
    seen: BaseException | None = exc
    while seen is not None:
        if getattr(seen, "sqlstate", None):
            return seen
        seen = seen.__context__
    return exc


def _has_dicts(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)
