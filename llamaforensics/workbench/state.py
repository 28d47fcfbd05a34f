"""The workbench's state objects: all the behaviour of the widgets, observable and usable in plain Python.

Each is a ``traitlets.HasTraits`` (the observer machinery ipywidgets itself
is built on): a widget sets traits or calls methods, and re-renders when the
traits it observes change. Nothing here imports ipywidgets, so every step of
every widget can be driven and checked in a test or a script.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import duckdb
import polars as pl
from traitlets import Any, Bool, Dict, HasTraits, Instance, Int, List, Unicode, observe

from ..dossier import build_dossier, find_albums, tell_story
from ..findings import Finding, findings_for_album, run_findings, to_findings
from ..repair import APPLIED, Correction, format_diff
from ..repair.model import AddTracks, LinkArtist, SetAlbumFields
from ..repair.propose import propose, propose_all
from ..repair.rehearse import rehearse
from ..repair.session import RepairSession
from ..repair.target import RepairTarget

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


class AlbumFinder(HasTraits):
    """A search box's state: the query, its ranked candidates, and the dossier of the one selected."""

    query = Unicode("")
    candidates = Instance(pl.DataFrame, args=())
    album_id = Unicode(None, allow_none=True)
    dossier = Any(None)
    story = List()

    def __init__(self, con: duckdb.DuckDBPyConnection, **kwargs):
        super().__init__(**kwargs)
        self.con = con

    @observe("query")
    def _search(self, change) -> None:
        text = change["new"].strip()
        self.candidates = find_albums(self.con, text) if len(text) >= 2 else pl.DataFrame()

    @observe("album_id")
    def _open(self, change) -> None:
        if change["new"] is None:
            self.dossier, self.story = None, []
            return
        found = build_dossier(self.con, change["new"])
        self.story = tell_story(found)  # before the dossier: views observing it read the story too
        self.dossier = found


