"""The upstream dev-to-prod manifest, imported as is: applied as logged corrections, or refused whole."""

from __future__ import annotations

import json

import pytest

from llamaforensics.repair import APPLIED, InvalidCorrection, apply_corrections, prepare_corrections
from llamaforensics.repair.manifest import import_manifest
from repair_seed import ALBUM, ARTIST_A, HOSTILE, MBID, TRACKLESS, checksums, fresh_catalog, query


@pytest.fixture
def db(databases, upstream_template):
    """The small seeded catalog (repair_seed.py), fresh for this test."""
    return fresh_catalog(databases, upstream_template)


NEW_ARTIST = "a0000000-0000-0000-0000-0000000000cc"
DEV_TRACK = "22000000-0000-0000-0000-000000000001"


def manifest_entry(**overrides) -> dict:
    return {
        "albumId": TRACKLESS, "albumTitle": "New Thing (Deluxe)", "firstArtistName": "Nobody",
        "updates": {"musicbrainzId": MBID, "releaseDate": "2024-03-01"},
        "tracks": [{"id": DEV_TRACK, "albumId": TRACKLESS, "title": HOSTILE, "trackNumber": 1, "discNumber": 1,
                    "durationMs": 201000, "explicit": False, "energy": 0.4, "createdAt": "2024-03-02T00:00:00",
                    "updatedAt": "2024-03-02T00:00:00"},
                   {"title": "Second", "trackNumber": 2, "discNumber": 1}],
        "artists": [{"id": NEW_ARTIST, "name": "Nobody", "musicbrainzId": None, "countryCode": "IS"}],
        "albumArtistLinks": [{"artistId": NEW_ARTIST, "role": "primary", "position": 0},
                             {"artistId": ARTIST_A, "role": "featured", "position": 1}],
    } | overrides


def test_a_manifest_entry_becomes_one_logged_correction(db):
    [correction] = import_manifest(json.dumps([manifest_entry()]), dsn=db)
    assert correction.kind == "album_changes"
    assert [p.kind for p in correction.parts] == ["set_album_fields", "add_tracks", "link_artist", "link_artist"]
    results = apply_corrections(db, prepare_corrections(db, [correction]), dry_run=False)
    assert [r.status for r in results] == [APPLIED], [r.message for r in results]
    # one CORRECTED row for the whole entry; its tracks, artist, links and log rows in one transaction
    [corrected] = query(db, "SELECT xmin::text AS x, fields_enriched AS f FROM llama_logs "
                            "WHERE category = 'CORRECTED' AND NOT is_root_job")
    # in the app's order (metadata, external ids, tracks, artists); the recount that follows the
    # tracks is not a field of its own, as in the app
    assert corrected["f"] == ["releaseDate", "musicbrainzId", "tracks", "artists"]
    assert {r["x"] for r in query(db, "SELECT xmin::text AS x FROM llama_logs WHERE triggered_by = 'llamaforensics' "
                                      "AND NOT is_root_job UNION SELECT xmin::text FROM tracks WHERE album_id = %s "
                                      "UNION SELECT xmin::text FROM album_artists WHERE album_id = %s",
                                  [TRACKLESS, TRACKLESS])} == {corrected["x"]}
    assert query(db, "SELECT count(*) AS n FROM albums WHERE id = %s AND updated_at = "
                     "(SELECT created_at FROM llama_logs WHERE category = 'CORRECTED' AND NOT is_root_job)",
                 [TRACKLESS]) == [{"n": 1}]  # the album row stamped once, with the correction's time
    tracks = query(db, "SELECT id::text, title, duration_ms FROM tracks WHERE album_id = %s ORDER BY track_number",
                   [TRACKLESS])
    assert tracks[0] == {"id": DEV_TRACK, "title": HOSTILE, "duration_ms": 201000}  # dev ids kept
    assert [t["title"] for t in tracks] == [HOSTILE, "Second"]
    links = query(db, "SELECT artist_id::text AS a, role FROM album_artists WHERE album_id = %s ORDER BY position",
                  [TRACKLESS])
    assert links == [{"a": NEW_ARTIST, "role": "primary"}, {"a": ARTIST_A, "role": "featured"}]
    assert query(db, "SELECT name, country_code FROM artists WHERE id = %s", [NEW_ARTIST]) == [
        {"name": "Nobody", "country_code": "IS"}]
    assert query(db, "SELECT musicbrainz_id::text AS m, track_count FROM albums WHERE id = %s", [TRACKLESS]) == [
        {"m": MBID, "track_count": 2}]
    origins = query(db, "SELECT DISTINCT metadata->'llamaforensics'->>'origin' AS o FROM llama_logs "
                        "WHERE category = 'CORRECTED' AND NOT is_root_job")
    assert origins == [{"o": "manifest"}]


def test_a_summary_carries_the_production_values_it_expects(db):
    summary = [{"albumId": ALBUM, "albumTitle": "Silent Rivers", "firstArtistName": "Björk",
                "changes": [{"field": "title", "prodValue": "Not what production has", "devValue": "Fixed"}]}]
    [correction] = import_manifest(json.dumps(summary))
    assert correction.expected == {"title": "Not what production has"}
    [result] = apply_corrections(db, prepare_corrections(db, [correction]), dry_run=False)
    assert result.status == "STALE" and result.current == {"title": "Silent Rivers"}


