"""Catalog rows of a demo chunk: albums, artists, tracks and their links, from the album plan."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import vocabulary as vocab
from .columns import (
    Segments,
    dates,
    iso,
    json_template,
    numbered,
    pick,
    string_lists,
    timestamps,
    uuids,
)
from .life_plan import CONTENT_SOURCE, DAY, HOUR, SYNC_SOURCE, AlbumPlan
from .shapes import arrow_schema

QUALITY = np.array(["LOW", "MEDIUM", "HIGH"], dtype=object)
GENRE_SETS = tuple(
    tuple(vocab.GENRES[i : i + k]) for k in (1, 2) for i in range(len(vocab.GENRES) - 1)
)


def album_ids(plan: AlbumPlan) -> pa.Array:
    return uuids(plan.seed, "album", plan.number)


def artist_ids(plan: AlbumPlan, local: np.ndarray) -> pa.Array:
    return uuids(plan.seed, "artist", plan.chunk * 10_000_000 + np.asarray(local, dtype=np.int64))


def album_titles(rng: np.random.Generator, plan: AlbumPlan) -> pa.Array:
    """Return titles unique per artist after normalisation, except where duplicates are planted."""
    n = plan.size
    order = np.lexsort((plan.number, plan.artist))
    rank = np.empty(n, dtype=np.int64)
    sorted_artist = plan.artist[order]
    rank[order] = np.arange(n) - np.searchsorted(sorted_artist, sorted_artist)
    combos = len(vocab.ADJECTIVES) * len(vocab.NOUNS)
    k = (plan.artist * 7919 + rank * 7) % combos
    adjective = pick(vocab.ADJECTIVES, k // len(vocab.NOUNS))
    noun = pick(vocab.NOUNS, k % len(vocab.NOUNS))
    volume = pc.if_else(
        pa.array(rank * 7 >= combos), numbered(" Vol. ", rank * 7 // combos + 1), ""
    )
    titles = (
        pc.binary_join_element_wise(adjective, " ", noun, volume, "")
        .to_numpy(zero_copy_only=False)
        .astype(object)
    )
    edition = np.flatnonzero(plan.has("edition_suffix"))
    titles[edition] = [
        f"{t} {vocab.EDITION_SUFFIXES[i % len(vocab.EDITION_SUFFIXES)]}"
        for i, t in zip(edition, titles[edition], strict=True)
    ]
    hostile = np.flatnonzero(plan.has("hostile_title") & (plan.duplicate_of < 0))
    titles[hostile] = [
        f"{vocab.HOSTILE_TITLES[i % len(vocab.HOSTILE_TITLES)]} #{plan.number[i]}" for i in hostile
    ]
    copies = np.flatnonzero(plan.duplicate_of >= 0)
    retitled = rng.random(len(copies)) < 0.3
    plan.extra["retitled"] = np.zeros(n, bool)
    plan.extra["retitled"][copies[retitled]] = True
    for i, r in zip(copies, retitled, strict=True):
        base = titles[plan.duplicate_of[i]]
        titles[i] = f"{base} (Remastered)" if r else (base.upper() if i % 2 else f"{base.lower()}!")
    return pa.array(titles, pa.string())


def albums_table(rng: np.random.Generator, plan: AlbumPlan) -> pa.Table:
    n = plan.size
    ids = album_ids(plan)
    origin = plan.origin
    copy = plan.duplicate_of >= 0
    release = plan.t0 - rng.integers(0, 14 * DAY, n)
    back_catalog = (origin == 1) | (origin >= 3) | plan.has("edition_suffix")
    release[back_catalog] = plan.t0[back_catalog] - rng.integers(
        30 * DAY, 50 * 365 * DAY, int(back_catalog.sum())
    )
    release[copy] = release[plan.duplicate_of[copy]]
    spotify = origin == 0
    discogs = (rng.random(n) < 0.3) | plan.has("duplicate")
    discogs_no = plan.number.copy()
    discogs_no[copy] = plan.number[plan.duplicate_of[copy]]
    mbid = uuids(plan.seed, "mb-album", plan.number)
    last = _last_enriched(plan)
    status = _enrichment_status(plan)
    updated = np.maximum(plan.created, np.where(last >= 0, last, plan.created))
    updated = np.where(plan.has("stuck"), plan.extra["queued_at"], updated)
    updated = np.where(
        plan.extra["corrected_at"] > 0, np.maximum(updated, plan.extra["corrected_at"]), updated
    )
    job = plan.extra["creation_job"]
    metadata = json_template(
        {"syncSource": "$src", "syncedAt": "$at", "jobId": "$job"},
        src=pick(SYNC_SOURCE, origin),
        at=iso(plan.t0),
        job=pc.fill_null(job, "none"),
    )
    segs = Segments(arrow_schema("albums"))
    segs.add(
        n,
        id=ids,
        musicbrainz_id=pc.if_else(pa.array(plan.has_mbid), mbid, None),
        title=plan.extra["title"],
        release_date=dates(release),
        release_type=pick(vocab.RELEASE_TYPES, plan.release_type),
        release_status="Official",
        release_country=pick(vocab.COUNTRIES, rng.integers(0, len(vocab.COUNTRIES), n)),
        genres=string_lists(GENRE_SETS, rng.integers(0, len(GENRE_SETS), n)),
        track_count=pa.array(plan.claimed_tracks, pa.int32()),
        duration_ms=pa.array(plan.claimed_tracks * 215_000, pa.int32()),
        cover_art_url=pc.binary_join_element_wise(
            "https://coverartarchive.org/release/", mbid, "/front-500.jpg", ""
        ),
        barcode=pc.if_else(
            pa.array(rng.random(n) < 0.6),
            numbered("0", 600_000_000_000 + plan.number % 99_999_999_999),
            None,
        ),
        label=pick(vocab.LABELS, rng.integers(0, len(vocab.LABELS), n)),
        spotify_id=pc.if_else(
            pa.array(spotify),
            pc.utf8_slice_codeunits(
                pc.replace_substring(uuids(plan.seed, "spotify-album", plan.number), "-", ""), 0, 22
            ),
            None,
        ),
        deezer_id=pc.if_else(pa.array(origin == 2), numbered("", 300_000_000 + plan.number), None),
        discogs_id=pc.if_else(pa.array(discogs), numbered("", 1_000_000 + discogs_no), None),
        source=pick(CONTENT_SOURCE, origin),
        data_quality=pick(QUALITY, plan.quality),
        enrichment_status=status,
        last_enriched=pc.if_else(pa.array(last >= 0), timestamps(last), None),
        metadata=metadata,
        game_status=pc.if_else(pa.array(rng.random(n) < 0.05), "APPROVED", "NONE"),
        created_at=timestamps(plan.created),
        updated_at=timestamps(updated),
    )
    table = segs.table()
    spotify_url = pc.binary_join_element_wise(
        "https://open.spotify.com/album/", table["spotify_id"], ""
    )
    return table.set_column(table.schema.get_field_index("spotify_url"), "spotify_url", spotify_url)


def _last_enriched(plan: AlbumPlan) -> np.ndarray:
    last = plan.enriched_at.copy()
    last = np.where(
        plan.extra["last_enrichment"] > 0, np.maximum(last, plan.extra["last_enrichment"]), last
    )
    return last


def _enrichment_status(plan: AlbumPlan) -> pa.Array:
    status = np.full(plan.size, "COMPLETED", dtype=object)
    status[plan.has("tracks_never_fetched")] = "SKIPPED"
    status[plan.has("never_enriched")] = "UNENRICHED"
    stuck = np.flatnonzero(plan.has("stuck"))
    status[stuck] = np.where(stuck % 2 == 0, "QUEUED", "IN_PROGRESS")
    status[plan.has("failing")] = "FAILED"
    return pa.array(status, pa.string())


def artists_table(
    rng: np.random.Generator, plan: AlbumPlan, first_album_t0: np.ndarray
) -> pa.Table:
    """Return the chunk's artists: each created with its first album (``first_album_t0``)."""
    local = np.flatnonzero(first_album_t0 >= 0)
    n = len(local)
    created = first_album_t0[local] + 5
    names = _artist_names(plan.chunk, local)
    segs = Segments(arrow_schema("artists"))
    segs.add(
        n,
        id=artist_ids(plan, local),
        musicbrainz_id=uuids(plan.seed, "mb-artist", plan.chunk * 10_000_000 + local),
        name=names,
        formed_year=pa.array(rng.integers(1960, 2024, n), pa.int32()),
        country_code=pick(vocab.COUNTRIES, rng.integers(0, len(vocab.COUNTRIES), n)),
        artist_type=pick(("Group", "Person"), rng.integers(0, 2, n)),
        genres=string_lists(GENRE_SETS, rng.integers(0, len(GENRE_SETS), n)),
        source="MUSICBRAINZ",
        data_quality="MEDIUM",
        enrichment_status="COMPLETED",
        last_enriched=timestamps(created + HOUR),
        created_at=timestamps(created),
        updated_at=timestamps(created + HOUR),
    )
    return segs.table()


