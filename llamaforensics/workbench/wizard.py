"""The repair wizard's state: one repair, step by step, observable and usable in plain Python.

Like the other state objects (:mod:`.state`) it is a ``traitlets.HasTraits`` and imports no
ipywidgets: a test or a script drives every step the widget offers, and the widget only shows
what its traits say.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import NoReturn

import duckdb
from traitlets import Bool, Dict, HasTraits, Int, List, Unicode

from ..findings import Finding, findings_for_album
from ..repair import APPLIED, Correction, Result, format_diff
from ..repair.model import AddTracks, LinkArtist, SetAlbumFields
from ..repair.propose import Proposal, propose_all
from ..repair.rehearse import rehearse
from ..repair.session import RepairSession
from ..repair.target import RepairTarget


class RepairWizard(HasTraits):
    """One repair, step by step.

    Findings -> proposals -> edits -> preview -> rehearsal -> apply -> undo.

    ``step`` is one of: pick, review, previewed, applied, undone. Batch mode is
    the same with several findings of one kind selected.
    """

    step = Unicode("pick")
    # the album a manual correction is for (one finding, or picked)
    album_id = Unicode(None, allow_none=True)
    findings: List[Finding] = List()
    proposals: List[Proposal] = List()
    corrections: List[Correction] = List()  # the corrections as they stand (proposed, then edited)
    preview_text = Unicode("")
    rehearsal_text = Unicode("")
    results: List[Result] = List()
    log_rows: List[dict[str, object]] = List()
    undo_results: List[Result] = List()
    done = Int(0)
    busy = Bool(False)
    message = Unicode("")
    elapsed = Dict()  # seconds from opening the wizard to each step

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        target: RepairTarget,
        snapshot_path: str | Path,
        *,
        user_id: str | None = None,
        **kwargs: object,
    ) -> None:
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
        """Start over with one album: the proposals for its findings.

        An album with no finding gets none: the admin enters a correction by hand.
        """
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
        """Replace the proposal by a hand-made correction.

        It may set fields, add tracks by title, and link an artist by name (made if none has it).
        """
        album_id = album_id or self.album_id
        if not album_id:
            self._refuse("pick a finding about one album, or an album, first")
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
        """Prepare the corrections against the target as it is now; show what would change."""
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
        """Apply for real (each correction its own logged transaction); needs ``confirmed=True``."""
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
        self.message = (
            f"undone: {reverted} of {len(applied)} correction(s) reverted, "
            "each logged as a new correction"
        )
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

    def _require(self, ok: object, message: str) -> None:
        if not ok:
            self._refuse(message)

    def _refuse(self, message: str) -> NoReturn:
        """Show why the step cannot be taken, and stop it."""
        self.message = message
        raise ValueError(message)
