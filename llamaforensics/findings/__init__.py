"""Findings: every kind of broken album and log row, found by documented SQL over a snapshot.

``run_findings(con)`` runs every kind (or some) and returns one Polars frame
per kind; ``to_findings`` turns them into :class:`Finding` records and
``health_summary`` counts them. ``find_<kind>(con)`` runs one kind.
"""

from .album import findings_for_album
from .checks import (
    find_artistless_album,
    find_broken_parent_chain,
    find_dangling_entity_id,
    find_duplicate_album,
    find_failing_enrichment,
    find_impossible_log_time,
    find_late_first_log,
    find_looping_parent_chain,
    find_mislabelled_category,
    find_missing_external_id,
    find_multi_parent_job,
    find_no_created_log,
    find_null_root_job_id,
    find_stuck_enrichment,
    find_track_count_mismatch,
    find_trackless_album,
    find_wrong_root_job_id,
)
from .kinds import KINDS, Finding, Kind, Thresholds
from .run import run_findings, snapshot_time, to_findings
from .summary import health_summary

__all__ = [
    "KINDS",
    "Finding",
    "Kind",
    "Thresholds",
    "find_artistless_album",
    "find_broken_parent_chain",
    "find_dangling_entity_id",
    "find_duplicate_album",
    "find_failing_enrichment",
    "find_impossible_log_time",
    "find_late_first_log",
    "find_looping_parent_chain",
    "find_missing_external_id",
    "find_mislabelled_category",
    "find_multi_parent_job",
    "find_no_created_log",
    "find_null_root_job_id",
    "find_stuck_enrichment",
    "find_track_count_mismatch",
    "find_trackless_album",
    "find_wrong_root_job_id",
    "findings_for_album",
    "health_summary",
    "run_findings",
    "snapshot_time",
    "to_findings",
]
