"""The row operations planners share: an album's stamped update, a new row, a track removed.

Every write to an album sets its ``updated_at`` (the app's ORM does the same),
a new row starts from the upstream schema's literal defaults, and a deleted
row's log rows are unhooked first so the cascade cannot take them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..catalog import Catalog, Row
from ..change import AlbumState
from ..fields import columns, comparable
from ..logbook import TRIGGERED_BY
from ..model import Correction
from ..operation import Operation, delete, repoint, update
from ..refusals import AlbumMissing

# The log's pointer column for each kind of entity a log row is about.
ENTITY_TYPES = {"album_id": "ALBUM", "artist_id": "ARTIST", "track_id": "TRACK"}


def require_album(correction: Correction, state: AlbumState) -> Row:
    """Return the album the correction is about; refuse it (SKIPPED or INVALID) when absent."""
    if state.album is None:
        raise AlbumMissing(f"album {correction.album_id} does not exist")
    return state.album


def album_update(album: Row, changes: Row, now: str) -> Operation:
    """Update album columns and ``updated_at`` (the ORM's column: every write sets it)."""
    before = {k: album[k] for k in changes} | {"updated_at": album["updated_at"]}
    return update("albums", {"id": album["id"]}, before, {**changes, "updated_at": now})


def new_row(table: str, values: Row, now: str) -> Row:
    """Return a whole new row: the upstream literal defaults, then ``values``, stamped ``now``."""
    row = dict(_defaults(table))
    row |= {"created_at": now, "updated_at": now} if "updated_at" in row else {"created_at": now}
    return row | {k: comparable(table, k, v) for k, v in values.items()}


@cache
def _defaults(table: str) -> Row:
    return {name: literal_default(col.default) for name, col in columns(table).items()}


def literal_default(default: str | None) -> Any:
    """Return the value of a column default written as a literal (None for an expression)."""
    if default is None:
        return None
    if default.startswith("'"):
        return default.strip("'")
    if default.lower() in ("true", "false"):
        return default.lower() == "true"
    return int(default) if default.lstrip("-").isdigit() else None


def detach_logs(catalog: Catalog, column: str, entity_id: str) -> list[Operation]:
    """Unhook log rows from a row about to be deleted, so the cascade cannot take them.

    Their entity_id stays (it records what each row was about), except on the
    tool's own rows: a row it wrote never points at nothing (a dangling_entity_id
    finding); its CORRECTED row still holds the deleted row whole.
    """
    own_where = {
        "entity_type": ENTITY_TYPES[column],
        "entity_id": entity_id,
        "triggered_by": TRIGGERED_BY,
    }
    pointing, own = catalog.fetch_together(
        [
            catalog.select("llama_logs", {column: entity_id}, order="id"),
            catalog.select("llama_logs", own_where, order="id"),
        ]
    )
    ops = []
    for moved, rows in ((column, pointing), ("entity_id", own)):
        if rows:
            keys = [{"id": r["id"]} for r in rows]
            ops.append(repoint("llama_logs", moved, entity_id, None, keys))
    return ops


def track_removal(catalog: Catalog, track: Row) -> list[Operation]:
    """Delete a track with its artist links, keeping its log rows."""
    ops = detach_logs(catalog, "track_id", track["id"])
    ops += [
        delete("track_artists", r)
        for r in catalog.rows("track_artists", {"track_id": track["id"]}, order="artist_id, role")
    ]
    return ops + [delete("tracks", track)]
