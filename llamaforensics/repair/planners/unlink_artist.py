"""Plan ``unlink_artist``: remove an artist's link to the album in a role (the artist stays)."""

from __future__ import annotations

from ..catalog import Catalog
from ..change import AlbumState, Change
from ..model import UnlinkArtist
from ..operation import delete
from .rows import album_update, require_album


def plan_unlink_artist(catalog: Catalog, c: UnlinkArtist, state: AlbumState, now: str) -> Change:
    """Delete the link; with none there, the target is already reached."""
    album = require_album(c, state)
    link = next(
        (x for x in state.links if x["artist_id"] == c.artist_id and x["role"] == c.role), None
    )
    if link is None:
        return Change(c, album["id"], [], album)
    artist = catalog.row("artists", {"id": c.artist_id}) or {"id": c.artist_id}
    return Change(
        c,
        album["id"],
        [delete("album_artists", link), album_update(album, {}, now)],
        album,
        {c.artist_id: artist},
    )
