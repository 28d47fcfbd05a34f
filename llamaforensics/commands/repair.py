"""``llamaforensics repair``: plan, preview, apply and undo corrections, dry-run unless --apply."""

from __future__ import annotations

from pathlib import Path

HELP = "fix broken albums: plan, preview, apply (logged, undoable) and undo corrections"
DESCRIPTION = """\
Corrections are JSON documents (set album fields, add/remove/modify tracks,
link/unlink artists, merge a duplicate album), each with the state it was
prepared against. FILE is a correction file or an upstream dev-to-prod
manifest (or its summary), read as is.

  plan FILE      fill each correction's expected state from the database and
                 write the correction file (to --out, else stdout)
  preview FILE   show exactly what would change, and the log rows, per correction
  apply FILE     dry run by default; with --apply, one transaction per
                 correction, each logged in llama_logs as a CORRECTED row under
                 one repair-session root job; --snapshot rehearses on a copy of
                 a snapshot instead (the snapshot and the database are untouched)
  undo ID        undo a correction (its id) or a whole session (its
                 llamaforensics-repair-... job id) as new logged corrections

Results: APPLIED, ALREADY_APPLIED (re-running is a no-op), STALE (the album
changed since the plan: nothing written), INVALID, DRY_RUN. Exit 1 when any
correction is STALE or INVALID.
"""
EPILOG = """\
examples:
  llamaforensics repair plan fixes.json --dsn postgresql://me@db/app -o planned.json
  llamaforensics repair preview planned.json --dsn postgresql://me@db/app
  llamaforensics repair apply planned.json --snapshot prod.duckdb        rehearse on a snapshot copy
  llamaforensics repair apply planned.json --dsn postgresql://me@db/app --apply --user admin-1
  llamaforensics repair apply dev-to-prod-manifest.json --apply --json  (DSN from $DATABASE_URL)
  llamaforensics repair undo llamaforensics-repair-0f9c... --apply
"""


def register(commands, formatter) -> None:
    p = commands.add_parser("repair", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter)
    p.add_argument("action", choices=("plan", "preview", "apply", "undo"), help="what to do")
    p.add_argument("target", metavar="FILE_OR_ID", help="correction or manifest file; for undo, a correction "
                                                        "id or a repair session job id")
    p.add_argument("--dsn", metavar="DSN", help="the database (default: $DATABASE_URL)")
    p.add_argument("--snapshot", metavar="FILE", type=Path, help="apply: rehearse on a copy of this snapshot")
    p.add_argument("--out", "-o", metavar="FILE", type=Path, help="plan: write the correction file here; "
                                                                  "apply --snapshot: keep the rehearsed copy here")
    p.add_argument("--apply", action="store_true", help="really write (default: dry run)")
    p.add_argument("--user", metavar="ID", help='the admin\'s "User".id recorded on the log rows')
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..cli import print_json, require_dsn
    from ..repair import apply_corrections, format_results, prepare_corrections, undo
    from ..repair.manifest import read_corrections
    from ..repair.model import dump_corrections

    if args.action == "apply" and args.snapshot:
        return _rehearse(args)
    dsn = require_dsn(args.dsn)
    if args.action == "undo":
        results = undo(dsn, args.target, dry_run=not args.apply, user_id=args.user)
    else:
        corrections = prepare_corrections(dsn, read_corrections(args.target, dsn))
        if args.action == "plan":
            text = dump_corrections(corrections)
            args.out.write_text(text + "\n", encoding="utf-8") if args.out else print(text)
            return 0
        dry_run = args.action == "preview" or not args.apply
        results = apply_corrections(dsn, corrections, dry_run=dry_run, user_id=args.user, progress=not args.json)
    print_json([r.to_dict() for r in results]) if args.json else print(format_results(results))
    return 1 if any(r.status in ("STALE", "INVALID") for r in results) else 0


def _rehearse(args) -> int:
    from ..cli import print_json
    from ..repair import format_results
    from ..repair.manifest import read_corrections
    from ..repair.rehearse import rehearse

    corrections = read_corrections(args.target)
    rehearsal = rehearse(args.snapshot, corrections, out=args.out)
    if args.json:
        print_json({"rehearsal": str(rehearsal.path), "results": [r.to_dict() for r in rehearsal.results]})
    else:
        print(format_results(rehearsal.results))
        print(f"rehearsed on {rehearsal.path} ({args.snapshot} untouched)")
    return 1 if any(r.status in ("STALE", "INVALID") for r in rehearsal.results) else 0
