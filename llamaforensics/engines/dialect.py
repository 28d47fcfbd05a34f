"""The one translation path from the workbench's SQL (DuckDB's dialect) to Spark SQL, by sqlglot.

Every query is written once, in ``llamaforensics/queries/*.sql`` or the audit's
code, for DuckDB; sqlglot parses it and writes it as Spark SQL. sqlglot covers
most of the difference (casts, ``regexp_matches``, ``arg_max``, ``QUALIFY``,
``unnest``, NULL ordering); the rewrites here cover what it leaves DuckDB-only:

* ``list(x ORDER BY k)`` keeps its order: Spark's ``collect_list`` has none, so
  the values are collected with their keys, sorted, and the keys dropped;
* ``list(DISTINCT x) OVER (...)``: Spark has no DISTINCT window aggregates, but
  ``collect_set`` is the same set;
* ``hash(x)`` is DuckDB's 64-bit hash: Spark's ``hash`` has 32 bits, ``xxhash64`` 64;
* ``WITH x AS MATERIALIZED``: Spark plans CTEs itself;
* ``epoch_ms(timestamp)`` (the workbench only passes timestamps) is ``unix_millis``;
  ``to_hours(n)``/``to_days(n)`` are ``make_dt_interval``;
* ``grouping(a, b, ...)`` of several columns is Spark's ``grouping_id`` (the same bits);
* ``isfinite(t)``: Spark has no infinite times (Parquet keeps DuckDB's as the extreme
  microsecond counts), so a time that is there is finite: ``t = t`` (NULL stays NULL);
* ``a / b`` is a DOUBLE in DuckDB whatever the operands (Spark keeps DECIMALs);
* ``strip_accents`` is a function of the session (``engines.spark`` registers it).

Named parameters (``$name``) become Spark's (``:name``), bound by Spark.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp


class TranslationError(ValueError):
    """A query uses what the Spark translation does not cover (named, so it can be added here)."""


def to_spark(sql: str) -> list[exp.Expr]:
    """Return the statements of ``sql`` (DuckDB) as sqlglot trees rewritten for Spark."""
    statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    return [s.transform(_rewrite) for s in statements]


def spark_text(statement: exp.Expr) -> str:
    """Return one rewritten statement as Spark SQL text."""
    return statement.sql(dialect="spark")


_INTERVALS = {
    "to_days": 0,
    "to_hours": 1,
}  # the position of the unit among make_dt_interval's arguments
_RENAMED = {"list_intersect": "array_intersect"}  # DuckDB functions Spark has under another name


def _rewrite(node: exp.Expr) -> exp.Expr:
    if (
        isinstance(node, exp.Filter)
        and isinstance(node.this, exp.ArrayAgg)
        and isinstance(node.this.this, exp.Order)
    ):
        return _ordered_list(node.this.this, node.expression)
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
        return _ordered_list(node.this)
    if isinstance(node, exp.Div) and not node.args.get("_lf_double"):
        node.set("this", exp.cast(node.this, "DOUBLE"))
        node.set("_lf_double", True)
        return node
    if isinstance(node, exp.UnixToTime) and node.text("scale") == "3":
        return exp.func("unix_millis", exp.cast(node.this, "TIMESTAMP"))
    unit = (
        "to_days"
        if isinstance(node, exp.ToDays)
        else node.name.lower()
        if isinstance(node, exp.Anonymous)
        else None
    )
    if unit in _INTERVALS:
        parts = [exp.Literal.number(0) for _ in range(4)]
        parts[_INTERVALS[unit]] = node.this if isinstance(node, exp.ToDays) else node.expressions[0]
        return exp.func("make_dt_interval", *parts)
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Distinct):
        return exp.ArrayUniqueAgg(this=node.this.expressions[0])
    if isinstance(node, exp.Grouping) and len(node.expressions) > 1:
        return exp.func("grouping_id", *node.expressions)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "isfinite":
        return exp.paren(exp.EQ(this=node.expressions[0], expression=node.expressions[0].copy()))
    if isinstance(node, exp.Anonymous) and node.name.lower() in _RENAMED:
        return exp.func(_RENAMED[node.name.lower()], *node.expressions)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "hash":
        return exp.func("xxhash64", *node.expressions)
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node.set("materialized", None)
    return node


def _ordered_list(order: exp.Order, where: exp.Where | None = None) -> exp.Expr:
    """Rewrite ``list(x ORDER BY k) [FILTER (...)]``: collected with keys, sorted."""
    keys = order.expressions
    if any(k.args.get("desc") for k in keys):
        raise TranslationError(
            f"list(... ORDER BY ... DESC) has no Spark translation here: {order.sql('duckdb')}"
        )
    fields = [exp.alias_(k.this, f"_k{i}") for i, k in enumerate(keys)] + [
        exp.alias_(order.this, "_v")
    ]
    collected: exp.Expr = exp.func("collect_list", exp.func("struct", *fields))
    if where is not None:
        collected = exp.Filter(this=collected, expression=where)
    unwrap = exp.Lambda(this=exp.column("_v", table="x"), expressions=[exp.to_identifier("x")])
    return exp.func("transform", exp.func("array_sort", collected), unwrap)
