"""``llamaforensics report``: the health report, a static site to open from disk or send on."""

from __future__ import annotations

import argparse
from pathlib import Path

from .arguments import Formatter, Subcommands

HELP = "write the health report: an offline site of findings, causes, albums, audit and trend"
DESCRIPTION = """\
Write a self-contained site into DIR: an index with the health summary (new and
fixed since the last refresh, the largest root causes, the trend), a page per
kind of finding (what it means, why it matters, the suggested fix, every
offender with its cause), a page per affected album (dossier, story, timeline,
lineage), the category audit with what each figure shows, and the trend of
every kind over the snapshot's refresh history. plotly.js is copied beside the
pages: open DIR/index.html from the file system, no server or network needed.
DIR is replaced whole only when the new site is complete.
"""
EPILOG = """\
examples:
  llamaforensics report -o health                       the demo snapshot's report
  llamaforensics report --snapshot prod.duckdb -o /srv/www/health --albums 500
"""


def register(commands: Subcommands, formatter: Formatter) -> None:
    from .arguments import source_arguments

    p = commands.add_parser(
        "report", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    source_arguments(p)
    p.add_argument(
        "-o",
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="directory to write the site into",
    )
    p.add_argument(
        "--albums",
        type=int,
        default=200,
        metavar="N",
        help="album pages: the N albums with the most findings (default: 200)",
    )
    p.add_argument(
        "--rows",
        type=int,
        default=1000,
        metavar="N",
        help="offenders listed per kind's page (default: 1000; the export has all)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..report import write_report
    from .arguments import open_source
    from .output import human_size, print_json

    con = open_source(args, machine=args.json)
    try:
        result = write_report(con, args.out, album_pages=args.albums, rows_per_kind=args.rows)
    finally:
        con.close()
    if args.json:
        print_json(
            {"path": str(result.path), "pages": len(result.pages), "size_bytes": result.size_bytes}
        )
    else:
        print(
            f"wrote {result.path / 'index.html'} and {len(result.pages) - 1:,} more pages "
            f"({human_size(result.size_bytes)})"
        )
    return 0
