"""The ``llamaforensics`` command: thin wrappers over the library, one public call per command.

Errors are one line on stderr and a non-zero exit (2 for usage or input
errors, 1 otherwise); ``--json`` prints machine-readable output on stdout.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys

from .commands import (
    album,
    audit,
    completion,
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
from .errors import LlamaForensicsError
from .version import __version__

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
  llamaforensics findings                              what is broken: counts per kind, offenders
  llamaforensics album "silent rivers - bjork"         how did this album get here?
  llamaforensics lineage --check                       broken, looping and mis-rooted job chains

Run 'llamaforensics COMMAND --help' for the options of each command.

tab completion: eval "$(llamaforensics completion bash)" in ~/.bashrc (zsh: the same with zsh;
fish: llamaforensics completion fish | source); see 'llamaforensics completion --help'.
"""


# in the order --help lists them
COMMANDS = (
    *(demo, snapshot, export, info, findings, audit, diff, album, lineage, report, repair),
    completion,
)


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
    for module in COMMANDS:
        module.register(commands, _formatter)
    return parser


PIPE_CLOSED = "the output was closed before everything was written (a pipe's reader stopped)"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    completion.complete(parser)  # a shell asking for completions is answered here
    try:
        args = parser.parse_args(argv)
    except LlamaForensicsError as exc:  # a repair subcommand refusing an option it does not take
        return _fail(None, str(exc), exc.exit_code)
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


def _fail(args: argparse.Namespace | None, message: str, code: int) -> int:
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


def _unexpected(exc: BaseException) -> str:
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


def _report_exit(message: object) -> int:
    print(message, file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    run()
