"""The lake: exact copies as month-partitioned Parquet, refreshed by partition."""

from __future__ import annotations

import json

import duckdb
import psycopg
import pyarrow.parquet as pq
import pytest
from pgtools import connection_checksums, postgres_checksums, snapshot_checksums
from test_cli import assert_one_line_error, run_cli
from test_snapshot import HOSTILE_TITLES, add_logs, seed

from llamaforensics.engines.analysis import lake_findings
from llamaforensics.errors import SnapshotError
from llamaforensics.findings import run_findings, to_findings
from llamaforensics.lake import (
    export_lake,
    lake_info,
    open_lake,
    read_manifest,
    refresh_lake,
    take_lake,
)
from llamaforensics.snapshot import open_snapshot, snapshot_info
from llamaforensics.snapshot.take import take_snapshot


@pytest.fixture
def seeded_db(empty_db):
    seed(empty_db, extra_logs=500)
    return empty_db


def lake_checksums(lake, live_only: bool = True) -> dict:
    con = open_lake(lake)
    try:
        return connection_checksums(con, live_only)
    finally:
        con.close()


def months_in_postgres(dsn) -> dict[str, int]:
    with psycopg.connect(dsn.conninfo) as conn:
        return dict(
            conn.execute(
                "SELECT to_char(created_at, 'YYYY-MM'), count(*) FROM llama_logs GROUP BY 1"
            ).fetchall()
        )


def rows_per_partition(lake) -> dict[str, int]:
    """Count each month folder's rows with pyarrow alone: the lake is plain Parquet."""
    return {
        d.name.removeprefix("month="): sum(
            pq.ParquetFile(f).metadata.num_rows for f in d.glob("*.parquet")
        )
        for d in sorted((lake / "llama_logs").iterdir())
    }


def test_lake_holds_exactly_the_source_rows_one_folder_per_month(seeded_db, tmp_path):
    lake = take_lake(seeded_db, tmp_path / "lake", progress=False)
    assert lake_checksums(lake) == postgres_checksums(seeded_db)
    assert rows_per_partition(lake) == months_in_postgres(seeded_db)
    assert "2026-01" in rows_per_partition(lake)  # the seeded albums' CREATED rows
    assert sorted(p.name for p in lake.iterdir()) == [
        "album_artists",
        "albums",
        "artists",
        "llama_logs",
        "manifest.json",
        "sync_jobs",
        "track_artists",
        "tracks",
        "users",
    ]
    assert [p.name for p in (lake / "albums").iterdir()] == ["data_0.parquet"]


def test_lake_keeps_the_snapshot_types_and_every_reader_reads_it(seeded_db, tmp_path):
    lake = take_lake(seeded_db, tmp_path / "lake", progress=False)
    con = open_lake(lake)
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'llama_logs'"
        ).fetchall()
    )
    assert (types["id"], types["sources"], types["metadata"], types["created_at"]) == (
        "UUID",
        "VARCHAR[]",
        "JSON",
        "TIMESTAMP",
    )
    assert types["category"].startswith("ENUM('CREATED', 'ENRICHED'")
    title, genres, meta = con.execute(
        "SELECT title, genres, metadata->>'$.ü' FROM albums WHERE title LIKE 'It''s%'"
    ).fetchone()
    assert (title, genres, meta) == (HOSTILE_TITLES[0], ["rock", "{braces}", "NULL"], "ö")
    con.close()
    # a plain Parquet reader: uuids as their text, the month from the folder name
    plain = duckdb.sql(
        f"SELECT id, month FROM read_parquet('{lake}/llama_logs/*/*.parquet', "
        "hive_partitioning = true) "
        "WHERE operation = 'album:created:spotify-sync' LIMIT 1"
    ).fetchone()
    assert len(plain[0]) == 36 and plain[1] == "2026-01"
    manifest = read_manifest(lake)
    assert manifest["columns"]["llama_logs"]["id"] == "UUID"
    assert manifest["enums"]["LlamaLogCategory"][:2] == ["CREATED", "ENRICHED"]


