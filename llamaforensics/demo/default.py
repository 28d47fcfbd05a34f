"""The snapshot the entry points read when none is named: $LLAMAFORENSICS_SNAPSHOT, else the demo's.

The demo snapshot is built on first use into the cache folder (``home_dir()``),
named by the version, seed and scale that made it, so another version builds
its own. Only the entry points (the command line, the workbench,
``llamaforensics.open()``, the notebooks) call this: the library opens what it
is given and never builds demo data.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..home import home_dir
from ..snapshot.open import SNAPSHOT_VARIABLE
from ..version import __version__
from . import generate, write_snapshot

DEMO_SEED = 42
DEMO_SCALE = 1.0


def default_snapshot_path() -> Path:
    """Return ``$LLAMAFORENSICS_SNAPSHOT``, else the per-user demo snapshot path."""
    named = os.environ.get(SNAPSHOT_VARIABLE)
    if named:
        return Path(named)
    return home_dir() / f"demo-v{__version__}-seed{DEMO_SEED}-scale{DEMO_SCALE:g}.duckdb"


def ensure_demo_snapshot(path: Path, *, progress: bool = False) -> Path:
    """Build the demo snapshot at ``path`` unless it is already there."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_snapshot(generate(scale=DEMO_SCALE, seed=DEMO_SEED), path, progress=progress)
    return path


def default_snapshot(*, progress: bool = False) -> Path:
    """Return ``$LLAMAFORENSICS_SNAPSHOT``, else the demo snapshot, built on first use."""
    path = default_snapshot_path()
    if SNAPSHOT_VARIABLE in os.environ:
        return path
    return ensure_demo_snapshot(path, progress=progress)
