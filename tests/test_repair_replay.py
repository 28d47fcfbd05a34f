"""Replay: a batch (file, manifest, or a session read back from another database) applied in order, resumably."""

from __future__ import annotations

import argparse
import copy
import json
import random
import uuid
from datetime import datetime

import pytest
from repair_seed import (
    ALBUM,
    ARTIST_A,
    DUPLICATE,
    HOSTILE,
    MBID,
    TRACK_1,
    TRACKLESS,
    USER,
    checksums,
    fresh_catalog,
    query,
    reset,
)

from llamaforensics.commands import repair as repair_command
from llamaforensics.errors import UsageError
from llamaforensics.repair import (
    ALREADY_APPLIED,
    APPLIED,
    DRY_RUN,
    INVALID,
    STALE,
    AddTracks,
    InvalidCorrection,
    LinkArtist,
    MergeAlbums,
    ModifyTracks,
    RepairSession,
    SetAlbumFields,
    apply_corrections,
    dump_corrections,
    load_corrections,
    prepare_corrections,
    undo,
)
from llamaforensics.repair.batch import batch_summary, read_batch, session_batch
from llamaforensics.repair.replay import replay

# What two databases seeded alike hold the same after the same corrections (write times and generated ids aside).
ROWS = dict(
    tables=("albums", "artists", "tracks", "album_artists", "track_artists"),
    ignore=("updated_at", "created_at"),
)
REFERENCES = (
    'SELECT "collectionId", album_id::text FROM "CollectionAlbum" ORDER BY 1, 2',
    'SELECT basis_album_id::text, recommended_album_id::text FROM "Recommendation" ORDER BY 1, 2',
    "SELECT album_id::text FROM marquee_albums ORDER BY 1",
)


def catalog(dsn) -> tuple:
    """Return the catalog rows and every reference to an album, comparable across databases."""
    return checksums(dsn, **ROWS), [query(dsn, sql) for sql in REFERENCES]


_TARGET: dict = {}


@pytest.fixture
def db(databases, upstream_template):
    """The small seeded catalog (repair_seed.py): the source database."""
    return fresh_catalog(databases, upstream_template)


@pytest.fixture
def target(databases, upstream_template):
    """A second database seeded like the first (production, where dev's session is carried)."""
    if "db" not in _TARGET:
        _TARGET["db"] = databases.new("replay_target", template=upstream_template)
    reset(_TARGET["db"])
    return _TARGET["db"]


def applied_one_by_one(dsn, corrections, session):
    """Apply each correction prepared against the state the previous ones left (as a notebook session does)."""
    for correction in corrections:
        [result] = apply_corrections(
            dsn, prepare_corrections(dsn, [correction]), dry_run=False, session=session
        )
        assert result.status == APPLIED, result.message


def statuses(results) -> list[str]:
    return [r.status for r in results]


def test_a_session_done_on_one_database_is_carried_to_another(db, target):
    session = RepairSession(user_id=USER)
    steps = [
        SetAlbumFields(album_id=ALBUM, fields={"title": HOSTILE, "musicbrainz_id": MBID}),
        AddTracks(album_id=ALBUM, tracks=[{"title": "Three", "track_number": 3}]),
        ModifyTracks(album_id=ALBUM, tracks={TRACK_1: {"title": "Uno"}}),
        LinkArtist(album_id=TRACKLESS, new_artist={"name": "Sigur Rós"}),
        MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM),
    ]
    applied_one_by_one(
        db, steps, session
    )  # each later step expects the updated_at an earlier one wrote on db

    batch = session_batch(db, session.job_id)
    assert [c.id for c in batch] == [s.id for s in steps]
    before = checksums(target)
    assert statuses(replay(batch, target)) == [DRY_RUN] * 5
    assert checksums(target) == before

    assert statuses(replay(batch, target, dry_run=False, user_id=USER)) == [APPLIED] * 5
    assert catalog(target) == catalog(db)
    logged = query(
        target,
        "SELECT metadata->'llamaforensics'->>'correctionId' AS id FROM llama_logs "
        "WHERE category = 'CORRECTED' AND NOT is_root_job ORDER BY created_at",
    )
    assert sorted(r["id"] for r in logged) == sorted(s.id for s in steps)

    after = checksums(target)
    assert statuses(replay(batch, target, dry_run=False)) == [ALREADY_APPLIED] * 5
    assert checksums(target) == after


