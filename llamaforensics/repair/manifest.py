"""Import the upstream dev-to-prod manifest (SCHEMA.md) as corrections, as is: camelCase keys and all.

Two shapes are read, as a JSON list or under ``"albums"``:

* manifest entries ``{albumId, albumTitle, firstArtistName, updates: {musicbrainzId: ...}, tracks: [full
  track rows], artists: [full artist rows], albumArtistLinks: [{artistId, role, position}]}`` become one
  correction (AlbumChanges, applied whole or not at all) of SetAlbumFields + AddTracks (dev track ids
  kept) + one LinkArtist per link (the artist created from its row when production lacks it);
* summary entries ``{albumId, albumTitle, firstArtistName, changes: [{field, prodValue, devValue}]}``
  become SetAlbumFields already prepared: ``prodValue`` is the expected current value.

Every problem of the file is reported at once with its path (``$[3].tracks[0].trackNumber``); when there is
any, no correction is returned and nothing can be written.
"""

from __future__ import annotations

import json
import re
import uuid
from functools import cache

from .errors import InvalidCorrection
from .fields import ALBUM_FIELDS, ARTIST_FIELDS, TRACK_FIELDS, app_name, columns
from .model import Correction, build_correction, correction_problems

ENTRY_KEYS = {"albumId", "albumTitle", "firstArtistName", "updates", "tracks", "artists", "albumArtistLinks",
              "changes"}
MANIFEST_NAMESPACE = uuid.UUID("5d0e7c1b-9a43-4f8e-b2d6-3c1f0a7e9b21")
SNAKE = {camel: name for name, (camel, _group) in ALBUM_FIELDS.items()}


