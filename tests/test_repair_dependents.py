"""No write of the tool deletes, cascades into or nulls a row it did not write (keys read live)."""

from __future__ import annotations

import json

import psycopg
import pytest
from repair_seed import (
    ALBUM,
    ARTIST_A,
    CATALOG_TABLES,
    DUP_TRACK,
    DUPLICATE,
    TRACK_1,
    TRACKLESS,
    USER,
    checksums,
    fresh_catalog,
    query,
)

from llamaforensics.repair import (
    APPLIED,
    INVALID,
    STALE,
    AddTracks,
    LinkArtist,
    MergeAlbums,
    RemoveTracks,
    UnlinkArtist,
    apply_corrections,
    prepare_corrections,
    undo,
)

NEW_ARTIST = "a1000000-0000-4000-8000-000000000001"
OTHER_ARTIST = "b0000000-0000-0000-0000-00000000000b"
SIMILAR_MBID = "5e000000-0000-4000-8000-000000000001"
ARTIST_TABLES = ("user_favorite_artists", "artist_similarities")
IGNORING_STAMPS = dict(
    tables=CATALOG_TABLES, ignore=("updated_at", "data_quality", "enrichment_status")
)


@pytest.fixture
def db(databases, upstream_template):
    return fresh_catalog(databases, upstream_template)


def attempt(dsn, *corrections):
    return apply_corrections(dsn, prepare_corrections(dsn, list(corrections)), dry_run=False)


def applied(dsn, *corrections):
    results = attempt(dsn, *corrections)
    assert [r.status for r in results] == [APPLIED] * len(results), [r.message for r in results]
    return results


def execute(dsn, sql: str, params=()) -> None:
    with psycopg.connect(dsn.conninfo) as conn:
        conn.execute(sql, params)


def count(dsn, sql: str, params=()) -> int:
    return query(dsn, f"SELECT count(*) AS n FROM {sql}", params)[0]["n"]


def logged_metadata(dsn, correction_id: str) -> dict:
    [row] = query(
        dsn,
        "SELECT metadata FROM llama_logs WHERE operation = 'admin_correction' "
        "AND metadata->'llamaforensics'->>'correctionId' = %s",
        [correction_id],
    )
    return row["metadata"]


def new_artist():
    return LinkArtist(album_id=TRACKLESS, new_artist={"id": NEW_ARTIST, "name": "Sigur Rós"})


def favourite_and_relate(dsn, artist_id: str) -> None:
    """A user favourites the artist; similarities name it as seed (CASCADE), similar (SET NULL)."""
    execute(
        dsn,
        'INSERT INTO user_favorite_artists (id, "userId", "artistId", position) '
        "VALUES (%s, %s, %s, 1)",
        ["fav1", USER, artist_id],
    )
    execute(
        dsn,
        "INSERT INTO artist_similarities (seed_artist_id, similar_artist_id, "
        "similar_mbid, similar_name, similarity, source) "
        "VALUES (%s, %s, %s, 'x', 0.9, 'lastfm'), "
        "(%s, %s, %s, 'y', 0.5, 'lastfm')",
        [artist_id, OTHER_ARTIST, SIMILAR_MBID, OTHER_ARTIST, artist_id, SIMILAR_MBID],
    )


def test_undo_keeps_a_created_artist_a_user_favourited_and_undoes_the_rest(db):
    [result] = applied(db, new_artist())
    favourite_and_relate(db, NEW_ARTIST)
    others = checksums(db, tables=ARTIST_TABLES)

    [undone] = undo(db, result.correction.id, dry_run=False)

    assert undone.status == APPLIED, undone.message
    assert undone.kept == [
        {
            "table": "artists",
            "key": {"id": NEW_ARTIST},
            "referencedBy": {"artist_similarities": 2, "user_favorite_artists": 1},
        }
    ]
    assert (
        f"kept (still referenced, so not deleted): artists {NEW_ARTIST} is referenced by "
        "artist_similarities (2 rows), user_favorite_artists (1 row)"
    ) in undone.message
    assert query(db, "SELECT name FROM artists WHERE id = %s", [NEW_ARTIST]) == [
        {"name": "Sigur Rós"}
    ]
    assert checksums(db, tables=ARTIST_TABLES) == others
    assert count(db, "album_artists WHERE album_id = %s", [TRACKLESS]) == 0
    # recorded with the undo
    assert logged_metadata(db, undone.correction.id)["llamaforensics"]["kept"] == undone.kept


