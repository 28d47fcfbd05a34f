"""Repair: corrections that are previewed, rehearsed, applied atomically, logged in the app's format, undoable.

corrections = [SetAlbumFields(album_id=..., fields={"musicbrainz_id": ...}, reason="id from the logs")]
prepared = prepare_corrections(dsn, corrections)         # fill ``expected`` from the current state
results = apply_corrections(dsn, prepared)               # dry run: previews, nothing written
results = apply_corrections(dsn, prepared, dry_run=False)
undo(dsn, results[0].correction.id, dry_run=False)
write_manifest(*export_manifest("dev.duckdb", prod_dsn), "out/")  # a dev copy's fixes, as the upstream manifest
"""

from .apply import (
    ALREADY_APPLIED,
    APPLIED,
    DRY_RUN,
    INVALID,
    SKIPPED,
    STALE,
    TRACKS_DIFFER,
    Result,
    apply_corrections,
    prepare_corrections,
)
from .atomic import HELD_BACK, apply_all_or_nothing
from .errors import InvalidCorrection, RepairError, StaleCorrection, UndoRefused, UnknownUser
from .export import export_manifest, write_manifest
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
from .session import RepairSession
from .undo import undo
from .verify import verify_summary

__all__ = [
    "ALREADY_APPLIED",
    "APPLIED",
    "DRY_RUN",
    "HELD_BACK",
    "INVALID",
    "SKIPPED",
    "STALE",
    "TRACKS_DIFFER",
    "SetTracks",
    "apply_all_or_nothing",
    "verify_summary",
    "KINDS",
    "AddTracks",
    "AlbumChanges",
    "Correction",
    "InvalidCorrection",
    "LinkArtist",
    "MergeAlbums",
    "ModifyTracks",
    "RemoveTracks",
    "RepairError",
    "RepairSession",
    "Result",
    "RevertCorrection",
    "SetAlbumFields",
    "StaleCorrection",
    "UndoRefused",
    "UnknownUser",
    "UnlinkArtist",
    "apply_corrections",
    "dump_corrections",
    "export_manifest",
    "format_diff",
    "format_results",
    "load_corrections",
    "prepare_corrections",
    "undo",
    "write_manifest",
]
