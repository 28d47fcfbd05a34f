"""``repair replay``, ``export`` and ``verify``: fixes carried from a dev copy to production.

export writes the upstream dev-to-prod manifest for what a dev copy fixed;
replay runs a batch (a file, or a session read back from another database's
log) into a database; verify checks the upstream summary against a database.
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
    replace_tracks_option,
    write_corrections,
    write_options,
)

REPLAY = """\
Replay a batch into DSN (default --dsn, then $DATABASE_URL), in order, one
transaction each, with a progress bar and a batch summary (problems, changes,
counts) instead of every diff; a dry run unless --apply. BATCH is a correction
or manifest file, or, with --from SOURCE_DSN, a session job id (or a correction
id) whose corrections are read back from SOURCE's llama_logs: carry a session
done on a dev copy to production. Corrections keep their ids, so re-running a
batch (after a lost connection, say) finishes it: what already arrived is
ALREADY_APPLIED. --jobs N spreads the batch over N connections (on 2 cores,
--jobs 3 keeps client and server busy: 1.1-1.3x one).
"""
REPLAY_EXAMPLES = """\
examples:
  llamaforensics repair replay llamaforensics-repair-0f9c... --from $DEV_URL $PROD_URL --apply
                                               a session done on a dev copy, carried to production
  llamaforensics repair replay llamaforensics-repair-0f9c... --from $DEV_URL --save-batch b.json
  llamaforensics repair replay dev-to-prod-manifest.json postgresql://me@prod/app --apply --json
"""
EXPORT = """\
Write the dev-to-prod manifest and its summary (manifest.json and summary.json
in -o DIR, default .) for the albums a dev copy fixed; DEV and PROD are snapshot
files or DSNs. What the format cannot carry is listed (exit 1 when anything
is), and so are the albums whose production tracks the manifest replaces (apply
them with --replace-tracks).
"""
EXPORT_EXAMPLES = """\
examples:
  llamaforensics repair export dev.duckdb postgresql://me@prod/app -o fixes/
  llamaforensics repair export $DEV_URL prod.duckdb --album 3c1e0a52-... --json
"""
VERIFY = """\
Check the upstream summary manifest against the database: per album and field,
does it hold devValue (tracks and artists as counts)? Exit 0 only when every
album does. Nothing is written.
"""
VERIFY_EXAMPLES = """\
examples:
  llamaforensics repair verify summary.json --dsn $PROD_URL
  llamaforensics repair verify summary.json --json   (DSN from $DATABASE_URL)
