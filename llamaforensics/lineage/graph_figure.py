"""A lineage graph drawn as a layered tree: time left to right, depth top down, colour by category.

Everything shown comes from the database under investigation, so every piece of
text is HTML-escaped before plotly sees it (its hover labels understand tags).
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any

import networkx as nx
import plotly.graph_objects as go

CATEGORY_COLOUR = {
    "CREATED": "#1f77b4",
    "ENRICHED": "#2ca02c",
    "CACHED": "#17becf",
    "CORRECTED": "#9467bd",
    "FAILED": "#d62728",
    "LINKED": "#8c564b",
    "USER_ACTION": "#ff7f0e",
    None: "#7f7f7f",
}
FAILED_OUTLINE = "#d62728"
MAX_HOVER_ROWS = 6
LABEL_CHARS = 22


def lineage_figure(graph: nx.DiGraph, title: str = "job lineage") -> go.Figure:
    """Return a plotly figure of the jobs: edges child -> parent, hover shows each job's rows.

    Failed jobs are red-outlined crosses, so they stand out in a tree of hundreds.
    """
    depth = layers(graph)
    pos = {job: (_x(graph, job), -depth[job]) for job in graph.nodes}
    fig = go.Figure(_edge_trace(graph, pos))
    by_category: dict = {}
    for job, data in graph.nodes(data=True):
        by_category.setdefault(data.get("category"), []).append(job)
    for category, jobs in sorted(by_category.items(), key=lambda item: str(item[0])):
        fig.add_trace(_job_trace(graph, pos, category, jobs))
    levels = sorted(set(depth.values()))
    fig.update_layout(
        title=html.escape(title),
        height=420,
        xaxis={"title": None},
        yaxis={
            "title": "depth below the root",
            "tickvals": [-d for d in levels],
            "ticktext": [str(d) for d in levels],
        },
        legend={"orientation": "h", "y": -0.15},
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
    )
    return fig


def layers(graph: nx.DiGraph) -> dict[str, int]:
    """Return each job's distance below the top of its chain, in one pass.

    A loop is cut where the walk meets it, so every job gets a finite depth.
    """
    depth: dict[str, int] = {}
    for job in graph.nodes:
        path, on_path, node = [], set(), job
        while node is not None and node not in depth and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = _parent(graph, node)
        level = depth[node] + 1 if node in depth else 0
        for member in reversed(path):
            depth[member] = level
            level += 1
    return depth


def _parent(graph: nx.DiGraph, job: str) -> str | None:
    """Return the parent most of the job's rows name (ties: the smaller id), or None for a top."""
    parents = [p for p in graph.successors(job) if p != job]
    return min(parents, key=lambda p: (-graph.edges[job, p].get("rows", 0), p), default=None)


def _x(graph: nx.DiGraph, job: str) -> datetime | None:
    """Return when the job started; a missing job is put just before its first child."""
    data = graph.nodes[job]
    if data.get("first_at") is not None:
        return data["first_at"]
    children = [graph.nodes[c].get("first_at") for c in graph.predecessors(job)]
    children = [c for c in children if c is not None]
    return min(children) - timedelta(seconds=1) if children else None


def _edge_trace(graph: nx.DiGraph, pos: dict) -> go.Scatter:
    xs, ys = [], []
    for child, parent in graph.edges:
        (x0, y0), (x1, y1) = pos[child], pos[parent]
        if x0 is not None and x1 is not None:
            xs += [x0, x1, None]
            ys += [y0, y1, None]
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        line={"color": "#bbb", "width": 1},
        hoverinfo="skip",
        showlegend=False,
    )


def _job_trace(graph: nx.DiGraph, pos: dict, category: str | None, jobs: list[str]) -> go.Scatter:
    nodes = [graph.nodes[j] for j in jobs]
    symbol = [
        "x" if n.get("failed") else ("circle-open" if n.get("missing") else "circle") for n in nodes
    ]
    outline = [FAILED_OUTLINE if n.get("failed") else "#222" for n in nodes]
    width = [3 if n.get("failed") or n.get("touches_album") else 1 for n in nodes]
    return go.Scatter(
        x=[pos[j][0] for j in jobs],
        y=[pos[j][1] for j in jobs],
        mode="markers+text",
        text=[node_label(j) for j in jobs],
        textposition="top center",
        textfont={"size": 9},
        name=html.escape(str(category or "missing job")),
        marker={
            "size": 12,
            "color": CATEGORY_COLOUR.get(category, "#7f7f7f"),
            "symbol": symbol,
            "line": {"width": width, "color": outline},
        },
        hovertext=[hover_text(j, n) for j, n in zip(jobs, nodes, strict=True)],
        hoverinfo="text",
        customdata=jobs,
    )


def node_label(job: str) -> str:
    """Return the label beside a job: its id, shortened (the hover shows it whole), escaped."""
    text = str(job)
    return _text(text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…")


def hover_text(job: str, data: dict[str, Any]) -> str:
    """Return the hover label of a job: its id and its first rows, escaped.

    Each row shows its time, operation, category, status and reason: enough to tell
    what the job did without leaving the figure.
    """
    lines = [
        f"<b>job {_text(job)}</b>"
        + (" (no row has this job: a missing parent)" if data.get("missing") else "")
    ]
    rows = data.get("rows", [])
    for row in rows[:MAX_HOVER_ROWS]:
        when = f"{row['created_at']:%Y-%m-%d %H:%M:%S}" if row.get("created_at") else "(no time)"
        line = " ".join(_text(row.get(k)) for k in ("operation", "category", "status"))
        problem = row.get("reason") or row.get("error_message")
        lines.append(f"{when} {line}" + (f": {_text(problem)}" if problem else ""))
    if len(rows) > MAX_HOVER_ROWS:
        lines.append(f"... and {len(rows) - MAX_HOVER_ROWS} more rows")
    return "<br>".join(lines)


def _text(value: object) -> str:
    return html.escape("" if value is None else str(value))
