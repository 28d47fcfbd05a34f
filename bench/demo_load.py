"""Benchmark: the demo generator at scale -- generate, load into PostgreSQL with COPY, build a snapshot.

Target (issue 2): 10 million log rows into PostgreSQL in under 5 minutes.
Scale 381 gives about 10 million llama_logs rows (~760k albums, ~7M tracks).
Each step runs as its own process, so its peak memory is its own.

    python bench/demo_load.py [--scale 381] [--dsn postgresql://postgres@127.0.0.1/postgres] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import admin_dsn, drop_database, measure, scratch_database, table  # noqa: E402

LOAD = (
    "import sys; from llamaforensics.demo import generate, write_postgres; from llamaforensics.postgres.dsn import parse_dsn; "
    "print(write_postgres(generate(float(sys.argv[1])), parse_dsn(sys.argv[2]))['llama_logs'])"
)
SNAPSHOT = (
    "import sys; from llamaforensics.demo import generate, write_snapshot; "
    "write_snapshot(generate(float(sys.argv[1])), sys.argv[2])"
)
GENERATE = (
    "import sys; from llamaforensics.demo import generate; d = generate(float(sys.argv[1])); "
    "print(sum(len(c.tables['llama_logs']) for c in d.chunks()))"
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=381)
    parser.add_argument(
        "--dsn", help="maintenance DSN of the server (a scratch database is created and dropped)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    admin = admin_dsn(args.dsn)
    name = f"lf_bench_demo_{int(args.scale)}"
    drop_database(admin, name)
    dsn, _ = scratch_database(admin, name)
    from llamaforensics.demo import generate
    from llamaforensics.schema.install import install_upstream_schema

    install_upstream_schema(dsn)
    rows = generate(args.scale).n_albums
    py = sys.executable
    results = [
        measure(
            "generate only (all chunks, in memory per chunk)",
            [py, "-c", GENERATE, str(args.scale)],
            rows,
        )
    ]
    results.append(
        measure(
            "generate + COPY into PostgreSQL (+ indexes, keys)",
            [py, "-c", LOAD, str(args.scale), dsn.conninfo],
            rows,
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        results.append(
            measure(
                "generate + write snapshot (no server)",
                [py, "-c", SNAPSHOT, str(args.scale), f"{tmp}/demo.duckdb"],
                rows,
            )
        )
    import psycopg

    with psycopg.connect(dsn.conninfo) as conn:
        logs = conn.execute("SELECT count(*) FROM llama_logs").fetchone()[0]
        size = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]
    drop_database(admin, name)
    print(f"scale {args.scale:g}: {rows:,} albums, {logs:,} llama_logs rows, database {size}\n")
    print(
        table(
            [
                [m.name, f"{m.seconds:.1f} s", f"{logs / m.seconds:,.0f}", f"{m.peak_mb:,.0f} MB"]
                for m in results
            ],
            ["step", "time", "log rows/s", "peak RSS"],
        )
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "scale": args.scale,
                    "albums": rows,
                    "llama_logs": logs,
                    "database_size": size,
                    "steps": [m.__dict__ for m in results],
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
