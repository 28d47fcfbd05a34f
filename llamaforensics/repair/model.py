"""Corrections: plain, validated, JSON-serialisable documents describing one change to one album.

Each correction names the album it changes, what to change, and ``expected``:
the facts about the album it was prepared against (its ``updated_at`` and
the current values of what it changes). ``expected`` is filled by
:func:`llamaforensics.repair.prepare_corrections`; the engine refuses to apply
a correction whose expected state no longer holds (STALE).

Documents are validated against the JSON Schema :func:`correction_schema`
(also shipped as ``correction.schema.json``) and then against the rules a
schema cannot say (real dates, no duplicate track positions); every problem is
reported with its path.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import cache
from typing import Any, ClassVar

from .correction_schema import correction_schema, schema_problems, unknown_keys
from .refusals import InvalidCorrection

CORRECTION_VERSION = 1
ORIGINS = ("manual", "manifest", "diff", "logs", "finding", "undo")


def new_id() -> str:
    return str(uuid.uuid4())


@cache
def _own_fields(kind: str) -> tuple[str, ...]:
    """Return the fields a correction kind (by name) adds to the common envelope."""
    envelope = {f.name for f in fields(Correction)}
    return tuple(f.name for f in fields(KINDS[kind]) if f.name not in envelope)


@dataclass(kw_only=True)
class Correction:
    """Common envelope of every correction kind."""

    kind: ClassVar[str] = ""
    album_id: str
    expected: dict | None = None
    reason: str = ""
    origin: str = "manual"
    confidence: float = 1.0
    id: str = field(default_factory=new_id)
    version: int = CORRECTION_VERSION

    def to_dict(self) -> dict:
        """Return the JSON document of this correction (the inverse of :meth:`from_dict`)."""
        head = {
            "version": self.version,
            "id": self.id,
            "kind": self.kind,
            "album_id": self.album_id,
            "reason": self.reason,
            "origin": self.origin,
            "confidence": self.confidence,
            "expected": self.expected,
        }
        return head | {name: getattr(self, name) for name in _own_fields(self.kind)}

    @staticmethod
    def from_dict(data: Any, path: str = "$") -> Correction:
        """Validate a correction document and return the correction; raise
        :class:`InvalidCorrection`.
        """
        problems = correction_problems(data, path)
        if problems:
            raise InvalidCorrection("invalid correction", problems)
        return build_correction(data)

    def with_expected(self, expected: dict | None) -> Correction:
        """Return a copy prepared against ``expected``."""
        return replace(self, expected=expected)


@dataclass(kw_only=True)
class SetAlbumFields(Correction):
    """Set album columns (title, dates, types, label, cover, external ids, ...)."""

    kind: ClassVar[str] = "set_album_fields"
    fields: dict


@dataclass(kw_only=True)
class AddTracks(Correction):
    """Add tracks to the album; each gets its id now, so every database receives the same rows."""

    kind: ClassVar[str] = "add_tracks"
    tracks: list[dict]

    def __post_init__(self):
        self.tracks = [t if t.get("id") else {"id": new_id(), **t} for t in self.tracks]


@dataclass(kw_only=True)
class SetTracks(Correction):
    """Make the album's track list exactly ``tracks`` (what a dev-to-prod manifest entry carries).

    Tracks the album lacks are added (ids given now). When the album already
    holds other tracks, or tracks of the same id with other values, planning
    refuses with the track-by-track difference unless ``replace`` says to
    replace them: the others are then removed (their log rows kept) and the
    differing ones changed, all in the same logged, undoable correction.
    """

    kind: ClassVar[str] = "set_tracks"
    tracks: list[dict]
    replace: bool = False

    def __post_init__(self):
        self.tracks = [t if t.get("id") else {"id": new_id(), **t} for t in self.tracks]


@dataclass(kw_only=True)
class RemoveTracks(Correction):
    """Remove tracks from the album (their log rows are kept, detached from the deleted track)."""

    kind: ClassVar[str] = "remove_tracks"
    track_ids: list[str]


@dataclass(kw_only=True)
class ModifyTracks(Correction):
    """Change columns of existing tracks: ``tracks`` maps a track id to the columns to set."""

    kind: ClassVar[str] = "modify_tracks"
    tracks: dict[str, dict]


@dataclass(kw_only=True)
class LinkArtist(Correction):
    """Link an artist to the album; ``new_artist`` creates the artist first (id given now)."""

    kind: ClassVar[str] = "link_artist"
    artist_id: str | None = None
    new_artist: dict | None = None
    role: str = "primary"
    position: int = 0

    def __post_init__(self):
        if self.new_artist is not None:
            self.new_artist = {"id": self.artist_id or new_id(), **self.new_artist}
            self.artist_id = self.new_artist["id"]


@dataclass(kw_only=True)
class UnlinkArtist(Correction):
    """Unlink an artist from the album (the artist row stays)."""

    kind: ClassVar[str] = "unlink_artist"
    artist_id: str
    role: str = "primary"


@dataclass(kw_only=True)
class MergeAlbums(Correction):
    """Merge the duplicate ``album_id`` into ``survivor_id``: re-point references, delete it."""

    kind: ClassVar[str] = "merge_albums"
    survivor_id: str


@dataclass(kw_only=True)
class RevertCorrection(Correction):
    """Undo an applied correction: invert the row operations its log row recorded (``ops``)."""

    kind: ClassVar[str] = "revert_correction"
    reverts: str
    ops: list[dict]


@dataclass(kw_only=True)
class AlbumChanges(Correction):
    """Several changes to one album as ONE correction: one transaction, one CORRECTED row.

    They are undone together.

    A dev-to-prod manifest entry (its field updates, tracks and artist links)
    becomes one: the album is fixed whole or not at all, and the album row is
    locked, checked and stamped once. ``parts`` are corrections of the kinds
    in :data:`PART_KINDS`, about the same album, planned against the same state.
    """

    kind: ClassVar[str] = "album_changes"
    parts: list

    def __post_init__(self):
        self.parts = [
            p if isinstance(p, Correction) else build_correction({**p, "album_id": self.album_id})
            for p in self.parts
        ]

    def to_dict(self) -> dict:
        return super().to_dict() | {"parts": [part.to_dict() for part in self.parts]}


# What an AlbumChanges may hold: changes to the album itself (a merge or an undo stands alone).
PART_KINDS = (
    "set_album_fields",
    "add_tracks",
    "set_tracks",
    "remove_tracks",
    "modify_tracks",
    "link_artist",
    "unlink_artist",
)

KINDS: dict[str, type[Correction]] = {
    k.kind: k
    for k in (
        SetAlbumFields,
        AddTracks,
        SetTracks,
        RemoveTracks,
        ModifyTracks,
        LinkArtist,
        UnlinkArtist,
        MergeAlbums,
        RevertCorrection,
        AlbumChanges,
    )
}


def kinds_of(correction: Correction) -> frozenset[str]:
    """Return the kinds a correction is made of: its own, or its parts'."""
    if isinstance(correction, AlbumChanges):
        return frozenset(part.kind for part in correction.parts)
    return frozenset((correction.kind,))


