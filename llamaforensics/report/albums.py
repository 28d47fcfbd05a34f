"""The report's album pages: each album's dossier, field history, story, timeline, lineage."""

from __future__ import annotations

import duckdb
import polars as pl

from ..dossier import AlbumDossier, build_dossier, timeline_figure
from ..dossier.blame import blame
from ..lineage.graph_figure import lineage_figure
from ..lineage.outline import drawable
from .pages import Site, album_page, figure_html

# Log rows listed on a page (the figure draws them all; the dossier's JSON has every one).
TIMELINE_ROWS = 500


def write_album_pages(
    site: Site, con: duckdb.DuckDBPyConnection, album_ids: list[str], caused: pl.DataFrame
) -> None:
    """Write one page per album in ``album_ids``."""
    for album_id in album_ids:
        findings = (
            caused.filter(pl.col("entity_id") == album_id).to_dicts() if caused.height else []
        )
        d = build_dossier(con, album_id, findings=findings)
        site.write(
            album_page(album_id),
            "album.html.j2",
            plots=True,
            album=d.album,
            fields=blame(con, album_id).to_dicts(),
            artists=d.artists,
            findings=findings,
            story=d.story(),
            timeline_figure=figure_html(timeline_figure(d)),
            lineage_figure=_lineage_html(con, d),
            tracks=d.tracks.to_dicts(),
            timeline=d.timeline.head(TIMELINE_ROWS).to_dicts(),
            log_rows=d.timeline.height,
        )


def _lineage_html(con: duckdb.DuckDBPyConnection, dossier: AlbumDossier) -> str | None:
    if dossier.lineage is None or not dossier.lineage.number_of_nodes():
        return None
    drawn = drawable(con, dossier.lineage, title=f"jobs that touched {dossier.title}")
    return figure_html(lineage_figure(*drawn))
