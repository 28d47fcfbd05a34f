"""Undo and redo are symmetric (apply, undo, apply again, undo the undo); sessions are listable."""

from __future__ import annotations

import pytest
from repair_seed import ALBUM, CATALOG_TABLES, TRACK_1, checksums, fresh_catalog, query
from test_repair import KINDS

from llamaforensics.repair import (
    ALREADY_APPLIED,
    APPLIED,
    ModifyTracks,
    RepairSession,
    SetAlbumFields,
    apply_corrections,
    prepare_corrections,
    undo,
)

# a row inserted again is the same row, written at another time
CATALOG = dict(tables=CATALOG_TABLES, ignore=("updated_at", "created_at"))


@pytest.fixture
def db(databases, upstream_template):
    return fresh_catalog(databases, upstream_template)


def statuses(results) -> list[str]:
    return [r.status for r in results]


def applications(dsn, correction_id: str) -> int:
    rows = query(
        dsn,
        "SELECT count(*) AS n FROM llama_logs WHERE operation = 'admin_correction' "
        "AND metadata->'llamaforensics'->>'correctionId' = %s",
        [correction_id],
    )
    return rows[0]["n"]


@pytest.mark.parametrize("make, _categories", KINDS)
def test_a_correction_undone_applies_again_as_a_new_logged_correction(db, make, _categories):
    before = checksums(db, **CATALOG)
    [prepared] = prepare_corrections(db, [make()])
    assert statuses(apply_corrections(db, [prepared], dry_run=False)) == [APPLIED]
    corrected = checksums(db, **CATALOG)
    assert statuses(undo(db, prepared.id, dry_run=False)) == [APPLIED]

    [again] = apply_corrections(db, [prepared], dry_run=False)  # the same document, prepared before
    assert again.status == APPLIED, again.message
    assert checksums(db, **CATALOG) == corrected
    assert applications(db, prepared.id) == 2
    assert statuses(apply_corrections(db, [prepared], dry_run=False)) == [ALREADY_APPLIED]

    assert statuses(undo(db, prepared.id, dry_run=False)) == [APPLIED]  # the redo, undone in turn
    assert checksums(db, **CATALOG) == before


@pytest.mark.parametrize("make, _categories", KINDS)
def test_undoing_an_undo_restores_the_corrected_state(db, make, _categories):
    [prepared] = prepare_corrections(db, [make()])
    apply_corrections(db, [prepared], dry_run=False)
    corrected = checksums(db, **CATALOG)
    [undone] = undo(db, prepared.id, dry_run=False)

    [redone] = undo(db, undone.correction.id, dry_run=False)
    assert redone.status == APPLIED, redone.message
    assert checksums(db, **CATALOG) == corrected
    assert statuses(undo(db, undone.correction.id, dry_run=False)) == [ALREADY_APPLIED]
    # the correction is in effect again: applying it is a no-op
    assert statuses(apply_corrections(db, [prepared], dry_run=False)) == [ALREADY_APPLIED]


def session_of_three(db) -> RepairSession:
    session = RepairSession()
    results = apply_corrections(
        db,
        prepare_corrections(
            db,
            [
                SetAlbumFields(album_id=ALBUM, fields={"title": "X"}),
                ModifyTracks(album_id=ALBUM, tracks={TRACK_1: {"title": "Uno"}}),
                SetAlbumFields(album_id=ALBUM, fields={"label": "L"}),
            ],
        ),
        dry_run=False,
        session=session,
    )
    assert statuses(results) == [APPLIED] * 3, [r.message for r in results]
    return session


def test_a_session_undone_then_undone_again_is_back_and_its_batch_applies_again(db):
    session = session_of_three(db)
    corrected = checksums(db, **CATALOG)
    undo_session = RepairSession()
    assert statuses(undo(db, session.job_id, dry_run=False, session=undo_session)) == [APPLIED] * 3
    assert statuses(undo(db, undo_session.job_id, dry_run=False)) == [APPLIED] * 3
    assert checksums(db, **CATALOG) == corrected


