"""Benchmark: the Parquet lake, written and analysed, against the snapshot file.

Two parts, each side its own process (wall time and its own peak RSS):

write: ``--rows`` (default 1,000,000) upstream-shaped llama_logs rows in a scratch database,
the one bench/snapshot.py fills:
* floor:          psql \\copy (select * from llama_logs) to /dev/null with (format binary)
* snapshot file:  llamaforensics snapshot DSN -o FILE
* lake:           llamaforensics snapshot DSN --lake DIR
* lake refresh:   llamaforensics snapshot DSN --lake DIR --refresh, after 1% new log rows

analysis: the demo catalog at ``--scale`` (default 38: ~1M log rows; 381: ~10M), every finding
kind, and the job roots alone, on the DuckDB file (the embedded default), DuckDB over the lake,
and Spark local[2] over the lake (its time includes starting the JVM, ~5 s here; its peak is the
Python driver's, not the JVM's).

    python bench/lake.py [--rows 1000000] [--scale 38] [--skip-write] [--skip-analysis]
                         [--only WORD] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import measure, psql, table, without_pandas  # noqa: E402

SPARK = {"spark.sql.shuffle.partitions": "4", "spark.ui.enabled": "false"}
FINDINGS = {
    "DuckDB file": "from llamaforensics.findings import run_findings; "
    "from llamaforensics.snapshot import open_snapshot; "
    "print(sum(f.height for f in run_findings(open_snapshot(sys.argv[1])).values()))",
    "DuckDB on the lake": "from llamaforensics.engines.analysis import lake_findings; "
    "print(sum(f.height for f in lake_findings(sys.argv[2]).values()))",
    "Spark local[2] on the lake": "from llamaforensics.engines.analysis import spark_findings; "
    "from llamaforensics.engines.spark import SparkLake, spark_session; "
    f"s = spark_session('local[2]', {SPARK!r}); "
    "print(sum(f.height for f in spark_findings(SparkLake(s, sys.argv[2])).values()))",
}
CARRY = "'job_chain_jobs', carry=('job_hash', 'root_lo', 'root_hi'), carry_root=('job_hash',)"
ROOTS = {  # the roots the job-chain findings use: every job, through queries/job_chain_jobs.sql
    "DuckDB file": "from llamaforensics.lineage import infer_roots; "
    "from llamaforensics.snapshot import open_snapshot; "
    f"print(infer_roots(open_snapshot(sys.argv[1]), {CARRY}).height)",
    "DuckDB on the lake": "from llamaforensics.lineage import infer_roots; "
    "from llamaforensics.lake import open_lake; "
    f"print(infer_roots(open_lake(sys.argv[2]), {CARRY}).height)",
    "Spark local[2] on the lake": "from llamaforensics.engines.spark import SparkLake, spark_session; "
    "from llamaforensics.engines.spark_chains import infer_roots_spark; "
    "from llamaforensics.queries import load_query; "
    f"lake = SparkLake(spark_session('local[2]', {SPARK!r}), sys.argv[2]); "
    "lake.execute(load_query('job_chain_jobs')); "
    "lake.execute(load_query('rank_parents')); "
    "print(infer_roots_spark(lake).count())",
}


def write_part(args: argparse.Namespace) -> list[list[str]]:
    """Time the lake's write against the floor and the snapshot file, on bench/snapshot.py's log."""
    import psycopg
    from snapshot import _fill, _remove_new_rows, prepare

    dsn = prepare(args)
    work = Path(tempfile.mkdtemp(prefix="lf-bench-lake-"))
    cli = without_pandas("from llamaforensics.cli import run; run()")
    done = [
        measure(
            "psql \\copy binary (floor)",
            psql(dsn, "-c", "\\copy (select * from llama_logs) to /dev/null with (format binary)"),
            args.rows,
        ),
        measure(
            "snapshot -o FILE",
            [*cli, "snapshot", dsn.conninfo, "-o", str(work / "s.duckdb"), "--quiet"],
            args.rows,
        ),
        measure(
            "snapshot --lake DIR",
            [*cli, "snapshot", dsn.conninfo, "--lake", str(work / "lake"), "--quiet"],
            args.rows,
        ),
    ]
    _fill(dsn, args.rows // 100, start=10 * args.rows, base="now")
    done.append(
        measure(
            "snapshot --lake DIR --refresh (+1%)",
            [*cli, "snapshot", dsn.conninfo, "--lake", str(work / "lake"), "--refresh", "--quiet"],
            args.rows // 100,
        )
    )
    with psycopg.connect(dsn.conninfo, autocommit=True) as conn:
        _remove_new_rows(conn)
    sizes = {
        "file MB": (work / "s.duckdb").stat().st_size / 2**20,
        "lake MB": sum(f.stat().st_size for f in (work / "lake").rglob("*") if f.is_file()) / 2**20,
    }
    shutil.rmtree(work)
    floor = done[0].seconds
    print(
        f"\nwrite, llama_logs {args.rows:,} rows; sizes: "
        + ", ".join(f"{k} {v:,.0f}" for k, v in sizes.items())
    )
    body = [
        [
            r.name,
            f"{r.seconds:.2f}",
            f"{r.rows_per_s:,.0f}",
            f"{r.peak_mb:,.0f}",
            f"{r.seconds / floor:.2f}x",
        ]
        for r in done
    ]
    print(table(body, ["method", "seconds", "rows/s", "peak MB", "vs floor"]))
    return body


def analysis_part(args: argparse.Namespace) -> list[list[str]]:
    """Time findings and job roots on the three paths over the same demo data."""
    from llamaforensics.demo import generate, write_snapshot
    from llamaforensics.lake import export_lake
    from llamaforensics.snapshot.open import table_counts

    work = Path(tempfile.gettempdir()) / f"lf-bench-lake-scale{args.scale:g}"
    snapshot, lake = work / "demo.duckdb", work / "lake"
    if not snapshot.exists():
        work.mkdir(parents=True, exist_ok=True)
        print(f"generating the demo at scale {args.scale:g} (kept in {work})...", flush=True)
        write_snapshot(generate(args.scale), snapshot, progress=True)
    if not lake.exists():
        export_lake(snapshot, lake, progress=False)
    from llamaforensics.snapshot import open_snapshot

    con = open_snapshot(snapshot)
    rows = table_counts(con)["llama_logs"]["live"]
    con.close()
    body = []
    for what, sides in (("findings (every kind)", FINDINGS), ("job roots", ROOTS)):
        for name, code in sides.items():
            if args.only and not any(word.lower() in name.lower() for word in args.only):
                continue
            r = measure(f"{what}: {name}", [*without_pandas(code), str(snapshot), str(lake)], rows)
            body.append([r.name, f"{r.seconds:.2f}", f"{r.peak_mb:,.0f}"])
            print(f"{r.name}: {r.seconds:.2f} s, peak {r.peak_mb:,.0f} MB", flush=True)
    print(f"\nanalysis, demo scale {args.scale:g}: {rows:,} log rows\n")
    print(table(body, ["what, on", "seconds", "peak MB"]))
    return body


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="llama_logs rows for the write part"
    )
    parser.add_argument(
        "--scale", type=float, default=38, help="demo scale for the analysis part (38: ~1M rows)"
    )
    parser.add_argument(
        "--dsn", help="server where a scratch database may be created (default: local postgres)"
    )
    parser.add_argument("--skip-write", action="store_true")
    parser.add_argument("--skip-analysis", action="store_true")
    parser.add_argument(
        "--only",
        action="append",
        metavar="WORD",
        help="analysis: only the paths whose name holds WORD ('file', 'duckdb on', 'spark')",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    args.repeat, args.drop = 1, False
    result = {}
    if not args.skip_write:
        result["write"] = write_part(args)
    if not args.skip_analysis:
        result["analysis"] = analysis_part(args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
