"""Log rows that come later in an album's life: re-enrichment in batches and repeated failures.

:func:`schedule_later` decides when, before the catalog rows are built (the
times move their updated_at); the log functions write the rows.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .columns import numbered, timestamps
from .life_plan import DAY, HOUR, NOW_MS, AlbumPlan
from .lifelog import LifeLog, queue_id


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
    """Log the scheduled re-enrichments (under their batch jobs) and the failing albums' retries."""
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


def enrichment_batches(plan: AlbumPlan) -> dict:
    """Return the re-enrichment batch jobs of the chunk: one root per 50 re-enriched albums."""
    re = plan.extra["reenriched"]
    k = max(1, -(-len(re) // 50))
    start = np.full(k, np.iinfo(np.int64).max)
    if len(re):
        np.minimum.at(start, np.arange(len(re)) % k, plan.extra["last_enrichment"][re])
    start = np.where(start == np.iinfo(np.int64).max, NOW_MS - DAY, start) - 1000
    job = numbered(f"enrichment-batch-{plan.chunk}-", np.arange(k))
    return {"job": job, "start": start, "size": np.bincount(np.arange(len(re)) % k, minlength=k)}


def log_enrichment_batches(log: LifeLog, batches: dict) -> None:
    """Log each re-enrichment batch's root row."""
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
