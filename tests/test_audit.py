"""The category audit: distributions that add up, spikes, the backfill rule, figures, and the CLI."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pytest

from llamaforensics.audit.figures import audit_figures, write_html
from llamaforensics.audit.tables import (
    DIMENSIONS,
    AuditFilter,
    backfill_rules,
    cube,
    distribution,
    failure_rate,
)
from llamaforensics.errors import UsageError
from llamaforensics.findings import find_mislabelled_category


def total(con, where="true"):
    return con.execute(f"SELECT count(*) FROM llama_logs WHERE {where}").fetchone()[0]


@pytest.mark.parametrize("dim", [pytest.param(d, id=d) for d in DIMENSIONS if d != "source"])
def test_every_dimension_adds_up_to_every_row(con, dim):
    frame = distribution(con, (dim,), "month")
    assert frame["rows"].sum() == total(con)


def test_sources_count_each_source_a_row_names(con):
    frame = distribution(con, ("source",), None)
    named = con.execute(
        "SELECT count(*) FROM (SELECT unnest(sources) FROM llama_logs WHERE len(sources) > 0)"
    ).fetchone()[0]
    empty = total(con, "sources IS NULL OR len(sources) = 0")
    assert frame["rows"].sum() == named + empty


def test_filters_restrict_rows(con):
    where = AuditFilter(
        start=datetime(2026, 1, 1), categories=("FAILED",), sources=("MUSICBRAINZ",)
    )
    frame = distribution(con, ("category",), "week", where)
    assert set(frame["category"]) == {"FAILED"}
    assert frame["rows"].sum() == total(
        con,
        "created_at >= '2026-01-01' AND category = 'FAILED' AND list_contains(sources, 'MUSICBRAINZ')",
    )


def test_failure_spike_is_flagged(con):
    frame = failure_rate(con, "week")
    assert frame["failed"].sum() == total(con, "status = 'FAILED'")
    spikes = frame.filter(frame["spike"])
    assert all(r > frame["rate"].mean() for r in spikes["rate"])


def test_backfill_rule_counts_rows_and_its_mislabels(con):
    frame = backfill_rules(con)
    assert frame["rows"].sum() == total(con)
    planted = con.execute(
        "SELECT count(*) FROM _lf_ground_truth WHERE kind = 'mislabelled_category'"
    ).fetchone()[0]
    assert frame["probably_mislabelled"].sum() == planted > 0


def test_the_one_scan_cube_agrees_with_the_per_row_queries(con):
    c = cube(con, "month")
    by_source = distribution(con, ("source", "category"), None).sort("source", "category")
    assert (
        c["source_category"]
        .select("source", "category", "rows")
        .equals(by_source.select("source", "category", "rows"))
    )
    by_user = distribution(con, ("user", "category"), None).sort("user", "category")
    assert c["user_category"].select("user", "category", "rows").equals(by_user)
    rules = backfill_rules(con, combos=c["operation_status_category"])
    assert rules.equals(backfill_rules(con))
    flagged = find_mislabelled_category(con).height  # the finding, row by row
    assert rules["probably_mislabelled"].sum() == flagged > 0


@pytest.mark.parametrize(
    "bucket, dims",
    [
        pytest.param("fortnight", ("category",), id="bad-bucket"),
        pytest.param("week", ("colour",), id="bad-dimension"),
    ],
)
def test_bad_parameters_are_usage_errors(con, bucket, dims):
    with pytest.raises(UsageError):
        distribution(con, dims, bucket)


def test_figures_build_and_write(con, tmp_path):
    figures = audit_figures(con)
    assert {
        "categories_over_time",
        "operation_x_category",
        "failure_rate",
        "backfill_rule",
        "by_source",
    } <= set(figures)
    assert all(fig.data for fig in figures.values())
    page = write_html(figures, tmp_path / "audit.html").read_text()
    assert page.count("plotly.js v") <= 2 and "Plotly.newPlot" in page


def test_cli_audit(demo_snapshot, tmp_path):
    audit = [sys.executable, "-m", "llamaforensics", "audit", "--snapshot", str(demo_snapshot)]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*audit, *args], capture_output=True, text=True)

    result = run("--by", "status", "--no-time", "--json", "--html", str(tmp_path / "a.html"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.html").stat().st_size > 100_000
    assert run("--by", "colour").returncode == 2
