"""The analysis engines over a Parquet lake: DuckDB out of core, or Apache Spark.

``engines.analysis`` runs the findings and the audit over a lake on either
engine; ``engines.spark`` opens a Spark session on the lake's folders and runs
the finding SQL translated by ``engines.dialect``; ``engines.spark_chains``
finds job roots by pointer jumping. The lake itself (writing, refreshing,
opening) is ``llamaforensics.lake``, below this: storage never imports analysis.
"""
