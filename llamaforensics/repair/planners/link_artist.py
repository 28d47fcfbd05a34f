"""Plan ``link_artist``: link an artist to the album in a role, creating the artist if asked."""

from __future__ import annotations

from ..catalog import Catalog
from ..change import AlbumState, Change
from ..model import LinkArtist
from ..operation import insert
from ..refusals import InvalidCorrection
from .rows import album_update, new_row, require_album


def plan_link_artist(catalog: Catalog, c: LinkArtist, state: AlbumState, now: str) -> Change:
    """Insert the link (and ``new_artist`` when the artist does not exist yet)."""
    album = require_album(c, state)
    artist = catalog.row("artists", {"id": c.artist_id})
    ops = []
    if artist is None:
        if c.new_artist is None:
            raise InvalidCorrection(
                f"artist {c.artist_id} does not exist; give new_artist to create it"
            )
        artist = new_row("artists", c.new_artist, now)
        ops.append(insert("artists", artist))
    if not any(link["artist_id"] == c.artist_id and link["role"] == c.role for link in state.links):
        link = {
            "album_id": album["id"],
            "artist_id": c.artist_id,
            "role": c.role,
            "position": c.position,
        }
        ops.append(insert("album_artists", link))
    if ops:
        ops.append(album_update(album, {}, now))
    return Change(c, album["id"], ops, album, {artist["id"]: artist})
