"""Import the upstream dev-to-prod manifest (SCHEMA.md) as corrections, as is: camelCase keys and
all.

A manifest is a JSON list (or ``{"albums": [...]}``) of entries ``{albumId,
albumTitle, firstArtistName, updates: {album fields}, tracks: [full track
rows], artists: [full artist rows], albumArtistLinks: [{artistId, role,
position}]}``. Each entry becomes ONE correction (an AlbumChanges), the album's
own unit, applied whole or not at all, with its own log rows, like the app's
own script walked album by album:

* ``updates`` -> SetAlbumFields: any album column, by the app's name;
* ``tracks`` -> SetTracks: the album's track list, every column of each row
  kept (dev ids, audio features, createdAt and updatedAt included). An album
  holding other tracks is refused with the track-by-track difference unless
  the tracks are to be replaced (:func:`replacing_tracks`, ``--replace-tracks``);
* ``albumArtistLinks`` -> one LinkArtist each, creating the linked artist from
  its ``artists`` row, every field kept, when the target lacks it.

The camelCase names are those of the upstream tables' columns (``formedYear`` is
``artists.formed_year``). A field no column has is an error naming its path
(``$[3].artists[0].mood``), never dropped: every problem of the file is
reported at once and nothing is imported. An album the target lacks is not a
problem of the file: its correction is SKIPPED when applied, and the rest goes on.

A summary file (entries ``{albumId, albumTitle, firstArtistName, changes}``)
carries no data to apply: it is refused with a pointer to ``repair verify``.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from .fields import ALBUM_COLUMNS, ARTIST_FIELDS, NEW_ROW_ONLY, TRACK_FIELDS, app_name, column_of
from .model import (
    AlbumChanges,
    Correction,
    SetTracks,
    build_correction,
    correction_problems,
    load_corrections,
)
from .refusals import InvalidCorrection

HEAD_KEYS = ("albumId", "albumTitle", "firstArtistName")
DATA_KEYS = ("updates", "tracks", "artists", "albumArtistLinks")
ENTRY_KEYS = HEAD_KEYS + DATA_KEYS
SUMMARY_KEYS = HEAD_KEYS + ("changes",)
LINK_KEYS = ("artistId", "role", "position")
MANIFEST_NAMESPACE = uuid.UUID("5d0e7c1b-9a43-4f8e-b2d6-3c1f0a7e9b21")
# What each part of an entry may give, by table (the rest of a table's columns are the engine's).
ROW_COLUMNS = {
    "albums": ALBUM_COLUMNS,
    "tracks": TRACK_FIELDS + NEW_ROW_ONLY + ("id", "album_id"),
    "artists": ARTIST_FIELDS + NEW_ROW_ONLY + ("id",),
}


class SummaryGiven(InvalidCorrection):
    """A summary manifest was given where a manifest (data to apply) was expected."""


def import_manifest(text: str, source: str = "manifest") -> list[Correction]:
    """Return a correction per manifest entry; raise InvalidCorrection listing all problems."""
    entries = manifest_entries(text, source)
    if entries and all(_is_summary_entry(e) for e in entries):
        raise SummaryGiven(
            f"{source} is a summary manifest ({{albumId, albumTitle, firstArtistName, changes}}): "
            "it lists the expected end state and carries no data to apply. Apply the manifest "
            "it came with, then check the result with: "
            f"llamaforensics repair verify {source} --dsn DSN"
        )
    problems, corrections = [], []
    for i, entry in enumerate(entries):
        found, made = _entry(entry, f"$[{i}]")
        problems += found
        corrections += made
    if problems:
        raise InvalidCorrection(
            f"{source} has {len(problems)} problem(s); nothing was imported", problems
        )
    return corrections


def manifest_entries(text: str, source: str) -> list:
    """Return the album entries of a manifest or summary: a JSON list, or ``{"albums": [...]}``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise InvalidCorrection(f"{source} is not JSON ({exc.msg} at {where})") from None
    entries = data.get("albums") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InvalidCorrection(
            f'{source} is neither a list of album entries nor {{"albums": [...]}}'
        )
    return entries