def test_an_undo_in_the_session_undoes_what_the_target_recorded(db, target):
    session = RepairSession()
    applied_one_by_one(
        db,
        [
            SetAlbumFields(album_id=ALBUM, fields={"title": "X"}),
            AddTracks(album_id=TRACKLESS, tracks=[{"title": "A", "track_number": 1}]),
        ],
        session,
    )
    [fix] = session_batch(db, session.job_id)[:1]
    [undone] = undo(db, fix.id, dry_run=False, session=session)
    assert undone.status == APPLIED

    batch = session_batch(db, session.job_id)
    assert [c.kind for c in batch] == ["set_album_fields", "add_tracks", "revert_correction"]
    assert statuses(replay(batch, target, dry_run=False)) == [APPLIED] * 3
    assert query(target, "SELECT title FROM albums WHERE id = %s", [ALBUM]) == [
        {"title": "Silent Rivers"}
    ]
    assert catalog(target) == catalog(db)


def test_an_undo_of_a_correction_the_target_never_received_is_invalid(db, target):
    session = RepairSession()
    applied_one_by_one(db, [SetAlbumFields(album_id=ALBUM, fields={"title": "X"})], session)
    undo(db, session.job_id, dry_run=False, session=session)
    before = checksums(target)
    [result] = replay(session_batch(db, session.job_id)[1:], target, dry_run=False)
    assert result.status == INVALID and "has not applied" in result.message
    assert checksums(target) == before


def test_an_album_changed_on_the_target_is_stale_with_its_current_values(db, target):
    session = RepairSession()
    applied_one_by_one(
        db, [SetAlbumFields(album_id=ALBUM, fields={"title": "Fixed on dev"})], session
    )
    query(
        target,
        "UPDATE albums SET title = 'Changed on prod', updated_at = now() WHERE id = %s RETURNING id",
        [ALBUM],
    )
    before = checksums(target)
    [result] = replay(session_batch(db, session.job_id), target, dry_run=False)
    assert result.status == STALE and result.current["title"] == "Changed on prod"
    assert checksums(target) == before


def test_a_session_comes_back_in_the_order_it_was_applied_within_one_millisecond(db):
    """Sequence numbers order corrections that share a created_at (as numbers: 10 comes after 9)."""
    session = RepairSession(clock=lambda: datetime(2030, 1, 1))
    steps = [SetAlbumFields(album_id=ALBUM, fields={"title": f"take {i}"}) for i in range(12)]
    applied_one_by_one(db, steps, session)
    assert [c.id for c in session_batch(db, session.job_id)] == [s.id for s in steps]
    assert statuses(undo(db, session.job_id, dry_run=False)) == [APPLIED] * 12  # newest first
    assert query(db, "SELECT title FROM albums WHERE id = %s", [ALBUM]) == [
        {"title": "Silent Rivers"}
    ]


def test_an_unknown_session_is_one_clear_error(db):
    with pytest.raises(
        InvalidCorrection, match="has no correction applied under 'llamaforensics-repair-nope'"
    ):
        session_batch(db, "llamaforensics-repair-nope")


def test_a_parallel_replay_gives_the_results_of_a_sequential_one(db, target):
    """Corrections that depend on each other (an artist created then linked elsewhere, an id one album takes
    first, a merge) stay in order on one connection; the others spread over the connections."""
    extra = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"replay-album-{i}")) for i in range(8)]
    for dsn in (db, target):
        query(
            dsn,
            "INSERT INTO albums (id, title, updated_at) SELECT a::uuid, 'Extra', '2024-02-01' "
            "FROM unnest(%s::text[]) AS a RETURNING id",
            [extra],
        )
    artist = str(uuid.uuid5(uuid.NAMESPACE_URL, "replay-artist"))
    batch = [
        LinkArtist(album_id=TRACKLESS, new_artist={"id": artist, "name": "Made here"}),
        *[
            AddTracks(album_id=a, tracks=[{"title": f"t{n}", "track_number": n} for n in (1, 2)])
            for a in extra
        ],
        LinkArtist(album_id=ALBUM, artist_id=artist, role="featured"),
        SetAlbumFields(album_id=TRACKLESS, fields={"musicbrainz_id": MBID}),
        SetAlbumFields(
            album_id=extra[0], fields={"musicbrainz_id": MBID}
        ),  # taken just before: INVALID
        MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM),
    ]
    sequential = replay(batch, db, dry_run=False)
    parallel = replay(batch, target, dry_run=False, jobs=3)
    assert statuses(parallel) == statuses(sequential) == [APPLIED] * 11 + [INVALID, APPLIED]
    assert [r.correction.id for r in parallel] == [c.id for c in batch]
    assert catalog(target) == catalog(db)
    [root] = query(
        target,
        "SELECT job_id FROM llama_logs WHERE is_root_job AND triggered_by = 'llamaforensics'",
    )
    assert query(
        target,
        "SELECT DISTINCT root_job_id AS job_id FROM llama_logs "
        "WHERE triggered_by = 'llamaforensics'",
    ) == [root]  # one session, whatever the connections
    again = statuses(replay(batch, target, dry_run=False, jobs=3))
    assert again == [ALREADY_APPLIED] * 11 + [INVALID, ALREADY_APPLIED]


