"""Applying corrections to a real PostgreSQL: each kind logged in the app's shape, STALE, rollback, re-apply, undo."""

from __future__ import annotations

import psycopg
import pytest
from repair_seed import (
    ALBUM,
    ARTIST_A,
    ARTIST_B,
    CATALOG_TABLES,
    DUP_TRACK,
    DUPLICATE,
    HOSTILE,
    MBID,
    TRACK_1,
    TRACK_2,
    TRACKLESS,
    USER,
    checksums,
    fresh_catalog,
    query,
)

from llamaforensics.repair import (
    ALREADY_APPLIED,
    APPLIED,
    DRY_RUN,
    INVALID,
    STALE,
    AddTracks,
    LinkArtist,
    MergeAlbums,
    ModifyTracks,
    RemoveTracks,
    RepairSession,
    SetAlbumFields,
    UnknownUser,
    UnlinkArtist,
    apply_corrections,
    prepare_corrections,
    undo,
)
from llamaforensics.repair.logbook import app_category


@pytest.fixture
def db(databases, upstream_template):
    """The small seeded catalog (repair_seed.py), fresh for this test."""
    return fresh_catalog(databases, upstream_template)


def applied(dsn, *corrections, **kwargs):
    results = apply_corrections(
        dsn, prepare_corrections(dsn, list(corrections)), dry_run=False, **kwargs
    )
    assert [r.status for r in results] == [APPLIED] * len(results), [r.message for r in results]
    return results


KINDS = [
    pytest.param(
        lambda: SetAlbumFields(
            album_id=ALBUM,
            fields={
                "title": "Silent Rivers (Remastered)",
                "musicbrainz_id": MBID,
                "cover_art_url": "x.jpg",
            },
        ),
        {"CORRECTED": 1},
        id="set_album_fields",
    ),
    pytest.param(
        lambda: AddTracks(
            album_id=TRACKLESS,
            tracks=[
                {"title": "A", "track_number": 1},
                {"title": "B", "track_number": 2, "disc_number": 1},
            ],
        ),
        {"CORRECTED": 1, "CREATED": 2},
        id="add_tracks",
    ),
    pytest.param(
        lambda: RemoveTracks(album_id=ALBUM, track_ids=[TRACK_2]),
        {"CORRECTED": 1},
        id="remove_tracks",
    ),
    pytest.param(
        lambda: ModifyTracks(
            album_id=ALBUM, tracks={TRACK_1: {"title": "Uno", "duration_ms": 1234}}
        ),
        {"CORRECTED": 1},
        id="modify_tracks",
    ),
    # a link's row is CREATED: what the app's own logger infers for its operation (never LINKED)
    pytest.param(
        lambda: LinkArtist(album_id=TRACKLESS, artist_id=ARTIST_B),
        {"CORRECTED": 1, "CREATED": 1},
        id="link_artist",
    ),
    pytest.param(
        lambda: LinkArtist(album_id=TRACKLESS, new_artist={"name": "Sigur Rós"}),
        {"CORRECTED": 1, "CREATED": 2},
        id="link_new_artist",
    ),
    pytest.param(
        lambda: UnlinkArtist(album_id=ALBUM, artist_id=ARTIST_A),
        {"CORRECTED": 1},
        id="unlink_artist",
    ),
    pytest.param(
        lambda: MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM),
        {"CORRECTED": 1},
        id="merge_albums",
    ),
]


