"""The JSON Schema of correction documents, generated from the upstream DDL so it cannot drift.

Column types and lengths come from ``schema/upstream.sql`` (a title longer
than ``VARCHAR(255)`` is refused before it reaches the database).
``correction.schema.json`` beside this module is this schema written out for
other tools; a test keeps the two equal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema

from ..schema import Column, upstream_enums
from .fields import ALBUM_COLUMNS, ARTIST_FIELDS, NEW_ROW_ONLY, TRACK_FIELDS, columns

UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TIMESTAMP_PATTERN = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?)?Z?$"
)
SCHEMA_FILE = "correction.schema.json"
UUID = {"type": "string", "pattern": UUID_PATTERN}
OPERATION = {
    "type": "object",
    "required": ["action", "table"],
    "properties": {
        "action": {"enum": ["insert", "delete", "update", "repoint"]},
        "table": {"type": "string"},
        "row": {"type": "object"},
        "key": {"type": "array", "items": {"type": "string"}},
        "where": {"type": "object"},
        "before": {"type": "object"},
        "after": {"type": "object"},
        "column": {"type": "string"},
        "old": {},
        "new": {},
        "keys": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": False,
}


def column_schema(column: Column, nullable: bool | None = None) -> dict:
    """Return the JSON Schema of one upstream column's values."""
    nullable = not column.not_null if nullable is None else nullable
    if column.pg_type == "JSONB":
        return {}  # any JSON document
    if column.enum:
        return {"enum": list(upstream_enums()[column.enum]) + ([None] if nullable else [])}
    base = column.pg_type.removesuffix("[]")
    length = re.fullmatch(r"VARCHAR\((\d+)\)", base)
    schema: dict[str, Any]
    if base == "UUID":
        schema = dict(UUID)
    elif length:
        schema = {"type": "string", "maxLength": int(length.group(1))}
    elif base == "INTEGER":
        schema = {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}
    elif base == "DATE":
        schema = {"type": "string", "pattern": DATE_PATTERN}
    elif base.startswith("TIMESTAMP"):
        schema = {"type": "string", "pattern": TIMESTAMP_PATTERN}
    else:
        schema = {
            "type": {"TEXT": "string", "BOOLEAN": "boolean", "DOUBLE PRECISION": "number"}[base]
        }
    if column.is_array:
        schema = {"type": "array", "items": schema}
    if nullable:
        schema["type"] = [schema["type"], "null"]
    return schema


def _object(
    table: str, names, required=(), min_properties: int = 0, extra: dict | None = None
) -> dict:
    cols = columns(table)
    props = {n: column_schema(cols[n]) for n in names} | (extra or {})
    schema = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    if min_properties:
        schema["minProperties"] = min_properties
    return schema


@cache
def _kind_payloads() -> dict[str, dict]:
    track = _object(
        "tracks",
        TRACK_FIELDS + NEW_ROW_ONLY,
        required=("title", "track_number"),
        extra={"id": UUID},
    )
    track_change = _object("tracks", TRACK_FIELDS, min_properties=1)
    artist = _object(
        "artists", ARTIST_FIELDS + NEW_ROW_ONLY, required=("name",), extra={"id": UUID}
    )
    role = {"type": "string", "minLength": 1, "maxLength": 50}
    return {
        "set_album_fields": {"fields": _object("albums", ALBUM_COLUMNS, min_properties=1)},
        "add_tracks": {"tracks": {"type": "array", "minItems": 1, "items": track}},
        "set_tracks": {
            "tracks": {"type": "array", "minItems": 1, "items": track},
            "replace": {"type": "boolean"},
        },
        "remove_tracks": {
            "track_ids": {"type": "array", "minItems": 1, "uniqueItems": True, "items": UUID}
        },
        "modify_tracks": {
            "tracks": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": UUID_PATTERN},
                "additionalProperties": track_change,
            }
        },
        "link_artist": {
            "artist_id": {"type": ["string", "null"], "pattern": UUID_PATTERN},
            "new_artist": {"anyOf": [artist, {"type": "null"}]},
            "role": role,
            "position": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
        },
        "unlink_artist": {"artist_id": UUID, "role": role},
        "merge_albums": {"survivor_id": UUID},
        "revert_correction": {
            "reverts": UUID,
            "ops": {"type": "array", "minItems": 1, "items": OPERATION},
        },
        # each part a correction document of its own (its kind checked by the rules: not merge, undo
        # or nesting)
        "album_changes": {"parts": {"type": "array", "minItems": 1, "items": {"$ref": "#"}}},
    }


REQUIRED_PAYLOAD = {
    "set_album_fields": ["fields"],
    "add_tracks": ["tracks"],
    "set_tracks": ["tracks"],
    "remove_tracks": ["track_ids"],
    "modify_tracks": ["tracks"],
    "link_artist": [],
    "unlink_artist": ["artist_id"],
    "merge_albums": ["survivor_id"],
    "revert_correction": ["reverts", "ops"],
    "album_changes": ["parts"],
}


