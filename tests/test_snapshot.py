"""Snapshots: exact copies, one consistent moment, incremental refresh that never forgets, drift tolerated."""

from __future__ import annotations

import threading
import time
import uuid

import duckdb
import psycopg
import pytest
from pgtools import postgres_checksums, snapshot_checksums

from llamaforensics.errors import SnapshotError
from llamaforensics.snapshot import open_snapshot, snapshot_info
from llamaforensics.snapshot.format import SNAPSHOT_TABLES
from llamaforensics.snapshot.refresh import refresh_snapshot
from llamaforensics.snapshot.take import take_snapshot

HOSTILE_TITLES = [
    'It\'s "quoted"; DROP TABLE albums; --',
    "Back\\slash\ttab\nnewline",
    "🎸🔥 Emoji Album 🎵",
    "東京事変 – 教育 (Deluxe Edition)",
    "מוזיקה RTL",
    "x" * 255,
]


def seed(dsn, extra_logs: int = 0) -> dict:
    """Insert a small catalog full of hostile values; return the ids it made."""
    ids = {"albums": [], "artists": [], "users": ["user-1", "user'2"]}
    with psycopg.connect(dsn.conninfo) as conn:
        for uid in ids["users"]:
            conn.execute(
                'INSERT INTO "User"(id, name, email, role, "updatedAt") VALUES (%s, %s, %s, %s, now())',
                [uid, f"Name of {uid}", f"{uid}@example.org", "ADMIN"],
            )
        artist = conn.execute(
            "INSERT INTO artists(name, genres, updated_at) VALUES (%s, %s, now()) RETURNING id",
            ["Björk & \"The\" 'Sugarcubes'", ["art pop", "a,b", 'with "quote"']],
        ).fetchone()[0]
        ids["artists"].append(artist)
        for n, title in enumerate(HOSTILE_TITLES):
            album = conn.execute(
                "INSERT INTO albums(title, genres, metadata, source, release_date, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, now()) RETURNING id",
                [
                    title,
                    None if n % 2 else ["rock", "{braces}", "NULL"],
                    psycopg.types.json.Jsonb(
                        [1, "not an object", None]
                        if n == 1
                        else {"syncSource": "manual", "n": n, "ü": "ö"}
                    ),
                    "SPOTIFY",
                    f"2024-0{n % 9 + 1}-01",
                ],
            ).fetchone()[0]
            ids["albums"].append(album)
            conn.execute(
                "INSERT INTO album_artists(album_id, artist_id) VALUES (%s, %s)", [album, artist]
            )
            track = conn.execute(
                "INSERT INTO tracks(album_id, title, track_number, updated_at) VALUES (%s, %s, 1, now()) RETURNING id",
                [album, title[:255]],
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO track_artists(track_id, artist_id) VALUES (%s, %s)", [track, artist]
            )
            conn.execute(
                "INSERT INTO llama_logs(entity_type, entity_id, album_id, operation, category, status, sources, "
                "fields_enriched, metadata, preview_data, job_id, root_job_id, is_root_job, user_id, created_at) "
                "VALUES ('ALBUM', %s, %s, 'album:created:spotify-sync', 'CREATED', 'SUCCESS', %s, %s, %s, %s, %s, %s, true, %s, "
                "timestamp '2026-01-01 10:00:00.123' + %s * interval '1 minute')",
                [
                    album,
                    album,
                    ["SPOTIFY"],
                    ["title"],
                    psycopg.types.json.Jsonb({"title": title}),
                    psycopg.types.json.Jsonb("just a string"),
                    f"job-{n}",
                    f"job-{n}",
                    ids["users"][n % 2],
                    n,
                ],
            )
        conn.execute(
            "INSERT INTO sync_jobs(job_id, job_type, status, metadata, updated_at) "
            "VALUES ('job-0', 'SPOTIFY_NEW_RELEASES', 'COMPLETED', '{\"batch\": 6}', now())"
        )
        add_logs(conn, extra_logs)
    return ids


