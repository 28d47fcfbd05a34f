"""Faults on a real PostgreSQL: connections killed mid-batch, two sessions on one album, and properties.

The connection is really killed (pg_terminate_backend from another
connection), at chosen places: between two corrections, in the middle of one
(blocked on a row another transaction holds), and inside COMMIT (a deferred
trigger waiting on an advisory lock). Every correction must then be wholly
applied with its log rows or not at all, and re-running the batch finishes it.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

import psycopg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from repair_seed import (
    ALBUM,
    ARTIST_A,
    ARTIST_B,
    CATALOG_TABLES,
    DUP_TRACK,
    DUPLICATE,
    TRACK_1,
    TRACK_2,
    TRACKLESS,
    checksums,
    query,
    reset,
)

from llamaforensics import cli
from llamaforensics.errors import ConnectionFailed
from llamaforensics.repair import (
    ALREADY_APPLIED,
    APPLIED,
    INVALID,
    SKIPPED,
    STALE,
    AddTracks,
    LinkArtist,
    MergeAlbums,
    ModifyTracks,
    RemoveTracks,
    RepairSession,
    SetAlbumFields,
    UnlinkArtist,
    apply_corrections,
    dump_corrections,
    prepare_corrections,
    undo,
)
from llamaforensics.repair.replay import BatchInterrupted, replay

NAMESPACE = uuid.UUID("7c2f0a5e-1b3d-4e6f-8a9b-0c1d2e3f4a5b")
BATCH_ALBUMS = [str(uuid.uuid5(NAMESPACE, f"album {i}")) for i in range(12)]
TRACKS_EACH = 10
_DB: dict = {}


@pytest.fixture
def db(databases, upstream_template):
    """The small seeded catalog plus twelve trackless albums for batches, in a database of this module's own."""
    if "db" not in _DB:
        _DB["db"] = databases.new("faults", template=upstream_template)
    dsn = _DB["db"]
    reset(dsn)
    query(
        dsn,
        "INSERT INTO albums (id, title, track_count, updated_at, created_at) "
        "SELECT a::uuid, 'Batch ' || n, 0, '2024-02-01', '2024-02-01' "
        "FROM unnest(%s::text[]) WITH ORDINALITY AS t(a, n) RETURNING id",
        [BATCH_ALBUMS],
    )
    return dsn


def batch() -> list[AddTracks]:
    """One correction per batch album, each adding ten tracks (ids fixed, so every run sends the same ones)."""
    return [
        AddTracks(
            id=str(uuid.uuid5(NAMESPACE, f"fix {album}")),
            album_id=album,
            tracks=[
                {
                    "id": str(uuid.uuid5(NAMESPACE, f"{album}/{n}")),
                    "title": f"Track {n} 🦙",
                    "track_number": n,
                }
                for n in range(1, TRACKS_EACH + 1)
            ],
        )
        for album in BATCH_ALBUMS
    ]


def applied_ids(dsn, corrections) -> list[str]:
    """Return the corrections found applied, checking each is all there (tracks, count, log rows) or not at all."""
    found = []
    for c in corrections:
        ids = [t["id"] for t in c.tracks]
        [row] = query(
            dsn,
            "SELECT (SELECT count(*) FROM tracks WHERE id = ANY(%s::uuid[])) AS tracks, "
            "(SELECT track_count FROM albums WHERE id = %s) AS track_count, "
            "(SELECT count(*) FROM llama_logs WHERE job_id = %s) AS logs",
            [ids, c.album_id, f"llamaforensics-correction-{c.id}"],
        )
        assert row in (
            {"tracks": 0, "track_count": 0, "logs": 0},
            {"tracks": TRACKS_EACH, "track_count": TRACKS_EACH, "logs": TRACKS_EACH + 1},
        ), (c.id, row)
        if row["tracks"]:
            found.append(c.id)
    return found


def terminate_backends(dsn, *, keep=()) -> int:
    """Kill every other client connection to the test database (the batch's), as an admin would."""
    with psycopg.connect(dsn.conninfo, autocommit=True) as conn:
        return len(
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND pid <> ALL(%s) AND backend_type = 'client backend'",
                [list(keep)],
            ).fetchall()
        )