@cache
def correction_schema() -> dict:
    """Return the JSON Schema (draft 2020-12) every correction document must satisfy."""
    payloads = _kind_payloads()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://llamaforensics.invalid/correction.schema.json",
        "title": "llamaforensics correction",
        "description": (
            "One change to one album, with the state it was prepared against (expected)."
        ),
        "type": "object",
        "required": ["version", "kind", "album_id"],
        "properties": {
            "version": {"const": 1},
            "id": UUID,
            "kind": {"enum": list(payloads)},
            "album_id": UUID,
            "reason": {"type": "string"},
            "origin": {"enum": ["manual", "manifest", "diff", "logs", "finding", "undo"]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "expected": {"type": ["object", "null"]},
        },
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"properties": props, "required": REQUIRED_PAYLOAD[kind]},
            }
            for kind, props in payloads.items()
        ],
    }


COMMON_KEYS = frozenset(
    ("version", "id", "kind", "album_id", "reason", "origin", "confidence", "expected")
)


def unknown_keys(data: Any) -> list[str]:
    """Return the keys of a correction document its kind does not take (``parts[0].x``)."""
    if not isinstance(data, dict) or data.get("kind") not in REQUIRED_PAYLOAD:
        return []
    allowed = COMMON_KEYS | set(_kind_payloads()[data["kind"]])
    unknown = sorted(k for k in data if k not in allowed)
    if data["kind"] == "album_changes" and isinstance(data.get("parts"), list):
        unknown += [
            f"parts[{i}].{k}" for i, part in enumerate(data["parts"]) for k in unknown_keys(part)
        ]
    return unknown


def schema_problems(data: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Return every violation of ``schema`` by ``data`` as ``path: message`` lines, in order."""
    if schema is correction_schema():
        if _correction_is_valid(data):
            return []
        validator = _correction_validator()
    else:
        validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{json_path(path, e.absolute_path)}: {_message(e)}" for e in _leaves(errors)]


def _correction_is_valid(data) -> bool:
    """Whether ``data`` satisfies the correction schema, told fast (fastjsonschema).

    A replay validates thousands of documents; jsonschema takes milliseconds for
    each. It still lists the problems of an invalid one, with their paths (and
    is the only judge when fastjsonschema is not installed).
    """
    check = _compiled_correction_check()
    if check is None:
        return False
    try:
        check(data)
    except Exception:  # noqa: BLE001 - any failure: let jsonschema say what is wrong
        return False
    return True


@cache
def _compiled_correction_check():
    try:
        import fastjsonschema
    except ImportError:  # pragma: no cover - it comes with jupyterlab (nbformat)
        return None
    return fastjsonschema.compile(correction_schema(), use_default=False, use_formats=False)


@cache
def _correction_validator() -> jsonschema.Draft202012Validator:
    """Return the validator of :func:`correction_schema`, built once (building one costs more than
    using it).
    """
    return jsonschema.Draft202012Validator(correction_schema())


def _leaves(errors):
    for error in errors:
        if error.validator in ("anyOf", "oneOf") and error.context:
            # the branch that got furthest says what is wrong (a field, not "is not null")
            yield from _leaves(sorted(error.context, key=lambda e: -len(e.absolute_path))[:1])
        else:
            yield error


def _message(error) -> str:
    shown = (
        repr(error.instance)
        if len(repr(error.instance)) < 60
        else repr(error.instance)[:56] + "...'"
    )
    if error.validator == "pattern" and error.validator_value == UUID_PATTERN:
        return f"{shown} is not a UUID"
    if error.validator == "pattern" and error.validator_value == DATE_PATTERN:
        return f"{shown} is not a date (YYYY-MM-DD)"
    if error.validator == "pattern" and error.validator_value == TIMESTAMP_PATTERN:
        return f"{shown} is not a timestamp (YYYY-MM-DDTHH:MM:SS.mmm)"
    if error.validator == "maxLength":
        return f"{shown} is longer than {error.validator_value} characters"
    return error.message if len(error.message) < 200 else error.message[:197] + "..."


def json_path(root: str, parts: Iterable[str | int]) -> str:
    """Return ``$.tracks[2].title`` for the path parts ``["tracks", 2, "title"]``."""
    out = root
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def shipped_schema() -> dict:
    """Return the schema file shipped beside this module."""
    return json.loads(files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def write_schema_file() -> None:  # pragma: no cover - used by hand
    """Write the schema file shipped beside this module (python -m ...repair.correction_schema)."""
    path = Path(str(files(__package__).joinpath(SCHEMA_FILE)))
    path.write_text(json.dumps(correction_schema(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    write_schema_file()
