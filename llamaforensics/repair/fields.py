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

from ..schema import Column, upstream_tables

# Album columns a SetAlbumFields correction may set, with the app's name and
# the group of the admin-correction metadata they are reported under.
ALBUM_FIELDS: dict[str, tuple[str, str]] = {
    "title": ("title", "metadata"),
    "release_date": ("releaseDate", "metadata"),
    "release_type": ("releaseType", "metadata"),
    "release_status": ("releaseStatus", "metadata"),
    "release_country": ("releaseCountry", "metadata"),
    "genres": ("genres", "metadata"),
    "secondary_types": ("secondaryTypes", "metadata"),
    "track_count": ("trackCount", "metadata"),
    "label": ("label", "metadata"),
    "catalog_number": ("catalogNumber", "metadata"),
    "data_quality": ("dataQuality", "metadata"),
    "barcode": ("barcode", "externalIds"),
    "musicbrainz_id": ("musicbrainzId", "externalIds"),
    "spotify_id": ("spotifyId", "externalIds"),
    "spotify_url": ("spotifyUrl", "externalIds"),
    "deezer_id": ("deezerId", "externalIds"),
    "discogs_id": ("discogsId", "externalIds"),
    "cover_art_url": ("coverArtUrl", "coverArt"),
}

# Album columns that must be unique across albums: a clash names the other album.
ALBUM_UNIQUE_FIELDS = ("musicbrainz_id", "spotify_id", "deezer_id")

# Track columns a correction may give or change (id, album_id and bookkeeping are the engine's).
TRACK_FIELDS = (
    "title", "track_number", "disc_number", "duration_ms", "explicit", "isrc", "musicbrainz_id",
    "spotify_id", "spotify_url", "youtube_url", "deezer_id", "preview_url", "discogs_release_id",
    "discogs_position",
)

# Columns of a new artist a LinkArtist correction may create.
ARTIST_FIELDS = ("name", "musicbrainz_id", "spotify_id", "deezer_id", "discogs_id", "country_code", "artist_type")

# Columns never read into states nor compared: derived by the app, rebuilt by it.
SKIPPED_COLUMNS = frozenset({"search_vector"})


def app_name(column: str) -> str:
    """Return the app's camelCase name of an album or track column (``release_date`` -> ``releaseDate``)."""
    if column in ALBUM_FIELDS:
        return ALBUM_FIELDS[column][0]
    head, *rest = column.split("_")
    return head + "".join(part.title() for part in rest)


@cache
def columns(table: str) -> dict[str, Column]:
    """Return the upstream columns of ``table`` by name ({} for a table upstream.sql does not have)."""
    known = upstream_tables().get(table)
    return {} if known is None else {c.name: c for c in known.columns if c.name not in SKIPPED_COLUMNS}


def canonical(value):
    """Return ``value`` as plain JSON data: uuid and dates as ISO text, timestamps to the millisecond."""
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


_PLAIN = frozenset((bool, int, float))


@cache
def json_columns(table: str) -> frozenset[str]:
    return frozenset(name for name, col in columns(table).items() if col.pg_type == "JSONB")


def canonical_row(table: str, row: dict) -> dict:
    """Return a row of ``table`` as canonical JSON data (JSON columns parsed when they came as text)."""
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


def canonical_text(value) -> str:
    """Return a stable text form of a value, for comparing expected and current states."""
    return json.dumps(canonical(value), sort_keys=True, ensure_ascii=False)