def _is_summary_entry(entry) -> bool:
    return isinstance(entry, dict) and "changes" in entry and not any(k in entry for k in DATA_KEYS)


def _entry(entry, path: str) -> tuple[list[str], list[Correction]]:
    """Return the problems of one entry, or its correction."""
    if not isinstance(entry, dict):
        return [f"{path}: an album entry must be an object, not {type(entry).__name__}"], []
    problems = [
        f"{path}.{k}: unknown field of a manifest entry" for k in entry if k not in ENTRY_KEYS
    ]
    if "albumId" not in entry:
        return problems + [f"{path}: albumId is missing"], []
    common = {
        "version": 1,
        "album_id": entry["albumId"],
        "origin": "manifest",
        "reason": f"dev-to-prod manifest: {entry.get('albumTitle') or entry['albumId']}",
    }
    parts, bad = _parts(entry, common, path)
    problems += bad
    for doc, name in parts:
        problems += [name(p) for p in correction_problems(doc, "$")]
    if not parts and not problems:
        problems.append(f"{path}: carries nothing to apply (no updates, tracks, albumArtistLinks)")
    if problems:
        return problems, []
    docs = [_identified(doc) for doc, _ in parts]
    return [], [build_correction(_identified({**common, "kind": "album_changes", "parts": docs}))]


def _parts(entry: dict, common: dict, path: str) -> tuple[list, list[str]]:
    """Return the entry's parts: each a correction document, and how to name its problems."""
    parts: list[tuple[dict[str, Any], Any]] = []
    problems: list[str] = []
    if entry.get("updates") is not None:
        fields, problems = _row(entry["updates"], "albums", f"{path}.updates")
        if fields:
            doc = {**common, "kind": "set_album_fields", "fields": fields}
            parts.append((doc, _at(path, "$.fields", "updates")))
    if entry.get("tracks"):
        tracks, bad = _rows(entry["tracks"], "tracks", f"{path}.tracks")
        problems += bad + _foreign_tracks(tracks, entry["albumId"], f"{path}.tracks")
        doc = {**common, "kind": "set_tracks", "tracks": tracks}
        parts.append((doc, _at(path, "$.tracks", "tracks")))
    links, bad = _links(entry, common, path)
    return parts + links, problems + bad


def _row(values, table: str, path: str) -> tuple[dict, list[str]]:
    """Return a row of the app's names as columns, and a problem per name no settable column has."""
    if not isinstance(values, dict):
        return {}, [f"{path}: must be an object"]
    names, allowed = column_of(table), ROW_COLUMNS[table]
    out, problems = {}, []
    for key, value in values.items():
        column = names.get(key)
        if column is None:
            problems.append(f"{path}.{key}: unknown field: {table} has no such column")
        elif column not in allowed:
            problems.append(
                f"{path}.{key}: {table}.{column} is set by the engine, not by a manifest"
            )
        else:
            out[column] = value
    return out, problems


def _rows(rows, table: str, path: str) -> tuple[list[dict], list[str]]:
    if not isinstance(rows, list):
        return [], [f"{path}: must be a list of {table} rows"]
    out, problems = [], []
    for j, row in enumerate(rows):
        made, bad = _row(row, table, f"{path}[{j}]")
        out.append(made)
        problems += bad
    return out, problems


def _foreign_tracks(tracks: list[dict], album_id: str, path: str) -> list[str]:
    """Return a problem per track row naming another album than its entry's (then dropped)."""
    problems = []
    for j, track in enumerate(tracks):
        named = track.pop("album_id", album_id)
        if str(named).lower() != str(album_id).lower():
            problems.append(f"{path}[{j}].albumId: {named} is not the entry's album {album_id}")
    return problems


