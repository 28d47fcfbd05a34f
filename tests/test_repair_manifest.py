"""The upstream dev-to-prod manifest, imported as is: applied as logged corrections, or refused whole."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import psycopg
import pytest
from repair_seed import (
    ALBUM,
    ARTIST_A,
    HOSTILE,
    MBID,
    TRACK_1,
    TRACK_2,
    TRACKLESS,
    checksums,
    fresh_catalog,
    query,
    seed,
)

from llamaforensics.commands import repair as repair_command
from llamaforensics.repair import APPLIED, InvalidCorrection, apply_corrections, prepare_corrections
from llamaforensics.repair.manifest import SummaryGiven, import_manifest


@pytest.fixture
def db(databases, upstream_template):
    """The small seeded catalog (repair_seed.py), fresh for this test."""
    return fresh_catalog(databases, upstream_template)


NEW_ARTIST = "a0000000-0000-0000-0000-0000000000cc"
DEV_TRACK = "22000000-0000-0000-0000-000000000001"


def manifest_entry(**overrides) -> dict:
    return {
        "albumId": TRACKLESS,
        "albumTitle": "New Thing (Deluxe)",
        "firstArtistName": "Nobody",
        "updates": {"musicbrainzId": MBID, "releaseDate": "2024-03-01"},
        "tracks": [
            {
                "id": DEV_TRACK,
                "albumId": TRACKLESS,
                "title": HOSTILE,
                "trackNumber": 1,
                "discNumber": 1,
                "durationMs": 201000,
                "explicit": False,
                "energy": 0.4,
                "createdAt": "2024-03-02T00:00:00",
                "updatedAt": "2024-03-02T00:00:00",
            },
            {"title": "Second", "trackNumber": 2, "discNumber": 1},
        ],
        "artists": [
            {"id": NEW_ARTIST, "name": "Nobody", "musicbrainzId": None, "countryCode": "IS"}
        ],
        "albumArtistLinks": [
            {"artistId": NEW_ARTIST, "role": "primary", "position": 0},
            {"artistId": ARTIST_A, "role": "featured", "position": 1},
        ],
    } | overrides


def test_a_manifest_entry_becomes_one_logged_correction(db):
    [correction] = import_manifest(json.dumps([manifest_entry()]))
    assert correction.kind == "album_changes"
    # the entry's tracks are the album's track list (set_tracks), not tracks added to what it holds
    assert [p.kind for p in correction.parts] == [
        "set_album_fields",
        "set_tracks",
        "link_artist",
        "link_artist",
    ]
    results = apply_corrections(db, prepare_corrections(db, [correction]), dry_run=False)
    assert [r.status for r in results] == [APPLIED], [r.message for r in results]
    # one CORRECTED row for the whole entry; its tracks, artist, links and log rows in one transaction
    [corrected] = query(
        db,
        "SELECT xmin::text AS x, fields_enriched AS f FROM llama_logs "
        "WHERE category = 'CORRECTED' AND NOT is_root_job",
    )
    # in the app's order (metadata, external ids, tracks, artists); the recount that follows the
    # tracks is not a field of its own, as in the app
    assert corrected["f"] == ["releaseDate", "musicbrainzId", "tracks", "artists"]
    assert {
        r["x"]
        for r in query(
            db,
            "SELECT xmin::text AS x FROM llama_logs WHERE triggered_by = 'llamaforensics' "
            "AND NOT is_root_job UNION SELECT xmin::text FROM tracks WHERE album_id = %s "
            "UNION SELECT xmin::text FROM album_artists WHERE album_id = %s",
            [TRACKLESS, TRACKLESS],
        )
    } == {corrected["x"]}
    assert query(
        db,
        "SELECT count(*) AS n FROM albums WHERE id = %s AND updated_at = "
        "(SELECT created_at FROM llama_logs WHERE category = 'CORRECTED' AND NOT is_root_job)",
        [TRACKLESS],
    ) == [{"n": 1}]  # the album row stamped once, with the correction's time
    tracks = query(
        db,
        "SELECT id::text, title, duration_ms, energy, created_at::text AS c "
        "FROM tracks WHERE album_id = %s ORDER BY track_number",
        [TRACKLESS],
    )
    # dev ids kept, and every field of the row in its column (audio features, its creation time)
    assert tracks[0] == {
        "id": DEV_TRACK,
        "title": HOSTILE,
        "duration_ms": 201000,
        "energy": 0.4,
        "c": "2024-03-02 00:00:00",
    }
    assert [t["title"] for t in tracks] == [HOSTILE, "Second"]
    links = query(
        db,
        "SELECT artist_id::text AS a, role FROM album_artists WHERE album_id = %s ORDER BY position",
        [TRACKLESS],
    )
    assert links == [{"a": NEW_ARTIST, "role": "primary"}, {"a": ARTIST_A, "role": "featured"}]
    assert query(db, "SELECT name, country_code FROM artists WHERE id = %s", [NEW_ARTIST]) == [
        {"name": "Nobody", "country_code": "IS"}
    ]
    assert query(
        db, "SELECT musicbrainz_id::text AS m, track_count FROM albums WHERE id = %s", [TRACKLESS]
    ) == [{"m": MBID, "track_count": 2}]
    origins = query(
        db,
        "SELECT DISTINCT metadata->'llamaforensics'->>'origin' AS o FROM llama_logs "
        "WHERE category = 'CORRECTED' AND NOT is_root_job",
    )
    assert origins == [{"o": "manifest"}]


def test_a_summary_is_refused_as_data_to_apply_and_points_to_verify(db):
    """A summary lists the expected end state: no data to apply (it was read as corrections)."""
    summary = [
        {
            "albumId": ALBUM,
            "albumTitle": "Silent Rivers",
            "firstArtistName": "Björk",
            "changes": [{"field": "tracks", "prodValue": 0, "devValue": 3}],
        }
    ]
    with pytest.raises(
        SummaryGiven, match="carries no data to apply.*llamaforensics repair verify summary.json"
    ):
        import_manifest(json.dumps(summary), "summary.json")


@pytest.mark.parametrize(
    "text, problems",
    [
        pytest.param("[{", ["manifest is not JSON"], id="bad-json"),
        pytest.param(
            json.dumps({"albumId": TRACKLESS}), ["neither a list of album entries"], id="not-a-list"
        ),
        pytest.param(
            json.dumps([manifest_entry(updates={"releaseDate": 2024})]),
            ["$[0].updates.releaseDate: 2024 is not of type 'string', 'null'"],
            id="wrong-type",
        ),
        pytest.param(
            json.dumps([manifest_entry(albumId="42")]),
            ["$[0].albumId: '42' is not a UUID"],
            id="non-uuid",
        ),
        pytest.param(
            json.dumps([manifest_entry(tracks=[{"trackNumber": 1}])]),
            ["$[0].tracks[0]: 'title' is a required property"],
            id="track-without-title",
        ),
        pytest.param(
            json.dumps(
                [
                    manifest_entry(
                        tracks=[{"title": "a", "trackNumber": 1}, {"title": "b", "trackNumber": 1}]
                    )
                ]
            ),
            ["$[0].tracks[1]: disc 1 track 1 repeats tracks[0]"],
            id="duplicate-track-numbers",
        ),
        pytest.param(
            json.dumps([manifest_entry(mood="sad", updates={"colour": "red"})]),
            [
                "$[0].mood: unknown field of a manifest entry",
                "$[0].updates.colour: unknown field: albums has no such column",
            ],
            id="unknown-fields",
        ),
        pytest.param(
            json.dumps([manifest_entry(tracks=[{"title": "a", "trackNumber": 1, "bpm": 1}])]),
            ["$[0].tracks[0].bpm: unknown field: tracks has no such column"],
            id="unknown-track-field",
        ),
        pytest.param(
            json.dumps([manifest_entry(artists=[{"id": NEW_ARTIST, "name": "N", "mood": 1}])]),
            ["$[0].artists[0].mood: unknown field: artists has no such column"],
            id="unknown-artist-field",
        ),
        pytest.param(
            json.dumps([manifest_entry(albumArtistLinks=[{"artistId": NEW_ARTIST, "w": 2}])]),
            ["$[0].albumArtistLinks[0].w: unknown field of an album-artist link"],
            id="unknown-link-field",
        ),
        pytest.param(
            json.dumps([manifest_entry(updates={"updatedAt": "2024-01-01"})]),
            ["$[0].updates.updatedAt: albums.updated_at is set by the engine"],
            id="engine-column",
        ),
        pytest.param(
            json.dumps(
                [manifest_entry(artists=[{"id": NEW_ARTIST, "name": "N", "formedYear": "1"}])]
            ),
            ["$[0].artists[0].formedYear: '1' is not of type 'integer', 'null'"],
            id="artist-wrong-type",
        ),
        pytest.param(
            json.dumps(
                [manifest_entry(tracks=[{"title": "a", "trackNumber": 1, "albumId": ALBUM}])]
            ),
            [f"$[0].tracks[0].albumId: {ALBUM} is not the entry's album {TRACKLESS}"],
            id="track-of-another",
        ),
        pytest.param(
            json.dumps([manifest_entry(albumArtistLinks=[])]),
            ["$[0].artists[0]: no albumArtistLinks entry links this artist"],
            id="artist-never-linked",
        ),
        pytest.param(
            json.dumps([{"albumId": TRACKLESS, "updates": {}}]),
            ["$[0]: carries nothing to apply"],
            id="nothing-to-apply",
        ),
    ],
)
def test_a_malformed_manifest_is_refused_whole_and_nothing_is_written(db, text, problems):
    before = checksums(db)
    with pytest.raises(InvalidCorrection) as info:
        import_manifest(text)
    for problem in problems:
        assert problem in str(info.value), str(info.value)
    assert checksums(db) == before


def test_a_manifest_entry_is_applied_whole_or_not_at_all(db):
    """A link the database refuses (its artist does not exist) leaves the entry's fields and tracks unwritten."""
    entry = manifest_entry(
        artists=[],
        albumArtistLinks=[
            {"artistId": "00000000-0000-4000-8000-00000000dead", "role": "primary", "position": 0}
        ],
    )
    before = checksums(db)
    [result] = apply_corrections(
        db, prepare_corrections(db, import_manifest(json.dumps([entry]))), dry_run=False
    )
    assert result.status == "INVALID" and "00000000-0000-4000-8000-00000000dead" in result.message
    assert checksums(db) == before