def test_lake_manifest_has_the_snapshot_manifests_facts(seeded_db, tmp_path):
    lake = take_lake(seeded_db, tmp_path / "lake", progress=False)
    file_manifest = snapshot_info(
        take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False)
    ).manifest
    entry = read_manifest(lake)["history"][-1]
    assert (entry["kind"], entry["source"], entry["seq"]) == ("full", seeded_db.display, 1)
    assert entry["row_counts"] == {
        "llama_logs": 506,
        "albums": 6,
        "artists": 1,
        "tracks": 6,
        "album_artists": 6,
        "track_artists": 6,
        "sync_jobs": 1,
        "users": 2,
    }
    assert (entry["schema_fingerprint"], entry["drift"], entry["server_version"]) == (
        file_manifest.schema_fingerprint,
        file_manifest.drift,
        file_manifest.server_version,
    )
    assert lake_info(lake).tables["llama_logs"] == {"live": 506, "deleted_upstream": 0}


def test_refresh_rewrites_only_changed_partitions_and_keeps_deleted_marks(seeded_db, tmp_path):
    lake = take_lake(seeded_db, tmp_path / "lake", progress=False)
    before = {p.relative_to(lake): p.stat().st_ino for p in lake.rglob("*.parquet")}
    with psycopg.connect(seeded_db.conninfo) as conn:
        victim = conn.execute("SELECT id FROM albums WHERE title = %s", ["x" * 255]).fetchone()[0]
        # cascades to its track, links and log row
        conn.execute("DELETE FROM albums WHERE id = %s", [victim])
        conn.execute(
            "INSERT INTO llama_logs(operation, category, status, created_at) "
            "VALUES ('backdated', 'CREATED', 'SUCCESS', timestamp '2001-01-15')"
        )
    # one log row gone and one backdated: the counts agree, so only --verify reconciles every id
    first = refresh_lake(seeded_db, lake, progress=False, verify=False)
    assert first["partitions"] == ["albums", "tracks", "album_artists", "track_artists"]
    assert (first["deleted_rows"]["albums"], first["deleted_rows"]["tracks"]) == (1, 1)
    assert (first["new_rows"]["llama_logs"], first["deleted_rows"]["llama_logs"]) == (0, 0)
    result = refresh_lake(seeded_db, lake, progress=False, verify=True)
    assert (result["new_rows"]["llama_logs"], result["deleted_rows"]["llama_logs"]) == (1, 1)
    assert result["partitions"] == ["llama_logs/month=2001-01", "llama_logs/month=2026-01"]
    after = {p.relative_to(lake): p.stat().st_ino for p in lake.rglob("*.parquet")}
    rewritten = tuple(first["partitions"] + result["partitions"])
    untouched = [p for p in before if not str(p).startswith(rewritten)]
    assert untouched and all(after[p] == before[p] for p in untouched)  # same files, not rewritten
    con = open_lake(lake)
    assert (
        con.execute(
            "SELECT count(*) FROM llama_logs WHERE album_id = ? AND _lf_deleted_at IS NOT NULL",
            [victim],
        ).fetchone()[0]
        == 1
    )
    assert con.execute(
        "SELECT _lf_deleted_at IS NOT NULL FROM albums WHERE id = ?", [victim]
    ).fetchone() == (True,)
    con.close()
    assert lake_checksums(lake) == postgres_checksums(seeded_db)
    assert rows_per_partition(lake)["2001-01"] == 1
    quiet = refresh_lake(seeded_db, lake, progress=False)
    assert quiet["partitions"] == [] and quiet["deleted_rows"]["llama_logs"] == 0
    # the deleted row is kept, still marked
    assert lake_checksums(lake, live_only=False)["llama_logs"][0] == 507
    assert [e["kind"] for e in read_manifest(lake)["history"]] == ["full"] + ["refresh"] * 3


def test_refresh_takes_back_a_row_that_returns(seeded_db, tmp_path):
    lake = take_lake(seeded_db, tmp_path / "lake", progress=False)
    with psycopg.connect(seeded_db.conninfo) as conn:
        gone = conn.execute("SELECT to_jsonb(a) FROM albums a WHERE title LIKE '🎸%'").fetchone()[0]
        conn.execute("DELETE FROM albums WHERE id = %s", [gone["id"]])
    refresh_lake(seeded_db, lake, progress=False)
    with psycopg.connect(seeded_db.conninfo) as conn:
        conn.execute(
            "INSERT INTO albums SELECT * FROM jsonb_populate_record(NULL::albums, %s)",
            [psycopg.types.json.Jsonb(gone)],
        )
    result = refresh_lake(seeded_db, lake, progress=False)
    assert (
        result["new_rows"]["albums"],
        result["deleted_rows"]["albums"],
        result["partitions"],
    ) == (0, 0, ["albums"])
    con = open_lake(lake)
    assert con.execute(
        "SELECT count(*), count(_lf_deleted_at) FROM albums WHERE id = ?", [gone["id"]]
    ).fetchone() == (1, 0)
    con.close()