def add_logs(conn, n: int, operation: str = "enrichment:album") -> None:
    conn.execute(
        "INSERT INTO llama_logs(operation, category, status, created_at) "
        "SELECT %s, 'ENRICHED', 'SUCCESS', now() - g * interval '1 second' FROM generate_series(1, %s) g",
        [operation, n],
    )


@pytest.fixture
def seeded_db(empty_db):
    seed(empty_db, extra_logs=500)
    return empty_db


def test_snapshot_holds_exactly_the_source_rows(seeded_db, tmp_path):
    path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)
    assert snapshot_checksums(path) == postgres_checksums(seeded_db)


def test_snapshot_keeps_upstream_types(seeded_db, tmp_path):
    path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)
    con = open_snapshot(path)
    types = {
        (t, c): ty
        for t, c, ty in con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
        ).fetchall()
    }
    assert types[("llama_logs", "id")] == "UUID"
    assert types[("llama_logs", "category")].startswith("ENUM('CREATED', 'ENRICHED'")
    assert types[("llama_logs", "sources")] == "VARCHAR[]"
    assert types[("llama_logs", "metadata")] == "JSON"
    assert types[("llama_logs", "created_at")] == "TIMESTAMP"
    title, genres, meta = con.execute(
        "SELECT title, genres, metadata->>'$.ü' FROM albums WHERE title LIKE 'It''s%'"
    ).fetchone()
    assert (title, genres, meta) == (HOSTILE_TITLES[0], ["rock", "{braces}", "NULL"], "ö")
    assert (
        con.execute("SELECT max(created_at) FROM llama_logs WHERE is_root_job")
        .fetchone()[0]
        .microsecond
        == 123000
    )


def test_manifest_records_source_counts_and_fingerprint(seeded_db, tmp_path):
    path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)
    info = snapshot_info(path)
    m = info.manifest
    assert (m.kind, m.source) == ("full", seeded_db.display)
    assert m.row_counts == {
        "llama_logs": 506,
        "albums": 6,
        "artists": 1,
        "tracks": 6,
        "album_artists": 6,
        "track_artists": 6,
        "sync_jobs": 1,
        "users": 2,
    }
    assert len(m.schema_fingerprint) == 16 and m.drift == []
    assert m.tool_version and m.server_version.startswith("15") or m.server_version


def test_snapshot_is_one_consistent_moment_while_a_writer_commits(seeded_db, tmp_path):
    """Each writer transaction adds an album AND its CREATED log: a snapshot must hold both or neither."""
    with psycopg.connect(seeded_db.conninfo) as conn:
        add_logs(conn, 200_000)  # make the copy take long enough for the writer to commit during it
    stop = threading.Event()
    commits = []

    def writer():
        with psycopg.connect(seeded_db.conninfo, autocommit=True) as conn:
            while not stop.is_set():
                with conn.transaction():
                    album = conn.execute(
                        "INSERT INTO albums(title, updated_at) VALUES ('writer', now()) RETURNING id"
                    ).fetchone()[0]
                    conn.execute(
                        "INSERT INTO llama_logs(album_id, operation, category, status) "
                        "VALUES (%s, 'album:created:spotify-sync', 'CREATED', 'SUCCESS')",
                        [album],
                    )
                commits.append(time.perf_counter())

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.2)
        started = time.perf_counter()
        path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)
        finished = time.perf_counter()
    finally:
        stop.set()
        thread.join()
    assert sum(started < t < finished for t in commits) > 5, (
        "the writer must commit while the copy runs"
    )
    con = open_snapshot(path)
    albums = con.execute("SELECT count(*) FROM albums WHERE title = 'writer'").fetchone()[0]
    logs = con.execute(
        "SELECT count(*) FROM llama_logs l JOIN albums a ON a.id = l.album_id "
        "WHERE a.title = 'writer'"
    ).fetchone()[0]
    orphan_logs = con.execute(
        "SELECT count(*) FROM llama_logs l ANTI JOIN albums a ON a.id = l.album_id "
        "WHERE l.album_id IS NOT NULL"
    ).fetchone()[0]
    assert albums == logs and orphan_logs == 0
    assert albums < len(commits)


