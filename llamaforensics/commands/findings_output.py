"""How ``findings`` prints: the summary, the rows or the root-cause groups, in every format."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    import duckdb

Frames = dict[str, pl.DataFrame]  # the findings of each kind, by kind


def show_summary(frames: Frames, fmt: str, out: Path | None) -> None:
    """Print the health summary (counts per severity, a row per kind), or write it as JSON."""
    from ..findings import health_summary
    from ..table_output import write_json
    from ..terminal import print_frame

    summary = health_summary(frames)
    if fmt == "json":
        write_json(summary, out)
        _say_written(out)
        return
    sev = summary["by_severity"]
    print(
        f"{summary['total']:,} findings: {sev['critical']:,} critical, {sev['warning']:,} warning, "
        f"{sev['info']:,} info"
    )
    table = pl.DataFrame(
        [
            {k: kind[k] for k in ("severity", "kind", "count", "summary", "suggested_fix")}
            for kind in summary["kinds"]
        ],
        schema={
            "severity": pl.String,
            "kind": pl.String,
            "count": pl.Int64,
            "summary": pl.String,
            "suggested_fix": pl.String,
        },
    )
    print_frame(table.rename({"suggested_fix": "fix"}))


def show_rows(frames: Frames, fmt: str, out: Path | None, limit: int) -> None:
    """Print every finding (the first ``limit`` in a table), or write them all as ``fmt``."""
    from ..findings import to_findings
    from ..findings.run import empty_frame
    from ..table_output import write_frame, write_json
    from ..terminal import print_frame

    rows = pl.concat([empty_frame(), *frames.values()])
    if fmt == "json":  # the same records on stdout and in a file: detail as an object, not text
        write_json([f.to_dict() for f in to_findings(frames)], out)
        _say_written(out)
    elif fmt == "table":
        print(f"{rows.height:,} findings")
        columns = ["severity", "kind", "entity_id", "title", "detail", "suggested_fix"]
        if rows["kind"].n_unique() == 1:
            columns = columns[2:]
        print_frame(rows.select(columns), limit=limit)
    else:
        write_frame(rows, fmt, out)
        _say_written(out)


def show_causes(
    con: duckdb.DuckDBPyConnection, frames: Frames, fmt: str, out: Path | None, limit: int
) -> None:
    """Print the findings grouped by their common origin, largest first, or write the groups."""
    from ..findings.causes import group_by_cause
    from ..table_output import write_frame
    from ..terminal import print_frame

    groups = group_by_cause(con, frames)
    if fmt == "table":
        print(f"{groups.height:,} groups of findings with one origin, largest first")
        shown = groups.with_columns(pl.col("entity_ids").list.first())
        print_frame(
            shown.rename({"entity_ids": "first offender", "suggested_fix": "fix"}), limit=limit
        )
    else:
        write_frame(groups, fmt, out)
        _say_written(out)


def _say_written(out: Path | None) -> None:
    """Say where the output went, when it went to a file."""
    if out is not None:
        from ..terminal import wrote

        print(wrote(out))
