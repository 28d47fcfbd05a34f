"""Merge a duplicate album into its survivor without losing a reference or a line of history.

Every row that points at the duplicate is found from the database's own
foreign keys (``pg_constraint``; for a snapshot, the upstream DDL), never
from a list written here, and re-pointed to the survivor. Where re-pointing
would break a unique key of a table the tool does not model (the survivor is
already in that collection, say), the merge is refused, naming the table and
the count: a person decides, the tool never deletes such a row. Of the
duplicate's own catalog rows, an artist link the survivor already has (same
artist, same role) is dropped as a repeat (logged, undoable). The duplicate's
log rows move to the survivor (the cascade would delete them), its external ids
go to the survivor where it has none (a different one on both is refused), and
the duplicate is deleted last, once nothing points at it.

Tracks: when both albums have tracks, the survivor's list wins and the
duplicate's tracks are removed (their log rows kept, detached); when only the
duplicate has tracks, they move to the survivor.
"""

from __future__ import annotations

from ...postgres import quote_ident
from ..catalog import Catalog, Reference, Row
from ..change import AlbumState, Change
from ..fields import EXTERNAL_IDS
from ..model import MergeAlbums
from ..operation import Operation, delete, repoint, update
from ..refusals import InvalidCorrection
from .rows import album_update, require_album, track_removal

# The duplicate's own catalog rows: a repeat of what the survivor has is dropped, not refused.
DUPLICATE_OWN_ROWS = frozenset({"album_artists"})


def plan_merge_albums(catalog: Catalog, c: MergeAlbums, state: AlbumState, now: str) -> Change:
    """Move what points at the duplicate to the survivor, then delete the duplicate."""
    duplicate = require_album(c, state)
    survivor = catalog.row("albums", {"id": c.survivor_id}, lock=True)
    if survivor is None:
        raise InvalidCorrection(f"survivor album {c.survivor_id} does not exist")
    carried = carried_ids(duplicate, survivor)
    ops: list[Operation] = []
    if carried:  # off the duplicate first: the unique ones cannot be on both albums at once
        ops.append(
            update(
                "albums",
                {"id": duplicate["id"]},
                {k: duplicate[k] for k in carried},
                dict.fromkeys(carried),
            )
        )
    keep_survivor_tracks = bool(state.tracks) and bool(
        catalog.rows("tracks", {"album_id": survivor["id"]})
    )
    if keep_survivor_tracks:
        for track in state.tracks:
            ops += track_removal(catalog, track)
    ops += _repoint_references(
        catalog, duplicate["id"], survivor["id"], skip_tracks=keep_survivor_tracks
    )
    ops += [
        album_update(survivor, carried, now),
        delete("albums", {**duplicate, **dict.fromkeys(carried)}),
    ]
    artists = {
        a["artist_id"]: catalog.row("artists", {"id": a["artist_id"]}) or {} for a in state.links
    }
    return Change(c, survivor["id"], ops, survivor, artists, {t["id"]: t for t in state.tracks})


def carried_ids(duplicate: Row, survivor: Row) -> Row:
    """Return the duplicate's external ids the survivor lacks; refuse when both differ."""
    carried: Row = {}
    conflicts: list[str] = []
    for name in EXTERNAL_IDS:
        mine, theirs = duplicate.get(name), survivor.get(name)
        if mine is None:
            continue
        if theirs is None:
            carried[name] = mine
        elif str(mine).lower() != str(theirs).lower():
            conflicts.append(f"{name}: duplicate {mine}, survivor {theirs}")
    if conflicts:
        raise InvalidCorrection(
            f"album {duplicate['id']} and survivor {survivor['id']} name different releases "
            f"({'; '.join(conflicts)}); they may not be duplicates: nothing written"
        )
    return carried


def _repoint_references(
    catalog: Catalog, duplicate_id: str, survivor_id: str, *, skip_tracks: bool
) -> list[Operation]:
    """Re-point every row of every table that points at the duplicate, or refuse naming them."""
    ops: list[Operation] = []
    clashes: dict[str, int] = {}
    for ref in catalog.references("albums"):
        if ref.table == "tracks" and skip_tracks:
            continue
        moved = []
        order = ", ".join(quote_ident(k) for k in ref.key)
        for row in catalog.rows(ref.table, {ref.column: duplicate_id}, order=order):
            if not _clashes(catalog, ref, row, survivor_id):
                moved.append({k: row[k] for k in ref.key})
            elif ref.table in DUPLICATE_OWN_ROWS:
                ops.append(delete(ref.table, row, ref.key))
            else:
                name = f"{ref.table}.{ref.column}"
                clashes[name] = clashes.get(name, 0) + 1
        if moved:
            ops.append(repoint(ref.table, ref.column, duplicate_id, survivor_id, moved))
    if clashes:
        named = ", ".join(f"{t} ({n} row{'s' if n != 1 else ''})" for t, n in clashes.items())
        raise InvalidCorrection(
            f"album {duplicate_id} cannot be merged into {survivor_id}: rows of {named} point at "
            "both and cannot be re-pointed without breaking a unique key; the tool never deletes "
            "them: resolve them first; nothing written"
        )
    return ops


def _clashes(catalog: Catalog, ref: Reference, row: Row, survivor_id: str) -> bool:
    """Whether moving ``row`` to the survivor would repeat a unique key the survivor holds."""
    for columns in ref.unique:
        where = {col: row[col] for col in columns if col != ref.column}
        if any(v is None for v in where.values()):
            continue  # NULLs never clash in a unique index
        if catalog.row(ref.table, {**where, ref.column: survivor_id}) is not None:
            return True
    return False
