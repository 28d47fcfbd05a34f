"""Benchmark: replay a dev-to-prod manifest of 10,000 album corrections into PostgreSQL, and preview one.

Data: the demo catalog (20,000 albums, ~270k log rows, for two manifests of
--albums each) loaded into a scratch database ``lf_bench_repair_<albums>``
(upstream schema and indexes, default settings); manifests in the upstream
dev-to-prod format with one entry per album: its whole track list as full
track rows (the album's own tracks and --tracks more on a bonus disc) and a
link to an existing artist. Each entry becomes one correction (album_changes:
its track list and its link), applied in its own
transaction with its log rows (a CORRECTED row, a CREATED row per track and
one for the link), all under one repair session.

* replay:   ``replay(read_batch(manifest), dsn, dry_run=False, jobs=J)`` in a
            process of its own: the manifest read and validated, every
            correction prepared (its track list compared) and applied;
            once over one connection (the first manifest), once over --jobs
            connections (the second).
* re-run:   the second manifest again, every correction ALREADY_APPLIED (what
            finishing an interrupted batch costs for the part already done).
* preview:  one correction adding --tracks tracks, prepared and previewed
            (dry run) as ``repair preview`` does, a new connection each time;
            median of 20.

Afterwards the database is checked: every correction has its own
transaction, shared by its rows and its log rows (``xmin``). Targets (issue
5): >= 300 album corrections/s; preview < 100 ms.

    python bench/repair.py [--albums 10000] [--tracks 10] [--jobs 2] [--dsn ...] [--json FILE] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
from common import (  # noqa: E402
    Measurement,
    admin_dsn,
    drop_database,
    measure,
    scratch_database,
    table,
)

from llamaforensics.postgres.dsn import Dsn  # noqa: E402

NAMESPACE = uuid.UUID("0b6a2f6e-4f53-4a43-9d3e-5b1c2d7e8f90")
FLOOR_ALBUMS = 2000
REPLAY = """
import json, sys, time
from llamaforensics.postgres.dsn import parse_dsn
from llamaforensics.repair import batch_summary, read_batch, replay
manifest, dsn, jobs, out = sys.argv[1], parse_dsn(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
started = time.perf_counter()
batch = read_batch(manifest)
read = time.perf_counter() - started
results = replay(batch, dsn, dry_run=False, jobs=jobs)
json.dump({"read_s": read, "work_s": time.perf_counter() - started, **batch_summary(results)}, open(out, "w"))
"""


def prepare(args: argparse.Namespace) -> tuple[Dsn, str, Dsn]:
    """Create the scratch database and load the demo catalog into it."""
    from llamaforensics.demo import generate, write_postgres
    from llamaforensics.schema.install import install_upstream_schema

    admin = admin_dsn(args.dsn)
    name = f"lf_bench_repair_{args.albums}"
    drop_database(admin, name)
    dsn, _ = scratch_database(admin, name)
    install_upstream_schema(dsn)
    scale = 2 * args.albums / 2000  # two manifests, each on albums of its own
    print(f"loading the demo catalog at scale {scale:g} into {name}...", flush=True)
    write_postgres(generate(scale), dsn)
    return admin, name, dsn


def track_row(album: str, n: int, disc: int) -> dict:
    """A full track row as the upstream manifest carries it (camelCase, bookkeeping columns included)."""
    return {
        "id": str(uuid.uuid5(NAMESPACE, f"{album}/{disc}/{n}")),
        "albumId": album,
        "title": f"Bonus {n} – “live” 🦙",
        "trackNumber": n,
        "discNumber": disc,
        "durationMs": 180_000 + n,
        "explicit": n % 7 == 0,
        "isrc": f"USLFB{n:07d}",
        "musicbrainzId": None,
        "spotifyId": None,
        "energy": 0.5,
        "tempo": 120.0,
        "source": "MUSICBRAINZ",
        "dataQuality": "MEDIUM",
        "createdAt": "2025-05-01T00:00:00.000",
        "updatedAt": "2025-05-01T00:00:00.000",
    }


def write_manifest(dsn: Dsn, path: Path, albums: int, tracks: int, skip: int = 0) -> list[str]:
    """Write a manifest (per album: its tracks, a bonus disc, an artist link); return its albums."""
    with psycopg.connect(dsn.conninfo) as conn:
        rows = conn.execute(
            "SELECT id::text, title FROM albums ORDER BY id LIMIT %s OFFSET %s", [albums, skip]
        ).fetchall()
        artists = [
            r[0] for r in conn.execute("SELECT id::text FROM artists ORDER BY name, id LIMIT 1000")
        ]
        own = own_tracks(conn, [r[0] for r in rows])
    if len(rows) < albums:
        sys.exit(f"the demo catalog has {len(rows)} albums, fewer than --albums {albums}")
    entries = [
        {
            "albumId": album,
            "albumTitle": title,
            "firstArtistName": None,
            "tracks": own.get(album, []) + [track_row(album, n, 2) for n in range(1, tracks + 1)],
            "albumArtistLinks": [
                {"artistId": artists[i % len(artists)], "role": "featured", "position": 1}
            ],
        }
        for i, (album, title) in enumerate(rows)
    ]
    path.write_text(json.dumps(entries, ensure_ascii=False))
    return [r[0] for r in rows]


def own_tracks(conn: psycopg.Connection, albums: list[str]) -> dict[str, list[dict]]:
    """Return the albums' tracks as full manifest rows (camelCase), by album."""
    from llamaforensics.repair.fields import app_name

    out: dict[str, list[dict]] = {}
    sql = (
        "SELECT album_id::text, to_jsonb(t) - 'search_vector' FROM tracks t "
        "WHERE album_id = ANY(%s::uuid[]) ORDER BY 1, id"
    )
    for album, row in conn.execute(sql, [albums]):
        out.setdefault(album, []).append({app_name(k): v for k, v in row.items()})
    return out


def replay_side(
    manifest: Path, dsn: Dsn, albums: int, jobs: int, name: str
) -> tuple[Measurement, dict]:
    """Replay the manifest in a process of its own; return the measurement and its report."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        argv = [sys.executable, "-c", REPLAY, str(manifest), dsn.conninfo, str(jobs), report.name]
        return measure(name, argv, albums), json.loads(report.read())


NOW = "2030-01-01T00:00:00.000"
FLOOR_LOG = {
    "status": "SUCCESS",
    "retry_count": 0,
    "api_call_count": 0,
    "is_root_job": False,
    "triggered_by": "bench",
    "job_id": "bench-floor",
    "parent_job_id": "bench-floor",
}


def measure_floor(dsn: Dsn, albums: list[str], tracks: int) -> float:
    """Return the albums/s of hand-written SQL writing what the engine writes (the machine's ceiling).

    Per album, one transaction: 10 tracks, an artist link, the album row, a
    CORRECTED log row carrying the full track rows, a CREATED row per track
    and one for the link. No state read, no checks, no preview.
    """
    from llamaforensics.repair.planners.rows import new_row

    with psycopg.connect(dsn.conninfo) as conn:
        artist = conn.execute("SELECT id::text FROM artists LIMIT 1").fetchone()[0]
        conn.rollback()
        started = time.perf_counter()
        for album in albums:
            rows = [
                new_row(
                    "tracks",
                    {
                        "id": str(uuid.uuid4()),
                        "album_id": album,
                        "title": f"Floor {n}",
                        "track_number": n,
                        "disc_number": 3,
                    },
                    NOW,
                )
                for n in range(1, tracks + 1)
            ]
            logs = [
                _log(
                    album,
                    "admin_correction",
                    "CORRECTED",
                    entity_type="ALBUM",
                    entity_id=album,
                    metadata={
                        "tracks": [{"trackTitle": r["title"]} for r in rows],
                        "llamaforensics": {"ops": rows},
                    },
                )
            ]
            logs += [
                _log(
                    album,
                    "track:created:llamaforensics",
                    "CREATED",
                    track_id=r["id"],
                    entity_type="TRACK",
                    entity_id=r["id"],
                    metadata={"llamaforensics": {"row": r}},
                )
                for r in rows
            ]
            logs.append(
                _log(album, "album-artist:link:llamaforensics", "CREATED", artist_id=artist)
            )
            conn.execute("SELECT 1 FROM albums WHERE id = %s FOR UPDATE", [album]).fetchall()
            _insert_json(conn, "tracks", rows)
            conn.execute(
                "INSERT INTO album_artists (album_id, artist_id, role, position) VALUES (%s, %s, 'floor', 9)",
                [album, artist],
            )
            conn.execute(
                "UPDATE albums SET track_count = track_count + %s, updated_at = %s WHERE id = %s",
                [tracks, NOW, album],
            )
            _insert_json(conn, "llama_logs", _padded(logs))
            conn.commit()
        return len(albums) / (time.perf_counter() - started)


def _log(album: str, operation: str, category: str, **values) -> dict:
    return {
        **FLOOR_LOG,
        "id": str(uuid.uuid4()),
        "album_id": album,
        "operation": operation,
        "category": category,
        "created_at": NOW,
        **values,
    }


def _insert_json(conn, table: str, rows: list[dict]) -> None:
    cols = ", ".join(f'"{c}"' for c in rows[0])
    conn.execute(
        f'INSERT INTO "{table}" ({cols}) SELECT {cols} '
        f'FROM jsonb_populate_recordset(NULL::"{table}", %s::jsonb)',
        [json.dumps(rows)],
    )


def _padded(rows: list[dict]) -> list[dict]:
    names = list(dict.fromkeys(n for r in rows for n in r))
    return [{n: r.get(n) for n in names} for r in rows]


def measure_preview(dsn: Dsn, album: str, tracks: int, runs: int = 20) -> float:
    """Return the median milliseconds of preparing and previewing one correction, as ``repair preview`` does."""
    from llamaforensics.repair import AddTracks, apply_corrections, prepare_corrections

    correction = AddTracks(
        album_id=album,
        tracks=[
            {"title": f"t{n}", "track_number": n, "disc_number": 3} for n in range(1, tracks + 1)
        ],
    )
    timings = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        [result] = apply_corrections(dsn, prepare_corrections(dsn, [correction]))
        timings.append((time.perf_counter() - started) * 1000)
        assert result.status == "DRY_RUN", result.message
    return statistics.median(timings[1:])  # the first one pays for imports and caches


def check(dsn: Dsn, transactions: int) -> dict:
    """Check that every correction was its own transaction, shared by its rows and its log rows."""
    with psycopg.connect(dsn.conninfo, autocommit=True) as conn:
        conn.execute("ANALYZE llama_logs; ANALYZE tracks")
        corrected, xids = conn.execute(
            "SELECT count(*), count(DISTINCT xmin::text) FROM llama_logs WHERE triggered_by = 'llamaforensics' "
            "AND category = 'CORRECTED' AND NOT is_root_job"
        ).fetchone()
        strays = conn.execute("""
            WITH ours AS MATERIALIZED (SELECT job_id, category, track_id, xmin::text AS x FROM llama_logs
                                       WHERE triggered_by = 'llamaforensics' AND NOT is_root_job),
                 main AS MATERIALIZED (SELECT job_id, x FROM ours WHERE category = 'CORRECTED')
            SELECT (SELECT count(*) FROM ours JOIN main USING (job_id) WHERE ours.x <> main.x)
                 + (SELECT count(*) FROM ours JOIN tracks t ON t.id = ours.track_id WHERE t.xmin::text <> ours.x)
            """).fetchone()[0]
        tracks = conn.execute("SELECT count(*) FROM tracks WHERE disc_number = 2").fetchone()[0]
    assert corrected == xids == transactions, (corrected, xids, transactions)
    assert strays == 0, (
        f"{strays} rows written in another transaction than their correction's log rows"
    )
    return {"corrected_rows": corrected, "transactions": xids, "tracks_added": tracks}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--albums", type=int, default=10_000)
    parser.add_argument("--tracks", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2, help="connections of the second replay")
    parser.add_argument(
        "--dsn", help="maintenance DSN of the server (a scratch database is created)"
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    admin, name, dsn = prepare(args)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            one, many = Path(tmp) / "first.json", Path(tmp) / "second.json"
            write_manifest(dsn, one, args.albums, args.tracks)
            albums = write_manifest(dsn, many, args.albums, args.tracks, skip=args.albums)
            sides = [
                replay_side(one, dsn, args.albums, 1, "replay --apply, 1 connection"),
                replay_side(
                    many, dsn, args.albums, args.jobs, f"replay --apply --jobs {args.jobs}"
                ),
                replay_side(
                    many, dsn, args.albums, args.jobs, "re-run: every correction ALREADY_APPLIED"
                ),
            ]
        for (_, report), status in zip(
            sides, ("APPLIED", "APPLIED", "ALREADY_APPLIED"), strict=True
        ):
            assert report["status"][status] == args.albums, report["status"]
        checked = check(dsn, 2 * args.albums)
        preview_ms = measure_preview(dsn, albums[-1], args.tracks)
        floor = measure_floor(dsn, albums[:FLOOR_ALBUMS], args.tracks)
    finally:
        if not args.keep:
            drop_database(admin, name)
    rows = [
        [
            m.name,
            f"{m.seconds:.1f}",
            f"{r['work_s']:.1f}",
            f"{args.albums / r['work_s']:,.0f}",
            f"{args.albums / m.seconds:,.0f}",
            f"{m.peak_mb:,.0f}",
        ]
        for m, r in sides
    ]
    print(
        f"\n{args.albums:,} album corrections per manifest ({args.tracks} tracks and an artist link each, "
        f"each its own transaction), on {os.cpu_count()} CPUs\n"
    )
    rows.append(
        [
            f"hand-written SQL, same rows, no reads nor checks ({min(FLOOR_ALBUMS, args.albums):,} albums)",
            "",
            "",
            f"{floor:,.0f}",
            "",
            "",
        ]
    )
    print(
        table(
            rows,
            [
                "step",
                "seconds",
                "work s",
                "corrections/s (work)",
                "corrections/s (whole process)",
                "peak MB",
            ],
        )
    )
    print(
        f"\npreview of one correction ({args.tracks} tracks), prepare + dry run, new connection: "
        f"{preview_ms:.1f} ms (median of 20)"
    )
    print(
        "seconds: the whole process; work s: without the interpreter's start and imports (the manifest read "
        f"and validated in {sides[0][1]['read_s']:.1f} s of it). Checked: {checked['transactions']:,} "
        "corrections, each in a transaction of its own with its rows and log rows (xmin)."
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "albums": args.albums,
                    "tracks": args.tracks,
                    "jobs": args.jobs,
                    "cpus": os.cpu_count(),
                    "preview_ms": preview_ms,
                    "check": checked,
                    "floor_albums_per_s": floor,
                    "results": [{**m.__dict__, **r} for m, r in sides],
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
