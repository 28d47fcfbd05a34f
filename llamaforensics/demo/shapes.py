"""Arrow schemas of the demo tables, derived from the upstream DDL so they cannot drift from it."""

from __future__ import annotations

from functools import cache

import pyarrow as pa

from ..schema import Column, upstream_tables

# Tables the generator fills, in load order (parents before children).
DEMO_TABLES = (
    "User",
    "artists",
    "albums",
    "tracks",
    "album_artists",
    "track_artists",
    "sync_jobs",
    "llama_logs",
    "Collection",
    "CollectionAlbum",
    "Recommendation",
    "marquee_albums",
)


def arrow_type(column: Column) -> pa.DataType:
    """Return the Arrow type demo data carries for an upstream column (uuids and enums as text)."""
    base = column.pg_type.removesuffix("[]")
    if column.enum or base in ("UUID", "TEXT", "JSONB") or base.startswith("VARCHAR"):
        scalar = pa.string()
    elif base == "INTEGER":
        scalar = pa.int32()
    elif base == "BOOLEAN":
        scalar = pa.bool_()
    elif base == "DATE":
        scalar = pa.date32()
    elif base == "DOUBLE PRECISION":
        scalar = pa.float64()
    elif base.startswith("TIMESTAMP"):
        scalar = pa.timestamp("ms")
    else:
        raise ValueError(f"no Arrow type for {column.pg_type}")
    return pa.list_(scalar) if column.is_array else scalar


def literal_default(column: Column) -> str | bool | int | None:
    """Return a NOT NULL column's literal DEFAULT as a Python value (None for one like now())."""
    text = column.default
    if not column.not_null or text is None:
        return None
    if text.startswith("'"):
        return text.strip("'")
    if text in ("true", "false"):
        return text == "true"
    return int(text) if text.lstrip("-").isdigit() else None


@cache
def arrow_schema(table: str) -> pa.Schema:
    """Return an upstream table's Arrow schema (no search vectors: the database derives them)."""
    cols = upstream_tables()[table].columns
    return pa.schema(
        [
            pa.field(
                c.name,
                arrow_type(c),
                metadata={"default": repr(literal_default(c))}
                if literal_default(c) is not None
                else None,
            )
            for c in cols
            if c.pg_type != "TSVECTOR"
        ]
    )
