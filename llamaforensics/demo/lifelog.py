"""The llama_logs rows of a demo chunk: every album's life, as the app's writers would log it.

Job hierarchy (depth in brackets): a sync batch root [0] spawns one creation job
per album [1], which spawns the album's enrichment job [2] (it also writes one
CREATED row per track it adds) and the cover-art cache job [3], and, for a new
artist, the artist-created job [2] with its enrichment [3]. Albums added by a
person (collection, recommendation, manual) have no creation job: their
enrichment job is a root. Later events -- re-enrichment batches, collection
adds, admin corrections, preview enrichments, repeated failures -- follow.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import Segments, json_template, numbered, timestamps
from .life_plan import COLLECTION, DEEZER, MANUAL, MUSICBRAINZ, RECOMMENDATION, SPOTIFY, AlbumPlan
from .shapes import arrow_schema

QUEUE_BASE = 1_000_000
LOG_SCHEMA = (
    arrow_schema("llama_logs")
    .append(pa.field("_depth", pa.int8()))
    .append(pa.field("_plant", pa.bool_()))
)
SYNC_OPERATION = {
    SPOTIFY: "spotify:sync-new-releases",
    MUSICBRAINZ: "musicbrainz:sync-new-releases",
    DEEZER: "deezer:sync-editorial-releases",
}
SYNC_PREFIX = {
    SPOTIFY: "spotify-new-releases-",
    MUSICBRAINZ: "musicbrainz-sync-",
    DEEZER: "deezer-editorial-",
}
SYNC_JOB_TYPE = {
    SPOTIFY: "SPOTIFY_NEW_RELEASES",
    MUSICBRAINZ: "MUSICBRAINZ_SYNC",
    DEEZER: "DEEZER_EDITORIAL_RELEASES",
}
CREATE_OPERATION = {
    SPOTIFY: "album:created:spotify-sync",
    MUSICBRAINZ: "album:created:musicbrainz-sync",
    DEEZER: "album:created:deezer-import",
}
SOURCE_LIST = {SPOTIFY: ["SPOTIFY"], MUSICBRAINZ: ["MUSICBRAINZ"], DEEZER: ["DEEZER"]}
LIST = pa.list_(pa.string())


def queue_id(number: np.ndarray, slot: int) -> pa.Array:
    """Numeric BullMQ-style job ids, unique per (entity number, slot)."""
    return numbered("", QUEUE_BASE + np.asarray(number, dtype=np.int64) * 8 + slot)


def sync_batches(plan: AlbumPlan) -> dict:
    """Return the chunk's sync batches: number, origin, start time, size, and root job id."""
    batched = np.flatnonzero(plan.batch >= 0)
    numbers, inverse = np.unique(plan.batch[batched], return_inverse=True)
    start = np.full(len(numbers), np.iinfo(np.int64).max)
    np.minimum.at(start, inverse, plan.t0[batched])
    end = np.zeros(len(numbers), dtype=np.int64)
    np.maximum.at(end, inverse, plan.t0[batched])
    origin = np.zeros(len(numbers), dtype=np.int8)
    origin[inverse] = plan.origin[batched]
    prefix = (
        np.asarray([SYNC_PREFIX[o] for o in origin.tolist()], dtype=np.object_)
        if len(origin)
        else np.array([], object)
    )
    job = pc.binary_join_element_wise(
        pa.array(prefix, pa.string()), numbered("", start - 1000), numbered("-", numbers), ""
    )
    size = np.bincount(inverse, minlength=len(numbers))
    return {
        "number": numbers,
        "origin": origin,
        "start": start - 1000,
        "end": end + 1000,
        "size": size,
        "job": job,
        "album_batch_index": (batched, inverse),
    }


def creation_jobs(plan: AlbumPlan) -> pa.Array:
    """Return each album's creation job id (NULL where a person added it or nothing logged it)."""
    n = plan.size
    spotify = pc.binary_join_element_wise(
        "spotify-sync-album-",
        numbered("", plan.t0),
        numbered("-", (plan.number * 7919) % 999_983),
        "",
    )
    job = pc.if_else(pa.array(plan.origin == SPOTIFY), spotify, pa.nulls(n, pa.string()))
    job = pc.if_else(pa.array(plan.origin == MUSICBRAINZ), queue_id(plan.number, 0), job)
    job = pc.if_else(pa.array(plan.origin == DEEZER), numbered("deezer-import-", plan.number), job)
    return job


class LifeLog:
    """Collect the chunk's log rows with their job structure (depth; may planting touch them)."""

    def __init__(self, plan: AlbumPlan, album_ids: pa.Array):
        self.plan = plan
        self.album_ids = album_ids
        self.rows = Segments(LOG_SCHEMA)

    def add(self, n: int, *, depth: int, plant: bool = True, **cols: Any) -> None:
        self.rows.add(n, _depth=depth, _plant=plant, **cols)

    def albums(self, idx: np.ndarray, **cols: object) -> dict:
        """Columns that point a row at albums ``idx``."""
        ids = self.album_ids.take(pa.array(idx, pa.int64()))
        return {"entity_type": "ALBUM", "entity_id": ids, "album_id": ids, **cols}

    def table(self) -> pa.Table:
        return self.rows.table()


