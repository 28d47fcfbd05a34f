"""Proposals from findings: applied to the real database, the finding they answer is gone from a new snapshot."""

import json

import duckdb
import psycopg
import pytest

from llamaforensics.findings import run_findings, to_findings
from llamaforensics.repair import Correction, apply_corrections, prepare_corrections
from llamaforensics.repair.propose import propose, propose_all
from llamaforensics.snapshot.take import take_snapshot

FIXABLE = (
    "trackless_album",
    "missing_external_id",
    "track_count_mismatch",
    "artistless_album",
    "duplicate_album",
)


@pytest.fixture(scope="module")
def demo_findings(demo_snapshot):
    with duckdb.connect(str(demo_snapshot), read_only=True) as con:
        findings = to_findings(run_findings(con))
        yield findings, propose_all(con, findings)


def test_every_fixable_kind_gets_proposals_with_origin_and_confidence(demo_findings):
    findings, proposals = demo_findings
    for kind in FIXABLE:
        made = [p for p in proposals if p.finding.kind == kind and p.corrections]
        assert made, f"no proposal for any {kind}"
        for p in made:
            assert all(
                c.album_id == p.finding.entity_id
                and c.origin in ("logs", "finding")
                and c.reason
                and 0 < c.confidence <= 1
                for c in p.corrections
            )
            for c in p.corrections:
                Correction.from_dict(c.to_dict())  # a valid document: the schema accepts it
    unfixable = [p for p in proposals if p.finding.kind == "stuck_enrichment"]
    assert unfixable and all(not p.corrections and "requeue" in p.note for p in unfixable)


def test_trackless_proposal_reads_the_logged_preview(demo_findings, demo_snapshot):
    _, proposals = demo_findings
    p = next(p for p in proposals if p.finding.kind == "trackless_album" and p.corrections)
    add = p.corrections[-1]
    assert add.origin == "logs"
    log_id = add.reason.split("log row ")[1].split(" ")[0]
    with duckdb.connect(str(demo_snapshot), read_only=True) as con:
        preview = json.loads(
            con.execute(
                "SELECT preview_data::VARCHAR FROM llama_logs WHERE id = CAST(? AS UUID)", [log_id]
            ).fetchone()[0]
        )
    logged = [t["title"] for m in preview["rawData"]["media"] for t in m["tracks"]]
    assert [t["title"] for t in add.tracks] == logged
    assert add.confidence == preview["matchScore"]


def test_trackless_albums_without_a_logged_track_list_get_a_note(demo_findings):
    _, proposals = demo_findings
    bare = [p for p in proposals if p.finding.kind == "trackless_album" and not p.corrections]
    assert bare and all("by hand" in p.note for p in bare)


def test_applied_proposals_resolve_their_findings(demo_db, demo_findings, tmp_path):
    _, proposals = demo_findings
    chosen = []
    for kind in FIXABLE:
        chosen += [p for p in proposals if p.finding.kind == kind and p.corrections][:2]
    corrections = prepare_corrections(demo_db, [c for p in chosen for c in p.corrections])
    results = apply_corrections(demo_db, corrections, dry_run=False)
    assert {r.status for r in results} == {"APPLIED"}, [
        r.message for r in results if r.status != "APPLIED"
    ]

    after = take_snapshot(demo_db, tmp_path / "after.duckdb", progress=False)
    with duckdb.connect(str(after), read_only=True) as con:
        remaining = {(f.kind, f.entity_id) for f in to_findings(run_findings(con, list(FIXABLE)))}
    for p in chosen:
        assert (p.finding.kind, p.finding.entity_id) not in remaining, p.note
    with psycopg.connect(demo_db.conninfo) as conn:
        logged = conn.execute(
            "SELECT count(*) FROM llama_logs WHERE category = 'CORRECTED' "
            "AND root_job_id LIKE 'llamaforensics-repair-%'"
        ).fetchone()[0]
    assert logged >= len(chosen)


def test_a_proposal_for_an_id_another_album_holds_is_withheld(
    demo_findings, demo_snapshot, tmp_path
):
    _, proposals = demo_findings
    p = next(p for p in proposals if p.finding.kind == "missing_external_id" and p.corrections)
    mbid = p.corrections[0].fields["musicbrainz_id"]
    copy = tmp_path / "clash.duckdb"
    copy.write_bytes(demo_snapshot.read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "UPDATE albums SET musicbrainz_id = CAST(? AS UUID) WHERE id = "
            "(SELECT id FROM albums WHERE musicbrainz_id IS NOT NULL LIMIT 1)",
            [mbid],
        )
        again = propose(con, p.finding)
    assert not again.corrections and "another album" in again.note


