"""Benchmark: the health report and the operations commands on a snapshot with a refresh history.

The demo catalog at --scale (default 10: 20k albums, ~260k log rows) is loaded
into a scratch PostgreSQL database, snapshotted, and refreshed --refreshes
times (an album added between each, so every refresh has something new).
Then, each in its own process (wall time and its own peak RSS):

* report:             llamaforensics report -o DIR (200 album pages, the trend over every refresh)
* report, no albums:  the same with --albums 0 (the findings runs of the trend, the audit, the pages)
* new since refresh:  findings --new-since-refresh --fail-on low (what a cron job runs)
* export parquet:     findings --format parquet -o FILE

    python bench/report.py [--scale 10] [--refreshes 2] [--dsn ...] [--json FILE] [--keep]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
from common import admin_dsn, drop_database, measure, scratch_database, table  # noqa: E402

from llamaforensics.postgres.dsn import Dsn  # noqa: E402

CLI = [sys.executable, "-m", "llamaforensics"]


def prepare(args: argparse.Namespace) -> tuple[Dsn, str, Path]:
    from llamaforensics.demo import generate, write_postgres
    from llamaforensics.schema.install import install_upstream_schema
    from llamaforensics.snapshot.refresh import refresh_snapshot
    from llamaforensics.snapshot.take import take_snapshot

    admin = admin_dsn(args.dsn)
    name = f"lf_bench_report_{int(args.scale)}"
    drop_database(admin, name)
    dsn, _ = scratch_database(admin, name)
    install_upstream_schema(dsn)
    print(f"loading scale {args.scale:g} into PostgreSQL...", flush=True)
    write_postgres(generate(args.scale), dsn, progress=True)
    snapshot = Path(tempfile.gettempdir()) / f"{name}.duckdb"
    take_snapshot(dsn, snapshot, progress=True)
    for n in range(args.refreshes):
        with psycopg.connect(dsn.conninfo) as conn:
            conn.execute(
                "INSERT INTO albums (id, title, updated_at) VALUES (%s, %s, now())",
                (str(uuid.uuid4()), f"Arrived before refresh {n + 1}"),
            )
        refresh_snapshot(dsn, snapshot, progress=False)
    return admin, name, snapshot


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--refreshes", type=int, default=2)
    parser.add_argument("--dsn")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch database and snapshot"
    )
    args = parser.parse_args()
    admin, name, snapshot = prepare(args)
    import duckdb

    with duckdb.connect(str(snapshot), read_only=True) as con:
        rows = con.execute("SELECT count(*) FROM llama_logs").fetchone()[0]
    out = Path(tempfile.mkdtemp(prefix="lf-bench-report-"))
    runs = [
        measure(
            "report", [*CLI, "report", "--snapshot", str(snapshot), "-o", str(out / "site")], rows
        ),
        measure(
            "report, no albums",
            [
                *CLI,
                "report",
                "--snapshot",
                str(snapshot),
                "-o",
                str(out / "site0"),
                "--albums",
                "0",
            ],
            rows,
        ),
        measure(
            "new since refresh",
            [*CLI, "findings", "--snapshot", str(snapshot), "--new-since-refresh", "--json"],
            rows,
        ),
        measure(
            "export parquet",
            [
                *CLI,
                "findings",
                "--snapshot",
                str(snapshot),
                "--format",
                "parquet",
                "-o",
                str(out / "f.parquet"),
            ],
            rows,
        ),
    ]
    size = sum(p.stat().st_size for p in (out / "site").rglob("*") if p.is_file())
    print(
        f"\nscale {args.scale:g}: {rows:,} log rows, {args.refreshes + 1} manifests; site {size / 1e6:.1f} MB\n"
    )
    print(
        table(
            [[m.name, f"{m.seconds:.1f} s", f"{m.peak_mb:.0f} MB"] for m in runs],
            ["run", "time", "peak RSS"],
        )
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "scale": args.scale,
                    "log_rows": rows,
                    "site_bytes": size,
                    "runs": [m.__dict__ for m in runs],
                },
                indent=2,
            )
        )
    if not args.keep:
        drop_database(admin, name)
        snapshot.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
