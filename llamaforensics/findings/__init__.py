"""Findings: every kind of broken album and log row, found by documented SQL over a snapshot.

``run_findings(con)`` runs every kind (or some) and returns one Polars frame
per kind; ``to_findings`` turns them into :class:`Finding` records and
``health_summary`` counts them. ``find_<kind>(con)`` runs one kind: one
function per SQL file that declares a kind (see :mod:`.header`), made here.
"""

from .checks import FINDERS
from .for_album import findings_for_album
from .kinds import KINDS, Finding, Kind, Thresholds
from .run import run_findings, snapshot_time, to_findings
from .summary import health_summary

globals().update(FINDERS)

__all__ = [
    "KINDS",
    "Finding",
    "Kind",
    "Thresholds",
    "findings_for_album",
    "health_summary",
    "run_findings",
    "snapshot_time",
    "to_findings",
    *FINDERS,
]
