"""Every kind of finding: what it points at, how bad it is, and what fix it suggests.

Each kind is one SQL file in ``llamaforensics/queries`` named after it, whose
header says what it finds, why it matters and what fix it suggests. The five
job-chain kinds read the rows ``queries/job_chain_rows.sql`` flags against the
roots the lineage engine infers (no depth limit, safe on loops). The
thresholds are parameters with documented defaults.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Thresholds:
    """Parameters of the time- and count-based findings, with their documented defaults."""

    stuck_days: int = 7  # stuck_enrichment: pending this many days after its last update
    late_hours: int = 24  # late_first_log: first log row this many hours after created_at
    min_failures: int = 3  # failing_enrichment: at least this many FAILED enrichment rows

    def params(self) -> dict[str, int]:
        """Return the thresholds as the named parameters the SQL files bind."""
        return asdict(self)


@dataclass(frozen=True)
class Kind:
    name: str
    entity_type: str  # ALBUM, or LOG (a llama_logs row)
    severity: str  # critical, warning, info
    fix: str  # the suggested fix kind
    summary: str
    # a shared preparation the kind's SQL reads ("job_chains": _lf_chain_rows,
    # "pg_text": _lf_pg_text, which snapshots before it lack)
    needs: str | None = None


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "trackless_album",
            "ALBUM",
            "critical",
            "add_tracks",
            "albums with no tracks, with the likely cause",
        ),
        Kind(
            "track_count_mismatch",
            "ALBUM",
            "warning",
            "set_track_count",
            "track_count differs from the real tracks",
        ),
        Kind(
            "artistless_album", "ALBUM", "critical", "link_artist", "albums with no artist linked"
        ),
        Kind(
            "missing_external_id",
            "ALBUM",
            "warning",
            "set_external_id",
            "no musicbrainz_id after a successful enrichment",
        ),
        Kind("no_created_log", "ALBUM", "info", "none", "no log row records the album's creation"),
        Kind(
            "late_first_log",
            "ALBUM",
            "info",
            "none",
            "the first log row comes long after created_at",
        ),
        Kind(
            "stuck_enrichment",
            "ALBUM",
            "warning",
            "requeue_enrichment",
            "enrichment pending for too long",
        ),
        Kind(
            "failing_enrichment",
            "ALBUM",
            "warning",
            "requeue_enrichment",
            "enrichment failing again and again",
        ),
        Kind(
            "duplicate_album",
            "ALBUM",
            "warning",
            "merge_duplicate",
            "the same release twice; groups with a survivor",
        ),
        Kind(
            "null_root_job_id",
            "LOG",
            "info",
            "backfill_root",
            "rows with a job but no root_job_id",
            "job_chains",
        ),
        Kind(
            "wrong_root_job_id",
            "LOG",
            "warning",
            "backfill_root",
            "root_job_id is not the top of the chain",
            "job_chains",
        ),
        Kind(
            "broken_parent_chain",
            "LOG",
            "warning",
            "none",
            "parent_job_id names a job no row has",
            "job_chains",
        ),
        Kind(
            "looping_parent_chain",
            "LOG",
            "critical",
            "none",
            "parent_job_id chains that loop",
            "job_chains",
        ),
        Kind(
            "multi_parent_job",
            "LOG",
            "warning",
            "none",
            "one job whose rows name different parents",
            "job_chains",
        ),
        Kind("dangling_entity_id", "LOG", "warning", "none", "entity_id points at nothing"),
        Kind(
            "mislabelled_category",
            "LOG",
            "info",
            "relabel_category",
            "category disagrees with operation and status",
        ),
        Kind(
            "impossible_log_time",
            "LOG",
            "warning",
            "none",
            "created_at is infinite, before 2000 or after the snapshot",
            "pg_text",
        ),
    )
}
# trackless_album's fix depends on its cause; duplicate_album's survivor needs none.
FIX_BY_CAUSE = {
    "tracks_never_fetched": "fetch_tracks",
    "never_enriched": "requeue_enrichment",
    "edition_suffix": "set_external_id",
    "too_new_for_musicbrainz": "add_tracks",
    "unknown": "add_tracks",
}


@dataclass
class Finding:
    """One broken thing: what it is, which entity, how bad, the evidence, and the fix it suggests."""

    kind: str
    entity_type: str
    entity_id: str
    title: str | None
    severity: str
    suggested_fix: str
    detail: dict[str, Any] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)  # llama_logs ids that prove it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
