"""Field history of one album: the log row that last set each field, and the album on a given day.

The log names the fields a row set (``fields_enriched``, in the app's
camelCase), corrections carry before and after values, and the CREATED row
set everything at once (``queries/album_field_setters.sql``). ``blame``
takes, per field, the latest of these; ``as_of`` walks back from today's
value: a field no row set after the date had today's value then; one a
correction changed later had that correction's "before"; one an enrichment
set later had a value the log does not keep -- and it says so.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from ..queries import load_query
from ..schema.app_fields import app_name
from ..snapshot.format import DELETED_COLUMN

HIDDEN = {"id", "search_vector", "updated_at", DELETED_COLUMN}
# No row names the field and none records the album's creation.
CANNOT_SAY = "the log cannot say"


def field_setters(con: duckdb.DuckDBPyConnection, album_id: str) -> pl.DataFrame:
    """Return every (column, log row) that set a field of the album, oldest first."""
    rows = con.execute(load_query("album_field_setters"), {"album": album_id}).pl()
    by_app = {}
    for column in _album(con, album_id):
        by_app[app_name(column)] = column
        by_app[column] = column
    rows = rows.with_columns(
        pl.col("field").replace_strict(by_app, default=pl.col("field")).alias("column")
    )
    return rows.unique(["log_id", "column"], keep="first", maintain_order=True)  # a delta first


def blame(con: duckdb.DuckDBPyConnection, album_id: str) -> pl.DataFrame:
    """Return, per field of the album, its value and the log row that last set it (when, how)."""
    album, setters = _album(con, album_id), field_setters(con, album_id)
    created = setters.filter(pl.col("field") == "*").head(1).to_dicts()
    out = []
    for column, value in album.items():
        if column in HIDDEN:
            continue
        mine = setters.filter(pl.col("column") == column).tail(1).to_dicts()
        row = mine[0] if mine else (created[0] if created else None)
        out.append(
            {"field": column, "value": _text(value), **_who(row), "how": _how(row, bool(mine))}
        )
    return pl.DataFrame(out, schema=BLAME_SCHEMA)


def track_blame(con: duckdb.DuckDBPyConnection, album_id: str) -> pl.DataFrame:
    """Return, per track of the album: the log row that created it and the last row about it."""
    return con.execute(load_query("track_setters"), {"album": album_id}).pl()


def as_of(con: duckdb.DuckDBPyConnection, album_id: str, when: datetime) -> dict:
    """Return the album as the log says it was at ``when``: each field's value, and the tracks."""
    album, setters = _album(con, album_id), field_setters(con, album_id)
    if album["created_at"] > when:
        return {
            "album_id": album_id,
            "as_of": when,
            "existed": False,
            "fields": [],
            "tracks": [],
            "note": f"the album was created at {album['created_at']}, after {when}",
        }
    later = setters.filter(pl.col("created_at") > when)
    fields = []
    for column, value in album.items():
        if column in HIDDEN:
            continue
        after = (
            later.filter((pl.col("column") == column) & (pl.col("field") != "*")).head(1).to_dicts()
        )
        fields.append(_field_then(column, value, after[0] if after else None))
    tracks = con.execute(
        "SELECT id::VARCHAR AS id, disc_number, track_number, title FROM tracks "
        "WHERE album_id = $a "
        f"AND created_at <= $t AND ({DELETED_COLUMN} IS NULL OR {DELETED_COLUMN} > $t) "
        "ORDER BY disc_number, track_number",
        {"a": album_id, "t": when},
    ).pl()
    return {
        "album_id": album_id,
        "as_of": when,
        "existed": True,
        "fields": fields,
        "tracks": tracks.to_dicts(),
        "note": "artist links have no time of their own: not shown as of then",
    }


BLAME_SCHEMA = {
    "field": pl.String,
    "value": pl.String,
    "set_at": pl.Datetime,
    "category": pl.String,
    "operation": pl.String,
    "job_id": pl.String,
    "log_id": pl.String,
    "how": pl.String,
}


def _field_then(column: str, value: object, after: dict | None) -> dict:
    if after is None:
        return {"field": column, "value": _text(value), "known": True, "how": "unchanged since"}
    if after["says_values"]:
        return {
            "field": column,
            "value": _text(_json(after["before"])),
            "known": True,
            "how": f"as before the correction of {after['created_at']:%Y-%m-%d %H:%M}",
        }
    return {
        "field": column,
        "value": None,
        "known": False,
        "how": f"unknown: {after['operation']} set it again on {after['created_at']:%Y-%m-%d}; "
        "the log keeps no earlier value",
    }


def _who(row: dict | None) -> dict:
    keys = ("set_at", "category", "operation", "job_id", "log_id")
    if row is None:
        return dict.fromkeys(keys)
    return {
        "set_at": row["created_at"],
        "category": row["category"],
        "operation": row["operation"],
        "job_id": row["job_id"],
        "log_id": row["log_id"],
    }


def _how(row: dict | None, named: bool) -> str:
    if row is None:
        return CANNOT_SAY
    if not named:
        return "set at creation"
    if row["says_values"]:
        before, after = (_text(_json(row[k])) or "(empty)" for k in ("before", "after"))
        return f"corrected: {before} -> {after}"
    return "named in fields_enriched"


def _album(con: duckdb.DuckDBPyConnection, album_id: str) -> dict:
    return con.execute("SELECT * FROM albums WHERE id = $a", {"a": album_id}).pl().to_dicts()[0]


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
