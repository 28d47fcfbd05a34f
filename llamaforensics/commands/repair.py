"""``llamaforensics repair``: find, plan, preview, apply (logged, undoable), each a subcommand.

The subcommands live by what they do: repair_prepare (propose, plan),
repair_apply (preview, apply, undo), repair_carry (replay, export, verify),
repair_sessions (sessions); this module only groups them under ``repair``.
"""

from __future__ import annotations

from . import repair_apply, repair_carry, repair_prepare, repair_sessions
from .arguments import Formatter, Subcommands
from .repair_options import SubcommandParser

HELP = (
    "fix broken albums: propose, plan, preview, apply (logged, undoable), undo, replay "
    "and export corrections"
)
DESCRIPTION = """\
Corrections are JSON documents, each with the state it was prepared against.
A correction file or an upstream dev-to-prod manifest is read as is (every
field lands in its column; an unknown field is an error naming its path).

kinds of correction:
  set_album_fields   set album columns (title, dates, types, label, cover, external ids)
  add_tracks         add tracks to the album
  set_tracks         make the album's track list exactly these tracks (a manifest entry)
  remove_tracks      remove tracks (their log rows are kept)
  modify_tracks      change columns of existing tracks
  link_artist        link an artist to the album, creating it first if new
  unlink_artist      unlink an artist from the album (the artist row stays)
  merge_albums       merge a duplicate album into its survivor
  album_changes      several changes to one album as one correction, undone together
  revert_correction  undo an applied correction (what repair undo writes)

The session: propose (or write) corrections, plan them against the database,
preview, apply (a dry run unless --apply; one transaction per correction, each
logged), undo what should not have been. Each subcommand takes only its own
options: 'llamaforensics repair SUBCOMMAND --help' shows them.

Results: APPLIED, ALREADY_APPLIED (re-running is a no-op), STALE (the album
changed since the plan: nothing written), INVALID, SKIPPED (no such album in
the database), TRACKS_DIFFER (the album holds other tracks: see
--replace-tracks), HELD_BACK (--atomic and another correction was refused),
DRY_RUN. Exit 1 when any correction is STALE, INVALID, SKIPPED or
TRACKS_DIFFER; 2 on a usage or input error.
"""
EPILOG = """\
examples:
  llamaforensics repair propose fixes.json --kind trackless_album --snapshot prod.duckdb
  llamaforensics repair plan fixes.json --dsn postgresql://me@db/app -o planned.json
  llamaforensics repair preview planned.json --dsn postgresql://me@db/app
  llamaforensics repair apply planned.json --dsn postgresql://me@db/app --apply --user admin-1
  llamaforensics repair sessions --dsn postgresql://me@db/app
  llamaforensics repair undo llamaforensics-repair-0f9c... --apply
"""
SUBCOMMANDS = (repair_prepare, repair_apply, repair_carry, repair_sessions)


def register(commands: Subcommands, formatter: Formatter) -> None:
    """Add ``repair`` and its subcommands (propose, plan, ..., sessions) to ``commands``."""
    p = commands.add_parser(
        "repair", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    repair = p.add_subparsers(
        dest="action",
        metavar="SUBCOMMAND",
        required=True,
        parser_class=SubcommandParser,
        title="subcommands",
    )
    for module in SUBCOMMANDS:
        module.register(repair, formatter)
