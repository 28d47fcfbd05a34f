"""A lineage graph drawn as a layered tree: time left to right, depth top to bottom, colour by category."""

from __future__ import annotations

import html
from datetime import timedelta

import networkx as nx
import plotly.graph_objects as go

CATEGORY_COLOUR = {"CREATED": "#1f77b4", "ENRICHED": "#2ca02c", "CACHED": "#17becf", "CORRECTED": "#9467bd",
                   "FAILED": "#d62728", "LINKED": "#8c564b", "USER_ACTION": "#ff7f0e", None: "#7f7f7f"}
MAX_HOVER_ROWS = 6


def layers(graph: nx.DiGraph) -> dict[str, int]:
    """Return each job's distance below the top of its chain (loops and breaks end the walk)."""
    depth = {}
    for job in graph.nodes:
        steps, seen, node = 0, {job}, job
        while True:
            parents = [p for p in graph.successors(node) if p not in seen]
            if not parents:
                break
            node = parents[0]
            seen.add(node)
            steps += 1
        depth[job] = steps
    return depth


def _hover(job: str, data: dict) -> str:
    head = f"<b>job {html.escape(job)}</b>" + (" (no row has this job: a missing parent)" if data.get("missing") else "")
    lines = [head]
    for row in data.get("rows", [])[:MAX_HOVER_ROWS]:
        lines.append(f"{row['created_at']:%Y-%m-%d %H:%M:%S} {html.escape(row['operation'])} "
                     f"{row['category']} {row['status']}" + (f": {html.escape(row['reason'])}" if row.get("reason") else ""))
    extra = len(data.get("rows", [])) - MAX_HOVER_ROWS
    if extra > 0:
        lines.append(f"... and {extra} more rows")
    return "<br>".join(lines)


def _x(graph: nx.DiGraph, job: str):
    data = graph.nodes[job]
    if data.get("first_at") is not None:
        return data["first_at"]
    children = [graph.nodes[c].get("first_at") for c in graph.predecessors(job)]
    children = [c for c in children if c is not None]
    return min(children) - timedelta(seconds=1) if children else None


def lineage_figure(graph: nx.DiGraph, title: str = "job lineage") -> go.Figure:
    """Return a plotly figure of the jobs: edges child -> parent, failed jobs as red crosses, hover shows rows."""
    depth = layers(graph)
    pos = {job: (_x(graph, job), -depth[job]) for job in graph.nodes}
    edge_x, edge_y = [], []
    for child, parent in graph.edges:
        (x0, y0), (x1, y1) = pos[child], pos[parent]
        if x0 is not None and x1 is not None:
            edge_x += [x0, x1, None]
            edge_y += [y0, y1, None]
    fig = go.Figure(go.Scatter(x=edge_x, y=edge_y, mode="lines", line={"color": "#bbb", "width": 1},
                               hoverinfo="skip", showlegend=False))
    by_category: dict = {}
    for job, data in graph.nodes(data=True):
        by_category.setdefault(data.get("category"), []).append(job)
    for category, jobs in by_category.items():
        fig.add_trace(go.Scatter(
            x=[pos[j][0] for j in jobs], y=[pos[j][1] for j in jobs], mode="markers", name=str(category or "missing job"),
            marker={"size": 12, "color": CATEGORY_COLOUR.get(category, "#7f7f7f"),
                    "symbol": ["x" if graph.nodes[j].get("failed") else ("circle-open" if graph.nodes[j].get("missing") else "circle")
                               for j in jobs],
                    "line": {"width": [3 if graph.nodes[j].get("touches_album") else 1 for j in jobs], "color": "#222"}},
            hovertext=[_hover(j, graph.nodes[j]) for j in jobs], hoverinfo="text"))
    fig.update_layout(title=html.escape(title), height=420, xaxis={"title": None},
                      yaxis={"title": "depth below the root", "tickvals": sorted({-d for d in depth.values()}),
                             "ticktext": [str(d) for d in sorted({d for d in depth.values()}, reverse=True)]},
                      legend={"orientation": "h", "y": -0.15}, margin={"l": 60, "r": 20, "t": 50, "b": 40})
    return fig
