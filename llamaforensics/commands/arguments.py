"""The options the commands share: what a read command reads (--snapshot, --dsn, --lake), a DSN.

Each command module adds these to its own parser and resolves them with
:func:`source_path` / :func:`open_source` / :func:`require_dsn`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeAlias

from ..errors import UsageError

if TYPE_CHECKING:
    import duckdb

    from ..postgres.dsn import Dsn


class Formatter(Protocol):
    """Make a help formatter for a parser's prog: cli.py hands the same one to every command."""

    def __call__(self, *, prog: str) -> argparse.HelpFormatter: ...


Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What a command module's ``register`` adds its parser (or its own subcommands) to."""


def require_dsn(value: str | None) -> Dsn:
    """Return the DSN given, else $DATABASE_URL's; refuse (exit 2) when there is neither."""
    # the PostgreSQL driver: only commands needing a database pay for it
    from ..postgres.dsn import resolve_dsn

    dsn = resolve_dsn(value)
    if dsn is None:
        raise UsageError("no database given: pass a DSN or set DATABASE_URL")
    return dsn


def snapshot_argument(parser: argparse.ArgumentParser) -> None:
    """Add --snapshot FILE: the snapshot a command reads."""
    parser.add_argument(
        "--snapshot",
        metavar="FILE",
        type=Path,
        default=None,
        help="snapshot file to read (default: $LLAMAFORENSICS_SNAPSHOT, else the demo snapshot)",
    )


def lake_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --lake, --engine and --spark-master: read a Parquet lake, here or on Apache Spark."""
    parser.add_argument(
        "--lake",
        metavar="DIR",
        help="read a Parquet lake (snapshot --lake, export --lake) instead of a "
        "snapshot file; "
        "with --engine spark also a URL the cluster reads (s3a://...)",
    )
    parser.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="with --lake: DuckDB in this process, out of core, or Apache Spark (default: duckdb)",
    )
    parser.add_argument(
        "--spark-master",
        metavar="URL",
        help="with --engine spark: the cluster (default: $SPARK_MASTER, else "
        "Spark's own "
        "configuration, else local[*])",
    )


def check_lake_arguments(args: argparse.Namespace) -> None:
    """Refuse a lake option that has nothing to act on (one line, exit 2)."""
    if args.lake and args.snapshot:
        raise UsageError("pass --snapshot FILE or --lake DIR, not both")
    if not args.lake and (args.engine != "duckdb" or args.spark_master):
        raise UsageError("--engine spark and --spark-master read a lake: pass --lake DIR as well")
    if args.spark_master and args.engine != "spark":
        raise UsageError("--spark-master needs --engine spark")


def source_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --snapshot FILE and --dsn DSN: what a read command reads."""
    snapshot_argument(parser)
    parser.add_argument(
        "--dsn",
        metavar="DSN",
        default=None,
        help="read a live database instead: a fresh snapshot of it, cached per host, port, "
        "user and database (default: $DATABASE_URL when no snapshot is named)",
    )


def open_source(args: argparse.Namespace, *, machine: bool = False) -> duckdb.DuckDBPyConnection:
    """Open what a read command reads (see :func:`source_path`) read-only."""
    from ..snapshot import open_snapshot

    return open_snapshot(source_path(args, machine=machine))


def source_path(args: argparse.Namespace, *, machine: bool = False) -> Path:
    """Return the snapshot a read command reads.

    In order: --snapshot, else --dsn, else $LLAMAFORENSICS_SNAPSHOT, else
    $DATABASE_URL (a live database: its cached snapshot, refreshed now), else
    the demo snapshot (built on first use).
    """
    path = args.snapshot
    if path is not None and getattr(args, "dsn", None):
        raise UsageError(
            "give --snapshot FILE or --dsn DSN, not both: one is what the command reads"
        )
    if path is None:
        named = os.environ.get("LLAMAFORENSICS_SNAPSHOT")
        live = args.dsn or (None if named else os.environ.get("DATABASE_URL"))
        if live:
            from ..snapshot.live import live_snapshot
            from ..terminal import progress_wanted

            path = live_snapshot(require_dsn(live), progress=progress_wanted(machine=machine))
    if path is None:
        from ..demo.default import default_snapshot

        path = default_snapshot()
    return path
