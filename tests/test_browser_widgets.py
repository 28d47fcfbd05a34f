"""The notebook widgets' fixes, seen in a real JupyterLab in headless Chromium.

One notebook (written here) opens the workbench on a fresh demo database and
shows the findings browser, the audit dashboard filtered to nothing, the
album finder on a tied search, the lineage explorer and a repair wizard that
has applied a correction. The browser then checks what an admin sees, and
clicks the export buttons and Undo.
"""

from __future__ import annotations

import nbformat
import pytest
from jupyterlab import browser_page, errors_in, jupyterlab, open_and_run_all

CELLS = [
    "import llamaforensics\nfrom datetime import datetime\nwb = llamaforensics.open()",
    "wb.findings_browser()",
    "dashboard = wb.audit()\nwb.audit_state.start = datetime(2100, 1, 1)\n"
    "wb.audit_state.end = datetime(2100, 1, 2)\ndashboard",
    'wb.album("electric engines - red quartet")',
    'wb.lineage("electric engines - red quartet")',
    "fixable = next(f for f in wb.findings_of('trackless_album')\n"
    "               if f.detail['cause'] == 'tracks_never_fetched')\n"
    "wizard = wb.repair([fixable])\nwb.wizard.preview()\nwb.wizard.apply(confirmed=True)\nwizard",
]


@pytest.fixture
def lab(databases, demo_template, tmp_path):
    dsn = databases.new("widgets", template=demo_template)
    env = {"DATABASE_URL": dsn.conninfo, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    with jupyterlab(tmp_path, env) as (base, token):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
        nbformat.write(notebook, tmp_path / "notebooks" / "widgets.ipynb")
        yield base, token, tmp_path / "notebooks"


def test_widget_fixes_in_the_browser(lab, tmp_path):
    base, token, folder = lab
    with browser_page(failure_shot=tmp_path / "failure.png") as page:
        open_and_run_all(page, base, token, "widgets.ipynb")
        assert errors_in(page) == []

        counts = page.locator(".lf-counts").first
        assert counts.locator(".lf-count").count() == 17  # every kind has findings in the demo
        assert (
            counts.bounding_box()["height"] < 120
        )  # a few lines, not a table that pushes the list away
        page.locator(".lf-findings-rows select").first.select_option(index=0)
        facts = page.locator(".lf-finding-detail .lf-facts").first
        facts.wait_for()
        detail = page.locator(".lf-finding-detail").first.inner_text()
        assert "{" not in detail and '"' not in detail

        page.locator(".lf-export-csv").first.click()
        page.locator(".lf-export-done", has_text="wrote findings-").first.wait_for()
        assert len(list(folder.glob("findings-*.csv"))) == 1
        page.locator(".lf-export-audit").first.click()
        page.locator(".lf-export-done", has_text="wrote audit-").first.wait_for()
        assert len(list(next(folder.glob("audit-*")).glob("*.parquet"))) == 10

        empty = page.locator(".lf-empty-figure")
        assert empty.count() == 10
        assert "no log row matches these filters" in empty.first.inner_text()

        ties = page.locator(".lf-ties .lf-tie")
        assert ties.count() == 2
        first, second = (ties.nth(i).bounding_box() for i in range(2))
        assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"]  # side by side

        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot .textpoint').length > 0"
        )
        labels = page.evaluate(
            "() => [...document.querySelectorAll('.js-plotly-plot .textpoint')]"
            ".map(t => t.textContent)"
        )
        assert any(label.strip() for label in labels)

        result = page.locator(".lf-result").first
        applied = result.inner_text()
        assert "applied" in applied
        page.locator(".lf-undo").first.click()
        page.locator(".lf-result", has_text="undone:").first.wait_for()
        undone = result.inner_text()
        assert undone.startswith("undone: 1 of 1 correction(s) reverted")
        assert (
            undone.splitlines()[1:] != applied.splitlines()[1:]
        )  # the undo's log rows, not the apply's
        assert not page.locator(".widget-inline-hbox", has_text="Applying").first.is_visible()
        assert not page.get_by_text("Undoing").first.is_visible()
        page.screenshot(path=tmp_path / "widgets.png", full_page=True)
