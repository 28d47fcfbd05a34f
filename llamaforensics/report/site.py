"""Write the report site: gather the data, fill the templates, swap the directory in whole.

The site is written into a scratch directory beside ``out`` and renamed over
it only when complete: an interrupted run leaves the previous report (or
nothing), never half a site.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import duckdb
import plotly.express as px
import plotly.graph_objects as go
import polars as pl
from plotly.offline import get_plotlyjs

from ..audit.figures import audit_figures
from ..errors import UsageError
from ..findings import KINDS, health_summary, run_findings
from ..findings.as_of import TREND_POINTS, findings_by_refresh
from ..findings.causes import group_by_cause, with_causes
from ..findings.explain import explain_kind
from ..snapshot.format import read_manifests
from .albums import write_album_pages
from .pages import Site, figure_html, kind_page
from .trend import trend

ALBUM_PAGES = 200  # albums with the most findings get a page each
ROWS_PER_KIND = 1000  # offenders listed on a kind's page (the export has them all)
CAUSE_GROUPS = 200  # groups on the root-cause page; the index shows the first 10


@dataclass(frozen=True)
class ReportResult:
    path: Path
    pages: list[Path]

    @property
    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())


def write_report(
    con: duckdb.DuckDBPyConnection,
    out: str | Path,
    *,
    album_pages: int = ALBUM_PAGES,
    rows_per_kind: int = ROWS_PER_KIND,
    trend_points: int = TREND_POINTS,
) -> ReportResult:
    """Write the report of the snapshot ``con`` into ``out`` (replacing an earlier report)."""
    out = Path(out)
    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        pages = _write_site(con, scratch, album_pages, rows_per_kind, trend_points)
        if out.exists():
            shutil.rmtree(out)
        scratch.rename(out)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return ReportResult(out, [out / p.relative_to(scratch) for p in pages])


def _check_target(out: Path) -> None:
    """Refuse to replace a directory that holds anything but an earlier report."""
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / "index.html").exists())
    ):
        raise UsageError(
            f"{out} exists and is not an earlier report; give a new or empty directory with -o"
        )


@dataclass(frozen=True)
class _Facts:
    """Everything the pages show, gathered once from the library before any page is written."""

    frames: dict
    caused: pl.DataFrame  # every finding with its root cause
    history: pl.DataFrame  # per refresh and kind: count, new, fixed
    new: set  # (kind, entity_id) new since the refresh before the latest
    groups: pl.DataFrame  # root-cause groups, largest first
    album_ids: list[str]


def _gather(con: duckdb.DuckDBPyConnection, album_pages: int, trend_points: int) -> _Facts:
    frames = run_findings(con)
    found = pl.concat([f for f in frames.values()])
    by_refresh = findings_by_refresh(con, trend_points)
    return _Facts(
        frames,
        with_causes(con, found) if found.height else found,
        trend(by_refresh, read_manifests(con)[-trend_points:]),
        _new_since_last_refresh(by_refresh),
        group_by_cause(con, frames),
        _albums_to_show(found, album_pages),
    )


def _write_site(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    album_pages: int,
    rows_per_kind: int,
    trend_points: int,
) -> list[Path]:
    facts = _gather(con, album_pages, trend_points)
    latest = read_manifests(con)[-1]
    snapshot = {
        "source": latest.source,
        "seq": latest.seq,
        "taken_at": f"{latest.taken_at:%Y-%m-%d %H:%M}",
    }
    site = Site(root, snapshot, set(facts.album_ids))
    _copy_assets(root)
    trend_fig = figure_html(_trend_figure(facts.history))
    _index(site, facts.frames, facts.history, facts.groups, trend_fig)
    site.write(
        "causes.html",
        "causes.html.j2",
        groups=facts.groups.head(CAUSE_GROUPS).to_dicts(),
        shown=min(CAUSE_GROUPS, facts.groups.height),
        total=facts.groups.height,
    )
    site.write(
        "trend.html",
        "trend.html.j2",
        plots=True,
        trend_figure=trend_fig,
        points=trend_points,
        rows=sorted(
            facts.history.to_dicts(), key=lambda r: (list(KINDS).index(r["kind"]), r["seq"])
        ),
    )
    for kind in KINDS:
        _kind_page(site, kind, facts.caused, rows_per_kind, facts.new)
    write_album_pages(site, con, facts.album_ids, facts.caused)
    _audit_page(site, con)
    return site.pages


def _new_since_last_refresh(by_refresh: pl.DataFrame) -> set[tuple[str, str]]:
    """Return (kind, entity_id) of the findings the refresh before the latest did not have."""
    seqs = sorted(set(by_refresh["seq"].to_list()))
    if len(seqs) < 2:
        return set()
    latest, before = (
        by_refresh.filter(pl.col("seq") == s).select("kind", "entity_id") for s in seqs[-2:][::-1]
    )
    return set(latest.join(before, on=["kind", "entity_id"], how="anti").iter_rows())


def _albums_to_show(found: pl.DataFrame, limit: int) -> list[str]:
    """Return the albums with the most findings first (ties by id), at most ``limit``."""
    albums = found.filter(pl.col("entity_type") == "ALBUM").group_by("entity_id").len()
    return (
        albums.sort(["len", "entity_id"], descending=[True, False])
        .head(limit)["entity_id"]
        .to_list()
    )


def _copy_assets(root: Path) -> None:
    assets = root / "assets"
    assets.mkdir()
    (assets / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    (assets / "style.css").write_text(
        files(__package__).joinpath("templates/style.css").read_text("utf-8"), "utf-8"
    )


def _trend_figure(history: pl.DataFrame) -> go.Figure:
    fig = px.line(
        history,
        x="taken_at",
        y="count",
        color="kind",
        markers=True,
        title="findings per kind at each refresh",
    )
    fig.update_layout(height=420, xaxis_title="refresh", yaxis_title="findings")
    return fig


def _index(
    site: Site,
    frames: dict[str, pl.DataFrame],
    history: pl.DataFrame,
    groups: pl.DataFrame,
    trend_fig: str,
) -> None:
    seqs = sorted(set(history["seq"].to_list()))
    last = history.filter(pl.col("seq") == seqs[-1])
    changes = {r["kind"]: r for r in last.to_dicts()}
    latest_change = None
    if len(seqs) > 1:
        previous = history.filter(pl.col("seq") == seqs[-2])["taken_at"][0]
        latest_change = {
            "previous": f"refresh {seqs[-2]} of {previous:%Y-%m-%d %H:%M}",
            "new": int(last["new"].sum()),
            "fixed": int(last["fixed"].sum()),
        }
    site.write(
        "index.html",
        "index.html.j2",
        plots=True,
        summary=health_summary(frames),
        changes=changes,
        latest_change=latest_change,
        groups=groups.head(10).to_dicts(),
        trend_figure=trend_fig,
    )


def _kind_page(site: Site, kind: str, caused: pl.DataFrame, limit: int, new: set) -> None:
    """Write a kind's page: what it means, then its offenders, the new ones first."""
    mine = caused.filter(pl.col("kind") == kind) if caused.height else caused
    fresh = {entity for k, entity in new if k == kind}
    if mine.height:
        mine = mine.sort(
            pl.col("entity_id").is_in(list(fresh)), descending=True, maintain_order=True
        )
    rows = [
        {**r, "detail": json.loads(r["detail"]), "new": r["entity_id"] in fresh}
        for r in mine.head(limit).to_dicts()
    ]
    site.write(
        kind_page(kind),
        "kind.html.j2",
        kind=KINDS[kind],
        explain=explain_kind(kind),
        rows=rows,
        shown=len(rows),
        total=mine.height,
        new=len(fresh),
    )


def _audit_page(site: Site, con: duckdb.DuckDBPyConnection) -> None:
    figures = {name: figure_html(fig) for name, fig in audit_figures(con).items()}
    site.write("audit.html", "audit.html.j2", plots=True, figures=figures)
