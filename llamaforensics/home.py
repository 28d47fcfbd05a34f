"""Where the workbench keeps what it generates: never the working directory.

``$LLAMAFORENSICS_HOME`` if set, else ``llamaforensics`` in the platform's
cache folder (``$XDG_CACHE_HOME``, default ``~/.cache``). It holds the demo
snapshot, the demo's ground truth, and DuckDB's copy of the postgres_scanner
extension: all of it can be rebuilt, so a cache is the right place.
"""

from __future__ import annotations

import os
from pathlib import Path


def home_dir() -> Path:
    """Return the folder for generated files (created by whoever writes into it)."""
    explicit = os.environ.get("LLAMAFORENSICS_HOME")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "llamaforensics"