def test_undoing_a_manifest_entry_undoes_all_of_it(db):
    from llamaforensics.repair import undo

    before = {t: rows for t, rows in checksums(db).items() if t != "llama_logs"}
    [correction] = import_manifest(json.dumps([manifest_entry()]))
    [applied] = apply_corrections(db, prepare_corrections(db, [correction]), dry_run=False)
    assert applied.status == APPLIED
    [undone] = undo(db, correction.id, dry_run=False)
    assert undone.status == APPLIED, undone.message
    after = {t: rows for t, rows in checksums(db).items() if t != "llama_logs"}
    assert {t: after[t] for t in after if t not in ("albums", "artists")} == {
        t: before[t] for t in before if t not in ("albums", "artists")
    }
    album = query(
        db,
        "SELECT musicbrainz_id, release_date, track_count FROM albums WHERE id = %s",
        [TRACKLESS],
    )
    assert album == [{"musicbrainz_id": None, "release_date": None, "track_count": 0}]


def test_the_parts_of_one_correction_see_each_other(db):
    """Two lots of tracks and a replaced track in one correction: planned one after the other, counted once."""
    from llamaforensics.repair import AddTracks, AlbumChanges, RemoveTracks

    [old] = query(
        db, "SELECT id::text FROM tracks WHERE album_id = %s ORDER BY track_number LIMIT 1", [ALBUM]
    )
    count = query(db, "SELECT count(*) AS n FROM tracks WHERE album_id = %s", [ALBUM])[0]["n"]
    position = query(
        db, "SELECT disc_number AS d, track_number AS t FROM tracks WHERE id = %s", [old["id"]]
    )[0]
    correction = AlbumChanges(
        album_id=ALBUM,
        parts=[
            RemoveTracks(album_id=ALBUM, track_ids=[old["id"]]),
            AddTracks(
                album_id=ALBUM,
                tracks=[
                    {
                        "title": "In its place",
                        "track_number": position["t"],
                        "disc_number": position["d"],
                    }
                ],
            ),
            AddTracks(
                album_id=ALBUM, tracks=[{"title": "Bonus", "track_number": 99, "disc_number": 9}]
            ),
        ],
    )
    [result] = apply_corrections(db, prepare_corrections(db, [correction]), dry_run=False)
    assert result.status == APPLIED, result.message
    assert query(db, "SELECT track_count AS n FROM albums WHERE id = %s", [ALBUM]) == [
        {"n": count + 1}
    ]
    assert query(db, "SELECT count(*) AS n FROM tracks WHERE album_id = %s", [ALBUM]) == [
        {"n": count + 1}
    ]


