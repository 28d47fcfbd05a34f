"""Snapshots: consistent, read-only, incremental copies of the app's database in one DuckDB file.

Reading: :func:`open_snapshot`, :func:`snapshot_info` (here). Writing, from
PostgreSQL: ``snapshot.take.take_snapshot`` and ``snapshot.refresh.refresh_snapshot``,
imported from their modules: they load the PostgreSQL driver, which reading a
snapshot never needs (and a refresh opens its file while the driver loads).
"""

from .format import FORMAT_VERSION, SNAPSHOT_TABLES, Manifest
from .open import SnapshotInfo, open_snapshot, snapshot_info

__all__ = [
    "FORMAT_VERSION",
    "SNAPSHOT_TABLES",
    "Manifest",
    "SnapshotInfo",
    "open_snapshot",
    "snapshot_info",
]
