"""Demo data: a deterministic, realistic, broken music catalog in the exact upstream shape.

``generate(scale, seed)`` plans about 2,000 albums per unit of scale (each with
its artists, tracks, sync jobs and about 13 llama_logs rows: scale 1 is ~27k log
rows, scale 370 ~10 million), plants every anomaly kind of
:data:`ANOMALY_KINDS` at known places, and records them in a ground-truth table.
The data is built chunk by chunk, lazily, so any scale fits in memory; the
writers stream it into PostgreSQL (COPY) or straight into a snapshot.
"""

from __future__ import annotations

from .anomalies import ANOMALY_KINDS
from .dataset import DemoData, generate
from .into_postgres import write_postgres
from .into_snapshot import write_ground_truth, write_snapshot
from .life_plan import DEMO_NOW

__all__ = [
    "ANOMALY_KINDS",
    "DEMO_NOW",
    "DemoData",
    "generate",
    "write_ground_truth",
    "write_postgres",
    "write_snapshot",
]