class FindingsBrowser(HasTraits):
    """Every finding of the snapshot, their counts, a filtered and sorted view, and the one selected."""

    kind = Unicode("")  # "" = every kind
    severity = Unicode("")  # "" = every severity
    text = Unicode("")  # matches id or title
    sort = Unicode("severity")  # severity, kind, title
    rows = List()  # the filtered, sorted findings
    selected = Instance(Finding, allow_none=True)
    proposal = Any(None)  # the proposed fix of the selected finding

    def __init__(
        self, con: duckdb.DuckDBPyConnection, findings: list[Finding] | None = None, **kwargs
    ):
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
    def _propose(self, change) -> None:
        self.proposal = None if change["new"] is None else propose(self.con, change["new"])

    @observe("kind", "severity", "text", "sort")
    def _filters(self, _change) -> None:
        self._refilter()

    def export(self, path, fmt: str | None = None) -> Path:
        """Write the findings shown to ``path``: CSV or Parquet (by suffix, or ``fmt``)."""
        from ..export import write_frame

        path = Path(path)
        fmt = fmt or ("parquet" if path.suffix == ".parquet" else "csv")
        rows = [
            {**f.to_dict(), "detail": json.dumps(f.detail, default=str, ensure_ascii=False)}
            for f in self.rows
        ]
        schema = {
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
        write_frame(pl.DataFrame(rows, schema=schema), fmt, path)
        return path

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


class RepairWizard(HasTraits):
    """One repair, step by step: findings -> proposals -> edits -> preview -> rehearsal -> apply -> undo.

    ``step`` is one of: pick, review, previewed, applied, undone. Batch mode is
    the same with several findings of one kind selected.
    """

    step = Unicode("pick")
    album_id = Unicode(
        None, allow_none=True
    )  # the album a manual correction is for (one finding, or picked)
    findings = List()
    proposals = List()
    corrections = List()  # the corrections as they stand (proposed, then edited)
    preview_text = Unicode("")
    rehearsal_text = Unicode("")
    results = List()
    log_rows = List()
    undo_results = List()
    done = Int(0)
    busy = Bool(False)
    message = Unicode("")
    elapsed = Dict()  # seconds from opening the wizard to each step

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        target: RepairTarget,
        snapshot_path,
        *,
        user_id: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.con, self.target, self.snapshot_path = con, target, snapshot_path
        self.session = RepairSession(user_id=user_id)
        self.opened = time.monotonic()

    # -- pick and review
    def select(self, findings: list[Finding]) -> None:
        """Start over with these findings (one, or several of one kind for a batch)."""
        kinds = {f.kind for f in findings}
        if len(kinds) > 1:
            raise ValueError(
                f"a batch repairs findings of one kind, not {', '.join(sorted(kinds))}"
            )
        self.opened = time.monotonic()
        self.elapsed, self.results, self.log_rows, self.undo_results = {}, [], [], []
        self.preview_text = self.rehearsal_text = ""
        self.findings = list(findings)
        albums = {f.entity_id for f in findings if f.entity_type == "ALBUM"}
        self.album_id = albums.pop() if len(albums) == 1 else None
        self.proposals = propose_all(self.con, findings)
        self.corrections = [c for p in self.proposals for c in p.corrections]
        self.message = "; ".join(p.note for p in self.proposals[:3]) + (
            " ..." if len(self.proposals) > 3 else ""
        )
        self.step = "review"

    def select_album(self, album_id: str) -> None:
        """Start over with one album: the proposals for its findings, if it has any; else a manual correction."""
        found = findings_for_album(self.con, album_id)
        self.select(found)
        self.album_id = album_id
        if not found:
            self.message = "no finding about this album: enter a correction by hand"

    def manual(
        self,
        album_id: str | None = None,
        *,
        fields: dict | None = None,
        track_titles: list[str] | None = None,
        artist_name: str | None = None,
        reason: str = "manual correction in the workbench",
    ) -> None:
        """Replace the proposal by a hand-made correction (fields, tracks by title, an artist by name)."""
        album_id = album_id or self.album_id
        self._require(album_id, "pick a finding about one album, or an album, first")
        made: list[Correction] = []
        if fields:
            made.append(SetAlbumFields(album_id=album_id, fields=fields, reason=reason))
        if track_titles:
            made.append(
                AddTracks(
                    album_id=album_id,
                    reason=reason,
                    tracks=[
                        {"title": t, "track_number": i + 1} for i, t in enumerate(track_titles)
                    ],
                )
            )
        if artist_name:
            found = self.con.execute(
                "SELECT id::VARCHAR FROM artists WHERE lower(name) = lower(?) LIMIT 1",
                [artist_name],
            ).fetchone()
            made.append(
                LinkArtist(album_id=album_id, reason=reason, artist_id=found[0])
                if found
                else LinkArtist(album_id=album_id, reason=reason, new_artist={"name": artist_name})
            )
        self.corrections = made
        self.step = "review"

    # -- preview, rehearse, apply, undo
    def preview(self) -> None:
        """Prepare the corrections against the target as it is now and show exactly what would change."""
        self._require(self.corrections, "nothing to preview: no correction is proposed or entered")
        self.corrections = self.target.prepare(self.corrections)
        results = self.target.apply(self.corrections, self.session, dry_run=True)
        self.preview_text = "\n\n".join(
            format_diff(r.diff) if r.diff else f"{r.correction.kind}: {r.status} {r.message}"
            for r in results
        )
        self._mark("previewed")
        self.step = "previewed"

    def rehearse(self) -> None:
        """Apply the corrections to a copy of the snapshot and report what each did there.

        They are prepared afresh against the copy: the snapshot may be older than the target.
        """
        self._require(self.corrections, "nothing to rehearse")
        done = rehearse(self.snapshot_path, [c.with_expected(None) for c in self.corrections])
        self.rehearsal_text = "\n".join(
            f"{r.correction.kind} on {r.correction.album_id}: {r.status} {r.message}"
            for r in done.results
        )
        self._mark("rehearsed")

    def confirmation(self) -> str:
        """What the apply button asks the admin to confirm: how many corrections, where."""
        return f"Apply {len(self.corrections)} correction(s) to {self.target.label}?"

    def apply(self, *, confirmed: bool = False) -> None:
        """Apply for real (each correction its own transaction, logged); needs ``confirmed=True``."""
        if not confirmed:
            raise PermissionError(
                self.confirmation() + " Pass confirmed=True (the Apply button asks first)."
            )
        self._require(self.step == "previewed", "preview the corrections before applying them")
        self.busy, self.done = True, 0
        try:
            self.results = self.target.apply(
                self.corrections,
                self.session,
                dry_run=False,
                on_each=lambda i, _r: setattr(self, "done", i + 1),
            )
        finally:
            self.busy = False
        self.log_rows = self.target.log_rows([i for r in self.results for i in r.log_ids])
        self.message = self.summary()
        self._mark("applied")
        self.step = "applied"

    def undo(self) -> None:
        """Undo every correction applied here, as new logged corrections; keep the undo's rows."""
        applied = [r.correction.id for r in self.results if r.status == APPLIED]
        self._require(applied, "nothing applied here to undo")
        self.busy = True
        try:
            self.undo_results = [
                u for cid in reversed(applied) for u in self.target.undo(cid, self.session)
            ]
        finally:
            self.busy = False
        self.log_rows = self.target.log_rows([i for r in self.undo_results for i in r.log_ids])
        reverted = sum(r.status == APPLIED for r in self.undo_results)
        self.message = f"undone: {reverted} of {len(applied)} correction(s) reverted, each logged as a new correction"
        self._mark("undone")
        self.step = "undone"

    def summary(self) -> str:
        """Applied / already applied / stale / invalid counts of the last apply."""
        counts = Counter(r.status for r in self.results)
        return (
            ", ".join(f"{n} {s.lower().replace('_', ' ')}" for s, n in sorted(counts.items()))
            or "nothing done"
        )

    def _mark(self, step: str) -> None:
        self.elapsed = {**self.elapsed, step: round(time.monotonic() - self.opened, 2)}

    def _require(self, ok, message: str) -> None:
        if not ok:
            self.message = message
            raise ValueError(message)
