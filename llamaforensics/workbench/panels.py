"""Small pieces the widgets share.

Figures that say when they are empty, facts instead of JSON, counts that stay
in view, candidates that tie shown side by side, export buttons that say
what they wrote, and tables that stop at a readable length.

Every value is escaped (titles and details are hostile data).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go
import polars as pl

from ..snapshot.extremes import shown_rows
from ..terminal import wrote

SEVERITY_COLOUR = {"critical": "#b71c1c", "warning": "#e65100", "info": "#1565c0"}


def has_data(fig: go.Figure) -> bool:
    """Tell whether any trace of ``fig`` has a point to draw."""
    for trace in fig.data:
        for axis in ("x", "y", "z", "values"):
            values = getattr(trace, axis, None)
            if values is not None and len(values) and any(v is not None for v in values):
                return True
    return False


def figure_or_note(fig: go.Figure, note: str) -> w.Widget:
    """Return the figure as a widget or, when it has nothing to draw, a line saying why."""
    if has_data(fig):
        return go.FigureWidget(fig)
    title = fig.layout.title.text or "figure"
    empty = w.HTML(f'<p class="lf-empty"><b>{title}</b>: {html.escape(note)}</p>')
    empty.add_class("lf-empty-figure")
    return empty


def facts_html(detail: dict[str, object]) -> str:
    """Return a finding's detail as labelled facts, one per line (never a JSON dump)."""
    if not detail:
        return "<i>no further detail</i>"
    items = "".join(
        f"<li><b>{html.escape(str(k).replace('_', ' '))}</b>: {html.escape(_value(v))}</li>"
        for k, v in detail.items()
    )
    return f'<ul class="lf-facts" style="margin:0;padding-left:1.2em">{items}</ul>'


def _value(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k} {_value(v)}" for k, v in value.items())
    return str(value)


def counts_badges(counts: pl.DataFrame) -> str:
    """Return the findings per kind as one wrapping line of badges, not a long table."""
    badges = "".join(
        f'<span class="lf-count" style="border:1px solid #ccc;border-radius:3px;padding:1px 6px;'
        f'margin:2px;white-space:nowrap;color:{SEVERITY_COLOUR.get(r["severity"], "#333")}">'
        f"{html.escape(r['kind'])} <b>{r['findings']:,}</b></span>"
        for r in counts.to_dicts()
    )
    total = int(counts["findings"].sum()) if counts.height else 0
    return (
        f'<div class="lf-counts" style="display:flex;flex-wrap:wrap;align-items:center">'
        f"<b style='margin-right:6px'>{total:,} findings</b>{badges}</div>"
    )


def ties_html(candidates: pl.DataFrame) -> str:
    """Return the candidates sharing the best score side by side (empty when the best is alone)."""
    if candidates.height < 2 or "score" not in candidates.columns:
        return ""
    tied = candidates.filter(pl.col("score") == candidates["score"].max())
    if tied.height < 2:
        return ""
    cards = "".join(
        '<div class="lf-tie" style="border:1px solid #ccc;border-radius:4px;padding:4px 8px;'
        f'margin:2px;min-width:12em"><b>{html.escape(str(r["title"]))}</b>'
        f"<br>{html.escape(str(r.get('artist') or '?'))}"
        f"<br><small><code>{html.escape(r['album_id'])}</code></small></div>"
        for r in tied.to_dicts()
    )
    return (
        f'<div class="lf-ties"><small>{tied.height} albums match equally well '
        f"(score {tied['score'][0]:.2f}): pick one below</small>"
        f'<div style="display:flex;flex-wrap:wrap">{cards}</div></div>'
    )


def export_button(
    description: str, css: str, write: Callable[[], Path], message: w.HTML
) -> w.Button:
    """Return a button that calls ``write`` and shows ``wrote FILE (size)`` (or why not)."""
    button = w.Button(description=description, layout=w.Layout(width="auto"), icon="download")
    button.add_class(css)

    def click(_: w.Button) -> None:
        try:
            message.value = f'<span class="lf-export-done">{html.escape(wrote(write()))}</span>'
        except Exception as exc:  # shown, not swallowed
            message.value = f'<b style="color:#b00">{html.escape(str(exc))}</b>'

    button.on_click(click)
    return button


MAX_TABLE_ROWS = 200


def table(
    rows: pl.DataFrame | Iterable[dict[str, Any]],
    columns: list[str] | None = None,
    limit: int = MAX_TABLE_ROWS,
) -> str:
    """Return an HTML table of dict rows or a Polars frame, every value escaped.

    Titles and details come from the database under investigation: hostile data.
    """
    # a time Python cannot hold shows PostgreSQL's text
    rows = shown_rows(rows) if isinstance(rows, pl.DataFrame) else list(rows)
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


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (list, dict)):
        value = json.dumps(value, default=str)
    text = str(value)
    return html.escape(text if len(text) <= 120 else text[:117] + "...")


def action_button(description: str, css: str, style: str = "", tooltip: str = "") -> w.Button:
    """Return a button sized to its text, with the ``lf-*`` class the browser tests click."""
    button = w.Button(
        description=description, button_style=style, tooltip=tooltip, layout=w.Layout(width="auto")
    )
    button.add_class(css)
    return button
