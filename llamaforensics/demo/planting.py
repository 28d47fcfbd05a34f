"""Log-level anomalies: rows added or altered after the healthy log is built, recorded as truth.

Job-chain anomalies are planted on whole jobs (every row of the job), so what
the ground truth says about a row is what a check can see from the rows.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import jsonb_text, numbered, timestamps, uuids
from .life_plan import DAY, HOUR, LEGACY_END_MS, START_MS
from .lifelog import LifeLog, queue_id

NULL_ROOT_SHARE = 0.03
WRONG_ROOT_SHARE = 0.01
BROKEN_BATCH_SHARE = 0.05
DEEP_CHAIN = 12  # deeper than the upstream backfill's limit of 10
BACKFILL_DEPTH_LIMIT = 10
# Old operations and statuses whose catch-all backfill label is wrong:
# (operation, status, backfill label, implied).
MISLABELS = (
    ("check:album-enrichment", "SUCCESS", "CREATED", "ENRICHED"),
    ("check:album-enrichment", "SKIPPED", "CREATED", "ENRICHED"),
    ("manual_correction", "SUCCESS", "CREATED", "CORRECTED"),
    ("MANUAL_DATA_QUALITY_UPDATE", "SUCCESS", "CREATED", "CORRECTED"),
    ("SPOTIFY_TRACK_FALLBACK", "SUCCESS", "CREATED", "ENRICHED"),
    ("enrichment:album", "FAILED", "ENRICHED", "FAILED"),
)


class Truth:
    """Ground-truth rows: (kind, entity_type, entity_id, detail JSON)."""

    def __init__(self) -> None:
        self.parts: list[pa.Table] = []

    def add(
        self, kind: str, entity_type: str, ids: pa.Array, details: list[dict] | None = None
    ) -> None:
        n = len(ids)
        detail = pa.array([jsonb_text(d) for d in details] if details else ["{}"] * n, pa.string())
        self.parts.append(
            pa.table(
                {
                    "kind": pa.array([kind] * n, pa.string()),
                    "entity_type": pa.array([entity_type] * n, pa.string()),
                    "entity_id": ids.cast(pa.string()),
                    "detail": detail,
                }
            )
        )

    def table(self) -> pa.Table:
        schema = pa.schema(
            [
                ("kind", pa.string()),
                ("entity_type", pa.string()),
                ("entity_id", pa.string()),
                ("detail", pa.string()),
            ]
        )
        return pa.concat_tables(self.parts).cast(schema) if self.parts else schema.empty_table()


def plant_extra_rows(log: LifeLog, rng: np.random.Generator, healthy: np.ndarray) -> None:
    """Add the rows anomalous in themselves: loops, dangling ids, mislabels, deep chains."""
    plan = log.plan
    chunk = plan.chunk
    hosts = rng.choice(healthy, size=min(len(healthy), 40), replace=False)
    # Loops: two jobs naming each other as parent, and a job naming itself.
    a, b, c = (numbered(f"requeue-{chunk}-{k}-", np.arange(2)) for k in "abc")
    for job, parent, host in ((a, b, hosts[0:2]), (b, a, hosts[2:4]), (c, c, hosts[4:6])):
        log.add(
            2,
            depth=-1,
            plant=False,
            **log.albums(host),
            operation="cache:album-cover-art",
            category="ENRICHED",
            status="SUCCESS",
            sources=["MUSICBRAINZ"],
            reason="Cover art re-queued",
            job_id=job,
            parent_job_id=parent,
            root_job_id=job,
            is_root_job=False,
            triggered_by="scheduled",
            created_at=timestamps(plan.enriched_at[host] + 2 * HOUR),
        )
    # Dangling entity ids: rows about tracks and albums that no longer exist.
    for k, (etype, op) in enumerate(
        (
            ("TRACK", "enrichment:track"),
            ("ALBUM", "cache:album-cover-art"),
            ("ARTIST", "enrichment:artist"),
        )
    ):
        ghosts = uuids(plan.seed, f"ghost-{etype}", chunk * 1000 + np.arange(2))
        job = numbered(f"ghost-{etype.lower()}-{chunk}-", np.arange(2))
        log.add(
            2,
            depth=0,
            plant=False,
            entity_type=etype,
            entity_id=ghosts,
            operation=op,
            category="ENRICHED",
            status="SUCCESS",
            sources=["MUSICBRAINZ"],
            reason="Enriched",
            job_id=job,
            root_job_id=job,
            is_root_job=True,
            triggered_by="scheduled",
            created_at=timestamps(plan.enriched_at[hosts[6 + 2 * k : 8 + 2 * k]] + HOUR),
        )
    _plant_mislabels(log, rng, healthy)
    _plant_deep_chains(log, hosts[20:22])
    _plant_impossible_times(log)
    _plant_two_parent_job(log, hosts[22])


def _plant_mislabels(log: LifeLog, rng, healthy: np.ndarray) -> None:
    plan = log.plan
    legacy = healthy[plan.enriched_at[healthy] < LEGACY_END_MS - DAY]
    legacy = legacy[plan.t0[legacy] > START_MS]
    if not len(legacy):
        legacy = healthy
    count = max(len(MISLABELS), round(0.01 * plan.size))
    host = rng.choice(legacy, size=count, replace=len(legacy) < count)
    kind = np.arange(count) % len(MISLABELS)
    t = plan.t0[host] + (plan.enriched_at[host] - plan.t0[host]) // 2
    for k, (op, status, label, _implied) in enumerate(MISLABELS):
        s = kind == k
        job = queue_id(np.int64(1 << 43) + plan.chunk * 1_000_000 + np.flatnonzero(s), 0)
        log.add(
            int(s.sum()),
            depth=-2,
            plant=False,
            **log.albums(host[s]),
            operation=op,
            category=label,
            status=status,
            sources=["MUSICBRAINZ"],
            reason="Legacy enrichment-log row",
            job_id=job,
            root_job_id=job,
            is_root_job=True,
            error_message="MusicBrainz API returned 502 Bad Gateway"
            if status == "FAILED"
            else None,
            triggered_by="scheduled",
            created_at=timestamps(t[s]),
        )


def _plant_deep_chains(log: LifeLog, hosts: np.ndarray) -> None:
    """Chains of DEEP_CHAIN re-queued checks, their roots as the depth-10 backfill left them."""
    plan = log.plan
    for c, host in enumerate(hosts):
        jobs = [f"retry-{plan.chunk}-{c}-{d}" for d in range(DEEP_CHAIN + 1)]
        t = plan.enriched_at[host] + HOUR + np.arange(DEEP_CHAIN + 1) * 1000
        stored = [jobs[max(0, d - BACKFILL_DEPTH_LIMIT)] for d in range(DEEP_CHAIN + 1)]
        log.add(
            DEEP_CHAIN + 1,
            depth=-3,
            plant=False,
            **log.albums(np.full(DEEP_CHAIN + 1, host)),
            operation="check:album-enrichment",
            category="ENRICHED",
            status="SKIPPED",
            sources=["MUSICBRAINZ"],
            reason="Re-queued enrichment check",
            job_id=pa.array(jobs),
            parent_job_id=pa.array([None] + jobs[:-1]),
            root_job_id=pa.array(stored),
            is_root_job=pa.array([d == 0 for d in range(DEEP_CHAIN + 1)]),
            triggered_by="scheduled",
            created_at=timestamps(t),
        )


# A clock reset to the epoch, and a year typed as 2999: times PostgreSQL holds, no event had.
IMPOSSIBLE_TIMES_MS = (0, 32_503_593_600_000)  # 1970-01-01 00:00, 2999-12-31 00:00 UTC


def _plant_impossible_times(log: LifeLog) -> None:
    """Log rows about no entity (so no album's story moves) written at impossible times."""
    jobs = numbered(f"clock-{log.plan.chunk}-", np.arange(len(IMPOSSIBLE_TIMES_MS)))
    log.add(
        len(IMPOSSIBLE_TIMES_MS),
        depth=-4,
        plant=False,
        operation="cache:artist-image",
        category="ENRICHED",
        status="SUCCESS",
        sources=["SPOTIFY"],
        reason="Artist image cached",
        job_id=jobs,
        root_job_id=jobs,
        is_root_job=True,
        triggered_by="scheduled",
        created_at=timestamps(np.array(IMPOSSIBLE_TIMES_MS)),
    )


def _plant_two_parent_job(log: LifeLog, host) -> None:
    """A root with two children and a job with one row under each child; roots stored right."""
    plan = log.plan
    root, left, right, forked = (f"fork-{plan.chunk}-{k}" for k in ("root", "a", "b", "x"))
    t = plan.enriched_at[host] + 3 * HOUR + np.arange(5) * 1000
    log.add(
        5,
        depth=-5,
        plant=False,
        operation="cache:artist-image",
        category="ENRICHED",
        status="SUCCESS",
        sources=["SPOTIFY"],
        reason="Artist image cached",
        job_id=pa.array([root, left, right, forked, forked]),
        parent_job_id=pa.array([None, root, root, left, right]),
        root_job_id=root,
        is_root_job=pa.array([True, False, False, False, False]),
        triggered_by="scheduled",
        created_at=timestamps(t),
    )


def plant_job_anomalies(logs: pa.Table, rng: np.random.Generator, truth: Truth) -> pa.Table:
    """Break roots and parents of whole jobs in the healthy log; record every row touched."""
    logs = _break_batches(logs, rng, truth)
    plantable = pc.and_(logs["_plant"], pc.greater_equal(logs["_depth"], 1))
    jobs = pc.unique(pc.filter(logs["job_id"], plantable))
    deep = pc.unique(
        pc.filter(logs["job_id"], pc.and_(plantable, pc.greater_equal(logs["_depth"], 2)))
    )
    n_null = min(max(2, round(NULL_ROOT_SHARE * len(jobs))), len(jobs))
    nulled = jobs.take(pa.array(rng.choice(len(jobs), size=n_null, replace=False)))
    wrong_pool = deep.filter(pc.invert(pc.is_in(deep, nulled)))
    n_wrong = min(max(2, round(WRONG_ROOT_SHARE * len(deep))), len(wrong_pool))
    wronged = wrong_pool.take(pa.array(rng.choice(len(wrong_pool), size=n_wrong, replace=False)))
    is_null = pc.is_in(logs["job_id"], nulled)
    is_wrong = pc.is_in(logs["job_id"], wronged)
    for mask, kind in ((is_null, "null_root_job_id"), (is_wrong, "wrong_root_job_id")):
        rows = logs.filter(mask)
        details = [
            {"inferred_root": r} if kind == "null_root_job_id" else {"stored": p, "inferred": r}
            for r, p in zip(
                rows["root_job_id"].to_pylist(), rows["parent_job_id"].to_pylist(), strict=True
            )
        ]
        truth.add(kind, "LOG", rows["id"], details)
    root = pc.if_else(is_null, pa.scalar(None, pa.string()), logs["root_job_id"])
    root = pc.if_else(is_wrong, logs["parent_job_id"], root)
    return logs.set_column(logs.schema.get_field_index("root_job_id"), "root_job_id", root)


def _break_batches(logs: pa.Table, rng, truth: Truth) -> pa.Table:
    """Give a few MusicBrainz batch roots a parent that no row has (a batch request id)."""
    is_batch = pc.equal(logs["operation"], "musicbrainz:sync-new-releases")
    candidates = np.flatnonzero(is_batch.to_numpy(zero_copy_only=False))
    chosen = rng.choice(
        candidates,
        size=min(len(candidates), max(2, round(BROKEN_BATCH_SHARE * len(candidates)))),
        replace=False,
    )
    mask = np.zeros(len(logs), bool)
    mask[chosen] = True
    missing = pc.binary_join_element_wise(
        "mb-sync-batch-", pa.array(np.arange(len(logs))).cast(pa.string()), ""
    )
    parent = pc.if_else(pa.array(mask), missing, logs["parent_job_id"])
    logs = logs.set_column(logs.schema.get_field_index("parent_job_id"), "parent_job_id", parent)
    rows = logs.filter(pa.array(mask))
    truth.add(
        "broken_parent_chain",
        "LOG",
        rows["id"],
        [{"missing_parent": p} for p in rows["parent_job_id"].to_pylist()],
    )
    return logs


def extra_row_truth(logs: pa.Table, truth: Truth) -> None:
    """Record the rows planted by :func:`plant_extra_rows` (found by their depth marks)."""
    depth = logs["_depth"]
    loops = logs.filter(pc.equal(depth, -1))
    truth.add(
        "looping_parent_chain",
        "LOG",
        loops["id"],
        [
            {"cycle": sorted({j, p})}
            for j, p in zip(
                loops["job_id"].to_pylist(), loops["parent_job_id"].to_pylist(), strict=True
            )
        ],
    )
    ghosts = logs.filter(
        pc.and_(pc.equal(depth, 0), pc.starts_with(pc.fill_null(logs["job_id"], ""), "ghost-"))
    )
    truth.add("dangling_entity_id", "LOG", ghosts["id"])
    mislabelled = logs.filter(pc.equal(depth, -2))
    implied = {(op, st): imp for op, st, _lab, imp in MISLABELS}
    truth.add(
        "mislabelled_category",
        "LOG",
        mislabelled["id"],
        [
            {"expected": implied[(o, s)]}
            for o, s in zip(
                mislabelled["operation"].to_pylist(), mislabelled["status"].to_pylist(), strict=True
            )
        ],
    )
    forks = logs.filter(pc.and_(pc.equal(depth, -5), pc.ends_with(logs["job_id"], "-x")))
    truth.add(
        "multi_parent_job",
        "LOG",
        forks["id"],
        [{"parent_job_id": p} for p in forks["parent_job_id"].to_pylist()],
    )
    clock = logs.filter(pc.equal(depth, -4))
    truth.add("impossible_log_time", "LOG", clock["id"])
    deep = logs.filter(pc.equal(depth, -3))
    wrong = [
        i
        for i, (j, r) in enumerate(
            zip(deep["job_id"].to_pylist(), deep["root_job_id"].to_pylist(), strict=True)
        )
        if not j.endswith("-0") and r != j.rsplit("-", 1)[0] + "-0"
    ]
    rows = deep.take(pa.array(wrong, pa.int64()))
    truth.add(
        "wrong_root_job_id",
        "LOG",
        rows["id"],
        [
            {"stored": r, "inferred": j.rsplit("-", 1)[0] + "-0"}
            for j, r in zip(
                rows["job_id"].to_pylist(), rows["root_job_id"].to_pylist(), strict=True
            )
        ],
    )
