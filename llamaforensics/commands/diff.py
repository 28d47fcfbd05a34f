"""``llamaforensics diff``: what changed between two snapshots of the same database."""

from __future__ import annotations

import argparse
from pathlib import Path

from .arguments import Formatter, Subcommands

HELP = "what changed between two snapshots: albums, fields, tracks, log rows, links, findings"
DESCRIPTION = """\
Compare two snapshots of one database (say, last week's and today's, or one
taken before a repair session and one after): albums added and removed (with
how many of a removed album's log rows the newer snapshot kept), fields that
changed, tracks gained or lost, log rows new, changed and vanished, artist
links made and removed -- all summarised per album -- and findings that
appeared or were resolved.

--format csv|parquet writes one table (--table, default per_album: one row per
album that changed, each kind of change counted).
"""
EPILOG = """\
examples:
  llamaforensics diff monday.duckdb friday.duckdb
  llamaforensics diff before-repair.duckdb after-repair.duckdb --json | jq .counts
  llamaforensics diff monday.duckdb friday.duckdb --format csv -o changes.csv
  llamaforensics diff monday.duckdb friday.duckdb --table log_rows_changed -o logs.parquet \\
      --format parquet
"""
SHOW = 20
# Short headings for the per-album table on a terminal (the exports keep the full names).
SHORT = {
    "fields_changed": "fields",
    "tracks_gained": "+tracks",
    "tracks_lost": "-tracks",
    "log_rows_new": "+logs",
    "log_rows_changed": "~logs",
    "log_rows_vanished": "-logs",
    "artists_linked": "+artists",
    "artists_unlinked": "-artists",
}


def register(commands: Subcommands, formatter: Formatter) -> None:
    from ..snapshot_diff import TABLES
    from ..table_output import FORMATS

    p = commands.add_parser(
        "diff", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    p.add_argument("old", type=Path, metavar="OLD", help="the earlier snapshot")
    p.add_argument("new", type=Path, metavar="NEW", help="the later snapshot")
    p.add_argument(
        "--format", choices=FORMATS, default="table", help="output format (default: table)"
    )
    p.add_argument("-o", "--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument(
        "--table",
        choices=("per_album", *TABLES),
        default="per_album",
        metavar="TABLE",
        help=f"the table --format csv|parquet writes: {', '.join(('per_album', *TABLES))} "
        "(default: per_album)",
    )
    p.add_argument(
        "--limit",
        type=int,
        default=SHOW,
        metavar="N",
        help=f"rows shown per table (default: {SHOW})",
    )
    p.add_argument("--json", action="store_true", help="same as --format json")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..snapshot_diff import diff_snapshots
    from ..table_output import check_format, write_frame, write_json
    from ..terminal import wrote

    fmt = "json" if args.json else args.format
    check_format(fmt, args.out)
    result = diff_snapshots(args.old, args.new)
    if fmt == "table":
        _print(result, args)
        return 0
    if fmt == "json" and args.table == "per_album":
        write_json(result.to_dict(), args.out)
    else:
        table = result.per_album() if args.table == "per_album" else getattr(result, args.table)
        write_frame(table, fmt, args.out)
    if args.out:
        print(wrote(args.out))
    return 0


def _print(result, args) -> None:
    import polars as pl

    from ..terminal import print_frame
    from .output import print_text

    print_text(f"{args.old} -> {args.new}")
    counts = pl.DataFrame(
        {
            "change": [k.replace("_", " ") for k in result.counts],
            "count": list(result.counts.values()),
        }
    )
    print_frame(counts)
    per_album = result.per_album()
    if per_album.height:
        print()
        happened = [c for c in per_album.columns if c == "album_id" or per_album[c].sum() > 0]
        print_frame(
            per_album.select(happened).rename(SHORT, strict=False),
            title=f"{per_album.height:,} albums changed",
            limit=args.limit,
        )
    for name in (
        "fields_changed",
        "log_rows_changed",
        "artist_links_changed",
        "findings_appeared",
        "findings_resolved",
    ):
        frame = getattr(result, name)
        if frame.height:
            print()
            print_frame(frame, title=name.replace("_", " "), limit=args.limit)
