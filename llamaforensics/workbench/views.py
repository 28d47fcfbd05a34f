"""The widgets: thin ipywidgets views over the state objects of :mod:`.state`.

A view builds its controls, forwards what the admin does to its state, and
re-renders what the state's traits say. It decides nothing. Every control
the browser tests drive carries a ``lf-*`` CSS class.
"""

from __future__ import annotations

import html
import json
from datetime import datetime

import ipywidgets as w
import plotly.graph_objects as go
import polars as pl

from ..dossier import timeline_figure
from ..findings import KINDS
from ..lineage.graph_figure import lineage_figure
from ..lineage.outline import drawable
from ..snapshot.extremes import shown_rows
from .panels import counts_badges, export_button, facts_html, figure_or_note, ties_html
from .state import AlbumFinder, FindingsBrowser, RepairWizard

MAX_TABLE_ROWS = 200


def table(rows, columns: list[str] | None = None, limit: int = MAX_TABLE_ROWS) -> str:
    """An HTML table of dict rows or a Polars frame, every value escaped (titles are hostile data)."""
    if isinstance(rows, pl.DataFrame):
        rows = shown_rows(rows)  # a time Python cannot hold shows PostgreSQL's text
    rows = list(rows)
    if not rows:
        return "<p><i>none</i></p>"
    columns = columns or list(rows[0])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in columns) + "</tr>"
        for r in rows[:limit]
    )
    more = f"<p><i>{len(rows) - limit} more not shown</i></p>" if len(rows) > limit else ""
    return (
        f'<table class="lf-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}'
    )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (list, dict)):
        value = json.dumps(value, default=str)
    text = str(value)
    return html.escape(text if len(text) <= 120 else text[:117] + "...")


def _button(description: str, css: str, style: str = "", tooltip: str = "") -> w.Button:
    button = w.Button(
        description=description, button_style=style, tooltip=tooltip, layout=w.Layout(width="auto")
    )
    button.add_class(css)
    return button


def _pre(text: str) -> str:
    return f'<pre style="white-space: pre-wrap">{html.escape(text)}</pre>'


# -- album finder + dossier ---------------------------------------------------------------------------------------


def finder_view(state: AlbumFinder) -> w.Widget:
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

    def candidates(_=None):
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

    def show(_=None):
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

    box.observe(lambda ch: setattr(state, "query", ch["new"]), "value")
    pick.observe(lambda ch: ch["new"] and setattr(state, "album_id", ch["new"]), "value")
    state.observe(candidates, "candidates")
    state.observe(show, "dossier")
    box.value = state.query
    candidates()
    show()
    view = w.VBox([box, pick, ties, tabs])
    view.state = state
    return view


# -- findings browser ----------------------------------------------------------------------------------------------


def findings_view(state: FindingsBrowser, on_repair=None, on_dossier=None) -> w.Widget:
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
    repair = _button("Repair this finding", "lf-repair-one", "primary")
    batch = _button(
        "Repair all shown", "lf-repair-batch", tooltip="a batch of the findings shown (one kind)"
    )
    dossier = _button("Open its dossier", "lf-open-dossier")

    def render(_=None):
        rows.options = [
            (f"[{f.severity}] {f.kind}: {f.title or ''} ({f.entity_id[:8]})", i)
            for i, f in enumerate(state.rows[:MAX_TABLE_ROWS])
        ]
        shown.value = f"<small>{len(state.rows)} of {len(state.findings)} findings shown</small>"

    def select(change):
        if change["new"] is not None:
            state.selected = state.rows[change["new"]]

    def describe(_=None):
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
    stamp = lambda: datetime.now().strftime("%Y%m%d-%H%M%S")  # noqa: E731
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


# -- repair wizard -------------------------------------------------------------------------------------------------


