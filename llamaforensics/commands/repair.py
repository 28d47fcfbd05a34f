"""``llamaforensics repair``: plan, preview, apply, undo and replay corrections, dry-run unless --apply."""

from __future__ import annotations

from pathlib import Path

from .output import print_text

HELP = "fix broken albums: propose, plan, preview, apply (logged, undoable), undo, replay and export corrections"
DESCRIPTION = """\
Corrections are JSON documents (set album fields, add/remove/modify tracks,
set an album's track list, link/unlink artists, merge a duplicate album, or
several changes to one album as one), each with the state it was prepared
against. FILE is a correction file or an upstream dev-to-prod manifest, read
as is (every field lands in its column; an unknown field is an error naming
its path): each manifest entry is one correction, its album fixed whole or not
at all, and an album the database lacks is SKIPPED while the rest applies.

  propose FILE   write the corrections proposed for the snapshot's findings to
                 FILE (--kind K, repeatable; --min-confidence X): tracks and ids
                 from logged preview enrichments, ids a successful enrichment
                 logged, real track counts, artists from track credits, merges
                 of duplicates; each with its origin and confidence
  plan FILE      fill each correction's expected state from the database and
                 write the correction file (to --out, else stdout)
  preview FILE   show exactly what would change, and the log rows, per correction
  apply FILE     dry run by default; with --apply, one transaction per
                 correction, each logged in llama_logs as a CORRECTED row under
                 one repair-session root job; --snapshot rehearses on a copy of
                 a snapshot instead (the snapshot and the database are untouched);
                 --atomic: all or nothing (one transaction, written only when
                 no correction is skipped or refused); --replace-tracks: an
                 album holding other tracks than the manifest's gets the
                 manifest's (its others removed, logged, undoable); without
                 it such an album is shown track by track and not written
  verify SUMMARY check the upstream summary manifest against --dsn: per album
                 and field, does the database hold devValue (tracks and
                 artists as counts)? exit 0 only when every album does
  undo ID        undo a correction (its id) or a whole session (its
                 llamaforensics-repair-... job id) as new logged corrections;
                 a row it created that other rows now point at (a user's
                 favourite, say) is kept and named, the rest is undone. Undo an
                 undo (its correction id or session) to redo; applying a
                 correction whose applications were all undone applies it again
  sessions [SESSION]
                 list the repair sessions (time, user, corrections applied,
                 undone, redone), newest first; with a session job id, that
                 session's corrections in order, each with its role and whether
                 it is still in effect
  replay BATCH [DSN]
                 replay a batch into DSN (default --dsn, then $DATABASE_URL),
                 in order, one transaction each, with a progress bar and a
                 batch summary (problems, changes, counts) instead of every
                 diff. BATCH is a correction or manifest file, or, with
                 --from SOURCE_DSN, a session job id (or a correction id) whose
                 corrections are read back from SOURCE's llama_logs: carry a
                 session done on a dev copy to production. Corrections keep
                 their ids, so re-running a batch (after a lost connection,
                 say) finishes it: what already arrived is ALREADY_APPLIED.
                 --jobs N spreads the batch over N connections (on 2 cores,
                 --jobs 3 keeps client and server busy: 1.1-1.3x one).
  export DEV PROD
                 write the dev-to-prod manifest and its summary (manifest.json,
                 summary.json in --out DIR, default .) for the albums a dev
                 copy fixed; DEV and PROD are snapshot files or DSNs; --album ID
                 (repeatable) exports only those; what the format cannot carry
                 is listed (exit 1 when anything is), and so are the albums
                 whose production tracks the manifest replaces (apply them
                 with --replace-tracks)

Results: APPLIED, ALREADY_APPLIED (re-running is a no-op), STALE (the album
changed since the plan: nothing written), INVALID, SKIPPED (no such album in
the database), TRACKS_DIFFER (the album holds other tracks: see
--replace-tracks), HELD_BACK (--atomic and another correction was refused),
DRY_RUN. Exit 1 when any correction is STALE, INVALID, SKIPPED or
TRACKS_DIFFER.
"""
EPILOG = """\
examples:
  llamaforensics repair propose fixes.json --kind trackless_album --snapshot prod.duckdb
  llamaforensics repair plan fixes.json --dsn postgresql://me@db/app -o planned.json
  llamaforensics repair preview planned.json --dsn postgresql://me@db/app
  llamaforensics repair apply planned.json --snapshot prod.duckdb        rehearse on a snapshot copy
  llamaforensics repair apply planned.json --dsn postgresql://me@db/app --apply --user admin-1
  llamaforensics repair apply dev-to-prod-manifest.json --apply --json  (DSN from $DATABASE_URL)
  llamaforensics repair apply manifest.json --dsn $PROD_URL --apply --atomic --replace-tracks
  llamaforensics repair verify summary.json --dsn $PROD_URL
  llamaforensics repair undo llamaforensics-repair-0f9c... --apply
  llamaforensics repair sessions --dsn postgresql://me@db/app
  llamaforensics repair sessions llamaforensics-repair-0f9c... --json
  llamaforensics repair replay llamaforensics-repair-0f9c... --from $DEV_URL $PROD_URL --apply
                                               a session done on a dev copy, carried to production
  llamaforensics repair replay dev-to-prod-manifest.json postgresql://me@prod/app --apply --jobs 2 --json
  llamaforensics repair export dev.duckdb postgresql://me@prod/app -o fixes/
"""


