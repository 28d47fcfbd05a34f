"""The finder's and the findings browser's widgets: thin ipywidgets views over :mod:`.state`.

A view builds its controls, forwards what the admin does to its state, and
re-renders what the state's traits say. It decides nothing. Every control
the browser tests drive carries a ``lf-*`` CSS class.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

import ipywidgets as w
import plotly.graph_objects as go
from traitlets import Bunch

from ..dossier import timeline_figure
from ..findings import KINDS, Finding
from ..lineage.graph_figure import lineage_figure
from ..lineage.outline import drawable
from .panels import (
    MAX_TABLE_ROWS,
    action_button,
    counts_badges,
    export_button,
    facts_html,
    figure_or_note,
    table,
    ties_html,
)
from .state import AlbumFinder, FindingsBrowser

# -- album finder + dossier ------------------------------------------------------------------------


def finder_view(state: AlbumFinder) -> w.Widget:
    """Return the album finder: a search box, its candidates, and the chosen album's dossier."""
    box = w.Text(
        placeholder="title, artist, or an id (album, MusicBrainz, Spotify, Discogs)",
        continuous_update=True,
        description="Album",
        layout=w.Layout(width="60%"),
    )
    box.add_class("lf-album-search")
    pick = w.Select(options=[], rows=6, layout=w.Layout(width="60%"))
    pick.add_class("lf-album-candidates")
    ties = w.HTML()
    tabs = w.Tab()
    tabs.add_class("lf-dossier")
    names = ("Album", "Artists", "Tracks", "Timeline", "Lineage", "Findings", "Story")
    panes = {name: w.VBox() for name in names}
    tabs.children = [panes[n] for n in names]
    for i, n in enumerate(names):
        tabs.set_title(i, n)

    def candidates(_: object = None) -> None:
        frame = state.candidates
        pick.options = (
            [
                (f"{r['title']} — {r['artist'] or '?'} [{r['album_id'][:8]}]", r["album_id"])
                for r in frame.to_dicts()
            ]
            if frame.height
            else []
        )
        ties.value = ties_html(frame)

    def show(_: object = None) -> None:
        d = state.dossier
        if d is None:
            for pane in panes.values():
                pane.children = []
            return
        shown = (
            "created_at",
            "created_at:pg",
            "category",
            "operation",
            "status",
            "sources",
            "reason",
            "error_message",
            "job_id",
        )
        timeline = d.timeline.select([c for c in shown if c in d.timeline.columns])
        touched = f"jobs that touched {d.album['title']}"
        lineage = (
            go.FigureWidget(lineage_figure(*drawable(state.con, d.lineage, title=touched)))
            if d.lineage is not None and d.lineage.number_of_nodes()
            else w.HTML("<p><i>no job lineage</i></p>")
        )
        content = {
            "Album": [
                w.HTML(
                    table(
                        [
                            {"column": k, "value": v}
                            for k, v in d.album.items()
                            if not k.startswith("_")
                        ]
                    )
                )
            ],
            "Artists": [w.HTML(table(d.artists))],
            "Tracks": [w.HTML(table(d.tracks))],
            "Timeline": [
                figure_or_note(
                    timeline_figure(d), "no log row is about this album, its tracks or its artists"
                ),
                w.HTML(table(timeline)),
            ],
            "Lineage": [lineage],
            "Findings": [
                w.HTML(
                    "".join(
                        f"<p><b>{html.escape(f.kind)}</b> ({html.escape(f.severity)}, "
                        f"fix {html.escape(f.suggested_fix)}){facts_html(f.detail)}</p>"
                        for f in d.findings
                    )
                    or "<p><i>none</i></p>"
                )
            ],
            "Story": [
                w.HTML(
                    "".join(
                        f"<p>{html.escape(s.text)} <small>({len(s.log_ids)} log rows)</small></p>"
                        for s in state.story
                    )
                )
            ],
        }
        for name, children in content.items():
            panes[name].children = children

    def choose(change: Bunch) -> None:
        if change["new"]:
            state.album_id = change["new"]

    box.observe(lambda ch: setattr(state, "query", ch["new"]), "value")
    pick.observe(choose, "value")
    state.observe(candidates, "candidates")
    state.observe(show, "dossier")
    box.value = state.query
    candidates()
    show()
    view = w.VBox([box, pick, ties, tabs])
    view.state = state
    return view


