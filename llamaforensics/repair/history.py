"""What a correction's log rows say about it now: applied, undone, applied again.

Each application of a correction is its own CORRECTED row; the undo of an
application is a correction of its own whose id is derived from that row's id
(:func:`undo_id`), so one application is undone once, and an undo can itself
be undone the same way. An application is *in effect* unless an undo of it is
in effect. From that:

- applying a correction whose every application was undone applies it again,
  as a new logged application (a redo), prepared against the state the undo
  left (:func:`prepare_redo`);
- applying one with an application in effect is ALREADY_APPLIED;
- undoing a correction undoes its newest application in effect.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from .catalog import Catalog, Row
from .model import Correction
from .session import RepairSession

UNDO_NAMESPACE = uuid.UUID("6f1d3c2a-3b7e-4c55-9a39-7d0c1f1e5a10")


def undo_id(application_id: str) -> str:
    """Return the id of the correction undoing the application logged as row ``application_id``."""
    return str(uuid.uuid5(UNDO_NAMESPACE, str(application_id)))


def undoing(catalog: Catalog, rows: list[Row], albums: Sequence[str] = ()) -> dict[str, Row]:
    """Return, for each application in ``rows`` that is undone, the row of the undo in effect.

    One round trip per level of undo-of-undo; ``albums`` (the albums the rows are
    about) lets every lookup use the (entity_type, entity_id) index.
    """
    if not rows:
        return {}
    reverted = {undo_id(r["id"]): r["id"] for r in rows}
    found = catalog.fetch_together([catalog.logged_query(i, albums, brief=True) for i in reverted])
    undos = [(reverted[i], u) for i, batch in zip(reverted, found, strict=True) for u in batch]
    undone_undos = undoing(catalog, [u for _, u in undos], albums)
    return {target: u for target, u in undos if u["id"] not in undone_undos}


def in_effect(catalog: Catalog, rows: list[Row], albums: Sequence[str] = ()) -> list[Row]:
    """Return the applications in ``rows`` that no undo in effect has taken back."""
    undone = undoing(catalog, rows, albums)
    return [r for r in rows if r["id"] not in undone]


def prepare_redo(
    catalog: Catalog,
    session: RepairSession,
    correction: Correction,
    rows: list[Row],
    albums: Sequence[str] = (),
) -> Correction:
    """Return ``correction`` ready to apply again over what the undo of its newest application left.

    The undo restored every value the correction expects, except the write times
    (``updated_at``) it stamped: each time the correction expected is mapped to the
    one the undo wrote over the same row, and the session remembers that the
    album's time stands for the expected one (as for a write of its own), so the
    corrections prepared together with it redo in turn.
    """
    undo_row = undoing(catalog, rows[-1:], albums).get(rows[-1]["id"])
    if undo_row is None:  # undone no longer (a concurrent redo): the stale check decides
        return correction
    applied, undone = catalog.fetch_together(
        [
            catalog.select("llama_logs", {"id": rows[-1]["id"]}),
            catalog.select("llama_logs", {"id": undo_row["id"]}),
        ]
    )
    times = _write_times(_ops(applied), _ops(undone))
    for (table, row_id), (expected, written) in times.items():
        if table == "albums":
            session.remember_write(row_id, expected, written)
    by_value = {expected: written for expected, written in times.values()}
    return correction.with_expected(_replaced(correction.expected, by_value))


def _ops(rows: list[Row]) -> list[Row]:
    if not rows:
        return []
    return ((rows[0].get("metadata") or {}).get("llamaforensics") or {}).get("ops") or []


def _write_times(
    applied_ops: list[Row], undo_ops: list[Row]
) -> dict[tuple[str, Any], tuple[Any, Any]]:
    """Return, per row both updated: (the time the application replaced, the undo's time)."""
    undo_times = {
        (op["table"], op["where"].get("id")): op["after"].get("updated_at")
        for op in undo_ops
        if op["action"] == "update" and "updated_at" in op["after"]
    }
    out = {}
    for op in applied_ops:
        key = (op["table"], (op.get("where") or {}).get("id"))
        if op["action"] == "update" and "updated_at" in op["before"] and undo_times.get(key):
            out[key] = (op["before"]["updated_at"], undo_times[key])
    return out


def _replaced(value: Any, by_value: dict[Any, Any]) -> Any:
    """Return ``value`` with every write time in ``by_value`` replaced by its successor."""
    if isinstance(value, dict):
        return {k: _replaced(v, by_value) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, by_value) for v in value]
    return by_value.get(value, value) if isinstance(value, str) else value