def _artist_names(chunk: int, local: np.ndarray) -> pa.Array:
    combos = len(vocab.ARTIST_FIRST) * len(vocab.ARTIST_SECOND)
    k = (local * 37) % combos
    first = pick(vocab.ARTIST_FIRST, k // len(vocab.ARTIST_SECOND))
    second = pick(vocab.ARTIST_SECOND, k % len(vocab.ARTIST_SECOND))
    suffix = pc.if_else(pa.array(local >= combos), numbered(" ", local // combos + 1), "")
    names = (
        pc.binary_join_element_wise(first, " ", second, suffix, "")
        .to_numpy(zero_copy_only=False)
        .astype(object)
    )
    if chunk == 0:
        named = local < len(vocab.NAMED_ARTISTS)
        names[named] = np.asarray(vocab.NAMED_ARTISTS, dtype=object)[local[named]]
    return pa.array(names, pa.string())


def track_rows(plan: AlbumPlan) -> tuple[np.ndarray, np.ndarray]:
    """Return, per track, the album index and its position (1-based)."""
    album = np.repeat(np.arange(plan.size), plan.real_tracks)
    starts = np.cumsum(plan.real_tracks) - plan.real_tracks
    position = np.arange(len(album)) - np.repeat(starts, plan.real_tracks) + 1
    return album, position


def track_ids(plan: AlbumPlan, album: np.ndarray, position: np.ndarray) -> pa.Array:
    return uuids(plan.seed, "track", plan.number[album] * 64 + position)


def tracks_table(
    rng: np.random.Generator,
    plan: AlbumPlan,
    album: np.ndarray,
    position: np.ndarray,
    created: np.ndarray,
) -> pa.Table:
    n = len(album)
    words = len(vocab.TRACK_WORDS)
    k = plan.number[album] * 31 + position * 7
    title = pc.binary_join_element_wise(
        pick(vocab.TRACK_WORDS, k % words), pick(vocab.TRACK_WORDS, (k // words) % words), " "
    )
    mb = pa.array(plan.has_mbid[album])
    spotify = pa.array(plan.origin[album] == 0)
    # Audio features come from Spotify: only Spotify-sourced tracks have them.
    ranges = dict.fromkeys(
        (
            "energy",
            "valence",
            "danceability",
            "acousticness",
            "instrumentalness",
            "liveness",
            "speechiness",
        ),
        (0.0, 1.0),
    ) | {"tempo": (60.0, 180.0), "loudness": (-20.0, -2.0)}
    features = {
        name: pc.if_else(spotify, pa.array(np.round(rng.uniform(lo, hi, n), 3)), None)
        for name, (lo, hi) in ranges.items()
    }
    segs = Segments(arrow_schema("tracks"))
    segs.add(
        n,
        id=track_ids(plan, album, position),
        album_id=album_ids(plan).take(pa.array(album)),
        musicbrainz_id=pc.if_else(
            mb, uuids(plan.seed, "mb-track", plan.number[album] * 64 + position), None
        ),
        isrc=numbered("USLF2", 1_000_000 + (plan.number[album] * 64 + position) % 9_000_000),
        title=title,
        track_number=pa.array(position, pa.int32()),
        disc_number=1,
        duration_ms=pa.array(rng.integers(90_000, 420_000, n), pa.int32()),
        explicit=pa.array(rng.random(n) < 0.1),
        spotify_id=pc.if_else(
            spotify,
            pc.utf8_slice_codeunits(
                pc.replace_substring(
                    uuids(plan.seed, "spotify-track", plan.number[album] * 64 + position), "-", ""
                ),
                0,
                22,
            ),
            None,
        ),
        key_signature=pc.if_else(spotify, pa.array(rng.integers(0, 12, n), pa.int32()), None),
        mode=pc.if_else(spotify, pa.array(rng.integers(0, 2, n), pa.int32()), None),
        time_signature=pc.if_else(spotify, pa.array(np.full(n, 4), pa.int32()), None),
        source=pick(CONTENT_SOURCE, plan.origin[album]),
        data_quality=pick(QUALITY, np.maximum(plan.quality[album], 1)),
        enrichment_status="COMPLETED",
        last_enriched=timestamps(created),
        created_at=timestamps(created),
        updated_at=timestamps(created),
        **features,
    )
    return segs.table()


def album_artists_table(plan: AlbumPlan) -> pa.Table:
    linked = np.flatnonzero(plan.linked)
    segs = Segments(arrow_schema("album_artists"))
    segs.add(
        len(linked),
        album_id=album_ids(plan).take(pa.array(linked)),
        artist_id=artist_ids(plan, plan.artist[linked]),
        role="primary",
        position=0,
    )
    return segs.table()


def track_artists_table(plan: AlbumPlan, album: np.ndarray, position: np.ndarray) -> pa.Table:
    """Return the track credits: the album's artist on each track.

    Half the artistless albums keep them (the lost link can be read back from
    them), the other half have none.
    """
    keep = plan.linked[album] | (plan.has("artistless")[album] & (plan.number[album] % 2 == 0))
    segs = Segments(arrow_schema("track_artists"))
    segs.add(
        int(keep.sum()),
        track_id=track_ids(plan, album[keep], position[keep]),
        artist_id=artist_ids(plan, plan.artist[album[keep]]),
        role="primary",
        position=0,
    )
    return segs.table()


def first_album_times(plan: AlbumPlan, n_artists: int) -> np.ndarray:
    """Return, per local artist, the t0 of its earliest album (-1 if none): when it was created."""
    first = np.full(n_artists, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, plan.artist, plan.t0)
    return np.where(first == np.iinfo(np.int64).max, -1, first)
