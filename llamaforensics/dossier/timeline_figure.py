"""The album's timeline as a picture: a mark per log row, time left to right, lanes by category."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ..snapshot.extremes import shown_rows
from .dossier import AlbumDossier

CATEGORY_ORDER = ("CREATED", "LINKED", "ENRICHED", "CACHED", "CORRECTED", "USER_ACTION", "FAILED")
STATUS_SYMBOL = {
    "FAILED": "x",
    "NO_DATA_AVAILABLE": "circle-open",
    "SKIPPED": "circle-open",
    "PREVIEW": "diamond-open",
}
ENTITY_COLOUR = {"ALBUM": "#1f77b4", "TRACK": "#2ca02c", "ARTIST": "#ff7f0e", None: "#7f7f7f"}


def _hover(row: dict) -> str:
    parts = [
        f"<b>{html.escape(row['operation'])}</b> ({row['category']}, {row['status']})",
        f"{row['created_at']:%Y-%m-%d %H:%M:%S}",
        f"about: {html.escape(str(row['entity'] or '-'))}",
        f"job: {html.escape(str(row['job_id'] or '-'))}",
    ]
    if row["reason"]:
        parts.append(html.escape(row["reason"]))
    if row["error_message"]:
        parts.append(f"error: {html.escape(row['error_message'])}")
    return "<br>".join(parts)


def timeline_figure(dossier: AlbumDossier) -> go.Figure:
    """Return a plotly figure of the dossier's timeline.

    The hover shows each log row; failures are crosses, so they stand out among hundreds of marks.
    """
    rows = shown_rows(dossier.timeline)
    fig = go.Figure()
    for entity_type, colour in ENTITY_COLOUR.items():
        mine = [r for r in rows if r["entity_type"] == entity_type]
        if not mine:
            continue
        fig.add_trace(
            go.Scatter(
                x=[r["created_at"] for r in mine],
                y=[r["category"] for r in mine],
                mode="markers",
                name=(entity_type or "no entity").lower() + " rows",
                marker={
                    "size": 11,
                    "color": colour,
                    "symbol": [STATUS_SYMBOL.get(r["status"], "circle") for r in mine],
                    "line": {"width": 1, "color": "#333"},
                },
                hovertext=[_hover(r) for r in mine],
                hoverinfo="text",
            )
        )
    lanes = [c for c in CATEGORY_ORDER if c in {r["category"] for r in rows}]
    fig.update_layout(
        title=f"{html.escape(dossier.title)}: {len(rows)} log rows",
        height=320,
        yaxis={"categoryorder": "array", "categoryarray": lanes, "title": None},
        xaxis={"title": None},
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 90, "r": 20, "t": 50, "b": 40},
    )
    return fig
