"""Issue 19's acceptance: the demo in PostgreSQL plus hostile rows, snapshotted, every command run.

The hostile rows (bench/hostile_rows.sql, shared with bench/deep_chain.py): a
100,000-deep job chain, an album and a log row at each end of PostgreSQL's
timestamp range, an artist named with terminal escape sequences, an album
titled ``三屍 (Sanshi)``. Each command runs as its own process (the console
script), its peak RSS read by GNU time.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from llamaforensics.snapshot.take import take_snapshot

HOSTILE_ROWS = Path(__file__).parent.parent / "bench" / "hostile_rows.sql"
DEPTH = 100_000
CLI = [sys.executable, "-m", "llamaforensics"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hostile_snapshot(databases, demo_template, tmp_path_factory):
    """The demo database with the hostile rows added, snapshotted once for the module."""
    dsn = databases.new("hostile", template=demo_template)
    with psycopg.connect(dsn.conninfo) as conn:
        conn.execute(HOSTILE_ROWS.read_text(encoding="utf-8").replace(":depth", str(DEPTH)))
    return take_snapshot(dsn, tmp_path_factory.mktemp("hostile") / "hostile.duckdb", progress=False)


def run(*argv: str, stdin=None) -> tuple[subprocess.CompletedProcess, float]:
    """Run the CLI; return its result (bytes) and its peak RSS in MB."""
    with tempfile.NamedTemporaryFile("r") as peak:
        result = subprocess.run(
            ["/usr/bin/time", "-q", "-f", "%M", "-o", peak.name, *CLI, *argv],
            capture_output=True,
            stdin=stdin,
        )
        return result, int(peak.read().split()[-1]) / 1024


def test_a_100000_deep_chain_is_shown_bounded_with_its_depth_stated(hostile_snapshot):
    result, peak_mb = run("lineage", "deep-0", "--snapshot", str(hostile_snapshot))
    assert result.returncode == 0, result.stderr
    assert peak_mb < 1500 and len(result.stdout) < 20 * 2**20
    first = result.stdout.decode().splitlines()[0]
    assert (
        first == f"job deep-0: {DEPTH:,} jobs, {DEPTH:,} outline entries, "
        f"deepest {DEPTH - 1:,} below the top"
    )
    assert f"deep-{DEPTH - 1}  [enrichment:album]" in result.stdout.decode()


def test_graphml_of_the_deep_chain_holds_every_job(hostile_snapshot, tmp_path):
    graphml = tmp_path / "chain.graphml"
    result, peak_mb = run(
        "lineage", "deep-0", "--snapshot", str(hostile_snapshot), "--graphml", str(graphml)
    )
    assert result.returncode == 0, result.stderr
    with graphml.open(encoding="utf-8") as lines:
        nodes = sum(line.startswith("<node ") for line in lines)
    assert nodes == DEPTH and peak_mb < 1500


@pytest.mark.parametrize(
    "album, shown",
    [
        pytest.param(
            "00000000-0000-4000-8000-0000000000a1", "294276-12-31 23:59:59.999", id="year-294276"
        ),
        pytest.param(
            "00000000-0000-4000-8000-0000000000a2", "4713-01-01 00:00:00 BC", id="year-4713-bc"
        ),
    ],
)
def test_album_shows_times_at_postgres_limits_and_no_raw_escape(hostile_snapshot, album, shown):
    result, _ = run("album", album, "--snapshot", str(hostile_snapshot))
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert f"created {shown}" in text and f"  {shown}  CREATED" in text
    assert b"\x1b" not in result.stdout and b"\x07" not in result.stdout
    if album.endswith("a1"):
        assert "Evil\\x1b[2J\\x1b[H\\x1b]0;pwned\\x07 Artist" in text


def test_album_json_has_no_raw_escape_either(hostile_snapshot):
    result, _ = run(
        "album",
        "00000000-0000-4000-8000-0000000000a1",
        "--snapshot",
        str(hostile_snapshot),
        "--json",
    )
    assert result.returncode == 0 and b"\x1b" not in result.stdout
    assert (
        b"Evil\\u001b[2J" in result.stdout
        and b'"created_at": "294276-12-31 23:59:59.999"' in result.stdout
    )


def test_a_cjk_title_is_found(hostile_snapshot):
    result, _ = run("album", "三屍", "--snapshot", str(hostile_snapshot))
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines()[0].startswith("'三屍 (Sanshi)'")


def test_audit_html_and_the_impossible_times_finding(hostile_snapshot, tmp_path):
    result, _ = run(
        "audit", "--snapshot", str(hostile_snapshot), "--html", str(tmp_path / "audit.html")
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "audit.html").stat().st_size > 0
    found, _ = run(
        "findings", "--kind", "impossible_log_time", "--json", "--snapshot", str(hostile_snapshot)
    )
    assert found.returncode == 0, found.stderr
    import json

    shown = {f["detail"]["shown_at"] for f in json.loads(found.stdout)}
    assert {"294276-12-31 23:59:59.999", "4713-01-01 00:00:00 BC"} <= shown


def test_findings_into_a_closed_pipe_and_on_a_truncated_snapshot(hostile_snapshot, tmp_path):
    piped = subprocess.run(
        f"{sys.executable} -m llamaforensics findings --snapshot {hostile_snapshot} | head -1",
        shell=True,
        capture_output=True,
    )
    assert (
        piped.returncode == 0
        and b"Traceback" not in piped.stderr
        and piped.stdout.count(b"\n") == 1
    )
    truncated = tmp_path / "truncated.duckdb"
    data = hostile_snapshot.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    for command in ("info", "findings"):
        result, _ = run(command, "--snapshot", str(truncated))
        assert result.returncode != 0 and b"Traceback" not in result.stderr
        assert result.stderr.decode().count("\n") == 1


def test_prov_and_timeline_exports_keep_times_python_cannot_hold(hostile_snapshot, tmp_path):
    from prov.model import ProvDocument

    prov, timeline = tmp_path / "a.prov.json", tmp_path / "a.csv"
    result, _ = run(
        "album",
        "00000000-0000-4000-8000-0000000000a1",
        "--snapshot",
        str(hostile_snapshot),
        "--prov",
        str(prov),
        "--timeline",
        str(timeline),
    )
    assert result.returncode == 0, result.stderr
    assert ProvDocument.deserialize(content=prov.read_text(), format="json").get_records()
    assert '"lf:started_as_postgres": "294276-12-31 23:59:59.999"' in prov.read_text()
    assert timeline.read_text().splitlines()[1].startswith("294276-12-31 23:59:59.999,CREATED,")


def test_the_notebook_dossier_shows_postgres_times_and_a_bounded_lineage(hostile_snapshot):
    from llamaforensics.workbench import Workbench
    from llamaforensics.workbench.panels import table

    wb = Workbench(hostile_snapshot)
    try:
        wb.album()
        wb.finder.album_id = "00000000-0000-4000-8000-0000000000a2"
        html = table(wb.finder.dossier.timeline)
        assert "4713-01-01 00:00:00 BC" in html and "0001-01-01" not in html
        wb.lineage("deep-0")
        assert wb.lineage_state.graph.number_of_nodes() == DEPTH
    finally:
        wb.close()
