"""Shell completion, run for real: argcomplete's protocol, and bash loading `completion bash`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPAIR_SUBCOMMANDS = [
    "propose",
    "plan",
    "preview",
    "apply",
    "undo",
    "replay",
    "export",
    "verify",
    "sessions",
]
BIN = Path(sys.executable).parent


def complete(line: str, tmp_path: Path) -> list[str]:
    """Ask the command for the completions of ``line`` as a shell does (argcomplete's protocol)."""
    answer = tmp_path / "completions"
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": "bash",
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),  # else fd 8, which the shell opens
    }
    done = subprocess.run(
        [sys.executable, "-m", "llamaforensics"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    text = answer.read_text()
    return sorted(c.rstrip() for c in text.split("\v")) if text else []  # one gets a space


def test_a_command_completes(tmp_path):
    assert complete("llamaforensics rep", tmp_path) == ["repair", "report"]
    assert complete("llamaforensics repa", tmp_path) == ["repair"]


def test_repair_completes_to_its_nine_subcommands(tmp_path):
    assert complete("llamaforensics repair ", tmp_path) == sorted(REPAIR_SUBCOMMANDS)


def test_a_subcommand_completes_only_its_own_options(tmp_path):
    options = complete("llamaforensics repair verify --", tmp_path)
    assert "--dsn" in options and "--json" in options
    assert "--atomic" not in options and "--apply" not in options


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_bash_completes_after_loading_the_completion_command(tmp_path):
    script = """
    eval "$(llamaforensics completion bash)"
    for COMP_LINE in "llamaforensics rep" "llamaforensics repair "; do
        COMP_POINT=${#COMP_LINE}
        read -ra COMP_WORDS <<< "$COMP_LINE"
        [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMPREPLY=()
        _python_argcomplete llamaforensics 2>/dev/null
        echo "${COMPREPLY[*]}"
    done
    """
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    command, subcommands = done.stdout.splitlines()
    assert sorted(command.split()) == ["repair", "report"]  # rep: repair, and report
    assert sorted(subcommands.split()) == sorted(REPAIR_SUBCOMMANDS)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_command_prints_each_shells_code(shell, capsys):
    from llamaforensics.cli import main

    assert main(["completion", shell]) == 0
    assert "llamaforensics" in capsys.readouterr().out