def _links(entry: dict, common: dict, path: str) -> tuple[list, list[str]]:
    """Return a LinkArtist document per albumArtistLink (with the artist's row, to create it)."""
    links, artists = entry.get("albumArtistLinks") or [], entry.get("artists") or []
    if not isinstance(links, list) or not isinstance(artists, list):
        return [], [f"{path}: albumArtistLinks and artists must be lists"]
    rows: dict[str, tuple[int | None, dict[str, Any] | None]] = {}
    problems: list[str] = []
    for k, artist in enumerate(artists):
        row, bad = _row(artist, "artists", f"{path}.artists[{k}]")
        problems += bad
        rows[str(row.get("id", "")).lower()] = (k, row)
    parts, linked = [], set()
    for j, link in enumerate(links):
        where = f"{path}.albumArtistLinks[{j}]"
        if not isinstance(link, dict) or "artistId" not in link:
            problems.append(f"{where}: needs artistId")
            continue
        problems += [
            f"{where}.{key}: unknown field of an album-artist link"
            for key in link
            if key not in LINK_KEYS
        ]
        doc = {
            **common,
            "kind": "link_artist",
            "artist_id": link["artistId"],
            "role": link.get("role", "primary"),
            "position": link.get("position", 0),
        }
        at, artist_row = rows.get(str(link["artistId"]).lower(), (None, None))
        linked.add(at)
        if artist_row is not None:
            doc["new_artist"] = {c: v for c, v in artist_row.items() if c != "id"}
        parts.append((doc, _link_names(where, f"{path}.artists[{at}]")))
    problems += [
        f"{path}.artists[{k}]: no albumArtistLinks entry links this artist; an artist is "
        "created only to be linked"
        for k, _ in rows.values()
        if k not in linked
    ]
    return parts, problems


def _at(path: str, prefix: str, key: str):
    """Return how to name a problem of a generated document (under ``prefix``) in the file."""

    def name(problem: str) -> str:
        where, _, message = problem.partition(": ")
        if where.startswith(prefix):
            return f"{path}.{key}{_camel_path(where[len(prefix) :])}: {message}"
        return f"{path}{_camel_path(where[1:])}: {message}"

    return name


def _link_names(link_path: str, artist_path: str):
    def name(problem: str) -> str:
        where, _, message = problem.partition(": ")
        if where.startswith("$.new_artist"):
            return f"{artist_path}{_camel_path(where[len('$.new_artist') :])}: {message}"
        return f"{link_path}{_camel_path(where[1:])}: {message}"

    return name


def _camel_path(path: str) -> str:
    """``[0].track_number`` -> ``[0].trackNumber``; ``.album_id`` -> ``.albumId``."""
    return re.sub(r"\.(\w+)", lambda m: "." + app_name(m.group(1)), path)


def _identified(doc: dict) -> dict:
    """Give the correction (and its tracks without an id) ids derived from its content.

    Importing the same manifest twice then yields the same corrections, so
    applying it again is reported ALREADY_APPLIED instead of adding the tracks
    that had no id a second time.
    """
    if doc["kind"] == "set_tracks":
        album = doc["album_id"]
        doc = {
            **doc,
            "tracks": [
                t
                if t.get("id")
                else {
                    "id": _content_id(
                        [album, t.get("disc_number", 1), t["track_number"], t["title"]]
                    ),
                    **t,
                }
                for t in doc["tracks"]
            ],
        }
    return {**doc, "id": _content_id(doc)}


def _content_id(value) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return str(uuid.uuid5(MANIFEST_NAMESPACE, text))


def replacing_tracks(corrections: list[Correction]) -> list[Correction]:
    """Return the corrections allowed to replace an album's other tracks (``--replace-tracks``).

    The correction ids stay: replacing is how the same correction is applied, not another one.
    """

    def allow(c: Correction) -> Correction:
        if isinstance(c, SetTracks):
            return replace(c, replace=True)
        if isinstance(c, AlbumChanges):
            return replace(c, parts=[allow(p) for p in c.parts])
        return c

    return [allow(c) for c in corrections]


def read_corrections(path: str | os.PathLike[str]) -> list[Correction]:
    """Read a correction file or an upstream manifest (told apart by their keys), not a summary."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidCorrection(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    items = data.get("corrections", data.get("albums")) if isinstance(data, dict) else data
    is_corrections = (isinstance(data, dict) and "corrections" in data) or (
        isinstance(items, list) and items and isinstance(items[0], dict) and "kind" in items[0]
    )
    if is_corrections or (isinstance(data, dict) and "kind" in data):
        return load_corrections(text, str(path))
    return import_manifest(text, str(path))
