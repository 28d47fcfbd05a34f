"""Findings: every kind of broken album and log row, found by documented SQL over a snapshot."""

from .kinds import KINDS, Finding, Kind, Thresholds
from .run import findings_for_album, run_findings, snapshot_time, to_findings
from .summary import health_summary

__all__ = ["KINDS", "Finding", "Kind", "Thresholds", "findings_for_album", "health_summary", "run_findings",
           "snapshot_time", "to_findings"]
