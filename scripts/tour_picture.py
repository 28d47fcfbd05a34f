"""Render the README's tour picture: the demo log by month and category.

plotly draws it, headless Chromium shoots it:

.venv/bin/python scripts/tour_picture.py [docs/tour.png]
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import plotly.express as px

from llamaforensics.demo.default import default_snapshot
from llamaforensics.snapshot import open_snapshot

out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/tour.png").resolve()
con = open_snapshot(default_snapshot())
by_month = con.sql(
    "SELECT date_trunc('month', created_at) AS month, category::VARCHAR AS category, "
    "count(*) AS rows FROM llama_logs GROUP BY ALL ORDER BY month"
).pl()
fig = px.bar(
    by_month,
    x="month",
    y="rows",
    color="category",
    title="Demo catalog: llama_logs rows per month, by category",
)
with tempfile.TemporaryDirectory() as tmp:
    html = Path(tmp) / "tour.html"
    fig.write_html(html, include_plotlyjs=True, full_html=True)
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--screenshot={out}",
            "--window-size=1000,520",
            "--virtual-time-budget=5000",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
    )
print(out)
