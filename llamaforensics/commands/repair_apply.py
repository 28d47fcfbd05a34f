"""``repair preview``, ``apply`` and ``undo``: the writes, each a dry run unless --apply.

A write is one transaction per correction, logged in llama_logs under one
repair-session root job; ``apply --snapshot`` rehearses on a copy of a snapshot
instead, and ``undo`` writes the reverse as new logged corrections.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UsageError
from .arguments import Formatter, Subcommands, require_dsn
from .output import print_json, print_text
from .repair_options import (
    database_option,
    exit_code,
    json_option,
    print_results,
    read_file,
    replace_tracks_option,
    user_option,
    write_options,
)

PREVIEW = """\
Show exactly what applying FILE would change, and the log rows it would write,
per correction. Nothing is written.
"""
PREVIEW_EXAMPLES = """\
examples:
  llamaforensics repair preview planned.json --dsn postgresql://me@db/app
  llamaforensics repair preview manifest.json --replace-tracks --json
"""
APPLY = """\
Apply FILE (a correction file or an upstream dev-to-prod manifest): a dry run
unless --apply; with --apply, one transaction per correction, each logged in
llama_logs as a CORRECTED row under one repair-session root job. Each manifest
entry is one correction, its album fixed whole or not at all; an album the
database lacks is SKIPPED while the rest applies. An album holding other tracks
than the manifest's is shown track by track and not written (TRACKS_DIFFER),
unless --replace-tracks. --snapshot rehearses on a copy of a snapshot instead
(the snapshot and the database are untouched).
"""
APPLY_EXAMPLES = """\
examples:
  llamaforensics repair apply planned.json --snapshot prod.duckdb        rehearse on a snapshot copy
  llamaforensics repair apply planned.json --dsn postgresql://me@db/app --apply --user admin-1
  llamaforensics repair apply dev-to-prod-manifest.json --apply --json  (DSN from $DATABASE_URL)
  llamaforensics repair apply manifest.json --dsn $PROD_URL --apply --atomic --replace-tracks
"""
UNDO = """\
Undo a correction (its id) or a whole session (its llamaforensics-repair-...
job id) as new logged corrections; a dry run unless --apply. A row it created
that other rows now point at (a user's favourite, say) is kept and named, the
rest is undone. Undo an undo (its correction id or session) to redo; applying a
correction whose applications were all undone applies it again.
"""
UNDO_EXAMPLES = """\
examples:
  llamaforensics repair undo llamaforensics-repair-0f9c... --apply
  llamaforensics repair undo 3c1e0a52-... --dsn postgresql://me@db/app --json
"""


def register(repair: Subcommands, formatter: Formatter) -> None:
    """Add ``repair preview``, ``repair apply`` and ``repair undo``."""
    p = repair.add_parser(
        "preview",
        help="show what applying a file would change (nothing written)",
        description=PREVIEW,
        epilog=PREVIEW_EXAMPLES,
        formatter_class=formatter,
        one_database=True,
    )
    p.add_argument("file", metavar="FILE", help="correction or manifest file")
    database_option(p)
    replace_tracks_option(p)
    user_option(p)
    json_option(p)
    p.set_defaults(run=preview)

    p = repair.add_parser(
        "apply",
        help="apply corrections: logged, undoable, dry run unless --apply",
        description=APPLY,
        epilog=APPLY_EXAMPLES,
        formatter_class=formatter,
        one_database=True,
    )
    p.add_argument("file", metavar="FILE", help="correction or manifest file")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--dsn", metavar="DSN", help="the database (default: $DATABASE_URL)")
    where.add_argument(
        "--snapshot", metavar="FILE", type=Path, help="rehearse on a copy of this snapshot instead"
    )
    p.add_argument(
        "--rehearsal",
        metavar="FILE",
        type=Path,
        help="with --snapshot: keep the rehearsed copy as FILE (default: a temporary file)",
    )
    write_options(p)
    p.add_argument(
        "--atomic",
        action="store_true",
        help="all or nothing, in one transaction (nothing written if any correction is "
        "skipped or refused)",
    )
    replace_tracks_option(p)
    json_option(p)
    p.set_defaults(run=apply)

    p = repair.add_parser(
        "undo",
        help="undo a correction or a session as new logged corrections (redo: undo the undo)",
        description=UNDO,
        epilog=UNDO_EXAMPLES,
        formatter_class=formatter,
        one_database=True,
    )
    p.add_argument("id", metavar="ID", help="a correction id or a repair session's job id")
    database_option(p)
    write_options(p)
    json_option(p)
    p.set_defaults(run=undo)


def preview(args: argparse.Namespace) -> int:
    """Show each correction's changes and log rows as applying would write them; write nothing."""
    return _apply(args, dry_run=True, atomic=False)


def apply(args: argparse.Namespace) -> int:
    """Apply the file's corrections (a dry run unless --apply), or rehearse them on a snapshot."""
    if args.rehearsal and not args.snapshot:
        raise UsageError(
            "--rehearsal keeps a rehearsed snapshot copy: rehearse with --snapshot FILE"
        )
    if args.snapshot:
        if args.atomic:
            raise UsageError(
                "--atomic writes to a database; a rehearsal (--snapshot) writes nothing anyway"
            )
        return _rehearse(args)
    return _apply(args, dry_run=not args.apply, atomic=args.atomic)


def undo(args: argparse.Namespace) -> int:
    """Undo a correction or a session as new logged corrections (a dry run unless --apply)."""
    from ..repair import RepairSession, RepairTarget

    target = RepairTarget(dsn=require_dsn(args.dsn))
    results = target.undo(args.id, RepairSession(user_id=args.user), dry_run=not args.apply)
    return print_results(results, machine=args.json)


def _apply(args: argparse.Namespace, *, dry_run: bool, atomic: bool) -> int:
    """Prepare the file's corrections against the database and apply them, through its target."""
    from ..repair import RepairSession, RepairTarget
    from ..terminal import progress_wanted

    target = RepairTarget(dsn=require_dsn(args.dsn))
    corrections = target.prepare(read_file(args.file, args.replace_tracks))
    results = target.apply(
        corrections,
        RepairSession(user_id=args.user),
        dry_run=dry_run,
        progress=progress_wanted(machine=args.json),
        atomic=atomic,
    )
    return print_results(results, machine=args.json)


def _rehearse(args: argparse.Namespace) -> int:
    from ..repair import format_results
    from ..repair.rehearse import rehearse

    rehearsal = rehearse(
        args.snapshot, read_file(args.file, args.replace_tracks), out=args.rehearsal
    )
    if args.json:
        print_json(
            {
                "rehearsal": str(rehearsal.path),
                "unchecked": rehearsal.unchecked,
                "results": [r.to_dict() for r in rehearsal.results],
            }
        )
    else:
        print_text(format_results(rehearsal.results))
        print_text(f"rehearsed on {rehearsal.path} ({args.snapshot} untouched)")
        if rehearsal.unchecked:
            print_text(
                "not checked (a snapshot does not hold them; PostgreSQL will): rows of "
                + ", ".join(rehearsal.unchecked)
                + " pointing at rows it deleted or moved"
            )
    return exit_code(rehearsal.results)