def waiting_backends(dsn, wait_event_type: str = "Lock") -> list[int]:
    with psycopg.connect(dsn.conninfo, autocommit=True) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = %s",
                [wait_event_type],
            )
        ]


def kill_when_blocked(dsn, keep: int) -> threading.Thread:
    """Start a thread that kills the first backend it sees waiting on a lock (the batch's, mid-correction)."""

    def watch():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if [pid for pid in waiting_backends(dsn) if pid != keep]:
                terminate_backends(dsn, keep=[keep])
                return
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def statuses(results) -> list[str]:
    return [r.status for r in results]


# --- (a) the connection dies in the middle of a batch


def test_connection_lost_between_corrections_then_the_batch_is_finished(db):
    corrections = batch()

    def kill_after_the_fifth(result, seen=[]):  # noqa: B006 - a counter local to this test
        seen.append(result)
        if len(seen) == 5:
            terminate_backends(db)

    with pytest.raises(BatchInterrupted) as info:
        replay(corrections, db, dry_run=False, on_result=kill_after_the_fifth)
    message = str(info.value)
    assert "lost the connection to postgresql://" in message and "at correction 6 of 12" in message
    assert (
        "5 applied so far" in message and "Re-run the same batch" in message and "\n" not in message
    )
    assert statuses(info.value.results) == [APPLIED] * 5
    assert applied_ids(db, corrections) == [c.id for c in corrections[:5]]

    assert statuses(replay(corrections, db, dry_run=False)) == [ALREADY_APPLIED] * 5 + [APPLIED] * 7
    assert applied_ids(db, corrections) == [c.id for c in corrections]


def test_connection_lost_in_the_middle_of_a_correction_leaves_none_of_it(db):
    corrections = batch()
    victim = corrections[6]
    with psycopg.connect(
        db.conninfo
    ) as holder:  # holds (uncommitted) a track id the victim will insert
        holder.execute(
            "INSERT INTO tracks (id, album_id, title, track_number, disc_number, updated_at) "
            "VALUES (%s, %s, 'held', 1, 9, now())",
            [victim.tracks[4]["id"], ALBUM],
        )
        killer = kill_when_blocked(db, keep=holder.info.backend_pid)
        with pytest.raises(BatchInterrupted, match="at correction 7 of 12"):
            replay(corrections, db, dry_run=False)
        killer.join()
        holder.rollback()
    assert applied_ids(db, corrections) == [
        c.id for c in corrections[:6]
    ]  # the victim's first tracks are gone too
    assert statuses(replay(corrections, db, dry_run=False)) == [ALREADY_APPLIED] * 6 + [APPLIED] * 6
    assert applied_ids(db, corrections) == [c.id for c in corrections]


WAIT_AT_COMMIT = """
CREATE FUNCTION lf_test_wait_at_commit() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER lf_test_wait_at_commit AFTER INSERT ON llama_logs
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lf_test_wait_at_commit();
"""


def test_connection_lost_while_committing_is_a_clear_error_and_nothing_half_done(db):
    corrections = batch()[:3]
    with psycopg.connect(db.conninfo, autocommit=True) as holder:
        holder.execute(WAIT_AT_COMMIT)
        holder.execute(
            "SELECT pg_advisory_lock(4242)"
        )  # COMMIT runs the deferred trigger, which waits for it
        try:
            killer = kill_when_blocked(db, keep=holder.info.backend_pid)
            with pytest.raises(
                BatchInterrupted, match="lost the connection .* at correction 1 of 3"
            ):
                replay(corrections, db, dry_run=False)
            killer.join()
        finally:
            holder.execute("SELECT pg_advisory_unlock_all()")
            holder.execute(
                "DROP TRIGGER lf_test_wait_at_commit ON llama_logs; DROP FUNCTION lf_test_wait_at_commit()"
            )
    assert applied_ids(db, corrections) == []
    assert statuses(replay(corrections, db, dry_run=False)) == [APPLIED] * 3


