"""The notebook workbench: one object whose methods show each widget.

    import llamaforensics
    wb = llamaforensics.open()          # the demo data; or a DSN, or a snapshot path
    wb.findings_browser()               # which albums are broken?
    wb.repair(wb.findings_of("trackless_album")[:1])

Every widget is a view over a state object (``wb.finder``, ``wb.findings``,
``wb.audit_state``, ``wb.lineage_state``, ``wb.wizard``) that can be driven
from plain Python.
"""

from __future__ import annotations

import os
import weakref
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..dossier import resolve_album
from ..errors import UsageError
from ..findings import Finding
from ..repair.target import RepairTarget
from ..snapshot import open_snapshot
from ..snapshot.open import replaced_while_open
from ..snapshot.refresh import refresh_snapshot
from .explorer_views import audit_view, lineage_view
from .explorers import AuditDashboard, LineageExplorer
from .panels import table
from .resolve_source import resolve_source
from .state import AlbumFinder, FindingsBrowser
from .views import finder_view, findings_view
from .wizard import RepairWizard
from .wizard_view import repair_view

if TYPE_CHECKING:
    from ..postgres.dsn import Dsn

    # What the workbench opens: a DSN (text or parsed), a snapshot path, or None
    # ($DATABASE_URL when set, else the demo data).
    Source = str | os.PathLike[str] | Dsn | None

__all__ = [
    "AlbumFinder",
    "AuditDashboard",
    "FindingsBrowser",
    "LineageExplorer",
    "RepairTarget",
    "RepairWizard",
    "Workbench",
    "open_workbench",
    "table",
]


_OPEN_WORKBENCHES: weakref.WeakSet[Workbench] = weakref.WeakSet()


def _close_workbenches_on(path: str | os.PathLike[str]) -> None:
    """Close this process's workbenches on ``path`` when a new snapshot replaced the file they read.

    DuckDB would otherwise show the new workbench the file as the earlier ones opened it.
    """
    if not replaced_while_open(path):
        return
    for other in list(_OPEN_WORKBENCHES):
        if os.path.realpath(other.snapshot_path) == os.path.realpath(path):
            other.close()


class Workbench:
    """The snapshot the workbench reads, the target its repairs go to, and a widget per task.

    Opening a workbench on a snapshot file that a new snapshot replaced (a
    DSN is snapshotted anew each time: re-running a notebook's first cell,
    say) closes this process's earlier workbenches on that file: DuckDB would
    otherwise show the new one the file as the earlier ones opened it.
    """

    def __init__(
        self,
        source: Source = None,
        *,
        user_id: str | None = None,
        snapshot_path: str | os.PathLike[str] | None = None,
        progress: bool = False,
    ) -> None:
        self.con, self.target, self.description = resolve_source(
            source, snapshot_path=snapshot_path, progress=progress, release=_close_workbenches_on
        )
        [(self.snapshot_path,)] = self.con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()
        _OPEN_WORKBENCHES.add(self)
        self.user_id = user_id
        self._repair_area = w.VBox()
        self._dossier_area = w.VBox()
        self._new_states()

    def _new_states(self) -> None:
        """Make fresh state objects on the current snapshot connection.

        The findings and the audit are computed on first use: opening stays quick.
        """
        self.finder = AlbumFinder(self.con)
        self._findings: FindingsBrowser | None = None
        self._audit: AuditDashboard | None = None
        self.lineage_state = LineageExplorer(self.con)
        self.wizard = RepairWizard(self.con, self.target, self.snapshot_path, user_id=self.user_id)

    def refresh(self, progress: bool = False) -> dict:
        """Bring the snapshot up to date with the database; return what changed.

        New log rows are added and the catalog is read again.

        The state objects are rebuilt on the refreshed snapshot: show the widgets again to see it.
        """
        if self.target.dsn is None:
            raise UsageError(
                "without a database there is nothing to refresh from: "
                "the analysis reads the snapshot, "
                f"repairs went to {self.target.working_copy}"
            )
        self.con.close()  # the refresh writes the file; a failed one leaves it as it was
        try:
            changed = refresh_snapshot(self.target.dsn, self.snapshot_path, progress=progress)
        finally:
            self.con = open_snapshot(self.snapshot_path)
            self._new_states()
        return changed

    def close(self) -> None:
        """Close the snapshot connection (the widgets shown so far stop working); the files stay."""
        self.con.close()
        _OPEN_WORKBENCHES.discard(self)

    def __repr__(self) -> str:
        return (
            f"<llamaforensics workbench: reads {self.description}; "
            f"repairs go to {self.target.label}>"
        )

    @property
    def findings(self) -> FindingsBrowser:
        """The findings browser's state (the findings are computed on first use)."""
        if self._findings is None:
            self._findings = FindingsBrowser(self.con)
        return self._findings

    @property
    def audit_state(self) -> AuditDashboard:
        """The category audit's state (its figures are computed on first use)."""
        if self._audit is None:
            self._audit = AuditDashboard(self.con)
        return self._audit

    def findings_of(self, kind: str) -> list[Finding]:
        """Return the findings of one kind (``wb.repair(wb.findings_of(kind)[:1])``)."""
        return [f for f in self.findings.findings if f.kind == kind]

    # -- widgets
    def album(self, query: str = "") -> w.Widget:
        """The album finder and dossier; ``query`` pre-fills the search box."""
        self.finder.query = query
        return finder_view(self.finder)

    def findings_browser(self) -> w.Widget:
        """Counts per kind and a filterable table; "Repair" opens the repair wizard below it."""

        def open_dossier(finding: Finding) -> None:
            if finding.entity_type == "ALBUM":
                self.finder.album_id = finding.entity_id
                self._dossier_area.children = [finder_view(self.finder)]

        return w.VBox(
            [
                findings_view(self.findings, on_repair=self._open_repair, on_dossier=open_dossier),
                self._dossier_area,
                self._repair_area,
            ]
        )

    def audit(self) -> w.Widget:
        """The category audit dashboard: date range, bucket and filters driving the figures."""
        return audit_view(self.audit_state)

    def lineage(self, query: str = "") -> w.Widget:
        """The lineage explorer: a job id or an album in, the tree out; click a job for its rows."""
        view = lineage_view(self.lineage_state)
        self.lineage_state.query = query
        return view

    def repair(
        self, findings: list[Finding] | Finding | None = None, *, album: str | None = None
    ) -> w.Widget:
        """The repair wizard, on these findings or on one album (id or title).

        The findings are one, or a batch of one kind.
        """
        if findings is not None:
            self.wizard.select([findings] if isinstance(findings, Finding) else list(findings))
        elif album is not None:
            self.wizard.select_album(resolve_album(self.con, album)[0])
        return repair_view(self.wizard)

    def _open_repair(self, findings: list[Finding]) -> None:
        self._repair_area.children = [self.repair(findings)]


def open_workbench(source: Source = None, **kwargs: Any) -> Workbench:
    """Open the workbench on ``source``: a DSN, a snapshot path, or None.

    None reads $DATABASE_URL when set, else the demo data.
    """
    return Workbench(source, **kwargs)