"""


def register(repair: Subcommands, formatter: Formatter) -> None:
    """Add ``repair replay``, ``repair export`` and ``repair verify``."""
    p = repair.add_parser(
        "replay",
        help="replay a batch or a logged session into a database, with a batch summary",
        description=REPLAY,
        epilog=REPLAY_EXAMPLES,
        formatter_class=formatter,
    )
    p.add_argument(
        "batch",
        metavar="BATCH",
        help="a correction or manifest file, or with --from, a session job id or a correction id",
    )
    p.add_argument("into", metavar="DSN", nargs="?", help="the database to replay into (or --dsn)")
    database_option(p)
    p.add_argument(
        "--from",
        dest="source",
        metavar="SOURCE_DSN",
        help="read the session (or correction) from this database's llama_logs",
    )
    p.add_argument(
        "--save-batch",
        metavar="FILE",
        type=Path,
        help="write the batch to FILE as a correction file instead (nothing applied)",
    )
    write_options(p)
    replace_tracks_option(p)
    p.add_argument(
        "--jobs",
        metavar="N",
        type=int,
        default=1,
        help="work over N connections (corrections touching the same album, artist or track "
        "stay in order on one; default 1)",
    )
    json_option(p)
    p.set_defaults(run=replay)

    p = repair.add_parser(
        "export",
        help="write the dev-to-prod manifest for what a dev copy fixed",
        description=EXPORT,
        epilog=EXPORT_EXAMPLES,
        formatter_class=formatter,
    )
    p.add_argument("dev", metavar="DEV", help="the dev copy: a snapshot file or a DSN")
    p.add_argument("prod", metavar="PROD", help="production: a snapshot file or a DSN")
    p.add_argument(
        "-o", "--out", metavar="DIR", type=Path, help="write the two files into DIR (default: .)"
    )
    p.add_argument("--album", action="append", metavar="ID", help="only this album (repeatable)")
    json_option(p)
    p.set_defaults(run=export)

    p = repair.add_parser(
        "verify",
        help="check the upstream summary manifest against a database",
        description=VERIFY,
        epilog=VERIFY_EXAMPLES,
        formatter_class=formatter,
        one_database=True,
    )
    p.add_argument("summary", metavar="SUMMARY", help="the upstream summary manifest")
    database_option(p)
    json_option(p)
    p.set_defaults(run=verify)


def replay(args: argparse.Namespace) -> int:
    """Replay the batch in order, one transaction each; print a batch summary."""
    from ..repair.batch import batch_summary, format_batch, read_batch
    from ..repair.manifest import replacing_tracks
    from ..repair.replay import replay as replay_batch
    from ..terminal import progress_wanted

    if args.into and args.dsn and args.into != args.dsn:
        raise UsageError(
            "replay: give the target database once (DSN or --dsn), not two different ones"
        )
    source = require_dsn(args.source) if args.source else None
    if args.save_batch:  # to review, or to replay later
        write_corrections(read_batch(args.batch, from_dsn=source), args.save_batch)
        return 0
    dsn = require_dsn(args.into or args.dsn)
    batch = read_batch(args.batch, from_dsn=source)
    batch = replacing_tracks(batch) if args.replace_tracks else batch
    if args.jobs < 1:
        raise UsageError("replay: --jobs must be 1 or more")
    results = replay_batch(
        batch,
        dsn,
        dry_run=not args.apply,
        user_id=args.user,
        progress=progress_wanted(machine=args.json),
        jobs=args.jobs,
    )
    if args.json:
        print_json(
            {
                "target": dsn.display,
                "dry_run": not args.apply,
                **batch_summary(results),
                "results": [r.to_dict() for r in results],
            }
        )
    else:
        print_text(format_batch(results))
    return exit_code(results)


def export(args: argparse.Namespace) -> int:
    """Write the manifest and summary for what DEV fixed; exit 1 when anything was not carried."""
    from ..repair import export_manifest, write_manifest

    manifest, summary = export_manifest(args.dev, args.prod, album_ids=args.album or None)
    paths = write_manifest(manifest, summary, args.out or Path("."))
    if args.json:
        print_json(
            {
                "manifest": str(paths[0]),
                "summary": str(paths[1]),
                "albums": len(manifest["albums"]),
                "notCarried": manifest["notCarried"],
                "replaceTracks": manifest["replaceTracks"],
            }
        )
    else:
        print_text(f"{len(manifest['albums'])} album(s) exported: {paths[0]}, {paths[1]}")
        for note in manifest["notCarried"]:
            print_text(f"  not carried: {note['albumTitle']!r} ({note['albumId']}): {note['note']}")
        for note in manifest["replaceTracks"]:
            print_text(f"  tracks: {note['albumTitle']!r} ({note['albumId']}): {note['note']}")
    return 1 if manifest["notCarried"] else 0


def verify(args: argparse.Namespace) -> int:
    """Check the summary against the database; exit 0 only when every album matches."""
    from ..repair.verify import format_checks, verify_summary

    checks = verify_summary(require_dsn(args.dsn), args.summary)
    if args.json:
        print_json(
            {
                "summary": args.summary,
                "ok": all(c.ok for c in checks),
                "albums": len(checks),
                "matching": sum(c.ok for c in checks),
                "checks": [c.to_dict() for c in checks],
            }
        )
    else:
        print_text(format_checks(checks))
    return 0 if all(c.ok for c in checks) else 1