def test_refresh_adds_only_new_log_rows_and_keeps_deleted_history(seeded_db, tmp_path):
    path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)
    with psycopg.connect(seeded_db.conninfo) as conn:
        victim = conn.execute("SELECT id FROM albums WHERE title = %s", ["x" * 255]).fetchone()[0]
        victim_logs = conn.execute(
            "SELECT count(*) FROM llama_logs WHERE album_id = %s", [victim]
        ).fetchone()[0]
        conn.execute(
            "DELETE FROM albums WHERE id = %s", [victim]
        )  # cascades to tracks, links and logs
        add_logs(conn, 7, operation="cache:album-cover-art")
        conn.execute(
            "UPDATE llama_logs SET reason = 'rewritten later' WHERE operation = 'enrichment:album'"
        )
        conn.execute("UPDATE albums SET title = 'Renamed' WHERE title LIKE 'Back%'")
    result = refresh_snapshot(seeded_db, path, progress=False)
    assert result["new_rows"]["llama_logs"] == 7
    assert result["deleted_rows"]["llama_logs"] == victim_logs
    assert result["deleted_rows"]["albums"] == 1 and result["deleted_rows"]["tracks"] == 1
    con = open_snapshot(path)
    kept = con.execute(
        "SELECT _lf_deleted_at IS NOT NULL FROM albums WHERE id = ?", [victim]
    ).fetchone()
    assert kept == (True,)
    assert (
        con.execute(
            "SELECT count(*) FROM llama_logs WHERE album_id = ? AND _lf_deleted_at IS NOT NULL",
            [victim],
        ).fetchone()[0]
        == victim_logs
    )
    # log rows are append-only: an old row is never re-copied, so its first-seen value stays
    assert (
        con.execute("SELECT count(*) FROM llama_logs WHERE reason = 'rewritten later'").fetchone()[
            0
        ]
        == 0
    )
    # the catalog is re-read: the rename shows
    assert con.execute("SELECT count(*) FROM albums WHERE title = 'Renamed'").fetchone()[0] == 1
    live = snapshot_checksums(path)
    source = postgres_checksums(seeded_db)
    assert {t: live[t] for t in SNAPSHOT_TABLES if t != "llama_logs"} == {
        t: source[t] for t in SNAPSHOT_TABLES if t != "llama_logs"
    }
    assert live["llama_logs"][0] == source["llama_logs"][0]
    history = snapshot_info(path).history
    assert [m.kind for m in history] == ["full", "refresh"]


def test_refresh_rewrites_only_catalog_rows_that_changed_and_takes_back_rows_that_return(
    seeded_db, tmp_path
):
    path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)

    def album_rowids() -> dict:
        con = open_snapshot(path)
        try:
            return dict(
                con.execute("SELECT id, rowid FROM albums WHERE _lf_deleted_at IS NULL").fetchall()
            )
        finally:
            con.close()

    before = album_rowids()
    with psycopg.connect(seeded_db.conninfo) as conn:
        renamed = conn.execute(
            "UPDATE albums SET title = 'Renamed' WHERE title LIKE 'Back%' RETURNING id"
        ).fetchone()[0]
        gone = conn.execute("SELECT to_jsonb(a) FROM albums a WHERE title LIKE '🎸%'").fetchone()[0]
        conn.execute("DELETE FROM albums WHERE id = %s", [gone["id"]])
    result = refresh_snapshot(seeded_db, path, progress=False)
    assert result["deleted_rows"]["albums"] == 1 and result["new_rows"]["albums"] == 0
    after = album_rowids()
    untouched = set(before) - {uuid.UUID(gone["id"]), renamed}
    assert {a: after[a] for a in untouched} == {a: before[a] for a in untouched}  # not rewritten
    assert after[renamed] != before[renamed]
    with psycopg.connect(seeded_db.conninfo) as conn:  # the album comes back, as it was
        conn.execute(
            "INSERT INTO albums SELECT * FROM jsonb_populate_record(NULL::albums, %s)",
            [psycopg.types.json.Jsonb(gone)],
        )
    result = refresh_snapshot(seeded_db, path, progress=False)
    assert result["deleted_rows"]["albums"] == 0 and result["new_rows"]["albums"] == 0
    con = open_snapshot(path)
    assert con.execute(
        "SELECT count(*), count(_lf_deleted_at) FROM albums WHERE id = ?", [gone["id"]]
    ).fetchone() == (1, 0)
    con.close()
    assert snapshot_checksums(path)["albums"] == postgres_checksums(seeded_db)["albums"]


