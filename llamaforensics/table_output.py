"""Tables out of the workbench: the same rows as a table, JSON, CSV or Parquet, to stdout or a file.

Files are written beside their target and renamed over it when complete
(``outfile.written``), so a failed export leaves no half-written file. CSV
cannot hold lists or nested values: those columns are written as JSON text
(Parquet keeps them typed).
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import polars as pl

from .errors import UsageError
from .outfile import written
from .printable import json_printable
from .terminal import write_out

FORMATS = ("table", "json", "csv", "parquet")


def check_format(fmt: str, path: Path | None) -> None:
    """Refuse what cannot work before any work is done (Parquet is binary: it needs -o FILE)."""
    if fmt == "parquet" and path is None:
        raise UsageError("--format parquet writes a binary file: give it one with -o FILE")


def write_frame(frame: pl.DataFrame, fmt: str, path: Path | None) -> None:
    """Write ``frame`` as ``fmt`` (json, csv or parquet) to ``path``, or to stdout when None."""
    check_format(fmt, path)
    if path is None:
        _stdout(_text(frame, fmt), json_text=fmt == "json")
        return
    with _file(path) as scratch:
        if fmt == "parquet":
            frame.write_parquet(scratch)
        else:
            scratch.write_text(_text(frame, fmt), encoding="utf-8")


def write_json(data: Any, path: Path | None) -> None:
    """Write any JSON-ready ``data`` to ``path`` or stdout."""
    text = json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n"
    if path is None:
        _stdout(text, json_text=True)
        return
    with _file(path) as scratch:
        scratch.write_text(text, encoding="utf-8")


def flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with list and struct columns as JSON text (what CSV can hold)."""
    nested = [n for n, t in frame.schema.items() if isinstance(t, (pl.List, pl.Struct, pl.Array))]
    return frame.with_columns(_json_text(n) for n in nested)


def _json_text(name: str) -> pl.Expr:
    """The column as JSON text, vectorised: encode {name: value} and keep the value's part."""
    prefix = (
        len(json.dumps({name: 0}, separators=(",", ":"))) - 2
    )  # '{"name":' -- the value starts after it
    encoded = pl.struct(pl.col(name)).struct.json_encode()
    return encoded.str.slice(prefix, encoded.str.len_chars() - prefix - 1).alias(name)


def _text(frame: pl.DataFrame, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(frame.to_dicts(), indent=2, default=str, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return flat(frame).write_csv()
    raise UsageError(f"cannot write {fmt} as text; use one of {', '.join(FORMATS)}")


def _stdout(text: str, json_text: bool) -> None:
    """Write to stdout in pieces (a closed pipe is reported, not cut short silently).

    JSON's raw C1 controls and bidi marks become \\uNNNN (the same document for a
    parser, harmless on a terminal); CSV is written as the data has it.
    """
    write_out(json_printable(text) if json_text else text)


def _file(path: Path) -> AbstractContextManager[Path]:
    """The project's whole-or-nothing file (``outfile.written``); a directory is refused first."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path} is a directory; give -o a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    return written(path)
