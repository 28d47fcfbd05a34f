"""Read the upstream summary manifest as what it is: a checklist of what the database should hold.

A summary (SCHEMA.md) lists per album the fields that differed between the
dev copy and production: ``[{albumId, albumTitle, firstArtistName, changes:
[{field, prodValue, devValue}]}]``. It carries no data to apply; after the
manifest it came with was applied, every ``devValue`` should be in the
database. :func:`verify_summary` checks that, field by field:

* ``tracks`` and ``artists`` are counts: the album's tracks, its linked artists;
* any other field is the album column of that (camelCase) name, compared as the
  column's type says (a UUID in any case, a timestamp to the millisecond).

A malformed file raises :class:`InvalidCorrection` listing every problem with
its path (``$[2].changes[0].field``); nothing is read from the database then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..postgres.connection import read_only_transaction
from ..postgres.dsn import Dsn
from .fields import column_of, same_value
from .manifest import DATA_KEYS, SUMMARY_KEYS, manifest_entries
from .refusals import InvalidCorrection

COUNTS = {"tracks": "the album's tracks", "artists": "the artists linked to the album"}
UUID_TEXT = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
ALBUMS_SQL = """
SELECT a.id::text AS id, to_jsonb(a) - 'search_vector' AS row,
       (SELECT count(*) FROM tracks t WHERE t.album_id = a.id) AS tracks,
       (SELECT count(DISTINCT l.artist_id) FROM album_artists l WHERE l.album_id = a.id) AS artists
FROM albums a WHERE a.id = ANY(%s::uuid[])
"""


@dataclass
class AlbumCheck:
    """One album of the summary: each field's expected (devValue) and found value."""

    album_id: str
    title: str | None
    found: bool
    fields: list[dict] = field(default_factory=list)  # {field, prodValue, devValue, actual, ok}

    @property
    def ok(self) -> bool:
        return self.found and all(f["ok"] for f in self.fields)

    def to_dict(self) -> dict:
        return {
            "albumId": self.album_id,
            "albumTitle": self.title,
            "found": self.found,
            "ok": self.ok,
            "fields": self.fields,
        }


def verify_summary(dsn: Dsn, path: str | Path) -> list[AlbumCheck]:
    """Return, per album of the summary file at ``path``, whether ``dsn`` holds every devValue."""
    entries = read_summary(path)
    rows = _albums(dsn, [e["albumId"].lower() for e in entries])
    return [_check(entry, rows.get(entry["albumId"].lower())) for entry in entries]


def read_summary(path: str | Path) -> list[dict]:
    """Return the entries of a summary file; raise InvalidCorrection naming each problem's path."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidCorrection(f"cannot read {path}: {exc.strerror}") from None
    entries = manifest_entries(text, str(path))
    if any(isinstance(e, dict) and any(k in e for k in DATA_KEYS) for e in entries):
        raise InvalidCorrection(
            f"{path} is a manifest (it carries updates, tracks or artists), not its summary: "
            f"apply it with: llamaforensics repair apply {path} --dsn DSN --apply"
        )
    problems = [p for i, entry in enumerate(entries) for p in _entry_problems(entry, f"$[{i}]")]
    if problems:
        raise InvalidCorrection(
            f"{path} is not a summary manifest ({len(problems)} problem(s))", problems
        )
    return entries


def _entry_problems(entry, path: str) -> list[str]:
    if not isinstance(entry, dict):
        return [f"{path}: a summary entry must be an object, not {type(entry).__name__}"]
    problems = [
        f"{path}.{k}: unknown field of a summary entry" for k in entry if k not in SUMMARY_KEYS
    ]
    if not isinstance(entry.get("albumId"), str) or not UUID_TEXT.match(entry["albumId"]):
        problems.append(f"{path}.albumId: {entry.get('albumId')!r} is not an album id (a UUID)")
    if not isinstance(entry.get("changes"), list):
        return problems + [f"{path}.changes: must be a list of {{field, prodValue, devValue}}"]
    for j, change in enumerate(entry["changes"]):
        problems += _change_problems(change, f"{path}.changes[{j}]")
    return problems


def _change_problems(change, path: str) -> list[str]:
    if not isinstance(change, dict) or "field" not in change or "devValue" not in change:
        return [f"{path}: needs field and devValue"]
    problems = [
        f"{path}.{k}: unknown key of a change"
        for k in change
        if k not in ("field", "prodValue", "devValue")
    ]
    name, value = change["field"], change["devValue"]
    if name in COUNTS and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        problems.append(f"{path}.devValue: {name} is a count ({COUNTS[name]}), not {value!r}")
    elif name not in COUNTS and column_of("albums").get(name) is None:
        problems.append(
            f"{path}.field: unknown field {name!r}: albums has no such column "
            "(and it is not a count: tracks, artists)"
        )
    return problems


def _albums(dsn: Dsn, ids: list[str]) -> dict[str, dict]:
    """Return the albums asked for (row, track count, artist count) by id, read in one query."""
    with read_only_transaction(dsn) as conn:
        rows = conn.execute(ALBUMS_SQL, [list(dict.fromkeys(ids))]).fetchall()
    return {
        album_id: {**row, "tracks": tracks, "artists": artists}
        for album_id, row, tracks, artists in rows
    }


def _check(entry: dict, album: dict | None) -> AlbumCheck:
    check = AlbumCheck(entry["albumId"], entry.get("albumTitle"), album is not None)
    for change in entry["changes"]:
        name = change["field"]
        column = name if name in COUNTS else column_of("albums")[name]
        actual = None if album is None else album.get(column)
        ok = album is not None and (
            actual == change["devValue"]
            if name in COUNTS
            else same_value("albums", column, actual, change["devValue"])
        )
        check.fields.append(
            {
                "field": name,
                "prodValue": change.get("prodValue"),
                "devValue": change["devValue"],
                "actual": actual,
                "ok": ok,
            }
        )
    return check


def format_checks(checks: list[AlbumCheck]) -> str:
    """Return a line per album (and one per field that does not match), then the count."""
    lines = []
    for c in checks:
        head = f"{'ok' if c.ok else 'DIFFERS':8s}{c.title!r} ({c.album_id})"
        if not c.found:
            lines.append(f"{head}: no such album in the database")
            continue
        held = "; ".join(f"{f['field']} = {f['actual']!r}" for f in c.fields)
        lines.append(f"{head}: {held}" if c.ok and held else head)
        lines += [
            f"          {f['field']}: expected {f['devValue']!r}, found {f['actual']!r}"
            for f in c.fields
            if not f["ok"]
        ]
    matching = sum(c.ok for c in checks)
    lines.append(f"summary: {matching} of {len(checks)} album(s) hold what the summary expects")
    return "\n".join(lines)
