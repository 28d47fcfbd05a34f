"""What happened to a correction: its status, why, and the preview of what it changed.

Every correction handed to the engine comes back as one :class:`Result`; a
refusal is a result too (:func:`refused`), never a half-written change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .model import Correction
from .refusals import AlbumMissing, InvalidCorrection, StaleCorrection, TracksDiffer

APPLIED, ALREADY_APPLIED, STALE, INVALID, DRY_RUN = (
    "APPLIED",
    "ALREADY_APPLIED",
    "STALE",
    "INVALID",
    "DRY_RUN",
)
# SKIPPED: a manifest entry's album is not in the target (the batch goes on, as the app's own
# script did; any other correction for an album that is not there is INVALID);
# TRACKS_DIFFER: the album holds other tracks than the correction's list (``tracks`` compares).
SKIPPED, TRACKS_DIFFER = "SKIPPED", "TRACKS_DIFFER"
# What the user must look at: the CLI exits 1 when any result has one of these.
PROBLEMS = frozenset({STALE, INVALID, SKIPPED, TRACKS_DIFFER})


@dataclass
class Result:
    """What happened to one correction.

    ``diff`` is its preview; ``current`` the moved facts when STALE; ``tracks`` the
    track-by-track difference of the album and the correction's list (see
    :mod:`.planners.set_tracks`) when it holds other tracks.
    """

    correction: Correction
    status: str
    message: str = ""
    diff: dict[str, Any] | None = None
    current: dict[str, Any] | None = None
    log_ids: list[str] = field(default_factory=list)
    tracks: list[dict[str, Any]] | None = None
    # rows an undo left in place: others use them
    kept: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        c = self.correction
        return {
            "correction_id": c.id,
            "kind": c.kind,
            "album_id": c.album_id,
            "status": self.status,
            "message": self.message,
            "diff": self.diff,
            "current": self.current,
            "log_ids": self.log_ids,
            "tracks": self.tracks,
            "kept": self.kept,
        }


def refused(correction: Correction, exc: Exception) -> Result:
    """Return the result of a correction the engine or the database refused (nothing written)."""
    if isinstance(exc, AlbumMissing) and correction.origin == "manifest":
        # a manifest entry whose album the target lacks is skipped, as the app's own replay did
        return Result(correction, SKIPPED, f"{exc}; skipped, the rest of the batch goes on")
    if isinstance(exc, AlbumMissing):  # a correction written for this database: it cannot hold
        return Result(correction, INVALID, str(exc))
    if isinstance(exc, TracksDiffer):
        return Result(correction, TRACKS_DIFFER, str(exc), tracks=exc.difference)
    if isinstance(exc, StaleCorrection):
        return Result(correction, STALE, str(exc), current=exc.current)
    if isinstance(exc, InvalidCorrection):
        return Result(correction, INVALID, str(exc))
    said = str(exc).strip().splitlines()[0]
    return Result(correction, INVALID, f"the database refused it: {said}")