def test_refresh_finds_backdated_rows_and_rows_that_come_back(seeded_db, tmp_path):
    path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)
    with psycopg.connect(seeded_db.conninfo) as conn:
        conn.execute(
            "INSERT INTO llama_logs(operation, category, status, created_at) "
            "VALUES ('backdated', 'CREATED', 'SUCCESS', timestamp '2001-01-01')"
        )
    assert refresh_snapshot(seeded_db, path, progress=False)["new_rows"]["llama_logs"] == 1
    assert refresh_snapshot(seeded_db, path, progress=False)["new_rows"]["llama_logs"] == 0


def test_refresh_counts_the_log_in_its_own_snapshot_while_a_writer_commits(
    seeded_db, tmp_path, monkeypatch
):
    """The exact log count runs on a second connection: it must see the refresh's moment, not a later one."""
    from llamaforensics.snapshot import refresh as refresh_module

    path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)
    real_transaction = refresh_module.read_only_transaction

    def connect_after_a_commit(
        dsn, **kwargs
    ):  # a writer commits after the refresh's snapshot was taken
        with psycopg.connect(seeded_db.conninfo) as conn:
            add_logs(conn, 3, operation="committed-after-the-refresh-began")
        return real_transaction(dsn, **kwargs)

    monkeypatch.setattr(refresh_module, "read_only_transaction", connect_after_a_commit)
    result = refresh_snapshot(seeded_db, path, progress=False)
    con = open_snapshot(path)
    live = con.execute("SELECT count(*) FROM llama_logs WHERE _lf_deleted_at IS NULL").fetchone()[0]
    late = con.execute(
        "SELECT count(*) FROM llama_logs WHERE operation LIKE 'committed-after%'"
    ).fetchone()[0]
    assert late == 0 and result["row_counts"]["llama_logs"] == live
    assert snapshot_info(path).manifest.row_counts["llama_logs"] == live
    con.close()
    monkeypatch.undo()
    assert refresh_snapshot(seeded_db, path, progress=False)["new_rows"]["llama_logs"] == 3


def compressions_of_repeated_values(path, tmp_path) -> dict[str, set[str]]:
    """How a copy of the snapshot stores 150,000 new log rows of 4 repeating strings, per text column.

    DuckDB chooses dictionary compression for so few values (with 100 of them
    its sampled choice sometimes fell to FSST); a column pinned to FSST keeps
    FSST whatever it holds.
    """
    copy = tmp_path / f"copy-of-{path.name}"
    copy.write_bytes(path.read_bytes())
    con = duckdb.connect(str(copy))
    try:
        con.execute(
            "INSERT INTO llama_logs (id, operation, reason, metadata) SELECT uuid(), 'op ' || (i % 4), "
            "'reason ' || (i % 4), json_object('n', i % 4) FROM range(150000) r(i)"
        )
        con.execute("CHECKPOINT")
        rows = con.execute(
            "SELECT column_name, compression FROM pragma_storage_info('llama_logs') "
            "WHERE column_name IN ('operation', 'reason', 'metadata') AND segment_type <> 'VALIDITY' "
            "AND row_group_id > 0 GROUP BY ALL"
        ).fetchall()
    finally:
        con.close()
    found: dict[str, set[str]] = {}
    for column, compression in rows:
        found.setdefault(column, set()).add(compression)
    return found