@pytest.mark.parametrize("text, problems", [
    pytest.param("[{", ["manifest is not JSON"], id="bad-json"),
    pytest.param(json.dumps({"albumId": TRACKLESS}), ["neither a list of album entries"], id="not-a-list"),
    pytest.param(json.dumps([manifest_entry(updates={"releaseDate": 2024})]),
                 ["$[0].updates.releaseDate: 2024 is not of type 'string', 'null'"], id="wrong-type"),
    pytest.param(json.dumps([manifest_entry(albumId="42")]), ["$[0].albumId: '42' is not a UUID"], id="non-uuid"),
    pytest.param(json.dumps([manifest_entry(tracks=[{"trackNumber": 1}])]),
                 ["$[0].tracks[0]: 'title' is a required property"], id="track-without-title"),
    pytest.param(json.dumps([manifest_entry(tracks=[{"title": "a", "trackNumber": 1}, {"title": "b", "trackNumber": 1}])]),
                 ["$[0].tracks[1]: disc 1 track 1 repeats tracks[0]"], id="duplicate-track-numbers"),
    pytest.param(json.dumps([manifest_entry(mood="sad", updates={"colour": "red"})]),
                 ["$[0].mood: unknown field of a manifest entry", "$[0].updates.colour: unknown or unsupported field"],
                 id="unknown-fields"),
    pytest.param(json.dumps([manifest_entry(), manifest_entry(albumId="90000000-0000-0000-0000-000000000009")]),
                 ["$[1].albumId: no album 90000000-0000-0000-0000-000000000009 in"], id="unknown-album"),
])

def test_a_malformed_manifest_is_refused_whole_and_nothing_is_written(db, text, problems):
    before = checksums(db)
    with pytest.raises(InvalidCorrection) as info:
        import_manifest(text, dsn=db)
    for problem in problems:
        assert problem in str(info.value), str(info.value)
    assert checksums(db) == before


def test_a_manifest_entry_is_applied_whole_or_not_at_all(db):
    """A link the database refuses (its artist does not exist) leaves the entry's fields and tracks unwritten."""
    entry = manifest_entry(artists=[], albumArtistLinks=[{"artistId": "00000000-0000-4000-8000-00000000dead",
                                                          "role": "primary", "position": 0}])
    before = checksums(db)
    [result] = apply_corrections(db, prepare_corrections(db, import_manifest(json.dumps([entry]))), dry_run=False)
    assert result.status == "INVALID" and "00000000-0000-4000-8000-00000000dead" in result.message
    assert checksums(db) == before


def test_undoing_a_manifest_entry_undoes_all_of_it(db):
    from llamaforensics.repair import undo

    before = {t: rows for t, rows in checksums(db).items() if t != "llama_logs"}
    [correction] = import_manifest(json.dumps([manifest_entry()]), dsn=db)
    [applied] = apply_corrections(db, prepare_corrections(db, [correction]), dry_run=False)
    assert applied.status == APPLIED
    [undone] = undo(db, correction.id, dry_run=False)
    assert undone.status == APPLIED, undone.message
    after = {t: rows for t, rows in checksums(db).items() if t != "llama_logs"}
    assert {t: after[t] for t in after if t not in ("albums", "artists")} == \
           {t: before[t] for t in before if t not in ("albums", "artists")}
    album = query(db, "SELECT musicbrainz_id, release_date, track_count FROM albums WHERE id = %s", [TRACKLESS])
    assert album == [{"musicbrainz_id": None, "release_date": None, "track_count": 0}]


def test_the_parts_of_one_correction_see_each_other(db):
    """Two lots of tracks and a replaced track in one correction: planned one after the other, counted once."""
    from llamaforensics.repair import AddTracks, AlbumChanges, RemoveTracks

    [old] = query(db, "SELECT id::text FROM tracks WHERE album_id = %s ORDER BY track_number LIMIT 1", [ALBUM])
    count = query(db, "SELECT count(*) AS n FROM tracks WHERE album_id = %s", [ALBUM])[0]["n"]
    position = query(db, "SELECT disc_number AS d, track_number AS t FROM tracks WHERE id = %s", [old["id"]])[0]
    correction = AlbumChanges(album_id=ALBUM, parts=[
        RemoveTracks(album_id=ALBUM, track_ids=[old["id"]]),
        AddTracks(album_id=ALBUM, tracks=[{"title": "In its place", "track_number": position["t"],
                                           "disc_number": position["d"]}]),
        AddTracks(album_id=ALBUM, tracks=[{"title": "Bonus", "track_number": 99, "disc_number": 9}])])
    [result] = apply_corrections(db, prepare_corrections(db, [correction]), dry_run=False)
    assert result.status == APPLIED, result.message
    assert query(db, "SELECT track_count AS n FROM albums WHERE id = %s", [ALBUM]) == [{"n": count + 1}]
    assert query(db, "SELECT count(*) AS n FROM tracks WHERE album_id = %s", [ALBUM]) == [{"n": count + 1}]