# --- from the command line, as the app's own dev-to-prod script was used


def cli(*argv) -> int:
    parser = argparse.ArgumentParser(prog="llamaforensics")
    commands = parser.add_subparsers(dest="command", required=True)
    repair_command.register(commands, argparse.HelpFormatter)
    args = parser.parse_args(["repair", *map(str, argv)])
    return args.run(args)


def write(tmp_path, name: str, document) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


ARTIST_ROW = {  # every column of artists but search_vector, as the app's camelCase names
    "id": NEW_ARTIST,
    "name": "Sigur Rós 🦙",
    "musicbrainzId": "f9b9a2c0-0000-4000-8000-0000000000ab",
    "spotifyId": "6UUrUCIZtQeOf8tC0WuzRy",
    "deezerId": "1234",
    "discogsId": "9876",
    "biography": 'Post-rock, it\'s "loud".',
    "formedYear": 1994,
    "countryCode": "IS",
    "area": "Reykjavík",
    "artistType": "Group",
    "imageUrl": "https://img.example/sr.jpg",
    "cloudflareImageId": "cf-sr-1",
    "genres": ["post-rock", "ambient"],
    "source": "MUSICBRAINZ",
    "sourceUrl": "https://musicbrainz.org/artist/x",
    "dataQuality": "HIGH",
    "enrichmentStatus": "COMPLETED",
    "lastEnriched": "2024-05-01T10:00:00.123",
    "submittedBy": None,
    "createdAt": "2024-04-30T09:00:00.000",
    "updatedAt": "2024-05-01T10:00:00.123",
}
THREE_TRACKS = [
    {
        "id": f"23000000-0000-4000-8000-00000000000{n}",
        "albumId": TRACKLESS,
        "title": title,
        "trackNumber": n,
        "discNumber": 1,
        "durationMs": 180000 + n,
        "explicit": n == 2,
        "isrc": f"ISX00000000{n}",
        "tempo": 120.5,
        "keySignature": 5,
        "dataQuality": "HIGH",
        "enrichmentStatus": "COMPLETED",
    }
    for n, title in ((1, "Svefn-g-englar"), (2, HOSTILE), (3, "三"))
]
HEAD = {
    "albumId": TRACKLESS,
    "albumTitle": "New Thing (Deluxe)",
    "firstArtistName": ARTIST_ROW["name"],
}
ONE_ALBUM = [
    HEAD
    | {
        "updates": {"musicbrainzId": MBID},
        "tracks": THREE_TRACKS,
        "artists": [ARTIST_ROW],
        "albumArtistLinks": [{"artistId": NEW_ARTIST, "role": "primary", "position": 0}],
    }
]
ONE_SUMMARY = [
    HEAD
    | {
        "changes": [
            {"field": "musicbrainzId", "prodValue": None, "devValue": MBID},
            {"field": "tracks", "prodValue": 0, "devValue": 3},
            {"field": "artists", "prodValue": 0, "devValue": 1},
        ]
    }
]


