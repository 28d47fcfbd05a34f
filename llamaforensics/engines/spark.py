"""A lake opened on Apache Spark: the snapshot's tables as temp views, the workbench's SQL on them.

:class:`SparkLake` reads a lake through Spark itself (manifest and Parquet files
alike), so the lake can be a local folder or any URL the cluster reads
(``s3a://``, ``abfss://``, ``hdfs://``). Its :meth:`~SparkLake.execute` takes
the same DuckDB-dialect SQL the DuckDB engine runs, translated by
``engines.dialect``: ``CREATE TEMP TABLE`` becomes a checkpointed temp view,
``UPDATE ... FROM`` a view rebuilt with the updated columns. Results come back
as Arrow, so the findings and audit code turn them into the same Polars frames.

PySpark is an optional extra (``pip install llamaforensics[spark]``).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from datetime import date, datetime
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlglot import exp

from ..errors import LlamaForensicsError, SnapshotError
from ..snapshot.format import PG_TEXT_TABLE, SNAPSHOT_TABLES

if TYPE_CHECKING:  # PySpark is an optional extra
    from pyspark.sql import DataFrame as SparkFrame
    from pyspark.sql import SparkSession

from ..lake.format import MANIFEST_FILE, PARTITION_COLUMN
from .dialect import TranslationError, spark_text, to_spark

# Spark types of the lake's columns by their snapshot (DuckDB) type; uuids and enums are text.
_SPARK_TYPES = {
    "INTEGER": "int",
    "BOOLEAN": "boolean",
    "DOUBLE": "double",
    "DATE": "date",
    "JSON": "string",
    "TIMESTAMP": "timestamp_ntz",
    "TIMESTAMPTZ": "timestamp",
    "VARCHAR[]": "array<string>",
}


def spark_session(master: str | None = None, config: dict[str, str] | None = None) -> SparkSession:
    """Return the Spark session to run on: ``master`` if given, else Spark's own configuration.

    Timestamps are read and compared in UTC, as the snapshot stores them. ``config``
    adds Spark settings (the tests' small shuffles and no UI, say).
    """
    # PySpark warns whenever pandas is newer than it knows; the workbench hands frames over as Arrow
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ModuleNotFoundError:
        raise LlamaForensicsError(
            "the Spark engine needs PySpark: pip install 'llamaforensics[spark]'"
        ) from None
    master = master or os.environ.get("SPARK_MASTER")
    if not master and not os.environ.get("PYSPARK_SUBMIT_ARGS"):
        master = "local[*]"
    settings = {**_settings(master), **(config or {})}
    builder = SparkSession.builder.appName("llamaforensics")
    for key, value in settings.items():
        builder = builder.config(key, value)
    if master:
        builder = builder.master(master)
    if master and master.startswith("local"):  # its Python workers run in this environment
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("OFF")  # failures reach the caller as exceptions
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):  # PySpark's, on stderr
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    session.udf.register("strip_accents", _strip_accents(), "string")
    return session


def _settings(master: str | None) -> dict[str, str]:
    """Return the workbench's Spark settings: UTC, quiet logs, and on one machine few shuffles."""
    quiet = files("llamaforensics.engines").joinpath("log4j2.properties")
    settings = {
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{quiet}",
    }
    if master and master.startswith("local"):
        # one machine's cores, not the 200 shuffle partitions meant for a cluster (the demo's
        # findings on local[2]: 43 s against 71 s)
        settings["spark.sql.shuffle.partitions"] = str(2 * (os.cpu_count() or 1))
    return settings


def _strip_accents():
    """Return DuckDB's strip_accents as a function Spark ships by value (no imports)."""
    import unicodedata

    def strip_accents(text: str | None) -> str | None:
        if text is None:
            return None
        return "".join(
            ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)
        )

    return strip_accents


