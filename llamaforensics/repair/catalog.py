"""The catalog a correction is written through, declared: what the engine asks of a backend.

The engine plans and applies corrections against a :class:`Catalog`: rows as
dicts of canonical values, a handful of generic reads and writes, explicit
transactions. Two backends implement it on one shared SQL base
(:class:`~.sql_catalog.SqlCatalog`): PostgreSQL
(:class:`~.postgres_catalog.PostgresCatalog`, the real apply) and a snapshot
copy (:class:`~.snapshot_catalog.SnapshotCatalog`, a rehearsal). That is what
lets a rehearsal run the very same plan as the real apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

Row = dict[str, Any]


@dataclass(frozen=True)
class Query:
    """A SELECT and its parameters; its rows are rows of ``table`` (made canonical as such)."""

    table: str
    sql: str
    params: list[Any]

    @property
    def key(self) -> tuple[str, tuple[Any, ...]]:
        return self.sql, tuple(self.params)


@dataclass(frozen=True)
class Reference:
    """A single-column foreign key into a catalog table, with its table's unique keys."""

    table: str
    column: str
    key: tuple[str, ...]  # primary key of the referencing table (all columns when it has none)
    unique: tuple[tuple[str, ...], ...]  # its unique indexes that include ``column``


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key ``table(columns)`` -> ``target(target_columns)``; ``key`` names a row."""

    table: str
    columns: tuple[str, ...]
    target_columns: tuple[str, ...]
    on_delete: str
    key: tuple[str, ...]


class Catalog(Protocol):
    """What repair reads and writes a catalog through (PostgreSQL, or a snapshot copy).

    Every write happens inside a transaction the engine opens with :meth:`begin`
    and ends with :meth:`commit` or :meth:`rollback`; a write that does not
    touch the rows the plan expects raises
    :class:`~.refusals.StaleCorrection`.
    """

    @property
    def refusals(self) -> tuple[type[Exception], ...]:
        """What the backend may refuse in a correction that passed validation (a unique clash).

        Reported as INVALID, the transaction rolled back.
        """
        ...

    def begin(self) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...

    def select(
        self,
        table: str,
        where: Row,
        *,
        lock: bool = False,
        order: str | None = None,
        columns: tuple[str, ...] | None = None,
    ) -> Query: ...

    def select_in(
        self, table: str, column: str, values: list[Any], *, columns: tuple[str, ...] | None = None
    ) -> Query: ...

    def select_any(
        self,
        table: str,
        match: tuple[str, ...],
        values: list[tuple[Any, ...]],
        *,
        columns: tuple[str, ...] | None = None,
    ) -> Query: ...

    def fetch_together(self, queries: list[Query]) -> list[list[Row]]: ...

    def read_ahead(
        self, queries: list[Query], rows: list[list[Row]]
    ) -> AbstractContextManager[None]: ...

    def rows(
        self, table: str, where: Row, *, lock: bool = False, order: str | None = None
    ) -> list[Row]: ...

    def row(self, table: str, where: Row, *, lock: bool = False) -> Row | None: ...

    def rows_in(self, table: str, column: str, values: list[Any]) -> list[Row]: ...

    def insert(self, table: str, row: Row) -> None: ...

    def insert_many(self, table: str, rows: list[Row]) -> None: ...

    def update(
        self, table: str, where: Row, values: Row, *, expect: int | None = None
    ) -> int | None: ...

    def delete(self, table: str, where: Row, *, expect: int | None = None) -> int | None: ...

    def together(self) -> AbstractContextManager[None]: ...

    def references(self, table: str) -> list[Reference]: ...

    def foreign_keys_into(self, table: str) -> list[ForeignKey]: ...

    def logged_query(
        self, correction_id: str, albums: Sequence[str] = (), *, brief: bool = False
    ) -> Query: ...

    def logged_correction(self, correction_id: str, albums: Sequence[str] = ()) -> Row | None: ...

    def session_corrections(self, job_id: str) -> list[Row]: ...

    def user_exists(self, user_id: str) -> bool: ...
