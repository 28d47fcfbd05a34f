"""diff sees log rows (new, vanished) and artist links (made, removed) per album; exports."""

from __future__ import annotations

import shutil

import polars as pl
import psycopg
import pytest

from llamaforensics.cli import main
from llamaforensics.snapshot.refresh import refresh_snapshot
from llamaforensics.snapshot.take import take_snapshot
from llamaforensics.snapshot_diff import diff_snapshots


@pytest.fixture
def changed(demo_db, tmp_path):
    """Snapshots around: 2 log rows written about album A, one deleted about B, C's artist swapped."""
    before = take_snapshot(demo_db, tmp_path / "before.duckdb", progress=False)
    with psycopg.connect(demo_db.conninfo) as conn:
        a, b, c = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM albums WHERE id IN (SELECT album_id FROM album_artists) "
                "AND id IN (SELECT album_id FROM llama_logs) ORDER BY id LIMIT 3"
            ).fetchall()
        ]
        for _ in range(2):
            conn.execute(
                "INSERT INTO llama_logs "
                "(entity_type, entity_id, album_id, operation, status, category) "
                "VALUES ('ALBUM', %s, %s, 'test:touch', 'SUCCESS', 'ENRICHED')",
                (a, a),
            )
        conn.execute(
            "DELETE FROM llama_logs WHERE id = (SELECT id FROM llama_logs WHERE album_id = %s "
            "ORDER BY id LIMIT 1)",
            (b,),
        )
        old_artist, old_name = conn.execute(
            "SELECT ar.id, ar.name FROM album_artists aa JOIN artists ar ON ar.id = aa.artist_id "
            "WHERE aa.album_id = %s ORDER BY ar.id LIMIT 1",
            (c,),
        ).fetchone()
        new_artist, new_name = conn.execute(
            "SELECT id, name FROM artists "
            "WHERE id NOT IN (SELECT artist_id FROM album_artists WHERE album_id = %s) "
            "ORDER BY id LIMIT 1",
            (c,),
        ).fetchone()
        role = conn.execute(
            "SELECT role FROM album_artists WHERE album_id = %s AND artist_id = %s", (c, old_artist)
        ).fetchone()[0]
        conn.execute(
            "DELETE FROM album_artists WHERE album_id = %s AND artist_id = %s", (c, old_artist)
        )
        conn.execute(
            "INSERT INTO album_artists (album_id, artist_id, role, position) "
            "VALUES (%s, %s, %s, 0)",
            (c, new_artist, role),
        )
    after = shutil.copy(before, tmp_path / "after.duckdb")
    refresh_snapshot(demo_db, after, progress=False)
    return before, after, str(a), str(b), str(c), old_name, new_name


def test_diff_counts_log_rows_and_artist_links_per_album(changed):
    before, after, a, b, c, old_name, new_name = changed
    diff = diff_snapshots(before, after)
    logs = {
        r["album_id"]: (r["new"], r["changed"], r["vanished"])
        for r in diff.log_rows_changed.to_dicts()
    }
    assert logs == {a: (2, 0, 0), b: (0, 0, 1)}
    assert diff.artist_links_changed.to_dicts() == [
        {
            "album_id": c,
            "linked": 1,
            "unlinked": 1,
            "linked_artists": [new_name],
            "unlinked_artists": [old_name],
        }
    ]
    assert {
        k: diff.counts[k]
        for k in ("log_rows_new", "log_rows_vanished", "artist_links_added", "artist_links_removed")
    } == {
        "log_rows_new": 2,
        "log_rows_vanished": 1,
        "artist_links_added": 1,
        "artist_links_removed": 1,
    }
    per_album = {r["album_id"]: r for r in diff.per_album().to_dicts()}
    assert per_album[a]["log_rows_new"] == 2 and per_album[b]["log_rows_vanished"] == 1
    assert (per_album[c]["artists_linked"], per_album[c]["artists_unlinked"]) == (1, 1)


def test_diff_exports_the_per_album_table(changed, tmp_path, capsys):
    before, after, a, b, c, _, _ = changed
    for fmt in ("csv", "parquet"):
        assert (
            main(
                ["diff", str(before), str(after), "--format", fmt, "-o", str(tmp_path / f"d.{fmt}")]
            )
            == 0
        )
        assert capsys.readouterr().out.startswith(f"wrote {tmp_path / f'd.{fmt}'} (")
    csv, parquet = pl.read_csv(tmp_path / "d.csv"), pl.read_parquet(tmp_path / "d.parquet")
    assert csv.equals(parquet)
    assert {a, b, c} <= set(csv["album_id"])
    assert main(["diff", str(before), str(after), "--table", "artist_links_changed", "--json"]) == 0
    assert c in capsys.readouterr().out
    assert main(["diff", str(before), str(after)]) == 0
    out = capsys.readouterr().out
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert "log rows new 2" in lines and "artist links removed 1" in lines
    assert max(len(line) for line in out.splitlines()[1:]) <= 120  # the first names the two files