def test_a_one_album_manifest_lands_every_field_and_its_summary_verifies(db, tmp_path, capsys):
    manifest, summary = write(tmp_path, "m.json", ONE_ALBUM), write(tmp_path, "s.json", ONE_SUMMARY)
    assert cli("verify", summary, "--dsn", db.conninfo) == 1  # not applied yet
    assert cli("apply", manifest, "--dsn", db.conninfo, "--apply", "--json") == 0
    capsys.readouterr()
    [artist] = query(
        db, "SELECT to_jsonb(a) - 'search_vector' AS row FROM artists a WHERE id = %s", [NEW_ARTIST]
    )
    assert artist["row"] == {
        "id": NEW_ARTIST,
        "name": "Sigur Rós 🦙",
        "musicbrainz_id": "f9b9a2c0-0000-4000-8000-0000000000ab",
        "spotify_id": "6UUrUCIZtQeOf8tC0WuzRy",
        "deezer_id": "1234",
        "discogs_id": "9876",
        "biography": 'Post-rock, it\'s "loud".',
        "formed_year": 1994,
        "country_code": "IS",
        "area": "Reykjavík",
        "artist_type": "Group",
        "image_url": "https://img.example/sr.jpg",
        "cloudflare_image_id": "cf-sr-1",
        "genres": ["post-rock", "ambient"],
        "source": "MUSICBRAINZ",
        "source_url": "https://musicbrainz.org/artist/x",
        "data_quality": "HIGH",
        "enrichment_status": "COMPLETED",
        "last_enriched": "2024-05-01T10:00:00.123",
        "submitted_by": None,
        "created_at": "2024-04-30T09:00:00",
        "updated_at": "2024-05-01T10:00:00.123",
    }
    tracks = query(
        db,
        "SELECT id::text, title, explicit, isrc, tempo, key_signature AS k, "
        "data_quality::text AS q FROM tracks WHERE album_id = %s "
        "ORDER BY track_number",
        [TRACKLESS],
    )
    assert tracks == [
        {
            "id": t["id"],
            "title": t["title"],
            "explicit": t["explicit"],
            "isrc": t["isrc"],
            "tempo": 120.5,
            "k": 5,
            "q": "HIGH",
        }
        for t in THREE_TRACKS
    ]
    assert query(
        db,
        "SELECT artist_id::text AS a, role, position FROM album_artists WHERE album_id = %s",
        [TRACKLESS],
    ) == [{"a": NEW_ARTIST, "role": "primary", "position": 0}]
    assert cli("verify", summary, "--dsn", db.conninfo) == 0
    assert "summary: 1 of 1 album(s) hold what the summary expects" in capsys.readouterr().out


