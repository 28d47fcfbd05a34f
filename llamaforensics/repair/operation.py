"""Row operations: what a correction does to the catalog, as data to log, replay and invert.

A correction is planned into a list of :class:`Operation` s (insert, delete,
update, repoint). The same list is executed on PostgreSQL or on a snapshot,
written into the CORRECTED log row, and inverted for undo: an insert undoes
a delete, an update swaps before and after, a repoint moves the same rows
back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from .catalog import Catalog, Row

ROW_KEYS = {
    "albums": ("id",),
    "artists": ("id",),
    "tracks": ("id",),
    "llama_logs": ("id",),
    "album_artists": ("album_id", "artist_id", "role"),
    "track_artists": ("track_id", "artist_id", "role"),
}


@dataclass
class Operation:
    """One row operation; which fields it carries depends on its ``action``.

    The payload fields are typed ``Any``: an operation is also read back, as is,
    from the JSON of a log row (undo, replay), and each action fills only its own.
    """

    action: str  # insert | delete | update | repoint
    table: str
    row: Any = None  # insert, delete: the full row (a dict)
    key: list[str] | None = None  # insert, delete: the columns naming the row
    where: Any = None  # update: the row's key (a dict)
    before: Any = None  # update: the changed columns' old values (a dict)
    after: Any = None  # update: their new values (a dict)
    column: Any = None  # repoint: the column moved (a str)
    old: Any = None  # repoint: the value it had
    new: Any = None  # repoint: the value it gets
    keys: Any = None  # repoint: the rows moved (a list of their keys)

    def to_dict(self) -> dict[str, Any]:
        # Shallow (rows are shared, not copied): asdict's deep copy was the engine's costliest step.
        return {
            name: v
            for name in _FIELD_NAMES
            if (v := getattr(self, name)) is not None or name in ("old", "new")
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Operation:
        return cls(**data)

    @property
    def row_key(self) -> dict[str, Any]:
        return {k: self.row[k] for k in self.key or ROW_KEYS[self.table]}


_FIELD_NAMES = tuple(f.name for f in fields(Operation))


def insert(table: str, row: Row, key: Sequence[str] | None = None) -> Operation:
    return Operation("insert", table, row=row, key=list(key or ROW_KEYS[table]))


def delete(table: str, row: Row, key: Sequence[str] | None = None) -> Operation:
    return Operation("delete", table, row=row, key=list(key or ROW_KEYS[table]))


def update(table: str, where: Row, before: Row, after: Row) -> Operation:
    return Operation("update", table, where=where, before=before, after=after)


def repoint(table: str, column: str, old: Any, new: Any, keys: list[Row]) -> Operation:
    return Operation("repoint", table, column=column, old=old, new=new, keys=keys)


def execute(catalog: Catalog, op: Operation) -> None:
    """Run one operation; a row that is not where the plan found it aborts the correction as STALE.

    Each statement must touch exactly one row; the catalog checks it (at once,
    or at the end of a :meth:`together` batch).
    """
    if op.action == "insert":
        catalog.insert(op.table, op.row)
    elif op.action == "delete":
        catalog.delete(op.table, op.row_key, expect=1)
    elif op.action == "update":
        catalog.update(op.table, op.where, op.after, expect=1)
    else:
        for k in op.keys:
            catalog.update(op.table, {**k, op.column: op.old}, {op.column: op.new}, expect=1)


def execute_all(catalog: Catalog, ops: list[Operation]) -> None:
    """Run operations in order; consecutive inserts of one shape into one table go together."""
    i = 0
    while i < len(ops):
        op = ops[i]
        if op.action != "insert":
            execute(catalog, op)
            i += 1
            continue
        j = i + 1
        while j < len(ops) and _same_insert(ops[j], op):
            j += 1
        catalog.insert_many(op.table, [o.row for o in ops[i:j]])
        i = j


def _same_insert(op: Operation, first: Operation) -> bool:
    return op.action == "insert" and op.table == first.table and op.row.keys() == first.row.keys()


def inverse(op: Operation, now: str) -> Operation:
    """Return the operation undoing ``op`` (an undone update's ``updated_at`` becomes ``now``)."""
    if op.action == "insert":
        return delete(op.table, op.row, op.key)
    if op.action == "delete":
        return insert(op.table, op.row, op.key)
    if op.action == "update":
        restored = {**op.before, **({"updated_at": now} if "updated_at" in op.before else {})}
        return update(op.table, op.where, op.after, restored)
    return repoint(op.table, op.column, op.new, op.old, op.keys)
