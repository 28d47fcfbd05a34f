"""The notebook widgets' fixes in plain Python.

Empty figures say so, facts not JSON, compact counts, ties side by side, export buttons,
labelled lineage nodes, and a wizard that shows the undo's own log rows.
"""

from __future__ import annotations

from datetime import datetime

import ipywidgets as w
import plotly.graph_objects as go
import polars as pl
import pytest

import llamaforensics
from llamaforensics.findings import KINDS
from llamaforensics.workbench.panels import counts_badges, facts_html, figure_or_note, ties_html


@pytest.fixture(scope="module")
def snapshot_wb(demo_snapshot):
    wb = llamaforensics.open(demo_snapshot)
    yield wb
    wb.close()


def test_an_empty_figure_is_a_note_saying_why(snapshot_wb):
    empty = figure_or_note(
        go.Figure(layout={"title": {"text": "rows per week"}}), "no log row matches"
    )
    assert isinstance(empty, w.HTML) and "lf-empty-figure" in empty._dom_classes
    assert empty.value == '<p class="lf-empty"><b>rows per week</b>: no log row matches</p>'
    dashboard = snapshot_wb.audit()
    state = snapshot_wb.audit_state
    state.start, state.end = datetime(2100, 1, 1), datetime(2100, 1, 2)  # no row in between
    figures = dashboard.children[3].children
    assert len(figures) == 10 and all(isinstance(f, w.HTML) for f in figures)
    assert all("no log row matches these filters" in f.value for f in figures)
    snapshot_wb.audit_state.start = snapshot_wb.audit_state.end = None
    assert all(isinstance(f, go.FigureWidget) for f in dashboard.children[3].children)


def test_finding_details_are_facts_not_json():
    text = facts_html(
        {
            "cause": "tracks_never_fetched",
            "claimed_tracks": 12,
            "sources": ["SPOTIFY", "DEEZER"],
            "title": "<b>x</b>",
        }
    )
    assert "{" not in text and "[" not in text
    assert "<li><b>cause</b>: tracks_never_fetched</li>" in text
    assert "<li><b>claimed tracks</b>: 12</li>" in text and "SPOTIFY, DEEZER" in text
    assert "&lt;b&gt;x&lt;/b&gt;" in text


def test_counts_are_one_wrapping_line_of_badges(snapshot_wb):
    html = counts_badges(snapshot_wb.findings.counts())
    assert html.startswith('<div class="lf-counts" style="display:flex;flex-wrap:wrap')
    assert "<b style='margin-right:6px'>1,076 findings</b>" in html
    assert html.count('class="lf-count"') == len(KINDS) and "<table" not in html


def test_candidates_with_the_same_score_are_shown_side_by_side(snapshot_wb):
    finder = snapshot_wb.album("electric engines - red quartet")
    ties = finder.children[2].value
    assert ties.count('class="lf-tie"') == 2 and "2 albums match equally well (score 1.00)" in ties
    assert "ELECTRIC ENGINES" in ties and "Electric Engines" in ties
    assert (
        ties_html(
            pl.DataFrame(
                {
                    "album_id": ["a", "b"],
                    "title": ["x", "y"],
                    "artist": [None, None],
                    "score": [1.0, 0.9],
                }
            )
        )
        == ""
    )


def test_findings_and_audit_export_buttons_write_and_say_so(snapshot_wb, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    browser = snapshot_wb.findings_browser().children[0]
    snapshot_wb.findings.kind = "trackless_album"
    buttons = browser.children[-1].children
    csv_button = next(b for b in buttons if "lf-export-csv" in b._dom_classes)
    parquet_button = next(b for b in buttons if "lf-export-parquet" in b._dom_classes)
    csv_button.click()
    parquet_button.click()
    written = sorted(tmp_path.glob("findings-*"))
    assert [p.suffix for p in written] == [".csv", ".parquet"]
    assert buttons[-1].value.startswith('<span class="lf-export-done">wrote findings-')
    csv, parquet = pl.read_csv(written[0]), pl.read_parquet(written[1])
    assert csv.height == parquet.height == 72 and set(csv["kind"]) == {"trackless_album"}
    audit = snapshot_wb.audit()
    export_row = audit.children[-1]
    export_row.children[0].click()
    exported = next(tmp_path.glob("audit-*"))
    assert len(list(exported.glob("*.parquet"))) == 10
    assert export_row.children[1].value.startswith(
        f'<span class="lf-export-done">wrote {exported.name} ('
    )


def test_lineage_nodes_carry_their_job_as_a_label(snapshot_wb):
    from llamaforensics.lineage.graph import album_lineage
    from llamaforensics.lineage.graph_figure import lineage_figure, node_label

    album = snapshot_wb.con.execute(
        "SELECT album_id::VARCHAR FROM llama_logs WHERE album_id IS NOT NULL "
        "AND job_id IS NOT NULL ORDER BY album_id LIMIT 1"
    ).fetchone()[0]
    fig = lineage_figure(album_lineage(snapshot_wb.con, album))
    jobs = [t for t in fig.data if t.mode == "markers+text"]
    assert jobs and all(len(t.text) == len(t.x) for t in jobs)
    assert node_label("spotify-sync-album-1789240485946-973630") == "spotify-sync-album-17…"
    assert node_label("<script>") == "&lt;script&gt;"


def test_after_undo_the_wizard_shows_the_undo_not_the_apply(demo_db, tmp_path):
    wb = llamaforensics.open(demo_db.conninfo, snapshot_path=tmp_path / "wb.duckdb")
    try:
        finding = next(
            f
            for f in wb.findings_of("trackless_album")
            if f.detail["cause"] == "tracks_never_fetched"
        )
        view = wb.repair([finding])
        wb.wizard.preview()
        wb.wizard.apply(confirmed=True)
        applied_rows = [r["id"] for r in wb.wizard.log_rows]
        progress = next(c for c in view.children if isinstance(c, w.IntProgress))
        assert progress.layout.display == "none"  # shown only while busy
        buttons = {b._dom_classes[0]: b for b in view.children[3].children}
        buttons["lf-undo"].click()
        assert wb.wizard.step == "undone" and progress.layout.display == "none"
        assert progress.description == "Undoing"
        undo_rows = [r["id"] for r in wb.wizard.log_rows]
        assert undo_rows and not set(undo_rows) & set(applied_rows)
        result = next(c for c in view.children if "lf-result" in c._dom_classes)
        assert result.value.startswith("<b>undone: 1 of 1 correction(s) reverted")
    finally:
        wb.close()