def test_proposals_for_kinds_and_a_confidence_floor(demo_snapshot):
    from llamaforensics.repair.propose import proposals_for

    with duckdb.connect(str(demo_snapshot), read_only=True) as con:
        every = proposals_for(con, ["trackless_album", "track_count_mismatch"])
        sure = proposals_for(con, ["trackless_album", "track_count_mismatch"], min_confidence=0.9)
    assert {p.finding.kind for p in every} == {"trackless_album", "track_count_mismatch"}
    kept = [p for p in sure if p.corrections]
    dropped = [p for p in sure if "below 0.90" in p.note]
    assert kept and dropped and all(p.confidence >= 0.9 for p in kept)
    assert len(kept) + len(dropped) == sum(bool(p.corrections) for p in every)


def test_a_malformed_logged_track_list_is_read_as_far_as_it_goes(
    demo_findings, demo_snapshot, tmp_path
):
    _, proposals = demo_findings
    p = next(p for p in proposals if p.finding.kind == "trackless_album" and p.corrections)
    copy = tmp_path / "odd.duckdb"
    copy.write_bytes(demo_snapshot.read_bytes())
    odd = {
        "matchScore": "n/a",
        "rawData": {
            "media": [
                {
                    "position": "A",
                    "tracks": [
                        {"title": "Intro", "position": "x", "length": "long"},
                        {"position": 2},
                        "not a track",
                        {"title": "  ", "position": 3},
                        {
                            "title": "Robert'); DROP TABLE tracks;--",
                            "number": "4",
                            "length": 200000,
                        },
                    ],
                }
            ]
        },
    }
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "UPDATE llama_logs SET preview_data = ? WHERE album_id = CAST(? AS UUID) AND preview_data IS NOT NULL",
            [json.dumps(odd), p.finding.entity_id],
        )
        again = propose(con, p.finding)
        con.execute(
            'UPDATE llama_logs SET preview_data = \'{"rawData": {"media": [{"tracks": [{}]}]}}\' '
            "WHERE album_id = CAST(? AS UUID) AND preview_data IS NOT NULL",
            [p.finding.entity_id],
        )
        empty = propose(con, p.finding)
    add = again.corrections[-1]
    assert add.tracks == [
        {"id": add.tracks[0]["id"], "title": "Intro", "track_number": 1, "disc_number": 1},
        {
            "id": add.tracks[1]["id"],
            "title": "Robert'); DROP TABLE tracks;--",
            "track_number": 4,
            "disc_number": 1,
            "duration_ms": 200000,
        },
    ]
    assert add.confidence == 0.5
    assert not empty.corrections and "no usable track" in empty.note


@pytest.mark.parametrize(
    "max_rows, proposed",
    [pytest.param(None, False, id="default-cap-1000"), pytest.param(60_000, True, id="cap-raised")],
)
def test_a_logged_track_list_of_50000_tracks_is_capped_and_says_so(
    demo_findings, demo_snapshot, tmp_path, max_rows, proposed
):
    from llamaforensics.repair.propose import MAX_ROWS

    _, proposals = demo_findings
    p = next(p for p in proposals if p.finding.kind == "trackless_album" and p.corrections)
    copy = tmp_path / "huge.duckdb"
    copy.write_bytes(demo_snapshot.read_bytes())
    huge = {
        "matchScore": 0.9,
        "rawData": {
            "media": [
                {
                    "position": 1,
                    "tracks": [{"title": f"Track {n}", "position": n} for n in range(1, 50_001)],
                }
            ]
        },
    }
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "UPDATE llama_logs SET preview_data = ? WHERE album_id = CAST(? AS UUID) "
            "AND preview_data IS NOT NULL",
            [json.dumps(huge), p.finding.entity_id],
        )
        again = propose(con, p.finding, max_rows or MAX_ROWS)
    if proposed:
        assert len(again.corrections[-1].tracks) == 50_000
    else:
        assert not again.corrections
        cap = "would write 50,000 rows, more than the cap of 1,000 per correction (--max-rows)"
        assert cap in again.note


def test_the_cli_caps_proposals_and_refuses_a_bad_cap(demo_snapshot, tmp_path, capsys):
    from llamaforensics.cli import main

    target, snapshot = tmp_path / "fixes.json", tmp_path / "copy.duckdb"
    snapshot.write_bytes(demo_snapshot.read_bytes())  # the module's fixture holds the demo open
    command = ["repair", "propose", str(target), "--snapshot", str(snapshot)]
    assert main([*command, "--max-rows", "0"]) == 2
    assert "--max-rows wants a positive number" in capsys.readouterr().err and not target.exists()
    assert main([*command, "--kind", "trackless_album", "--max-rows", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert any("more than the cap of 1 per" in p["note"] for p in out["proposals"])
    from llamaforensics.repair.model import load_corrections
    from llamaforensics.repair.propose import rows_written

    assert all(rows_written(c) <= 1 for c in load_corrections(target.read_text()))