class SparkLake:
    """A lake as Spark temp views; :meth:`execute` runs DuckDB-dialect SQL on them."""

    def __init__(self, session: SparkSession, lake: str | os.PathLike):
        self.session, self.lake = session, str(lake).rstrip("/")
        self.manifest = self._read_manifest()
        self.views = set(SNAPSHOT_TABLES)
        for table in SNAPSHOT_TABLES:
            self._table(table).createOrReplaceTempView(table)
        self._pg_text().createOrReplaceTempView(PG_TEXT_TABLE)
        self.views.add(PG_TEXT_TABLE)

    def execute(self, sql: str, params: dict | None = None) -> SparkResult:
        """Run ``sql`` (DuckDB dialect, one or more statements); return the last one's result."""
        frame = None
        for statement in to_spark(sql):
            frame = self._run(statement, params or {})
        return SparkResult(frame)

    def close(self) -> None:
        """Drop the views this lake made; the session stays for whoever else uses it."""
        for name in self.views:
            self.session.catalog.dropTempView(name)
        self.views = set()

    def view(self, name: str, frame: SparkFrame) -> None:
        """Keep ``frame``, computed once, as the temp view ``name`` (a DuckDB temp table, here)."""
        frame.localCheckpoint().createOrReplaceTempView(name)
        self.views.add(name)

    def sql(self, query: str, params: dict | None = None) -> SparkRelation:
        """Run one DuckDB-dialect query; return its rows as ``DuckDBPyConnection.sql`` would."""
        return SparkRelation(self, self.execute(query, params).frame)

    def statement(self, statement: exp.Expr, params: dict) -> SparkFrame:
        """Run one translated statement, binding the parameters it names."""
        from pyspark.sql import functions as F

        statement = statement.transform(lambda node: _timestamp(node, params))
        named = {p.name for p in statement.find_all(exp.Placeholder)}
        args = {name: _bound(F, params[name]) for name in named}
        return self.session.sql(spark_text(statement), args=args or None)

    def _run(self, statement: exp.Expr, params: dict):
        if isinstance(statement, exp.Create):
            self.view(statement.this.name, self.statement(statement.expression, params))
            return self.session.table(statement.this.name)
        if isinstance(statement, exp.Drop):
            self.session.catalog.dropTempView(statement.this.name)
            return None
        if isinstance(statement, exp.Update):
            return self._update(statement, params)
        return self.statement(statement, params)

    def _update(self, statement: exp.Update, params: dict):
        """Rebuild the view ``UPDATE t SET ... FROM (query) r WHERE ...`` changes."""
        name = statement.this.name
        sets = {eq.this.name: eq.expression for eq in statement.expressions}
        joined = statement.args.get("from_") or statement.args.get("from")
        if joined is None:
            raise TranslationError(f"UPDATE without FROM: {statement.sql('duckdb')}")
        source = joined.this
        alias, query = source.alias, source.this
        cols = [
            exp.alias_(
                exp.If(
                    this=exp.column("_lf_hit", table=alias),
                    true=sets[c],
                    false=exp.column(c, table=name),
                )
                if c in sets
                else exp.column(c, table=name),
                c,
            )
            for c in self.session.table(name).columns
        ]
        hit = exp.select("*", exp.alias_(exp.true(), "_lf_hit")).from_(query.subquery("_lf_update"))
        rebuilt = (
            exp.select(*cols)
            .from_(exp.to_table(name))
            .join(hit.subquery(alias), on=statement.args["where"].this, join_type="left")
        )
        self.view(name, self.statement(rebuilt, params))
        return None

    def _read_manifest(self) -> dict:
        from pyspark.errors import AnalysisException

        try:
            row = self.session.read.text(f"{self.lake}/{MANIFEST_FILE}", wholetext=True).first()
        except AnalysisException:
            raise SnapshotError(
                f"{self.lake} is no llamaforensics lake (no {MANIFEST_FILE} Spark can read)"
            ) from None
        if row is None:
            raise SnapshotError(f"{self.lake}/{MANIFEST_FILE} is empty: no llamaforensics lake")
        return json.loads(row[0])

    def _table(self, table: str):
        """Return ``table``'s rows as the manifest types them (no files: no rows)."""
        columns = self.manifest["columns"][table]
        schema = ", ".join(
            f"`{c}` {_SPARK_TYPES.get(kind, 'string')}" for c, kind in columns.items()
        )
        frame = _read_or_empty(self.session, f"{self.lake}/{table}", schema)
        return frame.drop(PARTITION_COLUMN).selectExpr(*(f"`{c}`" for c in columns))

    def _pg_text(self):
        """Return the times DuckDB could not hold, with PostgreSQL's text (none in older lakes)."""
        schema = "table_name string, row_key string, column_name string, pg_text string"
        return _read_or_empty(self.session, f"{self.lake}/{PG_TEXT_TABLE}", schema)