def test_a_batch_prepared_together_redoes_in_turn_after_its_session_was_undone(db):
    batch = prepare_corrections(
        db,
        [
            SetAlbumFields(album_id=ALBUM, fields={"title": "X"}),
            ModifyTracks(album_id=ALBUM, tracks={TRACK_1: {"title": "Uno"}}),
            SetAlbumFields(album_id=ALBUM, fields={"label": "L"}),
        ],
    )
    session = RepairSession()
    assert statuses(apply_corrections(db, batch, dry_run=False, session=session)) == [APPLIED] * 3
    corrected = checksums(db, **CATALOG)
    assert statuses(undo(db, session.job_id, dry_run=False)) == [APPLIED] * 3

    results = apply_corrections(db, batch, dry_run=False)
    assert statuses(results) == [APPLIED] * 3, [r.message for r in results]
    assert checksums(db, **CATALOG) == corrected


def test_sessions_are_listed_with_their_applied_undone_and_redone_counts(db):
    from llamaforensics.repair.session_log import repair_sessions, session_history

    first = session_of_three(db)
    undoing = RepairSession(user_id=None)
    undo(db, first.job_id, dry_run=False, session=undoing)
    redoing = RepairSession()
    undo(db, undoing.job_id, dry_run=False, session=redoing)

    listed = repair_sessions(db)
    counted = [
        (s["session"], s["corrections"], s["applied"], s["undone"], s["redone"]) for s in listed
    ]
    assert counted == [
        (redoing.job_id, 3, 0, 0, 3),
        (undoing.job_id, 3, 0, 3, 0),
        (first.job_id, 3, 3, 0, 0),
    ]
    history = session_history(db, first.job_id)
    assert [(h["sequence"], h["kind"], h["role"]) for h in history] == [
        (1, "set_album_fields", "applied"),
        (2, "modify_tracks", "applied"),
        (3, "set_album_fields", "applied"),
    ]
    assert [h["in_effect"] for h in history] == [True] * 3  # undone, then the undo undone
    undos = session_history(db, undoing.job_id)
    assert [(h["role"], h["in_effect"], h["undone_in"]) for h in undos] == [
        ("undone", False, redoing.job_id)
    ] * 3


def test_a_correction_applied_again_is_listed_as_redone(db):
    from llamaforensics.repair.session_log import repair_sessions, session_history

    [prepared] = prepare_corrections(db, [SetAlbumFields(album_id=ALBUM, fields={"title": "X"})])
    apply_corrections(db, [prepared], dry_run=False)
    undo(db, prepared.id, dry_run=False)
    again = RepairSession()
    apply_corrections(db, [prepared], dry_run=False, session=again)
    newest = repair_sessions(db)[0]
    assert (newest["session"], newest["redone"]) == (again.job_id, 1)
    [row] = session_history(db, again.job_id)
    assert (row["correction_id"], row["role"], row["in_effect"]) == (prepared.id, "redone", True)


def test_sessions_from_the_command_line(db, capsys):
    import json

    from llamaforensics.cli import main

    first = session_of_three(db)
    assert main(["repair", "sessions", "--dsn", db.conninfo, "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["session"], listed["applied"], listed["undone"]) == (first.job_id, 3, 0)
    assert main(["repair", "sessions", first.job_id, "--dsn", db.conninfo]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(" applied " in line for line in lines)
    assert main(["repair", "sessions", "llamaforensics-repair-nope", "--dsn", db.conninfo]) == 2
    assert "no repair session llamaforensics-repair-nope" in capsys.readouterr().err


def test_a_forged_session_id_never_reaches_the_terminal_raw(db, capsys):
    import psycopg

    from llamaforensics.cli import main

    forged = "llamaforensics-repair-\x1b]0;owned\x07\x1b[2J"  # sets the title, clears the screen
    with psycopg.connect(db.conninfo) as conn:
        conn.execute(
            "INSERT INTO llama_logs (operation, category, status, triggered_by, "
            "is_root_job, root_job_id, job_id) VALUES ('admin_correction', 'CORRECTED', "
            "'SUCCESS', 'llamaforensics', true, %s, %s)",
            [forged, forged],
        )
    assert main(["repair", "sessions", "--dsn", db.conninfo]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "llamaforensics-repair-" in out