@pytest.mark.parametrize("make, categories", KINDS)
def test_each_kind_applies_and_logs_in_the_app_shape(db, make, categories):
    correction = make()
    [result] = applied(db, correction, user_id=USER)
    rows = query(
        db,
        "SELECT * FROM llama_logs WHERE triggered_by = 'llamaforensics' ORDER BY is_root_job DESC, "
        "category, operation",
    )
    root, children = rows[0], rows[1:]
    session = root["job_id"]
    assert session.startswith("llamaforensics-repair-")
    assert (root["is_root_job"], root["root_job_id"], root["parent_job_id"]) == (
        True,
        session,
        None,
    )
    assert sorted(str(r["id"]) for r in rows) == sorted(result.log_ids)
    counts = {}
    for row in children:
        counts[row["category"]] = counts.get(row["category"], 0) + 1
        assert (row["parent_job_id"], row["root_job_id"], row["is_root_job"]) == (
            session,
            session,
            False,
        )
        assert row["job_id"] == f"llamaforensics-correction-{correction.id}"
        assert (row["status"], row["user_id"]) == ("SUCCESS", USER)
    assert counts == categories
    assert [r["category"] for r in rows] == [
        app_category(r["operation"], r["status"]) for r in rows
    ]
    assert {tuple(r["sources"]) for r in rows} == {("musicbrainz",)}
    [main] = [r for r in children if r["category"] == "CORRECTED"]
    target = ALBUM if correction.kind == "merge_albums" else correction.album_id
    assert (
        main["operation"],
        main["entity_type"],
        str(main["entity_id"]),
        str(main["album_id"]),
    ) == ("admin_correction", "ALBUM", target, target)
    assert (main["data_quality_before"], main["data_quality_after"]) == ("LOW", "HIGH")
    assert query(
        db,
        "SELECT data_quality::text AS q, enrichment_status::text AS s FROM albums WHERE id = %s",
        [target],
    ) == [{"q": "HIGH", "s": "COMPLETED"}]
    meta = main["metadata"]
    assert set(meta) == {
        "metadata",
        "externalIds",
        "tracks",
        "artists",
        "coverArt",
        "llamaforensics",
    }
    assert meta["llamaforensics"]["correctionId"] == correction.id
    assert meta["llamaforensics"]["correction"] == correction.to_dict() | {
        "expected": result.correction.expected
    }


def test_album_fields_are_logged_as_the_admin_ui_expects(db):
    applied(
        db,
        SetAlbumFields(
            album_id=ALBUM,
            fields={
                "title": "New",
                "musicbrainz_id": MBID,
                "cover_art_url": "c.jpg",
                "release_date": "2021-01-01",
            },
        ),
    )
    [row] = query(
        db, "SELECT * FROM llama_logs WHERE operation = 'admin_correction' AND NOT is_root_job"
    )
    meta = row["metadata"]
    assert meta["metadata"] == [
        {"field": "title", "before": "Silent Rivers", "after": "New"},
        {"field": "releaseDate", "before": "2020-05-01", "after": "2021-01-01"},
    ]
    assert meta["externalIds"] == [{"field": "musicbrainzId", "before": None, "after": MBID}]
    assert meta["coverArt"] == {"field": "coverArtUrl", "before": None, "after": "c.jpg"}
    # the app's getChangedFieldNames: metadata fields, external ids, then "coverArt"; quality and
    # status (set on every corrected album) are neither deltas nor changed fields, as in the app
    assert row["fields_enriched"] == ["title", "releaseDate", "musicbrainzId", "coverArt"]
    assert (row["data_quality_before"], row["data_quality_after"]) == ("LOW", "HIGH")
    [album] = query(db, "SELECT * FROM albums WHERE id = %s", [ALBUM])
    assert (album["title"], str(album["musicbrainz_id"]), str(album["release_date"])) == (
        "New",
        MBID,
        "2021-01-01",
    )


