"""What the commands print: JSON, text made safe for a terminal, sizes as people read them.

Shared by every command; written to stdout a piece at a time so a closed pipe
is noticed (see :func:`write_out`).
"""

from __future__ import annotations

import json
import sys


def print_json(data) -> None:
    from ..printable import json_printable

    write_out(json_printable(json.dumps(data, indent=2, default=str, ensure_ascii=False)) + "\n")


def write_out(text: str, piece: int = 1 << 16) -> None:
    """Write ``text`` to stdout a piece at a time.

    One write of a quarter-megabyte string into a pipe whose reader had gone
    (``| head -1``) came back as a partial write and the rest was dropped
    without an error; written in pieces, the next piece fails with
    BrokenPipeError, which main() reports.
    """
    for start in range(0, len(text), piece):
        sys.stdout.write(text[start : start + piece])


def print_text(*parts, sep: str = " ") -> None:
    """Print human output with database text made safe for a terminal (controls, escapes escaped).

    Our own output is plain lines; a title or a name from the database may hold ESC sequences or
    bidi overrides, so every line is passed through :func:`printable.printable` on its way out.
    """
    from ..printable import printable

    for line in sep.join(str(p) for p in parts).split("\n"):
        sys.stdout.write(printable(line) + "\n")


def human_size(size: int) -> str:
    """Return a byte count as people read it: 812 B, 4.6 kB, 10.2 MB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"
