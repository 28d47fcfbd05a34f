"""audit from the command line: checked filters, tables that fit a terminal, every figure's table."""

from __future__ import annotations

import subprocess
import sys

import polars as pl

from llamaforensics.cli import main

DEMO_LOG_ROWS = 26294
FIGURES = [
    "backfill_rule",
    "by_entity_type",
    "by_source",
    "by_status",
    "by_triggered_by",
    "by_user",
    "categories_over_time",
    "failure_rate",
    "legacy_rows",
    "operation_x_category",
]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_an_unknown_category_fails_and_suggests_the_one_meant(demo_snapshot, capsys):
    code, out, err = run_cli(
        capsys, "audit", "--snapshot", str(demo_snapshot), "--category", "FAILD"
    )
    assert (code, out) == (2, "")
    assert err == (
        "llamaforensics: error: unknown category FAILD (did you mean FAILED?); the known ones: "
        "CACHED, CORRECTED, CREATED, ENRICHED, FAILED, LINKED, USER_ACTION\n"
    )
    code, _, err = run_cli(
        capsys, "audit", "--snapshot", str(demo_snapshot), "--operation", "enrichment:albun"
    )
    assert code == 2 and "(did you mean enrichment:album?)" in err


def test_filter_values_match_ignoring_case(demo_snapshot, capsys):
    code, out, err = run_cli(
        capsys,
        "audit",
        "--snapshot",
        str(demo_snapshot),
        "--category",
        "failed",
        "--no-time",
        "--json",
    )
    assert code == 0, err
    assert __import__("json").loads(out)["distribution"] == [{"category": "FAILED", "rows": 122}]


def test_piped_audit_is_tables_not_dataframe_reprs_within_120_columns(demo_snapshot):
    for argv in ([], ["--by", "operation", "--by", "status", "--limit", "500"]):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "llamaforensics",
                "audit",
                "--snapshot",
                str(demo_snapshot),
                *argv,
            ],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert (
            "shape: (" not in done.stdout and "┆" not in done.stdout and "\x1b[" not in done.stdout
        )
        assert max(len(line) for line in done.stdout.splitlines()) <= 120
        assert "\r" not in done.stdout + done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("distribution (") and first.endswith(" rows)")


def test_export_writes_the_table_behind_every_figure(demo_snapshot, tmp_path, capsys):
    code, out, err = run_cli(
        capsys,
        "audit",
        "--snapshot",
        str(demo_snapshot),
        "--export",
        str(tmp_path / "t"),
        "--limit",
        "1",
    )
    assert code == 0, err
    assert out.splitlines()[-1].startswith(f"wrote {tmp_path / 't'} (")
    assert sorted(p.stem for p in (tmp_path / "t").iterdir()) == FIGURES
    per_week = pl.read_parquet(tmp_path / "t" / "categories_over_time.parquet")
    assert (
        per_week.columns[:3] == ["bucket", "category", "rows"]
        and per_week["rows"].sum() == DEMO_LOG_ROWS
    )
    assert pl.read_parquet(tmp_path / "t" / "legacy_rows.parquet")["rows"].sum() == DEMO_LOG_ROWS
    code, _, err = run_cli(
        capsys, "audit", "--snapshot", str(demo_snapshot), "--export", str(tmp_path / "t")
    )
    assert code == 2 and "is not an empty directory" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t"]  # no scratch directory left


def test_csv_and_parquet_of_one_table_hold_the_same_rows(demo_snapshot, tmp_path, capsys):
    for fmt in ("csv", "parquet"):
        code, out, err = run_cli(
            capsys,
            "audit",
            "--snapshot",
            str(demo_snapshot),
            "--table",
            "failure_rate",
            "--format",
            fmt,
            "-o",
            str(tmp_path / f"a.{fmt}"),
        )
        assert code == 0, err
        assert out.startswith(f"wrote {tmp_path / f'a.{fmt}'} (")
    csv = pl.read_csv(tmp_path / "a.csv", try_parse_dates=True)
    parquet = pl.read_parquet(tmp_path / "a.parquet")
    assert csv.columns == parquet.columns == ["bucket", "rows", "failed", "rate", "spike"]
    assert csv["rows"].sum() == parquet["rows"].sum() == DEMO_LOG_ROWS
    assert csv.select("rows", "failed", "spike").equals(parquet.select("rows", "failed", "spike"))


def test_json_in_a_file_is_what_stdout_shows(demo_snapshot, tmp_path, capsys):
    import json

    argv = ["audit", "--snapshot", str(demo_snapshot), "--json"]
    shown = json.loads(run_cli(capsys, *argv)[1])
    code, out, _ = run_cli(capsys, *argv, "-o", str(tmp_path / "a.json"))
    assert code == 0 and out.startswith(f"wrote {tmp_path / 'a.json'} (")
    assert json.loads((tmp_path / "a.json").read_text()) == shown
    assert sorted(shown) == ["backfill_rule", "distribution", "failure_rate"]