def test_undo_without_references_still_deletes_what_it_created(db):
    [result] = applied(db, new_artist())
    [undone] = undo(db, result.correction.id, dry_run=False)
    assert (undone.status, undone.kept) == (APPLIED, [])
    assert count(db, "artists WHERE id = %s", [NEW_ARTIST]) == 0


def test_undo_from_the_command_line_says_what_it_kept_and_why(db, capsys):
    from llamaforensics.cli import main

    [result] = applied(db, new_artist())
    favourite_and_relate(db, NEW_ARTIST)
    command = ["repair", "undo", result.correction.id, "--dsn", db.conninfo]
    assert main([*command, "--apply", "--json"]) == 0
    [out] = json.loads(capsys.readouterr().out)
    assert out["kept"][0]["referencedBy"] == {"artist_similarities": 2, "user_favorite_artists": 1}
    assert main(command) == 0  # already undone: a no-op
    assert "ALREADY_APPLIED" in capsys.readouterr().out


@pytest.fixture
def plays(db):
    """A table of a newer app version, unknown to the tool: rows pointing at tracks (CASCADE)."""
    execute(
        db,
        "CREATE TABLE track_plays (id text PRIMARY KEY, "
        "track_id uuid NOT NULL REFERENCES tracks(id) ON DELETE CASCADE)",
    )
    yield db
    execute(db, "DROP TABLE track_plays")


def test_removing_a_track_another_table_points_at_is_refused_naming_it(plays):
    execute(plays, "INSERT INTO track_plays VALUES ('p1', %s), ('p2', %s)", [TRACK_1, TRACK_1])
    before = checksums(plays)
    [result] = attempt(plays, RemoveTracks(album_id=ALBUM, track_ids=[TRACK_1]))
    assert result.status == INVALID
    assert f"tracks {TRACK_1} is referenced by track_plays (2 rows)" in result.message
    assert checksums(plays) == before


def test_undo_of_added_tracks_keeps_the_one_a_new_table_points_at(plays):
    [result] = applied(
        plays,
        AddTracks(
            album_id=TRACKLESS,
            tracks=[{"title": "A", "track_number": 1}, {"title": "B", "track_number": 2}],
        ),
    )
    kept_id = result.correction.tracks[1]["id"]
    execute(plays, "INSERT INTO track_plays VALUES ('p1', %s)", [kept_id])
    [undone] = undo(plays, result.correction.id, dry_run=False)
    assert undone.status == APPLIED, undone.message
    assert [k["key"] for k in undone.kept] == [{"id": kept_id}]
    assert query(plays, "SELECT id::text FROM tracks WHERE album_id = %s", [TRACKLESS]) == [
        {"id": kept_id}
    ]
    assert count(plays, "track_plays") == 1
    # the count it restores includes the track it kept: no track_count_mismatch made by the undo
    assert query(plays, "SELECT track_count FROM albums WHERE id = %s", [TRACKLESS]) == [
        {"track_count": 1}
    ]


def test_merge_refuses_a_collection_row_it_cannot_re_point_and_deletes_nothing(db):
    # the same collection holds both albums: re-pointing would repeat ("collectionId", album_id)
    execute(
        db,
        'INSERT INTO "CollectionAlbum" (id, "collectionId", album_id) VALUES (%s, %s, %s)',
        ["ca4", "c1", DUPLICATE],
    )
    before = checksums(db)
    [result] = attempt(db, MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM))
    assert result.status == INVALID
    assert "CollectionAlbum.album_id (1 row)" in result.message
    assert "never deletes" in result.message
    assert checksums(db) == before


def test_merge_re_points_rows_of_tables_the_tool_does_not_model(db):
    execute(
        db,
        "INSERT INTO uncover_challenges (album_id, date, updated_at) "
        "VALUES (%s, '2024-02-02', now())",
        [DUPLICATE],
    )
    applied(db, MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM))
    assert query(db, "SELECT album_id::text AS a FROM uncover_challenges") == [{"a": ALBUM}]
    assert count(db, '"CollectionAlbum" WHERE album_id = %s', [ALBUM]) == 3