def test_text_columns_the_source_statistics_show_unique_are_stored_with_fsst(seeded_db, tmp_path):
    """Columns pg_stats shows mostly distinct skip DuckDB's dictionary analysis; the others keep DuckDB's choice."""
    with psycopg.connect(seeded_db.conninfo, autocommit=True) as conn:
        # no statistics, and no autovacuum ANALYZE racing the unanalysed snapshot
        conn.execute("ALTER TABLE llama_logs SET (autovacuum_enabled = false)")
        conn.execute("DELETE FROM pg_statistic WHERE starelid = 'llama_logs'::regclass")
        conn.execute(
            "INSERT INTO llama_logs(operation, category, status, reason, metadata, created_at) "
            "SELECT 'enrichment:album', 'ENRICHED', 'SUCCESS', 'searched release group ' || g, "
            "jsonb_build_object('n', g), now() FROM generate_series(1, 5000) g"
        )
        unanalysed = take_snapshot(seeded_db, tmp_path / "unanalysed.duckdb", progress=False)
        conn.execute("ANALYZE")
    path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)
    assert postgres_checksums(seeded_db) == snapshot_checksums(path)
    pinned = compressions_of_repeated_values(path, tmp_path)
    assert pinned["reason"] == pinned["metadata"] == {"FSST"}
    assert "FSST" not in pinned["operation"]
    # without statistics DuckDB chooses for every column
    assert "FSST" not in compressions_of_repeated_values(unanalysed, tmp_path)["reason"]


def test_refreshes_merge_their_small_row_groups_every_eighth_time(seeded_db, tmp_path):
    """Seven refreshes append a row group each without rewriting stored rows; the eighth merges them."""
    path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)

    def row_groups() -> int:
        con = duckdb.connect(str(path), read_only=True)
        try:
            return con.execute(
                "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('llama_logs')"
            ).fetchone()[0]
        finally:
            con.close()

    counts = [row_groups()]
    for n in range(8):
        with psycopg.connect(seeded_db.conninfo) as conn:
            add_logs(conn, 3, operation=f"refresh-{n}")
        assert refresh_snapshot(seeded_db, path, progress=False)["new_rows"]["llama_logs"] == 3
        counts.append(row_groups())
    assert counts[1:8] == [counts[0] + n for n in range(1, 8)]
    assert counts[8] < counts[7]
    assert postgres_checksums(seeded_db)["llama_logs"] == snapshot_checksums(path)["llama_logs"]


def test_refresh_describes_the_snapshot_it_leaves(seeded_db, tmp_path):
    path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)
    with psycopg.connect(seeded_db.conninfo) as conn:
        add_logs(conn, 4)
        conn.execute("DELETE FROM albums WHERE title LIKE 'x%'")
    info = refresh_snapshot(seeded_db, path, progress=False)["info"]
    assert info == snapshot_info(path)
    assert info.tables["llama_logs"]["live"] > 0 and info.tables["albums"]["deleted_upstream"] == 1


def test_schema_drift_is_reported_and_tolerated(seeded_db, tmp_path):
    with psycopg.connect(seeded_db.conninfo, autocommit=True) as conn:
        conn.execute("ALTER TABLE albums ADD COLUMN popularity integer")
        conn.execute("ALTER TABLE tracks DROP COLUMN isrc")
        conn.execute("ALTER TYPE \"LlamaLogCategory\" ADD VALUE 'ARCHIVED'")
        conn.execute(
            "INSERT INTO llama_logs(operation, category, status) VALUES ('archive', 'ARCHIVED', 'SUCCESS')"
        )
    path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)
    drift = snapshot_info(path).manifest.drift
    assert "column tracks.isrc is missing: copied as NULL" in drift
    assert "column albums.popularity is not in the app's schema: not copied" in drift
    assert (
        'enum "LlamaLogCategory" has values the workbench does not know: ARCHIVED (kept)' in drift
    )
    con = open_snapshot(path)
    assert (
        con.execute("SELECT count(*) FROM llama_logs WHERE category = 'ARCHIVED'").fetchone()[0]
        == 1
    )
    assert con.execute("SELECT count(*) FROM tracks WHERE isrc IS NULL").fetchone()[0] == 6


