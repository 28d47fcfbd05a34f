"""The explorers' state: the category audit's filters and figures, and the lineage explorer's graph.

Like :mod:`.state`, plain ``traitlets`` objects with no ipywidgets: every step
the widgets take can be driven and checked from a script or a test.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
from traitlets import Any, Bunch, Dict, HasTraits, Instance, List, Unicode, observe

from ..audit.figures import audit_figures
from ..audit.table_files import export_tables
from ..audit.tables import AuditFilter
from ..dossier import find_albums
from ..lineage.graph import album_lineage, job_lineage
from ..snapshot.extremes import python_time


class AuditDashboard(HasTraits):
    """The category audit's filters and the figures they produce."""

    start = Any(None)  # datetime or None
    end = Any(None)
    bucket = Unicode("week")
    categories: List[str] = List()
    operations: List[str] = List()
    sources: List[str] = List()
    figures = Dict()

    def __init__(self, con: duckdb.DuckDBPyConnection, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.con = con
        self.choices = {
            column: [
                r[0]
                for r in con.execute(
                    f"SELECT DISTINCT v FROM (SELECT {expr} AS v FROM llama_logs) "
                    "WHERE v IS NOT NULL ORDER BY v"
                ).fetchall()
            ]
            for column, expr in (
                ("categories", "category::VARCHAR"),
                ("operations", "operation"),
                ("sources", "unnest(sources)"),
            )
        }
        # clamped to Python's range: a row at 4713 BC or infinity must not break the date pickers
        when = python_time("created_at")
        [self.span] = con.execute(f"SELECT min({when}), max({when}) FROM llama_logs").fetchall()
        self.refresh()

    @observe("start", "end", "bucket", "categories", "operations", "sources")
    def _changed(self, _change: Bunch) -> None:
        self.refresh()

    def filter(self) -> AuditFilter:
        """Return the filter the widgets set now (an empty choice is no filter, not "none")."""
        return AuditFilter(
            start=self.start,
            end=self.end,
            categories=tuple(self.categories) or None,
            operations=tuple(self.operations) or None,
            sources=tuple(self.sources) or None,
        )

    def refresh(self) -> None:
        """Draw the figures again for the filters as they are now."""
        self.figures = audit_figures(self.con, self.bucket, self.filter())

    def export(self, directory: str | Path) -> Path:
        """Write the table behind every figure, as filtered now, as Parquet into ``directory``."""
        export_tables(self.con, directory, self.bucket, self.filter())
        return Path(directory)


class LineageExplorer(HasTraits):
    """A job id or album in, its lineage graph out; the selected job's log rows."""

    query = Unicode("")
    graph = Any(None)
    job = Unicode(None, allow_none=True)
    job_rows = Instance(pl.DataFrame, args=())
    message = Unicode("")

    def __init__(self, con: duckdb.DuckDBPyConnection, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.con = con

    @observe("query")
    def _lookup(self, change: Bunch) -> None:
        text = change["new"].strip()
        self.job = None
        if not text:
            self.graph, self.message = None, ""
            return
        [(rows_of_job,)] = self.con.execute(
            "SELECT count(*) FROM llama_logs WHERE job_id = ?", [text]
        ).fetchall()
        if rows_of_job:
            self.graph, self.message = job_lineage(self.con, text), f"job {text}"
            return
        candidates = find_albums(self.con, text, limit=1)
        if candidates.height:
            album_id = candidates["album_id"][0]
            self.graph = album_lineage(self.con, album_id)
            self.message = f"album {candidates['title'][0]} ({album_id})"
        else:
            self.graph, self.message = None, f"no job or album matches {text!r}"

    @observe("job")
    def _rows(self, change: Bunch) -> None:
        self.job_rows = (
            pl.DataFrame()
            if change["new"] is None
            else self.con.execute(
                "SELECT created_at, category::VARCHAR AS category, operation, "
                "status::VARCHAR AS status, entity_type::VARCHAR AS entity_type, "
                "entity_id::VARCHAR AS entity_id, reason, error_message FROM llama_logs "
                "WHERE job_id = ? ORDER BY created_at, id",
                [change["new"]],
            ).pl()
        )
