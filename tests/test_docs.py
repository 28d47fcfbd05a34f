"""Docs that cannot drift: docs/cli.md is the parser's own --help, every command documented."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
CLI_REFERENCE = ROOT / "docs" / "cli.md"


def _script(name: str):
    """Import scripts/NAME.py (the generators live outside the package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = _script("cli_reference")


def test_cli_reference_is_current():
    assert CLI_REFERENCE.exists(), (
        "docs/cli.md is missing: run python scripts/cli_reference.py --write"
    )
    assert reference.cli_reference() == CLI_REFERENCE.read_text(encoding="utf-8"), (
        "run: python scripts/cli_reference.py --write"
    )


def test_every_command_has_help_and_examples():
    parsers = reference.command_parsers()
    assert "repair apply" in parsers and "repair sessions" in parsers
    text = CLI_REFERENCE.read_text(encoding="utf-8")
    for name, parser in parsers.items():
        help_text = parser.format_help()
        assert "examples:" in help_text, f"llamaforensics {name} --help has no examples"
        assert parser.description, f"llamaforensics {name} has no description"
        assert f"`{f'llamaforensics {name}'.strip()}`" in text, f"docs/cli.md has no {name} heading"
        assert help_text.rstrip() in text, f"docs/cli.md lacks llamaforensics {name} --help"


def test_readme_names_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
    ci = (README.parent / ".ci" / "run").read_text()
    assert "make test" in ci, ".ci/run must run the README's test command"


def test_every_finding_kind_is_documented():
    """Each SQL check says what it finds, why it matters and what fix it suggests; the CLI help names every kind."""
    from llamaforensics.findings import KINDS
    from llamaforensics.queries import load_query

    help_text = reference.command_parsers()["findings"].format_help()
    text = CLI_REFERENCE.read_text(encoding="utf-8")
    for kind in KINDS:
        assert kind in help_text, f"findings --help does not name {kind}"
        assert kind in text, f"docs/cli.md does not name {kind}"
        header = load_query(kind).split("\n\n")[0]
        assert header.startswith(f"-- {kind}:"), kind
        assert all(word in header for word in ("What:", "Why:", "Fix suggested:")), kind


def test_every_repair_kind_is_documented():
    """Each correction kind is named in repair --help, and so in the reference."""
    from llamaforensics.repair import KINDS

    text = CLI_REFERENCE.read_text(encoding="utf-8")
    for kind in KINDS:
        assert kind in text, f"docs/cli.md does not name {kind}"
