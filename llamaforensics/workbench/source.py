"""Where the workbench reads from and where its repairs go.

Reads always come from a snapshot (read-only DuckDB). Repairs go to a
:class:`RepairTarget`: the PostgreSQL database the snapshot was taken from,
or, with no database (the demo, or a snapshot file alone), a working copy of
the snapshot, so every step of a repair can still be tried end to end.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..demo.default import default_snapshot_path, ensure_demo_snapshot
from ..dsn import Dsn, parse_dsn
from ..repair.apply import apply_to_catalog, prepare_in_catalog
from ..repair.rehearse import SnapshotCatalog
from ..repair.session import RepairSession
from ..repair.store import PostgresCatalog
from ..repair.undo import reverts_for
from ..snapshot import open_snapshot
from ..snapshot.take import take_snapshot


@dataclass
class RepairTarget:
    """The catalog repairs are written to: ``dsn`` (PostgreSQL) or ``working_copy`` (a snapshot file)."""

    dsn: Dsn | None = None
    working_copy: Path | None = None

    @property
    def label(self) -> str:
        """What the confirmation shows: host/database, never the password."""
        if self.dsn is not None:
            return f"PostgreSQL {self.dsn.host_and_db}"
        return f"snapshot working copy {self.working_copy.name} (no database: nothing leaves this machine)"

    def catalog(self):
        return (
            PostgresCatalog(self.dsn)
            if self.dsn is not None
            else SnapshotCatalog(self.working_copy)
        )

    def prepare(self, corrections: list) -> list:
        """Fill each correction's expected state from the target as it is now."""
        catalog = self.catalog()
        try:
            return prepare_in_catalog(catalog, corrections)
        finally:
            catalog.close()

    def apply(
        self, corrections: list, session: RepairSession, *, dry_run: bool, on_each=None
    ) -> list:
        """Apply (or preview) each correction in its own transaction; call ``on_each(i, result)`` after each."""
        catalog = self.catalog()
        try:
            return apply_to_catalog(catalog, corrections, session, dry_run=dry_run, on_each=on_each)
        finally:
            catalog.close()

    def undo(self, target: str, session: RepairSession, *, dry_run: bool = False) -> list:
        """Undo a correction (by id) or a whole repair session (by its root job id), as new logged corrections."""
        catalog = self.catalog()
        try:
            reverts = reverts_for(catalog, target)
        finally:
            catalog.close()
        return self.apply(reverts, session, dry_run=dry_run)

    def log_rows(self, ids: list[str]) -> list[dict]:
        """Return the llama_logs rows with these ids, oldest first."""
        catalog = self.catalog()
        try:
            rows = [catalog.row("llama_logs", {"id": i}) for i in ids]
            catalog.rollback()
        finally:
            catalog.close()
        return sorted(
            (r for r in rows if r), key=lambda r: (r["created_at"], not r["is_root_job"], r["id"])
        )


def resolve_source(
    source=None,
    *,
    snapshot_path: str | os.PathLike | None = None,
    progress: bool = False,
    release=None,
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
    """A writable copy of the snapshot beside it (made once; repairs without a database go there)."""
    copy = path.with_name(f"{path.stem}.working-copy.duckdb")
    if not copy.exists() or copy.stat().st_mtime < path.stat().st_mtime:
        shutil.copyfile(path, copy)
    return copy