# --- files and manifests

MANIFEST = [
    {
        "albumId": TRACKLESS,
        "albumTitle": "New Thing (Deluxe)",
        "firstArtistName": "Björk",
        "updates": {"musicbrainzId": MBID},
        "tracks": [
            {"title": "First", "trackNumber": 1},
            {"title": HOSTILE, "trackNumber": 2, "discNumber": 1},
        ],
        "albumArtistLinks": [{"artistId": ARTIST_A, "role": "primary", "position": 0}],
    }
]


def test_a_manifest_replayed_again_is_already_applied(db, tmp_path):
    """Its tracks carry no ids: importing it again must give the same corrections, not new tracks."""
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(MANIFEST))
    batch = read_batch(str(path))
    assert statuses(replay(batch, db, dry_run=False)) == [APPLIED]  # the entry, whole
    before = checksums(db)
    assert statuses(replay(read_batch(str(path)), db, dry_run=False)) == [ALREADY_APPLIED]
    assert checksums(db) == before
    assert [c.id for c in read_batch(str(path))] == [c.id for c in read_batch(str(path))]


def test_a_replayed_manifest_skips_a_missing_album_and_replaces_tracks_if_asked(
    db, tmp_path, capsys
):
    other = [
        {"albumId": ALBUM, "tracks": [{"title": "Only this", "trackNumber": 1}]},  # holds 2
        {"albumId": "90000000-0000-0000-0000-000000000009", "updates": {"label": "x"}},
    ]
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(MANIFEST + other))
    assert run("replay", path, db.conninfo, "--apply", "--json") == 1
    counts = json.loads(capsys.readouterr().out)["status"]
    assert {status: n for status, n in counts.items() if n} == {
        "APPLIED": 1,
        "TRACKS_DIFFER": 1,
        "SKIPPED": 1,
    }
    assert run("replay", path, db.conninfo, "--apply", "--replace-tracks", "--json") == 1  # skipped
    counts = json.loads(capsys.readouterr().out)["status"]
    assert {status: n for status, n in counts.items() if n} == {
        "ALREADY_APPLIED": 1,
        "APPLIED": 1,
        "SKIPPED": 1,
    }
    assert query(db, "SELECT title FROM tracks WHERE album_id = %s", [ALBUM]) == [
        {"title": "Only this"}
    ]


def test_a_file_is_prepared_just_before_each_correction_and_summarised(db, tmp_path):
    path = tmp_path / "fixes.json"
    path.write_text(
        dump_corrections(
            [
                SetAlbumFields(album_id=ALBUM, fields={"title": "One"}),
                SetAlbumFields(album_id=ALBUM, fields={"title": "Two"}),
                AddTracks(album_id=TRACKLESS, tracks=[{"title": "A", "track_number": 1}]),
            ]
        )
    )
    results = replay(read_batch(str(path)), db, dry_run=False)
    assert statuses(results) == [APPLIED] * 3
    assert batch_summary(results)["changes"] == {
        "fields": 3,
        "tracks_added": 1,
        "tracks_removed": 0,
        "tracks_changed": 0,
        "artists_created": 0,  # + track_count
        "links_added": 0,
        "links_removed": 0,
        "albums_deleted": 0,
        "log_rows": 5,
    }  # the root, 3 CORRECTED, 1 CREATED
    assert query(db, "SELECT title FROM albums WHERE id = %s", [ALBUM]) == [{"title": "Two"}]


def test_a_session_id_without_its_database_is_a_usage_error():
    with pytest.raises(UsageError, match="--from SOURCE_DSN"):
        read_batch("llamaforensics-repair-0f9c")