def register(commands, formatter) -> None:
    p = commands.add_parser(
        "repair", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    actions = (
        "propose",
        "plan",
        "preview",
        "apply",
        "undo",
        "replay",
        "export",
        "verify",
        "sessions",
    )
    p.add_argument("action", choices=actions, help="what to do")
    p.add_argument(
        "target",
        metavar="FILE_OR_ID",
        nargs="?",
        help="correction or manifest file; for verify, the summary file; for undo, a "
        "correction id or a repair session job id; for replay with --from, either; "
        "for sessions, a session job id (optional)",
    )
    p.add_argument(
        "into",
        metavar="DSN",
        nargs="?",
        help="replay: the database to replay into (or --dsn); export: PROD",
    )
    p.add_argument("--dsn", metavar="DSN", help="the database (default: $DATABASE_URL)")
    p.add_argument(
        "--from",
        dest="source",
        metavar="SOURCE_DSN",
        help="replay: read the session (or correction) from this database's llama_logs",
    )
    p.add_argument(
        "--snapshot", metavar="FILE", type=Path, help="apply: rehearse on a copy of this snapshot"
    )
    p.add_argument(
        "--out",
        "-o",
        metavar="FILE",
        type=Path,
        help="plan: write the correction file here; "
        "apply --snapshot: keep the rehearsed copy here; "
        "replay: write the batch here (nothing applied)",
    )
    p.add_argument("--apply", action="store_true", help="really write (default: dry run)")
    p.add_argument(
        "--atomic",
        action="store_true",
        help="apply: all or nothing, in one transaction (nothing written if any "
        "correction is skipped or refused)",
    )
    p.add_argument(
        "--replace-tracks",
        action="store_true",
        help="plan, preview, apply, replay: replace an album's other tracks with the "
        "manifest's (logged, undoable) instead of refusing it",
    )
    p.add_argument("--user", metavar="ID", help='the admin\'s "User".id recorded on the log rows')
    p.add_argument(
        "--jobs",
        metavar="N",
        type=int,
        default=1,
        help="replay: work over N connections (corrections touching the same album, artist or track "
        "stay in order on one; default 1)",
    )
    p.add_argument(
        "--kind",
        action="append",
        metavar="K",
        help="propose: only findings of this kind (repeatable)",
    )
    p.add_argument(
        "--min-confidence",
        type=float,
        default=0.0,
        metavar="X",
        help="propose: leave out proposals less sure than X (0-1; default 0)",
    )
    p.add_argument(
        "--max-rows",
        type=int,
        default=None,
        metavar="N",
        help="propose: leave out corrections writing more than N rows (default 1,000)",
    )
    p.add_argument(
        "--album", action="append", metavar="ID", help="export: only this album (repeatable)"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..errors import UsageError
    from ..repair import apply_corrections, format_results, prepare_corrections, undo
    from ..repair.apply import PROBLEMS
    from ..repair.atomic import apply_all_or_nothing
    from ..repair.model import dump_corrections
    from .arguments import require_dsn
    from .output import print_json

    if args.atomic and args.action != "apply":
        raise UsageError(f"--atomic is for repair apply, not repair {args.action}")
    if args.replace_tracks and args.action not in ("plan", "preview", "apply", "replay"):
        raise UsageError(
            f"--replace-tracks is for repair plan, preview, apply and replay, "
            f"not repair {args.action}"
        )
    if args.action == "sessions":
        return _sessions(args)
    if not args.target:
        raise UsageError(f"repair {args.action} needs FILE_OR_ID")
    if args.action == "verify":
        return _verify(args)
    if args.action == "replay":
        return _replay(args)
    if args.action == "propose":
        return _propose(args)
    if args.action == "export":
        return _export(args)
    if args.into or args.source:
        raise UsageError(f"repair {args.action} takes no second DSN nor --from (only replay does)")
    if args.action == "apply" and args.snapshot:
        if args.atomic:
            raise UsageError(
                "--atomic writes to a database; a rehearsal (--snapshot) writes nothing anyway"
            )
        return _rehearse(args)
    dsn = require_dsn(args.dsn)
    if args.action == "undo":
        results = undo(dsn, args.target, dry_run=not args.apply, user_id=args.user)
    else:
        corrections = prepare_corrections(dsn, _read(args))
        if args.action == "plan":
            text = dump_corrections(corrections)
            args.out.write_text(text + "\n", encoding="utf-8") if args.out else print_text(text)
            return 0
        dry_run = args.action == "preview" or not args.apply
        from ..terminal import progress_wanted

        apply = apply_all_or_nothing if args.atomic else apply_corrections
        results = apply(
            dsn,
            corrections,
            dry_run=dry_run,
            user_id=args.user,
            progress=progress_wanted(machine=args.json),
        )
    print_json([r.to_dict() for r in results]) if args.json else print_text(format_results(results))
    return 1 if any(r.status in PROBLEMS for r in results) else 0


def _read(args) -> list:
    """Return the file's corrections (allowed to replace tracks with --replace-tracks)."""
    from ..repair.manifest import read_corrections, replacing_tracks

    corrections = read_corrections(args.target)
    return replacing_tracks(corrections) if args.replace_tracks else corrections


def _verify(args) -> int:
    from ..errors import UsageError
    from ..repair.verify import format_checks, verify_summary
    from .arguments import require_dsn
    from .output import print_json

    if args.into or args.source or args.apply or args.snapshot:
        raise UsageError("repair verify reads SUMMARY and --dsn only (it writes nothing)")
    checks = verify_summary(require_dsn(args.dsn), args.target)
    if args.json:
        print_json(
            {
                "summary": args.target,
                "ok": all(c.ok for c in checks),
                "albums": len(checks),
                "matching": sum(c.ok for c in checks),
                "checks": [c.to_dict() for c in checks],
            }
        )
    else:
        print_text(format_checks(checks))
    return 0 if all(c.ok for c in checks) else 1


def _sessions(args) -> int:
    from ..repair.history import repair_sessions, session_history
    from .arguments import require_dsn
    from .output import print_json

    dsn = require_dsn(args.dsn)
    rows = session_history(dsn, args.target) if args.target else repair_sessions(dsn)
    if args.json:
        print_json(rows)
    elif args.target:
        print_text(
            "\n".join(
                f"{r['sequence']:>4} {r['created_at']} {r['role']:8s} {r['kind']:18s} "
                f"{r['correction_id']} album {r['album_id']}"
                + ("" if r["in_effect"] else f"  (undone in {r['undone_in']})")
                for r in rows
            )
        )
    else:
        print_text(
            "\n".join(
                f"{s['session']}  {s['started_at']}  user {s['user_id'] or '-'}  "
                f"{s['corrections']} correction(s): {s['applied']} applied, {s['undone']} undone, "
                f"{s['redone']} redone"
                for s in rows
            )
            or "no repair sessions in llama_logs"
        )
    return 0


def _replay(args) -> int:
    from ..errors import UsageError
    from ..repair.apply import PROBLEMS
    from ..repair.manifest import replacing_tracks
    from ..repair.model import dump_corrections
    from ..repair.replay import batch_summary, format_batch, read_batch, replay
    from .arguments import require_dsn
    from .output import print_json

    if args.into and args.dsn and args.into != args.dsn:
        raise UsageError(
            "replay: give the target database once (DSN or --dsn), not two different ones"
        )
    if args.snapshot:
        raise UsageError(
            "replay writes to a database; rehearse on a snapshot with: repair apply FILE --snapshot FILE"
        )
    source = require_dsn(args.source) if args.source else None
    if args.out:  # write the batch as a correction file, to review or replay later
        args.out.write_text(
            dump_corrections(read_batch(args.target, from_dsn=source)) + "\n", encoding="utf-8"
        )
        return 0
    dsn = require_dsn(args.into or args.dsn)
    batch = read_batch(args.target, from_dsn=source)
    batch = replacing_tracks(batch) if args.replace_tracks else batch
    if args.jobs < 1:
        raise UsageError("replay: --jobs must be 1 or more")
    from ..terminal import progress_wanted

    results = replay(
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
    return 1 if any(r.status in PROBLEMS for r in results) else 0


def _rehearse(args) -> int:
    from ..repair import format_results
    from ..repair.apply import PROBLEMS
    from ..repair.rehearse import rehearse
    from .output import print_json

    rehearsal = rehearse(args.snapshot, _read(args), out=args.out)
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
    return 1 if any(r.status in PROBLEMS for r in rehearsal.results) else 0


def _propose(args) -> int:
    from ..errors import UsageError
    from ..repair.model import dump_corrections
    from ..repair.propose import MAX_ROWS, proposals_for
    from ..snapshot import open_snapshot
    from .output import print_json

    if args.max_rows is not None and args.max_rows < 1:
        raise UsageError(f"--max-rows wants a positive number, not {args.max_rows}")
    con = open_snapshot(args.snapshot)
    try:
        proposals = proposals_for(con, args.kind, args.min_confidence, args.max_rows or MAX_ROWS)
    finally:
        con.close()
    corrections = [c for p in proposals for c in p.corrections]
    Path(args.target).write_text(dump_corrections(corrections) + "\n", encoding="utf-8")
    if args.json:
        print_json(
            {
                "file": str(args.target),
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
        print_text(
            f"{p.finding.kind:22s} {p.finding.title or p.finding.entity_id!s:40.40s}  {made}: {p.note}"
        )
    fixable = sum(bool(p.corrections) for p in proposals)
    print_text(
        f"{len(corrections)} correction(s) for {fixable} of {len(proposals)} finding(s) written to {args.target}; "
        f"next: llamaforensics repair plan {args.target} --dsn DSN -o planned.json"
    )
    return 0


def _export(args) -> int:
    from ..errors import UsageError
    from ..repair import export_manifest, write_manifest
    from .output import print_json

    if not args.into:
        raise UsageError("repair export needs DEV and PROD: two snapshot files or DSNs")
    manifest, summary = export_manifest(args.target, args.into, album_ids=args.album or None)
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
