"""The SQL both catalog backends share: rows read and written through generic statements.

A backend (:mod:`.postgres_catalog`, :mod:`.snapshot_catalog`) supplies how a
statement runs (``_execute``, ``_fetch``) and what its dialect spells
differently (placeholders, row locks, JSON access, soft deletes); everything
else a :class:`~.catalog.Catalog` offers is written once, here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..postgres import quote_ident as q
from .catalog import ForeignKey, Query, Reference, Row
from .fields import canonical_row
from .refusals import StaleCorrection


class SqlCatalog(ABC):
    """Generic row access; subclasses supply ``_execute`` and ``_fetch`` in their SQL dialect."""

    placeholder = "%s"
    locks = True
    refusals: tuple[type[Exception], ...] = ()
    # rows of queries already run in this transaction, by (sql, params)
    _read_ahead: dict[tuple[str, tuple[Any, ...]], list[Row]] | None = None

    @abstractmethod
    def begin(self) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _execute(self, sql: str, params: list[Any]) -> int:
        """Run a write and return how many rows it touched."""

    @abstractmethod
    def _fetch(self, sql: str, params: list[Any]) -> list[Row]:
        """Run a query and return its rows as they come from the backend."""

    @abstractmethod
    def json_text(self, key: str) -> str:
        """Return the SQL for the text of ``metadata.llamaforensics.<key>`` of a log row."""

    @abstractmethod
    def references(self, table: str) -> list[Reference]: ...

    @abstractmethod
    def _foreign_keys_into(self, table: str) -> list[ForeignKey]: ...

    @abstractmethod
    def user_exists(self, user_id: str) -> bool: ...

    def rows(
        self, table: str, where: Row, *, lock: bool = False, order: str | None = None
    ) -> list[Row]:
        """Return the live rows of ``table`` matching ``where`` (NULLs matched as NULL)."""
        return self.fetch_together([self.select(table, where, lock=lock, order=order)])[0]

    def select(
        self,
        table: str,
        where: Row,
        *,
        lock: bool = False,
        order: str | None = None,
        columns: tuple[str, ...] | None = None,
    ) -> Query:
        """Return the query of :meth:`rows` (of ``columns`` only, when given)."""
        names = ", ".join(q(c) for c in columns) if columns else "*"
        sql = f"SELECT {names} FROM {q(table)} WHERE {self._where(where)}"
        sql += f" ORDER BY {order}" if order else ""
        sql += " FOR UPDATE" if lock and self.locks else ""
        return Query(table, sql, self._params(where))

    def fetch_together(self, queries: list[Query]) -> list[list[Row]]:
        """Run queries in order and return the rows of each (maybe in one round trip).

        A query read ahead (:meth:`read_ahead`) is answered from what it returned.
        """
        known = self._read_ahead or {}
        todo = [x for x in queries if x.key not in known]
        ran = dict(zip((x.key for x in todo), self._run_queries(todo), strict=True)) if todo else {}
        return [known[x.key] if x.key in known else ran[x.key] for x in queries]

    def _run_queries(self, queries: list[Query]) -> list[list[Row]]:
        return [
            [canonical_row(query.table, r) for r in self._fetch(query.sql, query.params)]
            for query in queries
        ]

    @contextmanager
    def read_ahead(self, queries: list[Query], rows: list[list[Row]]) -> Iterator[None]:
        """Answer ``queries`` with ``rows`` (fetched with others in one round trip) in the block."""
        self._read_ahead = {x.key: found for x, found in zip(queries, rows, strict=True)}
        try:
            yield
        finally:
            self._read_ahead = None

    def row(self, table: str, where: Row, *, lock: bool = False) -> Row | None:
        found = self.rows(table, where, lock=lock)
        return found[0] if found else None

    def rows_in(self, table: str, column: str, values: list[Any]) -> list[Row]:
        """Return the live rows of ``table`` whose ``column`` is one of ``values`` (one trip)."""
        return self.fetch_together([self.select_in(table, column, values)])[0] if values else []

    def select_in(
        self, table: str, column: str, values: list[Any], *, columns: tuple[str, ...] | None = None
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
        values: list[tuple[Any, ...]],
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

    def foreign_keys_into(self, table: str) -> list[ForeignKey]:
        """Return every foreign key into ``table`` (any width, any ON DELETE action), read once."""
        known = self.__dict__.setdefault("_foreign_keys", {})
        if table not in known:
            known[table] = self._foreign_keys_into(table)
        return known[table]

    def insert(self, table: str, row: Row) -> None:
        self.insert_many(table, [row])

    def insert_many(self, table: str, rows: list[Row]) -> None:
        """Insert rows (a column a row lacks is NULL in it); maybe in one round trip."""
        names = insert_columns(rows)
        marks = ", ".join([self.placeholder] * len(names))
        sql = f"INSERT INTO {q(table)} ({', '.join(q(n) for n in names)}) VALUES ({marks})"
        params = [[self.adapt(table, n, row.get(n)) for n in names] for row in rows]
        self._execute_many(sql, params)

    def _execute_many(self, sql: str, params: list[list[Any]]) -> None:
        for one in params:
            self._execute(sql, one)

    def update(
        self, table: str, where: Row, values: Row, *, expect: int | None = None
    ) -> int | None:
        """Update the rows matching ``where``; with ``expect``, any other count is STALE.

        (A backend batching writes in :meth:`together` checks the count at the end.)
        """
        sets = ", ".join(f"{q(n)} = {self.placeholder}" for n in values)
        params = [self.adapt(table, n, v) for n, v in values.items()] + self._params(where)
        return self._write(
            f"UPDATE {q(table)} SET {sets} WHERE {self._where(where)}",
            params,
            expect,
            f"{table}: expected to update {expect} row(s) {where}",
        )

    def delete(self, table: str, where: Row, *, expect: int | None = None) -> int | None:
        """Delete the rows matching ``where``; with ``expect``, as :meth:`update`."""
        return self._write(
            f"DELETE FROM {q(table)} WHERE {self._where(where)}",
            self._params(where),
            expect,
            f"{table}: expected to delete {expect} row(s) {where}",
        )

    def _write(self, sql: str, params: list[Any], expect: int | None, what: str) -> int | None:
        found = self._execute(sql, params)
        check_count(found, expect, what)
        return found

    @contextmanager
    def together(self) -> Iterator[None]:
        """Run the writes made inside as one batch where the backend can (counts checked after)."""
        yield

    def _where(self, where: Row) -> str:
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
    def _params(where: Row) -> list[Any]:
        return [v for v in where.values() if v is not None]

    def _live(self) -> str:
        return ""

    def adapt(self, table: str, column: str, value: Any) -> Any:
        """Return ``value`` as the backend's driver takes it for ``table.column``."""
        return value

    def logged_correction(self, correction_id: str, albums: Sequence[str] = ()) -> Row | None:
        """Return the CORRECTED log row that recorded ``correction_id``, if any."""
        rows = self.fetch_together([self.logged_query(correction_id, albums)])[0]
        return rows[0] if rows else None

    def logged_query(
        self, correction_id: str, albums: Sequence[str] = (), *, brief: bool = False
    ) -> Query:
        """Return the query of :meth:`logged_correction`.

        With ``albums`` (the album ids the correction is about; its row names one
        of them in entity_id, which nothing re-points) the search uses the
        (entity_type, entity_id) index instead of reading every admin correction.
        ``brief``: of its metadata, only the album updates it made (a backend may
        return the whole row anyway).
        """
        scope, params = "", [correction_id]
        if albums:
            marks = ", ".join([self.placeholder] * len(albums))
            scope = f" AND entity_type = 'ALBUM' AND entity_id IN ({marks})"
            params += list(albums)
        sql = (
            f"SELECT {self._logged_columns(brief)} FROM llama_logs "
            f"WHERE operation = 'admin_correction' "
            f"AND {self.json_text('correctionId')} = {self.placeholder}{scope} ORDER BY created_at"
        )
        return Query("llama_logs", sql, params)

    def _logged_columns(self, brief: bool) -> str:
        return "*"

    def session_corrections(self, job_id: str) -> list[Row]:
        """Return the CORRECTED rows of one repair session, oldest first."""
        rows = self._fetch(
            f"SELECT * FROM llama_logs WHERE root_job_id = {self.placeholder} "
            "AND operation = 'admin_correction' AND NOT is_root_job "
            f"ORDER BY created_at, CAST({self.json_text('sequence')} AS INTEGER)",
            [job_id],
        )
        return [canonical_row("llama_logs", r) for r in rows]


def insert_columns(rows: list[Row]) -> list[str]:
    """Return the columns of rows inserted together, in order of first appearance.

    (A row that lacks one of them gets NULL there.)
    """
    return list(dict.fromkeys(name for row in rows for name in row))


def check_count(found: int, expect: int | None, what: str) -> None:
    """Refuse as STALE a write that did not find its rows where the plan found them."""
    if expect is not None and found != expect:
        raise StaleCorrection(
            f"{what}, found {found}; the catalog changed while the correction ran"
        )
