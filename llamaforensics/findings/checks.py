"""One function per finding kind, for a notebook cell or a script that wants just that check.

Each returns the kind's frame (the columns of :func:`run_findings`) from its
SQL file in ``llamaforensics/queries``; the time- and count-based ones take
their threshold by name, with the documented default.
"""

from __future__ import annotations

import duckdb
import polars as pl

from .kinds import Thresholds
from .run import run_findings

DEFAULT = Thresholds()


def _one(con: duckdb.DuckDBPyConnection, kind: str, **thresholds: int) -> pl.DataFrame:
    return run_findings(con, [kind], **thresholds)[kind]


def find_trackless_album(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the albums with no tracks, each with its likely cause and the fix that cause calls for."""
    return _one(con, "trackless_album")


def find_track_count_mismatch(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the albums whose track_count disagrees with the tracks they have (claimed, actual)."""
    return _one(con, "track_count_mismatch")


def find_artistless_album(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the albums with no artist linked, with their creation log rows."""
    return _one(con, "artistless_album")


def find_missing_external_id(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the albums without a musicbrainz_id though an enrichment claims success, per source, with the logged id."""
    return _one(con, "missing_external_id")


def find_no_created_log(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the albums whose creation no log row records (unknown origin)."""
    return _one(con, "no_created_log")


def find_late_first_log(
    con: duckdb.DuckDBPyConnection, late_hours: int = DEFAULT.late_hours
) -> pl.DataFrame:
    """Return the albums whose first log row comes more than ``late_hours`` after created_at."""
    return _one(con, "late_first_log", late_hours=late_hours)


def find_stuck_enrichment(
    con: duckdb.DuckDBPyConnection, stuck_days: int = DEFAULT.stuck_days
) -> pl.DataFrame:
    """Return the albums pending enrichment for more than ``stuck_days`` before the snapshot time."""
    return _one(con, "stuck_enrichment", stuck_days=stuck_days)


def find_failing_enrichment(
    con: duckdb.DuckDBPyConnection, min_failures: int = DEFAULT.min_failures
) -> pl.DataFrame:
    """Return the albums whose enrichment failed at least ``min_failures`` times and last failed, with the last error."""
    return _one(con, "failing_enrichment", min_failures=min_failures)


def find_duplicate_album(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return every member of each group of duplicate albums, with the group's suggested survivor."""
    return _one(con, "duplicate_album")


def find_null_root_job_id(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the log rows with a job but no root_job_id, with the root their chain leads to."""
    return _one(con, "null_root_job_id")


def find_wrong_root_job_id(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the log rows whose root_job_id is not the top of their chain (stored, inferred)."""
    return _one(con, "wrong_root_job_id")


def find_broken_parent_chain(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the log rows whose parent_job_id names a job no row has."""
    return _one(con, "broken_parent_chain")


def find_looping_parent_chain(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the log rows whose job chain loops, with the loop."""
    return _one(con, "looping_parent_chain")


def find_dangling_entity_id(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the log rows whose entity_id points at no live row of its entity_type's table."""
    return _one(con, "dangling_entity_id")


def find_mislabelled_category(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the log rows whose category disagrees with their operation and status, with the expected one."""
    return _one(con, "mislabelled_category")


def find_impossible_log_time(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return log rows written at an impossible time (infinite, pre-2000, after the snapshot)."""
    return _one(con, "impossible_log_time")


def find_multi_parent_job(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the rows of each job whose rows name different parents, with the parent each names."""
    return _one(con, "multi_parent_job")
