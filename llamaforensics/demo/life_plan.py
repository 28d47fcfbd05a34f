"""The life plan of every demo album: its origin, its times, what enrichment found, what went wrong.

A plan is a handful of NumPy arrays, one value per album (duplicates appended
at the end as albums of their own). The catalog tables and the log rows are
both derived from the same plan, so they always agree with each other -- except
where an anomaly says they must not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from .anomalies import ROLE_CODES, assign_roles

DEMO_NOW = datetime(2026, 11, 1)
DAY = 86_400_000
HOUR = 3_600_000
MINUTE = 60_000


def _ms(d: datetime) -> int:
    return int((d - datetime(1970, 1, 1)).total_seconds() * 1000)


NOW_MS = _ms(DEMO_NOW)
START_MS = _ms(datetime(2024, 9, 1))
# The day the old enrichment log was renamed llama_logs and backfilled (SCHEMA.md).
LEGACY_END_MS = _ms(datetime(2025, 6, 15))

# Origins: how an album entered the catalog (albums.metadata.syncSource).
SPOTIFY, MUSICBRAINZ, DEEZER, COLLECTION, MANUAL, RECOMMENDATION, UNKNOWN = range(7)
ORIGIN_SHARES = (0.40, 0.30, 0.08, 0.12, 0.06, 0.04, 0.0)
SYNC_SOURCE = (
    "spotify_search",
    "musicbrainz_sync",
    "deezer_editorial",
    "user_collection",
    "manual",
    "user_recommendation",
    "unknown",
)
CONTENT_SOURCE = (
    "SPOTIFY",
    "MUSICBRAINZ",
    "DEEZER",
    "MUSICBRAINZ",
    "USER_SUBMITTED",
    "MUSICBRAINZ",
    "MUSICBRAINZ",
)
BATCHED = (SPOTIFY, MUSICBRAINZ, DEEZER)
BATCH_SIZE = {SPOTIFY: 40, MUSICBRAINZ: 60, DEEZER: 25}

# Which origin an anomaly forces (its story needs it), and which need an old album.
FORCED_ORIGIN = {
    "too_new": SPOTIFY,
    "edition_suffix": SPOTIFY,
    "tracks_never_fetched": MUSICBRAINZ,
    "never_enriched": COLLECTION,
    "no_created_log": UNKNOWN,
    "stuck": MANUAL,
    "duplicate": MUSICBRAINZ,
}
OLD_ROLES = ("never_enriched", "stuck")

RELEASE_TYPE_P = (0.6, 0.2, 0.15, 0.05)  # album, ep, single, compilation
TRACKS_RANGE = ((8, 17), (4, 7), (1, 4), (14, 23))


@dataclass
class AlbumPlan:
    """One value per album; ``n`` originals first, then their duplicate copies."""

    seed: int
    chunk: int
    number: np.ndarray  # global album number (uuid source)
    role: np.ndarray  # anomaly role code, 0 = healthy
    origin: np.ndarray
    t0: np.ndarray  # time of the first log row (creation)
    created: np.ndarray  # albums.created_at (earlier than t0 for late_first_log)
    batch: np.ndarray  # global batch number for batched origins, -1 otherwise
    enriched_at: np.ndarray  # time of the first enrichment:album row, -1 if never enriched
    release_type: np.ndarray
    claimed_tracks: np.ndarray  # albums.track_count
    real_tracks: np.ndarray  # rows in tracks
    artist: np.ndarray  # local artist index of the primary artist
    linked: np.ndarray  # has an album_artists row
    has_mbid: np.ndarray
    duplicate_of: np.ndarray  # index of the original for copies, -1 otherwise
    quality: np.ndarray  # 0 LOW, 1 MEDIUM, 2 HIGH
    user: np.ndarray  # user number who added it (collection, manual, recommendation)
    extra: dict = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.number)

    def has(self, role: str) -> np.ndarray:
        return self.role == ROLE_CODES[role]


def _spread(rng, n: int, lo: int, hi: int) -> np.ndarray:
    """Return times between lo and hi, denser towards hi (the catalog grows)."""
    return (lo + (hi - lo) * np.sqrt(rng.random(n))).astype(np.int64)


def _origins(rng, roles: np.ndarray) -> np.ndarray:
    origin = rng.choice(len(ORIGIN_SHARES), size=len(roles), p=ORIGIN_SHARES).astype(np.int8)
    for role, forced in FORCED_ORIGIN.items():
        origin[roles == ROLE_CODES[role]] = forced
    return origin


def _batch_times(
    rng, origin: np.ndarray, chunk: int, batch_base: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Group batched albums into sync batches; return time and batch per album, next batch base."""
    t0 = np.zeros(len(origin), dtype=np.int64)
    batch = np.full(len(origin), -1, dtype=np.int64)
    for o in BATCHED:
        idx = np.flatnonzero(origin == o)
        if not len(idx):
            continue
        n_batches = max(1, -(-len(idx) // BATCH_SIZE[o]))
        starts = np.sort(_spread(rng, n_batches, START_MS, NOW_MS - 2 * DAY))
        which = np.arange(len(idx)) * n_batches // len(idx)
        rank = np.arange(len(idx)) - np.searchsorted(which, which)
        t0[idx] = starts[which] + 1000 + rank * rng.integers(300, 1500, len(idx))
        batch[idx] = batch_base + which
        batch_base += n_batches
    return t0, batch, batch_base


def plan_albums(
    rng: np.random.Generator,
    seed: int,
    chunk: int,
    n: int,
    first_number: int,
    n_users: int,
    batch_base: int,
    anomalies: bool,
) -> tuple[AlbumPlan, int]:
    """Plan ``n`` albums (and their duplicates); return the plan and the next free batch number."""
    role = assign_roles(rng, n, anomalies)
    origin = _origins(rng, role)
    t0, batch, batch_base = _batch_times(rng, origin, chunk, batch_base)
    single = batch < 0
    old = np.isin(role, [ROLE_CODES[r] for r in OLD_ROLES])
    t0[single & ~old] = _spread(rng, int((single & ~old).sum()), START_MS, NOW_MS - DAY)
    t0[single & old] = _spread(rng, int((single & old).sum()), START_MS, NOW_MS - 120 * DAY)
    created = t0.copy()
    late = role == ROLE_CODES["late_first_log"]
    created[late] -= rng.integers(2 * DAY, 400 * DAY, int(late.sum()))

    rtype = rng.choice(4, size=n, p=RELEASE_TYPE_P).astype(np.int8)
    lo = np.array([r[0] for r in TRACKS_RANGE])[rtype]
    hi = np.array([r[1] for r in TRACKS_RANGE])[rtype]
    claimed = rng.integers(lo, hi).astype(np.int32)
    real = _real_tracks(rng, role, claimed)
    enriched_at = t0 + rng.integers(MINUTE, 6 * HOUR, n)
    enriched_at[role == ROLE_CODES["never_enriched"]] = -1
    n_artists = max(8, int(n * 0.45))
    artist = np.minimum((n_artists * rng.random(n) ** 1.7).astype(np.int64), n_artists - 1)
    no_mbid = np.isin(
        role,
        [
            ROLE_CODES[r]
            for r in ("too_new", "edition_suffix", "never_enriched", "missing_external_id")
        ],
    )
    quality = np.where(
        no_mbid | (role == ROLE_CODES["tracks_never_fetched"]), 0, rng.integers(1, 3, n)
    )
    user = rng.integers(0, n_users, n)
    plan = AlbumPlan(
        seed,
        chunk,
        np.arange(first_number, first_number + n, dtype=np.int64),
        role,
        origin,
        t0,
        created,
        batch,
        enriched_at,
        rtype,
        claimed,
        real,
        artist,
        role != ROLE_CODES["artistless"],
        ~no_mbid,
        np.full(n, -1, dtype=np.int64),
        quality.astype(np.int8),
        user,
    )
    return _with_duplicates(rng, plan), batch_base


def _real_tracks(rng, role: np.ndarray, claimed: np.ndarray) -> np.ndarray:
    real = claimed.copy()
    trackless = np.isin(
        role,
        [
            ROLE_CODES[r]
            for r in ("too_new", "edition_suffix", "tracks_never_fetched", "never_enriched")
        ],
    )
    real[trackless] = 0
    mismatch = np.flatnonzero(role == ROLE_CODES["track_count_mismatch"])
    fewer = claimed[mismatch] >= 2
    cut = rng.integers(1, np.maximum(claimed[mismatch], 2))
    real[mismatch] = np.where(
        fewer, claimed[mismatch] - np.minimum(cut, claimed[mismatch] - 1), claimed[mismatch] + 1
    )
    return real


def _with_duplicates(rng, plan: AlbumPlan) -> AlbumPlan:
    """Append one copy per album planned as a duplicate: imported again later, from Spotify."""
    orig = np.flatnonzero(plan.has("duplicate"))
    if not len(orig):
        return plan
    t_copy = (
        plan.enriched_at[orig]
        + HOUR
        + (
            rng.random(len(orig)) * np.maximum(NOW_MS - DAY - plan.enriched_at[orig] - HOUR, 0)
        ).astype(np.int64)
    )
    copy = {
        "number": plan.number[orig] + (1 << 40),
        "role": plan.role[orig],
        "origin": np.full(len(orig), SPOTIFY, np.int8),
        "t0": t_copy,
        "created": t_copy,
        "batch": np.full(len(orig), -1, np.int64),
        "enriched_at": t_copy + rng.integers(MINUTE, 6 * HOUR, len(orig)),
        "release_type": plan.release_type[orig],
        "claimed_tracks": plan.claimed_tracks[orig],
        "real_tracks": plan.real_tracks[orig],
        "artist": plan.artist[orig],
        "linked": np.ones(len(orig), bool),
        "has_mbid": np.zeros(len(orig), bool),
        "duplicate_of": orig,
        "quality": np.zeros(len(orig), np.int8),
        "user": plan.user[orig],
    }
    for name, values in copy.items():
        setattr(
            plan,
            name,
            np.concatenate([getattr(plan, name), values.astype(getattr(plan, name).dtype)]),
        )
    return plan