# -- findings browser ------------------------------------------------------------------------------


def findings_view(
    state: FindingsBrowser,
    on_repair: Callable[[list[Finding]], None] | None = None,
    on_dossier: Callable[[Finding], None] | None = None,
) -> w.Widget:
    """Return the findings browser: counts, filters, the findings, and the selected one's facts.

    ``on_repair`` gets the findings to repair, ``on_dossier`` the finding whose album to open.
    """
    counts = w.HTML(counts_badges(state.counts()))
    kind = w.Dropdown(options=[("every kind", "")] + [(k, k) for k in KINDS], description="Kind")
    kind.add_class("lf-findings-kind")
    severity = w.Dropdown(
        options=[("every severity", ""), "critical", "warning", "info"], description="Severity"
    )
    text = w.Text(placeholder="id or title contains", description="Filter")
    text.add_class("lf-findings-filter")
    sort = w.Dropdown(options=["severity", "kind", "title"], description="Sort by")
    rows = w.Select(options=[], rows=12, layout=w.Layout(width="95%"))
    rows.add_class("lf-findings-rows")
    shown = w.HTML()
    detail = w.HTML()
    detail.add_class("lf-finding-detail")
    repair = action_button("Repair this finding", "lf-repair-one", "primary")
    batch = action_button(
        "Repair all shown", "lf-repair-batch", tooltip="a batch of the findings shown (one kind)"
    )
    dossier = action_button("Open its dossier", "lf-open-dossier")

    def render(_: object = None) -> None:
        rows.options = [
            (f"[{f.severity}] {f.kind}: {f.title or ''} ({f.entity_id[:8]})", i)
            for i, f in enumerate(state.rows[:MAX_TABLE_ROWS])
        ]
        shown.value = f"<small>{len(state.rows)} of {len(state.findings)} findings shown</small>"

    def select(change: Bunch) -> None:
        if change["new"] is not None:
            state.selected = state.rows[change["new"]]

    def describe(_: object = None) -> None:
        f = state.selected
        detail.value = (
            ""
            if f is None
            else table(
                [
                    {
                        "kind": f.kind,
                        "entity": f"{f.entity_type} {f.entity_id}",
                        "title": f.title,
                        "severity": f.severity,
                        "suggested fix": f.suggested_fix,
                        "evidence": f"{len(f.evidence)} log rows",
                        "proposed": state.proposal.note if state.proposal else "",
                    }
                ]
            )
            + facts_html(f.detail)
        )

    for control, name in ((kind, "kind"), (severity, "severity"), (text, "text"), (sort, "sort")):
        control.observe(lambda ch, name=name: setattr(state, name, ch["new"]), "value")
    rows.observe(select, "value")
    state.observe(render, "rows")
    state.observe(describe, ["selected", "proposal"])
    repair.on_click(lambda _: state.selected and on_repair and on_repair([state.selected]))
    batch.on_click(
        lambda _: (
            on_repair
            and state.rows
            and on_repair([f for f in state.rows if f.kind == state.rows[0].kind][:MAX_TABLE_ROWS])
        )
    )
    dossier.on_click(lambda _: state.selected and on_dossier and on_dossier(state.selected))
    exported = w.HTML()

    def stamp() -> str:
        return datetime.now().strftime("%Y%m%d-%H%M%S")

    to_csv = export_button(
        "CSV", "lf-export-csv", lambda: state.export(f"findings-{stamp()}.csv"), exported
    )
    to_parquet = export_button(
        "Parquet",
        "lf-export-parquet",
        lambda: state.export(f"findings-{stamp()}.parquet"),
        exported,
    )
    render()
    view = w.VBox(
        [
            counts,
            w.HBox([kind, severity]),
            w.HBox([text, sort]),
            shown,
            rows,
            detail,
            w.HBox([repair, batch, dossier, to_csv, to_parquet, exported]),
        ]
    )
    view.state = state
    return view
