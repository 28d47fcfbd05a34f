"""Users and what they keep: "User", "Collection", "CollectionAlbum", "Recommendation".

Also the catalog-wide rows no album owns: marquee_albums and sync_jobs.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import Segments, json_template, numbered, timestamps, uuids
from .life_plan import DAY, START_MS
from .shapes import arrow_schema
from .vocabulary import FIRST_NAMES

ADMINS = 3


def user_count(scale: float) -> int:
    return max(25, int(25 * scale**0.5))


def user_ids(seed: int, n: int) -> pa.Array:
    """Prisma cuid-shaped text ids."""
    raw = pc.replace_substring(uuids(seed, "user", np.arange(n)), "-", "")
    return pc.binary_join_element_wise("c", pc.utf8_slice_codeunits(raw, 0, 24), "")


def collection_ids(seed: int, n: int) -> pa.Array:
    raw = pc.replace_substring(uuids(seed, "collection", np.arange(n)), "-", "")
    return pc.binary_join_element_wise("c", pc.utf8_slice_codeunits(raw, 0, 24), "")


def users_tables(seed: int, n: int) -> dict[str, pa.Table]:
    """Return the people: 3 admins (the first an OWNER), 2 moderators, users; a collection each."""
    ids = user_ids(seed, n)
    k = np.arange(n)
    names = pc.binary_join_element_wise(
        pa.array(np.asarray(FIRST_NAMES, object)[k % len(FIRST_NAMES)], pa.string()),
        numbered(" ", k // len(FIRST_NAMES) + 1),
        "",
    )
    role = np.where(
        k == 0,
        "OWNER",
        np.where(k < ADMINS, "ADMIN", np.where(k < ADMINS + 2, "MODERATOR", "USER")),
    )
    created = START_MS - 30 * DAY + k * 3_600_000
    users = Segments(arrow_schema("User"))
    users.add(
        n,
        id=ids,
        name=names,
        email=numbered("user", k, "@example.org"),
        username=numbered("user", k),
        role=pa.array(role.astype(object), pa.string()),
        createdAt=timestamps(created),
        updatedAt=timestamps(created),
    )
    cols = Segments(arrow_schema("Collection"))
    cols.add(
        n,
        id=collection_ids(seed, n),
        name="My collection",
        isPublic=pa.array(k % 3 == 0),
        userId=ids,
        createdAt=timestamps(created),
        updatedAt=timestamps(created),
    )
    return {"User": users.table(), "Collection": cols.table()}


def collection_albums(
    seed: int, chunk: int, album_ids: pa.Array, user: np.ndarray, added: np.ndarray, n_users: int
) -> pa.Table:
    """One row per collection add (a user adds an album once: repeated adds are dropped)."""
    key = pc.binary_join_element_wise(album_ids, pa.array(user).cast(pa.string()), "|")
    _, first = np.unique(key.to_numpy(zero_copy_only=False), return_index=True)
    first = np.sort(first)
    segs = Segments(arrow_schema("CollectionAlbum"))
    segs.add(
        len(first),
        id=numbered(f"ca-{chunk}-", first),
        collectionId=collection_ids(seed, n_users).take(pa.array(user[first])),
        album_id=album_ids.take(pa.array(first)),
        position=pa.array(first.astype(np.int32)),
        addedAt=timestamps(added[first]),
    )
    return segs.table()


def recommendations(
    chunk: int,
    rec_album_ids: pa.Array,
    basis_ids: pa.Array,
    users: pa.Array,
    numbers: np.ndarray,
    t: np.ndarray,
) -> pa.Table:
    segs = Segments(arrow_schema("Recommendation"))
    segs.add(
        len(numbers),
        id=numbered("rec-", numbers),
        userId=users,
        basis_album_id=basis_ids,
        recommended_album_id=rec_album_ids,
        score=pa.array(np.full(len(numbers), 80, np.int32)),
        createdAt=timestamps(t),
        updatedAt=timestamps(t),
    )
    return segs.table()


def marquee(seed: int, album_ids: pa.Array, t: int) -> pa.Table:
    n = min(12, len(album_ids))
    segs = Segments(arrow_schema("marquee_albums"))
    segs.add(
        n,
        id=uuids(seed, "marquee", np.arange(n)),
        album_id=album_ids.slice(0, n),
        sort_order=pa.array(np.arange(n, dtype=np.int32)),
        created_at=timestamps(np.full(n, t)),
    )
    return segs.table()


def sync_jobs_table(
    seed: int, chunk: int, batches: dict, enrichment: dict, job_types: dict
) -> pa.Table:
    segs = Segments(arrow_schema("sync_jobs"))
    n = len(batches["number"])
    types = pa.array([job_types[o] for o in batches["origin"]], pa.string())
    segs.add(
        n,
        id=uuids(seed, "sync-job", batches["number"]),
        job_id=batches["job"],
        job_type=types,
        status="COMPLETED",
        started_at=timestamps(batches["start"]),
        completed_at=timestamps(batches["end"]),
        duration_ms=pa.array((batches["end"] - batches["start"]).astype(np.int32)),
        albums_created=pa.array(batches["size"].astype(np.int32)),
        metadata=json_template({"batchSize": "#n"}, n=pa.array(batches["size"]).cast(pa.string())),
        triggered_by="scheduled",
        created_at=timestamps(batches["start"]),
        updated_at=timestamps(batches["end"]),
    )
    k = len(enrichment["job"])
    segs.add(
        k,
        id=uuids(seed, "enrichment-job", chunk * 100_000 + np.arange(k)),
        job_id=enrichment["job"],
        job_type="ENRICHMENT_BATCH",
        status="COMPLETED",
        started_at=timestamps(enrichment["start"]),
        completed_at=timestamps(enrichment["start"] + 60_000),
        duration_ms=60_000,
        albums_updated=pa.array(enrichment["size"].astype(np.int32)),
        triggered_by="scheduled",
        created_at=timestamps(enrichment["start"]),
        updated_at=timestamps(enrichment["start"] + 60_000),
    )
    return segs.table()
