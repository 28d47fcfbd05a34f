"""The catalog a correction is applied to: PostgreSQL here, a snapshot copy in :mod:`.rehearse`.

The engine speaks to a :class:`Catalog` in rows (dicts of canonical values)
and a handful of generic operations; each backend turns them into its SQL.
That is what lets a rehearsal on a snapshot run the very same plan as the
real apply.
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg.types.string import TextLoader

from ..dsn import Dsn
from ..errors import ConnectionFailed
from ..snapshot.format import quote_ident as q
from .errors import StaleCorrection
from .fields import canonical_row, json_columns

# psycopg warns of each pipeline it abandons when a connection is lost; the engine raises one clear error
# for that (ConnectionFailed), so the warning reaches only those who configure logging themselves.
logging.getLogger("psycopg").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class Query:
    """A SELECT and its parameters; its rows are rows of ``table`` (made canonical as such)."""

    table: str
    sql: str
    params: list

    @property
    def key(self) -> tuple:
        return self.sql, tuple(self.params)


@dataclass(frozen=True)
class Reference:
    """A single-column foreign key into a catalog table, with the unique keys of the referencing table."""

    table: str
    column: str
    key: tuple[str, ...]  # primary key of the referencing table (all columns when it has none)
    unique: tuple[
        tuple[str, ...], ...
    ]  # unique indexes of the referencing table that include ``column``


class Catalog:
    """Generic row access; subclasses supply ``_execute`` and ``_fetch`` in their SQL dialect."""

    placeholder = "%s"
    locks = True
    _read_ahead: dict | None = (
        None  # rows of queries already run in this transaction, by (sql, params)
    )

    def rows(
        self, table: str, where: dict, *, lock: bool = False, order: str | None = None
    ) -> list[dict]:
        """Return the live rows of ``table`` matching ``where`` (NULLs matched as NULL)."""
        return self.fetch_together([self.select(table, where, lock=lock, order=order)])[0]

    def select(
        self,
        table: str,
        where: dict,
        *,
        lock: bool = False,
        order: str | None = None,
        columns: tuple[str, ...] | None = None,
    ) -> Query:
        """Return the query of :meth:`rows` (of ``columns`` only, when given), for :meth:`fetch_together`."""
        names = ", ".join(q(c) for c in columns) if columns else "*"
        sql = f"SELECT {names} FROM {q(table)} WHERE {self._where(where)}"
        sql += f" ORDER BY {order}" if order else ""
        sql += " FOR UPDATE" if lock and self.locks else ""
        return Query(table, sql, self._params(where))

    def fetch_together(self, queries: list[Query]) -> list[list[dict]]:
        """Run queries in order and return the rows of each (a backend may send them in one round trip).

        A query read ahead (:meth:`read_ahead`) is answered from what it returned.
        """
        known = self._read_ahead or {}
        todo = [x for x in queries if x.key not in known]
        ran = dict(zip((x.key for x in todo), self._run_queries(todo))) if todo else {}
        return [known[x.key] if x.key in known else ran[x.key] for x in queries]

    def _run_queries(self, queries: list[Query]) -> list[list[dict]]:
        return [
            [canonical_row(query.table, r) for r in self._fetch(query.sql, query.params)]
            for query in queries
        ]

    @contextmanager
    def read_ahead(self, queries: list[Query], rows: list[list[dict]]):
        """Answer ``queries`` with ``rows`` (fetched with others, in one round trip) until the block ends."""
        self._read_ahead = {x.key: found for x, found in zip(queries, rows)}
        try:
            yield
        finally:
            self._read_ahead = None

    def row(self, table: str, where: dict, *, lock: bool = False) -> dict | None:
        found = self.rows(table, where, lock=lock)
        return found[0] if found else None

    def rows_in(self, table: str, column: str, values: list) -> list[dict]:
        """Return the live rows of ``table`` whose ``column`` is one of ``values`` (one round trip)."""
        return self.fetch_together([self.select_in(table, column, values)])[0] if values else []

    def select_in(
        self, table: str, column: str, values: list, *, columns: tuple[str, ...] | None = None
    ) -> Query:
        """Return the query of :meth:`rows_in` (of ``columns`` only, when given)."""
        names = ", ".join(q(c) for c in columns) if columns else "*"
        marks = ", ".join([self.placeholder] * len(values))
        return Query(
            table,
            f"SELECT {names} FROM {q(table)} WHERE {q(column)} IN ({marks}){self._live()}",
            list(values),
        )

    def select_any(
        self,
        table: str,
        match: tuple[str, ...],
        values: list[tuple],
        *,
        columns: tuple[str, ...] | None = None,
    ) -> Query:
        """Return the query of the live rows whose ``match`` columns equal one ``values`` tuple."""
        if len(match) == 1:  # the usual foreign key: one IN list, not thousands of ORs
            return self.select_in(table, match[0], [v for (v,) in values], columns=columns)
        names = ", ".join(q(c) for c in columns) if columns else "*"
        one = "(" + " AND ".join(f"{q(c)} = {self.placeholder}" for c in match) + ")"
        anyone = " OR ".join([one] * len(values))
        sql = f"SELECT {names} FROM {q(table)} WHERE ({anyone}){self._live()}"
        return Query(table, sql, [v for row in values for v in row])

    def foreign_keys_into(self, table: str) -> list:
        """Return every foreign key into ``table`` (any width, any ON DELETE action), read once."""
        known = self.__dict__.setdefault("_foreign_keys", {})
        if table not in known:
            known[table] = self._foreign_keys_into(table)
        return known[table]

    def insert(self, table: str, row: dict) -> None:
        self.insert_many(table, [row])

    def insert_many(self, table: str, rows: list[dict]) -> None:
        """Insert rows (a column a row lacks is NULL in it); a backend may send them in one round trip."""
        names = insert_columns(rows)
        marks = ", ".join([self.placeholder] * len(names))
        sql = f"INSERT INTO {q(table)} ({', '.join(q(n) for n in names)}) VALUES ({marks})"
        params = [[self.adapt(table, n, row.get(n)) for n in names] for row in rows]
        self._execute_many(sql, params)

    def _execute_many(self, sql: str, params: list[list]) -> None:
        for one in params:
            self._execute(sql, one)

    def update(
        self, table: str, where: dict, values: dict, *, expect: int | None = None
    ) -> int | None:
        """Update the rows matching ``where``; with ``expect``, any other count is STALE (maybe checked later)."""
        sets = ", ".join(f"{q(n)} = {self.placeholder}" for n in values)
        params = [self.adapt(table, n, v) for n, v in values.items()] + self._params(where)
        return self._write(
            f"UPDATE {q(table)} SET {sets} WHERE {self._where(where)}",
            params,
            expect,
            f"{table}: expected to update {expect} row(s) {where}",
        )

    def delete(self, table: str, where: dict, *, expect: int | None = None) -> int | None:
        """Delete the rows matching ``where``; with ``expect``, as :meth:`update`."""
        return self._write(
            f"DELETE FROM {q(table)} WHERE {self._where(where)}",
            self._params(where),
            expect,
            f"{table}: expected to delete {expect} row(s) {where}",
        )

    def _write(self, sql: str, params: list, expect: int | None, what: str) -> int:
        found = self._execute(sql, params)
        check_count(found, expect, what)
        return found

    @contextmanager
    def together(self):
        """Run the writes made inside as one batch where the backend can (their counts checked at the end)."""
        yield

    def _where(self, where: dict) -> str:
        """Return the condition matching ``where`` (its parameters: :meth:`_params`).

        ``=`` for values and ``IS NULL`` for None, never ``IS NOT DISTINCT FROM``: that one is
        the same test, but no index can serve it, so every lookup by key scanned the table.
        """
        if not where:
            raise ValueError("refusing an unrestricted statement")
        return (
            " AND ".join(
                f"{q(n)} IS NULL" if v is None else f"{q(n)} = {self.placeholder}"
                for n, v in where.items()
            )
            + self._live()
        )

    @staticmethod
    def _params(where: dict) -> list:
        return [v for v in where.values() if v is not None]

    def _live(self) -> str:
        return ""

    def adapt(self, table: str, column: str, value):
        return value

    def logged_correction(self, correction_id: str, albums=()) -> dict | None:
        """Return the CORRECTED log row that recorded ``correction_id``, if any."""
        rows = self.fetch_together([self.logged_query(correction_id, albums)])[0]
        return rows[0] if rows else None

    def logged_query(self, correction_id: str, albums=(), *, brief: bool = False) -> Query:
        """Return the query of :meth:`logged_correction`.

        With ``albums`` (the album ids the correction is about; its row names one
        of them in entity_id, which nothing re-points) the search uses the
        (entity_type, entity_id) index instead of reading every admin correction.
        ``brief``: of its metadata, only the album updates it made (a backend may
        return the whole row anyway).
        """
        scope, params = "", [correction_id]
        if albums:
            scope = f" AND entity_type = 'ALBUM' AND entity_id IN ({', '.join([self.placeholder] * len(albums))})"
            params += list(albums)
        sql = (
            f"SELECT {self._logged_columns(brief)} FROM llama_logs WHERE operation = 'admin_correction' "
            f"AND {self.json_text('correctionId')} = {self.placeholder}{scope} ORDER BY created_at"
        )
        return Query("llama_logs", sql, params)

    def _logged_columns(self, brief: bool) -> str:
        return "*"

    def session_corrections(self, job_id: str) -> list[dict]:
        """Return the CORRECTED rows of one repair session, oldest first."""
        rows = self._fetch(
            f"SELECT * FROM llama_logs WHERE root_job_id = {self.placeholder} AND operation = 'admin_correction' "
            f"AND NOT is_root_job ORDER BY created_at, CAST({self.json_text('sequence')} AS INTEGER)",
            [job_id],
        )
        return [canonical_row("llama_logs", r) for r in rows]


class PostgresCatalog(Catalog):
    """A PostgreSQL database: one connection, explicit transactions, rows locked when read to change."""

    # What the database may refuse in a correction that passed validation (a unique clash, say):
    # reported as INVALID, the transaction rolled back.
    refusals = (psycopg.errors.IntegrityError, psycopg.errors.DataError)

    _pending: list | None = None  # writes sent in :meth:`together`, their counts not checked yet

    def __init__(self, dsn: Dsn):
        from ..snapshot.source import connect_source

        self.dsn = dsn
        self.conn = connect_source(dsn, autocommit=False)
        self.conn.adapters.register_loader(
            "uuid", TextLoader
        )  # as text: what canonical() makes of a UUID anyway

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
        except (
            psycopg.OperationalError
        ):  # cannot even roll back: the connection is gone, its transaction with it
            self.conn.close()

    @contextmanager
    def together(self):
        """Pipeline the writes made inside: one round trip for all of them; counts checked after it."""
        pending = self._pending = []
        try:
            with self.conn.pipeline():
                yield
        except psycopg.OperationalError as exc:
            raise self._lost(exc) from None
        finally:
            self._pending = None
        for cur, expect, what in pending:
            check_count(cur.rowcount, expect, what)

    def _write(self, sql: str, params: list, expect: int | None, what: str) -> int | None:
        if self._pending is None:
            return super()._write(sql, params, expect, what)
        self._pending.append((self._run(sql, params), expect, what))
        return None

    def _execute(self, sql: str, params) -> int:
        return self._run(sql, params).rowcount

    def _fetch(self, sql: str, params) -> list[dict]:
        return self._run(sql, params, row_factory=dict_row).fetchall()

    def _run_queries(self, queries: list[Query]) -> list[list[dict]]:
        if len(queries) < 2:
            return super()._run_queries(queries)
        try:
            with (
                self.conn.pipeline()
            ):  # every query sent at once; the server still runs them in order
                cursors = [
                    self.conn.cursor(row_factory=dict_row).execute(x.sql, x.params) for x in queries
                ]
                fetched = [cur.fetchall() for cur in cursors]
        except psycopg.OperationalError as exc:
            raise self._lost(exc) from None
        return [[canonical_row(x.table, r) for r in rows] for x, rows in zip(queries, fetched)]

    def _run(self, sql: str, params, row_factory=None):
        try:
            cursor = (
                self.conn.cursor(row_factory=row_factory) if row_factory else self.conn.cursor()
            )
            return cursor.execute(sql, params)
        except psycopg.OperationalError as exc:
            raise self._lost(exc) from None

    def insert_many(self, table: str, rows: list[dict]) -> None:
        """Insert the rows in one statement: sent as one JSON document, turned into rows by the server.

        Per value, the driver's parameter adaptation cost more than the whole
        document's encoding; the server parses JSON faster than bound values.
        """
        try:
            document = json.dumps(rows, ensure_ascii=False, allow_nan=False)
        except ValueError:  # NaN or infinity: not JSON, bound as values instead
            return super().insert_many(table, rows)
        cols = ", ".join(
            q(n) for n in insert_columns(rows)
        )  # jsonb_populate_recordset: a missing key is NULL
        sql = (
            f"INSERT INTO {q(table)} ({cols}) SELECT {cols} "
            f"FROM jsonb_populate_recordset(NULL::{q(table)}, %s::jsonb)"
        )
        self._write(sql, [document], len(rows), f"{table}: expected to insert {len(rows)} row(s)")

    def _execute_many(self, sql: str, params: list[list]) -> None:
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
        if (
            self.conn.broken
            or self.conn.closed
            or not state
            or state.startswith("08")
            or state in SHUTDOWN
        ):
            self.conn.close()
            return ConnectionFailed(f"lost the connection to {self.dsn.display}: {first}")
        return ConnectionFailed(f"{self.dsn.display} stopped the correction: {first}")

    def adapt(self, table: str, column: str, value):
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
        if not brief:
            return "*"
        # its album updates: what a batch run again needs of a correction applied by the earlier run
        return (
            "id, created_at, root_job_id, album_id, entity_id, jsonb_build_object('llamaforensics', "
            "jsonb_build_object('ops', jsonb_path_query_array(metadata, "
            '\'$.llamaforensics.ops[*] ? (@.table == "albums" && @.action == "update")\'))) AS metadata'
        )

    def user_exists(self, user_id: str) -> bool:
        return bool(self._fetch('SELECT 1 AS x FROM "User" WHERE id = %s', [user_id]))

    def references(self, table: str) -> list[Reference]:
        """Return every single-column foreign key into ``table``, read from pg_constraint."""
        rows = self._fetch(
            """SELECT c.conrelid::regclass::text AS tbl, a.attname AS col, c.conrelid AS relid
               FROM pg_constraint c
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
               WHERE c.contype = 'f' AND c.confrelid = to_regclass(%s) AND cardinality(c.conkey) = 1
               ORDER BY 1, 2""",
            [q(table)],
        )
        return [
            Reference(
                r["tbl"].strip('"'),
                r["col"],
                self._key(r["relid"]),
                self._unique(r["relid"], r["col"]),
            )
            for r in rows
        ]

    def _foreign_keys_into(self, table: str) -> list:
        from .dependents import ForeignKey

        rows = self._fetch(FOREIGN_KEYS_INTO, [q(table)])
        return [
            ForeignKey(
                _unquoted(r["tbl"]),
                tuple(r["cols"]),
                tuple(r["target_cols"]),
                ON_DELETE.get(r["action"], r["action"]),
                self._key(r["relid"]),
            )
            for r in rows
        ]

    def _key(self, relid) -> tuple[str, ...]:
        rows = self._fetch(
            """SELECT a.attname FROM pg_index i JOIN unnest(i.indkey) WITH ORDINALITY k(attnum, n) ON true
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
               WHERE i.indrelid = %s AND i.indisprimary ORDER BY k.n""",
            [relid],
        )
        if rows:
            return tuple(r["attname"] for r in rows)
        rows = self._fetch(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped "
            "ORDER BY attnum",
            [relid],
        )
        return tuple(r["attname"] for r in rows)

    def _unique(self, relid, column: str) -> tuple[tuple[str, ...], ...]:
        rows = self._fetch(
            """SELECT array_agg(a.attname::text ORDER BY k.n) AS cols
               FROM pg_index i JOIN unnest(i.indkey) WITH ORDINALITY k(attnum, n) ON true
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
               WHERE i.indrelid = %s AND i.indisunique AND i.indpred IS NULL
               GROUP BY i.indexrelid""",
            [relid],
        )
        return tuple(tuple(r["cols"]) for r in rows if column in r["cols"])


_SCALARS = frozenset((str, int, float, bool))
ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
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


def _unquoted(name: str) -> str:
    """Return a table name as ``regclass`` prints it, without its identifier quotes."""
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


SHUTDOWN = (
    "57P01",
    "57P02",
    "57P03",
)  # admin_shutdown (pg_terminate_backend), crash_shutdown, cannot_connect_now


def _server_error(exc: BaseException) -> BaseException:
    """Return what the server said about a failure (the error a pipeline raised first), else ``exc``."""
    seen = exc
    while seen is not None:
        if getattr(seen, "sqlstate", None):
            return seen
        seen = seen.__context__
    return exc


def insert_columns(rows: list[dict]) -> list[str]:
    """Return the columns of rows inserted together, in order of first appearance (NULL where a row lacks one)."""
    return list(dict.fromkeys(name for row in rows for name in row))


def check_count(found: int, expect: int | None, what: str) -> None:
    """Refuse as STALE a write that did not find its rows where the plan found them."""
    if expect is not None and found != expect:
        raise StaleCorrection(
            f"{what}, found {found}; the catalog changed while the correction ran"
        )


def _has_dicts(value) -> bool:
    return isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)
