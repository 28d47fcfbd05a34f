"""The lake: a snapshot as month-partitioned Parquet, read by DuckDB out of core or by Apache Spark.

``take_lake`` writes one from PostgreSQL, ``export_lake`` from a snapshot file,
``refresh_lake`` brings one up to date, ``open_lake`` reads one with DuckDB (the
same tables a snapshot file has). The analysis engines over a lake (DuckDB,
Spark) live in ``llamaforensics.engines``, above this (PySpark is an optional
extra: ``pip install llamaforensics[spark]``).
"""

from .format import read_manifest
from .open import lake_info, open_lake
from .refresh import refresh_lake
from .write import export_lake, take_lake

__all__ = ["export_lake", "lake_info", "open_lake", "read_manifest", "refresh_lake", "take_lake"]
