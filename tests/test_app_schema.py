"""Every command, as a user runs it, on a database built the app's way.

The database is restored with psql from the app's own schema dump
(``../shared/upstream/schema.sql``), then loaded with ``llamaforensics demo
--dsn``; every command then runs as the installed console script would
(a separate process, its exit code and its output), never by calling internals.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
import pytest
from test_schema_fidelity import catalog_of

TITLE_OF_A_TRACKLESS_ALBUM = (
    "SELECT a.title FROM albums a WHERE NOT EXISTS "
    "(SELECT 1 FROM tracks t WHERE t.album_id = a.id) ORDER BY a.id LIMIT 1"
)


def lf(*argv, cwd, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``llamaforensics ARGV`` in a process of its own, as a user would."""
    done = subprocess.run(
        [sys.executable, "-m", "llamaforensics", *map(str, argv)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    if check:
        assert done.returncode == 0, f"llamaforensics {' '.join(map(str, argv))}:\n{done.stderr}"
    return done


def query(dsn, sql, params=None):
    with psycopg.connect(dsn.conninfo) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("app")


@pytest.fixture(scope="module")
def app_demo(databases, app_schema_template, work):
    """The app's schema restored with psql, loaded with ``llamaforensics demo --dsn`` (scale 1, seed 42)."""
    dsn = databases.new("app_demo", template=app_schema_template)
    done = lf(
        "demo",
        "--dsn",
        dsn.conninfo,
        "--quiet",
        "--json",
        "--truth",
        work / "truth.parquet",
        cwd=work,
    )
    return dsn, json.loads(done.stdout)


@pytest.fixture(scope="module")
def app_snapshot(app_demo, work):
    dsn, _ = app_demo
    done = lf("snapshot", dsn.conninfo, "-o", work / "app.duckdb", "--quiet", "--json", cwd=work)
    return work / "app.duckdb", json.loads(done.stdout)


def test_demo_fills_the_tables_the_product_reads(app_demo, work):
    dsn, summary = app_demo
    rows = summary["postgres"]["rows"]
    for table in (
        "llama_logs",
        "albums",
        "artists",
        "tracks",
        "album_artists",
        "track_artists",
        "sync_jobs",
        "User",
        "CollectionAlbum",
        "marquee_albums",
    ):
        assert rows[table] > 0, table
    assert query(dsn, "SELECT count(*) FROM marquee_albums WHERE sort_order >= 0") == [
        (rows["marquee_albums"],)
    ]
    assert sorted(p.name for p in work.iterdir()) == ["truth.parquet"]


def test_demo_into_a_bare_database_builds_the_apps_schema(databases, app_db, tmp_path):
    bare = databases.new("bare")  # CREATE DATABASE: no tables at all
    cwd, home = tmp_path / "cwd", tmp_path / "home"
    cwd.mkdir()
    lf(
        "demo",
        "--dsn",
        bare.conninfo,
        "--quiet",
        "--scale",
        "0.05",
        cwd=cwd,
        env={"LLAMAFORENSICS_HOME": str(home)},
    )
    assert list(cwd.iterdir()) == [], "demo wrote into the working directory"
    assert [p.name for p in (home / "ground-truth").iterdir()] == [
        f"{bare.params['dbname']}.parquet"
    ]
    built, restored = catalog_of(bare), catalog_of(app_db)
    for kind in ("tables", "columns", "enums", "constraints", "indexes"):
        assert built[kind] == restored[kind], kind


def test_snapshot_of_the_apps_database_reports_no_drift(app_snapshot, app_demo):
    _, info = app_snapshot
    _, summary = app_demo
    assert info["manifest"]["drift"] == []
    for table in ("llama_logs", "albums", "tracks", "artists", "album_artists", "sync_jobs"):
        assert info["tables"][table]["live"] == summary["postgres"]["rows"][table], table


def test_findings_on_the_apps_database_equal_the_demo_snapshots(app_snapshot, demo_snapshot, work):
    path, _ = app_snapshot
    from_app = json.loads(lf("findings", "--snapshot", path, "--json", cwd=work).stdout)
    from_demo = json.loads(lf("findings", "--snapshot", demo_snapshot, "--json", cwd=work).stdout)
    counts = {k["kind"]: k["count"] for k in from_app["kinds"]}
    assert counts == {k["kind"]: k["count"] for k in from_demo["kinds"]}
    assert counts["trackless_album"] > 0 and counts["duplicate_album"] > 0
    text = lf("findings", "--snapshot", path, cwd=work).stdout
    assert "trackless_album" in text and "not in the app's schema" not in text


def test_album_lineage_audit_on_the_apps_database(app_snapshot, app_demo, work):
    path, _ = app_snapshot
    dsn, _ = app_demo
    ((title,),) = query(dsn, TITLE_OF_A_TRACKLESS_ALBUM)
    dossier = json.loads(lf("album", title, "--snapshot", path, "--json", cwd=work).stdout)
    assert dossier["album"]["title"] == title and dossier["timeline"]
    assert title in lf("album", title, "--snapshot", path, cwd=work).stdout
    check = json.loads(lf("lineage", "--check", "--snapshot", path, "--json", cwd=work).stdout)
    assert check["problems"]["looping_chain"] > 0 and check["loops"]
    assert lf("lineage", title, "--snapshot", path, cwd=work).stdout.strip()
    audit = json.loads(lf("audit", "--snapshot", path, "--json", cwd=work).stdout)
    assert (
        sum(r["rows"] for r in audit["distribution"])
        == json.loads(lf("info", "--snapshot", path, "--json", cwd=work).stdout)["tables"][
            "llama_logs"
        ]["live"]
    )
    lf("audit", "--snapshot", path, "--html", work / "audit.html", cwd=work)
    assert (work / "audit.html").stat().st_size > 10_000


def test_refresh_and_diff_on_the_apps_database(app_snapshot, app_demo, work, databases):
    path, _ = app_snapshot
    dsn, _ = app_demo
    copy = databases.new("app_refresh", template=dsn.params["dbname"])
    before = work / "before.duckdb"
    lf("snapshot", copy.conninfo, "-o", before, "--quiet", cwd=work)
    with psycopg.connect(copy.conninfo) as conn:
        album = conn.execute("SELECT id FROM albums ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute(
            "UPDATE albums SET title = 'Renamed by the app', updated_at = now() WHERE id = %s",
            [album],
        )
        conn.execute(
            "INSERT INTO llama_logs (album_id, entity_type, entity_id, operation, category, status) "
            "VALUES (%s, 'ALBUM', %s, 'admin_correction', 'CORRECTED', 'SUCCESS')",
            [album, album],
        )
    after = work / "after.duckdb"
    before.with_name("after.duckdb").write_bytes(before.read_bytes())
    refreshed = json.loads(
        lf(
            "snapshot", copy.conninfo, "-o", after, "--refresh", "--quiet", "--json", cwd=work
        ).stdout
    )
    assert (
        refreshed["manifest"]["new_rows"]["llama_logs"] == 1
        and refreshed["manifest"]["drift"] == []
    )
    diff = json.loads(lf("diff", before, after, "--json", cwd=work).stdout)
    assert [(c["album_id"], c["field"], c["new_value"]) for c in diff["fields_changed"]] == [
        (str(album), "title", "Renamed by the app")
    ]


def test_a_newer_app_version_is_reported_not_fatal(app_demo, databases, work):
    dsn, _ = app_demo
    newer = databases.new("app_newer", template=dsn.params["dbname"])
    with psycopg.connect(newer.conninfo, autocommit=True) as conn:
        conn.execute("ALTER TABLE albums ADD COLUMN popularity integer DEFAULT 7")
        conn.execute(
            "CREATE TABLE album_reviews (id uuid PRIMARY KEY, album_id uuid REFERENCES albums(id))"
        )
        conn.execute("DROP TABLE curated_challenges")
        conn.execute("ALTER TYPE \"ContentSource\" ADD VALUE 'TIDAL'")
    info = json.loads(
        lf(
            "snapshot", newer.conninfo, "-o", work / "newer.duckdb", "--quiet", "--json", cwd=work
        ).stdout
    )
    assert sorted(info["manifest"]["drift"]) == [
        "column albums.popularity is not in the app's schema: not copied",
        'enum "ContentSource" has values the workbench does not know: TIDAL (kept)',
        "table album_reviews is not in the app's schema: not copied",
        "table curated_challenges is missing: not read",
    ]
    assert lf("findings", "--snapshot", work / "newer.duckdb", cwd=work).stdout


def test_the_whole_repair_cycle_on_the_apps_database(app_snapshot, app_demo, databases, work):
    """propose (from the snapshot) -> plan -> preview -> apply -> findings -> undo, on the app's schema."""
    path, _ = app_snapshot
    dsn, _ = app_demo
    db = databases.new("app_repair", template=dsn.params["dbname"])
    fixes, planned = work / "fixes.json", work / "planned.json"
    lf("repair", "propose", fixes, "--snapshot", path, "--kind", "trackless_album", cwd=work)
    lf("repair", "plan", fixes, "--dsn", db.conninfo, "-o", planned, cwd=work)
    corrections = json.loads(planned.read_text())["corrections"]
    albums = sorted({c["album_id"] for c in corrections})
    tracks_of = "SELECT count(*) FROM tracks WHERE album_id = ANY(%s::uuid[])"
    assert albums and query(db, tracks_of, [albums]) == [(0,)]
    preview = lf("repair", "preview", planned, "--dsn", db.conninfo, cwd=work).stdout
    assert f"{len(corrections)} dry run" in preview and "track:created:llamaforensics" in preview
    applied = json.loads(
        lf("repair", "apply", planned, "--dsn", db.conninfo, "--apply", "--json", cwd=work).stdout
    )
    assert {r["status"] for r in applied} == {"APPLIED"}
    added = query(db, tracks_of, [albums])[0][0]
    assert added > 0
    after = work / "repaired.duckdb"
    lf("snapshot", db.conninfo, "-o", after, "--quiet", cwd=work)
    findings = json.loads(
        lf("findings", "--snapshot", after, "--json", "--kind", "trackless_album", cwd=work).stdout
    )
    assert findings and not {f["entity_id"] for f in findings} & set(albums)
    session = applied[0]["message"].split()[-1]
    lf("repair", "undo", session, "--dsn", db.conninfo, "--apply", cwd=work)
    assert query(db, tracks_of, [albums]) == [(0,)]


def test_issue_18_acceptance_manifest_verify_favourite_undo_redo(app_demo, databases, work):
    """The issue's acceptance path, command by command, on the demo loaded into the app's schema."""
    from test_repair_manifest import ARTIST_ROW, NEW_ARTIST, THREE_TRACKS

    dsn, _ = app_demo
    db = databases.new("app_accept", template=dsn.params["dbname"])
    ((album, title),) = query(
        db, TITLE_OF_A_TRACKLESS_ALBUM.replace("a.title", "a.id::text, a.title")
    )
    mbid = "f9b9a2c0-0000-4000-8000-00000000abcd"
    head = {"albumId": album, "albumTitle": title, "firstArtistName": ARTIST_ROW["name"]}
    tracks = [t | {"albumId": album} for t in THREE_TRACKS]
    manifest, summary = work / "accept-manifest.json", work / "accept-summary.json"
    manifest.write_text(
        json.dumps(
            [
                head
                | {
                    "updates": {"musicbrainzId": mbid},
                    "tracks": tracks,
                    "artists": [ARTIST_ROW],
                    "albumArtistLinks": [
                        {"artistId": NEW_ARTIST, "role": "primary", "position": 0}
                    ],
                }
            ]
        )
    )
    summary.write_text(
        json.dumps(
            [
                head
                | {
                    "changes": [
                        {"field": "musicbrainzId", "prodValue": None, "devValue": mbid},
                        {"field": "tracks", "prodValue": 0, "devValue": 3},
                    ]
                }
            ]
        )
    )
    assert (
        lf("repair", "verify", summary, "--dsn", db.conninfo, cwd=work, check=False).returncode == 1
    )

    applied = json.loads(
        lf("repair", "apply", manifest, "--dsn", db.conninfo, "--apply", "--json", cwd=work).stdout
    )
    assert [r["status"] for r in applied] == ["APPLIED"]
    [artist] = query(
        db,
        "SELECT name, area, genres, formed_year, image_url, cloudflare_image_id, "
        "biography, data_quality::text, enrichment_status::text FROM artists "
        "WHERE id = %s",
        [NEW_ARTIST],
    )
    assert artist == (
        ARTIST_ROW["name"],
        ARTIST_ROW["area"],
        ARTIST_ROW["genres"],
        ARTIST_ROW["formedYear"],
        ARTIST_ROW["imageUrl"],
        ARTIST_ROW["cloudflareImageId"],
        ARTIST_ROW["biography"],
        "HIGH",
        "COMPLETED",
    )
    lf("repair", "verify", summary, "--dsn", db.conninfo, cwd=work)  # exit 0: the database holds it

    [corrected] = query(
        db,
        "SELECT operation, category::text, status::text, entity_type::text, "
        "sources, data_quality_after::text FROM llama_logs "
        "WHERE album_id = %s AND category = 'CORRECTED' AND NOT is_root_job",
        [album],
    )
    assert corrected == (
        "admin_correction",
        "CORRECTED",
        "SUCCESS",
        "ALBUM",
        ["musicbrainz"],
        "HIGH",
    )
    session = query(
        db,
        "SELECT DISTINCT root_job_id FROM llama_logs WHERE album_id = %s "
        "AND category = 'CORRECTED'",
        [album],
    )[0][0]
    with psycopg.connect(db.conninfo) as conn:  # a user favourites the new artist
        user = conn.execute('SELECT id FROM "User" ORDER BY id LIMIT 1').fetchone()[0]
        conn.execute(
            'INSERT INTO user_favorite_artists (id, "userId", "artistId", "position") '
            "VALUES ('fav-1', %s, %s, 0)",
            [user, NEW_ARTIST],
        )

    undone = lf("repair", "undo", session, "--dsn", db.conninfo, "--apply", cwd=work)
    tracks_of = "SELECT count(*) FROM tracks WHERE album_id = %s"
    assert query(db, tracks_of, [album]) == [(0,)]
    assert query(db, "SELECT count(*) FROM artists WHERE id = %s", [NEW_ARTIST]) == [(1,)]
    assert query(
        db, 'SELECT count(*) FROM user_favorite_artists WHERE "artistId" = %s', [NEW_ARTIST]
    ) == [(1,)]
    assert "user_favorite_artists" in undone.stdout + undone.stderr

    again = json.loads(
        lf("repair", "apply", manifest, "--dsn", db.conninfo, "--apply", "--json", cwd=work).stdout
    )
    assert [r["status"] for r in again] == ["APPLIED"]
    assert query(db, tracks_of, [album]) == [(3,)]
    history = lf("repair", "sessions", "--dsn", db.conninfo, cwd=work).stdout
    assert session in history
