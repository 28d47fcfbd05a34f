"""The ``llamaforensics`` command: thin wrappers over the library, one public call per command.

Errors are one line on stderr and a non-zero exit (2 for usage or input
errors, 1 otherwise); ``--json`` prints machine-readable output on stdout.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from pathlib import Path

from . import __version__
from .errors import LlamaForensicsError, UsageError

PROG = "llamaforensics"

DESCRIPTION = """\
Forensic analysis and repair workbench for the music catalog's llama_logs.

Every command reads a snapshot (--snapshot FILE, default $LLAMAFORENSICS_SNAPSHOT,
else the demo snapshot, built on first use) or a live database (--dsn DSN,
default $DATABASE_URL). Nothing is ever written to PostgreSQL unless a
command says so and you pass --apply.
"""

EPILOG = """\
examples:
  llamaforensics demo                                  build the demo snapshot, print a summary
  llamaforensics snapshot postgresql://me@db/app -o prod.duckdb
  llamaforensics snapshot -o prod.duckdb --refresh     (DSN from $DATABASE_URL)
  llamaforensics info --snapshot prod.duckdb --json
  llamaforensics findings                              what is broken: counts per kind, first offenders
  llamaforensics album "silent rivers - bjork"         how did this album get here?
  llamaforensics lineage --check                       broken, looping and mis-rooted job chains

Run 'llamaforensics COMMAND --help' for the options of each command.
"""


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32, width=100)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description=DESCRIPTION, epilog=EPILOG, formatter_class=_formatter
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="on an error, show the Python traceback too"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    from .commands import (
        album,
        audit,
        demo,
        diff,
        export,
        findings,
        info,
        lineage,
        repair,
        report,
        snapshot,
    )

    for module in (
        demo,
        snapshot,
        export,
        info,
        findings,
        audit,
        diff,
        album,
        lineage,
        report,
        repair,
    ):
        module.register(commands, _formatter)
    return parser


PIPE_CLOSED = "the output was closed before everything was written (a pipe's reader stopped)"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except LlamaForensicsError as exc:
        return _fail(args, str(exc), exc.exit_code)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing was left half-written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _stdout_to_devnull()
        return _fail(args, PIPE_CLOSED, 1)
    except OSError as exc:
        if exc.errno == errno.ENOSPC and exc.filename is None:
            _stdout_to_devnull()  # stdout itself is full: flushing it at exit would fail again
        return _fail(args, _os_error(exc), 1)
    except Exception as exc:  # noqa: BLE001 -- the last defence: one line, never a traceback
        return _fail(args, _unexpected(exc), 1)
    except BaseException as exc:  # a Rust panic in Polars or DuckDB: PanicException is no Exception
        if isinstance(exc, (SystemExit, GeneratorExit)):
            raise
        return _fail(args, _unexpected(exc), 1)


def _fail(args, message: str, code: int) -> int:
    """Print ``message`` as one line on stderr (the traceback too with --debug); return ``code``."""
    if getattr(args, "debug", False):
        import traceback

        traceback.print_exc()
    first = " ".join(str(message).split("\n")[0].split()) or "failed"
    print(f"{PROG}: error: {first}", file=sys.stderr)
    return code


def _os_error(exc: OSError) -> str:
    """Name the file and the system's reason: an unwritable path, a full disk, a missing folder."""
    where = f" {exc.filename}" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        writing = f" writing{where}" if where else ""
        return f"no space left on the device{writing}; free some and run the command again"
    return f"cannot use{where}: {exc.strerror or exc}"


def _unexpected(exc: Exception) -> str:
    """Describe an error no code path expected; a DuckDB I/O error blames the snapshot."""
    if type(exc).__module__.split(".")[0] in ("duckdb", "_duckdb"):
        return f"the snapshot could not be read (damaged or not a snapshot?): {exc}"
    return f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)"


def _stdout_to_devnull() -> None:
    """Point stdout at /dev/null: flushing a closed pipe again at exit would raise once more."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def run() -> None:
    """The console script: :func:`main`, then exit without tearing the interpreter down.

    Everything a command writes is finished when main returns (files closed,
    transactions committed, output flushed below); unwinding every imported
    module after that only costs time -- 60 ms of a 1 s snapshot refresh.
    """
    try:
        code = main()
    except SystemExit as exc:  # argparse's --help, --version and usage errors
        code = (
            exc.code
            if isinstance(exc.code, int)
            else (0 if exc.code is None else _report_exit(exc.code))
        )
    try:
        sys.stdout.flush()
    except OSError as exc:  # the last of the output: a closed pipe, a full disk
        _stdout_to_devnull()
        why = PIPE_CLOSED if isinstance(exc, BrokenPipeError) else _os_error(exc)
        print(f"{PROG}: error: {why}", file=sys.stderr)
        code = code or 1
    sys.stderr.flush()
    os._exit(code)


def _report_exit(message) -> int:
    print(message, file=sys.stderr)
    return 1


def print_json(data) -> None:
    from .printable import json_printable

    write_out(json_printable(json.dumps(data, indent=2, default=str, ensure_ascii=False)) + "\n")


def write_out(text: str, piece: int = 1 << 16) -> None:
    """Write ``text`` to stdout a piece at a time.

    One write of a quarter-megabyte string into a pipe whose reader had gone
    (``| head -1``) came back as a partial write and the rest was dropped
    without an error; written in pieces, the next piece fails with
    BrokenPipeError, which main() reports.
    """
    for start in range(0, len(text), piece):
        sys.stdout.write(text[start : start + piece])


def print_text(*parts, sep: str = " ") -> None:
    """Print human output with database text made safe for a terminal (controls, escapes escaped).

    Our own output is plain lines; a title or a name from the database may hold ESC sequences or
    bidi overrides, so every line is passed through :func:`printable.printable` on its way out.
    """
    from .printable import printable

    for line in sep.join(str(p) for p in parts).split("\n"):
        sys.stdout.write(printable(line) + "\n")


def human_size(size: int) -> str:
    """Return a byte count as people read it: 812 B, 4.6 kB, 10.2 MB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def require_dsn(value: str | None):
    from .dsn import (
        resolve_dsn,
    )  # imports the PostgreSQL driver: only commands that need a database pay for it

    dsn = resolve_dsn(value)
    if dsn is None:
        raise UsageError("no database given: pass a DSN or set DATABASE_URL")
    return dsn


def snapshot_argument(parser: argparse.ArgumentParser) -> None:
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


def open_source(args, *, machine: bool = False):
    """Open what a read command reads (see :func:`source_path`) read-only."""
    from .snapshot import open_snapshot

    return open_snapshot(source_path(args, machine=machine))


def source_path(args, *, machine: bool = False) -> Path | None:
    """Return the snapshot a read command reads.

    In order: --snapshot, else --dsn, else $LLAMAFORENSICS_SNAPSHOT, else
    $DATABASE_URL (a live database: its cached snapshot, refreshed now), else
    None (the demo snapshot).
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
            from .snapshot.live import live_snapshot
            from .terminal import progress_wanted

            path = live_snapshot(require_dsn(live), progress=progress_wanted(machine=machine))
    return path


if __name__ == "__main__":  # pragma: no cover
    run()
