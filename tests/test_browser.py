"""End to end in a real JupyterLab in headless Debian Chromium, against a fresh PostgreSQL seeded with the demo.

The repair test does what an admin does: run 03_repair_session, find a
trackless album in the findings browser, open the repair wizard, preview,
confirm, apply; then checks in PostgreSQL that the tracks and the logged
correction exist under one session root job, presses Undo and checks the
catalog is back and the undo logged. It records the time from opening the
wizard to the applied result and saves screenshots (to
``$LLAMAFORENSICS_SCREENSHOTS`` when set: the README's pictures come from there).
"""

import json
import os
import time
from pathlib import Path

import psycopg
import pytest
from jupyterlab import browser_page, errors_in, jupyterlab, open_and_run_all
from playwright.sync_api import TimeoutError as PlaywrightTimeout


@pytest.fixture
def shots(tmp_path) -> Path:
    out = Path(os.environ.get("LLAMAFORENSICS_SCREENSHOTS") or tmp_path / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture
def lab(demo_db, tmp_path):
    env = {"DATABASE_URL": demo_db.conninfo, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    with jupyterlab(tmp_path, env) as (base, token):
        yield base, token


def _fixable_trackless_album(dsn) -> tuple[str, str]:
    """A trackless album whose logged preview enrichment carries its track list (so a proposal exists)."""
    with psycopg.connect(dsn.conninfo) as conn:
        return conn.execute("""
            SELECT a.id::text, a.title FROM albums a
            WHERE a.musicbrainz_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tracks t WHERE t.album_id = a.id)
              AND EXISTS (SELECT 1 FROM llama_logs l WHERE l.album_id = a.id
                          AND jsonb_array_length(l.preview_data->'rawData'->'media'->0->'tracks') > 0)
            ORDER BY a.id LIMIT 1""").fetchone()


def _catalog_of(dsn, album_id: str) -> dict:
    with psycopg.connect(dsn.conninfo) as conn:
        return {
            "tracks": conn.execute(
                "SELECT title FROM tracks WHERE album_id = %s ORDER BY track_number", [album_id]
            ).fetchall(),
            "album": conn.execute(
                "SELECT track_count, musicbrainz_id::text FROM albums WHERE id = %s", [album_id]
            ).fetchone(),
            "logs": conn.execute("""SELECT category::text, operation, entity_type::text, job_id, parent_job_id,
                                           root_job_id, is_root_job, metadata::text FROM llama_logs
                                    WHERE root_job_id LIKE 'llamaforensics-repair-%%' ORDER BY created_at, id""").fetchall(),
        }


def test_repair_a_trackless_album_in_the_browser(lab, demo_db, shots, tmp_path):
    base, token = lab
    album_id, title = _fixable_trackless_album(demo_db)
    before = _catalog_of(demo_db, album_id)
    assert before["tracks"] == [] and before["logs"] == []

    with browser_page(failure_shot=shots / "failure.png") as page:
        open_and_run_all(page, base, token, "03_repair_session.ipynb")
        assert errors_in(page) == []
        browser = page.locator(".lf-findings-rows").first
        browser.wait_for()
        page.locator(".lf-findings-kind select").first.select_option("trackless_album")
        page.locator(".lf-findings-filter input").first.fill(album_id[:8])
        page.locator(".lf-findings-filter input").first.press("Enter")
        page.wait_for_function(
            "() => document.querySelector('.lf-findings-rows select').options.length === 1"
        )
        page.locator(".lf-findings-rows select").first.select_option(index=0)
        page.locator(".lf-finding-detail", has_text=album_id).first.wait_for()
        page.locator(".lf-findings-rows").first.scroll_into_view_if_needed()
        page.screenshot(path=shots / "findings_browser.png")

        started = time.monotonic()
        page.locator(".lf-repair-one").first.click()
        wizard = page.locator(".lf-repair-wizard").first
        wizard.locator(".lf-proposals", has_text="preview_data").wait_for()
        wizard.locator(".lf-preview").click()
        wizard.locator(".lf-preview-diff", has_text="add_tracks").wait_for()
        wizard.locator(".lf-apply").click()
        confirmation = wizard.locator(".lf-confirmation")
        confirmation.wait_for()
        assert f"PostgreSQL {demo_db.host_and_db}" in confirmation.inner_text()
        wizard.scroll_into_view_if_needed()
        page.screenshot(path=shots / "repair_confirm.png")
        wizard.locator(".lf-confirm").click()
        wizard.locator(".lf-result", has_text="1 applied").wait_for()
        time_to_repair = time.monotonic() - started
        wizard.locator(".lf-result").scroll_into_view_if_needed()
        page.screenshot(path=shots / "repair_applied.png")

        after = _catalog_of(demo_db, album_id)
        assert len(after["tracks"]) > 0
        categories = sorted({row[0] for row in after["logs"]})
        assert categories == ["CORRECTED", "CREATED"]
        roots = {row[5] for row in after["logs"]}
        assert len(roots) == 1, roots
        assert [row[3] for row in after["logs"] if row[6]] == list(
            roots
        )  # the one root row is the session's job
        assert after["album"][0] == len(after["tracks"])

        wizard.locator(".lf-undo").click()
        wizard.locator(".lf-message", has_text="undone").wait_for()
        page.screenshot(path=shots / "repair_undone.png")

    undone = _catalog_of(demo_db, album_id)
    assert undone["tracks"] == [] and undone["album"] == before["album"]
    assert len(undone["logs"]) > len(after["logs"])
    assert any("revert" in (row[7] or "") for row in undone["logs"][len(after["logs"]) :])
    (shots / "time_to_repair.json").write_text(json.dumps({"seconds": round(time_to_repair, 1)}))
    print(f"time from opening the wizard to the applied result: {time_to_repair:.1f} s")
    assert time_to_repair < 60


def test_category_audit_figures_render_in_the_browser(lab, shots):
    base, token = lab
    with browser_page(failure_shot=shots / "failure.png") as page:
        open_and_run_all(page, base, token, "02_category_audit.ipynb")
        assert errors_in(page) == []
        plots = page.locator(".js-plotly-plot")
        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4"
        )
        assert plots.count() >= 4
        # the dashboard's interactive figures get their data a moment after their frames appear
        every_plot_has_data = (
            "() => [...document.querySelectorAll('.js-plotly-plot')]"
            ".every(p => (p.data || []).length > 0)"
        )
        try:
            page.wait_for_function(every_plot_has_data, timeout=60_000)
        except PlaywrightTimeout:  # the assertion below says which plot stayed empty
            pass
        traces = page.evaluate(
            "() => [...document.querySelectorAll('.js-plotly-plot')].map(p => (p.data || []).length)"
        )
        assert sum(traces) > 0 and min(traces) > 0
        dashboard = page.locator(".lf-audit-figures .js-plotly-plot")
        dashboard.first.wait_for()
        assert dashboard.count() >= 4
        dashboard.first.scroll_into_view_if_needed()
        page.screenshot(path=shots / "category_audit.png")


def test_album_finder_and_lineage_explorer_in_the_browser(lab, shots):
    base, token = lab
    with browser_page(failure_shot=shots / "failure.png") as page:
        open_and_run_all(page, base, token, "01_album_investigation.ipynb")
        assert errors_in(page) == []
        page.locator(".lf-album-candidates select").first.select_option(index=1)
        dossier = page.locator(".lf-dossier").first
        dossier.locator(".lm-TabBar-tab", has_text="Story").click()
        dossier.locator("p", has_text="Created").first.wait_for()
        dossier.locator(".lm-TabBar-tab", has_text="Timeline").click()
        dossier.locator(".js-plotly-plot").first.wait_for()
        dossier.scroll_into_view_if_needed()
        page.screenshot(path=shots / "album_dossier.png")

        open_and_run_all(page, base, token, "04_job_lineage.ipynb")
        assert errors_in(page) == []
        explorer = page.locator(".lf-lineage-query").first
        explorer.scroll_into_view_if_needed()
        page.locator(
            ".lf-lineage-query ~ * .js-plotly-plot, .lf-lineage-query + * + * .js-plotly-plot"
        ).first.wait_for()
        page.screenshot(path=shots / "lineage_explorer.png")
