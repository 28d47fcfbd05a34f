"""Text output for a terminal: tables that fit its width, colour where it shows, no bars in pipes.

rich draws the tables (wrapping cells to the terminal's width, 100 columns
when the output is not a terminal) and follows NO_COLOR and non-terminals
by itself; progress bars are drawn only when stderr is a terminal and the
output is not for a machine (--json, --format json|csv).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl
    from rich.console import Console

PIPE_WIDTH = 100  # the width when stdout is not a terminal: fits the 120-column limit of a log line
SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}


def console() -> Console:
    """Return a rich console on stdout: the terminal's width, or PIPE_WIDTH when piped."""
    from rich.console import Console

    tty = sys.stdout.isatty()
    return Console(
        file=sys.stdout,
        width=None if tty else PIPE_WIDTH,
        no_color="NO_COLOR" in os.environ,
        soft_wrap=False,
        highlight=False,
        emoji=False,
        markup=False,
    )


def print_frame(
    frame: pl.DataFrame,
    title: str | None = None,
    limit: int | None = None,
    whole: tuple[str, ...] = ("entity_id", "album_id", "id", "first offender"),
) -> None:
    """Print ``frame`` as a table fitting the terminal; with ``limit``, the first rows and a count.

    Columns named in ``whole`` (ids people copy) are never wrapped; the others wrap to fit.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    shown = frame.head(limit) if limit is not None else frame
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        expand=False,
        pad_edge=False,
        show_edge=False,
    )
    for name, dtype in frame.schema.items():
        table.add_column(
            name,
            justify="right" if dtype.is_numeric() else "left",
            overflow="fold",
            no_wrap=name in whole,
            min_width=min(len(name), 10),
        )
    styled = [SEVERITY_STYLE if name == "severity" else {} for name in frame.columns]
    for row in shown.iter_rows():
        table.add_row(
            *(
                Text(_cell(v), style=s.get(v, "") if isinstance(v, str) else "")
                for v, s in zip(row, styled, strict=True)
            )
        )
    out = console()
    with out.capture() as captured:
        out.print(table)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    if shown.height < frame.height:
        out.print(
            f"... {frame.height - shown.height:,} more rows (--limit N shows more, "
            f"--format csv -o FILE writes all)"
        )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(visible(str(v)) for v in value)
    return visible(str(value))


def visible(text: str) -> str:
    """Return ``text`` with control, escape and bidi characters shown escaped (``\\n``, ``\\x1b``).

    Values come from the database under investigation: a title holding an escape
    sequence must not recolour the terminal, nor a newline split a table row.
    """
    from .printable import printable

    return printable(text)


def fit_lines(text: str, width: int | None = None) -> str:
    """Wrap each line of ``text`` wider than the terminal (PIPE_WIDTH piped), keeping its indent."""
    import shutil
    import textwrap

    width = width or (shutil.get_terminal_size().columns if sys.stdout.isatty() else PIPE_WIDTH)
    out = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip(" ")))
        out += textwrap.wrap(
            line.strip(),
            width,
            initial_indent=indent,
            subsequent_indent=indent + "    ",
            break_on_hyphens=False,
        )
    return "\n".join(out)


def progress_wanted(quiet: bool = False, machine: bool = False) -> bool:
    """Tell whether to draw progress bars: on a terminal, and not when output is for a machine."""
    return not quiet and not machine and sys.stderr.isatty()


def announce_written(path: Path, machine: bool = False) -> None:
    """Print ``wrote FILE (size)``: on stdout, or on stderr when stdout carries JSON."""
    print(wrote(Path(path)), file=sys.stderr if machine else sys.stdout)


def wrote(path: Path) -> str:
    """Return the line a command prints after writing a file or directory: ``wrote FILE (size)``."""
    size = (
        sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        if path.is_dir()
        else path.stat().st_size
    )
    return f"wrote {path} ({human_size(size)})"


def human_size(size: int) -> str:
    """Return a byte count as people read it: 812 B, 4.6 kB, 10.2 MB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def write_out(text: str, piece: int = 1 << 16) -> None:
    """Write ``text`` to stdout a piece at a time.

    One write of a quarter-megabyte string into a pipe whose reader had gone
    (``| head -1``) came back as a partial write and the rest was dropped
    without an error; written in pieces, the next piece fails with
    BrokenPipeError, which the command reports.
    """
    for start in range(0, len(text), piece):
        sys.stdout.write(text[start : start + piece])
