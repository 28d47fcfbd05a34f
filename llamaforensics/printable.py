"""Text from the database under investigation, made safe to print on a terminal.

A title or an artist's name can hold escape sequences (clear the screen, set
the window title, hide what follows) and bidirectional overrides that make a
line read as something else. Printed raw, they act on the admin's terminal.
Every piece of database text in human output goes through :func:`printable`,
which shows such characters escaped (``\\x1b``, ``\\u202e``), as Python's repr
would, and leaves every other character -- CJK, Arabic, emoji, accents -- as it is.
"""

from __future__ import annotations

import re

# C0 and C1 controls (ESC, BEL, CSI...), DEL, line and paragraph separators, and the
# bidirectional marks, embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# What json.dumps leaves raw (it escapes C0 controls itself; its newlines are the document's own).
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(value: object) -> str:
    """Return ``value`` as text with every control, escape and bidi character shown escaped."""
    text = "" if value is None else str(value)
    return _UNSAFE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def json_printable(text: str) -> str:
    """Return JSON ``text`` with what JSON leaves raw (C1 controls, DEL, bidi) written as \\uNNNN.

    Such characters can only stand inside JSON strings, where \\uNNNN means the same character:
    the document is unchanged for a parser, and harmless on a terminal.
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
