"""Job lineage: roots inferred with no depth limit (loops and breaks reported), and graphs of the jobs people look at.

The graph and figure functions are imported on first use: root inference over
the whole log needs neither networkx nor plotly, and is often all a script wants.
"""

from importlib import import_module

from .backfill import compare_with_upstream, upstream_backfill_roots
from .roots import check_roots, cycles, infer_roots, store_roots

_ON_FIRST_USE = {
    "album_lineage": "graph",
    "job_graph": "graph",
    "job_lineage": "graph",
    "to_graphml": "graphml",
    "lineage_figure": "graph_figure",
}

__all__ = [
    "album_lineage",
    "check_roots",
    "compare_with_upstream",
    "cycles",
    "infer_roots",
    "job_graph",
    "job_lineage",
    "lineage_figure",
    "store_roots",
    "to_graphml",
    "upstream_backfill_roots",
]


def __getattr__(name: str):
    if name in _ON_FIRST_USE:
        return getattr(import_module(f".{_ON_FIRST_USE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
