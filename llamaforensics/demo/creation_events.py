"""Log rows that follow an album's creation within hours: its artists and its cover art.

A new artist is created with its first album, enriched, and half the time its
image is cached; an enriched album's cover art is cached.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import timestamps
from .life_plan import HOUR, MINUTE
from .lifelog import LifeLog, queue_id


def log_artists(
    log: LifeLog,
    rng: np.random.Generator,
    artist_ids: pa.Array,
    local: np.ndarray,
    first_album: np.ndarray,
) -> None:
    """Log artist:created with the artist's first album, its enrichment, half the time its image."""
    plan = log.plan
    parent = plan.extra["creation_job"].take(pa.array(first_album))
    batched = pc.is_valid(parent).to_numpy(zero_copy_only=False)
    root = pc.if_else(
        pc.is_valid(parent), plan.extra["root_of_creation"].take(pa.array(first_album)), None
    )
    job = pc.binary_join_element_wise("artist-created-", artist_ids, "")
    root = pc.coalesce(root, job)
    t = plan.t0[first_album] + 5
    number = (1 << 42) + plan.chunk * 10_000_000 + local
    for is_batched in (True, False):
        s = batched == is_batched
        d = (
            2 if is_batched else 0
        )  # under a sync batch: batch [0] -> album creation [1] -> artist [2]
        ids = artist_ids.filter(pa.array(s))
        j, r = job.filter(pa.array(s)), root.filter(pa.array(s))
        common = dict(
            entity_type="ARTIST",
            entity_id=ids,
            artist_id=ids,
            triggered_by="scheduled",
            root_job_id=r,
        )
        log.add(
            int(s.sum()),
            depth=d,
            **common,
            operation="artist:created",
            category="CREATED",
            status="SUCCESS",
            sources=["MUSICBRAINZ"],
            reason="Artist created for a new album",
            job_id=j,
            parent_job_id=parent.filter(pa.array(s)) if is_batched else None,
            is_root_job=not is_batched,
            created_at=timestamps(t[s]),
        )
        enrich = queue_id(number[s], 3)
        log.add(
            int(s.sum()),
            depth=d + 1,
            **common,
            operation="enrichment:artist",
            category="ENRICHED",
            status="SUCCESS",
            sources=["MUSICBRAINZ"],
            reason="Matched MusicBrainz artist",
            fields_enriched=["biography", "formedYear", "countryCode", "genres"],
            data_quality_before="LOW",
            data_quality_after="MEDIUM",
            job_id=enrich,
            parent_job_id=j,
            is_root_job=False,
            api_call_count=2,
            created_at=timestamps(t[s] + HOUR),
        )
        image = rng.random(int(s.sum())) < 0.5
        log.add(
            int(image.sum()),
            depth=d + 2,
            **{
                k: (v.filter(pa.array(image)) if isinstance(v, pa.Array) else v)
                for k, v in common.items()
            },
            operation="cache:artist-image",
            category="ENRICHED",
            status="SUCCESS",
            sources=["SPOTIFY"],
            reason="Artist image cached",
            fields_enriched=["imageUrl", "cloudflareImageId"],
            job_id=queue_id(number[s][image], 4),
            parent_job_id=enrich.filter(pa.array(image)),
            is_root_job=False,
            created_at=timestamps(t[s][image] + HOUR + MINUTE),
        )


def log_cover_art(log: LifeLog, rng: np.random.Generator, ok: np.ndarray) -> None:
    """Log cache:album-cover-art after a successful enrichment (a child of the enrichment job)."""
    plan = log.plan
    idx = np.flatnonzero(ok & (rng.random(plan.size) < 0.7))
    parent = queue_id(plan.number[idx], 1)
    creation = plan.extra["creation_job"].take(pa.array(idx))
    root = pc.if_else(
        pc.is_valid(creation), plan.extra["root_of_creation"].take(pa.array(idx)), parent
    )
    depth = np.where(plan.batch[idx] >= 0, 3, 1)
    t = plan.enriched_at[idx] + plan.real_tracks[idx] * 10 + rng.integers(1000, 60_000, len(idx))
    for d in np.unique(depth):
        s = pa.array(depth == d)
        log.add(
            int((depth == d).sum()),
            depth=int(d),
            **log.albums(idx[depth == d]),
            operation="cache:album-cover-art",
            category="ENRICHED",
            status="SUCCESS",
            sources=["MUSICBRAINZ"],
            reason="Cover art cached from the Cover Art Archive",
            fields_enriched=["coverArtUrl", "cloudflareImageId"],
            job_id=queue_id(plan.number[idx[depth == d]], 2),
            parent_job_id=parent.filter(s),
            root_job_id=root.filter(s),
            is_root_job=False,
            triggered_by="scheduled",
            created_at=timestamps(t[depth == d]),
        )
