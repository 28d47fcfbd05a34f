"""The health report: a static site of a refreshed snapshot, opened from file:// in Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from jupyterlab import browser_page
from refreshed import refreshed_snapshot

from llamaforensics.errors import UsageError
from llamaforensics.findings import KINDS
from llamaforensics.report import write_report
from llamaforensics.snapshot import open_snapshot


@pytest.fixture(scope="module")
def refreshed(databases, demo_template, tmp_path_factory):
    """A snapshot of a fresh demo database, refreshed after one album was fixed and one broken."""
    dsn = databases.new("report", template=demo_template)
    return refreshed_snapshot(dsn, tmp_path_factory.mktemp("report") / "refreshed.duckdb")


@pytest.fixture(scope="module")
def site(refreshed, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "health"
    con = open_snapshot(refreshed[0])
    try:
        write_report(con, out, album_pages=12)
    finally:
        con.close()
    return out


def _text(path: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_report_writes_an_index_and_a_page_per_kind_album_audit_and_trend(site):
    names = sorted(p.name for p in site.glob("*.html"))
    assert {"index.html", "trend.html", "audit.html", "causes.html"} <= set(names)
    assert {f"kind-{k}.html" for k in KINDS} <= set(names)
    assert len([n for n in names if n.startswith("album-")]) == 12
    index = _text(site / "index.html")
    assert all(kind in index for kind in KINDS)
    assert "Trend" in index and "Largest root causes" in index


def test_report_is_offline_plotly_shipped_beside_the_pages(site):
    assert (site / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    for page in site.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        sources = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
        assert [s for s in sources if "://" in s or s.startswith("//")] == [], page.name
        assert "cdn.plot.ly" not in html


def test_trend_counts_the_fixed_and_the_new_album_since_the_refresh_before(site, refreshed):
    _, fixed, broken = refreshed
    index = _text(site / "index.html")
    assert "Since the refresh before (refresh 1 of" in index
    assert (
        ": 3 new, 1 fixed." in index
    )  # the new album: trackless, artistless, no CREATED row; one album fixed
    row = re.search(
        r"kind-trackless_album.html\">trackless_album</a></td>\s*"
        r"<td class=\"n\">([\d,]+)</td>\s*<td class=\"n\">(\d+)</td>\s*<td class=\"n\">(\d+)</td>",
        (site / "index.html").read_text(encoding="utf-8"),
    )
    assert row.groups() == ("72", "1", "1")
    trend = _text(site / "trend.html")
    assert re.search(
        r"\b1 [\d-]+ [\d:.]+ trackless_album 72 - - 2 [\d-]+ [\d:.]+ trackless_album 72 1 1\b",
        trend,
    )


def test_kind_page_explains_the_kind_and_lists_every_offender_with_its_cause(site, refreshed):
    _, fixed, broken = refreshed
    page = _text(site / "kind-trackless_album.html")
    assert "What it means live albums with zero live tracks" in page
    assert "Why it matters a trackless album is broken for every user who opens it" in page
    assert "72 offenders" in page
    assert broken in page and fixed not in page
    assert "sync batch spotify-new-releases-" in page


def test_hostile_titles_are_escaped(site, refreshed):
    _, _, broken = refreshed
    html = (site / f"album-{broken}.html").read_text(encoding="utf-8")
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; Arrived &#34;After&#34; the Snapshot" in html


def test_every_page_loads_in_chromium_without_console_errors_and_every_link_resolves(site):
    problems, pages = [], sorted(site.glob("*.html"))
    with browser_page() as page:
        page.on(
            "console",
            lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        for path in pages:
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            plots = page.locator(".js-plotly-plot").count()
            drawn = page.locator(".js-plotly-plot .main-svg").count()
            assert drawn >= plots, path.name  # every figure drew with the local plotly.js
            for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
                target = Path(unquote(urlparse(href).path))
                if not target.is_file():
                    problems.append(f"{path.name} links to {href}, which is not there")
        # the last page (trend) drew its figure
        assert page.locator(".js-plotly-plot .main-svg").count() > 0
        shots = os.environ.get(
            "LLAMAFORENSICS_SCREENSHOTS"
        )  # the README's pictures come from there
        for name in ("index", "kind-trackless_album") if shots else ():
            page.goto((site / f"{name}.html").as_uri())
            page.wait_for_load_state("load")
            page.screenshot(path=Path(shots) / f"report_{name.split('-')[0]}.png")
    assert problems == []
    assert len(pages) == 4 + len(KINDS) + 12


def test_report_refuses_a_directory_that_is_not_an_earlier_report(refreshed, tmp_path):
    keep = tmp_path / "notes"
    keep.mkdir()
    (keep / "mine.txt").write_text("do not lose me")
    con = open_snapshot(refreshed[0])
    try:
        with pytest.raises(UsageError, match="is not an earlier report"):
            write_report(con, keep)
    finally:
        con.close()
    assert [p.name for p in keep.iterdir()] == ["mine.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["notes"]  # no scratch directory left behind


def test_report_command_says_what_it_wrote(refreshed, tmp_path):
    out = tmp_path / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "llamaforensics.cli",
            "report",
            "--snapshot",
            str(refreshed[0]),
            "-o",
            str(out),
            "--albums",
            "3",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert re.fullmatch(rf"wrote {out}/index.html and 23 more pages \(\d+\.\d MB\)\n", done.stdout)
    assert done.stderr == ""
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "llamaforensics.cli",
            "report",
            "--snapshot",
            str(refreshed[0]),
            "-o",
            str(out),
            "--albums",
            "1",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "and 21 more pages" in again.stdout
    assert (
        len(list(out.glob("album-*.html"))) == 1
    )  # replaced whole, not merged with the earlier site


def test_a_clean_catalog_gets_a_report_that_says_so(tmp_path):
    from llamaforensics.demo import generate, write_snapshot

    path = write_snapshot(generate(scale=0.2, seed=3, anomalies=False), tmp_path / "clean.duckdb")
    con = open_snapshot(path)
    try:
        result = write_report(con, tmp_path / "site")
    finally:
        con.close()
    assert len(result.pages) == 4 + len(KINDS)  # no album pages: no album has a finding
    index = _text(tmp_path / "site" / "index.html")
    assert index.startswith(" health - llamaforensics health report")
    assert "Catalog health 0 findings: 0 critical , 0 warning , 0 info ." in index
    kind_page = _text(tmp_path / "site" / "kind-trackless_album.html")
    assert "None: this check finds nothing" in kind_page


def test_new_offenders_come_first_and_album_pages_carry_the_field_history(site, refreshed):
    _, _, broken = refreshed
    html = (site / "kind-trackless_album.html").read_text(encoding="utf-8")
    assert "72 offenders, 1 new since the last refresh" in _text(site / "kind-trackless_album.html")
    first_row = html[html.index("<tbody>") :].split("</tr>")[0]
    assert broken in first_row and '<span class="new">new</span>' in first_row
    assert html.count('<span class="new">new</span>') == 1
    album = _text(site / f"album-{broken}.html")
    assert "track_count 0 the log cannot say" in album  # no row names it, none records the creation
