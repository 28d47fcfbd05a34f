"""Merge a duplicate album into its survivor without losing a reference or a line of history.

Every row that points at the duplicate is found from the database's own
foreign keys (``pg_constraint``; for a snapshot, the upstream DDL), never
from a list written here, and re-pointed to the survivor. Where re-pointing
would break a unique key (the survivor is already in that collection, say)
the duplicate's row is removed instead, as the app's own hand fix did; the
removed row is kept in the log for undo. The duplicate's log rows move to
the survivor (the cascade would delete them), then the duplicate is deleted.

Tracks: when both albums have tracks, the survivor's list wins and the
duplicate's tracks are removed (their log rows kept, detached); when only the
duplicate has tracks, they move to the survivor.
"""

from __future__ import annotations

from .errors import InvalidCorrection
from .model import MergeAlbums
from .operation import delete, repoint
from .plan import AlbumState, Change, album_update, require_album, track_removal


def plan_merge(catalog, c: MergeAlbums, state: AlbumState, now: str) -> Change:
    duplicate = require_album(c, state)
    survivor = catalog.row("albums", {"id": c.survivor_id}, lock=True)
    if survivor is None:
        raise InvalidCorrection(f"survivor album {c.survivor_id} does not exist")
    keep_survivor_tracks = bool(state.tracks) and bool(catalog.rows("tracks", {"album_id": survivor["id"]}))
    ops = []
    if keep_survivor_tracks:
        for track in state.tracks:
            ops += track_removal(catalog, track)
    for ref in catalog.references("albums"):
        if ref.table == "tracks" and keep_survivor_tracks:
            continue
        moved = []
        for row in catalog.rows(ref.table, {ref.column: duplicate["id"]}, order=", ".join(_q(k) for k in ref.key)):
            if _clashes(catalog, ref, row, survivor["id"]):
                ops.append(delete(ref.table, row, ref.key))
            else:
                moved.append({k: row[k] for k in ref.key})
        if moved:
            ops.append(repoint(ref.table, ref.column, duplicate["id"], survivor["id"], moved))
    ops += [album_update(survivor, {}, now), delete("albums", duplicate)]
    artists = {a["artist_id"]: catalog.row("artists", {"id": a["artist_id"]}) or {} for a in state.links}
    return Change(c, survivor["id"], ops, survivor, artists, {t["id"]: t for t in state.tracks})


def _clashes(catalog, ref, row: dict, survivor_id: str) -> bool:
    """Whether moving ``row`` to the survivor would repeat a unique key the survivor already holds."""
    for columns in ref.unique:
        where = {col: row[col] for col in columns if col != ref.column}
        if any(v is None for v in where.values()):
            continue  # NULLs never clash in a unique index
        if catalog.row(ref.table, {**where, ref.column: survivor_id}) is not None:
            return True
    return False


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
