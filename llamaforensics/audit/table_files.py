"""The audit's tables as files: the table behind every figure as Parquet, and filters checked first.

An analyst who wants to redraw a figure in a notebook or a spreadsheet
needs the numbers it was drawn from; ``export_tables`` writes one Parquet
file per figure, named after it, into a directory that appears whole.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import duckdb

from ..choices import checked
from ..errors import UsageError
from .figures import figure_tables
from .tables import EVERY_ROW, AuditFilter

KNOWN_SQL = {
    "category": "SELECT DISTINCT unnest(enum_range(category))::VARCHAR "
    "FROM (SELECT category FROM llama_logs LIMIT 1)",
    "operation": "SELECT DISTINCT operation FROM llama_logs",
    "source": "SELECT DISTINCT unnest(sources) FROM llama_logs",
}


def checked_audit_filter(con: duckdb.DuckDBPyConnection, where: AuditFilter) -> AuditFilter:
    """Return ``where`` with categories, operations and sources spelt as the log spells them.

    A value the log does not have stops the command with a "did you mean"
    (``--category FAILD`` once gave an empty table and exit 0).
    """

    def known(what: str) -> list[str]:
        return [r[0] for r in con.execute(KNOWN_SQL[what]).fetchall()]

    if where.start and where.end and where.start >= where.end:
        raise UsageError(
            f"--since {where.start} is not before --until {where.end}: nothing could match"
        )
    return AuditFilter(
        where.start,
        where.end,
        checked(where.categories, known("category"), "category") if where.categories else None,
        checked(where.operations, known("operation"), "operation") if where.operations else None,
        checked(where.sources, known("source"), "source") if where.sources else None,
    )


def export_tables(
    con: duckdb.DuckDBPyConnection,
    out: str | Path,
    bucket: str = "week",
    where: AuditFilter = EVERY_ROW,
) -> list[Path]:
    """Write the table behind every audit figure as ``out/<figure>.parquet``; return the files.

    ``out`` must be new or empty; the files are written into a scratch
    directory beside it and moved in only when all of them are written.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out} exists and is not an empty directory; give --export a new one")
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for name, frame in figure_tables(con, bucket, where).items():
            frame.write_parquet(scratch / f"{name}.parquet")
        if out.exists():
            out.rmdir()
        scratch.rename(out)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return sorted(out.iterdir())
