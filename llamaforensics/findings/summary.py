"""The health summary: how many findings of each kind and severity, and the worst offenders."""

from __future__ import annotations

from typing import Any

import polars as pl

from .header import SEVERITY_ORDER
from .kinds import KINDS

__all__ = ["SEVERITY_ORDER", "health_summary"]


def health_summary(frames: dict[str, pl.DataFrame], top: int = 3) -> dict:
    """Return counts per kind (with severity and fix) and each kind's first ``top`` offenders."""
    kinds: list[dict[str, Any]] = []
    for kind, frame in sorted(
        frames.items(), key=lambda kv: (SEVERITY_ORDER[KINDS[kv[0]].severity], kv[0])
    ):
        spec = KINDS[kind]
        offenders = [
            {"entity_id": r["entity_id"], "title": r["title"], "detail": r["detail"]}
            for r in frame.head(top).to_dicts()
        ]
        kinds.append(
            {
                "kind": kind,
                "entity_type": spec.entity_type,
                "severity": spec.severity,
                "count": frame.height,
                "suggested_fix": spec.fix,
                "summary": spec.summary,
                "top": offenders,
            }
        )
    by_severity = {s: sum(k["count"] for k in kinds if k["severity"] == s) for s in SEVERITY_ORDER}
    return {"total": sum(k["count"] for k in kinds), "by_severity": by_severity, "kinds": kinds}
