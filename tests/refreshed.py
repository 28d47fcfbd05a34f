"""A snapshot with a refresh in its history: one album fixed and one broken between the two.

Between the full snapshot and the refresh, the first trackless album (by id)
gets two tracks -- fixed -- and a new album arrives with no tracks and no
artist -- new. The report's trend and ``--new-since-refresh`` read this.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg

NEW_ALBUM_TITLE = '<img src=x onerror=alert(1)> Arrived "After" the Snapshot'


def first_trackless_album(dsn) -> str:
    """Return the id of the trackless album with the smallest id (a deterministic pick)."""
    with psycopg.connect(dsn.conninfo) as conn:
        return str(
            conn.execute(
                "SELECT a.id FROM albums a "
                "WHERE NOT EXISTS (SELECT 1 FROM tracks t WHERE t.album_id = a.id) "
                "ORDER BY a.id LIMIT 1"
            ).fetchone()[0]
        )


def fix_one_break_one(dsn) -> tuple[str, str]:
    """Give the first trackless album two tracks; add one with no tracks nor artist; return ids."""
    fixed, broken = first_trackless_album(dsn), str(uuid.uuid4())
    with psycopg.connect(dsn.conninfo) as conn:
        for n in (1, 2):
            conn.execute(
                "INSERT INTO tracks (id, album_id, title, track_number, updated_at) "
                "VALUES (gen_random_uuid(), %s, %s, %s, now())",
                (fixed, f"Track {n}", n),
            )
        conn.execute(
            "INSERT INTO albums (id, title, track_count, updated_at) VALUES (%s, %s, 0, now())",
            (broken, NEW_ALBUM_TITLE),
        )
    return fixed, broken


def refreshed_snapshot(dsn, path: Path) -> tuple[Path, str, str]:
    """Snapshot ``dsn``, fix one album and break another, refresh; return the path and both ids."""
    from llamaforensics.snapshot.refresh import refresh_snapshot
    from llamaforensics.snapshot.take import take_snapshot

    take_snapshot(dsn, path, progress=False)
    fixed, broken = fix_one_break_one(dsn)
    refresh_snapshot(dsn, path, progress=False)
    return path, fixed, broken