def build_correction(data: dict) -> Correction:
    """Return the correction of a validated document (validating costs more than building)."""
    return KINDS[data["kind"]](**{k: v for k, v in data.items() if k != "kind"})


def correction_problems(data: Any, path: str = "$") -> list[str]:
    """Return every problem of a correction document, each with its path; [] when it is valid."""
    problems = schema_problems(data, correction_schema(), path)
    kind = data.get("kind") if isinstance(data, dict) else None
    problems += [
        f"{path}.{key}: unknown field for a {kind} correction" for key in unknown_keys(data)
    ]
    if problems:
        return problems
    return _rule_problems(data, path)


def _rule_problems(data: dict, path: str) -> list[str]:
    problems = []
    for where, value in _dates(data, path):
        try:
            date.fromisoformat(value)
        except ValueError:
            problems.append(f"{where}: {value!r} is not a real date")
    if data["kind"] in ("add_tracks", "set_tracks"):
        seen_pos: dict[tuple[int, int], int] = {}
        seen_ids: set[str] = set()
        for i, track in enumerate(data["tracks"]):
            pos = (track.get("disc_number", 1), track["track_number"])
            if pos in seen_pos:
                problems.append(
                    f"{path}.tracks[{i}]: disc {pos[0]} track {pos[1]} "
                    f"repeats tracks[{seen_pos[pos]}]"
                )
            seen_pos.setdefault(pos, i)
            if track.get("id") and track["id"] in seen_ids:
                problems.append(f"{path}.tracks[{i}].id: {track['id']} repeats an earlier track id")
            seen_ids.add(track.get("id"))
    if data["kind"] == "link_artist" and not data.get("artist_id") and not data.get("new_artist"):
        problems.append(
            f"{path}: link_artist needs artist_id (an existing artist) "
            "or new_artist (one to create)"
        )
    if data["kind"] == "merge_albums" and data["survivor_id"] == data["album_id"]:
        problems.append(f"{path}.survivor_id: an album cannot be merged into itself")
    if data["kind"] == "album_changes":
        for i, part in enumerate(data["parts"]):
            where = f"{path}.parts[{i}]"
            if part["kind"] not in PART_KINDS:
                problems.append(
                    f"{where}.kind: a {part['kind']} correction cannot be part of album_changes"
                )
            elif part.get("album_id", data["album_id"]) != data["album_id"]:
                problems.append(
                    f"{where}.album_id: every part is about the album the correction names"
                )
            else:
                problems += _rule_problems({**part, "album_id": data["album_id"]}, where)
    return problems


def _dates(data: dict, path: str):
    if data.get("kind") == "set_album_fields" and isinstance(
        data["fields"].get("release_date"), str
    ):
        yield f"{path}.fields.release_date", data["fields"]["release_date"]


def load_corrections(text: str, source: str = "input") -> list[Correction]:
    """Parse a correction file: one document, a list, or ``{"corrections": [...]}``.

    Every problem is reported at once.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidCorrection(
            f"{source} is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    items = data.get("corrections") if isinstance(data, dict) and "corrections" in data else data
    items = items if isinstance(items, list) else [items]
    problems = [p for i, item in enumerate(items) for p in correction_problems(item, f"$[{i}]")]
    if problems:
        raise InvalidCorrection(f"{source} has {len(problems)} problem(s)", problems)
    return [build_correction(item) for item in items]


def dump_corrections(corrections: list[Correction]) -> str:
    """Return the correction file for ``corrections`` (read back by :func:`load_corrections`)."""
    doc = {"version": CORRECTION_VERSION, "corrections": [c.to_dict() for c in corrections]}
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str)