def test_snapshot_without_catalog_tables_still_copies_the_log(empty_db, tmp_path):
    with psycopg.connect(empty_db.conninfo, autocommit=True) as conn:
        conn.execute("DROP TABLE track_artists")
        add_logs(conn, 3)
    path = take_snapshot(empty_db, tmp_path / "s.duckdb", progress=False)
    info = snapshot_info(path)
    assert info.tables["llama_logs"]["live"] == 3
    assert (
        "table track_artists is missing: the snapshot's track_artists stays empty"
        in info.manifest.drift
    )


def test_file_from_a_newer_version_is_refused(seeded_db, tmp_path):
    path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)
    con = duckdb.connect(str(path))
    con.execute("UPDATE _lf_manifest SET format_version = 99, tool_version = '9.0.0'")
    con.close()
    with pytest.raises(
        SnapshotError, match=r"written by llamaforensics 9\.0\.0 .*upgrade llamaforensics"
    ):
        open_snapshot(path)


def test_duckdb_file_that_is_no_snapshot_is_refused(tmp_path):
    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).execute("CREATE TABLE t(x int)").close()
    with pytest.raises(SnapshotError, match="not a llamaforensics snapshot"):
        open_snapshot(path)


def test_unique_ids_do_not_collide_across_refreshes(seeded_db, tmp_path):
    path = take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)
    for _ in range(3):
        with psycopg.connect(seeded_db.conninfo) as conn:
            add_logs(conn, 5)
        refresh_snapshot(seeded_db, path, progress=False)
    con = open_snapshot(path)
    total, distinct = con.execute("SELECT count(*), count(DISTINCT id) FROM llama_logs").fetchone()
    assert total == distinct == 506 + 15
    assert uuid.UUID(str(con.execute("SELECT id FROM llama_logs LIMIT 1").fetchone()[0]))