def repair_view(state: RepairWizard) -> w.Widget:
    heading = w.HTML()
    proposals = w.HTML()
    proposals.add_class("lf-proposals")
    edits_title = w.Text(description="Title")
    edits_mbid = w.Text(description="MB id", placeholder="MusicBrainz id")
    edits_tracks = w.Textarea(description="Tracks", placeholder="one title per line", rows=4)
    edits_artist = w.Text(description="Artist", placeholder="name (linked, created if new)")
    use_edits = _button("Use these edits instead", "lf-manual")
    edits = w.Accordion(
        children=[w.VBox([edits_title, edits_mbid, edits_tracks, edits_artist, use_edits])]
    )
    edits.set_title(0, "Edit by hand")
    preview_b = _button("Preview", "lf-preview", "info")
    rehearse_b = _button("Rehearse on snapshot", "lf-rehearse")
    apply_b = _button("Apply…", "lf-apply", "warning")
    confirm_b = _button("Yes, apply", "lf-confirm", "danger")
    cancel_b = _button("Cancel", "lf-cancel")
    undo_b = _button("Undo", "lf-undo")
    confirm = w.HBox([w.HTML(), confirm_b, cancel_b])
    confirm.add_class("lf-confirmation")
    confirm.layout.display = "none"
    progress = w.IntProgress(min=0, max=1, description="Applying")
    progress.layout.display = "none"
    preview = w.HTML()
    preview.add_class("lf-preview-diff")
    rehearsal = w.HTML()
    result = w.HTML()
    result.add_class("lf-result")
    message = w.HTML()
    message.add_class("lf-message")

    def run(action):
        def handler(_):
            try:
                action()
            except (
                Exception
            ) as exc:  # shown to the admin, not swallowed: the state keeps the message too
                message.value = f'<b style="color:#b00">{html.escape(str(exc))}</b>'

        return handler

    def render(_=None):
        kinds = sorted({f.kind for f in state.findings})
        heading.value = (
            f"<h4>Repair: {len(state.findings)} finding(s) {html.escape(', '.join(kinds))} "
            f"&rarr; {html.escape(state.target.label)}</h4>"
        )
        proposals.value = table(
            [
                {
                    "kind": c.kind,
                    "album": c.album_id,
                    "origin": c.origin,
                    "confidence": c.confidence,
                    "reason": c.reason,
                }
                for c in state.corrections
            ]
        )
        preview.value = _pre(state.preview_text) if state.preview_text else ""
        rehearsal.value = _pre(state.rehearsal_text) if state.rehearsal_text else ""
        message.value = html.escape(state.message)
        result.value = (
            ""
            if not state.results
            else (
                (
                    f"<b>{html.escape(state.message)}</b>"
                    if state.step == "undone"
                    else f"<b>{html.escape(state.summary())}</b> in {state.elapsed.get('applied', 0):.1f} s"
                )
                + table(
                    state.log_rows,
                    [
                        "created_at",
                        "category",
                        "operation",
                        "entity_type",
                        "entity_id",
                        "job_id",
                        "parent_job_id",
                        "root_job_id",
                    ],
                )
                + (
                    table(
                        [
                            {"undo": r.correction.kind, "status": r.status, "message": r.message}
                            for r in state.undo_results
                        ]
                    )
                    if state.undo_results
                    else ""
                )
            )
        )
        apply_b.disabled = state.step != "previewed" or state.busy
        confirm_b.disabled = state.busy
        undo_b.disabled = state.step != "applied" or state.busy
        progress.max = max(len(state.corrections), 1)
        progress.layout.display = "flex" if state.busy else "none"

    def ask(_):
        confirm.children[0].value = f"<b>{html.escape(state.confirmation())}</b>"
        confirm.layout.display = "flex"

    def really_apply():
        confirm.layout.display = "none"
        progress.description = "Applying"
        state.apply(confirmed=True)

    def undo():
        progress.description, progress.value = "Undoing", 0
        state.undo()

    def manual():
        fields = {
            k: v
            for k, v in (
                ("title", edits_title.value.strip()),
                ("musicbrainz_id", edits_mbid.value.strip()),
            )
            if v
        }
        titles = [t.strip() for t in edits_tracks.value.splitlines() if t.strip()]
        state.manual(
            fields=fields, track_titles=titles, artist_name=edits_artist.value.strip() or None
        )

    preview_b.on_click(run(state.preview))
    rehearse_b.on_click(run(state.rehearse))
    apply_b.on_click(ask)
    confirm_b.on_click(run(really_apply))
    cancel_b.on_click(lambda _: setattr(confirm.layout, "display", "none"))
    undo_b.on_click(run(undo))
    use_edits.on_click(run(manual))
    state.observe(
        render,
        [
            "step",
            "corrections",
            "preview_text",
            "rehearsal_text",
            "results",
            "log_rows",
            "undo_results",
            "message",
            "busy",
        ],
    )
    state.observe(lambda ch: setattr(progress, "value", ch["new"]), "done")
    render()
    view = w.VBox(
        [
            heading,
            proposals,
            edits,
            w.HBox([preview_b, rehearse_b, apply_b, undo_b]),
            confirm,
            progress,
            preview,
            rehearsal,
            message,
            result,
        ]
    )
    view.add_class("lf-repair-wizard")
    view.state = state
    return view
