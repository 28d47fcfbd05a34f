"""Plan ``remove_tracks``: delete tracks with their artist links, their log rows kept."""

from __future__ import annotations

from ..catalog import Catalog
from ..change import AlbumState, Change
from ..model import RemoveTracks
from ..operation import Operation
from ..refusals import InvalidCorrection
from .rows import album_update, require_album, track_removal


def plan_remove_tracks(catalog: Catalog, c: RemoveTracks, state: AlbumState, now: str) -> Change:
    """Remove the album's tracks named; one on another album is refused, one gone is skipped."""
    album = require_album(c, state)
    by_id = {t["id"]: t for t in state.tracks}
    ops: list[Operation] = []
    for track_id in c.track_ids:
        if track_id not in by_id:
            elsewhere = catalog.row("tracks", {"id": track_id})
            if elsewhere:
                raise InvalidCorrection(
                    f"track {track_id} belongs to album {elsewhere['album_id']}, not {album['id']}"
                )
            continue
        ops += track_removal(catalog, by_id[track_id])
    if ops:
        count = len(state.tracks) - len(set(c.track_ids) & set(by_id))
        ops.append(album_update(album, {"track_count": count}, now))
    return Change(c, album["id"], ops, album)