def test_a_failed_refresh_leaves_the_lake_as_it_was(seeded_db, databases, tmp_path):
    lake = take_lake(seeded_db, tmp_path / "lake", progress=False)
    before = {p.relative_to(lake): p.read_bytes() for p in lake.rglob("*") if p.is_file()}
    with pytest.raises(Exception, match="has no table public.llama_logs"):
        refresh_lake(databases.new("bare"), lake, progress=False)
    assert {p.relative_to(lake): p.read_bytes() for p in lake.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lake"]


def test_export_of_a_snapshot_is_the_lake_taken_from_the_database(seeded_db, tmp_path):
    taken = take_lake(seeded_db, tmp_path / "taken", progress=False)
    exported = export_lake(
        take_snapshot(seeded_db, tmp_path / "s.duckdb", progress=False),
        tmp_path / "exported",
        progress=False,
    )
    assert lake_checksums(exported, live_only=False) == lake_checksums(taken, live_only=False)
    assert [e["kind"] for e in read_manifest(exported)["history"]] == ["full", "export"]
    assert snapshot_checksums(tmp_path / "s.duckdb") == lake_checksums(exported)


def test_findings_on_the_lake_with_duckdb_are_the_snapshots(demo_snapshot, tmp_path):
    lake = export_lake(demo_snapshot, tmp_path / "lake", progress=False)
    snap, con = open_snapshot(demo_snapshot), open_lake(lake)
    try:
        expected = [f.to_dict() for f in to_findings(run_findings(snap))]
        assert len(expected) > 1000
        assert [f.to_dict() for f in to_findings(run_findings(con))] == expected
        # the findings command's path: uuids left as the lake's text, the same findings
        assert [f.to_dict() for f in to_findings(lake_findings(lake))] == expected
    finally:
        snap.close()
        con.close()


def test_a_folder_that_is_no_lake_is_neither_replaced_nor_read(tmp_path, demo_snapshot):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"meow")
    with pytest.raises(
        SnapshotError, match="is not a llamaforensics lake; choose a new or empty folder"
    ):
        export_lake(demo_snapshot, tmp_path / "photos", progress=False)
    assert [p.name for p in (tmp_path / "photos").iterdir()] == ["cat.jpg"]
    with pytest.raises(SnapshotError, match=r"is no llamaforensics lake \(no manifest.json\)"):
        open_lake(tmp_path / "photos")