@pytest.mark.parametrize("jobs", [1, 3], ids=lambda n: f"{n}-connections")
@pytest.mark.parametrize("delay", [0.0, 0.08, 0.2, 0.4], ids=lambda d: f"after-{d}s")
def test_connection_lost_at_any_moment_leaves_each_correction_whole_or_absent(db, delay, jobs):
    corrections = batch()
    killer = threading.Timer(delay, terminate_backends, [db])
    killer.start()
    try:
        done = replay(corrections, db, dry_run=False, jobs=jobs)
    except (
        ConnectionFailed
    ) as exc:  # BatchInterrupted once corrections started; before, nothing was done
        done = getattr(exc, "results", [])
    killer.join()
    first = applied_ids(
        db, corrections
    )  # (a correction whose COMMIT went through as its connection died counts)
    assert set(first) >= {r.correction.id for r in done if r.status == APPLIED}
    if jobs == 1:
        assert first == [c.id for c in corrections[: len(first)]]
    again = statuses(replay(corrections, db, dry_run=False, jobs=jobs))
    assert again == [ALREADY_APPLIED if c.id in first else APPLIED for c in corrections]
    assert applied_ids(db, corrections) == [c.id for c in corrections]


def test_corrections_prepared_together_on_one_album_are_finished_by_a_rerun(db):
    """The rerun accepts the updated_at its earlier run wrote, as a run in one go would have."""
    prepared = prepare_corrections(
        db,
        [
            SetAlbumFields(album_id=ALBUM, fields={"title": "Fixed"}),
            AddTracks(album_id=ALBUM, tracks=[{"title": "Three", "track_number": 3}]),
            LinkArtist(album_id=ALBUM, artist_id=ARTIST_B, role="featured"),
        ],
    )
    with pytest.raises(BatchInterrupted):
        replay(prepared, db, dry_run=False, on_result=lambda result: terminate_backends(db))
    assert statuses(replay(prepared, db, dry_run=False)) == [ALREADY_APPLIED, APPLIED, APPLIED]


def test_the_command_line_says_it_in_one_line(db, tmp_path, capsys):
    path = tmp_path / "batch.json"
    corrections = batch()
    path.write_text(dump_corrections(corrections))
    with psycopg.connect(db.conninfo) as holder:
        holder.execute(
            "INSERT INTO tracks (id, album_id, title, track_number, disc_number, updated_at) "
            "VALUES (%s, %s, 'held', 1, 9, now())",
            [corrections[2].tracks[0]["id"], ALBUM],
        )
        killer = kill_when_blocked(db, keep=holder.info.backend_pid)
        code = cli.main(["repair", "replay", str(path), db.conninfo, "--apply", "--json"])
        killer.join()
        holder.rollback()
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and err.startswith(
        "llamaforensics: error: lost the connection to postgresql://"
    )
    assert "at correction 3 of 12" in err and "Traceback" not in err


# --- (b) two sessions correcting the same album at once


def race(dsn, prepared: list) -> list:
    """Apply each correction from its own thread and connection, released together once all wait on the album."""
    results = [None] * len(prepared)

    def apply(i):
        [results[i]] = apply_corrections(dsn, [prepared[i]], dry_run=False)

    with psycopg.connect(dsn.conninfo) as gate:
        gate.execute("SELECT 1 FROM albums WHERE id = %s FOR UPDATE", [prepared[0].album_id])
        threads = [threading.Thread(target=apply, args=(i,)) for i in range(len(prepared))]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while len(waiting_backends(dsn)) < len(prepared) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(waiting_backends(dsn)) == len(prepared), "the sessions never met on the album"
        gate.rollback()
    for thread in threads:
        thread.join()
    return results


def test_two_sessions_setting_one_album_one_wins_the_other_is_stale_with_the_current_values(db):
    prepared = prepare_corrections(
        db,
        [
            SetAlbumFields(album_id=ALBUM, fields={"title": "Mine"}),
            SetAlbumFields(album_id=ALBUM, fields={"title": "Theirs"}),
        ],
    )
    results = race(db, prepared)
    assert sorted(statuses(results)) == [APPLIED, STALE]
    winner, loser = sorted(results, key=lambda r: r.status)
    [album] = query(
        db,
        "SELECT title, to_char(updated_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') AS at FROM albums "
        "WHERE id = %s",
        [ALBUM],
    )
    assert album["title"] == winner.correction.fields["title"]
    assert loser.current == {"title": album["title"], "updated_at": album["at"]}
    assert query(
        db, "SELECT count(*) AS n FROM llama_logs WHERE category = 'CORRECTED' AND NOT is_root_job"
    ) == [{"n": 1}]


