"""The command line from findings to a logged repair: propose, plan, apply; then export the fixes as a manifest."""

import json

import psycopg

from llamaforensics.cli import main
from llamaforensics.snapshot.take import take_snapshot


def test_propose_plan_apply_then_export(demo_db, demo_snapshot, tmp_path, capsys):
    fixes, planned = tmp_path / "fixes.json", tmp_path / "planned.json"
    assert (
        main(
            [
                "repair",
                "propose",
                str(fixes),
                "--snapshot",
                str(demo_snapshot),
                "--kind",
                "track_count_mismatch",
                "--kind",
                "missing_external_id",
                "--json",
            ]
        )
        == 0
    )
    proposed = json.loads(capsys.readouterr().out)
    assert proposed["corrections"] > 0 and {p["kind"] for p in proposed["proposals"]} == {
        "track_count_mismatch",
        "missing_external_id",
    }
    assert len(json.loads(fixes.read_text())["corrections"]) == proposed["corrections"]

    assert main(["repair", "plan", str(fixes), "--dsn", demo_db.conninfo, "-o", str(planned)]) == 0
    assert all(c["expected"] for c in json.loads(planned.read_text())["corrections"])
    assert (
        main(["repair", "apply", str(planned), "--dsn", demo_db.conninfo, "--apply", "--json"]) == 0
    )
    applied = json.loads(capsys.readouterr().out)
    assert {r["status"] for r in applied} == {"APPLIED"} and len(applied) == proposed["corrections"]
    with psycopg.connect(demo_db.conninfo) as conn:
        corrected = conn.execute(
            "SELECT count(DISTINCT album_id) FROM llama_logs WHERE category = 'CORRECTED' "
            "AND operation = 'admin_correction' AND album_id IS NOT NULL "
            "AND root_job_id LIKE 'llamaforensics-repair-%'"
        ).fetchone()[0]
    assert corrected == len({c["album_id"] for c in json.loads(planned.read_text())["corrections"]})

    fixed = take_snapshot(demo_db, tmp_path / "fixed.duckdb", progress=False)
    out = tmp_path / "export"
    code = main(["repair", "export", str(fixed), str(demo_snapshot), "-o", str(out), "--json"])
    exported = json.loads(capsys.readouterr().out)
    assert code == (1 if exported["notCarried"] else 0)
    manifest = json.loads((out / "manifest.json").read_text())
    assert exported["albums"] == len(manifest["albums"]) == corrected
    assert len(json.loads((out / "summary.json").read_text())) == corrected


def test_propose_without_fixable_findings_writes_an_empty_file(demo_snapshot, tmp_path, capsys):
    fixes = tmp_path / "none.json"
    assert (
        main(
            [
                "repair",
                "propose",
                str(fixes),
                "--snapshot",
                str(demo_snapshot),
                "--kind",
                "trackless_album",
                "--min-confidence",
                "0.99",
            ]
        )
        == 0
    )
    assert json.loads(fixes.read_text())["corrections"] == []
    assert "below 0.99" in capsys.readouterr().out
