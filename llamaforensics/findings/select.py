"""Findings narrowed the way people ask: kind, severity, origin source and time, or only new ones.

Filters are checked against what exists (kinds, severities, the sources the
snapshot's log and albums name) before anything runs, with a "did you mean".
Source and time refer to a finding's origin (``causes.finding_origins``: the
row that created its album, or the log row itself). ``fail_on`` decides
whether a scheduled run should fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from ..choices import checked
from ..errors import UsageError
from .as_of import findings_as_of_previous_refresh
from .causes import finding_origins
from .kinds import KINDS, Thresholds
from .run import checked_kinds, empty_frame, run_findings
from .summary import SEVERITY_ORDER

SOURCES_SQL = """
SELECT DISTINCT s FROM (SELECT unnest(sources) AS s FROM llama_logs UNION ALL
                        SELECT source::VARCHAR FROM albums) WHERE s IS NOT NULL
"""


@dataclass(frozen=True)
class FindingFilter:
    """Which findings to keep (None: no restriction). ``severity`` keeps that severity and worse."""

    kinds: tuple[str, ...] | None = None
    severity: str | None = None
    sources: tuple[str, ...] | None = None
    since: datetime | None = None
    until: datetime | None = None
    new_since_refresh: bool = False

    def needs_origins(self) -> bool:
        return bool(self.sources or self.since or self.until)


def checked_filter(con: duckdb.DuckDBPyConnection, where: FindingFilter) -> FindingFilter:
    """Return ``where`` spelt as the snapshot spells each value; raise on an unknown one."""
    kinds = tuple(checked_kinds(where.kinds)) if where.kinds else None
    severity = None
    if where.severity:
        severity = SEVERITY_ALIASES.get(where.severity.casefold(), where.severity)
        severity = checked_one(severity, SEVERITY_ORDER, "severity")
    sources = None
    if where.sources:
        sources = checked(
            where.sources, [r[0] for r in con.execute(SOURCES_SQL).fetchall()], "source"
        )
    if where.since and where.until and where.since >= where.until:
        raise UsageError(
            f"--since {where.since} is not before --until {where.until}: nothing could match"
        )
    return FindingFilter(
        kinds, severity, sources, where.since, where.until, where.new_since_refresh
    )


def select_findings(
    con: duckdb.DuckDBPyConnection,
    where: FindingFilter = FindingFilter(),
    thresholds: Thresholds | None = None,
) -> dict[str, pl.DataFrame]:
    """Run the findings ``where`` allows and keep the rows it selects; one frame per kind."""
    where = checked_filter(con, where)
    kinds = [
        k
        for k in checked_kinds(where.kinds)
        if where.severity is None
        or SEVERITY_ORDER[KINDS[k].severity] <= SEVERITY_ORDER[where.severity]
    ]
    frames = run_findings(con, kinds, thresholds) if kinds else {}
    if where.new_since_refresh:
        frames = _only_new(con, frames, thresholds)
    if where.needs_origins():
        frames = _by_origin(con, frames, where)
    return frames


def _only_new(con, frames: dict[str, pl.DataFrame], thresholds) -> dict[str, pl.DataFrame]:
    """Keep the findings the refresh before did not have (all, when there was none before)."""
    before = findings_as_of_previous_refresh(con, thresholds)
    if before is None:
        return frames
    return {
        k: f.join(
            before.filter(pl.col("kind") == k).select("entity_id"), on="entity_id", how="anti"
        )
        for k, f in frames.items()
    }


def _by_origin(
    con, frames: dict[str, pl.DataFrame], where: FindingFilter
) -> dict[str, pl.DataFrame]:
    found = [f for f in frames.values() if f.height]
    if not found:
        return frames
    origins = finding_origins(con, pl.concat(found))
    keep = pl.lit(True)
    if where.sources:
        keep &= pl.col("source").is_in(list(where.sources))
    if where.since:
        keep &= pl.col("day") >= where.since.date()
    if where.until:
        keep &= (
            pl.col("day") < where.until.date()
            if where.until.time() == datetime.min.time()
            else pl.col("day") <= where.until.date()
        )
    kept = origins.filter(keep).select("entity_type", "entity_id")
    return {
        k: f.join(kept, on=["entity_type", "entity_id"], how="semi") if f.height else empty_frame()
        for k, f in frames.items()
    }


# What people who think in low/medium/high mean by our severities.
SEVERITY_ALIASES = {"low": "info", "medium": "warning", "high": "critical"}


def checked_fail_on(spec: str) -> tuple[str, str]:
    """Return ("severity", name) or ("kind", name) for a --fail-on value; raise if unknown."""
    folded = spec.casefold()
    severity = {s: s for s in SEVERITY_ORDER} | SEVERITY_ALIASES
    if folded in severity:
        return "severity", severity[folded]
    return "kind", checked_one(
        spec, [*SEVERITY_ORDER, *SEVERITY_ALIASES, *KINDS], "severity or finding kind"
    )


def checked_one(value: str, known: Iterable[str], what: str) -> str:
    """Return ``value`` spelt as ``known`` spells it; raise UsageError if it is unknown."""
    (spelt,) = checked([value], known, what) or (value,)
    return spelt


def fail_on(frames: dict[str, pl.DataFrame], spec: str) -> list[str]:
    """Return the kinds with findings that ``spec`` (a severity and worse, or a kind) fails on."""
    what, name = checked_fail_on(spec)
    if what == "kind":
        return [name] if frames.get(name) is not None and frames[name].height else []
    return [
        k
        for k, f in frames.items()
        if f.height and SEVERITY_ORDER[KINDS[k].severity] <= SEVERITY_ORDER[name]
    ]
