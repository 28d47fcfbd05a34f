"""Snapshot diff: a repair-like session of changes in PostgreSQL, seen between two snapshots."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import psycopg

from llamaforensics.snapshot.refresh import refresh_snapshot
from llamaforensics.snapshot.take import take_snapshot
from llamaforensics.snapshot_diff import diff_snapshots


def test_diff_sees_added_removed_changed_tracks_and_findings(demo_db, tmp_path):
    before = take_snapshot(demo_db, tmp_path / "before.duckdb", progress=False)
    with psycopg.connect(demo_db.conninfo) as conn:
        trackless = conn.execute(
            "SELECT a.id FROM albums a WHERE NOT EXISTS (SELECT 1 FROM tracks t WHERE t.album_id = a.id) "
            "AND a.musicbrainz_id IS NULL ORDER BY a.id LIMIT 1"
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO tracks (album_id, title, track_number, updated_at) VALUES (%s, 'Fixed 🎸 \"one\"', 1, now())",
            [trackless],
        )
        conn.execute(
            "UPDATE albums SET track_count = 1, title = title || ' (fixed)', updated_at = now() WHERE id = %s",
            [trackless],
        )
        victim, logs = conn.execute(
            "SELECT a.id, count(l.id) FROM albums a JOIN llama_logs l ON l.album_id = a.id "
            'WHERE NOT EXISTS (SELECT 1 FROM "CollectionAlbum" c WHERE c.album_id = a.id) GROUP BY a.id ORDER BY a.id LIMIT 1'
        ).fetchone()
        conn.execute("DELETE FROM albums WHERE id = %s", [victim])  # cascades: its log rows go too
        added = conn.execute(
            "INSERT INTO albums (title, updated_at) VALUES ('Brand New', now()) RETURNING id"
        ).fetchone()[0]
    after = shutil.copy(before, tmp_path / "after.duckdb")
    refresh_snapshot(demo_db, after, progress=False)
    diff = diff_snapshots(before, after)
    assert diff.albums_added["album_id"].to_list() == [str(added)]
    removed = diff.albums_removed.to_dicts()
    assert [r["album_id"] for r in removed] == [str(victim)] and removed[0][
        "log_rows_kept"
    ] == logs > 0
    changed = {(r["album_id"], r["field"]) for r in diff.fields_changed.to_dicts()}
    assert {(str(trackless), "title"), (str(trackless), "track_count")} <= changed
    tracks = diff.tracks_changed.filter(
        diff.tracks_changed["album_id"] == str(trackless)
    ).to_dicts()[0]
    assert tracks["gained"] == 1 and tracks["gained_titles"] == ['Fixed 🎸 "one"']
    resolved = {(r["kind"], r["entity_id"]) for r in diff.findings_resolved.to_dicts()}
    assert ("trackless_album", str(trackless)) in resolved
    appeared = {(r["kind"], r["entity_id"]) for r in diff.findings_appeared.to_dicts()}
    assert ("artistless_album", str(added)) in appeared and (
        "no_created_log",
        str(added),
    ) in appeared


def test_identical_snapshots_have_no_differences(demo_snapshot):
    diff = diff_snapshots(demo_snapshot, demo_snapshot)
    assert not any(diff.counts.values())


def test_cli_diff_json_and_bad_input(demo_snapshot, tmp_path):
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "llamaforensics",
            "diff",
            str(demo_snapshot),
            str(demo_snapshot),
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert set(json.loads(ok.stdout)["counts"].values()) == {0}
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database")
    bad = subprocess.run(
        [sys.executable, "-m", "llamaforensics", "diff", str(demo_snapshot), str(junk)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "not a snapshot" in bad.stderr
