"""``llamaforensics snapshot``: copy a live database into a snapshot file, or refresh one."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from .arguments import Formatter, Subcommands

if TYPE_CHECKING:
    from ..snapshot.open import SnapshotInfo
from .output import print_text

HELP = "copy a live database into a snapshot file (read-only, consistent, incremental)"
DESCRIPTION = """\
Copy llama_logs and the catalog (albums, artists, tracks, their links, sync_jobs,
users) from PostgreSQL into one DuckDB file, inside ONE read-only REPEATABLE READ
transaction, so every table shows the same moment.

With --refresh, only log rows the snapshot has not seen are copied and the
catalog is re-read; rows deleted upstream stay in the snapshot, marked with
the time they were first found missing. The password is never stored or shown.

With --lake DIR the same snapshot is written as a Parquet lake that DuckDB,
Polars, Spark or Trino read as is: DIR/llama_logs/month=YYYY-MM/*.parquet, one
folder per catalog table, and DIR/manifest.json. --refresh then rewrites only
the partitions that changed (months with new, vanished or returning rows).
"""
EPILOG = """\
examples:
  llamaforensics snapshot postgresql://admin@db.internal/app -o prod.duckdb
  DATABASE_URL=postgresql://admin@db/app llamaforensics snapshot -o prod.duckdb --refresh
  llamaforensics snapshot 'host=127.0.0.1 dbname=app user=me' -o app.duckdb --quiet --json
  llamaforensics snapshot postgresql://admin@db.internal/app --lake lake/ --refresh
"""


def register(commands: Subcommands, formatter: Formatter) -> None:
    p = commands.add_parser(
        "snapshot", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    p.add_argument(
        "dsn",
        nargs="?",
        metavar="DSN",
        help="PostgreSQL URL or 'key=value' string (default: $DATABASE_URL)",
    )
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("-o", "--out", metavar="FILE", type=Path, help="snapshot file to write")
    target.add_argument(
        "--lake", metavar="DIR", type=Path, help="write a month-partitioned Parquet lake instead"
    )
    p.add_argument(
        "--refresh",
        action="store_true",
        help="update FILE (or DIR) in place: new log rows, catalog re-read",
    )
    p.add_argument(
        "--verify",
        action="store_true",
        help="with --refresh: reconcile every log id even when the row counts agree (slower)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--json", action="store_true", help="print the resulting manifest as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..terminal import progress_wanted
    from .arguments import require_dsn

    if args.lake:
        return _run_lake(args)
    progress = progress_wanted(args.quiet, args.json)
    opening = None
    if args.refresh:  # the file opens while the PostgreSQL driver loads to read the DSN
        from ..snapshot.writable import open_writable_in_background

        opening = open_writable_in_background(args.out)
    try:
        dsn = require_dsn(args.dsn)
    except BaseException:
        _close_when_open(opening)
        raise
    from ..snapshot import snapshot_info
    from ..snapshot.refresh import refresh_snapshot
    from ..snapshot.take import take_snapshot

    if args.refresh:
        info = refresh_snapshot(
            dsn, args.out, progress=progress, verify=args.verify, opening=opening
        )["info"]
    else:
        info = snapshot_info(take_snapshot(dsn, args.out, progress=progress))
    return print_info(info, as_json=args.json)


def print_info(info: SnapshotInfo, *, as_json: bool) -> int:
    """Print what a snapshot file or lake holds now (JSON or the text of ``info``); exit code 0."""
    from .output import print_json

    if as_json:
        print_json(info.to_dict())
    else:
        from .info import describe

        print_text(describe(info))
    return 0


def _run_lake(args) -> int:
    from ..lake import lake_info, refresh_lake, take_lake
    from .arguments import require_dsn

    dsn = require_dsn(args.dsn)
    if args.refresh:
        refresh_lake(dsn, args.lake, progress=not args.quiet, verify=args.verify)
    else:
        take_lake(dsn, args.lake, progress=not args.quiet)
    return print_info(lake_info(args.lake), as_json=args.json)


def _close_when_open(opening) -> None:
    if opening is None:
        return
    try:
        opening.result().close()
    except Exception:  # the DSN's error is the one to report
        pass
