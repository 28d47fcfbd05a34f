"""Benchmark: global root inference over every job of llama_logs, three ways, one run.

Data: ROWS upstream-shaped log rows (default 2,000,000) in PostgreSQL, filled
server-side: about 0.3 distinct jobs per row (several rows share a job_id),
35% of jobs roots, chains up to depth 6, one job in 1,000 with a parent no row
has, a 2-job loop every 100,003 jobs.

* postgres:  a recursive CTE in PostgreSQL walking every row up its parent
             chain with no depth limit (the upstream backfill without its
             limit; walking the distinct jobs rather than fanning out over the
             rows of each parent job, which only makes it faster; the CYCLE
             clause stops loops), default settings. Peak memory is the server
             backend's (VmHWM, when the server runs on this machine; it counts
             the shared buffers the backend touched), plus what it spilled to
             temp files.
* networkx:  the job graph built in Python from the snapshot, weakly connected
             components, each job's top found by walking the graph.
* llamaforensics: lineage.infer_roots on the snapshot (DuckDB + pointer jumping).

Each runs as its own process (its own peak memory), timed whole ("seconds")
and by itself ("work s": without the interpreter's start, imports and
teardown). With --repeat N the sides take turns N times and each figure is
the median of its N runs (peak: the highest); on a shared or virtual machine
the same code varies by a quarter from run to run. The scratch database and
snapshot are kept between runs unless --drop is given.

    python bench/lineage.py [--rows 2000000] [--dsn ...] [--repeat N] [--skip-postgres] [--skip-networkx]
                            [--json FILE] [--drop]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).parent))
from common import (  # noqa: E402
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

FILL = """
INSERT INTO llama_logs (id, entity_type, entity_id, operation, category, status, job_id, parent_job_id, root_job_id,
                        is_root_job, triggered_by, created_at)
SELECT gen_random_uuid(), 'ALBUM', gen_random_uuid(), 'enrichment:album', 'ENRICHED', 'SUCCESS',
       'job-' || k,
       CASE WHEN k % 997 = 0 AND k % 40 >= 14 THEN 'missing-' || k          -- a parent no row has
            WHEN k % 40 < 14 THEN CASE WHEN k % 100003 = 1 THEN 'job-' || (k + 1) END   -- roots, and a few loops
            ELSE 'job-' || (k - 5) END,
       CASE WHEN k % 40 < 14 THEN 'job-' || k END,
       k % 40 < 14, 'scheduled', timestamp '2025-01-01' + g * interval '1 second'
FROM generate_series(0, :rows - 1) AS g, LATERAL (SELECT (g * 3 / 10)::bigint AS k) AS j;
UPDATE llama_logs SET parent_job_id = 'job-' || (substr(job_id, 5)::bigint - 1)
WHERE job_id IN (SELECT 'job-' || (k + 1) FROM generate_series(1, (:rows * 3 / 10)::bigint, 100003) AS k);
"""
POSTGRES = """
WITH RECURSIVE jobs AS MATERIALIZED (
    SELECT DISTINCT ON (job_id) job_id, parent_job_id FROM llama_logs WHERE job_id IS NOT NULL ORDER BY job_id, parent_job_id
), up(id, cur, parent, depth) AS (
    SELECT id, job_id, parent_job_id, 0 FROM llama_logs WHERE job_id IS NOT NULL
    UNION ALL
    SELECT u.id, j.job_id, j.parent_job_id, u.depth + 1 FROM up u JOIN jobs j ON j.job_id = u.parent
) CYCLE cur SET looped USING path
SELECT count(*) FROM (SELECT DISTINCT ON (id) id, cur FROM up ORDER BY id, depth DESC) AS tops
"""
# Each side runs in its own process and writes {"work_s": ...} to its last argument: the seconds of the
# work itself, without the interpreter's start, imports and teardown (which "seconds" includes).
POSTGRES_SIDE = """
import json, os, re, sys, time, psycopg
dsn, query, out = sys.argv[1:4]
with psycopg.connect(dsn, autocommit=True) as conn:
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    started = time.perf_counter()
    conn.execute(query).fetchall()
    work = time.perf_counter() - started
    conn.execute("SELECT pg_stat_force_next_flush()")
    status = f"/proc/{pid}/status"  # the server backend's peak, when the server runs on this machine
    peak = re.search(r"VmHWM:\\s+(\\d+)", open(status).read()) if os.path.exists(status) else None
