"""What each kind of finding means, why it matters and what fixes it: its SQL file's header.

The header is the one documentation of a check (CONVENTIONS: SQL lives in
queries/*.sql with a header saying what it finds and why); the report shows
it rather than a second copy that could drift from the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..queries import load_query
from .kinds import KINDS

_SECTION = re.compile(r"^(What|Why|Fix suggested):\s*", re.M)


@dataclass(frozen=True)
class KindExplanation:
    kind: str
    headline: str
    what: str
    why: str
    fix: str


def explain_kind(kind: str) -> KindExplanation:
    """Return the headline, what, why and fix of ``kind``, from ``queries/<kind>.sql``'s header."""
    header = []
    for line in load_query(kind).splitlines():
        if not line.startswith("--"):
            break
        header.append(line[2:].removeprefix(" "))
    headline = (
        header[0].split(":", 1)[1].strip() if header and ":" in header[0] else KINDS[kind].summary
    )
    parts = _SECTION.split("\n".join(header[1:]))
    # Line breaks kept: the headers lay out lists (a cause per line); the page shows them as lines.
    sections = {
        name: "\n".join(line.strip() for line in text.strip().splitlines())
        for name, text in zip(parts[1::2], parts[2::2])
    }
    return KindExplanation(
        kind,
        headline,
        sections.get("What", KINDS[kind].summary),
        sections.get("Why", ""),
        sections.get("Fix suggested", KINDS[kind].fix),
    )
