"""findings from the command line: exports, causes, filters with a suggestion, --fail-on, --dsn."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest
from refreshed import refreshed_snapshot

from llamaforensics.cli import main

DEMO_TOTAL = 1076


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def refreshed(databases, demo_template, tmp_path_factory):
    dsn = databases.new("findings_cli", template=demo_template)
    return refreshed_snapshot(dsn, tmp_path_factory.mktemp("findings") / "refreshed.duckdb")


def test_csv_and_parquet_hold_the_same_rows(demo_snapshot, tmp_path, capsys):
    for fmt in ("csv", "parquet"):
        code, out, err = run_cli(
            capsys,
            "findings",
            "--snapshot",
            str(demo_snapshot),
            "--format",
            fmt,
            "-o",
            str(tmp_path / f"f.{fmt}"),
        )
        assert (code, err) == (0, "")
        assert out.startswith(f"wrote {tmp_path / f'f.{fmt}'} (") and out.endswith(" kB)\n")
    csv = pl.read_csv(tmp_path / "f.csv")
    parquet = pl.read_parquet(tmp_path / "f.parquet")
    assert csv.height == parquet.height == DEMO_TOTAL
    assert parquet.schema["evidence"] == pl.List(pl.String)
    as_text = parquet.with_columns(
        pl.col("evidence").map_elements(
            lambda v: json.dumps(v.to_list(), separators=(",", ":")), return_dtype=pl.String
        )
    )
    assert csv.sort("kind", "entity_id").equals(as_text.sort("kind", "entity_id"))


def test_parquet_needs_a_file_and_nothing_is_left_half_written(demo_snapshot, tmp_path, capsys):
    code, out, err = run_cli(
        capsys, "findings", "--snapshot", str(demo_snapshot), "--format", "parquet"
    )
    assert code == 2 and out == ""
    assert (
        err == "llamaforensics: error: --format parquet writes a binary file: "
        "give it one with -o FILE\n"
    )
    code, _, err = run_cli(
        capsys,
        "findings",
        "--snapshot",
        str(tmp_path / "none.duckdb"),
        "--format",
        "csv",
        "-o",
        str(tmp_path / "f.csv"),
    )
    assert code == 2 and list(tmp_path.iterdir()) == []


def test_by_cause_groups_every_finding_largest_first(demo_snapshot, capsys):
    code, out, _ = run_cli(
        capsys, "findings", "--snapshot", str(demo_snapshot), "--by-cause", "--json"
    )
    groups = json.loads(out)
    assert code == 0
    assert sum(g["findings"] for g in groups) == DEMO_TOTAL
    assert [g["findings"] for g in groups] == sorted((g["findings"] for g in groups), reverse=True)
    top = groups[0]
    assert (
        top["kind"],
        top["cause"],
        top["cause_value"],
        top["findings"],
        top["suggested_fix"],
    ) == ("null_root_job_id", "job", "spotify-sync-album-1789240485946-973630", 23, "backfill_root")
    assert len(top["entity_ids"]) == 23
    trackless = [g for g in groups if g["kind"] == "trackless_album"]
    assert all(len({g["suggested_fix"]}) == 1 for g in trackless)  # one fix per group
    code, out, _ = run_cli(
        capsys, "findings", "--snapshot", str(demo_snapshot), "--by-cause", "--limit", "2"
    )
    assert (
        out.splitlines()[0] == f"{len(groups):,} groups of findings with one origin, largest first"
    )
    assert f"... {len(groups) - 2:,} more rows" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["--kind", "trackles"],
            "unknown finding kind trackles (did you mean trackless_album?)",
            id="kind",
        ),
        pytest.param(
            ["--source", "spotifi"], "unknown source spotifi (did you mean SPOTIFY?)", id="source"
        ),
        pytest.param(
            ["--severity", "critcal"],
            "unknown severity critcal (did you mean critical?)",
            id="severity",
        ),
        pytest.param(
            ["--fail-on", "warnin"],
            "unknown severity or finding kind warnin (did you mean warning?)",
            id="fail-on",
        ),
    ],
)
def test_filters_are_checked_with_a_suggestion(demo_snapshot, capsys, argv, message):
    code, out, err = run_cli(capsys, "findings", "--snapshot", str(demo_snapshot), *argv)
    assert code == 2 and out == ""
    assert (
        err.startswith(f"llamaforensics: error: {message}; the known ones: ")
        and err.count("\n") == 1
    )


def test_filters_select_by_kind_any_case_severity_source_and_origin_time(demo_snapshot, capsys):
    def total(*argv):
        code, out, err = run_cli(
            capsys, "findings", "--snapshot", str(demo_snapshot), *argv, "--json"
        )
        assert code == 0, err
        return json.loads(out)

    assert {f["kind"] for f in total("--kind", "TRACKLESS_Album")} == {"trackless_album"}
    assert total("--severity", "critical")["by_severity"] == {
        "critical": 90,
        "warning": 0,
        "info": 0,
    }
    assert total("--severity", "medium")["by_severity"] == {
        "critical": 90,
        "warning": 287,
        "info": 0,
    }
    assert total("--source", "spotify")["total"] == 158
    assert (
        total("--source", "spotify", "--since", "2026-01-01", "--until", "2026-07-01")["total"]
        == 53
    )


def test_fail_on_exits_3_when_a_finding_matches_and_0_when_none_does(demo_snapshot, capsys):
    code, _, err = run_cli(capsys, "findings", "--snapshot", str(demo_snapshot), "--fail-on", "low")
    assert code == 3
    assert err.startswith(f"llamaforensics: {DEMO_TOTAL:,} findings matched --fail-on low (")
    code, _, err = run_cli(
        capsys,
        "findings",
        "--snapshot",
        str(demo_snapshot),
        "--kind",
        "duplicate_album",
        "--fail-on",
        "trackless_album",
    )
    assert (code, err) == (0, "")


def test_new_since_refresh_shows_only_what_the_refresh_brought(refreshed, capsys):
    path, _, broken = refreshed
    code, out, err = run_cli(
        capsys,
        "findings",
        "--snapshot",
        str(path),
        "--new-since-refresh",
        "--kind",
        "trackless_album",
        "--kind",
        "artistless_album",
        "--kind",
        "no_created_log",
        "--kind",
        "duplicate_album",
        "--json",
        "--fail-on",
        "critical",
    )
    assert code == 3
    assert sorted((f["kind"], f["entity_id"]) for f in json.loads(out)) == [
        ("artistless_album", broken),
        ("no_created_log", broken),
        ("trackless_album", broken),
    ]
    code, _, _ = run_cli(
        capsys,
        "findings",
        "--snapshot",
        str(path),
        "--new-since-refresh",
        "--fail-on",
        "duplicate_album",
    )
    assert code == 0


def test_dsn_reads_a_fresh_cached_snapshot_of_the_live_database(
    demo_db, tmp_path, capsys, monkeypatch
):
    import psycopg
    from refreshed import fix_one_break_one

    def log_rows():
        with psycopg.connect(demo_db.conninfo) as conn:
            return conn.execute("SELECT count(*), max(created_at) FROM llama_logs").fetchone()

    before = log_rows()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    code, out, err = run_cli(capsys, "findings", "--dsn", demo_db.conninfo, "--json")
    assert code == 0, err
    assert json.loads(out)["total"] == DEMO_TOTAL
    cached = list((tmp_path / "llamaforensics" / "live").glob("*.duckdb"))
    assert [p.name[: -len("-0123456789ab.duckdb")] for p in cached] == [
        f"postgres_127.0.0.1-5432-{demo_db.params['dbname']}"
    ]
    fix_one_break_one(demo_db)
    monkeypatch.setenv("DATABASE_URL", demo_db.conninfo)  # the default when no snapshot is named
    code, out, err = run_cli(capsys, "findings", "--json")
    assert code == 0, err
    assert json.loads(out)["total"] == DEMO_TOTAL + 2  # refreshed, not read from the stale cache
    assert list((tmp_path / "llamaforensics" / "live").glob("*.duckdb")) == cached
    assert log_rows() == before  # nothing was written to the live database


def test_piped_table_output_fits_120_columns_with_no_carriage_returns(demo_snapshot):
    for argv in (
        ["findings"],
        ["findings", "--kind", "null_root_job_id"],
        ["findings", "--by-cause"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "llamaforensics", *argv, "--snapshot", str(demo_snapshot)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert max(len(line) for line in done.stdout.splitlines()) <= 120
        assert "\r" not in done.stdout + done.stderr and "\x1b[" not in done.stdout


def test_the_live_cache_is_named_by_database_identity_never_the_password():
    from llamaforensics.postgres.dsn import parse_dsn
    from llamaforensics.snapshot.live import live_cache_path

    with_password = live_cache_path(parse_dsn("postgresql://me:s3cret-pw@db.example:5433/app"))
    assert with_password == live_cache_path(
        parse_dsn("host=db.example port=5433 user=me dbname=app")
    )
    assert with_password.name.startswith("me_db.example-5433-app-") and "s3cret" not in str(
        with_password
    )
    assert with_password != live_cache_path(parse_dsn("postgresql://me@db.example:5433/other"))


def test_every_read_command_takes_dsn(demo_db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    dsn = demo_db.conninfo
    code, out, err = run_cli(capsys, "info", "--dsn", dsn, "--json")
    assert code == 0, err
    assert json.loads(out)["manifest"]["source"] == demo_db.display
    for argv in (
        ["album", "silent rivers", "--json"],
        ["lineage", "--check", "--json"],
        ["audit", "--no-time", "--json"],
        ["report", "-o", str(tmp_path / "site"), "--albums", "1"],
    ):
        code, out, err = run_cli(capsys, *argv, "--dsn", dsn)
        assert code == 0, (argv, err)
    code, out, _ = run_cli(capsys, "info", "--dsn", dsn, "--json")
    assert [m["kind"] for m in json.loads(out)["history"]] == ["full"] + ["refresh"] * 5


def test_snapshot_and_dsn_together_are_refused(demo_snapshot, capsys):
    code, out, err = run_cli(
        capsys, "findings", "--snapshot", str(demo_snapshot), "--dsn", "postgresql://x@y/z"
    )
    assert (code, out) == (2, "")
    assert err == (
        "llamaforensics: error: give --snapshot FILE or --dsn DSN, not both: "
        "one is what the command reads\n"
    )


def test_json_in_a_file_is_what_stdout_shows(demo_snapshot, tmp_path, capsys):
    argv = ["findings", "--snapshot", str(demo_snapshot), "--kind", "trackless_album", "--json"]
    shown = json.loads(run_cli(capsys, *argv)[1])
    code, out, _ = run_cli(capsys, *argv, "-o", str(tmp_path / "f.json"))
    assert code == 0 and out.startswith(f"wrote {tmp_path / 'f.json'} (")
    assert json.loads((tmp_path / "f.json").read_text()) == shown
    assert shown[0]["detail"]["cause"]  # an object, not JSON text
