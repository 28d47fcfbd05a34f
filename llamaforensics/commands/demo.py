"""``llamaforensics demo``: generate a realistic broken catalog, into PostgreSQL or a snapshot."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .arguments import Formatter, Subcommands

if TYPE_CHECKING:
    from ..demo import DemoData
    from ..postgres.dsn import Dsn

HELP = "generate demo data (a realistic broken catalog) into PostgreSQL and/or a snapshot"
DESCRIPTION = """\
Generate a deterministic, realistic music catalog with its llama_logs and
sync_jobs in the exact upstream shape, with every kind of broken album and log
anomaly planted at a known place. The ground truth (what was planted where) is
written beside the data: into the snapshot and to a Parquet file.

With no --dsn and no --out, the default demo snapshot is (re)built: that is
the snapshot every other command reads when given none.

--dsn writes into a PostgreSQL database that is empty or has the upstream
schema with no rows (the schema is created when missing); a database that
already holds data is refused and left untouched.
"""
EPILOG = """\
examples:
  llamaforensics demo                                     default demo snapshot, summary
  llamaforensics demo --out big.duckdb --scale 100        200k albums, 2.6M log rows, one snapshot
  createdb demo && llamaforensics demo --dsn postgresql://postgres@127.0.0.1/demo
  llamaforensics demo --out clean.duckdb --clean          no anomalies at all (a control)
"""


def register(commands: Subcommands, formatter: Formatter) -> None:
    p = commands.add_parser(
        "demo", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    p.add_argument("--dsn", metavar="DSN", help="also load the data into this PostgreSQL database")
    p.add_argument(
        "-o",
        "--out",
        metavar="FILE",
        type=Path,
        help="snapshot file to write (default: the demo snapshot)",
    )
    p.add_argument(
        "--scale",
        type=float,
        default=1.0,
        metavar="N",
        help="size: 1 = ~2,000 albums and ~26k log rows; 381 = ~10 million log rows (default: 1)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=42,
        metavar="S",
        help="random seed; same seed, same data (default: 42)",
    )
    p.add_argument("--clean", action="store_true", help="plant no anomalies")
    p.add_argument(
        "--truth",
        metavar="FILE",
        type=Path,
        help="ground-truth Parquet file (default: beside the snapshot; with --dsn alone, "
        "in $LLAMAFORENSICS_HOME/ground-truth/)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..demo import generate, write_ground_truth, write_postgres, write_snapshot
    from ..demo.default import default_snapshot_path
    from ..errors import UsageError
    from ..home import home_dir
    from ..postgres.dsn import parse_dsn
    from ..terminal import progress_wanted
    from .output import print_json

    progress = progress_wanted(args.quiet, args.json)

    if args.scale <= 0:
        raise UsageError(f"--scale must be positive, not {args.scale:g}")
    dsn = parse_dsn(args.dsn) if args.dsn else None
    out = args.out or (None if dsn else default_snapshot_path())
    if dsn:
        prepare_demo_database(dsn)
    data = generate(scale=args.scale, seed=args.seed, anomalies=not args.clean)
    summary = {"seed": args.seed, "scale": args.scale, "anomalies": not args.clean}
    if dsn:
        summary["postgres"] = {
            "database": dsn.display,
            "rows": write_postgres(data, dsn, progress=progress),
        }
    if out:
        write_snapshot(data, out, progress=progress)
        summary["snapshot"] = str(out)
    if args.truth or out:
        truth = args.truth or Path(f"{out}.truth.parquet")
    else:
        assert dsn is not None  # no snapshot is written only when a database is given
        truth = home_dir() / "ground-truth" / f"{safe_name(dsn.params['dbname'])}.parquet"
    write_ground_truth(data, truth)
    summary["ground_truth"] = {"file": str(truth), "planted": planted_counts(data)}
    if args.json:
        print_json(summary)
    else:
        print(describe(summary))
    return 0


def safe_name(name: str) -> str:
    """Return a database name usable as a file name (each character outside [A-Za-z0-9._-]: _)."""
    return (
        "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in name) or "_"
    )


def prepare_demo_database(dsn: Dsn) -> None:
    """Create the upstream schema in an empty database; refuse one that already holds data."""
    from ..errors import UsageError
    from ..postgres.connection import connect
    from ..schema.install import install_upstream_schema

    with connect(dsn) as conn:

        def first(sql: str) -> Any:
            row = conn.execute(sql).fetchone()
            return row[0] if row else None

        has_logs = first("SELECT to_regclass('public.llama_logs') IS NOT NULL")
        if not has_logs:
            if first(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ):
                raise UsageError(
                    f"{dsn.display} has tables but no llama_logs; demo data goes into an empty "
                    "database"
                )
        else:
            rows = first("SELECT count(*) FROM (SELECT 1 FROM llama_logs LIMIT 1) x")
            albums = first("SELECT count(*) FROM (SELECT 1 FROM albums LIMIT 1) x")
            if rows or albums:
                raise UsageError(
                    f"{dsn.display} already holds catalog or log rows; demo data goes into an "
                    "empty database (createdb a new one); nothing was written"
                )
    if not has_logs:
        install_upstream_schema(dsn)


def planted_counts(data: DemoData) -> dict[str, int]:
    """Return how many anomalies of each kind the demo data holds, by kind."""
    import pyarrow.compute as pc

    kinds = data.ground_truth.column("kind")
    counts = pc.value_counts(kinds).to_pylist()
    return {c["values"]: c["counts"] for c in sorted(counts, key=lambda c: c["values"])}


def describe(summary: dict) -> str:
    lines = [
        f"demo data: seed {summary['seed']}, scale {summary['scale']:g}"
        + ("" if summary["anomalies"] else " (clean: nothing planted)")
    ]
    if "postgres" in summary:
        rows = summary["postgres"]["rows"]
        lines.append(
            f"loaded into {summary['postgres']['database']}: "
            + ", ".join(f"{t} {n:,}" for t, n in rows.items())
        )
    if "snapshot" in summary:
        lines.append(f"snapshot   {summary['snapshot']}")
    truth = summary["ground_truth"]
    lines.append(f"ground truth {truth['file']}")
    if truth["planted"]:
        lines.append("planted anomalies:")
        lines += [f"  {kind:<24}{n:>8,}" for kind, n in truth["planted"].items()]
    return "\n".join(lines)
