"""Plan ``revert_correction``: the inverse of a logged correction's operations.

The rows an undo deletes are the ones the correction inserted. It is refused as
STALE when a row it would restore changed since the correction was applied. A
row the correction inserted that rows it did not write now point at (a
favourite, a similarity, a collection entry) is kept, named in the result, and
everything else is undone: no undo deletes or cascades into a row the tool did
not write.
"""

from __future__ import annotations

from typing import Any

from ..catalog import Catalog, Row
from ..change import AlbumState, Change
from ..dependents import Dependents, find_dependents
from ..fields import canonical_text
from ..model import RevertCorrection
from ..operation import Operation, inverse
from ..refusals import StaleCorrection
from .rows import detach_logs

# The log's pointer column for each table whose rows log rows are about.
LOG_POINTERS = {"albums": "album_id", "artists": "artist_id", "tracks": "track_id"}


def plan_revert_correction(
    catalog: Catalog, c: RevertCorrection, state: AlbumState, now: str
) -> Change:
    """Return the inverse of the logged operations; a row to delete that others now use is kept.

    The rows an undo deletes are the ones the correction inserted; if rows it did
    not write point at one now (a user favourited the artist it created, say),
    that row stays, the rest is undone, and the change says what was kept and why.
    """
    forward = [Operation.from_dict(d) for d in c.ops]
    deleted_later = {_row_id(op) for op in forward if op.action == "delete"}
    ops: list[Operation] = []
    stands_for: dict[str, set[Any]] = {}
    for op in reversed(forward):
        current = None
        if not (op.action == "update" and (op.table, op.where.get("id")) in deleted_later):
            # (a row the correction deleted afterwards is checked by that delete)
            current = _check_still_applied(catalog, op)
        undone = inverse(op, now)
        if undone.action == "update" and current and "updated_at" in undone.before:
            # the time it replaces is the row's own (a later write of the session may have moved it)
            undone.before = {**undone.before, "updated_at": current["updated_at"]}
        if undone.action == "delete" and undone.table in LOG_POINTERS:
            detaching = detach_logs(catalog, LOG_POINTERS[undone.table], undone.row["id"])
            ops += _not_yet_detached(ops, detaching)
        if op.action == "update" and op.table == "albums":
            stands_for.setdefault(op.where["id"], set()).add(op.before.get("updated_at"))
        ops.append(undone)
    ops, kept, kept_rows = _keep_referenced(catalog, ops)
    _count_kept_tracks(ops, kept_rows)
    tracks = {op.row["id"]: op.row for op in ops if op.table == "tracks" and op.row}
    artists = {
        op.row["artist_id"]: catalog.row("artists", {"id": op.row["artist_id"]}) or {}
        for op in ops
        if op.table == "album_artists" and op.row
    }
    change = Change(c, c.album_id, ops, state.album, artists, tracks, stands_for)
    change.kept = kept
    return change


def _not_yet_detached(ops: list[Operation], detaching: list[Operation]) -> list[Operation]:
    """Return ``detaching`` without the log rows ``ops`` already detach (as an undo's undo does)."""
    done = {
        (op.column, op.old, k["id"])
        for op in ops
        if op.action == "repoint" and op.table == "llama_logs"
        for k in op.keys
    }
    for op in detaching:
        op.keys = [k for k in op.keys if (op.column, op.old, k["id"]) not in done]
    return [op for op in detaching if op.keys]


def _keep_referenced(
    catalog: Catalog, ops: list[Operation]
) -> tuple[list[Operation], list[Dependents], list[tuple[str, Row]]]:
    """Drop the deletes of rows others still point at (and their logs' detaching), until none is.

    Return the remaining operations, what was kept and why, and the kept rows.
    """
    kept: list[Dependents] = []
    kept_rows: list[tuple[str, Row]] = []
    while dependents := find_dependents(catalog, ops):
        kept += dependents
        keep = {(d.table, _frozen(d.key)) for d in dependents}
        ids = {d.key.get("id") for d in dependents if d.table in LOG_POINTERS}
        kept_rows += [
            (op.table, op.row)
            for op in ops
            if op.action == "delete" and (op.table, _frozen(op.row_key)) in keep
        ]
        ops = [
            op
            for op in ops
            if not (op.action == "delete" and (op.table, _frozen(op.row_key)) in keep)
            and not (op.action == "repoint" and op.table == "llama_logs" and op.old in ids)
        ]
    return ops, kept, kept_rows


def _count_kept_tracks(ops: list[Operation], kept_rows: list[tuple[str, Row]]) -> None:
    """Let the track count an undo restores include the tracks it kept (they are still there)."""
    for op in ops:
        counted = op.action == "update" and op.table == "albums"
        if counted and op.after.get("track_count") is not None:
            still = sum(
                1
                for table, row in kept_rows
                if table == "tracks" and row.get("album_id") == op.where["id"]
            )
            op.after = {**op.after, "track_count": op.after["track_count"] + still}


def _row_id(op: Operation) -> tuple[str, Any]:
    return op.table, (op.row or {}).get("id")


def _frozen(key: Row) -> frozenset[tuple[str, Any]]:
    return frozenset(key.items())


def _check_still_applied(catalog: Catalog, op: Operation) -> Row | None:
    """Refuse (STALE) when the rows ``op`` wrote are no longer as it left them; return the row."""
    if op.action == "insert":
        current = catalog.row(op.table, op.row_key)
        moved = _differences(op.row, current, skip=())
    elif op.action == "delete":
        current = catalog.row(op.table, op.row_key)
        moved = {"row": current} if current is not None else {}
    elif op.action == "update":
        current = catalog.row(op.table, op.where)
        # The values it set must still be there; updated_at need not: an album's is checked through
        # expected
        # (session-aware), and a track's was rewritten by the undo of a later change of this same
        # session.
        moved = _differences(op.after, current, skip=("updated_at",))
    else:
        missing = [k for k in op.keys if catalog.row(op.table, {**k, op.column: op.new}) is None]
        moved = {"rows no longer re-pointed": missing} if missing else {}
    if moved:
        raise StaleCorrection(
            f"{op.table} {op.where or (op.row and op.row_key) or op.column} changed since the "
            f"correction was applied; undo refused",
            moved,
        )
    return current if op.action == "update" else None


def _differences(expected: Row, current: Row | None, skip: tuple[str, ...]) -> Row:
    if current is None:
        return {"row": None}
    return {
        k: current.get(k)
        for k, v in expected.items()
        if k not in skip and canonical_text(v) != canonical_text(current.get(k))
    }
