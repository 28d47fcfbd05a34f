"""The category audit: llama_logs distributions, failure spikes, legacy rows and the backfill rule, as data and figures.

Imported on first use: the command line's help needs the dimensions
(``audit.dimensions``), not polars and plotly.
"""

from importlib import import_module

_ON_FIRST_USE = {
    "audit_figures": "figures",
    "write_html": "figures",
    "AuditFilter": "tables",
    "backfill_rules": "tables",
    "distribution": "tables",
    "failure_rate": "tables",
    "legacy_share": "tables",
}

__all__ = sorted(_ON_FIRST_USE)


def __getattr__(name: str):
    if name in _ON_FIRST_USE:
        return getattr(import_module(f".{_ON_FIRST_USE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
