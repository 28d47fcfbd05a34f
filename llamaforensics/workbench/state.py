"""The workbench's state objects: all the widgets' behaviour, observable and usable in plain Python.

Each is a ``traitlets.HasTraits`` (the observer machinery ipywidgets itself
is built on): a widget sets traits or calls methods, and re-renders when the
traits it observes change. Nothing here imports ipywidgets, so every step of
every widget can be driven and checked in a test or a script.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import polars as pl
from traitlets import Any, Bunch, HasTraits, Instance, List, Unicode, observe

from ..dossier import Sentence, build_dossier, find_albums, tell_story
from ..findings import Finding, run_findings, to_findings
from ..repair.propose import propose
from ..table_output import write_frame

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


class AlbumFinder(HasTraits):
    """A search box's state: the query, its ranked candidates, and the selected one's dossier."""

    query = Unicode("")
    candidates = Instance(pl.DataFrame, args=())
    album_id = Unicode(None, allow_none=True)
    dossier = Any(None)
    story: List[Sentence] = List()

    def __init__(self, con: duckdb.DuckDBPyConnection, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.con = con

    @observe("query")
    def _search(self, change: Bunch) -> None:
        text = change["new"].strip()
        self.candidates = find_albums(self.con, text) if len(text) >= 2 else pl.DataFrame()

    @observe("album_id")
    def _open(self, change: Bunch) -> None:
        if change["new"] is None:
            self.dossier, self.story = None, []
            return
        found = build_dossier(self.con, change["new"])
        self.story = tell_story(found)  # before the dossier: views observing it read the story too
        self.dossier = found


class FindingsBrowser(HasTraits):
    """Every finding of the snapshot, their counts, a filtered and sorted view, the one selected."""

    kind = Unicode("")  # "" = every kind
    severity = Unicode("")  # "" = every severity
    text = Unicode("")  # matches id or title
    sort = Unicode("severity")  # severity, kind, title
    rows: List[Finding] = List()  # the filtered, sorted findings
    selected = Instance(Finding, allow_none=True)
    proposal = Any(None)  # the proposed fix of the selected finding

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        findings: list[Finding] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self.con = con
        self.findings = findings if findings is not None else to_findings(run_findings(con))
        self._refilter()

    def counts(self) -> pl.DataFrame:
        """Findings per kind and severity, most first."""
        frame = pl.DataFrame(
            {
                "kind": [f.kind for f in self.findings],
                "severity": [f.severity for f in self.findings],
            },
            schema={"kind": pl.String, "severity": pl.String},
        )
        return (
            frame.group_by("kind", "severity")
            .len("findings")
            .sort(["findings", "kind"], descending=[True, False])
        )

    @observe("selected")
    def _propose(self, change: Bunch) -> None:
        self.proposal = None if change["new"] is None else propose(self.con, change["new"])

    @observe("kind", "severity", "text", "sort")
    def _filters(self, _change: Bunch) -> None:
        self._refilter()

    def export(self, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
        """Write the findings shown to ``path``: CSV or Parquet (by suffix, or ``fmt``)."""
        out = Path(path)
        fmt = fmt or ("parquet" if out.suffix == ".parquet" else "csv")
        rows = [
            {**f.to_dict(), "detail": json.dumps(f.detail, default=str, ensure_ascii=False)}
            for f in self.rows
        ]
        schema: dict[str, pl.DataType | pl.datatypes.DataTypeClass] = {
            **dict.fromkeys(
                (
                    "kind",
                    "entity_type",
                    "entity_id",
                    "title",
                    "severity",
                    "suggested_fix",
                    "detail",
                ),
                pl.String,
            ),
            "evidence": pl.List(pl.String),
        }
        write_frame(pl.DataFrame(rows, schema=schema), fmt, out)
        return out

    def _refilter(self) -> None:
        text = self.text.strip().lower()
        rows = [
            f
            for f in self.findings
            if (not self.kind or f.kind == self.kind)
            and (not self.severity or f.severity == self.severity)
            and (not text or text in f.entity_id or text in (f.title or "").lower())
        ]
        key = {
            "severity": lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.kind, f.title or ""),
            "kind": lambda f: (f.kind, f.title or ""),
            "title": lambda f: ((f.title or "").lower(), f.kind),
        }[self.sort]
        self.rows = sorted(rows, key=key)
        if self.selected is not None and self.selected not in self.rows:
            self.selected = None
