"""Repair: corrections that are previewed, rehearsed, applied atomically, logged, undoable.

corrections = [SetAlbumFields(album_id=..., fields={"musicbrainz_id": ...}, reason="id from logs")]
prepared = prepare_corrections(dsn, corrections)   # fill ``expected`` from the current state
results = apply_corrections(dsn, prepared)         # dry run: previews, nothing written
results = apply_corrections(dsn, prepared, dry_run=False)
undo(dsn, results[0].correction.id, dry_run=False)
write_manifest(*export_manifest("dev.duckdb", prod_dsn), "out/")  # a dev copy's fixes

How the package reads, from the bottom up:

* the correction documents: :mod:`.model` (with :mod:`.correction_schema`),
  :mod:`.manifest` (the upstream manifest), :mod:`.fields`, :mod:`.refusals`;
* the catalog written through: :mod:`.catalog` (the declared interface),
  :mod:`.sql_catalog`, :mod:`.postgres_catalog`, :mod:`.snapshot_catalog`;
* planning: :mod:`.album_state` (state and staleness), :mod:`.change`,
  :mod:`.operation`, :mod:`.dependents`, :mod:`.planners` (one per kind),
  :mod:`.planning`;
* what is written and shown: :mod:`.logbook`, :mod:`.preview`, :mod:`.result`;
* running it: :mod:`.apply`, :mod:`.atomic`, :mod:`.history` (undone, redone),
  :mod:`.revert` (undo), :mod:`.rehearse`, :mod:`.replay` with :mod:`.batch`,
  :mod:`.session_log`, :mod:`.verify`, :mod:`.manifest_export`,
  :mod:`.propose`; and :mod:`.target`, where the CLI and the widgets repair.
"""

from .apply import apply_corrections, prepare_corrections
from .atomic import HELD_BACK, apply_all_or_nothing
from .batch import batch_summary, format_batch, read_batch, session_batch
from .manifest import read_corrections, replacing_tracks
from .manifest_export import export_manifest, write_manifest
from .model import (
    KINDS,
    AddTracks,
    AlbumChanges,
    Correction,
    LinkArtist,
    MergeAlbums,
    ModifyTracks,
    RemoveTracks,
    RevertCorrection,
    SetAlbumFields,
    SetTracks,
    UnlinkArtist,
    dump_corrections,
    load_corrections,
)
from .preview import format_diff, format_results
from .propose import MAX_ROWS, proposals_for, propose, propose_all
from .refusals import InvalidCorrection, RepairError, StaleCorrection, UndoRefused, UnknownUser
from .rehearse import Rehearsal, rehearse
from .replay import BatchInterrupted, replay
from .result import (
    ALREADY_APPLIED,
    APPLIED,
    DRY_RUN,
    INVALID,
    PROBLEMS,
    SKIPPED,
    STALE,
    TRACKS_DIFFER,
    Result,
)
from .revert import undo
from .session import RepairSession
from .session_log import repair_sessions, session_history
from .target import RepairTarget
from .verify import format_checks, verify_summary

__all__ = [
    "ALREADY_APPLIED",
    "APPLIED",
    "DRY_RUN",
    "HELD_BACK",
    "INVALID",
    "KINDS",
    "MAX_ROWS",
    "PROBLEMS",
    "SKIPPED",
    "STALE",
    "TRACKS_DIFFER",
    "AddTracks",
    "AlbumChanges",
    "BatchInterrupted",
    "Correction",
    "InvalidCorrection",
    "LinkArtist",
    "MergeAlbums",
    "ModifyTracks",
    "Rehearsal",
    "RemoveTracks",
    "RepairError",
    "RepairSession",
    "RepairTarget",
    "Result",
    "RevertCorrection",
    "SetAlbumFields",
    "SetTracks",
    "StaleCorrection",
    "UndoRefused",
    "UnknownUser",
    "UnlinkArtist",
    "apply_all_or_nothing",
    "apply_corrections",
    "batch_summary",
    "dump_corrections",
    "export_manifest",
    "format_batch",
    "format_checks",
    "format_diff",
    "format_results",
    "load_corrections",
    "prepare_corrections",
    "proposals_for",
    "propose",
    "propose_all",
    "read_batch",
    "read_corrections",
    "rehearse",
    "repair_sessions",
    "replacing_tracks",
    "replay",
    "session_batch",
    "session_history",
    "undo",
    "verify_summary",
    "write_manifest",
]
