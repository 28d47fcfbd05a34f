"""What each kind of finding means, why it matters and what fixes it: its SQL file's header.

The header is the one documentation of a check (CONVENTIONS: SQL lives in
queries/*.sql with a header saying what it finds and why); the report shows
it rather than a second copy that could drift from the query.
"""

from __future__ import annotations

from dataclasses import dataclass

from .kinds import KINDS


@dataclass(frozen=True)
class KindExplanation:
    """A kind's header as the report shows it: headline, what, why and the fix."""

    kind: str
    headline: str
    what: str
    why: str
    fix: str


def explain_kind(kind: str) -> KindExplanation:
    """Return the headline, what, why and fix of ``kind``, from ``queries/<kind>.sql``'s header."""
    spec = KINDS[kind]
    return KindExplanation(kind, spec.headline, spec.what, spec.why, spec.advice)
