"""Export a dev-to-prod manifest from two catalogs: it re-imports, applies as logged corrections, and round-trips."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import psycopg
import pytest
from repair_seed import HOSTILE, query

from llamaforensics import cli
from llamaforensics.errors import UsageError
from llamaforensics.repair import (
    APPLIED,
    apply_corrections,
    export_manifest,
    prepare_corrections,
    write_manifest,
)
from llamaforensics.repair.manifest import SummaryGiven, import_manifest, read_corrections
from llamaforensics.repair.rehearse import rehearse
from llamaforensics.repair.verify import verify_summary
from llamaforensics.snapshot.format import connect
from llamaforensics.snapshot.take import take_snapshot
from llamaforensics.snapshot_diff import diff_snapshots

TITLE = 'Ein "Album" it\'s 🦙🎸 雨の日 — 비'
NEW_MBID = "4d5e6f70-0000-4000-8000-0000000000aa"
NEW_ARTIST = "a0000000-0000-4000-8000-0000000000ee"
TRACK_IDS = [f"e0000000-0000-4000-8000-00000000000{n}" for n in (1, 2, 3)]
TRACK_TITLES = ["One", HOSTILE, "三 🎹"]


def _albums(demo_data) -> dict[str, str]:
    """Three distinct albums the demo planted: trackless, missing its MusicBrainz id, artistless."""
    picked = {}
    for role, kind in (
        ("trackless", "trackless_album"),
        ("no_mbid", "missing_external_id"),
        ("artistless", "artistless_album"),
    ):
        rows = [r["entity_id"] for r in demo_data.ground_truth.to_pylist() if r["kind"] == kind]
        picked[role] = next(a for a in rows if a not in picked.values())
    return picked


FIX_SQL = [  # the fixes an admin made in dev; %(name)s are the albums and ids above
    "INSERT INTO tracks (id, album_id, title, track_number, updated_at) VALUES "
    "(%(t1)s, %(trackless)s, %(n1)s, 1, now()), (%(t2)s, %(trackless)s, %(n2)s, 2, now()), "
    "(%(t3)s, %(trackless)s, %(n3)s, 3, now())",
    "UPDATE albums SET track_count = 3, updated_at = now() WHERE id = %(trackless)s",
    "UPDATE albums SET musicbrainz_id = %(mbid)s, title = %(title)s, updated_at = now() WHERE id = %(no_mbid)s",
    "INSERT INTO artists (id, name, country_code, updated_at) VALUES (%(artist)s, %(title)s, 'JP', now())",
    "INSERT INTO album_artists (album_id, artist_id, role, position) VALUES "
    "(%(artistless)s, %(artist)s, 'primary', 0), "
    "(%(artistless)s, (SELECT artist_id FROM album_artists ORDER BY artist_id LIMIT 1), 'featured', 1)",
]


def _values(albums: dict) -> dict:
    return (
        albums
        | {"mbid": NEW_MBID, "title": TITLE, "artist": NEW_ARTIST}
        | {f"t{i}": TRACK_IDS[i - 1] for i in (1, 2, 3)}
        | {f"n{i}": TRACK_TITLES[i - 1] for i in (1, 2, 3)}
    )


def _catalog_rows(snapshot, album_ids) -> dict:
    """The catalog rows of the albums (their tracks, links and linked artists), bookkeeping times aside."""
    con = connect(snapshot, read_only=True)
    try:

        def rows(sql):
            cur = con.execute(sql, [sorted(album_ids)])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

        live = "_lf_deleted_at IS NULL"
        return {
            "albums": rows(
                f"SELECT * EXCLUDE (updated_at, _lf_deleted_at) FROM albums WHERE {live} "
                "AND list_contains(?, id::VARCHAR) ORDER BY id"
            ),
            "tracks": rows(
                f"SELECT * EXCLUDE (created_at, updated_at, _lf_deleted_at) FROM tracks WHERE {live} "
                "AND list_contains(?, album_id::VARCHAR) ORDER BY id"
            ),
            "links": rows(
                f"SELECT * EXCLUDE (_lf_deleted_at) FROM album_artists WHERE {live} "
                "AND list_contains(?, album_id::VARCHAR) ORDER BY album_id, artist_id, role"
            ),
            "artists": rows(
                f"SELECT * EXCLUDE (created_at, updated_at, _lf_deleted_at) FROM artists WHERE {live} "
                "AND id IN (SELECT artist_id FROM album_artists WHERE list_contains(?, album_id::VARCHAR)) "
                "ORDER BY id"
            ),
        }
    finally:
        con.close()


def test_a_dev_fix_exported_and_applied_makes_production_agree(
    databases, demo_template, demo_data, tmp_path
):
    prod, dev = (
        databases.new("prod", template=demo_template),
        databases.new("dev", template=demo_template),
    )
    albums = _albums(demo_data)
    with psycopg.connect(dev.conninfo) as conn:
        for sql in FIX_SQL:
            conn.execute(sql, _values(albums))
    dev_snap = take_snapshot(dev, tmp_path / "dev.duckdb", progress=False)

    manifest, summary = export_manifest(
        dev_snap, prod.conninfo
    )  # production read live, via a temporary snapshot
    assert [e["albumId"] for e in manifest["albums"]] == sorted(albums.values())
    assert manifest["notCarried"] == [] and manifest["prod"] == prod.display
    corrections = import_manifest(json.dumps(manifest))
    results = apply_corrections(prod, prepare_corrections(prod, corrections), dry_run=False)
    assert [r.status for r in results] == [APPLIED] * len(corrections), [r.message for r in results]
    # the summary is the checklist of the end state: production now holds every devValue
    summary_file = write_manifest(manifest, summary, tmp_path / "out")[1]
    assert [c.ok for c in verify_summary(prod, summary_file)] == [True] * 3
    assert cli.main(["repair", "verify", str(summary_file), "--dsn", prod.conninfo]) == 0
    assert {(e["albumId"], c["field"]) for e in summary for c in e["changes"]} >= {
        (albums["trackless"], "tracks"),
        (albums["artistless"], "artists"),
        (albums["no_mbid"], "musicbrainzId"),
    }

    prod_snap = take_snapshot(prod, tmp_path / "prod-after.duckdb", progress=False)
    assert _catalog_rows(prod_snap, albums.values()) == _catalog_rows(dev_snap, albums.values())
    diff = diff_snapshots(dev_snap, prod_snap)
    assert diff.fields_changed.filter(
        diff.fields_changed["album_id"].is_in(list(albums.values()))
    ).is_empty()
    assert (
        diff.tracks_changed.is_empty()
        and diff.albums_added.is_empty()
        and diff.albums_removed.is_empty()
    )
    assert export_manifest(dev_snap, prod_snap)[0]["albums"] == []  # nothing left to carry

    logs = query(
        prod,
        "SELECT category::text AS c, operation AS o, album_id::text AS album, track_id::text AS track, "
        "artist_id::text AS artist FROM llama_logs WHERE triggered_by = 'llamaforensics' "
        "AND NOT is_root_job ORDER BY 1, 2, 3, 4, 5",
    )
    corrected = sorted(r["album"] for r in logs if r["c"] == "CORRECTED")
    # one correction per album entry, whole: its fields, tracks and links under one CORRECTED row
    assert corrected == sorted([albums["trackless"], albums["no_mbid"], albums["artistless"]])
    tracks = [r["track"] for r in logs if r["o"] == "track:created:llamaforensics"]
    assert sorted(tracks) == sorted(TRACK_IDS)
    assert [r["artist"] for r in logs if r["o"] == "artist:created:llamaforensics"] == [NEW_ARTIST]
    links = [(r["c"], r["album"]) for r in logs if r["o"] == "album-artist:link:llamaforensics"]
    assert links == [("CREATED", albums["artistless"])] * 2  # what the app's logger infers


# --- without a server: the dev copy is a snapshot edited in place, production the demo snapshot


@pytest.fixture
def dev_snapshot(demo_snapshot, tmp_path) -> Path:
    """A copy of the demo snapshot to play the dev database, where albums get fixed."""
    return Path(shutil.copy(demo_snapshot, tmp_path / "dev.duckdb"))


def edit(snapshot: Path, *statements: str, **params) -> None:
    con = connect(snapshot)
    try:
        for sql in statements:
            con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})
    finally:
        con.close()


NEW_TRACK = (
    "INSERT INTO tracks (id, album_id, title, track_number, disc_number, explicit, source, data_quality, "
    "enrichment_status, created_at, updated_at) VALUES ($track, $album, $title, $n, 1, false, 'MUSICBRAINZ', "
    "'LOW', 'UNENRICHED', now(), now())"
)


def test_an_export_re_imports_to_identical_corrections_and_hostile_strings_survive(
    dev_snapshot, demo_snapshot, demo_data, tmp_path
):
    albums = _albums(demo_data)
    edit(
        dev_snapshot,
        "UPDATE albums SET title = $title, musicbrainz_id = $mbid WHERE id = $album",
        title=TITLE,
        mbid=NEW_MBID,
        album=albums["no_mbid"],
    )
    for track, title, n in zip(TRACK_IDS, TRACK_TITLES, (1, 2, 3), strict=True):
        edit(dev_snapshot, NEW_TRACK, track=track, album=albums["trackless"], title=title, n=n)
    edit(
        dev_snapshot,
        "UPDATE albums SET track_count = 3 WHERE id = $album",
        album=albums["trackless"],
    )

    manifest, summary = export_manifest(dev_snapshot, demo_snapshot)
    assert (manifest, summary) == export_manifest(dev_snapshot, demo_snapshot)  # deterministic
    paths = write_manifest(manifest, summary, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["manifest.json", "summary.json"]
    assert (
        json.loads(paths[0].read_text(encoding="utf-8")) == manifest
    )  # hostile strings survive the file

    from_file, from_text = read_corrections(paths[0]), import_manifest(json.dumps(manifest))
    assert _docs(from_file) == _docs(from_text)
    by_kind = {
        (c.album_id, part.kind): part for c in from_file for part in getattr(c, "parts", [c])
    }
    assert by_kind[albums["no_mbid"], "set_album_fields"].fields == {
        "title": TITLE,
        "musicbrainz_id": NEW_MBID,
        "data_quality": "LOW",
        "enrichment_status": "COMPLETED",
    }
    tracks = by_kind[albums["trackless"], "set_tracks"].tracks
    assert [(t["id"], t["title"]) for t in tracks] == list(
        zip(TRACK_IDS, TRACK_TITLES, strict=True)
    )

    # the summary is a checklist (read by repair verify), not corrections: no data to apply
    [checklist] = [e for e in summary if e["albumId"] == albums["no_mbid"]]
    changes = {c["field"]: (c["prodValue"], c["devValue"]) for c in checklist["changes"]}
    assert changes["musicbrainzId"] == (None, NEW_MBID)
    with pytest.raises(SummaryGiven, match="repair verify"):
        read_corrections(paths[1])

    rehearsal = rehearse(demo_snapshot, from_file, out=tmp_path / "prod-after.duckdb")
    assert {r.status for r in rehearsal.results} == {APPLIED}, [
        r.message for r in rehearsal.results
    ]
    assert export_manifest(dev_snapshot, rehearsal.path)[0]["albums"] == []


def _docs(corrections) -> list[dict]:
    return [{k: v for k, v in c.to_dict().items() if k != "id"} for c in corrections]


SOME_ALBUM = (
    "(SELECT a.id FROM albums a WHERE (SELECT count(*) FROM tracks t WHERE t.album_id = a.id) > 1 "
    "AND (SELECT count(*) FROM album_artists l WHERE l.album_id = a.id) = 1 ORDER BY a.id LIMIT 1)"
)


BONUS = TRACK_IDS[0]
BONUS_TRACK = [  # a new track with an audio feature and a track-artist link, and the album's track_count unchanged
    NEW_TRACK.replace("$track", f"'{BONUS}'")
    .replace("$album", SOME_ALBUM)
    .replace("$title", "'Bonus'")
    .replace("$n", "99"),
    f"UPDATE tracks SET energy = 0.5 WHERE id = '{BONUS}'",
    f"INSERT INTO track_artists (track_id, artist_id, role, position) SELECT '{BONUS}', artist_id, 'primary', 0 "
    f"FROM album_artists WHERE album_id = {SOME_ALBUM}",
]


@pytest.mark.parametrize(
    "statements, notes, exported",
    [
        # a removed or changed track is carried now: the album's whole track list (--replace-tracks)
        pytest.param(
            [
                f"UPDATE tracks SET _lf_deleted_at = now() WHERE id = (SELECT min(id) FROM tracks "
                f"WHERE album_id = {SOME_ALBUM})"
            ],
            ["dev's trackCount is 15 for its 14 tracks"],
            True,
            id="track-removed-in-dev",
        ),
        pytest.param(
            [
                f"UPDATE tracks SET title = 'Renamed' WHERE id = (SELECT min(id) FROM tracks "
                f"WHERE album_id = {SOME_ALBUM})"
            ],
            [],
            True,
            id="track-changed-in-dev",
        ),
        pytest.param(
            [f"UPDATE album_artists SET _lf_deleted_at = now() WHERE album_id = {SOME_ALBUM}"],
            ["is linked only in prod: the manifest cannot unlink it"],
            False,
            id="artist-unlinked-in-dev",
        ),
        pytest.param(
            [f"UPDATE album_artists SET position = 7 WHERE album_id = {SOME_ALBUM}"],
            ["in dev: the manifest cannot move a link"],
            False,
            id="link-moved-in-dev",
        ),
        # every album column is carried now (enrichmentStatus was not), and a new track's every column
        pytest.param(
            [f"UPDATE albums SET enrichment_status = 'FAILED' WHERE id = {SOME_ALBUM}"],
            [],
            True,
            id="any-album-column",
        ),
        pytest.param(
            BONUS_TRACK,
            [
                "its 1 track-artist link(s) are not carried",
                "adding tracks sets production's trackCount",
            ],
            True,
            id="new-track-uncarried-parts",
        ),
        pytest.param(
            [
                "INSERT INTO albums (id, title, created_at, updated_at) VALUES (gen_random_uuid(), 'Dev only', "
                "now(), now())"
            ],
            ["album only dev has: the manifest format cannot create albums"],
            False,
            id="album-only-in-dev",
        ),
    ],
)
def test_what_the_format_cannot_carry_is_listed_never_dropped(
    dev_snapshot, demo_snapshot, statements, notes, exported
):
    edit(dev_snapshot, *statements)
    manifest, summary = export_manifest(dev_snapshot, demo_snapshot)
    found = [n["note"] for n in manifest["notCarried"]]
    for expected in notes:
        assert any(expected in n for n in found), found
    assert len(found) == len(notes), found
    assert bool(manifest["albums"]) == exported and len(summary) == len(manifest["albums"])
    assert (
        bool(import_manifest(json.dumps(manifest))) == exported
    )  # the notes never break the import


@pytest.mark.parametrize(
    "statement, said",
    [
        pytest.param(
            f"UPDATE tracks SET title = 'Renamed' WHERE id = (SELECT min(id) FROM tracks "
            f"WHERE album_id = {SOME_ALBUM})",
            "0 track(s) dev does not and 1 with other values",
            id="changed",
        ),
        pytest.param(
            f"UPDATE tracks SET _lf_deleted_at = now() WHERE id = (SELECT min(id) FROM tracks "
            f"WHERE album_id = {SOME_ALBUM})",
            "1 track(s) dev does not and 0 with other values",
            id="removed",
        ),
    ],
)
def test_albums_whose_production_tracks_the_list_replaces_are_named(
    dev_snapshot, demo_snapshot, statement, said
):
    edit(dev_snapshot, statement)
    manifest, _ = export_manifest(dev_snapshot, demo_snapshot)
    [hint] = manifest["replaceTracks"]
    assert hint["albumId"] == manifest["albums"][0]["albumId"]
    assert said in hint["note"] and "--replace-tracks" in hint["note"]


def test_albums_asked_for_are_exported_alone_and_unknown_ones_are_refused(
    dev_snapshot, demo_snapshot, demo_data
):
    albums = _albums(demo_data)
    edit(
        dev_snapshot,
        "UPDATE albums SET musicbrainz_id = $mbid WHERE id = $album",
        mbid=NEW_MBID,
        album=albums["no_mbid"],
    )
    edit(
        dev_snapshot,
        "UPDATE albums SET label = 'Other' WHERE id = $album",
        album=albums["trackless"],
    )
    manifest, summary = export_manifest(
        dev_snapshot, demo_snapshot, album_ids=[albums["no_mbid"].upper()]
    )
    assert [e["albumId"] for e in manifest["albums"]] == [albums["no_mbid"]]
    assert summary == [
        {
            "albumId": albums["no_mbid"],
            "albumTitle": manifest["albums"][0]["albumTitle"],
            "firstArtistName": manifest["albums"][0]["firstArtistName"],
            "changes": [{"field": "musicbrainzId", "prodValue": None, "devValue": NEW_MBID}],
        }
    ]
    assert (
        export_manifest(dev_snapshot, demo_snapshot, album_ids=[albums["artistless"]])[0]["albums"]
        == []
    )
    missing = "90000000-0000-0000-0000-000000000009"
    with pytest.raises(
        UsageError, match=f"no album {missing} in dev .*; no album {missing} in prod"
    ):
        export_manifest(dev_snapshot, demo_snapshot, album_ids=[missing])
