"""Benchmark: the whole findings scan on a snapshot, against the same checks run inside PostgreSQL.

The demo catalog at --scale (default 50: 100k albums, ~1.3M log rows; the
issue's target is scale ~381-500: 10M log rows) is loaded into a scratch
PostgreSQL database (upstream schema and indexes, default settings) and
written to a snapshot. Then, each in its own process:

* postgres:       bench/findings_pg.sql, every check, through psql
* llamaforensics: run_findings(snapshot), every kind
* audit figures:  audit_figures(snapshot), every figure built

    python bench/findings.py [--scale 50] [--dsn ...] [--json FILE] [--keep]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import admin_dsn, drop_database, measure, psql, scratch_database, table, without_pandas  # noqa: E402

from llamaforensics.postgres.dsn import Dsn  # noqa: E402

PG_CHECKS = Path(__file__).with_name("findings_pg.sql")
OURS = (
    "from llamaforensics.findings import run_findings; from llamaforensics.snapshot import open_snapshot; "
    "con = open_snapshot(sys.argv[1]); print(sum(f.height for f in run_findings(con).values()))"
)
FIGURES = (
    "from llamaforensics.audit.figures import audit_figures; from llamaforensics.snapshot import open_snapshot; "
    "con = open_snapshot(sys.argv[1]); print(len(audit_figures(con)))"
)


def prepare(args: argparse.Namespace) -> tuple[Dsn, str, Dsn, Path]:
    from llamaforensics.demo import generate, write_postgres, write_snapshot
    from llamaforensics.schema.install import install_upstream_schema

    admin = admin_dsn(args.dsn)
    name = f"lf_bench_findings_{int(args.scale)}"
    dsn, existed = scratch_database(admin, name)
    snapshot = Path(tempfile.gettempdir()) / f"{name}.duckdb"
    if not existed or not snapshot.exists():
        drop_database(admin, name)
        dsn, _ = scratch_database(admin, name)
        install_upstream_schema(dsn)
        data = generate(args.scale)
        print(
            f"loading scale {args.scale:g} into PostgreSQL and a snapshot (kept for later runs)...",
            flush=True,
        )
        write_postgres(data, dsn, progress=True)
        write_snapshot(data, snapshot, progress=True)
    return admin, name, dsn, snapshot


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=50)
    parser.add_argument("--dsn")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch database and snapshot"
    )
    args = parser.parse_args()
    admin, name, dsn, snapshot = prepare(args)
    import duckdb

    logs, albums = (
        duckdb.connect(str(snapshot), read_only=True)
        .execute("SELECT (SELECT count(*) FROM llama_logs), (SELECT count(*) FROM albums)")
        .fetchone()
    )
    results = [
        measure(
            "PostgreSQL: the same checks in SQL (upstream indexes)",
            psql(dsn, "-o", "/dev/null", "-f", str(PG_CHECKS)),
            logs,
        ),
        measure(
            "llamaforensics: run_findings on the snapshot (15 kinds)",
            without_pandas(OURS) + [str(snapshot)],
            logs,
        ),
        measure(
            "llamaforensics: every audit figure", without_pandas(FIGURES) + [str(snapshot)], logs
        ),
    ]
    ours = results[1]
    print(f"\nscale {args.scale:g}: {albums:,} albums, {logs:,} log rows\n")
    print(
        table(
            [
                [
                    m.name,
                    f"{m.seconds:.2f}",
                    f"{m.peak_mb:,.0f}",
                    f"{m.seconds / ours.seconds:.1f}x",
                ]
                for m in results
            ],
            ["method", "seconds", "peak MB", "vs findings scan"],
        )
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "scale": args.scale,
                    "albums": albums,
                    "logs": logs,
                    "results": [m.__dict__ for m in results],
                },
                indent=2,
            )
        )
    if not args.keep:
        drop_database(admin, name)
        snapshot.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
