"""Log rows after an album's creation: artists, cover art, re-enrichment, collection adds,
admin corrections, preview enrichments and repeated failures."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import jsonb_text, numbered, timestamps
from .life_plan import DAY, HOUR, MINUTE, NOW_MS, AlbumPlan
from .lifelog import LifeLog, queue_id
from .vocabulary import TRACK_WORDS

EDITION_SUFFIX = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]\s*$")


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
    """cache:album-cover-art after a successful enrichment (child of the enrichment job)."""
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


def schedule_later(rng: np.random.Generator, plan: AlbumPlan, ok: np.ndarray) -> None:
    """Decide when later events happen, before the catalog rows whose updated_at they move."""
    n = plan.size
    healthy = (plan.role == 0) & ok

    def after(lo, idx: np.ndarray) -> np.ndarray:
        """Return a time for each of ``idx`` between ``lo`` and an hour before the demo's now."""
        return lo + (rng.random(len(idx)) * np.maximum(NOW_MS - HOUR - lo, 1)).astype(np.int64)

    re = np.flatnonzero(healthy & (rng.random(n) < 0.10))
    last = np.zeros(n, np.int64)
    last[re] = after(plan.enriched_at[re] + DAY, re)
    failing = np.flatnonzero(plan.has("failing"))
    fail_times = {}
    for i in failing:
        k = rng.integers(3, 7)
        lo = plan.enriched_at[i] + DAY
        fail_times[i] = np.sort(lo + (rng.random(k) * max(NOW_MS - HOUR - lo, k)).astype(np.int64))
        last[i] = fail_times[i][-1]
    stuck = np.flatnonzero(plan.has("stuck"))
    queued = np.zeros(n, np.int64)
    queued[stuck] = (
        plan.enriched_at[stuck]
        + DAY
        + (
            rng.random(len(stuck)) * np.maximum(NOW_MS - 9 * DAY - plan.enriched_at[stuck], 1)
        ).astype(np.int64)
    )
    corrected = np.zeros(n, np.int64)
    corr = np.flatnonzero(healthy & (rng.random(n) < 0.02))
    corrected[corr] = after(plan.enriched_at[corr] + HOUR, corr)
    plan.extra.update(
        reenriched=re,
        last_enrichment=last,
        fail_times=fail_times,
        queued_at=queued,
        corrected_at=corrected,
        corrected=corr,
    )


def log_later(
    log: LifeLog, rng: np.random.Generator, enrichment_batch_jobs: pa.Array, mbids: pa.Array
) -> None:
    plan = log.plan
    re = plan.extra["reenriched"]
    batch = (
        enrichment_batch_jobs.take(
            pa.array(np.arange(len(re)) % len(enrichment_batch_jobs), pa.int64())
        )
        if len(re)
        else pa.array([], pa.string())
    )
    log.add(
        len(re),
        depth=1,
        **log.albums(re),
        operation="enrichment:album",
        category="ENRICHED",
        status="SUCCESS",
        sources=["MUSICBRAINZ"],
        reason="Scheduled re-enrichment",
        fields_enriched=["genres", "coverArtUrl"],
        data_quality_before=pa.array(
            np.where(plan.quality[re] == 2, "HIGH", "MEDIUM"), pa.string()
        ),
        data_quality_after=pa.array(np.where(plan.quality[re] == 2, "HIGH", "MEDIUM"), pa.string()),
        job_id=queue_id(plan.number[re], 5),
        parent_job_id=batch,
        root_job_id=batch,
        is_root_job=False,
        triggered_by="scheduled",
        api_call_count=2,
        created_at=timestamps(plan.extra["last_enrichment"][re]),
    )
    for i, times in plan.extra["fail_times"].items():
        job = queue_id(plan.number[[i]], 6)[0].as_py()
        log.add(
            len(times),
            depth=0,
            plant=False,
            **log.albums(np.full(len(times), i)),
            operation="enrichment:album",
            category="FAILED",
            status="FAILED",
            sources=["MUSICBRAINZ"],
            reason="Scheduled re-enrichment failed",
            error_message=pa.array(
                [
                    "MusicBrainz API returned 503 Service Unavailable",
                    "Request timed out after 30000 ms",
                ][k % 2]
                for k in range(len(times))
            ),
            error_code=pa.array(["MB_503", "TIMEOUT"][k % 2] for k in range(len(times))),
            retry_count=pa.array(np.arange(len(times)), pa.int32()),
            job_id=job,
            root_job_id=job,
            is_root_job=True,
            triggered_by="scheduled",
            api_call_count=1,
            created_at=timestamps(times),
        )


