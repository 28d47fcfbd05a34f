"""The demo generator: deterministic, upstream-shaped, loadable, and its ground truth is where it says."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata

import psycopg
import pyarrow.compute as pc
import pytest
from pgtools import snapshot_checksums

from llamaforensics.demo import ANOMALY_KINDS, generate, write_postgres
from llamaforensics.snapshot.format import connect, read_manifests
from llamaforensics.snapshot.take import take_snapshot


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = generate(1.0, seed=7), generate(1.0, seed=7), generate(1.0, seed=8)
    for table in ("albums", "tracks", "llama_logs", "sync_jobs", "User"):
        assert a.table(table).equals(b.table(table)), table
        assert not a.table(table).equals(c.table(table)), table
    assert a.ground_truth.equals(b.ground_truth)


def test_every_anomaly_kind_is_planted(demo_data):
    planted = set(demo_data.ground_truth["kind"].to_pylist())
    assert planted == set(ANOMALY_KINDS)
    causes = {
        json.loads(d)["cause"]
        for k, d in zip(
            demo_data.ground_truth["kind"].to_pylist(),
            demo_data.ground_truth["detail"].to_pylist(),
            strict=True,
        )
        if k == "trackless_album"
    }
    assert causes == {
        "too_new_for_musicbrainz",
        "edition_suffix",
        "tracks_never_fetched",
        "never_enriched",
    }


def test_clean_catalog_plants_nothing():
    clean = generate(1.0, seed=42, anomalies=False)
    assert clean.ground_truth.num_rows == 0
    titles = clean.table("albums")["title"].to_pylist()
    assert not any("<script>" in t for t in titles)


@pytest.mark.parametrize(
    "scale", [pytest.param(0.5, id="half-clamped-to-1000-albums"), pytest.param(3, id="scale-3")]
)
def test_scale_sets_the_size(scale):
    data = generate(scale, seed=1)
    originals = sum(1 for m in data.table("albums")["metadata"].to_pylist() if m)
    assert data.n_albums == max(1000, round(2000 * scale))
    assert originals >= data.n_albums
    logs = data.table("llama_logs").num_rows
    assert 10 * data.n_albums < logs < 16 * data.n_albums


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_scale_must_be_positive(bad):
    with pytest.raises(ValueError, match="scale"):
        generate(bad)


def _truth(con, kind):
    return con.execute(
        "SELECT entity_id, detail FROM _lf_ground_truth WHERE kind = ?", [kind]
    ).fetchall()


def _normalise(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def test_album_anomalies_are_where_the_truth_says(demo_snapshot):
    con = connect(demo_snapshot, read_only=True)
    q = lambda sql, *p: con.execute(sql, list(p)).fetchone()[0]  # noqa: E731
    for album, detail in _truth(con, "trackless_album"):
        assert q("SELECT count(*) FROM tracks WHERE album_id = ?", album) == 0
        cause = json.loads(detail)["cause"]
        has_mbid = q("SELECT musicbrainz_id IS NOT NULL FROM albums WHERE id = ?", album)
        assert has_mbid == (cause == "tracks_never_fetched")
    for album, detail in _truth(con, "track_count_mismatch"):
        d = json.loads(detail)
        assert (
            q("SELECT track_count FROM albums WHERE id = ?", album) == d["claimed"] != d["actual"]
        )
        assert q("SELECT count(*) FROM tracks WHERE album_id = ?", album) == d["actual"] > 0
    for album, _ in _truth(con, "artistless_album"):
        assert q("SELECT count(*) FROM album_artists WHERE album_id = ?", album) == 0
    for album, detail in _truth(con, "missing_external_id"):
        assert q("SELECT musicbrainz_id FROM albums WHERE id = ?", album) is None
        logged = q(
            "SELECT any_value(metadata->>'musicbrainzId') FROM llama_logs WHERE album_id = ? "
            "AND operation = 'enrichment:album' AND status IN ('SUCCESS', 'PARTIAL_SUCCESS')",
            album,
        )
        assert logged == json.loads(detail)["logged_musicbrainz_id"]
    for album, _ in _truth(con, "no_created_log"):
        assert (
            q(
                "SELECT count(*) FROM llama_logs WHERE album_id = ? AND ((category = 'CREATED' AND entity_type = 'ALBUM') "
                "OR (metadata->>'albumCreated')::BOOLEAN)",
                album,
            )
            == 0
        )
    for album, detail in _truth(con, "late_first_log"):
        hours = q(
            "SELECT date_diff('second', a.created_at, min(l.created_at)) / 3600 FROM albums a "
            "JOIN llama_logs l ON l.album_id = a.id WHERE a.id = ? GROUP BY a.created_at",
            album,
        )
        assert hours > 24 and abs(hours - json.loads(detail)["hours"]) < 0.1
    for album, detail in _truth(con, "stuck_enrichment"):
        assert (
            q("SELECT enrichment_status::VARCHAR FROM albums WHERE id = ?", album)
            == json.loads(detail)["status"]
        )
    for album, detail in _truth(con, "failing_enrichment"):
        failures = q(
            "SELECT count(*) FROM llama_logs WHERE album_id = ? AND operation = 'enrichment:album' "
            "AND status = 'FAILED'",
            album,
        )
        assert failures == json.loads(detail)["failures"] >= 3
    groups: dict[str, list[str]] = {}
    for album, detail in _truth(con, "duplicate_album"):
        groups.setdefault(json.loads(detail)["group"], []).append(album)
    assert groups and all(len(members) == 2 for members in groups.values())
    for survivor, members in groups.items():
        rows = [
            con.execute(
                "SELECT title, discogs_id, musicbrainz_id FROM albums WHERE id = ?", [m]
            ).fetchone()
            for m in members
        ]
        same_title = _normalise(rows[0][0]) == _normalise(rows[1][0])
        assert same_title or rows[0][1] == rows[1][1] is not None
        assert con.execute(
            "SELECT musicbrainz_id IS NOT NULL FROM albums WHERE id = ?", [survivor]
        ).fetchone()[0]
    con.close()


def test_log_anomalies_are_where_the_truth_says(demo_snapshot):
    con = connect(demo_snapshot, read_only=True)
    row = lambda log_id: con.execute(  # noqa: E731
        "SELECT job_id, parent_job_id, root_job_id, category::VARCHAR, entity_type::VARCHAR, entity_id "
        "FROM llama_logs WHERE id = ?",
        [log_id],
    ).fetchone()
    jobs = {
        j
        for (j,) in con.execute(
            "SELECT DISTINCT job_id FROM llama_logs WHERE job_id IS NOT NULL"
        ).fetchall()
    }
    parent_of = dict(
        con.execute(
            "SELECT job_id, any_value(parent_job_id) FROM llama_logs GROUP BY job_id"
        ).fetchall()
    )
    for log_id, detail in _truth(con, "null_root_job_id"):
        job, _, root, *_ = row(log_id)
        assert job is not None and root is None and json.loads(detail)["inferred_root"] in jobs
    for log_id, detail in _truth(con, "wrong_root_job_id"):
        job, _, root, *_ = row(log_id)
        d = json.loads(detail)
        assert root == d["stored"] != d["inferred"]
        top = job
        while (
            parent_of.get(top) in jobs
        ):  # the highest job that exists (a missing parent ends the walk)
            top = parent_of[top]
        assert top == d["inferred"]
    for log_id, detail in _truth(con, "broken_parent_chain"):
        _, parent, *_ = row(log_id)
        assert parent not in jobs and parent == json.loads(detail)["missing_parent"]
    for log_id, _ in _truth(con, "looping_parent_chain"):
        job, seen = row(log_id)[0], set()
        while job is not None and job not in seen:
            seen.add(job)
            job = parent_of.get(job)
        assert job is not None, "a looping chain must come back to a job it has seen"
    for log_id, _ in _truth(con, "dangling_entity_id"):
        *_, etype, entity = row(log_id)
        table = {"ALBUM": "albums", "TRACK": "tracks", "ARTIST": "artists"}[etype]
        assert (
            con.execute(f"SELECT count(*) FROM {table} WHERE id = ?", [entity]).fetchone()[0] == 0
        )
    for log_id, detail in _truth(con, "mislabelled_category"):
        assert row(log_id)[3] != json.loads(detail)["expected"]
    con.close()


def test_hostile_titles_survive_the_snapshot(demo_data, demo_snapshot):
    con = connect(demo_snapshot, read_only=True)
    hostile = con.execute(
        "SELECT a.title FROM albums a JOIN _lf_ground_truth g ON g.entity_id = a.id::VARCHAR "
        "WHERE g.kind = 'hostile_title'"
    ).fetchall()
    con.close()
    titles = {t for (t,) in hostile}
    assert (
        any("\n" in t for t in titles)
        and any("<script>" in t for t in titles)
        and any("東京" in t for t in titles)
    )
    assert titles <= set(demo_data.table("albums")["title"].to_pylist())


def test_demo_snapshot_equals_a_snapshot_of_the_loaded_database(
    demo_data, demo_snapshot, demo_db, tmp_path
):
    """The direct snapshot is indistinguishable from loading PostgreSQL and snapshotting it."""
    taken = take_snapshot(demo_db, tmp_path / "from-postgres.duckdb", progress=False)
    assert snapshot_checksums(demo_snapshot) == snapshot_checksums(taken)
    fingerprints = []
    for path in (demo_snapshot, taken):
        con = connect(path, read_only=True)
        fingerprints.append(read_manifests(con)[-1].schema_fingerprint)
        con.close()
    assert fingerprints[0] == fingerprints[1]


def test_load_restores_every_index_and_key(demo_db, upstream_template, pg_admin):
    def keys(dsn):
        with psycopg.connect(dsn.conninfo) as conn:
            return sorted(
                conn.execute(
                    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE connamespace = 'public'::regnamespace UNION ALL "
                    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
                ).fetchall()
            )

    assert keys(demo_db) == keys(pg_admin.with_dbname(upstream_template))


def test_failed_load_leaves_the_database_as_it_was(empty_db, monkeypatch):
    data = generate(1.0, seed=3)
    real_chunks = data.chunks

    def failing_chunks():
        yield next(iter(real_chunks()))
        raise RuntimeError("generator crashed half-way")

    monkeypatch.setattr(data, "chunks", failing_chunks)
    with pytest.raises(RuntimeError, match="half-way"):
        write_postgres(data, empty_db)
    with psycopg.connect(empty_db.conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM llama_logs").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM albums").fetchone()[0] == 0
        indexes = conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'llama_logs'"
        ).fetchone()[0]
    assert indexes == 13


def _cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "llamaforensics", *args], capture_output=True, text=True, env=env
    )


def test_cli_demo_refuses_a_database_with_data(demo_db):
    before = snapshot_rows(demo_db)
    result = _cli("demo", "--dsn", demo_db.conninfo, "--quiet", "--out", "/dev/null/never")
    assert result.returncode == 2
    assert "already holds" in result.stderr and "nothing was written" in result.stderr
    assert snapshot_rows(demo_db) == before


def snapshot_rows(dsn) -> tuple:
    with psycopg.connect(dsn.conninfo) as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM llama_logs), (SELECT count(*) FROM albums), "
            "(SELECT max(created_at) FROM llama_logs)"
        ).fetchone()


def test_cli_demo_writes_snapshot_truth_and_json_summary(tmp_path):
    out = tmp_path / "demo.duckdb"
    result = _cli("demo", "--out", str(out), "--scale", "0.5", "--seed", "5", "--quiet", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["snapshot"] == str(out) and out.exists()
    assert set(summary["ground_truth"]["planted"]) == set(ANOMALY_KINDS)
    truth = tmp_path / "demo.duckdb.truth.parquet"
    import pyarrow.parquet as pq

    assert pq.read_table(truth).num_rows == sum(summary["ground_truth"]["planted"].values())
    info = _cli("info", "--snapshot", str(out), "--json")
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["manifest"]["source"] == "demo:seed=5,scale=0.5"


def test_ground_truth_counts_match_the_data(demo_data):
    kinds = pc.value_counts(demo_data.ground_truth["kind"]).to_pylist()
    assert all(k["counts"] >= 2 for k in kinds), kinds