def test_two_sessions_adding_tracks_to_one_album_one_wins(db):
    prepared = prepare_corrections(
        db,
        [
            AddTracks(album_id=TRACKLESS, tracks=[{"title": "Mine", "track_number": 1}]),
            AddTracks(album_id=TRACKLESS, tracks=[{"title": "Theirs", "track_number": 1}]),
        ],
    )
    results = race(db, prepared)
    assert sorted(statuses(results)) == [APPLIED, STALE]
    loser = next(r for r in results if r.status == STALE)
    [track] = query(db, "SELECT id::text FROM tracks WHERE album_id = %s", [TRACKLESS])
    assert loser.current["track_ids"] == [track["id"]]


@pytest.mark.parametrize(
    "correction, holds",
    [
        (
            AddTracks(
                album_id=ALBUM, tracks=[{"title": "Bonus", "disc_number": 2, "track_number": 1}]
            ),
            "album_artists",
        ),
        (SetAlbumFields(album_id=ALBUM, fields={"label": "Elsewhere"}), "album_artists"),
        (SetAlbumFields(album_id=ALBUM, fields={"label": "Elsewhere"}), "tracks"),
        (LinkArtist(album_id=ALBUM, artist_id=ARTIST_B), "tracks"),
    ],
)
def test_a_correction_does_not_wait_on_rows_it_neither_reads_nor_writes(
    db, monkeypatch, correction, holds
):
    """Another session holding the album's links (or tracks) does not block a correction that never touches them.

    Each lock is a write: locking what a kind never looks at would cost time and block others for nothing.
    """
    monkeypatch.setenv(
        "PGOPTIONS", "-c lock_timeout=3000"
    )  # a correction that did wait fails instead of hanging
    [prepared] = prepare_corrections(db, [correction])
    with psycopg.connect(db.conninfo) as other:
        held = other.execute(
            f"SELECT 1 FROM {holds} WHERE album_id = %s FOR UPDATE", [ALBUM]
        ).fetchall()
        assert held, f"the seed album has no {holds} to hold"
        [result] = apply_corrections(db, [prepared], dry_run=False)
    assert result.status == APPLIED, result.message


# --- (c) properties: apply then undo restores the catalog; applying twice is applying once

TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=30,
)
ALBUMS = st.sampled_from([ALBUM, TRACKLESS, DUPLICATE])
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "title": TEXT,
        "label": st.none() | TEXT,
        "genres": st.none() | st.lists(TEXT, max_size=3),
        "release_date": st.none() | st.dates().map(str),
        "track_count": st.none() | st.integers(0, 99),
        "data_quality": st.sampled_from(["LOW", "MEDIUM", "HIGH"]),
        "musicbrainz_id": st.none() | st.uuids().map(str),
        "cover_art_url": st.none() | TEXT,
    },
).filter(bool)
NEW_TRACKS = st.lists(
    st.tuples(st.integers(2, 3), st.integers(1, 4)), min_size=1, max_size=3, unique=True
).flatmap(
    lambda positions: st.tuples(
        *[
            TEXT.map(lambda title, p=p: {"title": title, "disc_number": p[0], "track_number": p[1]})
            for p in positions
        ]
    )
)
CORRECTIONS = st.one_of(
    st.builds(lambda album, fields: SetAlbumFields(album_id=album, fields=fields), ALBUMS, FIELDS),
    st.builds(
        lambda album, tracks: AddTracks(album_id=album, tracks=list(tracks)), ALBUMS, NEW_TRACKS
    ),
    st.sampled_from(
        [(ALBUM, [TRACK_1]), (ALBUM, [TRACK_1, TRACK_2]), (DUPLICATE, [DUP_TRACK])]
    ).map(lambda x: RemoveTracks(album_id=x[0], track_ids=x[1])),
    st.builds(
        lambda title, ms: ModifyTracks(
            album_id=ALBUM, tracks={TRACK_2: {"title": title, "duration_ms": ms}}
        ),
        TEXT,
        st.none() | st.integers(0, 10**6),
    ),
    st.builds(
        lambda album, name, role: LinkArtist(album_id=album, new_artist={"name": name}, role=role),
        ALBUMS,
        TEXT,
        st.sampled_from(["primary", "featured"]),
    ),
    st.builds(lambda album: LinkArtist(album_id=album, artist_id=ARTIST_B), ALBUMS),
    st.sampled_from([ALBUM, DUPLICATE]).map(
        lambda album: UnlinkArtist(album_id=album, artist_id=ARTIST_A)
    ),
    st.sampled_from([(DUPLICATE, ALBUM), (TRACKLESS, ALBUM)]).map(
        lambda x: MergeAlbums(album_id=x[0], survivor_id=x[1])
    ),
)
# 20 examples each keep this file well under a minute; LLAMAFORENSICS_PROPERTY_EXAMPLES=500 searches harder.
PROPERTY = settings(
    max_examples=int(os.environ.get("LLAMAFORENSICS_PROPERTY_EXAMPLES", 20)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def seeded(databases, upstream_template):
    """A database of this module's own (reset by each example, so hypothesis may share it)."""
    if "db" not in _DB:
        _DB["db"] = databases.new("faults", template=upstream_template)
    return _DB["db"]


def apply_each(dsn, corrections, session) -> list:
    """Prepare each correction against the state the previous ones left, and apply it in ``session``."""
    out = []
    for correction in corrections:
        [prepared] = prepare_corrections(dsn, [correction])
        [result] = apply_corrections(dsn, [prepared], dry_run=False, session=session)
        # an album merged away by an earlier correction: SKIPPED (issue 18; it was INVALID)
        assert result.status in (APPLIED, ALREADY_APPLIED, INVALID, SKIPPED), result.message
        out.append(result)
    return out


@PROPERTY
@given(corrections=st.lists(CORRECTIONS, min_size=1, max_size=4))
# What the search found once, kept: a track changed twice in a session (its undo rewrote updated_at), a merge
# moving the duplicate's tracks (logged as moved), a merge taking an earlier correction's log row with it.
@example(
    corrections=[
        ModifyTracks(album_id=ALBUM, tracks={TRACK_2: {"title": "0"}}),
        ModifyTracks(album_id=ALBUM, tracks={TRACK_2: {"title": "00"}}),
    ]
)
@example(
    corrections=[
        RemoveTracks(album_id=ALBUM, track_ids=[TRACK_1, TRACK_2]),
        MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM),
    ]
)
@example(
    corrections=[
        RemoveTracks(album_id=DUPLICATE, track_ids=[DUP_TRACK]),
        MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM),
    ]
)
def test_apply_then_undo_restores_the_catalog_exactly(seeded, corrections):
    reset(seeded)
    before = checksums(
        seeded, CATALOG_TABLES, ignore=("updated_at",)
    )  # updated_at records the undo's own write
    session = RepairSession()
    results = apply_each(seeded, corrections, session)
    if APPLIED in statuses(results):
        undone = undo(seeded, session.job_id, dry_run=False)
        assert statuses(undone) == [APPLIED] * statuses(results).count(APPLIED), [
            r.message for r in undone
        ]
    assert checksums(seeded, CATALOG_TABLES, ignore=("updated_at",)) == before


@PROPERTY
@given(corrections=st.lists(CORRECTIONS, min_size=1, max_size=4))
@example(
    corrections=[
        UnlinkArtist(album_id=ALBUM, artist_id=ARTIST_A),
        UnlinkArtist(album_id=ALBUM, artist_id=ARTIST_A),  # a no-op, then STALE: the merge below
        MergeAlbums(album_id=DUPLICATE, survivor_id=ALBUM),
    ]
)  # brings the link back
def test_applying_twice_is_applying_once(seeded, corrections):
    reset(seeded)
    first = apply_each(seeded, corrections, RepairSession())
    once = checksums(seeded)  # every table, the log included
    again = apply_corrections(seeded, [r.correction for r in first], dry_run=False)
    for before, after in zip(first, again, strict=True):
        # Applied ones are logged: found again. A no-op or a refusal of the first pass may now be STALE (a later
        # correction moved what it expected) or INVALID: either way the second pass writes nothing.
        assert (
            after.status == ALREADY_APPLIED if before.status == APPLIED else after.status != APPLIED
        ), after.message
    assert checksums(seeded) == once
