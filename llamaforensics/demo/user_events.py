"""Log rows people write: collection adds, admin corrections, previews nobody applied."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import jsonb_text, timestamps
from .life_plan import HOUR, NOW_MS
from .lifelog import LifeLog, queue_id
from .vocabulary import TRACK_WORDS

EDITION_SUFFIX = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]\s*$")


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


def log_track_previews(log: LifeLog, seed: int, titles: pa.Array, mbids: pa.Array) -> None:
    """Log preview enrichments that found a trackless album's tracks but were never applied.

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
