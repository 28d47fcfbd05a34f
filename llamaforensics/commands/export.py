"""``llamaforensics export``: write an existing snapshot file as a Parquet lake."""

from __future__ import annotations

import argparse
from pathlib import Path

from .arguments import Formatter, Subcommands

HELP = "write a snapshot file as a month-partitioned Parquet lake (DuckDB, Polars, Spark, Trino)"
DESCRIPTION = """\
Write every table of a snapshot file, rows deleted upstream and their marks
included, as a Parquet lake: DIR/llama_logs/month=YYYY-MM/*.parquet, one folder
per catalog table, and DIR/manifest.json (the snapshot's manifest history plus
this export). uuids and enums are stored as text, which every Parquet reader
reads; the manifest keeps each column's snapshot type. An existing lake at DIR
is replaced only once the new one is complete.
"""
EPILOG = """\
examples:
  llamaforensics export prod.duckdb --lake lake/
  llamaforensics findings --lake lake/ --engine spark
"""


def register(commands: Subcommands, formatter: Formatter) -> None:
    p = commands.add_parser(
        "export", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    p.add_argument(
        "snapshot",
        nargs="?",
        metavar="SNAPSHOT",
        type=Path,
        default=None,
        help="snapshot file to export (default: $LLAMAFORENSICS_SNAPSHOT, else the demo snapshot)",
    )
    p.add_argument("--lake", metavar="DIR", type=Path, required=True, help="lake folder to write")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--json", action="store_true", help="print the lake's manifest as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..demo.default import default_snapshot
    from ..lake import export_lake, lake_info
    from .snapshot import print_info

    export_lake(args.snapshot or default_snapshot(), args.lake, progress=not args.quiet)
    return print_info(lake_info(args.lake), as_json=args.json)
