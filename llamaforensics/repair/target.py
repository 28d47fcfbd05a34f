"""Where repairs are written: a PostgreSQL database, or a working copy of a snapshot.

The command line and the notebook widgets both repair through a
:class:`RepairTarget`: with a database, the corrections go to PostgreSQL; with
none (the demo, or a snapshot file alone), to a working copy of the snapshot,
so every step of a repair can still be tried end to end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..postgres.dsn import Dsn
from .apply import apply_to_catalog, prepare_in_catalog
from .atomic import apply_all_or_nothing_to_catalog
from .catalog import Catalog, Row
from .model import Correction
from .postgres_catalog import PostgresCatalog
from .result import Result
from .revert import reverts_for
from .session import RepairSession
from .snapshot_catalog import SnapshotCatalog


@dataclass
class RepairTarget:
    """The catalog repairs are written to: ``dsn`` (PostgreSQL) or ``working_copy`` (a file)."""

    dsn: Dsn | None = None
    working_copy: Path | None = None

    @property
    def label(self) -> str:
        """What the confirmation shows: host/database, never the password."""
        if self.dsn is not None:
            return f"PostgreSQL {self.dsn.host_and_db}"
        name = self.working_copy.name if self.working_copy else "(none)"
        return f"snapshot working copy {name} (no database: nothing leaves this machine)"

    def catalog(self) -> Catalog:
        """Open the target's catalog (the caller closes it)."""
        if self.dsn is not None:
            return PostgresCatalog(self.dsn)
        if self.working_copy is None:
            raise ValueError("a repair target needs a database or a working copy")
        return SnapshotCatalog(self.working_copy)

    def prepare(self, corrections: list[Correction]) -> list[Correction]:
        """Fill each correction's expected state from the target as it is now."""
        catalog = self.catalog()
        try:
            return prepare_in_catalog(catalog, corrections)
        finally:
            catalog.close()

    def apply(
        self,
        corrections: Sequence[Correction],
        session: RepairSession,
        *,
        dry_run: bool,
        on_each: Callable[[int, Result], object] | None = None,
        progress: bool = False,
        atomic: bool = False,
    ) -> list[Result]:
        """Apply (or preview) each correction in its own transaction, calling ``on_each(i, r)``.

        ``atomic``: all of them in one transaction, written only if none is
        skipped or refused (``repair apply --atomic``).
        """
        catalog = self.catalog()
        try:
            if atomic:
                return apply_all_or_nothing_to_catalog(
                    catalog, list(corrections), session, dry_run=dry_run, progress=progress
                )
            return apply_to_catalog(
                catalog, corrections, session, dry_run=dry_run, progress=progress, on_each=on_each
            )
        finally:
            catalog.close()

    def undo(self, target: str, session: RepairSession, *, dry_run: bool = False) -> list[Result]:
        """Undo a correction (by id) or a whole repair session (by its root job id), logged.

        The corrections to revert are found and applied on one connection.
        """
        catalog = self.catalog()
        try:
            reverts = reverts_for(catalog, target)
            return apply_to_catalog(catalog, reverts, session, dry_run=dry_run)
        finally:
            catalog.close()

    def log_rows(self, ids: list[str]) -> list[Row]:
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