@cache
def snake(name: str) -> str:
    return SNAKE.get(name) or re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def import_manifest(text: str, source: str = "manifest", dsn=None) -> list[Correction]:
    """Return the corrections a manifest (or summary) file asks for; raise InvalidCorrection listing every problem.

    With ``dsn``, albums that database does not have are problems too.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidCorrection(f"{source} is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    entries = data.get("albums") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InvalidCorrection(f"{source} is neither a list of album entries nor {{\"albums\": [...]}}")
    problems, corrections = [], []
    for i, entry in enumerate(entries):
        found, made = _entry(entry, f"$[{i}]")
        problems += found
        corrections += made
    if dsn is not None and not problems:
        problems += _unknown_albums(dsn, entries)
    problems = list(dict.fromkeys(problems))
    if problems:
        raise InvalidCorrection(f"{source} has {len(problems)} problem(s); nothing was imported", problems)
    return corrections


def _entry(entry, path: str) -> tuple[list[str], list[Correction]]:
    if not isinstance(entry, dict):
        return [f"{path}: an album entry must be an object, not {type(entry).__name__}"], []
    problems = [f"{path}.{k}: unknown field of a manifest entry" for k in entry if k not in ENTRY_KEYS]
    if "albumId" not in entry:
        return problems + [f"{path}: albumId is missing"], []
    common = {"version": 1, "album_id": entry["albumId"], "origin": "manifest",
              "reason": f"dev-to-prod manifest: {entry.get('albumTitle') or entry['albumId']}"}
    docs = []  # (document, path of its part of the entry, how document paths map back)
    if entry.get("updates"):
        fields, bad = _renamed(entry["updates"], ALBUM_FIELDS, f"{path}.updates")
        problems += bad
        docs.append(({**common, "kind": "set_album_fields", "fields": fields}, f"{path}.updates", "fields"))
    if entry.get("changes"):
        fields, expected, bad = _changes(entry["changes"], f"{path}.changes")
        problems += bad
        docs.append(({**common, "kind": "set_album_fields", "fields": fields, "expected": expected},
                     f"{path}.changes", "fields"))
    if entry.get("tracks"):
        tracks, bad = _rows(entry["tracks"], "tracks", TRACK_FIELDS + ("id",), f"{path}.tracks")
        problems += bad
        docs.append(({**common, "kind": "add_tracks", "tracks": tracks}, path, ""))
    artists = {a.get("id"): a for a in entry.get("artists") or [] if isinstance(a, dict)}
    for j, link in enumerate(entry.get("albumArtistLinks") or []):
        doc, bad = _link(link, artists, common, f"{path}.albumArtistLinks[{j}]", entry)
        problems += bad
        if doc:
            docs.append((doc, f"{path}.albumArtistLinks[{j}]", "link"))
    for doc, where, _ in docs:
        problems += [_manifest_path(p, where) for p in correction_problems(doc, "$")]
    if problems:
        return problems, []
    parts = [_identified(doc) for doc, _, _ in docs]  # each validated just above
    if len(parts) > 1 and not any(part.get("expected") for part in parts):  # the album fixed whole, or not at all
        parts = [_identified({**common, "kind": "album_changes", "parts": parts})]
    return [], [build_correction(doc) for doc in parts]


def _identified(doc: dict) -> dict:
    """Give the correction (and its tracks without an id) ids derived from its content.

    Importing the same manifest twice then yields the same corrections, so
    applying it again is reported ALREADY_APPLIED instead of adding the tracks
    that had no id a second time (refused, their positions being taken).
    """
    if doc["kind"] == "add_tracks":
        doc = {**doc, "tracks": [t if t.get("id") else {"id": _content_id(
            [doc["album_id"], t.get("disc_number", 1), t["track_number"], t["title"]]), **t} for t in doc["tracks"]]}
    return {**doc, "id": _content_id(doc)}


def _content_id(value) -> str:
    return str(uuid.uuid5(MANIFEST_NAMESPACE, json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)))


def _renamed(values, allowed, path: str) -> tuple[dict, list[str]]:
    if not isinstance(values, dict):
        return {}, [f"{path}: must be an object"]
    out, problems = {}, []
    for key, value in values.items():
        name = snake(key)
        if name not in allowed:
            problems.append(f"{path}.{key}: unknown or unsupported field")
        else:
            out[name] = value
    return out, problems


def _changes(changes, path: str) -> tuple[dict, dict, list[str]]:
    if not isinstance(changes, list):
        return {}, {}, [f"{path}: must be a list of {{field, prodValue, devValue}}"]
    fields, expected, problems = {}, {}, []
    for j, change in enumerate(changes):
        if not isinstance(change, dict) or "field" not in change or "devValue" not in change:
            problems.append(f"{path}[{j}]: needs field and devValue")
            continue
        name = snake(str(change["field"]))
        if name not in ALBUM_FIELDS:
            problems.append(f"{path}[{j}].field: unknown or unsupported field {change['field']!r}")
            continue
        fields[name] = change["devValue"]
        expected[name] = change.get("prodValue")
    return fields, expected, problems


def _rows(rows, table: str, kept, path: str) -> tuple[list[dict], list[str]]:
    if not isinstance(rows, list):
        return [], [f"{path}: must be a list of {table} rows"]
    out, problems = [], []
    known = columns(table)
    for j, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.append(f"{path}[{j}]: must be an object")
            continue
        for key in row:
            if snake(key) not in known:
                problems.append(f"{path}[{j}].{key}: unknown field of a {table} row")
        out.append({snake(k): v for k, v in row.items() if snake(k) in kept})
    return out, problems


def _link(link, artists: dict, common: dict, path: str, entry: dict) -> tuple[dict | None, list[str]]:
    if not isinstance(link, dict) or "artistId" not in link:
        return None, [f"{path}: needs artistId"]
    doc = {**common, "kind": "link_artist", "artist_id": link["artistId"], "role": link.get("role", "primary"),
           "position": link.get("position", 0)}
    row = artists.get(link["artistId"])
    if row is not None:
        j = entry["artists"].index(row)
        [new], problems = _rows([row], "artists", ARTIST_FIELDS + ("id",), f"{path.split('.albumArtistLinks')[0]}.artists")
        problems = [p.replace(".artists[0]", f".artists[{j}]") for p in problems]
        return {**doc, "new_artist": new}, problems
    return doc, []


def _manifest_path(problem: str, where: str) -> str:
    """Map a problem found in a generated correction back to the manifest's own path and camelCase names."""
    path, _, message = problem.partition(": ")
    parts = [app_name(p) if not p.startswith("[") else p for p in re.findall(r"\.(\w+)|(\[\d+\])", path) for p in p if p]
    parts = [p for p in parts if p not in ("fields", "newArtist")]
    if parts and parts[0] == "albumId":
        return f"{where.split('.')[0]}.albumId: {message}"
    if parts and parts[0] == "tracks":
        return f"{where}.tracks{''.join(p if p.startswith('[') else '.' + p for p in parts[1:])}: {message}"
    return f"{where}{''.join(p if p.startswith('[') else '.' + p for p in parts)}: {message}"


def _unknown_albums(dsn, entries: list) -> list[str]:
    from .store import PostgresCatalog

    catalog = PostgresCatalog(dsn)
    try:
        ids = list(dict.fromkeys(e["albumId"] for e in entries))
        chunks = [catalog.select_in("albums", "id", ids[i:i + 1000], columns=("id",)) for i in range(0, len(ids), 1000)]
        found = {row["id"] for rows in catalog.fetch_together(chunks) for row in rows}  # ids only: one round trip
    finally:
        catalog.close()
    return [f"$[{i}].albumId: no album {e['albumId']} in {dsn.display}" for i, e in enumerate(entries)
            if e["albumId"].lower() not in found]


def read_corrections(path, dsn=None) -> list[Correction]:
    """Read a correction file or an upstream manifest/summary file (told apart by their keys)."""
    from pathlib import Path

    from .model import load_corrections

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
        isinstance(items, list) and items and isinstance(items[0], dict) and "kind" in items[0])
    if is_corrections or (isinstance(data, dict) and "kind" in data):
        return load_corrections(text, str(path))
    return import_manifest(text, str(path), dsn=dsn)
