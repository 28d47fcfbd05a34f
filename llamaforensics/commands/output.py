"""What the commands print: JSON, and text made safe for a terminal.

Shared by every command; written to stdout a piece at a time so a closed pipe
is noticed (see :func:`llamaforensics.terminal.write_out`, which the library's
exports use too, as they do :func:`~llamaforensics.terminal.human_size`).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ..printable import json_printable, printable
from ..terminal import human_size, write_out

__all__ = ["human_size", "print_json", "print_text", "write_out"]


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON, with what JSON leaves raw (C1, bidi) escaped."""
    write_out(json_printable(json.dumps(data, indent=2, default=str, ensure_ascii=False)) + "\n")


def print_text(*parts: Any, sep: str = " ") -> None:
    """Print human output with database text made safe for a terminal (controls, escapes escaped).

    Our own output is plain lines; a title or a name from the database may hold ESC sequences or
    bidi overrides, so every line is passed through :func:`printable.printable` on its way out.
    """
    for line in sep.join(str(p) for p in parts).split("\n"):
        sys.stdout.write(printable(line) + "\n")