def _read_or_empty(session, path: str, schema: str):
    """Return the Parquet files under ``path``, or no rows of ``schema`` when there are none."""
    from pyspark.errors import AnalysisException

    try:
        return session.read.parquet(path)
    except AnalysisException:  # no file: a table the source lacked, or a log with no rows
        return session.createDataFrame([], schema)


class SparkRelation:
    """A Spark frame with what findings use of a DuckDB relation: columns, types, project, pl."""

    _TYPES = {"timestamp_ntz": "TIMESTAMP", "date": "DATE", "timestamp": "TIMESTAMP WITH TIME ZONE"}

    def __init__(self, lake: SparkLake, frame: SparkFrame):
        self.lake, self.frame = lake, frame

    @property
    def columns(self) -> list[str]:
        return self.frame.columns

    @property
    def types(self) -> list[str]:
        """The columns' types by DuckDB's names, where the workbench tells them apart."""
        return [
            self._TYPES.get(f.dataType.simpleString(), f.dataType.simpleString().upper())
            for f in self.frame.schema.fields
        ]

    def project(self, expressions: str) -> SparkRelation:
        """Return the rows with the given (DuckDB-dialect) SELECT list, translated as any query."""
        self.frame.createOrReplaceTempView("_lf_relation")
        self.lake.views.add("_lf_relation")
        return self.lake.sql(f"SELECT {expressions} FROM _lf_relation")

    def pl(self) -> pl.DataFrame:
        return SparkResult(self.frame).pl()


class SparkResult:
    """A Spark statement's result with the methods used on DuckDB's: pl, fetchone, fetchall."""

    def __init__(self, frame: SparkFrame | None):
        self._frame = frame  # None: the last statement returns no rows (a DROP)

    @property
    def frame(self) -> SparkFrame:
        if self._frame is None:
            raise LlamaForensicsError("the last Spark statement returns no rows to read")
        return self._frame

    def pl(self) -> pl.DataFrame:
        """Return the rows as Polars; times without a time zone, as every time in a snapshot is.

        (Spark's date_trunc answers in its session time zone, UTC here, even for a time without.)
        """
        frame = polars_frame(self.frame.toArrow())
        zoned = [
            name
            for name, kind in frame.schema.items()
            if isinstance(kind, pl.Datetime) and kind.time_zone
        ]
        return frame.with_columns(pl.col(zoned).dt.replace_time_zone(None)) if zoned else frame

    def fetchall(self) -> list[tuple]:
        return [tuple(row) for row in self.frame.collect()]

    def fetchone(self) -> tuple | None:
        rows = self.frame.limit(1).collect()
        return tuple(rows[0]) if rows else None


def polars_frame(table: Any) -> pl.DataFrame:
    """Return an Arrow table (what Spark's ``toArrow`` gives) as a Polars frame."""
    frame = pl.from_arrow(table)
    return frame if isinstance(frame, pl.DataFrame) else frame.to_frame()


def _timestamp(node: exp.Expression, params: dict) -> exp.Expression:
    """Put a date or time parameter in as a typed literal: Spark binds only values and arrays."""
    value = params.get(node.name) if isinstance(node, exp.Placeholder) else None
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP_NTZ")
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    return node


def _bound(F, value):
    """Return a parameter as Spark binds it: a plain value, or an array of them."""
    if isinstance(value, (list, tuple)):
        return F.array(*(F.lit(v) for v in value))
    return value