def test_updates_set_any_album_column_by_its_app_name(db, tmp_path, capsys):
    updates = {
        "enrichmentStatus": "COMPLETED",
        "dataQuality": "HIGH",
        "gameStatus": "APPROVED",
        "secondaryTypes": ["Live"],
        "lastEnriched": "2024-06-01T12:00:00.5",
        "durationMs": 3600,
        "metadata": {"syncSource": "manual", "note": "it's 🦙"},
        "cloudflareImageId": "cf-1",
        "source": "SPOTIFY",
        "releaseStatus": "Official",
    }
    path = write(tmp_path, "m.json", [entry(TRACKLESS, updates=updates)])
    assert cli("apply", path, "--dsn", db.conninfo, "--apply", "--json") == 0
    capsys.readouterr()
    [row] = query(
        db,
        "SELECT enrichment_status::text AS e, data_quality::text AS q, "
        "game_status::text AS g, secondary_types AS t, last_enriched::text AS l, "
        "duration_ms AS d, metadata AS m, cloudflare_image_id AS c, "
        "source::text AS s, release_status AS r FROM albums WHERE id = %s",
        [TRACKLESS],
    )
    assert row == {
        "e": "COMPLETED",
        "q": "HIGH",
        "g": "APPROVED",
        "t": ["Live"],
        "l": "2024-06-01 12:00:00.5",
        "d": 3600,
        "m": {"syncSource": "manual", "note": "it's 🦙"},
        "c": "cf-1",
        "s": "SPOTIFY",
        "r": "Official",
    }


def entry(album_id: str, **parts) -> dict:
    return {
        "albumId": album_id,
        "albumTitle": f"album {album_id[:2]}",
        "firstArtistName": None,
        **parts,
    }


MISSING = "90000000-0000-0000-0000-000000000009"
THREE_ALBUMS = [
    entry(ALBUM, updates={"label": "Fixed Label"}),
    entry(MISSING, updates={"label": "Nobody's"}),
    entry(TRACKLESS, tracks=[{"title": "Only", "trackNumber": 1}]),
]


def test_an_album_missing_from_the_target_is_skipped_and_the_rest_applies(db, tmp_path, capsys):
    path = write(tmp_path, "m.json", THREE_ALBUMS)
    assert cli("apply", path, "--dsn", db.conninfo, "--apply", "--json") == 1  # one was skipped
    results = json.loads(capsys.readouterr().out)
    assert [(r["album_id"], r["status"]) for r in results] == [
        (ALBUM, "APPLIED"),
        (MISSING, "SKIPPED"),
        (TRACKLESS, "APPLIED"),
    ]
    assert f"album {MISSING} is not in the target database" in results[1]["message"]
    assert "skipped, the rest of the batch goes on" in results[1]["message"]
    assert query(db, "SELECT label FROM albums WHERE id = %s", [ALBUM]) == [
        {"label": "Fixed Label"}
    ]
    assert query(db, "SELECT title FROM tracks WHERE album_id = %s", [TRACKLESS]) == [
        {"title": "Only"}
    ]
    # each album its own unit, with its own CORRECTED row, like the app
    assert query(
        db,
        "SELECT album_id::text AS a FROM llama_logs WHERE category = 'CORRECTED' "
        "AND NOT is_root_job ORDER BY created_at, album_id",
    ) == [{"a": ALBUM}, {"a": TRACKLESS}]


