"""Plan ``add_tracks``: insert the tracks the album lacks, at positions nobody holds."""

from __future__ import annotations

from ..catalog import Catalog
from ..change import AlbumState, Change
from ..model import AddTracks
from ..operation import insert
from ..refusals import InvalidCorrection
from .rows import album_update, new_row, require_album


def plan_add_tracks(catalog: Catalog, c: AddTracks, state: AlbumState, now: str) -> Change:
    """Insert each new track; one on another album, or at a taken position, is refused."""
    album = require_album(c, state)
    have = {t["id"] for t in state.tracks}
    taken = {(t["disc_number"], t["track_number"]): t for t in state.tracks}
    ops = []
    elsewhere = [
        t
        for t in catalog.rows_in("tracks", "id", [t["id"] for t in c.tracks])
        if t["id"] not in have
    ]
    if elsewhere:
        raise InvalidCorrection(
            f"track {elsewhere[0]['id']} already exists on album {elsewhere[0]['album_id']}"
        )
    for track in c.tracks:
        if track["id"] in have:
            continue
        pos = (track.get("disc_number", 1), track["track_number"])
        if pos in taken:
            raise InvalidCorrection(
                f"disc {pos[0]} track {pos[1]} of album {album['id']} is already "
                f"{taken[pos]['title']!r} ({taken[pos]['id']}); remove or modify it first"
            )
        ops.append(insert("tracks", new_row("tracks", {**track, "album_id": album["id"]}, now)))
    if ops:
        ops.append(album_update(album, {"track_count": len(state.tracks) + len(ops)}, now))
    return Change(c, album["id"], ops, album)