def test_the_fast_schema_check_never_accepts_what_the_schema_refuses():
    """Replays validate thousands of documents through a compiled check; jsonschema stays the judge."""
    from llamaforensics.repair.correction_schema import (
        _compiled_correction_check,
        _correction_validator,
    )

    fast, judge = _compiled_correction_check(), _correction_validator()
    docs = [
        c.to_dict()
        for c in [
            SetAlbumFields(
                album_id=ALBUM,
                fields={
                    "title": "x",
                    "release_date": "2020-01-01",
                    "genres": ["a"],
                    "track_count": 3,
                    "data_quality": "LOW",
                },
                expected={"updated_at": None},
            ),
            AddTracks(album_id=ALBUM, tracks=[{"title": "a", "track_number": 1, "explicit": True}]),
            LinkArtist(album_id=ALBUM, new_artist={"name": "n", "country_code": "IS"}),
            ModifyTracks(album_id=ALBUM, tracks={TRACK_1: {"title": "y", "duration_ms": 1}}),
            MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM),
        ]
    ]
    values = [
        None,
        True,
        False,
        0,
        -1,
        2**31,
        1.5,
        "",
        "x" * 300,
        "2020-13-01",
        TRACK_1,
        TRACK_1 + "\n",
        [],
        ["a"],
        [1],
        {},
        {"a": 1},
    ]
    rng = random.Random(5)
    for _ in range(3000):
        doc = copy.deepcopy(rng.choice(docs))
        parent, key = _random_place(rng, doc)
        if rng.random() < 0.2:
            parent.pop(key) if isinstance(parent, dict) else parent.clear()
        else:
            parent[key] = copy.deepcopy(rng.choice(values))
        try:
            fast(doc)
        except Exception:
            continue
        assert judge.is_valid(doc), doc


def _random_place(rng, doc):
    parent, key = doc, rng.choice(list(doc))
    while isinstance(parent[key], (dict, list)) and parent[key] and rng.random() < 0.6:
        parent = parent[key]
        key = rng.choice(list(parent)) if isinstance(parent, dict) else rng.randrange(len(parent))
    return parent, key


# --- the command line


def run(*argv) -> int:
    parser = argparse.ArgumentParser(prog="llamaforensics")
    repair_command.register(
        parser.add_subparsers(dest="command", required=True), argparse.HelpFormatter
    )
    args = parser.parse_args(["repair", *map(str, argv)])
    return args.run(args)


def test_replay_from_the_command_line(db, target, tmp_path, capsys):
    session = RepairSession(user_id=USER)
    applied_one_by_one(
        db,
        [
            SetAlbumFields(album_id=ALBUM, fields={"title": "Fixed"}),
            AddTracks(album_id=TRACKLESS, tracks=[{"title": "A", "track_number": 1}]),
        ],
        session,
    )
    before = checksums(target)
    assert run("replay", session.job_id, target.conninfo, "--from", db.conninfo) == 0
    out = capsys.readouterr().out
    assert (
        "would write: 2 album fields set, 1 tracks added, 4 log rows" in out
        and "0 applied, 2 dry run" in out
    )
    assert checksums(target) == before

    assert (
        run(
            "replay",
            session.job_id,
            "--dsn",
            target.conninfo,
            "--from",
            db.conninfo,
            "--apply",
            "--json",
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert (
        report["status"]["APPLIED"] == 2
        and report["dry_run"] is False
        and len(report["results"]) == 2
    )

    batch = tmp_path / "session.json"
    assert run("replay", session.job_id, "--from", db.conninfo, "--save-batch", batch) == 0
    assert [c.id for c in load_corrections(batch.read_text())] == [
        c.id for c in session_batch(db, session.job_id)
    ]
    assert run("replay", batch, target.conninfo, "--apply") == 0
    assert "0 applied, 2 already applied" in capsys.readouterr().out


def test_replay_exits_1_on_stale_corrections_naming_the_current_values(db, target, capsys):
    session = RepairSession()
    applied_one_by_one(db, [SetAlbumFields(album_id=ALBUM, fields={"title": "Fixed"})], session)
    query(
        target,
        "UPDATE albums SET title = 'moved', updated_at = now() WHERE id = %s RETURNING id",
        [ALBUM],
    )
    assert run("replay", session.job_id, target.conninfo, "--from", db.conninfo, "--apply") == 1
    out = capsys.readouterr().out
    assert (
        "[STALE] set_album_fields" in out
        and "'title': 'moved'" in out
        and "0 applied, 0 stale" not in out
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        pytest.param(
            ["replay", "llamaforensics-repair-0f9c", "--dsn", "dbname=x"],
            "--from SOURCE_DSN",
            id="no-source",
        ),
        pytest.param(
            ["apply", "fixes.json", "dbname=x"], "only replay does", id="second-dsn-elsewhere"
        ),
        pytest.param(
            ["replay", "fixes.json", "dbname=x", "--dsn", "dbname=y"],
            "not two different",
            id="two-targets",
        ),
    ],
)
def test_replay_usage_errors(argv, message):
    with pytest.raises(UsageError, match=message):
        run(*argv)