def test_duckdb_prints_no_bar_of_its_own_where_it_would(tmp_path):
    """Run as ``python -c`` (where DuckDB thinks a person is watching), a long query prints only its result.

    DuckDB's own bar goes to stdout, into ``--json`` output and through ``--quiet``; the workbench draws its own.
    """
    import subprocess
    import sys

    code = (
        "from llamaforensics.snapshot.format import connect\n"
        f"con = connect({str(tmp_path / 'quiet.duckdb')!r})\n"
        "con.execute('SET progress_bar_time = 0')\n"
        "print(con.execute('SELECT sum(i) FROM range(200000000) t(i)').fetchone()[0])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out == f"{sum(range(200_000_000))}\n"


def test_a_file_replaced_while_still_open_is_refused_not_shown_as_it_was(seeded_db, tmp_path):
    """DuckDB keeps one instance per file in a process: reopening a replaced snapshot would show the earlier one."""
    path = tmp_path / "replaced.duckdb"
    take_snapshot(seeded_db, path, progress=False)
    earlier = open_snapshot(path)
    before = earlier.execute("SELECT count(*) FROM llama_logs").fetchone()[0]
    with psycopg.connect(seeded_db.conninfo) as conn:
        add_logs(conn, 7)
    take_snapshot(seeded_db, path, progress=False)  # written beside it, renamed over it
    with pytest.raises(SnapshotError, match="replaced by a newer snapshot .* close that first"):
        open_snapshot(path)
    earlier.close()
    assert (
        open_snapshot(path).execute("SELECT count(*) FROM llama_logs").fetchone()[0] == before + 7
    )


# --- every value PostgreSQL can hold (issue 19) -------------------------------------------------

EXTREME_TIMES = [
    "294276-12-31 23:59:59.999",
    "4713-01-01 00:00:00 BC",
    "infinity",
    "-infinity",
    "294247-01-10 04:00:54.776",
    "294247-01-01 00:00:00",
    "1999-12-31 23:59:59.999",
]
EXTREME_DATES = ["5874897-12-31", "4713-01-01 BC", "infinity", "-infinity", "2024-02-29"]


def seed_extremes(dsn) -> None:
    """Albums at (and past DuckDB's) ends of PostgreSQL's time range; tracks with NaN and inf."""
    document = '{"huge": 1e400, "exact": 123456789012345678901234567890.123456789}'
    with psycopg.connect(dsn.conninfo) as conn:
        for n, when in enumerate(EXTREME_TIMES):
            album = str(uuid.UUID(int=0xE0 + n))
            conn.execute(
                "INSERT INTO albums (id, title, created_at, last_enriched, updated_at, "
                "release_date, metadata) VALUES (%s, %s, %s, %s, now(), %s, %s::jsonb)",
                [
                    album,
                    f"extreme {n}",
                    when,
                    EXTREME_TIMES[-1 - n],
                    EXTREME_DATES[n % len(EXTREME_DATES)],
                    document,
                ],
            )
            conn.execute(
                "INSERT INTO llama_logs (album_id, operation, category, status, "
                "created_at) VALUES (%s, 'album:created:spotify-sync', 'CREATED', "
                "'SUCCESS', %s)",
                [album, when],
            )
        conn.execute(
            "INSERT INTO tracks (album_id, title, track_number, updated_at, energy, "
            "valence, tempo, loudness) VALUES (%s, 't', 1, now(), 'NaN', 'Infinity', "
            "'-Infinity', 1e308)",
            [str(uuid.UUID(int=0xE0))],
        )


def source_text(dsn, table: str, column: str) -> dict[str, str]:
    with psycopg.connect(dsn.conninfo) as conn:
        return dict(
            conn.execute(
                f'SELECT id::text, "{column}"::text FROM public."{table}" '
                f'WHERE "{column}" IS NOT NULL'
            ).fetchall()
        )


@pytest.mark.parametrize(
    "table, column",
    [
        pytest.param("albums", "created_at", id="albums-created-at"),
        pytest.param("albums", "last_enriched", id="nullable-infinity"),
        pytest.param("albums", "release_date", id="dates"),
        pytest.param("llama_logs", "created_at", id="log-times"),
    ],
)
def test_every_postgres_time_survives_the_snapshot_and_a_refresh_exactly(
    empty_db, tmp_path, table, column
):
    from llamaforensics.snapshot.extremes import as_postgres_text

    seed_extremes(empty_db)
    path = take_snapshot(empty_db, tmp_path / "s.duckdb", progress=False)
    expected = source_text(empty_db, table, column)
    with duckdb.connect(str(path), read_only=True) as con:
        assert as_postgres_text(con, table, column) == expected
    refreshed = refresh_snapshot(empty_db, path, progress=False)
    assert refreshed["deleted_rows"]["albums"] == 0, "an unchanged extreme row must look unchanged"
    with duckdb.connect(str(path), read_only=True) as con:
        assert as_postgres_text(con, table, column) == expected
        assert con.execute("SELECT count(*) FROM albums").fetchone()[0] == len(EXTREME_TIMES)


def test_nan_infinities_and_huge_numbers_survive(empty_db, tmp_path):
    seed_extremes(empty_db)
    path = take_snapshot(empty_db, tmp_path / "s.duckdb", progress=False)
    with duckdb.connect(str(path), read_only=True) as con:
        energy, valence, tempo, loudness = con.execute(
            "SELECT energy, valence, tempo, loudness FROM tracks"
        ).fetchone()
        document = con.execute("SELECT metadata::VARCHAR FROM albums LIMIT 1").fetchone()[0]
    assert energy != energy and (valence, tempo, loudness) == (float("inf"), float("-inf"), 1e308)
    # jsonb numbers are kept as the source's text, every digit (DuckDB's JSON is text)
    assert '"exact": 123456789012345678901234567890.123456789' in document
    assert '"huge": 1' + "0" * 400 + "}" in document or '"huge": 1' + "0" * 400 + "," in document
