"""The category audit as plotly figures, one per question an analyst asks of llama_logs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import plotly.express as px
import plotly.graph_objects as go
import polars as pl

from .tables import EVERY_ROW, AuditFilter, backfill_rules, cube, with_spikes

TOP_OPERATIONS = 25


def categories_over_time(frame: pl.DataFrame, bucket: str) -> go.Figure:
    return px.area(
        frame, x="bucket", y="rows", color="category", title=f"log rows per {bucket}, by category"
    )


def operation_heatmap(frame: pl.DataFrame) -> go.Figure:
    top = (
        frame.group_by("operation")
        .agg(pl.col("rows").sum())
        .sort("rows", descending=True)
        .head(TOP_OPERATIONS)
    )
    wide = (
        frame.filter(pl.col("operation").is_in(top["operation"].to_list()))
        .pivot(on="category", index="operation", values="rows")
        .fill_null(0)
        .sort("operation")
    )
    cats = [c for c in wide.columns if c != "operation"]
    fig = go.Figure(
        go.Heatmap(
            z=wide.select(cats).to_numpy(),
            x=cats,
            y=wide["operation"].to_list(),
            colorscale="Blues",
            hovertemplate="%{y} / %{x}: %{z} rows<extra></extra>",
        )
    )
    fig.update_layout(title=f"operation x category (top {TOP_OPERATIONS} operations)", height=600)
    return fig


def bars(frame: pl.DataFrame, dimension: str) -> go.Figure:
    return px.bar(
        frame,
        x=dimension,
        y="rows",
        color="category",
        title=f"log rows by {dimension} and category",
    )


def failures(frame: pl.DataFrame, bucket: str) -> go.Figure:
    fig = px.line(
        frame,
        x="bucket",
        y="rate",
        title=f"failure rate per {bucket} (spikes marked)",
        markers=True,
    )
    spikes = frame.filter(pl.col("spike"))
    fig.add_trace(
        go.Scatter(
            x=spikes["bucket"],
            y=spikes["rate"],
            mode="markers",
            name="spike",
            marker={"color": "red", "size": 14, "symbol": "star"},
        )
    )
    fig.update_yaxes(tickformat=".0%")
    return fig


def legacy(frame: pl.DataFrame, bucket: str) -> go.Figure:
    long = frame.with_columns((pl.col("rows") - pl.col("without_root")).alias("with_root")).unpivot(
        index="bucket",
        on=["with_root", "without_root"],
        variable_name="root_job_id",
        value_name="n",
    )
    return px.bar(
        long,
        x="bucket",
        y="n",
        color="root_job_id",
        title=f"rows per {bucket} with and without root_job_id",
    )


def backfill(
    con: duckdb.DuckDBPyConnection,
    where: AuditFilter = EVERY_ROW,
    combos: pl.DataFrame | None = None,
) -> go.Figure:
    return backfill_chart(backfill_rules(con, where, combos))


def backfill_chart(rules: pl.DataFrame) -> go.Figure:
    frame = rules.unpivot(
        index="rule",
        on=["labelled_by_rule", "probably_mislabelled"],
        variable_name="rows_that",
        value_name="n",
    )
    return px.bar(
        frame,
        x="rule",
        y="n",
        color="rows_that",
        barmode="group",
        title="the rename-day backfill rule, re-applied",
    )


def figure_tables(
    con: duckdb.DuckDBPyConnection, bucket: str = "week", where: AuditFilter = EVERY_ROW
) -> dict[str, pl.DataFrame]:
    """Return the table behind every audit figure, by the figure's name (one scan of the log)."""
    c = cube(con, bucket, where)
    tables = {
        "categories_over_time": c["bucket_category"],
        "operation_x_category": c["operation_category"],
        "failure_rate": with_spikes(c["bucket"]),
        "legacy_rows": c["bucket"].select("bucket", "rows", "without_root"),
        "backfill_rule": backfill_rules(con, where, c["operation_status_category"]),
        "by_source": c["source_category"],
    }
    for dim in ("status", "triggered_by", "entity_type", "user"):
        tables[f"by_{dim}"] = c[f"{dim}_category"]
    return tables


def audit_figures(
    con: duckdb.DuckDBPyConnection, bucket: str = "week", where: AuditFilter = EVERY_ROW
) -> dict[str, go.Figure]:
    """Return every audit figure, by name (all from one scan of the log)."""
    t = figure_tables(con, bucket, where)
    figures = {
        "categories_over_time": categories_over_time(t["categories_over_time"], bucket),
        "operation_x_category": operation_heatmap(t["operation_x_category"]),
        "failure_rate": failures(t["failure_rate"], bucket),
        "legacy_rows": legacy(t["legacy_rows"], bucket),
        "backfill_rule": backfill_chart(t["backfill_rule"]),
        "by_source": bars(t["by_source"], "source"),
    }
    for dim in ("status", "triggered_by", "entity_type", "user"):
        figures[f"by_{dim}"] = bars(t[f"by_{dim}"], dim)
    return figures


def write_html(figures: dict[str, go.Figure], path: str | Path) -> Path:
    """Write every figure into one self-contained HTML page (plotly.js inlined once)."""
    path = Path(path)
    parts = [
        fig.to_html(full_html=False, include_plotlyjs=(i == 0))
        for i, fig in enumerate(figures.values())
    ]
    path.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<title>llama_logs audit</title></head><body>" + "\n".join(parts) + "</body></html>",
        encoding="utf-8",
    )
    return path
