"""Which catalog columns a correction may touch, their app (camelCase) names, and canonical values.

Rows read from PostgreSQL (psycopg) and from a snapshot (DuckDB) come back
with different Python types; :func:`canonical` turns both into the same
JSON-ready values, so expected states, log metadata and rehearsal
comparisons agree whichever database a row came from.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from ..schema import Column, upstream_tables
from ..schema.app_fields import ALBUM_FIELDS, app_name

# Album columns that must be unique across albums: a clash names the other album.
ALBUM_UNIQUE_FIELDS = ("musicbrainz_id", "spotify_id", "deezer_id")

# The album columns naming the release in another catalog (MusicBrainz, Spotify, Deezer, Discogs).
EXTERNAL_IDS = tuple(
    name
    for name, (_, group) in ALBUM_FIELDS.items()
    if group == "externalIds" and name.endswith("_id")
)

# Columns only the engine sets: the row's identity, its album, and the ORM's bookkeeping times.
ENGINE_COLUMNS = frozenset({"id", "album_id", "created_at", "updated_at"})

# Columns never read into states nor compared: derived by the app, rebuilt by it.
SKIPPED_COLUMNS = frozenset({"search_vector"})


@cache
def columns(table: str) -> dict[str, Column]:
    """Return the upstream columns of ``table`` by name ({} for a table upstream.sql lacks)."""
    known = upstream_tables().get(table)
    return (
        {} if known is None else {c.name: c for c in known.columns if c.name not in SKIPPED_COLUMNS}
    )


def settable_columns(table: str) -> tuple[str, ...]:
    """Return the columns of ``table`` a correction may give: each upstream column but the engine's.

    Read from the upstream DDL, so a column the app adds can be set as soon as upstream.sql has it.
    """
    return tuple(name for name in columns(table) if name not in ENGINE_COLUMNS)


@cache
def column_of(table: str) -> dict[str, str]:
    """Return the column each of the app's names for ``table`` stands for (``trackNumber``).

    Both spellings are accepted (``track_number`` too): the map is derived from the table's columns.
    """
    names = {}
    for column in columns(table):
        names[app_name(column)] = names[column] = column
    return names


ALBUM_COLUMNS = settable_columns("albums")  # what a SetAlbumFields (a manifest's updates) may set
TRACK_FIELDS = settable_columns("tracks")  # what a new or modified track may give
ARTIST_FIELDS = settable_columns("artists")  # what a new artist may give
# A new row may also carry its own times (a dev copy's row keeps its history); without them it
# gets the time of the write that inserts it (the ORM's rule: every write sets updated_at).
NEW_ROW_ONLY = ("created_at", "updated_at")


def canonical(value: Any) -> Any:
    """Return ``value`` as plain JSON data: uuid and dates as ISO text, times to the ms."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    return str(value)


def comparable(table: str, column: str, value: Any) -> Any:
    """Return ``value`` of ``table.column`` as canonical data, spelled one way whatever wrote it.

    A file says ``2024-03-02T00:00:00`` where the database gives ``...00.000``,
    an upper-case UUID, ``1`` for a double precision ``1.0``: compared as is, they
    would look changed.
    """
    column_type = getattr(columns(table).get(column), "pg_type", "")
    if isinstance(value, str) and column_type == "UUID":
        return value.lower()
    if isinstance(value, str) and column_type.startswith("TIMESTAMP"):
        try:
            return canonical(datetime.fromisoformat(value.removesuffix("Z")))
        except ValueError:
            return value
    if isinstance(value, int) and not isinstance(value, bool) and column_type == "DOUBLE PRECISION":
        return float(value)
    return canonical(value)


def same_value(table: str, column: str, a: Any, b: Any) -> bool:
    """Whether two values of ``table.column`` are the same (see :func:`comparable`)."""
    if a.__class__ is b.__class__ and a == b:  # most values: compared as they came (no JSON text)
        return True
    return canonical_text(comparable(table, column, a)) == canonical_text(
        comparable(table, column, b)
    )


_PLAIN = frozenset((bool, int, float))


@cache
def json_columns(table: str) -> frozenset[str]:
    return frozenset(name for name, col in columns(table).items() if col.pg_type == "JSONB")


def canonical_row(table: str, row: dict) -> dict:
    """Return a row of ``table`` as canonical JSON data (JSON columns parsed if text)."""
    json_cols = json_columns(table)
    out = {}
    for name, value in row.items():
        if name in SKIPPED_COLUMNS:
            continue
        if value is None or value.__class__ in _PLAIN:  # most values: nothing to do
            out[name] = value
        elif value.__class__ is str:
            out[name] = json.loads(value) if name in json_cols else value
        elif name in json_cols:  # parsed by the driver: plain JSON data already
            out[name] = value
        else:
            out[name] = canonical(value)
    return out


def canonical_text(value: Any) -> str:
    """Return a stable text form of a value, for comparing expected and current states."""
    return json.dumps(canonical(value), sort_keys=True, ensure_ascii=False)
