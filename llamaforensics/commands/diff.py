"""``llamaforensics diff``: what changed between two snapshots of the same database."""

from __future__ import annotations

from pathlib import Path

from ..cli import print_text
from ..snapshot.extremes import shown_rows

HELP = "what changed between two snapshots: albums added/removed, fields, tracks, findings"
DESCRIPTION = """\
Compare two snapshots of one database (say, last week's and today's, or one
taken before a repair session and one after): albums added and removed (with
how many of a removed album's log rows the newer snapshot kept), fields that
changed, tracks gained or lost per album, and findings that appeared or were
resolved.
"""
EPILOG = """\
examples:
  llamaforensics diff monday.duckdb friday.duckdb
  llamaforensics diff before-repair.duckdb after-repair.duckdb --json | jq .counts
"""
SHOW = 20


def register(commands, formatter) -> None:
    p = commands.add_parser("diff", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter)
    p.add_argument("old", type=Path, metavar="OLD", help="the earlier snapshot")
    p.add_argument("new", type=Path, metavar="NEW", help="the later snapshot")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..cli import print_json
    from ..diff import diff_snapshots

    result = diff_snapshots(args.old, args.new)
    if args.json:
        print_json(result.to_dict())
        return 0
    print_text(f"{args.old} -> {args.new}")
    for name, n in result.counts.items():
        print_text(f"  {name.replace('_', ' '):<28}{n:>8,}")
    for title, frame in (("albums added", result.albums_added), ("albums removed", result.albums_removed),
                         ("fields changed", result.fields_changed), ("tracks changed", result.tracks_changed),
                         ("findings appeared", result.findings_appeared), ("findings resolved", result.findings_resolved)):
        if frame.height:
            print_text(f"\n{title}:")
            for row in shown_rows(frame.head(SHOW)):
                print_text("  " + "  ".join(f"{k}={v!r}" for k, v in row.items())[:160])
    return 0
