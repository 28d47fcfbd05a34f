"""Undo a correction, or a whole repair session, from the operations its log row recorded.

Undo is itself a correction (``revert_correction``, origin ``undo``): it is
previewed, applied in one transaction and logged like any other, so history
is never deleted and an undo can be undone. It is refused as STALE when a row
it would restore changed since the correction was applied.
"""

from __future__ import annotations

import uuid

from ..dsn import Dsn
from .errors import StaleCorrection, UndoRefused
from .fields import canonical_text
from .model import RevertCorrection
from .operation import Operation, inverse
from .plan import AlbumState, Change, detach_logs
from .session import RepairSession
from .store import PostgresCatalog

UNDO_NAMESPACE = uuid.UUID("6f1d3c2a-3b7e-4c55-9a39-7d0c1f1e5a10")
LOG_POINTERS = {"albums": "album_id", "artists": "artist_id", "tracks": "track_id"}


def undo(dsn: Dsn, target: str, *, dry_run: bool = True, user_id: str | None = None,
         session: RepairSession | None = None) -> list:
    """Undo the correction with id ``target``, or every correction of the repair session ``target``."""
    from .apply import apply_to_catalog

    catalog = PostgresCatalog(dsn)
    try:
        reverts = reverts_for(catalog, target)
        return apply_to_catalog(catalog, reverts, session or RepairSession(user_id=user_id), dry_run=dry_run)
    finally:
        catalog.close()


def reverts_for(catalog, target: str) -> list[RevertCorrection]:
    """Return the corrections that undo ``target`` (a correction id or a session job id), newest first."""
    if target.startswith("llamaforensics-repair-"):
        rows = catalog.session_corrections(target)
        catalog.rollback()
        if not rows:
            raise UndoRefused(f"no correction was applied in repair session {target}")
        return [revert_of(row) for row in reversed(rows)]
    row = catalog.logged_correction(target)
    catalog.rollback()
    if row is None:
        raise UndoRefused(f"no applied correction {target} in llama_logs (give a correction id or a session job id)")
    return [revert_of(row)]


def revert_of(log_row: dict) -> RevertCorrection:
    """Return the correction that inverts the one recorded in ``log_row`` (a CORRECTED row of ours)."""
    meta = (log_row.get("metadata") or {}).get("llamaforensics") or {}
    if not meta.get("ops"):
        raise UndoRefused(f"log row {log_row['id']} records no operations to undo")
    album_id = log_row.get("entity_id") or log_row["album_id"]  # album_id moves with a later merge; entity_id stays
    after = next((op["after"]["updated_at"] for op in meta["ops"] if op["action"] == "update"
                  and op["table"] == "albums" and op["where"]["id"] == album_id), None)
    return RevertCorrection(
        id=str(uuid.uuid5(UNDO_NAMESPACE, meta["correctionId"])), album_id=album_id, reverts=meta["correctionId"],
        ops=meta["ops"], origin="undo", reason=f"undo {meta['kind']} {meta['correctionId']}",
        expected={"updated_at": after})


def plan_revert(catalog, c: RevertCorrection, state: AlbumState, now: str) -> Change:
    ops, stands_for = [], {}
    for op in reversed([Operation.from_dict(d) for d in c.ops]):
        _check_still_applied(catalog, op)
        undone = inverse(op, now)
        if undone.action == "delete" and undone.table in LOG_POINTERS:
            ops += detach_logs(catalog, LOG_POINTERS[undone.table], undone.row["id"])
        if op.action == "update" and op.table == "albums":
            stands_for.setdefault(op.where["id"], set()).add(op.before.get("updated_at"))
        ops.append(undone)
    tracks = {op.row["id"]: op.row for op in ops if op.table == "tracks" and op.row}
    artists = {op.row["artist_id"]: catalog.row("artists", {"id": op.row["artist_id"]}) or {}
               for op in ops if op.table == "album_artists" and op.row}
    return Change(c, c.album_id, ops, state.album, artists, tracks, stands_for)


def _check_still_applied(catalog, op: Operation) -> None:
    """Refuse (STALE) when the rows ``op`` wrote are no longer as it left them."""
    if op.action == "insert":
        current = catalog.row(op.table, op.row_key)
        moved = _differences(op.row, current, skip=())
    elif op.action == "delete":
        current = catalog.row(op.table, op.row_key)
        moved = {"row": current} if current is not None else {}
    elif op.action == "update":
        current = catalog.row(op.table, op.where)
        # The values it set must still be there; updated_at need not: an album's is checked through expected
        # (session-aware), and a track's was rewritten by the undo of a later change of this same session.
        moved = _differences(op.after, current, skip=("updated_at",))
    else:
        missing = [k for k in op.keys if catalog.row(op.table, {**k, op.column: op.new}) is None]
        moved = {"rows no longer re-pointed": missing} if missing else {}
    if moved:
        raise StaleCorrection(f"{op.table} {op.where or (op.row and op.row_key) or op.column} changed since the "
                              f"correction was applied; undo refused", moved)


def _differences(expected: dict, current: dict | None, skip) -> dict:
    if current is None:
        return {"row": None}
    return {k: current.get(k) for k, v in expected.items()
            if k not in skip and canonical_text(v) != canonical_text(current.get(k))}
