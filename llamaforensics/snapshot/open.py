"""Open a snapshot for reading, and describe it; with no path, the demo snapshot (built on first use)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .. import __version__
from ..errors import SnapshotError
from .format import DELETED_COLUMN, SNAPSHOT_TABLES, Manifest, check_snapshot, connect, quote_ident, read_manifests

DEMO_SEED = 42
DEMO_SCALE = 1.0


def default_snapshot_path() -> Path:
    """Return ``$LLAMAFORENSICS_SNAPSHOT``, else the per-user demo snapshot path."""
    env = os.environ.get("LLAMAFORENSICS_SNAPSHOT")
    if env:
        return Path(env)
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "llamaforensics"
    return cache / f"demo-v{__version__}-seed{DEMO_SEED}-scale{DEMO_SCALE:g}.duckdb"


def ensure_demo_snapshot(path: Path, *, progress: bool = False) -> Path:
    """Build the demo snapshot at ``path`` unless it is already there."""
    if not path.exists():
        from ..demo import generate, write_snapshot

        path.parent.mkdir(parents=True, exist_ok=True)
        write_snapshot(generate(scale=DEMO_SCALE, seed=DEMO_SEED), path, progress=progress)
    return path


def open_snapshot(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """Open a snapshot read-only; with no path, the default (``$LLAMAFORENSICS_SNAPSHOT`` or the demo)."""
    if path is None:
        path = default_snapshot_path()
        if "LLAMAFORENSICS_SNAPSHOT" not in os.environ:
            ensure_demo_snapshot(path)
    path = Path(path)
    if not path.exists():
        raise SnapshotError(f"no snapshot at {path}; take one with: llamaforensics snapshot DSN -o {path}")
    try:
        con = connect(path, read_only=True)
    except duckdb.Error as exc:
        raise SnapshotError(f"{path} is not a snapshot: {str(exc).splitlines()[0]}") from None
    try:
        check_snapshot(con, path)
    except BaseException:
        con.close()
        raise
    return con


@dataclass(frozen=True)
class SnapshotInfo:
    """What ``llamaforensics info`` shows: the latest manifest, live/deleted rows per table, history."""

    path: Path
    size_bytes: int
    manifest: Manifest
    tables: dict[str, dict[str, int]]
    history: list[Manifest]

    def to_dict(self) -> dict:
        return {
            "path": str(self.path),
            "size_bytes": self.size_bytes,
            "manifest": self.manifest.to_dict(),
            "tables": self.tables,
            "history": [m.to_dict() for m in self.history],
        }


def snapshot_info(path: str | os.PathLike | None = None) -> SnapshotInfo:
    """Describe a snapshot: its latest manifest, row counts (live and deleted upstream) and history."""
    con = open_snapshot(path)
    try:
        resolved = Path(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0])
        history = read_manifests(con)
        tables = {}
        for name in SNAPSHOT_TABLES:
            live, deleted = con.execute(
                f"SELECT count(*) FILTER (WHERE {DELETED_COLUMN} IS NULL), "
                f"count(*) FILTER (WHERE {DELETED_COLUMN} IS NOT NULL) FROM {quote_ident(name)}"
            ).fetchone()
            tables[name] = {"live": live, "deleted_upstream": deleted}
    finally:
        con.close()
    return SnapshotInfo(resolved, resolved.stat().st_size, history[-1], tables, history)