def test_added_tracks_are_logged_per_track_and_counted(db):
    applied(db, AddTracks(album_id=TRACKLESS, tracks=[{"title": "A", "track_number": 1}]))
    [track] = query(db, "SELECT * FROM tracks WHERE album_id = %s", [TRACKLESS])
    assert (track["title"], track["disc_number"], track["source"], track["data_quality"]) == (
        "A",
        1,
        "MUSICBRAINZ",
        "LOW",
    )
    [created] = query(
        db,
        "SELECT * FROM llama_logs WHERE category = 'CREATED' AND triggered_by = 'llamaforensics'",
    )
    assert (created["track_id"], created["album_id"], created["entity_type"]) == (
        track["id"],
        track["album_id"],
        "TRACK",
    )
    assert query(db, "SELECT track_count FROM albums WHERE id = %s", [TRACKLESS]) == [
        {"track_count": 1}
    ]
    [main] = query(
        db, "SELECT metadata FROM llama_logs WHERE category = 'CORRECTED' AND NOT is_root_job"
    )
    # as the app writes it: deltas only on a modified track
    assert main["metadata"]["tracks"] == [
        {"action": "added", "trackTitle": "A", "position": 1, "discNumber": 1}
    ]


def test_log_rows_get_time_ordered_ids_so_a_session_writes_next_to_itself(db):
    """Version-7 UUIDs: rows written later sort later, so llama_logs' key index grows at one edge, not everywhere."""
    import time
    import uuid

    applied(db, SetAlbumFields(album_id=ALBUM, fields={"label": "First"}))
    time.sleep(0.005)  # the ids order by millisecond
    applied(db, AddTracks(album_id=TRACKLESS, tracks=[{"title": "A", "track_number": 1}]))
    rows = query(
        db,
        "SELECT id::text, category::text, created_at FROM llama_logs WHERE triggered_by = 'llamaforensics' "
        "AND NOT is_root_job ORDER BY created_at, category",
    )
    assert [uuid.UUID(r["id"]).version for r in rows] == [7] * 3
    first, *second = rows
    assert all(first["id"] < r["id"] for r in second)  # uuid order is the order of its text


def test_dry_run_is_the_default_and_writes_nothing(db):
    before = checksums(db)
    [result] = apply_corrections(
        db,
        prepare_corrections(
            db, [AddTracks(album_id=TRACKLESS, tracks=[{"title": "A", "track_number": 1}])]
        ),
    )
    assert result.status == DRY_RUN
    assert [t["title"] for t in result.diff["tracks_added"]] == ["A"]
    assert [r["category"] for r in result.diff["log_rows"]] == ["CORRECTED", "CORRECTED", "CREATED"]
    assert checksums(db) == before


def test_stale_correction_leaves_the_database_byte_identical(db):
    [prepared] = prepare_corrections(db, [SetAlbumFields(album_id=ALBUM, fields={"title": "Mine"})])
    with psycopg.connect(db.conninfo) as conn:
        conn.execute(
            "UPDATE albums SET title = 'Theirs', updated_at = now() WHERE id = %s", [ALBUM]
        )
    before = checksums(db)
    [result] = apply_corrections(db, [prepared], dry_run=False)
    assert result.status == STALE
    assert result.current["title"] == "Theirs"
    assert checksums(db) == before


def test_a_correction_for_an_album_no_longer_there_is_skipped_with_the_reason(db):
    correction = SetAlbumFields(album_id=TRACKLESS, fields={"title": "Mine"})
    [prepared] = prepare_corrections(db, [correction])
    with psycopg.connect(db.conninfo) as conn:
        conn.execute("DELETE FROM albums WHERE id = %s", [TRACKLESS])
    before = checksums(db)
    [result] = apply_corrections(db, [prepared], dry_run=False)
    # INVALID with the reason (issue 19); only a manifest entry's missing album is SKIPPED (issue 18)
    assert result.status == INVALID, result.message
    assert f"album {TRACKLESS} is not in the target database" in result.message
    assert checksums(db) == before


def test_failure_mid_correction_rolls_back_everything(db):
    with psycopg.connect(db.conninfo) as conn:
        conn.execute("UPDATE tracks SET spotify_id = 'taken' WHERE id = %s", [TRACK_1])
    before = checksums(db)
    tracks = [
        {"title": "fine", "track_number": 1},
        {"title": "clash", "track_number": 2, "spotify_id": "taken"},
    ]
    [result] = apply_corrections(
        db, prepare_corrections(db, [AddTracks(album_id=TRACKLESS, tracks=tracks)]), dry_run=False
    )
    assert result.status == INVALID and "tracks_spotify_id_key" in result.message
    assert checksums(db) == before


