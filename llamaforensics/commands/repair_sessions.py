"""``repair sessions``: the sessions llama_logs holds, or one session's corrections in order."""

from __future__ import annotations

import argparse

from .arguments import Formatter, Subcommands, require_dsn
from .output import print_json, print_text
from .repair_options import database_option, json_option

SESSIONS = """\
List the repair sessions (time, user, corrections applied, undone, redone),
newest first; with a session job id, that session's corrections in order, each
with its role and whether it is still in effect. Nothing is written.
"""
SESSIONS_EXAMPLES = """\
examples:
  llamaforensics repair sessions --dsn postgresql://me@db/app
  llamaforensics repair sessions llamaforensics-repair-0f9c... --json
"""


def register(repair: Subcommands, formatter: Formatter) -> None:
    """Add ``repair sessions``."""
    p = repair.add_parser(
        "sessions",
        help="list the repair sessions, or one session's corrections",
        description=SESSIONS,
        epilog=SESSIONS_EXAMPLES,
        formatter_class=formatter,
        one_database=True,
    )
    p.add_argument(
        "session", metavar="SESSION", nargs="?", help="a session job id: its corrections in order"
    )
    database_option(p)
    json_option(p)
    p.set_defaults(run=sessions)


def sessions(args: argparse.Namespace) -> int:
    """Print the sessions, newest first, or the named session's corrections in order."""
    from ..repair.session_log import repair_sessions, session_history

    dsn = require_dsn(args.dsn)
    rows = session_history(dsn, args.session) if args.session else repair_sessions(dsn)
    if args.json:
        print_json(rows)
    elif args.session:
        print_text("\n".join(_correction_line(r) for r in rows))
    else:
        print_text("\n".join(_session_line(s) for s in rows) or "no repair sessions in llama_logs")
    return 0


def _correction_line(row: dict) -> str:
    undone = "" if row["in_effect"] else f"  (undone in {row['undone_in']})"
    return (
        f"{row['sequence']:>4} {row['created_at']} {row['role']:8s} {row['kind']:18s} "
        f"{row['correction_id']} album {row['album_id']}{undone}"
    )


def _session_line(session: dict) -> str:
    return (
        f"{session['session']}  {session['started_at']}  user {session['user_id'] or '-'}  "
        f"{session['corrections']} correction(s): {session['applied']} applied, "
        f"{session['undone']} undone, {session['redone']} redone"
    )