json.dump({"work_s": work, "backend_peak_kb": int(peak.group(1)) if peak else None}, open(out, "w"))
"""
NETWORKX = """
import json, sys, time, duckdb, networkx as nx
started = time.perf_counter()
con = duckdb.connect(sys.argv[1], read_only=True)
edges = con.execute("SELECT DISTINCT job_id, parent_job_id FROM llama_logs WHERE job_id IS NOT NULL").fetchall()
g = nx.DiGraph()
for job, parent in edges:
    g.add_node(job)
    if parent is not None:
        g.add_edge(job, parent)
components = list(nx.weakly_connected_components(g))
top = {}
for job in g:
    seen, node = {job}, job
    while True:
        nxt = next(iter(g.successors(node)), None)
        if nxt is None or nxt in seen:
            break
        seen.add(nxt)
        node = nxt
    top[job] = node
json.dump({"work_s": time.perf_counter() - started}, open(sys.argv[2], "w"))
"""
OURS = """
import json, time, duckdb
from llamaforensics.lineage import infer_roots
started = time.perf_counter()
roots = infer_roots(duckdb.connect(sys.argv[1], read_only=True))
json.dump({"work_s": time.perf_counter() - started}, open(sys.argv[2], "w"))
"""


@contextmanager
def without_indexes(dsn: Dsn) -> Iterator[None]:
    """Drop llama_logs' secondary indexes for a bulk fill and build them again afterwards (much faster than maintaining them)."""
    with psycopg.connect(dsn.conninfo, autocommit=True) as conn:
        found = conn.execute("""
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename = 'llama_logs'
              AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'public.llama_logs'::regclass)
        """).fetchall()
        for name, _ in found:
            conn.execute(sql.SQL("DROP INDEX public.{}").format(sql.Identifier(name)))
    yield
    with psycopg.connect(dsn.conninfo, autocommit=True) as conn:
        for _, definition in found:
            conn.execute(definition)


def fill(dsn: Dsn, rows: int) -> None:
    """Install the upstream schema and fill llama_logs with ``rows`` benchmark rows, server-side."""
    from llamaforensics.schema.install import install_upstream_schema

    install_upstream_schema(dsn)
    print(f"filling llama_logs with {rows:,} rows (kept for later runs)...", flush=True)
    with without_indexes(dsn), tempfile.NamedTemporaryFile("w", suffix=".sql") as f:
        f.write("SET synchronous_commit = off;\n" + FILL)
        f.flush()
        subprocess.run(psql(dsn, "-v", f"rows={rows}", "-f", f.name), check=True)
    subprocess.run(psql(dsn, "-c", "VACUUM ANALYZE llama_logs"), check=True)


def prepare(args: argparse.Namespace) -> tuple[Dsn, str, Dsn, Path]:
    """Return the scratch database and snapshot, filling and snapshotting them on the first run for this size."""
    from llamaforensics.snapshot.take import take_snapshot

    admin = admin_dsn(args.dsn)
    name = f"lf_bench_lineage_{args.rows}"
    dsn, existed = scratch_database(admin, name)
    snapshot = Path(tempfile.gettempdir()) / f"{name}.duckdb"
    if not existed:
        snapshot.unlink(missing_ok=True)
        try:
            fill(dsn, args.rows)
        except BaseException:
            drop_database(
                admin, name
            )  # a half-filled database would be taken for a finished one next time
            raise
    if not snapshot.exists():
        print(f"snapshotting to {snapshot}...", flush=True)
        take_snapshot(dsn, snapshot, progress=False)
    return admin, name, dsn, snapshot


