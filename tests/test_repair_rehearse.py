"""Rehearsal: the same corrections on a snapshot copy give the same catalog rows as on PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime

from repair_seed import HOSTILE, query

from llamaforensics.repair import (
    APPLIED,
    AddTracks,
    AlbumChanges,
    LinkArtist,
    MergeAlbums,
    ModifyTracks,
    RemoveTracks,
    RepairSession,
    SetAlbumFields,
    SetTracks,
    UnlinkArtist,
    apply_corrections,
    prepare_corrections,
)
from llamaforensics.repair.postgres_catalog import PostgresCatalog
from llamaforensics.repair.rehearse import rehearse
from llamaforensics.repair.snapshot_catalog import SnapshotCatalog

CLOCK = datetime(2030, 1, 2, 3, 4, 5, 678000)


def _truth(demo_data, kind: str) -> list[dict]:
    return [r for r in demo_data.ground_truth.to_pylist() if r["kind"] == kind]


def _every_kind(demo_data, pg) -> list:
    """One correction of every kind, on albums the demo planted for it."""
    trackless = _truth(demo_data, "trackless_album")[0]["entity_id"]
    missing = _truth(demo_data, "missing_external_id")[0]
    artistless = _truth(demo_data, "artistless_album")[0]["entity_id"]
    dup = next(
        r
        for r in _truth(demo_data, "duplicate_album")
        if json.loads(r["detail"])["survivor"] != r["entity_id"]
    )
    survivor = json.loads(dup["detail"])["survivor"]
    taken = {trackless, missing["entity_id"], artistless, dup["entity_id"], survivor}
    rows = pg._fetch(
        "SELECT a.id::text AS album, min(t.id::text) AS track, max(t.id::text) AS other, "
        "min(aa.artist_id::text) AS artist FROM albums a JOIN tracks t ON t.album_id = a.id "
        "JOIN album_artists aa ON aa.album_id = a.id GROUP BY a.id HAVING count(DISTINCT t.id) > 2 "
        "ORDER BY a.id LIMIT 10",
        [],
    )
    full = [r for r in rows if r["album"] not in taken][:5]
    return [
        SetAlbumFields(
            album_id=missing["entity_id"],
            fields={
                "musicbrainz_id": json.loads(missing["detail"])["logged_musicbrainz_id"],
                "title": HOSTILE,
                "genres": ["a", "b"],
                "release_date": "2001-02-03",
            },
        ),
        AddTracks(
            album_id=trackless,
            tracks=[
                {"title": "One", "track_number": 1, "duration_ms": 1000},
                {"title": "Two 🦙", "track_number": 2, "explicit": True},
            ],
        ),
        LinkArtist(album_id=artistless, new_artist={"name": "Brand New", "country_code": "IS"}),
        RemoveTracks(album_id=full[0]["album"], track_ids=[full[0]["track"]]),
        ModifyTracks(
            album_id=full[1]["album"],
            tracks={full[1]["track"]: {"title": "Renamed", "duration_ms": 5}},
        ),
        UnlinkArtist(album_id=full[2]["album"], artist_id=full[2]["artist"]),
        AlbumChanges(
            album_id=full[3]["album"],
            parts=[  # one correction of several: as a manifest entry makes
                SetAlbumFields(
                    album_id=full[3]["album"], fields={"label": "Whole 🦙", "track_count": 1}
                ),
                AddTracks(
                    album_id=full[3]["album"],
                    tracks=[{"title": "Bonus", "track_number": 90, "disc_number": 2}],
                ),
                LinkArtist(
                    album_id=full[3]["album"],
                    new_artist={"name": "Also New"},
                    role="featured",
                    position=5,
                ),
                ModifyTracks(
                    album_id=full[3]["album"], tracks={full[3]["other"]: {"title": "Retitled"}}
                ),
            ],
        ),
        SetTracks(
            album_id=full[4]["album"],
            replace=True,
            tracks=[  # the others removed, one kept
                {"id": full[4]["track"], "title": "Kept, renamed", "track_number": 1},
                {"title": "New one", "track_number": 2, "energy": 0.5},
            ],
        ),
        MergeAlbums(album_id=dup["entity_id"], survivor_id=survivor),
    ]


def _catalog_rows(catalog, corrections) -> dict:
    albums = sorted(
        {c.album_id for c in corrections}
        | {getattr(c, "survivor_id", c.album_id) for c in corrections}
    )
    out = {}
    for album in albums:
        out[album] = {
            "album": catalog.row("albums", {"id": album}),
            "tracks": catalog.rows("tracks", {"album_id": album}, order="id"),
            "links": catalog.rows("album_artists", {"album_id": album}, order="artist_id, role"),
        }
        out[album]["artists"] = [
            catalog.row("artists", {"id": link["artist_id"]}) for link in out[album]["links"]
        ]
        out[album]["track_artists"] = [
            catalog.rows("track_artists", {"track_id": t["id"]}, order="artist_id")
            for t in out[album]["tracks"]
        ]
        out[album]["logs"] = len(catalog.rows("llama_logs", {"album_id": album}))
    catalog.rollback()
    return out


def test_rehearsal_gives_the_same_catalog_rows_as_postgres(
    demo_db, demo_data, demo_snapshot, tmp_path
):
    pg = PostgresCatalog(demo_db)
    corrections = _every_kind(demo_data, pg)
    pg.rollback()
    prepared = prepare_corrections(demo_db, corrections)
    rehearsal = rehearse(
        demo_snapshot,
        prepared,
        out=tmp_path / "r.duckdb",
        session=RepairSession(clock=lambda: CLOCK),
    )
    assert [r.status for r in rehearsal.results] == [APPLIED] * len(prepared), [
        r.message for r in rehearsal.results
    ]
    applied = apply_corrections(
        demo_db, prepared, dry_run=False, session=RepairSession(clock=lambda: CLOCK)
    )
    assert [r.status for r in applied] == [APPLIED] * len(prepared), [r.message for r in applied]
    snap = SnapshotCatalog(rehearsal.path)
    try:
        expected, found = _catalog_rows(pg, prepared), _catalog_rows(snap, prepared)
    finally:
        snap.close()
        pg.close()
    for album in expected:
        for part in expected[album]:
            assert found[album][part] == expected[album][part], (album, part)
    assert expected[prepared[-1].album_id]["album"] is None  # the merged duplicate is gone in both
    # what only PostgreSQL can check (its tables that a snapshot leaves out), said, not assumed
    assert {"CollectionAlbum", "marquee_albums", "uncover_guesses"} <= set(rehearsal.unchecked)
    history = query(
        demo_db,
        "SELECT category, operation FROM llama_logs WHERE album_id = %s ORDER BY created_at",
        [prepared[0].album_id],
    )  # the app's own provenance query finds the correction
    assert history[-1] == {"category": "CORRECTED", "operation": "admin_correction"}


def test_the_snapshot_itself_is_never_modified(demo_snapshot, tmp_path):
    before = demo_snapshot.read_bytes()
    rehearse(demo_snapshot, [], out=tmp_path / "r.duckdb")
    assert demo_snapshot.read_bytes() == before