def log_sync_roots(log: LifeLog, batches: dict) -> None:
    for o, op in SYNC_OPERATION.items():
        sel = batches["origin"] == o
        n = int(sel.sum())
        job = batches["job"].filter(pa.array(sel))
        log.add(
            n,
            depth=0,
            plant=False,
            operation=op,
            category="CREATED",
            status="SUCCESS",
            sources=SOURCE_LIST[o],
            reason="Scheduled new-release sync",
            job_id=job,
            root_job_id=job,
            is_root_job=True,
            triggered_by="scheduled",
            created_at=timestamps(batches["start"][sel]),
            duration_ms=pa.array((batches["end"] - batches["start"])[sel], pa.int32()),
            api_call_count=pa.array(batches["size"][sel] // 10 + 1, pa.int32()),
            metadata=json_template(
                {"jobType": "$t", "albumCount": "#n"},
                t=SYNC_JOB_TYPE[o],
                n=pa.array(batches["size"][sel]).cast(pa.string()),
            ),
        )


def log_creations(
    log: LifeLog, batch_job: pa.Array, admins: pa.Array, users: pa.Array, collections: pa.Array
) -> None:
    plan = log.plan
    job = plan.extra["creation_job"]
    for o, op in CREATE_OPERATION.items():
        idx = np.flatnonzero(plan.origin == o)
        copies = plan.duplicate_of[idx] >= 0
        parent = batch_job.take(pa.array(idx))
        log.add(
            len(idx),
            depth=1,
            **log.albums(idx),
            operation=op,
            category="CREATED",
            status="SUCCESS",
            sources=SOURCE_LIST[o],
            reason="New album imported by sync",
            data_quality_after="LOW",
            job_id=job.take(pa.array(idx)),
            parent_job_id=pc.if_else(pa.array(copies), None, parent),
            root_job_id=pc.if_else(pa.array(copies), job.take(pa.array(idx)), parent),
            is_root_job=pa.array(copies),
            triggered_by="scheduled",
            created_at=timestamps(plan.t0[idx]),
            api_call_count=1,
            duration_ms=pa.array(np.full(len(idx), 240), pa.int32()),
        )
    idx = np.flatnonzero(plan.origin == MANUAL)
    log.add(
        len(idx),
        depth=0,
        plant=False,
        **log.albums(idx),
        operation="MANUAL_CREATE",
        category="CREATED",
        status="SUCCESS",
        sources=["USER_SUBMITTED"],
        reason="Album added by an admin",
        triggered_by="admin_ui",
        user_id=admins.take(pa.array(plan.user[idx] % len(admins))),
        created_at=timestamps(plan.t0[idx]),
    )
    for origin, op, key in (
        (COLLECTION, "collection:album-added", "collectionId"),
        (RECOMMENDATION, "recommendation:created", "recommendationId"),
    ):
        idx = np.flatnonzero(plan.origin == origin)
        ref = (
            collections.take(pa.array(plan.user[idx]))
            if origin == COLLECTION
            else numbered("rec-", plan.number[idx])
        )
        log.add(
            len(idx),
            depth=0,
            plant=False,
            **log.albums(idx),
            operation=op,
            category="USER_ACTION",
            status="SUCCESS",
            reason="Album created from a user's search",
            triggered_by="graphql",
            user_id=users.take(pa.array(plan.user[idx])),
            created_at=timestamps(plan.t0[idx]),
            metadata=json_template({"albumCreated": "#t", key: "$ref"}, t="true", ref=ref),
        )


def enrichment_status(plan: AlbumPlan, rng: np.random.Generator) -> np.ndarray:
    status = np.where(rng.random(plan.size) < 0.85, "SUCCESS", "PARTIAL_SUCCESS").astype(object)
    for role in ("too_new", "edition_suffix"):
        status[plan.has(role)] = "NO_DATA_AVAILABLE"
    status[plan.duplicate_of >= 0] = "NO_DATA_AVAILABLE"
    status[plan.has("tracks_never_fetched")] = "SKIPPED"
    return status


ENRICH_REASON = {
    "SUCCESS": "Matched MusicBrainz release group by title and primary artist",
    "PARTIAL_SUCCESS": "Matched MusicBrainz release group; some fields unavailable",
    "NO_DATA_AVAILABLE": "No MusicBrainz release group matched the title and primary artist",
    "SKIPPED": "Album already has a MusicBrainz ID; lookup skipped",
}


def log_enrichments(
    log: LifeLog, rng: np.random.Generator, status: np.ndarray, mbids: pa.Array
) -> None:
    """The first enrichment of every enriched album (and a failed first attempt for a few)."""
    plan = log.plan
    idx = np.flatnonzero(plan.enriched_at >= 0)
    creation = plan.extra["creation_job"].take(pa.array(idx))
    has_parent = pc.is_valid(creation)
    job = queue_id(plan.number[idx], 1)
    batch_root = plan.extra["root_of_creation"].take(pa.array(idx))
    root = pc.if_else(has_parent, batch_root, job)
    depth = np.where(plan.batch[idx] >= 0, 2, np.where(plan.duplicate_of[idx] >= 0, 1, 0))
    st = status[idx]
    ok = (st == "SUCCESS") | (st == "PARTIAL_SUCCESS")
    retried = ok & (plan.role[idx] == 0) & (rng.random(len(idx)) < 0.05)
    plan.extra["retried"] = np.zeros(plan.size, bool)
    plan.extra["retried"][idx[retried]] = True
    common = dict(
        sources=["MUSICBRAINZ"],
        job_id=job,
        parent_job_id=creation,
        root_job_id=root,
        is_root_job=pc.invert(has_parent),
        triggered_by="scheduled",
    )
    for d in np.unique(depth):
        sel = depth == d
        cols = {k: pick_r(v, sel) for k, v in common.items()}
        quality_after = np.where(
            ok[sel], np.where(plan.quality[idx[sel]] == 2, "HIGH", "MEDIUM"), "LOW"
        )
        mb_text = mbids.take(pa.array(idx[sel]))
        metadata = json_template(
            {"musicbrainzId": "$mb", "matchScore": "#s"},
            mb=mb_text,
            s=pa.array(np.round(rng.uniform(0.8, 1.0, int(sel.sum())), 2)).cast(pa.string()),
        )
        log.add(
            int(sel.sum()),
            depth=int(d),
            **log.albums(idx[sel]),
            **cols,
            operation="enrichment:album",
            category="ENRICHED",
            status=pa.array(st[sel], pa.string()),
            reason=pa.array([ENRICH_REASON[s] for s in st[sel]], pa.string()),
            fields_enriched=pc.if_else(
                pa.array(ok[sel]),
                pa.scalar(["musicbrainzId", "releaseDate", "genres", "tracks"], LIST),
                None,
            ),
            data_quality_before="LOW",
            data_quality_after=pa.array(quality_after, pa.string()),
            retry_count=pa.array(retried[sel].astype(np.int32)),
            duration_ms=pa.array(rng.integers(300, 9000, int(sel.sum())), pa.int32()),
            api_call_count=pa.array(rng.integers(2, 7, int(sel.sum())), pa.int32()),
            metadata=pc.if_else(pa.array(ok[sel]), metadata, None),
            created_at=timestamps(plan.enriched_at[idx[sel]]),
        )
        r = retried[sel]
        if r.any():
            log.add(
                int(r.sum()),
                depth=int(d),
                **log.albums(idx[sel][r]),
                **{k: pick_r(v, r) for k, v in cols.items()},
                operation="enrichment:album",
                category="FAILED",
                status="FAILED",
                reason="MusicBrainz lookup failed; will retry",
                error_message="MusicBrainz API returned 503 Service Unavailable",
                error_code="MB_503",
                api_call_count=1,
                created_at=timestamps(plan.enriched_at[idx[sel][r]] - 30_000),
            )


def pick_r(value: Any, mask: np.ndarray) -> Any:
    """Return a column value for the rows of ``mask``: an array filtered, a scalar as it is."""
    return value.filter(pa.array(mask)) if isinstance(value, pa.Array) else value


def log_tracks(log: LifeLog, album: np.ndarray, track_ids: pa.Array, created: np.ndarray) -> None:
    plan = log.plan
    copy = plan.duplicate_of[album] >= 0
    for is_copy in (False, True):
        sel = copy == is_copy
        a = album[sel]
        depth: int | np.ndarray  # copies' rows all at depth 1, originals' by their batch
        if is_copy:
            job = plan.extra["creation_job"].take(pa.array(a))
            parent, root, depth, op, src = None, job, 1, "track:created:spotify-sync", ["SPOTIFY"]
        else:
            job = queue_id(plan.number[a], 1)
            parent = plan.extra["creation_job"].take(pa.array(a))
            root = pc.if_else(
                pc.is_valid(parent), plan.extra["root_of_creation"].take(pa.array(a)), job
            )
            depth = np.where(plan.batch[a] >= 0, 2, 0)
            op, src = "track:created:enrichment", ["MUSICBRAINZ"]
        ids = track_ids.filter(pa.array(sel))
        for d in np.unique(depth):
            s = depth == d if isinstance(depth, np.ndarray) else np.ones(len(a), bool)
            log.add(
                int(s.sum()),
                depth=int(d),
                entity_type="TRACK",
                entity_id=pick_r(ids, s),
                track_id=pick_r(ids, s),
                album_id=log.album_ids.take(pa.array(a[s])),
                operation=op,
                category="CREATED",
                status="SUCCESS",
                sources=src,
                reason="Track created from the release's track list",
                data_quality_after="MEDIUM",
                job_id=pick_r(job, s),
                parent_job_id=pick_r(parent, s) if parent is not None else None,
                root_job_id=pick_r(root, s),
                is_root_job=parent is None or pc.is_null(pick_r(parent, s)),
                triggered_by="scheduled",
                created_at=timestamps(created[sel][s]),
            )
