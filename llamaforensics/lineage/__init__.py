"""Job lineage: roots inferred with no depth limit (loops and breaks reported), and job graphs.

The package itself exports root inference only, which needs neither networkx
nor plotly and is what the findings and ``lineage check`` run over the whole
log. The graphs of the jobs people look at are imported from their modules,
so only the code that draws them pays for networkx and plotly:

    from llamaforensics.lineage.graph import album_lineage, job_graph, job_lineage
    from llamaforensics.lineage.graph_figure import lineage_figure
    from llamaforensics.lineage.graphml import to_graphml
    from llamaforensics.lineage.outline import drawable, outline, window
"""

from .backfill import compare_with_upstream, upstream_backfill_roots
from .roots import check_roots, cycles, infer_roots, store_roots

__all__ = [
    "check_roots",
    "compare_with_upstream",
    "cycles",
    "infer_roots",
    "store_roots",
    "upstream_backfill_roots",
]