def temp_bytes(dsn: Dsn) -> int:
    with psycopg.connect(dsn.conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        return conn.execute(
            "SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]


def run_side(name: str, argv: list[str], rows: int) -> tuple:
    """Measure one side as its own process; return the measurement and what the side reported about itself."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        measured = measure(name, [*argv, report.name], rows)
        return measured, json.loads(report.read())


def measure_postgres(dsn: Dsn, rows: int) -> tuple:
    """Measure the PostgreSQL side; its peak is the server backend's, and it reports what it spilled to temp files."""
    before = temp_bytes(dsn)
    measured, report = run_side(
        "PostgreSQL recursive CTE (walk up, no depth limit)",
        [sys.executable, "-c", POSTGRES_SIDE, dsn.conninfo, POSTGRES],
        rows,
    )
    time.sleep(1.5)  # the backend's statistics reach pg_stat_database when it is idle
    peak_kb = report.pop("backend_peak_kb")
    measured.peak_mb = peak_kb / 1024 if peak_kb is not None else float("nan")
    report["temp_bytes"] = temp_bytes(dsn) - before
    return measured, report


def median_side(runs: list[tuple]) -> tuple:
    """Return one side's figures over its runs: median seconds and work, the highest peak."""
    report = runs[0][1]
    return median_of([m for m, _ in runs]), {
        **report,
        "work_s": statistics.median(r["work_s"] for _, r in runs),
    }


def report_table(sides: list[tuple]) -> str:
    """Return the Markdown table of the sides, each compared with the last (ours)."""
    ours, our_report = sides[-1]
    rows = [
        [
            m.name,
            f"{m.seconds:.2f}",
            f"{report['work_s']:.2f}",
            f"{m.peak_mb:,.0f}",
            f"{m.seconds / ours.seconds:.1f}x",
            f"{report['work_s'] / our_report['work_s']:.1f}x",
            f"{m.peak_mb / ours.peak_mb:.1f}x",
        ]
        for m, report in sides
    ]
    return table(
        rows,
        [
            "method",
            "seconds",
            "work s",
            "peak MB",
            "time vs ours",
            "work vs ours",
            "memory vs ours",
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--dsn")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run the sides in turn N times; report medians",
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-networkx", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--drop", action="store_true", help="drop the scratch database and snapshot afterwards"
    )
    args = parser.parse_args()
    admin, name, dsn, snapshot = prepare(args)
    import duckdb

    jobs = (
        duckdb.connect(str(snapshot), read_only=True)
        .execute("SELECT count(DISTINCT job_id) FROM llama_logs")
        .fetchone()[0]
    )
    runs = [[] for _ in range(3)]
    for _ in range(args.repeat):
        if not args.skip_postgres:
            runs[0].append(measure_postgres(dsn, args.rows))
        if not args.skip_networkx:
            runs[1].append(
                run_side(
                    "networkx (build graph, components, tops)",
                    without_pandas(NETWORKX) + [str(snapshot)],
                    args.rows,
                )
            )
        runs[2].append(
            run_side(
                "llamaforensics infer_roots (DuckDB + pointer jumping)",
                without_pandas(OURS) + [str(snapshot)],
                args.rows,
            )
        )
    sides = [median_side(r) for r in runs if r]
    print(f"\nllama_logs: {args.rows:,} rows, {jobs:,} jobs\n")
    print(report_table(sides))
    postgres = (
        (
            f" PostgreSQL's peak is its backend's resident set (shared buffers it touched included); it also "
            f"spilled {sides[0][1]['temp_bytes'] / 2**20:,.0f} MB to temp files (work_mem default)."
        )
        if runs[0]
        else ""
    )
    print(
        f"\nseconds: the whole process; work s: without the interpreter's start, imports and teardown.{postgres}"
    )
    if args.repeat > 1:
        print(
            f"Medians of {args.repeat} runs each, taken in turn; every run: "
            + "; ".join(
                f"{r[0][0].name.split(' (')[0]} " + " / ".join(f"{m.seconds:.2f}" for m, _ in r)
                for r in runs
                if r
            )
            + " s."
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "rows": args.rows,
                    "jobs": jobs,
                    "repeat": args.repeat,
                    "results": [{**m.__dict__, **report} for m, report in sides],
                    "runs": [[{**m.__dict__, **report} for m, report in r] for r in runs],
                },
                indent=2,
            )
        )
    if args.drop:
        drop_database(admin, name)
        snapshot.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
