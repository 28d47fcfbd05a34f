"""The lake: a snapshot as month-partitioned Parquet, read by DuckDB out of core or by Apache Spark.

``take_lake`` writes one from PostgreSQL, ``export_lake`` from a snapshot file,
``refresh_lake`` brings one up to date, ``open_lake`` reads one with DuckDB (the
same tables a snapshot file has). The Spark engine lives in ``lake.spark``
(PySpark is an optional extra: ``pip install llamaforensics[spark]``).
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "open_lake": ".open",
    "lake_info": ".open",
    "read_manifest": ".format",
    "export_lake": ".write",
    "take_lake": ".write",
    "refresh_lake": ".refresh",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name], __name__), name)
    globals()[name] = value
    return value
