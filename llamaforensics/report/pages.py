"""The report's pages: Jinja2 templates (``report/templates``) filled with data, autoescaped.

Every value from the snapshot is hostile input (titles with markup, quotes,
any text): the environment escapes everything except the plotly figures,
which plotly itself serialises as JSON inside a script.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from ..version import __version__

_SAFE_ID = re.compile(r"[^0-9A-Za-z_-]")


def kind_page(kind: str) -> str:
    return f"kind-{kind}.html"


def album_page(album_id: str) -> str:
    return f"album-{_SAFE_ID.sub('_', album_id)}.html"


def figure_html(fig: go.Figure) -> str:
    """Return a figure as a div that draws itself with the site's local plotly.js (never a CDN)."""
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})


class Site:
    """The output directory and the templates; knows which albums have a page of their own."""

    def __init__(self, out: Path, snapshot: dict, albums_with_pages: set[str]):
        self.out = out
        self.albums_with_pages = albums_with_pages
        self.pages: list[Path] = []
        self.env = Environment(
            loader=PackageLoader("llamaforensics.report", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            kind_page=kind_page,
            entity_link=self.entity_link,
            snapshot=snapshot,
            version=__version__,
            written_at=f"{datetime.now():%Y-%m-%d %H:%M}",
        )

    def entity_link(self, entity_id: str) -> Markup:
        """Link an album to its page when it has one; anything else is shown as its id."""
        if entity_id in self.albums_with_pages:
            return Markup('<a href="{}"><code>{}</code></a>').format(
                album_page(entity_id), entity_id
            )
        return Markup("<code>{}</code>").format(escape(entity_id))

    def write(self, name: str, template: str, *, plots: bool = False, **context: Any) -> Path:
        """Render ``template`` with ``context`` into the page ``name``; the result lists it."""
        path = self.out / name
        html = self.env.get_template(template).render(plots=plots, **context)
        path.write_text(html, encoding="utf-8")
        self.pages.append(path)
        return path
