"""Plan ``modify_tracks``: change fields of the album's own tracks."""

from __future__ import annotations

from ..catalog import Catalog
from ..change import AlbumState, Change
from ..fields import comparable, same_value
from ..model import ModifyTracks
from ..operation import update
from ..refusals import InvalidCorrection
from .rows import album_update, require_album


def plan_modify_tracks(catalog: Catalog, c: ModifyTracks, state: AlbumState, now: str) -> Change:
    """Update each named track's differing fields; a track not on the album is refused."""
    album = require_album(c, state)
    by_id = {t["id"]: t for t in state.tracks}
    ops = []
    for track_id, values in c.tracks.items():
        track = by_id.get(track_id)
        if track is None:
            raise InvalidCorrection(f"track {track_id} is not on album {album['id']}")
        changes = {
            f: comparable("tracks", f, v)
            for f, v in values.items()
            if not same_value("tracks", f, track[f], v)
        }
        if changes:
            before = {f: track[f] for f in changes} | {"updated_at": track["updated_at"]}
            ops.append(update("tracks", {"id": track_id}, before, changes | {"updated_at": now}))
    if ops:
        ops.append(album_update(album, {}, now))
    return Change(c, album["id"], ops, album, tracks=by_id)
