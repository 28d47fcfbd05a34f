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

    # -- the transaction: one per correction (or per batch, all or nothing)

    def begin(self) -> None:
        """Open the transaction the next reads, locks and writes belong to."""

    def commit(self) -> None:
        """Make the transaction's writes permanent (lost mid-way: applied or not, never half)."""

    def rollback(self) -> None:
        """Undo the transaction's writes and release its locks."""

    def close(self) -> None:
        """Close the connection (an open transaction is rolled back)."""

    # -- reads: queries are built first, so several go to the server in one round trip

    def select(
        self,
        table: str,
        where: Row,
        *,
        lock: bool = False,
        order: str | None = None,
        columns: tuple[str, ...] | None = None,
    ) -> Query:
        """Return the query of the live rows matching ``where`` (``lock``: for update)."""
        ...

    def select_in(
        self, table: str, column: str, values: list[Any], *, columns: tuple[str, ...] | None = None
    ) -> Query:
        """Return the query of the live rows whose ``column`` is one of ``values``."""
        ...

    def select_any(
        self,
        table: str,
        match: tuple[str, ...],
        values: list[tuple[Any, ...]],
        *,
        columns: tuple[str, ...] | None = None,
    ) -> Query:
        """Return the query of the live rows whose ``match`` columns equal a tuple of ``values``."""
        ...

    def fetch_together(self, queries: list[Query]) -> list[list[Row]]:
        """Run ``queries`` in order; return each one's rows as canonical values."""
        ...

    def read_ahead(
        self, queries: list[Query], rows: list[list[Row]]
    ) -> AbstractContextManager[None]:
        """Answer ``queries`` with ``rows`` (already fetched) inside the block."""
        ...

    def rows(
        self, table: str, where: Row, *, lock: bool = False, order: str | None = None
    ) -> list[Row]:
        """Return the live rows of ``table`` matching ``where``."""
        ...

    def row(self, table: str, where: Row, *, lock: bool = False) -> Row | None:
        """Return the one live row matching ``where``, or None."""
        ...

    def rows_in(self, table: str, column: str, values: list[Any]) -> list[Row]:
        """Return the live rows of ``table`` whose ``column`` is one of ``values``."""
        ...

    # -- writes: ``expect`` is how many rows the plan found; any other count is STALE

    def insert(self, table: str, row: Row) -> None:
        """Insert one row."""

    def insert_many(self, table: str, rows: list[Row]) -> None:
        """Insert rows (a column a row lacks is NULL in it)."""

    def update(
        self, table: str, where: Row, values: Row, *, expect: int | None = None
    ) -> int | None:
        """Set ``values`` on the rows matching ``where``."""
        ...

    def delete(self, table: str, where: Row, *, expect: int | None = None) -> int | None:
        """Delete the rows matching ``where`` (a snapshot copy marks them deleted)."""
        ...

    def together(self) -> AbstractContextManager[None]:
        """Send the writes made inside as one batch where the backend can; check counts after."""
        ...

    # -- what the catalog knows about itself and its log

    def references(self, table: str) -> list[Reference]:
        """Return every single-column foreign key into ``table`` (what a merge re-points)."""
        ...

    def foreign_keys_into(self, table: str) -> list[ForeignKey]:
        """Return every foreign key into ``table`` (what a delete must not reach)."""
        ...

    def logged_query(
        self, correction_id: str, albums: Sequence[str] = (), *, brief: bool = False
    ) -> Query:
        """Return the query of the CORRECTED log rows that recorded ``correction_id``."""
        ...

    def logged_correction(self, correction_id: str, albums: Sequence[str] = ()) -> Row | None:
        """Return the first CORRECTED log row that recorded ``correction_id``, if any."""
        ...

    def session_corrections(self, job_id: str) -> list[Row]:
        """Return the CORRECTED rows of repair session ``job_id``, oldest first."""
        ...

    def user_exists(self, user_id: str) -> bool:
        """Whether ``user_id`` is a "User" of the catalog (who a session is on behalf of)."""
        ...
