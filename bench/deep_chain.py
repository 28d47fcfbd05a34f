"""Benchmark: ``lineage`` on a 100,000-deep job chain (issue 19), text view, --html and --graphml.

Data: the demo (scale 1) loaded into a scratch PostgreSQL database, plus the
hostile rows of ``bench/hostile_rows.sql``: a --depth-deep chain deep-0 <- deep-1
<- ... (one log row per job), timestamps at PostgreSQL's limits, an artist
named with terminal escapes and an album titled in CJK; then snapshotted. The
database and the snapshot are kept between runs (``--drop`` removes them).

Each command runs as its own process, timed whole, with its own peak RSS (GNU
time) and the size of what it wrote (stdout, or the file). Targets: the text
view under 10 s and 500 MB peak RSS; every command under 1.5 GB and the text
under 20 MB (the acceptance test's bounds).

    python bench/deep_chain.py [--depth 100000] [--dsn ...] [--json FILE] [--drop]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import admin_dsn, drop_database, psql, scratch_database, table  # noqa: E402

from llamaforensics.postgres.dsn import Dsn  # noqa: E402

HOSTILE_ROWS = Path(__file__).parent / "hostile_rows.sql"


def prepare(admin: Dsn, depth: int) -> tuple[str, Path]:
    """Return the scratch database's name and its snapshot, built on the first run for ``depth``."""
    from llamaforensics.demo import generate, write_postgres
    from llamaforensics.schema.install import install_upstream_schema
    from llamaforensics.snapshot.take import take_snapshot

    name = f"lf_bench_deep_{depth}"
    dsn, existed = scratch_database(admin, name)
    snapshot = Path(tempfile.gettempdir()) / f"{name}.duckdb"
    if not existed:
        snapshot.unlink(missing_ok=True)
        try:
            print(
                f"loading the demo and a {depth:,}-deep chain into {name} (kept for later runs)...",
                flush=True,
            )
            install_upstream_schema(dsn)
            write_postgres(generate(scale=1.0, seed=42), dsn)
            subprocess.run(psql(dsn, "-v", f"depth={depth}", "-f", str(HOSTILE_ROWS)), check=True)
        except BaseException:
            drop_database(admin, name)
            raise
    if not snapshot.exists():
        take_snapshot(dsn, snapshot, progress=False)
    return name, snapshot


def run_command(label: str, args: list[str], written: Path | None) -> dict:
    """Run one ``llamaforensics`` command; return seconds, peak RSS (MB), exit, bytes written."""
    cli = str(Path(sys.executable).with_name("llamaforensics"))
    with tempfile.NamedTemporaryFile("r") as peak, tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-q", "-f", "%M", "-o", peak.name, cli, *args],
            stdout=out,
            stderr=subprocess.PIPE,
        )
        seconds = time.perf_counter() - started
        stdout_bytes = out.seek(0, os.SEEK_END)
        peak_mb = int(peak.read().split()[-1]) / 1024
    size = written.stat().st_size if written is not None and written.exists() else stdout_bytes
    return {
        "command": label,
        "exit": proc.returncode,
        "seconds": seconds,
        "peak_mb": peak_mb,
        "bytes": size,
        "stderr": proc.stderr.decode(errors="replace").strip().splitlines()[-1:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--depth", type=int, default=100_000)
    parser.add_argument("--dsn")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--drop", action="store_true", help="drop the scratch database and snapshot afterwards"
    )
    args = parser.parse_args()
    admin = admin_dsn(args.dsn)
    name, snapshot = prepare(admin, args.depth)
    with tempfile.TemporaryDirectory() as scratch:
        html, graphml = Path(scratch) / "chain.html", Path(scratch) / "chain.graphml"
        base = ["lineage", "deep-0", "--snapshot", str(snapshot)]
        results = [
            run_command("lineage deep-0 (text)", base, None),
            run_command(
                "lineage deep-0 --range 49990:50010", [*base, "--range", "49990:50010"], None
            ),
            run_command("lineage deep-0 --html", [*base, "--html", str(html)], html),
            run_command("lineage deep-0 --graphml", [*base, "--graphml", str(graphml)], graphml),
            run_command(
                "lineage --check", ["lineage", "--check", "--snapshot", str(snapshot)], None
            ),
        ]
    rows = [
        [
            r["command"],
            str(r["exit"]),
            f"{r['seconds']:.2f}",
            f"{r['peak_mb']:,.0f}",
            f"{r['bytes']:,}",
        ]
        for r in results
    ]
    print(
        f"\nchain depth {args.depth:,} "
        f"(demo snapshot plus the chain: {snapshot.stat().st_size:,} bytes)\n"
    )
    print(table(rows, ["command", "exit", "seconds", "peak MB", "bytes written"]))
    failed = [r for r in results if r["exit"] != 0]
    for r in failed:
        print(f"{r['command']} exited {r['exit']}: {r['stderr']}")
    if args.json:
        args.json.write_text(json.dumps({"depth": args.depth, "results": results}, indent=2))
    if args.drop:
        drop_database(admin, name)
        snapshot.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
