"""The explorers' widgets: the category audit dashboard and the lineage explorer.

Thin views over :mod:`.explorers`: every widget sets a trait or calls a method of its state.
"""

from __future__ import annotations

import html
from datetime import datetime, time

import ipywidgets as w
import plotly.graph_objects as go
from plotly.callbacks import Points

from ..lineage.graph_figure import lineage_figure
from ..lineage.outline import drawable
from .explorers import AuditDashboard, LineageExplorer
from .panels import export_button, figure_or_note, table

# -- category audit dashboard ----------------------------------------------------------------------


def audit_view(state: AuditDashboard) -> w.Widget:
    """Return the dashboard: date range, bucket and filters above the figures they drive."""
    low, high = state.span
    start = w.DatePicker(description="From", value=low.date() if low else None)
    end = w.DatePicker(description="To", value=high.date() if high else None)
    bucket = w.ToggleButtons(
        options=["day", "week", "month"], value=state.bucket, description="Bucket"
    )
    pickers = {
        name: w.SelectMultiple(options=state.choices[name], rows=5, description=name.capitalize())
        for name in ("categories", "operations", "sources")
    }
    figures = w.VBox()
    figures.add_class("lf-audit-figures")

    def render(_: object = None) -> None:
        figures.children = [
            figure_or_note(fig, "no log row matches these filters")
            for fig in state.figures.values()
        ]

    def dates(_: object = None) -> None:
        first = datetime.combine(start.value, time.min) if start.value else None
        last = datetime.combine(end.value, time.max) if end.value else None
        state.start, state.end = first, last

    start.observe(dates, "value")
    end.observe(dates, "value")
    bucket.observe(lambda ch: setattr(state, "bucket", ch["new"]), "value")
    for name, picker in pickers.items():
        picker.observe(lambda ch, name=name: setattr(state, name, list(ch["new"])), "value")
    state.observe(render, "figures")
    exported = w.HTML()
    export = export_button(
        "Export tables (Parquet)",
        "lf-export-audit",
        lambda: state.export(f"audit-{datetime.now():%Y%m%d-%H%M%S}"),
        exported,
    )
    render()
    view = w.VBox(
        [
            w.HBox([start, end]),
            bucket,
            w.HBox(list(pickers.values())),
            figures,
            w.HBox([export, exported]),
        ]
    )
    view.state = state
    return view


# -- lineage explorer ------------------------------------------------------------------------------


def lineage_view(state: LineageExplorer) -> w.Widget:
    """Return the explorer: a job id or album in, its tree out; a click on a job shows its rows."""
    box = w.Text(
        placeholder="a job id, or an album (title or id)",
        description="Job/album",
        continuous_update=False,
        layout=w.Layout(width="60%"),
    )
    box.add_class("lf-lineage-query")
    message = w.HTML()
    figure = w.VBox()
    rows = w.HTML()

    def render(_: object = None) -> None:
        message.value = html.escape(state.message)
        if state.graph is None or not state.graph.number_of_nodes():
            figure.children = []
            return
        drawn = drawable(state.con, state.graph, title=state.message)
        fig = go.FigureWidget(lineage_figure(*drawn))
        for trace in fig.data:
            if trace.mode and "markers" in trace.mode:
                trace.on_click(pick)
        figure.children = [fig]

    def pick(trace: go.Scatter, points: Points, _selector: object) -> None:
        if points.point_inds:
            state.job = trace.customdata[points.point_inds[0]]

    box.observe(lambda ch: setattr(state, "query", ch["new"]), "value")
    state.observe(lambda ch: setattr(box, "value", ch["new"]), "query")
    state.observe(render, ["graph", "message"])
    state.observe(lambda _: setattr(rows, "value", table(state.job_rows)), "job_rows")
    box.value = state.query
    render()
    view = w.VBox([box, message, figure, rows])
    view.state = state
    return view
