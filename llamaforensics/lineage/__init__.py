"""Job lineage: roots inferred with no depth limit (loops and breaks reported), and graphs of the jobs people look at."""

from .figure import lineage_figure
from .graph import album_lineage, job_graph, job_lineage, to_graphml
from .roots import check_roots, compare_with_upstream, cycles, infer_roots, upstream_backfill_roots

__all__ = [
    "album_lineage", "check_roots", "compare_with_upstream", "cycles", "infer_roots", "job_graph", "job_lineage",
    "lineage_figure", "to_graphml", "upstream_backfill_roots",
]
