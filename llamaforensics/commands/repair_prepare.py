"""``repair propose`` and ``repair plan``: corrections from findings, pinned to a state.

Nothing here writes to a database: propose reads a snapshot, plan reads the
database each correction will be checked against when it is applied.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UsageError
from .arguments import Formatter, Subcommands, require_dsn, snapshot_argument
from .output import print_json, print_text
from .repair_options import (
    database_option,
    json_option,
    read_file,
    replace_tracks_option,
    write_corrections,
)

PROPOSE = """\
Write the corrections proposed for the snapshot's findings to FILE: tracks and
ids from logged preview enrichments, ids a successful enrichment logged, real
track counts, artists from track credits, merges of duplicates; each with its
origin and confidence. Review FILE, then plan it against the database.
"""
PROPOSE_EXAMPLES = """\
examples:
  llamaforensics repair propose fixes.json --kind trackless_album --snapshot prod.duckdb
  llamaforensics repair propose fixes.json --min-confidence 0.9 --json
"""
PLAN = """\
Fill each correction's expected state from the database as it is now and write
the correction file (to -o FILE, else stdout). Applying it later is refused,
album by album, where the database has changed since (STALE). FILE is a
correction file or an upstream dev-to-prod manifest.
"""
PLAN_EXAMPLES = """\
examples:
  llamaforensics repair plan fixes.json --dsn postgresql://me@db/app -o planned.json
  llamaforensics repair plan manifest.json --replace-tracks > planned.json  (DSN: $DATABASE_URL)
"""


def register(repair: Subcommands, formatter: Formatter) -> None:
    """Add ``repair propose`` and ``repair plan``."""
    p = repair.add_parser(
        "propose",
        help="write corrections proposed for a snapshot's findings",
        description=PROPOSE,
        epilog=PROPOSE_EXAMPLES,
        formatter_class=formatter,
    )
    p.add_argument("file", metavar="FILE", type=Path, help="the correction file to write")
    snapshot_argument(p)
    p.add_argument(
        "--kind", action="append", metavar="K", help="only findings of this kind (repeatable)"
    )
    p.add_argument(
        "--min-confidence",
        type=float,
        default=0.0,
        metavar="X",
        help="leave out proposals less sure than X (0-1; default 0)",
    )
    p.add_argument(
        "--max-rows",
        type=int,
        default=None,
        metavar="N",
        help="leave out corrections writing more than N rows (default 1,000)",
    )
    json_option(p)
    p.set_defaults(run=propose)

    p = repair.add_parser(
        "plan",
        help="pin corrections to the database's current state",
        description=PLAN,
        epilog=PLAN_EXAMPLES,
        formatter_class=formatter,
        one_database=True,
    )
    p.add_argument("file", metavar="FILE", help="correction or manifest file")
    database_option(p)
    p.add_argument("-o", "--out", metavar="FILE", type=Path, help="write to FILE instead of stdout")
    replace_tracks_option(p)
    p.set_defaults(run=plan)


def plan(args: argparse.Namespace) -> int:
    """Write the file's corrections with the state each expects, read from the database now."""
    from ..repair import prepare_corrections

    dsn = require_dsn(args.dsn)
    write_corrections(prepare_corrections(dsn, read_file(args.file, args.replace_tracks)), args.out)
    return 0


def propose(args: argparse.Namespace) -> int:
    """Write the corrections proposed for the snapshot's findings; say what each finding got."""
    from ..demo.default import default_snapshot
    from ..repair.propose import MAX_ROWS, proposals_for
    from ..snapshot import open_snapshot

    if args.max_rows is not None and args.max_rows < 1:
        raise UsageError(f"--max-rows wants a positive number, not {args.max_rows}")
    con = open_snapshot(args.snapshot or default_snapshot())
    try:
        proposals = proposals_for(con, args.kind, args.min_confidence, args.max_rows or MAX_ROWS)
    finally:
        con.close()
    corrections = [c for p in proposals for c in p.corrections]
    write_corrections(corrections, args.file)
    if args.json:
        print_json(
            {
                "file": str(args.file),
                "corrections": len(corrections),
                "proposals": [
                    {
                        "kind": p.finding.kind,
                        "album_id": p.finding.entity_id,
                        "title": p.finding.title,
                        "corrections": [c.kind for c in p.corrections],
                        "confidence": p.confidence,
                        "note": p.note,
                    }
                    for p in proposals
                ],
            }
        )
        return 0
    for p in proposals:
        made = ", ".join(c.kind for c in p.corrections) or "nothing"
        title = p.finding.title or p.finding.entity_id
        print_text(f"{p.finding.kind:22s} {title!s:40.40s}  {made}: {p.note}")
    fixable = sum(bool(p.corrections) for p in proposals)
    print_text(
        f"{len(corrections)} correction(s) for {fixable} of {len(proposals)} finding(s) "
        f"written to {args.file}; "
        f"next: llamaforensics repair plan {args.file} --dsn DSN -o planned.json"
    )
    return 0