def test_atomic_writes_nothing_when_an_album_would_be_skipped(db, tmp_path, capsys):
    before = checksums(db)
    path = write(tmp_path, "m.json", THREE_ALBUMS)
    assert cli("apply", path, "--dsn", db.conninfo, "--apply", "--atomic", "--json") == 1
    results = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in results] == ["HELD_BACK", "SKIPPED", "HELD_BACK"]
    assert (
        "all or nothing (--atomic) and 1 of its corrections were skipped or refused"
        in results[0]["message"]
    )
    assert checksums(db) == before


def test_atomic_rolls_everything_back_when_a_refusal_shows_only_in_the_transaction(
    db, tmp_path, capsys
):
    """Each album alone may take the MBID (so each preview passes); together, the second cannot."""
    before = checksums(db)
    path = write(
        tmp_path,
        "m.json",
        [
            entry(ALBUM, updates={"musicbrainzId": MBID}),
            entry(TRACKLESS, updates={"musicbrainzId": MBID}),
        ],
    )
    assert cli("apply", path, "--dsn", db.conninfo, "--apply", "--atomic", "--json") == 1
    results = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in results] == ["HELD_BACK", "INVALID"]
    assert f"already belongs to album {ALBUM}" in results[1]["message"]
    assert checksums(db) == before


def test_atomic_applies_every_album_in_one_transaction(db, tmp_path, capsys):
    path = write(tmp_path, "m.json", [THREE_ALBUMS[0], THREE_ALBUMS[2]])
    assert cli("apply", path, "--dsn", db.conninfo, "--apply", "--atomic", "--json") == 0
    assert [r["status"] for r in json.loads(capsys.readouterr().out)] == ["APPLIED", "APPLIED"]
    written = query(
        db,
        "SELECT xmin::text AS x FROM albums WHERE id IN (%s, %s) UNION "
        "SELECT xmin::text FROM tracks WHERE album_id = %s UNION "
        "SELECT xmin::text FROM llama_logs WHERE triggered_by = 'llamaforensics'",
        [ALBUM, TRACKLESS, TRACKLESS],
    )
    assert len(written) == 1  # one transaction wrote both albums, the track and every log row


NEW_ONE, NEW_THREE = "23000000-0000-4000-8000-0000000000a1", "23000000-0000-4000-8000-0000000000a3"
OTHER_TRACKS = [
    entry(
        ALBUM,
        tracks=[  # the album holds One (1) and Two (2)
            {"id": NEW_ONE, "title": "Uno", "trackNumber": 1},  # another track where One is
            {
                "id": TRACK_2,
                "title": "Two",
                "trackNumber": 2,
                "durationMs": 1000,
            },  # Two, another duration
            {"id": NEW_THREE, "title": "Three", "trackNumber": 3},
        ],
    )
]  # a track the album lacks


def test_an_album_with_other_tracks_is_shown_track_by_track_and_not_written(db, tmp_path, capsys):
    before = checksums(db)
    path = write(tmp_path, "m.json", OTHER_TRACKS)
    assert cli("preview", path, "--dsn", db.conninfo) == 1
    out = capsys.readouterr().out
    assert "[TRACKS_DIFFER]" in out and "apply with --replace-tracks" in out
    assert f"~ 1-1 replaced: 'One' ({TRACK_1}) -> 'Uno' ({NEW_ONE})" in out
    assert "~ 1-2 changed: 'Two': durationMs differ" in out
    assert "+ 1-3 added: (none) -> 'Three'" in out
    assert cli("apply", path, "--dsn", db.conninfo, "--apply", "--json") == 1
    [result] = json.loads(capsys.readouterr().out)
    assert result["status"] == "TRACKS_DIFFER"
    assert result["tracks"] == [
        {
            "disc": 1,
            "track": 1,
            "status": "replaced",
            "current": {"id": TRACK_1, "title": "One"},
            "wanted": {"id": NEW_ONE, "title": "Uno"},
        },
        {
            "disc": 1,
            "track": 2,
            "status": "changed",
            "current": {"id": TRACK_2, "title": "Two"},
            "wanted": {"id": TRACK_2, "title": "Two"},
            "fields": ["durationMs"],
        },
        {
            "disc": 1,
            "track": 3,
            "status": "added",
            "current": None,
            "wanted": {"id": NEW_THREE, "title": "Three"},
        },
    ]
    assert checksums(db) == before


