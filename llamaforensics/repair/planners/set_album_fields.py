"""Plan ``set_album_fields``: set album columns; an id another album holds is refused, naming it."""

from __future__ import annotations

from ..catalog import Catalog
from ..change import AlbumState, Change
from ..fields import ALBUM_UNIQUE_FIELDS, comparable, same_value
from ..model import SetAlbumFields
from ..refusals import InvalidCorrection
from .rows import album_update, require_album


def plan_set_album_fields(
    catalog: Catalog, c: SetAlbumFields, state: AlbumState, now: str
) -> Change:
    """Update the fields whose value differs; refuse an external id that is another album's."""
    album = require_album(c, state)
    changes = {
        f: comparable("albums", f, v)
        for f, v in c.fields.items()
        if not same_value("albums", f, album[f], v)
    }
    for name in ALBUM_UNIQUE_FIELDS:
        if changes.get(name) is not None:
            other = next(
                (
                    a
                    for a in catalog.rows("albums", {name: changes[name]})
                    if a["id"] != album["id"]
                ),
                None,
            )
            if other:
                raise InvalidCorrection(
                    f"{name} {changes[name]} already belongs to album {other['id']} "
                    f"({other['title']!r}); if they are the same release, merge them "
                    "(merge_albums) instead"
                )
    return Change(c, album["id"], [album_update(album, changes, now)] if changes else [], album)
