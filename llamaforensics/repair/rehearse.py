"""Rehearse corrections on a copy of a snapshot (DuckDB): the same plan, the same rows, no server.

The snapshot itself is never modified: corrections run on a copy, through a
:class:`~.snapshot_catalog.SnapshotCatalog`, by the very engine that applies
them to PostgreSQL.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .apply import apply_to_catalog, prepare_in_catalog
from .model import Correction
from .result import Result
from .session import RepairSession
from .snapshot_catalog import SnapshotCatalog


@dataclass
class Rehearsal:
    """The results of a rehearsal and the snapshot copy that holds its outcome."""

    path: Path
    results: list[Result]
    # Tables a snapshot does not hold (favourites, collections, ...) whose rows may point at rows
    # the rehearsal deleted or moved: PostgreSQL checks them, a rehearsal cannot.
    unchecked: list[str] = field(default_factory=list)


def rehearse(
    snapshot: str | Path,
    corrections: Iterable[Correction],
    *,
    out: str | Path | None = None,
    session: RepairSession | None = None,
) -> Rehearsal:
    """Apply ``corrections`` to a copy of ``snapshot`` (written to ``out``, else a temporary file).

    Corrections not yet prepared are prepared against the copy itself.
    """
    session = session or RepairSession()
    copy = (
        Path(out)
        if out
        else Path(tempfile.mkdtemp(prefix="llamaforensics-rehearsal-")) / "rehearsal.duckdb"
    )
    shutil.copyfile(snapshot, copy)
    catalog = SnapshotCatalog(copy, clock=session.clock)
    try:
        prepared = prepare_in_catalog(catalog, list(corrections))
        results = apply_to_catalog(catalog, prepared, session, dry_run=False)
        unchecked = sorted(catalog.unseen)
    finally:
        catalog.close()
    return Rehearsal(copy, results, unchecked)
