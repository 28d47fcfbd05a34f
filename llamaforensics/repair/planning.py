"""Plan a correction: its kind's planner, then the checks and stamps every correction shares.

Each kind of correction has its planner in :mod:`.planners` (one module per
kind, listed in :data:`PLANNERS`); ``album_changes`` is planned here, as its
parts one after the other. :func:`plan` then refuses a change whose deletes
would reach rows it does not handle (:mod:`.dependents`) and stamps the album
as the app's own admin correction does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .catalog import Catalog
from .change import AlbumState, Change
from .dependents import find_dependents, refusal
from .model import AlbumChanges, Correction
from .operation import Operation, update
from .planners.add_tracks import plan_add_tracks
from .planners.link_artist import plan_link_artist
from .planners.merge_albums import plan_merge_albums
from .planners.modify_tracks import plan_modify_tracks
from .planners.remove_tracks import plan_remove_tracks
from .planners.revert_correction import plan_revert_correction
from .planners.set_album_fields import plan_set_album_fields
from .planners.set_tracks import plan_set_tracks
from .planners.unlink_artist import plan_unlink_artist
from .refusals import InvalidCorrection

Planner = Callable[[Catalog, Any, AlbumState, str], Change]

# The planner of each kind of correction (album_changes: :func:`_plan_album_changes`).
PLANNERS: dict[str, Planner] = {
    "set_album_fields": plan_set_album_fields,
    "add_tracks": plan_add_tracks,
    "set_tracks": plan_set_tracks,
    "remove_tracks": plan_remove_tracks,
    "modify_tracks": plan_modify_tracks,
    "link_artist": plan_link_artist,
    "unlink_artist": plan_unlink_artist,
    "merge_albums": plan_merge_albums,
    "revert_correction": plan_revert_correction,
}

# What the app's own admin correction leaves on every album it corrects (its apply service).
ADMIN_STAMP = {"data_quality": "HIGH", "enrichment_status": "COMPLETED"}


def plan(catalog: Catalog, correction: Correction, state: AlbumState, now: str) -> Change:
    """Return the operations that take the album from ``state`` to the correction's target.

    Refused (INVALID) when a row it deletes is still referenced by rows it does not
    handle itself (:mod:`.dependents`); an undo decides for itself (it keeps such rows).
    A correction that changes anything leaves the album as the app's admin correction
    does: data_quality HIGH, enrichment_status COMPLETED, unless the correction sets
    them itself (a manifest carrying a dev copy's values, say).
    """
    change = _plan(catalog, correction, state, now)
    if correction.kind == "revert_correction" or change.empty:
        return change
    dependents = find_dependents(catalog, change.ops)
    if dependents:
        what = f"this {correction.kind} of album {correction.album_id}"
        raise InvalidCorrection(refusal(what, dependents))
    _stamp_admin_correction(change)
    return change


def _plan(catalog: Catalog, correction: Correction, state: AlbumState, now: str) -> Change:
    if isinstance(correction, AlbumChanges):
        return _plan_album_changes(catalog, correction, state, now)
    return PLANNERS[correction.kind](catalog, correction, state, now)


def _stamp_admin_correction(change: Change) -> None:
    """Set what the app's admin correction sets on the album, unless the correction names it."""
    stamp = next(
        (
            op
            for op in change.ops
            if op.action == "update" and op.table == "albums" and op.where["id"] == change.album_id
        ),
        None,
    )
    if stamp is None or change.album is None:
        return
    named = _named_album_fields(change.correction)
    added = {
        k: v
        for k, v in ADMIN_STAMP.items()
        if k not in stamp.after and k not in named and change.album.get(k) != v
    }
    stamp.before = {**{k: change.album.get(k) for k in added}, **stamp.before}
    stamp.after = {**added, **stamp.after}
    change.stamped = set(added)


def _named_album_fields(correction: Correction) -> set[str]:
    """Return the album fields a correction sets, changed or not (a manifest naming dev's)."""
    parts = getattr(correction, "parts", None) or [correction]
    return {name for part in parts for name in (getattr(part, "fields", None) or {})}


def _plan_album_changes(catalog: Catalog, c: AlbumChanges, state: AlbumState, now: str) -> Change:
    """Plan the parts as if applied one after the other; update the album row once, with all."""
    current = AlbumState(
        dict(state.album) if state.album else None, list(state.tracks), list(state.links)
    )
    parts: list[Change] = []
    for part in c.parts:
        parts.append(_plan(catalog, part, current, now))
        _advance(current, parts[-1].ops)
    ops: list[Operation] = []
    stamp: Operation | None = None
    for op in (op for part in parts for op in part.ops):
        if op.action == "update" and op.table == "albums" and op.where == {"id": c.album_id}:
            if stamp is None:
                stamp = update("albums", op.where, dict(op.before), dict(op.after))
                ops.append(stamp)
            else:  # the value before comes from the state, after from the last part that sets it
                stamp.before = {**op.before, **stamp.before}
                stamp.after = {**stamp.after, **op.after}
            continue
        ops.append(op)
    change = Change(c, c.album_id, ops, state.album)
    for done in parts:
        change.artists |= done.artists
        change.tracks |= done.tracks
        change.track_list = done.track_list or change.track_list
        for album, values in done.stands_for.items():
            change.stands_for.setdefault(album, set()).update(values)
    return change


def _advance(state: AlbumState, ops: list[Operation]) -> None:
    """Bring the in-memory ``state`` to where ``ops`` take the album (the next part's start)."""
    for op in ops:
        if (
            op.table == "albums"
            and op.action == "update"
            and state.album
            and op.where["id"] == state.album["id"]
        ):
            state.album = {**state.album, **op.after}
        elif op.table in ("tracks", "album_artists") and op.action in (
            "insert",
            "delete",
            "update",
        ):
            rows = state.tracks if op.table == "tracks" else state.links
            if op.action == "insert":
                rows.append(op.row)
            elif op.action == "delete":
                rows[:] = [r for r in rows if any(r.get(k) != v for k, v in op.row_key.items())]
            else:
                rows[:] = [
                    {**r, **op.after} if all(r.get(k) == v for k, v in op.where.items()) else r
                    for r in rows
                ]