def test_cli_snapshot_lake_then_refresh_and_export(seeded_db, demo_snapshot, tmp_path, capsys):
    lake = tmp_path / "lake"
    code, out, err = run_cli(
        capsys, "snapshot", seeded_db.conninfo, "--lake", str(lake), "--quiet", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["tables"]["llama_logs"] == {"live": 506, "deleted_upstream": 0}
    code, out, err = run_cli(
        capsys, "snapshot", seeded_db.conninfo, "--lake", str(lake), "--refresh", "--quiet"
    )
    assert code == 0, err
    assert "(refresh, 2 run(s))" in out
    with pytest.raises(SystemExit) as usage:
        run_cli(capsys, "snapshot", seeded_db.conninfo, "--lake", str(lake), "-o", "x.duckdb")
    assert (
        usage.value.code == 2
        and "-o/--out: not allowed with argument --lake" in capsys.readouterr().err
    )
    code, out, err = run_cli(
        capsys, "export", str(demo_snapshot), "--lake", str(tmp_path / "demo"), "--quiet"
    )
    assert code == 0, err
    assert "(export, 2 run(s))" in out
    code, _, err = run_cli(
        capsys, "export", str(demo_snapshot), "--lake", str(tmp_path / "demo" / "manifest.json")
    )
    assert code == 2
    assert_one_line_error(err, "manifest.json exists and is not a llamaforensics lake")


def test_a_failed_lake_leaves_nothing_behind(databases, tmp_path):
    with pytest.raises(Exception, match="has no table public.llama_logs"):
        take_lake(databases.new("bare"), tmp_path / "lake", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_the_password_is_in_no_file_of_the_lake(password_server, tmp_path):
    from llamaforensics.postgres.dsn import parse_dsn
    from llamaforensics.schema.install import install_upstream_schema

    admin = password_server.dsn()
    with psycopg.connect(admin.conninfo, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS lake_app")
        conn.execute("CREATE DATABASE lake_app")
    dsn = password_server.dsn(dbname="lake_app")
    install_upstream_schema(dsn)
    seed(dsn, extra_logs=3)
    url = (
        f"postgresql://{password_server.user}:{password_server.password}"
        f"@127.0.0.1:{password_server.port}/lake_app"
    )
    lake = take_lake(parse_dsn(url), tmp_path / "lake", progress=False)
    assert read_manifest(lake)["history"][0]["source"] == dsn.display
    secret = password_server.password.encode()
    assert [p for p in lake.rglob("*") if p.is_file() and secret in p.read_bytes()] == []


def test_a_refresh_failing_while_it_moves_partitions_in_puts_them_back(
    seeded_db, tmp_path, monkeypatch
):
    lake = take_lake(seeded_db, tmp_path / "lake", progress=False)
    before = {p.relative_to(lake): p.read_bytes() for p in lake.rglob("*") if p.is_file()}
    with psycopg.connect(
        seeded_db.conninfo
    ) as conn:  # a new month and a changed album: two partitions
        conn.execute(
            "INSERT INTO llama_logs(operation, category, status, created_at) "
            "VALUES ('backdated', 'CREATED', 'SUCCESS', timestamp '2001-01-15')"
        )
        conn.execute("UPDATE albums SET title = 'Renamed' WHERE title LIKE 'Back%'")
    real = type(lake).replace

    def disk_fails_at_the_albums(self, target):
        if ".tmp" in self.parent.name + self.name and self.name == "albums":
            raise OSError("No space left on device")
        return real(self, target)

    monkeypatch.setattr(type(lake), "replace", disk_fails_at_the_albums)
    with pytest.raises(OSError, match="No space left"):
        refresh_lake(seeded_db, lake, progress=False)
    monkeypatch.undo()
    assert {p.relative_to(lake): p.read_bytes() for p in lake.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lake"]


def test_refresh_reads_only_recent_ids_unless_the_counts_disagree(seeded_db, tmp_path):
    lake = take_lake(seeded_db, tmp_path / "lake", progress=False)
    with psycopg.connect(seeded_db.conninfo) as conn:
        add_logs(conn, 5, operation="cache:album-cover-art")  # now: the latest month only
        month = conn.execute(
            "SELECT to_char(max(created_at), 'YYYY-MM') FROM llama_logs"
        ).fetchone()[0]
    result = refresh_lake(seeded_db, lake, progress=False)
    assert (result["new_rows"]["llama_logs"], result["partitions"]) == (
        5,
        [f"llama_logs/month={month}"],
    )
    with psycopg.connect(seeded_db.conninfo) as conn:  # a deletion alone: the counts disagree
        conn.execute(
            "DELETE FROM llama_logs WHERE operation = 'album:created:spotify-sync' "
            "AND created_at = timestamp '2026-01-01 10:00:00.123'"
        )
    result = refresh_lake(seeded_db, lake, progress=False)
    assert (result["deleted_rows"]["llama_logs"], result["partitions"]) == (
        1,
        ["llama_logs/month=2026-01"],
    )
    with psycopg.connect(seeded_db.conninfo) as conn:  # a backdated row alone: found the same way
        conn.execute(
            "INSERT INTO llama_logs(operation, category, status, created_at) "
            "VALUES ('backdated', 'CREATED', 'SUCCESS', timestamp '1999-12-31')"
        )
    result = refresh_lake(seeded_db, lake, progress=False)
    assert (result["new_rows"]["llama_logs"], result["partitions"]) == (
        1,
        ["llama_logs/month=1999-12"],
    )
    assert lake_checksums(lake) == postgres_checksums(seeded_db)