def test_reapplying_is_a_no_op(db):
    corrections = prepare_corrections(
        db,
        [
            SetAlbumFields(album_id=ALBUM, fields={"title": "X"}),
            AddTracks(album_id=TRACKLESS, tracks=[{"title": "A", "track_number": 1}]),
        ],
    )
    apply_corrections(db, corrections, dry_run=False)
    before = checksums(db)
    results = apply_corrections(db, corrections, dry_run=False)
    assert [r.status for r in results] == [ALREADY_APPLIED] * 2
    assert checksums(db) == before


def test_a_target_already_reached_is_reported_and_not_logged(db):
    [result] = apply_corrections(
        db,
        prepare_corrections(
            db, [SetAlbumFields(album_id=ALBUM, fields={"title": "Silent Rivers"})]
        ),
        dry_run=False,
    )
    assert result.status == ALREADY_APPLIED
    assert query(
        db, "SELECT count(*) AS n FROM llama_logs WHERE triggered_by = 'llamaforensics'"
    ) == [{"n": 0}]


def test_corrections_prepared_together_apply_one_after_the_other(db):
    applied(
        db,
        SetAlbumFields(album_id=TRACKLESS, fields={"title": "New Thing"}),
        AddTracks(album_id=TRACKLESS, tracks=[{"title": "A", "track_number": 1}]),
        LinkArtist(album_id=TRACKLESS, artist_id=ARTIST_A),
    )
    roots = query(
        db,
        "SELECT count(*) AS n FROM llama_logs WHERE is_root_job AND triggered_by = 'llamaforensics'",
    )
    assert roots == [{"n": 1}]


def test_unknown_user_is_refused_before_anything_is_written(db):
    before = checksums(db)
    with pytest.raises(UnknownUser, match="no user 'ghost'"):
        apply_corrections(
            db,
            prepare_corrections(db, [SetAlbumFields(album_id=ALBUM, fields={"title": "X"})]),
            dry_run=False,
            user_id="ghost",
        )
    assert checksums(db) == before


def test_an_external_id_of_another_album_is_refused_naming_it(db):
    applied(db, SetAlbumFields(album_id=ALBUM, fields={"musicbrainz_id": MBID}))
    [result] = apply_corrections(
        db,
        prepare_corrections(
            db, [SetAlbumFields(album_id=DUPLICATE, fields={"musicbrainz_id": MBID})]
        ),
        dry_run=False,
    )
    assert result.status == INVALID
    assert ALBUM in result.message and "merge" in result.message


def test_hostile_strings_reach_the_database_as_data(db):
    applied(
        db,
        SetAlbumFields(album_id=ALBUM, fields={"title": HOSTILE, "label": "🦙'; --"}),
        LinkArtist(album_id=ALBUM, new_artist={"name": HOSTILE}, role='feat"uring'),
    )
    assert query(db, "SELECT title, label FROM albums WHERE id = %s", [ALBUM]) == [
        {"title": HOSTILE, "label": "🦙'; --"}
    ]
    [row] = query(db, "SELECT metadata FROM llama_logs WHERE fields_enriched @> ARRAY['title']")
    assert row["metadata"]["metadata"][0]["after"] == HOSTILE
    assert query(db, "SELECT count(*) AS n FROM artists WHERE name = %s", [HOSTILE]) == [{"n": 1}]


