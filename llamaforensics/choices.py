"""Values people type, checked against what exists: ignoring case, with a "did you mean".

``audit --category FAILD`` used to give an empty table and exit 0; a typo
should stop the command and name the value meant instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from .errors import UsageError

SHOWN_CHOICES = 20  # a long list of what exists is cut here in the message


def checked(
    values: Iterable[str] | None, known: Iterable[str], what: str
) -> tuple[str, ...] | None:
    """Return ``values`` spelt as in ``known`` (matched ignoring case); raise on an unknown one."""
    if not values:
        return None
    by_fold = {str(k).casefold(): str(k) for k in known if k is not None}
    out = []
    for value in values:
        found = by_fold.get(value.casefold())
        if found is None:
            raise UsageError(unknown_message(value, list(by_fold.values()), what))
        out.append(found)
    return tuple(dict.fromkeys(out))


def unknown_message(value: str, known: list[str], what: str) -> str:
    """Return "unknown WHAT X (did you mean Y?); the known ones: ..."."""
    close = difflib.get_close_matches(
        value.casefold(), [k.casefold() for k in known], n=1, cutoff=0.6
    )
    by_fold = {k.casefold(): k for k in known}
    hint = f" (did you mean {by_fold[close[0]]}?)" if close else ""
    listed = ", ".join(sorted(known)[:SHOWN_CHOICES]) + (
        ", ..." if len(known) > SHOWN_CHOICES else ""
    )
    return f"unknown {what} {value}{hint}; the known ones: {listed or 'none'}"
