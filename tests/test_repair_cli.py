"""``llamaforensics repair``: a whole session from the command line, dry-run by default."""

from __future__ import annotations

import argparse
import json

import pytest
from repair_seed import ALBUM, TRACKLESS, USER, checksums, fresh_catalog, query

from llamaforensics.commands import repair as repair_command
from llamaforensics.repair import AddTracks, InvalidCorrection, SetAlbumFields, dump_corrections


@pytest.fixture
def db(databases, upstream_template):
    """The small seeded catalog (repair_seed.py), fresh for this test."""
    return fresh_catalog(databases, upstream_template)


def run(*argv) -> int:
    parser = argparse.ArgumentParser(prog="llamaforensics")
    repair_command.register(
        parser.add_subparsers(dest="command", required=True), argparse.HelpFormatter
    )
    args = parser.parse_args(["repair", *map(str, argv)])
    return args.run(args)


@pytest.fixture
def fixes(tmp_path):
    path = tmp_path / "fixes.json"
    path.write_text(
        dump_corrections(
            [
                SetAlbumFields(album_id=ALBUM, fields={"title": "Fixed"}),
                AddTracks(album_id=TRACKLESS, tracks=[{"title": "A", "track_number": 1}]),
            ]
        )
    )

    return path


def test_a_repair_session_from_the_command_line(db, fixes, tmp_path, capsys):
    planned = tmp_path / "planned.json"
    assert run("plan", fixes, "--dsn", db.conninfo, "-o", planned) == 0
    assert all(c["expected"]["updated_at"] for c in json.loads(planned.read_text())["corrections"])

    before = checksums(db)
    assert run("preview", planned, "--dsn", db.conninfo) == 0
    assert run("apply", planned, "--dsn", db.conninfo) == 0
    out = capsys.readouterr().out
    assert "title: 'Silent Rivers' -> 'Fixed'" in out and "+ track 1-1 'A'" in out
    assert "summary: 0 applied, 2 dry run, 0 stale, 0 invalid" in out
    assert checksums(db) == before

    assert run("apply", planned, "--dsn", db.conninfo, "--apply", "--user", USER, "--json") == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in results] == ["APPLIED", "APPLIED"]
    assert run("apply", planned, "--dsn", db.conninfo, "--apply") == 0
    assert "0 applied, 2 already applied" in capsys.readouterr().out

    [session] = query(
        db, "SELECT job_id FROM llama_logs WHERE is_root_job AND triggered_by = 'llamaforensics'"
    )
    assert run("undo", session["job_id"], "--dsn", db.conninfo, "--apply") == 0
    assert query(db, "SELECT title FROM albums WHERE id = %s", [ALBUM]) == [
        {"title": "Silent Rivers"}
    ]


def test_stale_corrections_exit_1(db, fixes, tmp_path, capsys):
    planned = tmp_path / "planned.json"
    run("plan", fixes, "--dsn", db.conninfo, "-o", planned)
    query(
        db,
        "UPDATE albums SET title = 'moved', updated_at = now() WHERE id = %s RETURNING id",
        [ALBUM],
    )
    assert run("apply", planned, "--dsn", db.conninfo, "--apply") == 1
    assert "[STALE]" in capsys.readouterr().out


def test_rehearsal_on_a_snapshot_touches_neither_it_nor_a_database(
    demo_snapshot, demo_data, tmp_path, capsys
):
    album = next(
        r["entity_id"] for r in demo_data.ground_truth.to_pylist() if r["kind"] == "trackless_album"
    )
    path = tmp_path / "fix.json"
    path.write_text(
        dump_corrections([AddTracks(album_id=album, tracks=[{"title": "A", "track_number": 1}])])
    )
    before = demo_snapshot.read_bytes()
    assert (
        run("apply", path, "--snapshot", demo_snapshot, "--rehearsal", tmp_path / "r.duckdb") == 0
    )
    assert "1 applied" in capsys.readouterr().out
    assert demo_snapshot.read_bytes() == before


def test_a_malformed_file_is_a_usage_error(db, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"albumId": "nope", "tracks": [{"trackNumber": 1}]}]))
    with pytest.raises(InvalidCorrection) as info:
        run("apply", path, "--dsn", db.conninfo, "--apply")
    assert info.value.exit_code == 2
    assert "$[0].albumId: 'nope' is not a UUID" in str(info.value)