def test_merge_is_stale_when_a_track_was_added_to_the_duplicate_after_planning(db):
    [prepared] = prepare_corrections(db, [MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM)])
    execute(
        db,
        "INSERT INTO tracks (id, album_id, title, track_number, updated_at) VALUES "
        "('33000000-0000-0000-0000-000000000002', %s, 'Late', 2, '2024-01-03')",
        [DUPLICATE],
    )
    before = checksums(db)
    [result] = apply_corrections(db, [prepared], dry_run=False)
    assert result.status == STALE, result.message
    assert "duplicate_tracks" in result.current
    assert checksums(db) == before


def test_merge_carries_the_duplicates_external_ids_and_undo_gives_them_back(db):
    execute(
        db,
        "UPDATE albums SET spotify_id = 'sp-dup', deezer_id = 'dz-dup', discogs_id = '42' "
        "WHERE id = %s",
        [DUPLICATE],
    )
    before = checksums(db, **IGNORING_STAMPS)
    [result] = applied(db, MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM))
    assert query(
        db, "SELECT spotify_id, deezer_id, discogs_id FROM albums WHERE id = %s", [ALBUM]
    ) == [{"spotify_id": "sp-dup", "deezer_id": "dz-dup", "discogs_id": "42"}]
    assert logged_metadata(db, result.correction.id)["externalIds"] == [
        {"field": "spotifyId", "before": None, "after": "sp-dup"},
        {"field": "deezerId", "before": None, "after": "dz-dup"},
        {"field": "discogsId", "before": None, "after": "42"},
    ]
    [undone] = undo(db, result.correction.id, dry_run=False)
    assert undone.status == APPLIED, undone.message
    assert checksums(db, **IGNORING_STAMPS) == before
    assert query(db, "SELECT spotify_id FROM albums WHERE id = %s", [DUPLICATE]) == [
        {"spotify_id": "sp-dup"}
    ]


def test_merge_refuses_albums_holding_different_ids_naming_them(db):
    execute(
        db,
        "UPDATE albums SET spotify_id = 'sp-' || left(id::text, 2) WHERE id IN (%s, %s)",
        [ALBUM, DUPLICATE],
    )
    before = checksums(db)
    [result] = attempt(db, MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM))
    assert result.status == INVALID
    assert "spotify_id: duplicate sp-30, survivor sp-10" in result.message
    assert checksums(db) == before


def test_merge_never_cascades_into_a_duplicate_track_others_point_at(plays):
    execute(plays, "INSERT INTO track_plays VALUES ('p1', %s)", [DUP_TRACK])
    before = checksums(plays)
    [result] = attempt(plays, MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM))
    assert result.status == INVALID
    assert f"tracks {DUP_TRACK} is referenced by track_plays (1 row)" in result.message
    assert checksums(plays) == before


def test_unlinking_never_touches_the_artist_or_its_favourites(db):
    favourite_and_relate(db, ARTIST_A)
    before = checksums(db, tables=("artists", *ARTIST_TABLES))
    applied(db, UnlinkArtist(album_id=ALBUM, artist_id=ARTIST_A))
    assert checksums(db, tables=("artists", *ARTIST_TABLES)) == before


def test_a_manifest_undone_after_a_favourite_keeps_the_artist_and_applies_again(db):
    """The issue's acceptance: apply a manifest, favourite its new artist, undo, apply again."""
    from test_repair_manifest import DEV_TRACK, manifest_entry
    from test_repair_manifest import NEW_ARTIST as MANIFEST_ARTIST

    from llamaforensics.repair import RepairSession
    from llamaforensics.repair.manifest import import_manifest

    text = json.dumps([manifest_entry()])
    session = RepairSession()
    [result] = apply_corrections(
        db, prepare_corrections(db, import_manifest(text)), dry_run=False, session=session
    )
    assert result.status == APPLIED, result.message
    favourite_and_relate(db, MANIFEST_ARTIST)

    [undone] = undo(db, session.job_id, dry_run=False)
    assert undone.status == APPLIED, undone.message
    assert f"artists {MANIFEST_ARTIST} is referenced by" in undone.message
    assert count(db, "tracks WHERE album_id = %s", [TRACKLESS]) == 0
    assert query(db, 'SELECT "artistId"::text AS a FROM user_favorite_artists') == [
        {"a": MANIFEST_ARTIST}
    ]

    [again] = attempt(db, *import_manifest(text))
    assert again.status == APPLIED, again.message
    tracks = query(
        db, "SELECT id::text FROM tracks WHERE album_id = %s ORDER BY track_number", [TRACKLESS]
    )
    assert [t["id"] for t in tracks][:1] == [DEV_TRACK] and len(tracks) == 2
