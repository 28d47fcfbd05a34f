"""What the ``repair`` subcommands share: a strict parser, the write options, how results end.

Each subcommand takes only its own options. Its parser is a :class:`SubcommandParser`,
so ``repair verify s.json --atomic`` stops with one line naming ``--atomic`` (a
UsageError, exit 2) instead of an option of another subcommand being ignored.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ..errors import UsageError
from .output import print_json, print_text

if TYPE_CHECKING:
    from ..repair import Correction, Result

ONLY_REPLAY = "takes no second DSN nor --from (only replay does)"


class SubcommandParser(argparse.ArgumentParser):
    """A repair subcommand's parser: whatever it does not take is a UsageError naming it."""

    def __init__(self, *args: Any, one_database: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.one_database = one_database  # a second DSN or --from here is a misplaced replay

    def parse_known_args(
        self, args: Iterable[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        """Parse as argparse does, but refuse what is left over (argparse leaves it to the top)."""
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            given = " ".join(extras)
            if self.one_database and (not extras[0].startswith("-") or given.startswith("--from")):
                raise UsageError(f"{self.name} {ONLY_REPLAY}: {given}")
            self.error(f"unrecognized arguments: {given}")
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        """Raise the message as a UsageError: one line on stderr and exit 2, like every other."""
        raise UsageError(f"{self.name}: {message} (see: {self.prog} --help)")

    @property
    def name(self) -> str:
        """Return the subcommand as typed after the program's name: ``repair verify``."""
        return " ".join(self.prog.split()[1:]) or self.prog


def database_option(parser: argparse.ArgumentParser) -> None:
    """Add --dsn DSN: the PostgreSQL database the subcommand reads or writes."""
    parser.add_argument("--dsn", metavar="DSN", help="the database (default: $DATABASE_URL)")


def write_options(parser: argparse.ArgumentParser) -> None:
    """Add --apply and --user: a write is a dry run unless asked, and says who asked."""
    parser.add_argument("--apply", action="store_true", help="really write (default: dry run)")
    user_option(parser)


def user_option(parser: argparse.ArgumentParser) -> None:
    """Add --user ID: the admin recorded on the log rows."""
    parser.add_argument(
        "--user", metavar="ID", help='the admin\'s "User".id recorded on the log rows'
    )


def replace_tracks_option(parser: argparse.ArgumentParser) -> None:
    """Add --replace-tracks: an album holding other tracks than the file's gets the file's."""
    parser.add_argument(
        "--replace-tracks",
        action="store_true",
        help="replace an album's other tracks with the file's (logged, undoable) instead of "
        "refusing it",
    )


def json_option(parser: argparse.ArgumentParser) -> None:
    """Add --json: machine-readable output on stdout."""
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def read_file(path: str, replace_tracks: bool) -> list[Correction]:
    """Return a correction or manifest file's corrections, allowed to replace tracks if asked."""
    from ..repair.manifest import read_corrections, replacing_tracks

    corrections = read_corrections(path)
    return replacing_tracks(corrections) if replace_tracks else corrections


def write_corrections(corrections: list[Correction], path: Path | None) -> None:
    """Write ``corrections`` as a correction file to ``path``, or to stdout when None."""
    from ..repair import dump_corrections

    text = dump_corrections(corrections)
    if path is None:
        print_text(text)
    else:
        Path(path).write_text(text + "\n", encoding="utf-8")


def print_results(results: list[Result], machine: bool) -> int:
    """Print each correction's result (JSON for a machine); return the subcommand's exit code."""
    from ..repair import format_results

    if machine:
        print_json([r.to_dict() for r in results])
    else:
        print_text(format_results(results))
    return exit_code(results)


def exit_code(results: list[Result]) -> int:
    """Return 1 when any correction was refused (stale, invalid, skipped, tracks differ), else 0."""
    from ..repair import PROBLEMS

    return 1 if any(r.status in PROBLEMS for r in results) else 0
