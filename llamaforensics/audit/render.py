"""Figures to PNG with the machine's headless Chromium (no browser is ever downloaded)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import plotly.graph_objects as go

from ..errors import UsageError

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def find_browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    raise UsageError(
        "PNG output needs Chromium (Debian: apt-get install chromium); HTML output does not"
    )


def figure_png(
    fig: go.Figure, path: str | Path, width: int = 1000, height: int | None = None
) -> Path:
    """Render one figure to a PNG file by screenshotting it in headless Chromium."""
    browser = find_browser()
    path = Path(path).resolve()
    height = height or int(fig.layout.height or 500) + 20
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "figure.html"
        fig.write_html(
            page, include_plotlyjs=True, full_html=True, config={"displayModeBar": False}
        )
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--screenshot={path}",
                f"--window-size={width},{height}",
                "--virtual-time-budget=5000",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return path
