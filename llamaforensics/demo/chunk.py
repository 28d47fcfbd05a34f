"""One chunk of demo data: a slice of albums, everything that hangs off them, and its ground truth.

Chunks are independent (their own random stream, entity numbers and job ids),
so any scale is generated in bounded memory, one chunk at a time, and the same
seed always gives the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import catalog_rows, creation_events, later_events, lifelog, people, planting, user_events
from .life_plan import COLLECTION, DAY, HOUR, LEGACY_END_MS, NOW_MS, RECOMMENDATION, plan_albums

CHUNK_ALBUMS = 25_000


@dataclass
class Chunk:
    tables: dict[str, pa.Table]
    truth: pa.Table


@dataclass(frozen=True)
class People:
    n_users: int
    users: pa.Array
    admins: pa.Array
    collections: pa.Array


def build_chunk(
    seed: int,
    chunk: int,
    n: int,
    first_number: int,
    batch_base: int,
    people_: People,
    anomalies: bool,
) -> tuple[Chunk, int]:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, chunk])))
    plan, batch_base = plan_albums(
        rng, seed, chunk, n, first_number, people_.n_users, batch_base, anomalies
    )
    ids = catalog_rows.album_ids(plan)
    batches = lifelog.sync_batches(plan)
    _link_jobs(plan, batches)
    status = lifelog.enrichment_status(plan, rng)
    ok = ((status == "SUCCESS") | (status == "PARTIAL_SUCCESS")) & (plan.enriched_at >= 0)
    later_events.schedule_later(rng, plan, ok)
    plan.extra["title"] = catalog_rows.album_titles(rng, plan)
    albums = catalog_rows.albums_table(rng, plan)
    mbids = catalog_rows.uuids(seed, "mb-album", plan.number)

    n_artists = int(plan.artist.max()) + 1
    first_t0 = catalog_rows.first_album_times(plan, n_artists)
    artists = catalog_rows.artists_table(rng, plan, first_t0)
    local = np.flatnonzero(first_t0 >= 0)
    order = np.lexsort((plan.t0, plan.artist))
    firsts = order[np.searchsorted(plan.artist[order], local)]

    album_of_track, position = catalog_rows.track_rows(plan)
    copy = plan.duplicate_of[album_of_track] >= 0
    t_track = (
        np.where(copy, plan.t0[album_of_track], plan.enriched_at[album_of_track]) + 10 * position
    )
    tracks = catalog_rows.tracks_table(rng, plan, album_of_track, position, t_track)

    log = lifelog.LifeLog(plan, ids)
    lifelog.log_sync_roots(log, batches)
    lifelog.log_creations(
        log, plan.extra["batch_job"], people_.admins, people_.users, people_.collections
    )
    creation_events.log_artists(log, rng, catalog_rows.artist_ids(plan, local), local, firsts)
    lifelog.log_enrichments(log, rng, status, mbids)
    lifelog.log_tracks(log, album_of_track, tracks["id"].combine_chunks(), t_track)
    creation_events.log_cover_art(log, rng, ok)
    enrich_batches = later_events.enrichment_batches(plan)
    later_events.log_enrichment_batches(log, enrich_batches)
    later_events.log_later(log, rng, enrich_batches["job"], mbids)
    adds = user_events.log_user_events(
        log,
        rng,
        people_.users,
        people_.admins,
        people_.collections,
        albums["title"].combine_chunks(),
        albums["release_country"].combine_chunks(),
        mbids,
    )
    user_events.log_track_previews(log, seed, albums["title"].combine_chunks(), mbids)
    healthy = np.flatnonzero((plan.role == 0) & ok)
    if anomalies:
        planting.plant_extra_rows(log, rng, healthy)
    logs = _finish_logs(log.table(), seed, chunk)

    truth = planting.Truth()
    _album_truth(plan, ids, albums, truth)
    if anomalies:
        logs = planting.plant_job_anomalies(logs, rng, truth)
        planting.extra_row_truth(logs, truth)
    logs = logs.drop_columns(["_depth", "_plant"]).sort_by("created_at")

    tables = {
        "albums": albums,
        "artists": artists,
        "tracks": tracks,
        "album_artists": catalog_rows.album_artists_table(plan),
        "track_artists": catalog_rows.track_artists_table(plan, album_of_track, position),
        "sync_jobs": people.sync_jobs_table(
            seed, chunk, batches, enrich_batches, lifelog.SYNC_JOB_TYPE
        ),
        "llama_logs": logs,
        "CollectionAlbum": _collection_albums(seed, chunk, plan, ids, adds, people_),
        "Recommendation": _recommendations(rng, chunk, plan, ids, people_),
    }
    if chunk == 0:
        tables["marquee_albums"] = people.marquee(
            seed, ids.filter(pa.array(plan.role == 0)), NOW_MS - 7 * DAY
        )
    return Chunk(tables, truth.table()), batch_base


def _link_jobs(plan, batches: dict) -> None:
    """Record per album its creation job, its sync batch's root job, and its creation job's root."""
    plan.extra["creation_job"] = lifelog.creation_jobs(plan)
    batch_job = np.full(plan.size, None, dtype=object)
    batched, inverse = batches["album_batch_index"]
    batch_job[batched] = (
        np.asarray(batches["job"].to_pylist(), dtype=object)[inverse] if len(batched) else []
    )
    plan.extra["batch_job"] = pa.array(batch_job, pa.string())
    copies = pa.array(plan.duplicate_of >= 0)
    plan.extra["root_of_creation"] = pc.if_else(
        copies, plan.extra["creation_job"], plan.extra["batch_job"]
    )


def _finish_logs(logs: pa.Table, seed: int, chunk: int) -> pa.Table:
    """Give rows their ids, and the labels the backfill gave rows older than the rename."""
    ids = catalog_rows.uuids(seed, "log", chunk * 1_000_000_000 + np.arange(len(logs)))
    logs = logs.set_column(0, "id", ids)
    legacy_cache = pc.and_(
        pc.less(logs["created_at"], pa.scalar(LEGACY_END_MS, pa.timestamp("ms"))),
        pc.starts_with(logs["operation"], "cache:"),
    )
    category = pc.if_else(legacy_cache, "CACHED", logs["category"])
    return logs.set_column(logs.schema.get_field_index("category"), "category", category)


TRACKLESS_CAUSE = {
    "too_new": "too_new_for_musicbrainz",
    "edition_suffix": "edition_suffix",
    "tracks_never_fetched": "tracks_never_fetched",
    "never_enriched": "never_enriched",
}


def _album_truth(plan, ids: pa.Array, albums: pa.Table, truth: planting.Truth) -> None:
    original = plan.duplicate_of < 0
    take = lambda mask: ids.filter(pa.array(mask))  # noqa: E731
    for role, cause in TRACKLESS_CAUSE.items():
        mask = plan.has(role) & original
        truth.add("trackless_album", "ALBUM", take(mask), [{"cause": cause}] * int(mask.sum()))
    m = plan.has("track_count_mismatch")
    truth.add(
        "track_count_mismatch",
        "ALBUM",
        take(m),
        [
            {"claimed": int(c), "actual": int(r)}
            for c, r in zip(plan.claimed_tracks[m], plan.real_tracks[m], strict=True)
        ],
    )
    truth.add("artistless_album", "ALBUM", take(plan.has("artistless")))
    m = plan.has("missing_external_id")
    logged = catalog_rows.uuids(plan.seed, "mb-album", plan.number[m]).to_pylist()
    sources = albums["source"].filter(pa.array(m)).to_pylist()
    truth.add(
        "missing_external_id",
        "ALBUM",
        take(m),
        [{"source": s, "logged_musicbrainz_id": x} for s, x in zip(sources, logged, strict=True)],
    )
    truth.add("no_created_log", "ALBUM", take(plan.has("no_created_log")))
    m = plan.has("late_first_log")
    truth.add(
        "late_first_log",
        "ALBUM",
        take(m),
        [{"hours": round(float(h), 1)} for h in (plan.t0[m] - plan.created[m]) / HOUR],
    )
    m = plan.has("stuck") | plan.has("never_enriched")
    status = albums["enrichment_status"].filter(pa.array(m)).to_pylist()
    updated = albums["updated_at"].filter(pa.array(m)).cast(pa.int64()).to_numpy()
    truth.add(
        "stuck_enrichment",
        "ALBUM",
        take(m),
        [
            {"status": s, "days": int((NOW_MS - u) // DAY)}
            for s, u in zip(status, updated, strict=True)
        ],
    )
    m = plan.has("failing")
    truth.add(
        "failing_enrichment",
        "ALBUM",
        take(m),
        [
            {
                "failures": len(plan.extra["fail_times"][i]),
                "last_error": [
                    "MusicBrainz API returned 503 Service Unavailable",
                    "Request timed out after 30000 ms",
                ][(len(plan.extra["fail_times"][i]) - 1) % 2],
            }
            for i in np.flatnonzero(m)
        ],
    )
    m = plan.has("duplicate")
    group = np.where(plan.duplicate_of >= 0, plan.duplicate_of, np.arange(plan.size))[m]
    survivor = ids.take(pa.array(group)).to_pylist()
    truth.add("duplicate_album", "ALBUM", take(m), [{"group": s, "survivor": s} for s in survivor])
    truth.add("hostile_title", "ALBUM", take(plan.has("hostile_title")))


def _collection_albums(seed, chunk, plan, ids, adds, people_) -> pa.Table:
    created = np.flatnonzero(plan.origin == COLLECTION)
    album = np.concatenate([created, adds["adds"]])
    user = np.concatenate([plan.user[created], adds["user"]])
    when = np.concatenate([plan.t0[created], adds["time"]])
    return people.collection_albums(
        seed, chunk, ids.take(pa.array(album, pa.int64())), user, when, people_.n_users
    )


def _recommendations(rng, chunk, plan, ids, people_) -> pa.Table:
    rec = np.flatnonzero(plan.origin == RECOMMENDATION)
    basis = rng.integers(0, plan.size, len(rec))
    basis = np.where(basis == rec, (basis + 1) % plan.size, basis)
    return people.recommendations(
        chunk,
        ids.take(pa.array(rec, pa.int64())),
        ids.take(pa.array(basis)),
        people_.users.take(pa.array(plan.user[rec])),
        plan.number[rec],
        plan.t0[rec] + HOUR,
    )