def log_user_events(
    log: LifeLog,
    rng: np.random.Generator,
    users: pa.Array,
    admins: pa.Array,
    collections: pa.Array,
    titles: pa.Array,
    countries: pa.Array,
    mbids: pa.Array,
) -> dict:
    """Log collection adds, admin corrections and preview enrichments; return the collected rows."""
    plan = log.plan
    n = plan.size
    eligible = ~plan.has("no_created_log")  # no log row at all may name its creation
    adds = np.flatnonzero(eligible & ((rng.random(n) < 0.15) | (plan.duplicate_of >= 0)))
    t_add = (
        plan.t0[adds]
        + HOUR
        + (rng.random(len(adds)) * np.maximum(NOW_MS - 2 * HOUR - plan.t0[adds], 1)).astype(
            np.int64
        )
    )
    user = (plan.user[adds] + 1 + rng.integers(0, 5, len(adds))) % len(users)
    log.add(
        len(adds),
        depth=0,
        plant=False,
        **log.albums(adds),
        operation="collection:album-added",
        category="USER_ACTION",
        status="SUCCESS",
        reason="Added to a collection",
        triggered_by="graphql",
        user_id=users.take(pa.array(user)),
        created_at=timestamps(t_add),
        metadata=pc.binary_join_element_wise(
            '{"albumCreated": false, "collectionId": "', collections.take(pa.array(user)), '"}', ""
        ),
    )
    corr = plan.extra["corrected"]
    meta = [
        jsonb_text(
            {
                "metadata": [{"field": "releaseCountry", "before": None, "after": c}],
                "externalIds": [],
                "tracks": [],
                "artists": [],
                "coverArt": None,
            }
        )
        for c in countries.take(pa.array(corr)).to_pylist()
    ]
    log.add(
        len(corr),
        depth=0,
        plant=False,
        **log.albums(corr),
        operation="admin_correction",
        category="CORRECTED",
        status="SUCCESS",
        reason="Corrected by an admin",
        fields_enriched=["releaseCountry"],
        data_quality_before=pa.array(
            np.where(plan.quality[corr] == 2, "HIGH", "MEDIUM"), pa.string()
        ),
        data_quality_after="HIGH",
        triggered_by="admin_ui",
        user_id=admins.take(pa.array(plan.user[corr] % len(admins))),
        metadata=pa.array(meta, pa.string()),
        created_at=timestamps(plan.extra["corrected_at"][corr]),
    )
    prev = np.flatnonzero((plan.role == 0) & (plan.enriched_at >= 0) & (rng.random(n) < 0.03))
    t_prev = (
        plan.enriched_at[prev]
        + HOUR
        + (
            rng.random(len(prev)) * np.maximum(NOW_MS - 2 * HOUR - plan.enriched_at[prev], 1)
        ).astype(np.int64)
    )
    preview = [
        jsonb_text(
            {
                "matchScore": 0.91,
                "matchedEntity": {"id": m, "title": t},
                "fieldsToUpdate": ["genres", "label"],
                "rawData": {"id": m, "title": t, "primary-type": "Album"},
            }
        )
        for m, t in zip(
            mbids.take(pa.array(prev)).to_pylist(),
            titles.take(pa.array(prev)).to_pylist(),
            strict=True,
        )
    ]
    job = queue_id(plan.number[prev], 7)
    log.add(
        len(prev),
        depth=0,
        plant=False,
        **log.albums(prev),
        operation="PREVIEW_ENRICHMENT",
        category="ENRICHED",
        status="PREVIEW",
        sources=["MUSICBRAINZ"],
        reason="Preview of a MusicBrainz match (dry run)",
        job_id=job,
        root_job_id=job,
        is_root_job=True,
        triggered_by="admin_ui",
        user_id=admins.take(pa.array(plan.user[prev] % len(admins))),
        preview_data=pa.array(preview, pa.string()),
        created_at=timestamps(t_prev),
    )
    return {"adds": adds, "user": user, "time": t_add}


