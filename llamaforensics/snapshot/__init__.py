"""Snapshots: consistent, read-only, incremental copies of the app's database in one DuckDB file.

The names below are imported on first use: reading a snapshot never loads the
PostgreSQL driver, and a refresh can open its file while the driver loads.
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "FORMAT_VERSION": ".format",
    "SNAPSHOT_TABLES": ".format",
    "Manifest": ".format",
    "SnapshotInfo": ".open",
    "default_snapshot_path": ".open",
    "open_snapshot": ".open",
    "snapshot_info": ".open",
    "refresh_snapshot": ".refresh",
    "take_snapshot": ".take",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
