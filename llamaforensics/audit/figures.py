"""The category audit as plotly figures, one per question an analyst asks of llama_logs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import plotly.express as px
import plotly.graph_objects as go
import polars as pl

from .tables import AuditFilter, backfill_rules, distribution, failure_rate, legacy_share

TOP_OPERATIONS = 25


def categories_over_time(con, bucket: str = "week", where: AuditFilter = AuditFilter()) -> go.Figure:
    frame = distribution(con, ("category",), bucket, where)
    return px.area(frame, x="bucket", y="rows", color="category", title=f"log rows per {bucket}, by category")


def operation_heatmap(con, where: AuditFilter = AuditFilter()) -> go.Figure:
    frame = distribution(con, ("operation", "category"), None, where)
    top = frame.group_by("operation").agg(pl.col("rows").sum()).sort("rows", descending=True).head(TOP_OPERATIONS)["operation"]
    wide = (frame.filter(pl.col("operation").is_in(top.to_list()))
            .pivot(on="category", index="operation", values="rows").fill_null(0).sort("operation"))
    cats = [c for c in wide.columns if c != "operation"]
    fig = go.Figure(go.Heatmap(z=wide.select(cats).to_numpy(), x=cats, y=wide["operation"].to_list(), colorscale="Blues",
                               hovertemplate="%{y} / %{x}: %{z} rows<extra></extra>"))
    fig.update_layout(title=f"operation x category (top {TOP_OPERATIONS} operations)", height=600)
    return fig


def bars(con, dimension: str, where: AuditFilter = AuditFilter()) -> go.Figure:
    frame = distribution(con, (dimension, "category"), None, where)
    return px.bar(frame, x=dimension, y="rows", color="category", title=f"log rows by {dimension} and category")


def failures(con, bucket: str = "week", where: AuditFilter = AuditFilter()) -> go.Figure:
    frame = failure_rate(con, bucket, where)
    fig = px.line(frame, x="bucket", y="rate", title=f"failure rate per {bucket} (spikes marked)", markers=True)
    spikes = frame.filter(pl.col("spike"))
    fig.add_trace(go.Scatter(x=spikes["bucket"], y=spikes["rate"], mode="markers", name="spike",
                             marker={"color": "red", "size": 14, "symbol": "star"}))
    fig.update_yaxes(tickformat=".0%")
    return fig


def legacy(con, bucket: str = "month", where: AuditFilter = AuditFilter()) -> go.Figure:
    frame = legacy_share(con, bucket, where).unpivot(index="bucket", variable_name="root_job_id", value_name="rows")
    return px.bar(frame, x="bucket", y="rows", color="root_job_id", title="rows with and without root_job_id")


def backfill(con, where: AuditFilter = AuditFilter()) -> go.Figure:
    frame = backfill_rules(con, where).unpivot(index="rule", on=["labelled_by_rule", "probably_mislabelled"],
                                               variable_name="rows_that", value_name="n")
    return px.bar(frame, x="rule", y="n", color="rows_that", barmode="group",
                  title="the rename-day backfill rule, re-applied")


def audit_figures(con: duckdb.DuckDBPyConnection, bucket: str = "week", where: AuditFilter = AuditFilter()) -> dict[str, go.Figure]:
    """Return every audit figure, by name."""
    figures = {
        "categories_over_time": categories_over_time(con, bucket, where),
        "operation_x_category": operation_heatmap(con, where),
        "failure_rate": failures(con, bucket, where),
        "legacy_rows": legacy(con, "month", where),
        "backfill_rule": backfill(con, where),
    }
    for dim in ("status", "source", "triggered_by", "entity_type", "user"):
        figures[f"by_{dim}"] = bars(con, dim, where)
    return figures


def write_html(figures: dict[str, go.Figure], path: str | Path) -> Path:
    """Write every figure into one self-contained HTML page (plotly.js inlined once)."""
    path = Path(path)
    parts = [fig.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, fig in enumerate(figures.values())]
    path.write_text("<!doctype html><html><head><meta charset='utf-8'><title>llama_logs audit</title></head><body>"
                    + "\n".join(parts) + "</body></html>", encoding="utf-8")
    return path