def enrichment_batches(plan: AlbumPlan) -> dict:
    """The re-enrichment batch jobs of the chunk: one root per 50 re-enriched albums."""
    re = plan.extra["reenriched"]
    k = max(1, -(-len(re) // 50))
    start = np.full(k, np.iinfo(np.int64).max)
    if len(re):
        np.minimum.at(start, np.arange(len(re)) % k, plan.extra["last_enrichment"][re])
    start = np.where(start == np.iinfo(np.int64).max, NOW_MS - DAY, start) - 1000
    job = numbered(f"enrichment-batch-{plan.chunk}-", np.arange(k))
    return {"job": job, "start": start, "size": np.bincount(np.arange(len(re)) % k, minlength=k)}


def log_enrichment_batches(log: LifeLog, batches: dict) -> None:
    job = batches["job"]
    log.add(
        len(job),
        depth=0,
        plant=False,
        operation="enrichment:batch",
        category="ENRICHED",
        status="SUCCESS",
        sources=["MUSICBRAINZ"],
        reason="Scheduled re-enrichment batch",
        job_id=job,
        root_job_id=job,
        is_root_job=True,
        triggered_by="scheduled",
        created_at=timestamps(batches["start"]),
    )


def log_track_previews(log: LifeLog, seed: int, titles: pa.Array, mbids: pa.Array) -> None:
    """Preview enrichments that found the tracks of a trackless album but were never applied.

    An admin previewed a MusicBrainz match (for an edition-suffix album, the
    match the plain title finds) whose ``rawData`` lists the release's tracks;
    nobody applied it, so the album is still trackless. These are the logged
    track lists repair proposals are built from. A generator of its own keeps
    every other row of the chunk as it was.
    """
    plan = log.plan
    idx = np.flatnonzero(plan.has("tracks_never_fetched") | plan.has("edition_suffix"))
    if not len(idx):
        return
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, plan.chunk, 7])))
    preview = []
    for i, mbid, title in zip(
        idx,
        mbids.take(pa.array(idx)).to_pylist(),
        titles.take(pa.array(idx)).to_pylist(),
        strict=True,
    ):
        k = int(plan.claimed_tracks[i]) or int(rng.integers(6, 14))
        pick = rng.integers(0, len(TRACK_WORDS), (k, 2))
        tracks = [
            {
                "position": p + 1,
                "number": str(p + 1),
                "title": f"{TRACK_WORDS[a]} {TRACK_WORDS[b]}",
                "length": int(rng.integers(120_000, 360_000)),
            }
            for p, (a, b) in enumerate(pick)
        ]
        if plan.has("edition_suffix")[i]:
            title = EDITION_SUFFIX.sub("", title)
        preview.append(
            jsonb_text(
                {
                    "matchScore": 0.88,
                    "matchedEntity": {"id": mbid, "title": title},
                    "fieldsToUpdate": ["musicbrainzId", "tracks"],
                    "rawData": {
                        "id": mbid,
                        "title": title,
                        "media": [{"position": 1, "tracks": tracks}],
                    },
                }
            )
        )
    start = np.maximum(plan.enriched_at[idx], plan.t0[idx]) + HOUR
    when = start + (rng.random(len(idx)) * np.maximum(NOW_MS - 2 * HOUR - start, 1)).astype(
        np.int64
    )
    job = queue_id(plan.number[idx], 7)
    log.add(
        len(idx),
        depth=0,
        plant=False,
        **log.albums(idx),
        operation="PREVIEW_ENRICHMENT",
        category="ENRICHED",
        status="PREVIEW",
        sources=["MUSICBRAINZ"],
        reason="Preview of a MusicBrainz match (dry run)",
        job_id=job,
        root_job_id=job,
        is_root_job=True,
        triggered_by="admin_ui",
        preview_data=pa.array(preview, pa.string()),
        created_at=timestamps(when),
    )