def test_merge_repoints_every_reference_and_keeps_the_history(db):
    logs_before = query(db, "SELECT id FROM llama_logs WHERE album_id = %s", [DUPLICATE])
    applied(db, MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM))
    assert query(db, "SELECT count(*) AS n FROM albums WHERE id = %s", [DUPLICATE]) == [{"n": 0}]
    assert query(
        db, 'SELECT id, "collectionId", album_id::text FROM "CollectionAlbum" ORDER BY id'
    ) == [
        {"id": "ca1", "collectionId": "c1", "album_id": ALBUM},
        {"id": "ca2", "collectionId": "c3", "album_id": ALBUM},
        {"id": "ca3", "collectionId": "c2", "album_id": ALBUM},
    ]
    assert query(db, 'SELECT basis_album_id::text AS b FROM "Recommendation"') == [{"b": ALBUM}]
    assert query(db, "SELECT album_id::text AS a FROM marquee_albums") == [{"a": ALBUM}]
    moved = query(
        db,
        "SELECT id, album_id::text AS a, track_id, entity_id::text AS e FROM llama_logs WHERE id = ANY(%s)",
        [[r["id"] for r in logs_before]],
    )
    assert len(moved) == len(logs_before) == 2 and {r["a"] for r in moved} == {ALBUM}
    assert {r["e"] for r in moved} == {
        DUPLICATE,
        DUP_TRACK,
    }  # what each row was about stays recorded
    assert [
        t["title"]
        for t in query(
            db, "SELECT title FROM tracks WHERE album_id = %s ORDER BY track_number", [ALBUM]
        )
    ] == ["One", "Two"]
    [main] = query(
        db,
        "SELECT metadata FROM llama_logs WHERE album_id = %s AND category = 'CORRECTED'",
        [ALBUM],
    )
    deleted = [
        (op["table"], op["row"].get("id"))
        for op in main["metadata"]["llamaforensics"]["ops"]
        if op["action"] == "delete"
    ]
    # only the duplicate's own rows: its track (the survivor's list wins), that track's credit,
    # the link the survivor already has, and the album itself
    assert sorted(deleted, key=str) == sorted(
        [
            ("track_artists", None),
            ("tracks", DUP_TRACK),
            ("album_artists", None),
            ("albums", DUPLICATE),
        ],
        key=str,
    )


CATALOG_IGNORING_WRITE_TIME = dict(tables=CATALOG_TABLES, ignore=("updated_at",))


@pytest.mark.parametrize("make, _categories", KINDS)
def test_undo_restores_the_catalog_exactly(db, make, _categories):
    before = checksums(db, **CATALOG_IGNORING_WRITE_TIME)
    logs = query(db, "SELECT count(*) AS n FROM llama_logs")[0]["n"]
    [result] = applied(db, make())
    [undone] = undo(db, result.correction.id, dry_run=False)
    assert undone.status == APPLIED, undone.message
    assert checksums(db, **CATALOG_IGNORING_WRITE_TIME) == before
    assert query(db, "SELECT count(*) AS n FROM llama_logs")[0]["n"] > logs  # history only grows
    [again] = undo(db, result.correction.id, dry_run=False)
    assert again.status == ALREADY_APPLIED


def test_undo_a_whole_session(db):
    before = checksums(db, **CATALOG_IGNORING_WRITE_TIME)
    session = RepairSession()
    applied(
        db,
        SetAlbumFields(album_id=ALBUM, fields={"title": "X"}),
        ModifyTracks(album_id=ALBUM, tracks={TRACK_1: {"title": "Uno"}}),
        MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM),
        session=session,
    )

    results = undo(db, session.job_id, dry_run=False)
    assert [r.status for r in results] == [APPLIED] * 3, [r.message for r in results]
    assert checksums(db, **CATALOG_IGNORING_WRITE_TIME) == before


def test_undo_is_refused_when_the_album_changed_since(db):
    [result] = applied(db, SetAlbumFields(album_id=ALBUM, fields={"title": "X"}))
    with psycopg.connect(db.conninfo) as conn:
        conn.execute("UPDATE albums SET title = 'Y', updated_at = now() WHERE id = %s", [ALBUM])
    before = checksums(db)
    [undone] = undo(db, result.correction.id, dry_run=False)
    assert undone.status == STALE and undone.current == {"title": "Y"} | undone.current
    assert checksums(db) == before
