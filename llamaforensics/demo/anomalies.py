"""The anomalies the demo generator plants, what each looks like in the data, and where they go.

Every kind names the entity the ground truth points at (an album id, or a
llama_logs row id) and the rule that tells it from the healthy data around it.
A clean catalog (``anomalies=False``) satisfies every rule below; each planted
entity breaks exactly the rules its ground-truth rows name (an album never
enriched is, by nature, also stuck -- both rows are in the ground truth).

Time-based rules are measured against the snapshot's time (``DEMO_NOW`` for
demo data) with these default thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STUCK_AFTER_DAYS = 7
LATE_FIRST_LOG_HOURS = 24
FAILING_MIN_FAILURES = 3


@dataclass(frozen=True)
class AnomalyKind:
    entity_type: str  # ALBUM or LOG (a llama_logs row)
    rule: str


ANOMALY_KINDS: dict[str, AnomalyKind] = {
    "trackless_album": AnomalyKind(
        "ALBUM",
        (
            "the album has no tracks. detail.cause, decided in this order: 'tracks_never_fetched' "
            "(musicbrainz_id is set: a MusicBrainz import whose enrichment was SKIPPED), "
            "'never_enriched' (no enrichment:album row at all), 'edition_suffix' (title ends with "
            "an edition suffix such as '(Deluxe)', enrichment NO_DATA_AVAILABLE), "
            "'too_new_for_musicbrainz' (Spotify source, released days before enrichment, "
            "enrichment NO_DATA_AVAILABLE, album COMPLETED with data_quality LOW)"
        ),
    ),
    "track_count_mismatch": AnomalyKind(
        "ALBUM",
        (
            "the album has at least one track and track_count is not NULL and differs from its "
            "number of tracks (detail: claimed, actual)"
        ),
    ),
    "artistless_album": AnomalyKind("ALBUM", "no album_artists row for the album"),
    "missing_external_id": AnomalyKind(
        "ALBUM",
        (
            "musicbrainz_id is NULL although an enrichment:album row about the album has status "
            "SUCCESS or PARTIAL_SUCCESS (its metadata.musicbrainzId carries the id that was never "
            "stored; detail: source, logged_musicbrainz_id)"
        ),
    ),
    "no_created_log": AnomalyKind(
        "ALBUM",
        (
            "no log row records the album's creation: no row with entity_type ALBUM and category "
            "CREATED about it (album_id or entity_id; track rows carry album_id too, they do not "
            "count) and no USER_ACTION row about it with metadata.albumCreated = true"
        ),
    ),
    "late_first_log": AnomalyKind(
        "ALBUM",
        (
            f"the album's first log row comes more than {LATE_FIRST_LOG_HOURS} h after "
            "albums.created_at (detail: hours)"
        ),
    ),
    "stuck_enrichment": AnomalyKind(
        "ALBUM",
        (
            f"enrichment_status is UNENRICHED, QUEUED or IN_PROGRESS and updated_at is more than "
            f"{STUCK_AFTER_DAYS} days before the snapshot time (detail: status, days)"
        ),
    ),
    "failing_enrichment": AnomalyKind(
        "ALBUM",
        (
            f"at least {FAILING_MIN_FAILURES} enrichment:album rows about the album have status "
            "FAILED and its latest enrichment:album row is FAILED (detail: failures, last_error)"
        ),
    ),
    "duplicate_album": AnomalyKind(
        "ALBUM",
        (
            "two albums with the same normalised title (lower case, accents and punctuation "
            "removed, spaces collapsed) and the same primary artist (album_artists role 'primary', "
            "position 0), or the same discogs_id; every member of a group is a ground-truth row "
            "(detail: group = the survivor's id, survivor = the album to keep: the one with a "
            "musicbrainz_id, then the earliest created)"
        ),
    ),
    "null_root_job_id": AnomalyKind(
        "LOG",
        (
            "a log row with a job_id whose root_job_id is NULL, in a chain that reaches a root "
            "without looping (detail: inferred_root)"
        ),
    ),
    "wrong_root_job_id": AnomalyKind(
        "LOG",
        (
            "a log row whose root_job_id is set but is not the top of its parent_job_id chain "
            "(followed with no depth limit; detail: stored, inferred). Includes rows under chains "
            "deeper than 10, which the upstream backfill cut short"
        ),
    ),
    "broken_parent_chain": AnomalyKind(
        "LOG", ("a log row whose parent_job_id names a job no log row has (detail: missing_parent)")
    ),
    "looping_parent_chain": AnomalyKind(
        "LOG",
        ("a log row whose job lies on a parent_job_id cycle (self-loops included; detail: cycle)"),
    ),
    "dangling_entity_id": AnomalyKind(
        "LOG",
        (
            "a log row whose entity_id names no row of the table its entity_type says (entity_id "
            "has no foreign key)"
        ),
    ),
    "mislabelled_category": AnomalyKind(
        "LOG",
        (
            "a log row whose category disagrees with what its operation and status imply: status "
            "FAILED -> FAILED; else admin_correction, manual_correction, MANUAL_UPDATE, "
            "MANUAL_DATA_QUALITY_UPDATE -> CORRECTED; enrichment:*, check:*, PREVIEW_ENRICHMENT, "
            "SPOTIFY_TRACK_FALLBACK, similar-artists-sync, discogs:* -> ENRICHED; cache:* -> "
            "CACHED or ENRICHED; collection:*, recommendation:*, game-pool:* -> USER_ACTION; "
            "*:linked -> LINKED; everything else -> CREATED. Planted as the old catch-all backfill "
            "wrote them (detail: expected)"
        ),
    ),
    "multi_parent_job": AnomalyKind(
        "LOG",
        (
            "a log row of a job whose rows name different parents (planted: a root, two children, "
            "and a job with one row under each child; every root_job_id stored right, so it is no "
            "other chain problem)"
        ),
    ),
    "impossible_log_time": AnomalyKind(
        "LOG",
        (
            "a log row written at a time that cannot be true: infinite, before 2000-01-01, or more "
            "than a day after the snapshot (planted at 1970-01-01, a clock reset to the epoch, "
            "and 2999-12-31)"
        ),
    ),
    "hostile_title": AnomalyKind(
        "ALBUM",
        (
            "not a defect: a title made of quotes, emoji, CJK, markup, SQL, tabs or newlines, for "
            "every display and export to survive"
        ),
    ),
}

# Share of albums (per chunk) given each album-level role; each at least MIN_PER_KIND times.
ALBUM_ROLE_RATES = {
    "too_new": 0.025,
    "edition_suffix": 0.004,
    "tracks_never_fetched": 0.004,
    "never_enriched": 0.003,
    "track_count_mismatch": 0.008,
    "artistless": 0.006,
    "missing_external_id": 0.008,
    "no_created_log": 0.006,
    "late_first_log": 0.006,
    "stuck": 0.004,
    "failing": 0.005,
    "duplicate": 0.006,
    "hostile_title": 0.006,
}
MIN_PER_KIND = 2
ROLE_CODES = {name: code for code, name in enumerate(ALBUM_ROLE_RATES, start=1)}


def assign_roles(rng: np.random.Generator, n: int, anomalies: bool) -> np.ndarray:
    """Return each album's role code (0 = healthy), disjoint, at the planned rates."""
    roles = np.zeros(n, dtype=np.int8)
    if not anomalies:
        return roles
    counts = {name: max(MIN_PER_KIND, round(rate * n)) for name, rate in ALBUM_ROLE_RATES.items()}
    total = sum(counts.values())
    if total > n:
        raise ValueError(f"too few albums ({n}) to plant every anomaly kind; use a larger scale")
    chosen = rng.permutation(n)[:total]
    start = 0
    for name, count in counts.items():
        roles[chosen[start : start + count]] = ROLE_CODES[name]
        start += count
    return roles