def test_a_list_that_only_completes_the_albums_tracks_applies_and_shows_them(db, tmp_path, capsys):
    """The album holds One and Two as the list has them: adding Three replaces nothing."""
    path = write(
        tmp_path,
        "m.json",
        [
            entry(
                ALBUM,
                tracks=[
                    {"id": TRACK_1, "title": "One", "trackNumber": 1},
                    {"id": TRACK_2, "title": "Two", "trackNumber": 2},
                    {"id": NEW_THREE, "title": "Three", "trackNumber": 3},
                ],
            )
        ],
    )
    assert cli("apply", path, "--dsn", db.conninfo, "--apply") == 0
    out = capsys.readouterr().out
    assert "= 1-1 same: 'One'" in out and "= 1-2 same: 'Two'" in out
    assert "+ 1-3 added: (none) -> 'Three'" in out and "[APPLIED]" in out
    assert query(
        db, "SELECT title FROM tracks WHERE album_id = %s ORDER BY track_number", [ALBUM]
    ) == [{"title": "One"}, {"title": "Two"}, {"title": "Three"}]


def test_replace_tracks_gives_the_album_the_manifests_tracks_undoably(db, tmp_path, capsys):
    path = write(tmp_path, "m.json", OTHER_TRACKS)
    before = checksums(db, ignore=("updated_at",))
    assert cli("apply", path, "--dsn", db.conninfo, "--apply", "--replace-tracks", "--json") == 0
    [result] = json.loads(capsys.readouterr().out)
    assert result["status"] == "APPLIED"
    assert [t["id"] for t in result["diff"]["tracks_removed"]] == [TRACK_1]
    assert query(
        db,
        "SELECT id::text, title, duration_ms AS d FROM tracks WHERE album_id = %s "
        "ORDER BY track_number",
        [ALBUM],
    ) == [
        {"id": NEW_ONE, "title": "Uno", "d": None},
        {"id": TRACK_2, "title": "Two", "d": 1000},
        {"id": NEW_THREE, "title": "Three", "d": None},
    ]
    assert query(db, "SELECT track_count AS n FROM albums WHERE id = %s", [ALBUM]) == [{"n": 3}]
    assert query(db, "SELECT count(*) AS n FROM track_artists WHERE track_id = %s", [TRACK_1]) == [
        {"n": 0}
    ]
    [session] = query(
        db, "SELECT job_id FROM llama_logs WHERE is_root_job AND triggered_by = 'llamaforensics'"
    )
    assert cli("undo", session["job_id"], "--dsn", db.conninfo, "--apply") == 0
    after = checksums(db, ignore=("updated_at",))
    kept = ("tracks", "track_artists", "album_artists")
    assert {t: after[t] for t in kept} == {t: before[t] for t in kept}  # One, its credit are back


def test_replacing_tracks_other_tables_point_at_is_refused_naming_them(
    databases, upstream_template, tmp_path, capsys
):
    """A table the tool knows nothing of (a newer app's playlists) is found in pg_catalog."""
    db = databases.new("playlists", template=upstream_template)
    seed(db)
    with psycopg.connect(db.conninfo) as conn:
        conn.execute(
            "CREATE TABLE playlist_entries (id serial PRIMARY KEY, "
            "track_id uuid NOT NULL REFERENCES tracks(id) ON DELETE CASCADE)"
        )
        conn.execute(
            "INSERT INTO playlist_entries (track_id) VALUES (%s), (%s)", [TRACK_1, TRACK_1]
        )
    before = checksums(db)
    path = write(tmp_path, "m.json", OTHER_TRACKS)
    assert cli("apply", path, "--dsn", db.conninfo, "--apply", "--replace-tracks", "--json") == 1
    [result] = json.loads(capsys.readouterr().out)
    assert result["status"] == "INVALID"
    assert f"tracks {TRACK_1} is referenced by playlist_entries (2 rows)" in result["message"]
    assert checksums(db) == before  # never cascaded away
