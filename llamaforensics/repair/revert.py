"""Undo a correction, or a whole repair session, from the operations its log row recorded.

Undo is itself a correction (``revert_correction``, origin ``undo``): it is
previewed, applied in one transaction and logged like any other, so history
is never deleted and an undo can be undone (see :mod:`.history` for how the
log tells an application, its undo and its redo apart). How the inverse is
planned, and what it keeps, is :mod:`.planners.revert_correction`.
"""

from __future__ import annotations

from ..postgres.dsn import Dsn
from .apply import apply_to_catalog
from .catalog import Catalog, Row
from .history import in_effect, undo_id
from .model import RevertCorrection
from .postgres_catalog import PostgresCatalog
from .refusals import UndoRefused
from .result import Result
from .session import SESSION_PREFIX, RepairSession


def undo(
    dsn: Dsn,
    target: str,
    *,
    dry_run: bool = True,
    user_id: str | None = None,
    session: RepairSession | None = None,
) -> list[Result]:
    """Undo the correction with id ``target``, or every correction of the repair session ``target``.

    The undo is planned by :mod:`.planners.revert_correction`.
    """
    catalog = PostgresCatalog(dsn)
    try:
        reverts = reverts_for(catalog, target)
        return apply_to_catalog(
            catalog, reverts, session or RepairSession(user_id=user_id), dry_run=dry_run
        )
    finally:
        catalog.close()


def reverts_for(catalog: Catalog, target: str) -> list[RevertCorrection]:
    """Return the corrections undoing ``target`` (a correction id or a session id), newest first.

    For a correction id: its newest application still in effect (or, when all are
    undone, its newest one, whose undo is then ALREADY_APPLIED).
    """
    if target.startswith(SESSION_PREFIX):
        rows = catalog.session_corrections(target)
        catalog.rollback()
        if not rows:
            raise UndoRefused(f"no correction was applied in repair session {target}")
        return [revert_of(row) for row in reversed(rows)]
    rows = catalog.fetch_together([catalog.logged_query(target)])[0]
    if not rows:
        catalog.rollback()
        raise UndoRefused(
            f"no applied correction {target} in llama_logs "
            "(give a correction id or a session job id)"
        )
    live = in_effect(catalog, rows, sorted({r["entity_id"] or r["album_id"] for r in rows}))
    catalog.rollback()
    return [revert_of((live or rows)[-1])]


def revert_of(log_row: Row) -> RevertCorrection:
    """Return the correction inverting the one recorded in ``log_row`` (our CORRECTED row)."""
    meta = (log_row.get("metadata") or {}).get("llamaforensics") or {}
    if not meta.get("ops"):
        raise UndoRefused(f"log row {log_row['id']} records no operations to undo")
    album_id = (
        log_row.get("entity_id") or log_row["album_id"]
    )  # album_id moves with a later merge; entity_id stays
    after = next(
        (
            op["after"]["updated_at"]
            for op in meta["ops"]
            if op["action"] == "update"
            and op["table"] == "albums"
            and op["where"]["id"] == album_id
        ),
        None,
    )
    return RevertCorrection(
        id=undo_id(log_row["id"]),
        album_id=album_id,
        reverts=meta["correctionId"],
        ops=meta["ops"],
        origin="undo",
        reason=f"undo {meta['kind']} {meta['correctionId']}",
        expected={"updated_at": after},
    )
