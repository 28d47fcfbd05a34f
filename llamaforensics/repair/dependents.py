"""Rows of any table that still point at a row a correction is about to delete.

Before the engine deletes anything (a removed track, an unlinked artist, the
row an undo takes back, a merged duplicate), every foreign key into that
table is read from the database itself (``pg_constraint``; for a snapshot,
the upstream DDL), whatever its ON DELETE action: CASCADE would delete a row
the tool did not write, SET NULL would change one, RESTRICT would fail the
transaction. A row that still points at a deleted one, and that the same plan
neither deletes nor re-points itself, is a *dependent*. A correction with
dependents is refused (INVALID, naming them); an undo keeps the row instead
(see :mod:`.undo`). The rows to delete are locked first, so nobody can add a
dependent between this check and the delete.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from .catalog import Catalog, ForeignKey
from .operation import Operation


@dataclass(frozen=True)
class Dependents:
    """A row the plan deletes and the rows of other tables still pointing at it (table -> count)."""

    table: str
    key: dict
    referenced_by: dict[str, int]

    def describe(self) -> str:
        counts = ", ".join(
            f"{t} ({n} row{'s' if n != 1 else ''})" for t, n in self.referenced_by.items()
        )
        name = ", ".join(str(v) for v in self.key.values())
        return f"{self.table} {name} is referenced by {counts}"

    def to_dict(self) -> dict:
        return {"table": self.table, "key": self.key, "referencedBy": self.referenced_by}


def find_dependents(catalog: Catalog, ops: list[Operation]) -> list[Dependents]:
    """Return each row ``ops`` delete that rows the plan does not handle still point at."""
    deletes = [op for op in ops if op.action == "delete"]
    if not deletes:
        return []
    checks, queries = [], [catalog.select(op.table, op.row_key, lock=True) for op in deletes]
    for table, grouped in groupby(
        sorted(deletes, key=lambda op: op.table), key=lambda op: op.table
    ):
        group = list(grouped)
        for fk in catalog.foreign_keys_into(table):
            values = [tuple(op.row.get(c) for c in fk.target_columns) for op in group]
            checks.append((fk, group))
            queries.append(
                catalog.select_any(fk.table, fk.columns, values, columns=(*fk.key, *fk.columns))
            )
    found = catalog.fetch_together(queries)[len(deletes) :]
    handled = _handled(ops)
    counts: dict[tuple, dict[str, int]] = {}
    for (fk, group), rows in zip(checks, found, strict=True):
        for op in group:
            value = tuple(op.row.get(c) for c in fk.target_columns)
            n = sum(
                1
                for r in rows
                if tuple(r[c] for c in fk.columns) == value and not _is_handled(handled, fk, r)
            )
            if n:
                per_table = counts.setdefault((op.table, _frozen(op.row_key)), {})
                per_table[fk.table] = per_table.get(fk.table, 0) + n
    return [
        Dependents(op.table, op.row_key, counts[(op.table, _frozen(op.row_key))])
        for op in deletes
        if (op.table, _frozen(op.row_key)) in counts
    ]


def _handled(ops: list[Operation]) -> set:
    """Return the rows the plan itself deletes or re-points (they cannot be hit by a cascade)."""
    handled = set()
    for op in ops:
        if op.action == "delete":
            handled.add((op.table, None, _frozen(op.row_key)))
        elif op.action == "repoint":
            handled.update((op.table, op.column, _frozen(k)) for k in op.keys)
    return handled


def _is_handled(handled: set, fk: ForeignKey, row: dict) -> bool:
    key = _frozen({k: row[k] for k in fk.key})
    return (fk.table, None, key) in handled or any(
        (fk.table, c, key) in handled for c in fk.columns
    )


def _frozen(key: dict) -> frozenset:
    return frozenset(key.items())


def refusal(what: str, dependents: list[Dependents]) -> str:
    """Return the INVALID message of a correction whose deletes reach rows it did not write."""
    named = "; ".join(d.describe() for d in dependents)
    return (
        f"{what} would delete or change rows the tool did not write (their foreign keys "
        f"cascade, set null or restrict): {named}; nothing written"
    )
