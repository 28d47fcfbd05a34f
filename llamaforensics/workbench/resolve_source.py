"""Where the workbench reads from and where its repairs go.

Reads always come from a snapshot (read-only DuckDB). Repairs go to a
:class:`~llamaforensics.repair.target.RepairTarget`: the PostgreSQL database
the snapshot was taken from, or, with no database (the demo, or a snapshot
file alone), a working copy of the snapshot beside it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb

from ..demo.default import default_snapshot_path, ensure_demo_snapshot
from ..postgres.dsn import Dsn, parse_dsn
from ..repair.target import RepairTarget
from ..snapshot import open_snapshot
from ..snapshot.take import take_snapshot


def resolve_source(
    source: str | os.PathLike[str] | Dsn | None = None,
    *,
    snapshot_path: str | os.PathLike[str] | None = None,
    progress: bool = False,
    release: Callable[[Path], object] | None = None,
) -> tuple[duckdb.DuckDBPyConnection, RepairTarget, str]:
    """Return (read-only snapshot connection, repair target, description) for ``source``.

    ``source`` is a DSN (text or :class:`Dsn`), a snapshot path, or None: then
    ``$DATABASE_URL`` when set, else the demo snapshot. A DSN is snapshotted
    first (to ``snapshot_path``, default beside the demo snapshot).
    ``release(path)`` is called just before the snapshot is opened (to close
    earlier readers of a file a new snapshot replaced).
    """
    release = release or (lambda path: None)
    if source is None and os.environ.get("DATABASE_URL"):
        source = os.environ["DATABASE_URL"]
    if isinstance(source, str) and "://" not in source and "=" not in source:
        source = Path(source)
    elif isinstance(source, os.PathLike):
        source = Path(source)
    if source is None or isinstance(source, Path):
        path = Path(source) if source is not None else ensure_demo_snapshot(default_snapshot_path())
        release(path)
        return (
            open_snapshot(path),
            RepairTarget(working_copy=_working_copy(path)),
            f"snapshot {path.name}",
        )
    dsn = source if isinstance(source, Dsn) else parse_dsn(source)
    cached = default_snapshot_path().with_name(snapshot_name_for(dsn))
    path = Path(snapshot_path) if snapshot_path else cached
    path.parent.mkdir(parents=True, exist_ok=True)
    take_snapshot(dsn, path, progress=progress)
    release(path)
    return open_snapshot(path), RepairTarget(dsn=dsn), f"{dsn.display} (snapshot {path.name})"


def snapshot_name_for(dsn: Dsn) -> str:
    """Return the file name a DSN's cached snapshot gets: user, host, port and database all in it.

    Named by database and host alone, two databases on one host (another port,
    another user's view) shared one cache and showed each other's data.
    Characters a file name cannot hold (a socket directory's slashes) become _.
    """
    p = dsn.params
    name = (
        f"{p.get('user') or 'user'}@{p.get('host') or 'localhost'}-{p.get('port') or '5432'}"
        f"-{p.get('dbname') or 'db'}"
    )
    return re.sub(r"[^A-Za-z0-9._@-]", "_", name) + ".duckdb"


def _working_copy(path: Path) -> Path:
    """Return a writable copy of the snapshot beside it (where repairs without a database go)."""
    copy = path.with_name(f"{path.stem}.working-copy.duckdb")
    if not copy.exists() or copy.stat().st_mtime < path.stat().st_mtime:
        shutil.copyfile(path, copy)
    return copy
