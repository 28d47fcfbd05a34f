"""Benchmark: snapshot of llama_logs against the client floor and what a user would write by hand.

Side by side, in one run, on one upstream-shaped llama_logs (default 2,000,000 rows):

* floor:     psql \\copy (select * from llama_logs) to /dev/null with (format binary)
* pandas:    pandas.read_sql("select * from llama_logs", SQLAlchemy engine)
* snapshot:  llamaforensics snapshot DSN -o FILE   (every table, one consistent transaction)
* refresh:   llamaforensics snapshot DSN -o FILE --refresh, after 1% new log rows

Each runs as its own process; its wall time and its own peak RSS are reported,
with the ratios. With --repeat N, floor, snapshot and refresh take turns N
times (the refresh's new rows removed after each round) and each figure is the
median of its runs (peak: the highest); pandas runs once. The scratch database
is kept between runs (filling it takes a minute) unless --drop is given.

    python bench/snapshot.py [--rows 2000000] [--dsn postgresql://postgres@127.0.0.1/postgres] [--skip-pandas]
                             [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
from common import (  # noqa: E402
    Measurement,
    admin_dsn,
    drop_database,
    measure,
    median_of,
    psql,
    scratch_database,
    table,
    without_pandas,
)

from llamaforensics.postgres.dsn import Dsn  # noqa: E402
from llamaforensics.schema.install import install_upstream_schema  # noqa: E402

FILL = Path(__file__).with_name("fill_llama_logs.sql")
PANDAS = (
    "import pandas, psycopg, sqlalchemy, sys; "
    "e = sqlalchemy.create_engine('postgresql+psycopg://', creator=lambda: psycopg.connect(sys.argv[1])); "
    "df = pandas.read_sql('select * from llama_logs', e); print(len(df))"
)


def prepare(args: argparse.Namespace) -> Dsn:
    admin = admin_dsn(args.dsn)
    dsn, existed = scratch_database(admin, f"lf_bench_snapshot_{args.rows}")
    with psycopg.connect(dsn.conninfo) as conn:
        has_schema = conn.execute("SELECT to_regclass('public.llama_logs') IS NOT NULL").fetchone()[
            0
        ]
    if not has_schema:
        install_upstream_schema(dsn)
    with psycopg.connect(dsn.conninfo, autocommit=True) as conn:
        _remove_new_rows(conn)
        have = conn.execute("SELECT count(*) FROM llama_logs").fetchone()[0]
        if have != args.rows:
            print(
                f"filling llama_logs with {args.rows:,} rows (once; kept for later runs)...",
                file=sys.stderr,
            )
            conn.execute("TRUNCATE llama_logs")
            # one row every 7 seconds, ending a day ago: rows dated in the future would fall into
            # every refresh's window (at 10M rows from 2025-01-01 they ran into 2027)
            _fill(
                dsn,
                args.rows,
                start=0,
                base=f"{datetime.now(UTC) - timedelta(seconds=7 * args.rows, days=1):%Y-%m-%d}",
            )
        conn.execute("VACUUM ANALYZE llama_logs")
        size = conn.execute("SELECT pg_size_pretty(pg_table_size('llama_logs'))").fetchone()[0]
    print(f"llama_logs: {args.rows:,} rows, {size} in PostgreSQL ({dsn.display})", file=sys.stderr)
    return dsn


def _remove_new_rows(conn) -> None:
    """Delete the rows an earlier refresh round added (dated today; the base rows are from 2025)."""
    conn.execute("DELETE FROM llama_logs WHERE created_at > now() - interval '1 day'")


def _fill(dsn, rows: int, start: int, base: str) -> None:
    import subprocess

    subprocess.run(
        psql(
            dsn, "-v", f"rows={rows}", "-v", f"start={start}", "-v", f"base={base}", "-f", str(FILL)
        ),
        check=True,
    )


def run(args: argparse.Namespace) -> dict:
    dsn = prepare(args)
    out = Path(tempfile.mkdtemp(prefix="lf-bench-")) / "bench.duckdb"
    cli = without_pandas("from llamaforensics.cli import run; run()")
    new_rows = args.rows // 100
    rounds = []
    for i in range(args.repeat):
        done = [
            measure(
                "psql \\copy binary (floor)",
                psql(
                    dsn, "-c", "\\copy (select * from llama_logs) to /dev/null with (format binary)"
                ),
                args.rows,
            )
        ]
        if not args.skip_pandas and i == 0:
            done.append(
                measure(
                    "pandas.read_sql (SQLAlchemy)",
                    [sys.executable, "-c", PANDAS, dsn.conninfo],
                    args.rows,
                )
            )
        done.append(
            measure(
                "llamaforensics snapshot",
                [*cli, "snapshot", dsn.conninfo, "-o", str(out), "--quiet"],
                args.rows,
            )
        )
        _fill(dsn, new_rows, start=10 * args.rows, base="now")
        done.append(
            measure(
                "llamaforensics snapshot --refresh (+1%)",
                [*cli, "snapshot", dsn.conninfo, "-o", str(out), "--refresh", "--quiet"],
                new_rows,
            )
        )
        with psycopg.connect(dsn.conninfo, autocommit=True) as conn:
            _remove_new_rows(conn)
            conn.execute("VACUUM ANALYZE llama_logs")
        rounds.append(done)
    runs = {}  # method -> its measurements, in turn
    for done in rounds:
        for r in done:
            runs.setdefault(r.name, []).append(r)
    results = [median_of(of) for of in runs.values()]
    if args.repeat > 1:
        print(
            "\nevery run, in turn: "
            + "; ".join(
                f"{name}: " + " / ".join(f"{r.seconds:.2f}" for r in of)
                for name, of in runs.items()
            )
        )
    out.unlink()
    if args.drop:
        drop_database(admin_dsn(args.dsn), dsn.params["dbname"])
    return report(results, args.rows)


def report(results: list[Measurement], rows: int) -> dict:
    floor = results[0].seconds
    snapshot = next(r for r in results if r.name == "llamaforensics snapshot")
    body = [
        [
            r.name,
            f"{r.seconds:.2f}",
            f"{r.rows_per_s:,.0f}",
            f"{r.peak_mb:,.0f}",
            f"{r.seconds / floor:.2f}x",
        ]
        for r in results
    ]
    print(f"\nllama_logs, {rows:,} rows\n")
    print(table(body, ["method", "seconds", "rows/s", "peak MB", "vs floor"]))
    refresh = results[-1]
    summary = {
        "snapshot_vs_floor": round(snapshot.seconds / floor, 3),
        "refresh_vs_snapshot": round(refresh.seconds / snapshot.seconds, 3),
        "snapshot_peak_mb": round(snapshot.peak_mb),
    }
    pandas = next((r for r in results if r.name.startswith("pandas")), None)
    if pandas:
        summary["pandas_vs_snapshot"] = round(pandas.seconds / snapshot.seconds, 2)
    print("\n" + ", ".join(f"{k} = {v}" for k, v in summary.items()))
    return {"rows": rows, "results": [r.__dict__ for r in results], "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows", type=int, default=2_000_000, help="llama_logs rows (default: 2,000,000)"
    )
    parser.add_argument(
        "--dsn", help="server where a scratch database may be created (default: local postgres)"
    )
    parser.add_argument(
        "--skip-pandas", action="store_true", help="skip pandas.read_sql (slow: ~1 min, GBs)"
    )
    parser.add_argument("--drop", action="store_true", help="drop the scratch database afterwards")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="take turns N times and report medians (pandas runs once)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
