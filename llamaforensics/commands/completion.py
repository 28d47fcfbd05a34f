"""``llamaforensics completion SHELL``: the shell code that completes commands, options and files.

argcomplete reads the completions from the parser itself, so a new command or
option completes without anything to keep in step.
"""

from __future__ import annotations

import argparse

from .arguments import Formatter, Subcommands
from .output import write_out

SHELLS = ("bash", "zsh", "fish")
HELP = "print the shell code that enables tab completion (bash, zsh, fish)"
DESCRIPTION = """\
Print the code that makes your shell complete llamaforensics's commands,
subcommands, options and file names. Load it in the shell's start-up file.
"""
EPILOG = """\
examples:
  eval "$(llamaforensics completion bash)"        in ~/.bashrc
  eval "$(llamaforensics completion zsh)"         in ~/.zshrc
  llamaforensics completion fish | source         in ~/.config/fish/config.fish
"""


def register(commands: Subcommands, formatter: Formatter) -> None:
    """Add ``completion SHELL``."""
    p = commands.add_parser(
        "completion", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    p.set_defaults(run=run, executable=p.prog.split()[0])


def run(args: argparse.Namespace) -> int:
    """Print the completion code for ``args.shell``."""
    import argcomplete

    write_out(argcomplete.shellcode([args.executable], shell=args.shell))
    return 0


def complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's completion request, if this run is one, and exit; else return at once.

    The shell runs the command with _ARGCOMPLETE set and reads the answer from
    file descriptor 8; a normal run does not even import argcomplete.
    """
    import os

    if "_ARGCOMPLETE" in os.environ:
        import argcomplete

        argcomplete.autocomplete(parser, always_complete_options=False)  # options after a -
