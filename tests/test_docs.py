"""Docs that cannot drift: the README's CLI reference is the parser's own --help, every command documented."""

from __future__ import annotations

from pathlib import Path

from llamaforensics.docs import START, cli_reference, command_parsers, replace_section

README = Path(__file__).parent.parent / "README.md"


def test_readme_cli_reference_is_current():
    text = README.read_text(encoding="utf-8")
    assert START in text, "README.md lost its CLI reference markers"
    assert replace_section(text, cli_reference()) == text, (
        "run: python -m llamaforensics.docs --write"
    )


def test_every_command_has_help_and_examples():
    for name, parser in command_parsers().items():
        help_text = parser.format_help()
        assert "examples:" in help_text, f"llamaforensics {name} --help has no examples"
        assert parser.description, f"llamaforensics {name} has no description"


def test_readme_names_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
    ci = (README.parent / ".ci" / "run").read_text()
    assert "make test" in ci, ".ci/run must run the README's test command"


def test_every_finding_kind_is_documented():
    """Each SQL check says what it finds, why it matters and what fix it suggests; the CLI help names every kind."""
    from llamaforensics.cli import build_parser
    from llamaforensics.findings import KINDS
    from llamaforensics.queries import load_query

    help_text = build_parser()._subparsers._group_actions[0].choices["findings"].format_help()
    for kind in KINDS:
        assert kind in help_text, f"findings --help does not name {kind}"
        header = load_query(kind).split("\n\n")[0]
        assert header.startswith(f"-- {kind}:"), kind
        assert all(word in header for word in ("What:", "Why:", "Fix suggested:")), kind
