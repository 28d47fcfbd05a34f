"""Snapshots: consistent, read-only, incremental copies of the app's database in one DuckDB file."""

from .format import FORMAT_VERSION, SNAPSHOT_TABLES, Manifest
from .open import SnapshotInfo, default_snapshot_path, open_snapshot, snapshot_info
from .refresh import refresh_snapshot
from .take import take_snapshot

__all__ = [
    "FORMAT_VERSION",
    "SNAPSHOT_TABLES",
    "Manifest",
    "SnapshotInfo",
    "default_snapshot_path",
    "open_snapshot",
    "refresh_snapshot",
    "snapshot_info",
    "take_snapshot",
]
