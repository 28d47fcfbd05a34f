"""The category audit as data: llama_logs distributions by time bucket and by every dimension analysts slice on.

Every function reads a snapshot connection and returns a Polars frame; the
figures (``audit.figures``) and the CLI consume these frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from ..errors import UsageError

BUCKETS = ("day", "week", "month")
DIMENSIONS = {
    "category": "category::VARCHAR",
    "operation": "operation",
    "status": "status::VARCHAR",
    "triggered_by": "coalesce(triggered_by, '(none)')",
    "entity_type": "coalesce(entity_type::VARCHAR, '(none)')",
    "user": "coalesce(u.name, l.user_id, '(no user)')",
    "source": "coalesce(source, '(none)')",
}
SPIKE_SIGMAS = 3.0
MIN_ROWS_FOR_SPIKE = 20


@dataclass(frozen=True)
class AuditFilter:
    """Which rows the audit looks at (None = no restriction)."""

    start: datetime | None = None
    end: datetime | None = None
    categories: tuple[str, ...] | None = None
    operations: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None

    def where(self) -> tuple[str, dict]:
        clauses, params = ["true"], {}
        if self.start:
            clauses.append("l.created_at >= $start")
            params["start"] = self.start
        if self.end:
            clauses.append("l.created_at < $end")
            params["end"] = self.end
        for name, column in (("categories", "l.category::VARCHAR"), ("operations", "l.operation")):
            if getattr(self, name):
                clauses.append(f"{column} IN (SELECT unnest(${name}::VARCHAR[]))")
                params[name] = list(getattr(self, name))
        if self.sources:
            clauses.append("len(list_intersect(l.sources, $sources::VARCHAR[])) > 0")
            params["sources"] = list(self.sources)
        return " AND ".join(clauses), params


def _check(bucket: str, dims: tuple[str, ...]) -> None:
    if bucket not in BUCKETS:
        raise UsageError(f"unknown time bucket {bucket!r}; use one of {', '.join(BUCKETS)}")
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise UsageError(f"cannot group by {', '.join(unknown)}; use {', '.join(DIMENSIONS)}")


def _rows(dims: tuple[str, ...]) -> str:
    """The log rows, one per (row, source) when grouping by source (rows name several sources)."""
    source = ", unnest(CASE WHEN len(l.sources) > 0 THEN l.sources ELSE [NULL] END) AS source" if "source" in dims else ""
    return f"SELECT l.*{source}, u.name AS user_name FROM llama_logs l LEFT JOIN users u ON u.id = l.user_id"


def distribution(con: duckdb.DuckDBPyConnection, by: tuple[str, ...] = ("category",), bucket: str | None = "week",
                 where: AuditFilter = AuditFilter()) -> pl.DataFrame:
    """Return row counts by time bucket (or none) and the given dimensions."""
    by = tuple(by)
    _check(bucket or "week", by)
    cond, params = where.where()
    dims = [f"{DIMENSIONS[d].replace('u.name', 'user_name')} AS {d}" for d in by]
    time_col = [f"date_trunc('{bucket}', created_at) AS bucket"] if bucket else []
    cols = ", ".join(time_col + dims)
    sql = f"SELECT {cols}, count(*) AS rows FROM ({_rows(by)} WHERE {cond}) l GROUP BY ALL ORDER BY ALL"
    return con.execute(sql, params).pl()


def failure_rate(con: duckdb.DuckDBPyConnection, bucket: str = "week", where: AuditFilter = AuditFilter()) -> pl.DataFrame:
    """Return the share of FAILED rows per bucket, with spikes flagged (above mean + 3 sigma of the other buckets)."""
    _check(bucket, ())
    cond, params = where.where()
    frame = con.execute(f"""
        SELECT date_trunc('{bucket}', created_at) AS bucket, count(*) AS rows,
               count(*) FILTER (WHERE status = 'FAILED') AS failed
        FROM llama_logs l WHERE {cond} GROUP BY ALL ORDER BY bucket""", params).pl()
    return with_spikes(frame)


def with_spikes(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``rate`` (failed / rows) and ``spike`` (above mean + 3 sigma, with enough rows) to per-bucket counts."""
    frame = frame.with_columns((pl.col("failed") / pl.col("rows")).alias("rate"))
    mean, std = frame["rate"].mean() or 0.0, frame["rate"].std() or 0.0
    return frame.with_columns(((pl.col("rate") > mean + SPIKE_SIGMAS * std) & (pl.col("rows") >= MIN_ROWS_FOR_SPIKE)
                               & (pl.col("failed") > 0)).alias("spike"))


def legacy_share(con: duckdb.DuckDBPyConnection, bucket: str = "month", where: AuditFilter = AuditFilter()) -> pl.DataFrame:
    """Return, per bucket, rows written with a root_job_id (new writers) and without one (legacy or careless)."""
    _check(bucket, ())
    cond, params = where.where()
    return con.execute(f"""
        SELECT date_trunc('{bucket}', created_at) AS bucket,
               count(*) FILTER (WHERE root_job_id IS NOT NULL) AS with_root,
               count(*) FILTER (WHERE root_job_id IS NULL) AS without_root
        FROM llama_logs l WHERE {cond} GROUP BY ALL ORDER BY bucket""", params).pl()


BACKFILL_RULE = """
CASE WHEN operation LIKE 'cache:%' THEN 'cache:* -> CACHED'
     WHEN operation = 'admin_correction' THEN 'admin_correction -> CORRECTED'
     WHEN operation LIKE 'enrichment:%' THEN 'enrichment:* -> ENRICHED'
     WHEN status = 'FAILED' THEN 'status FAILED -> FAILED'
     ELSE 'everything else -> CREATED' END
"""


def backfill_rules(con: duckdb.DuckDBPyConnection, where: AuditFilter = AuditFilter()) -> pl.DataFrame:
    """Re-apply the rename-day backfill rule (SCHEMA.md): rows per rule, how many carry its label, how many the
    operation-and-status reading says it mislabels."""
    from ..queries import load_query

    cond, params = where.where()
    return con.execute(f"""
        WITH mislabelled AS ({load_query('mislabelled_category')})
        SELECT {BACKFILL_RULE} AS rule, count(*) AS rows,
               count(*) FILTER (WHERE category::VARCHAR = split_part({BACKFILL_RULE}, '-> ', 2)) AS labelled_by_rule,
               count(*) FILTER (WHERE id IN (SELECT entity_id::UUID FROM mislabelled)) AS probably_mislabelled
        FROM llama_logs l WHERE {cond} GROUP BY ALL ORDER BY rows DESC""", params).pl()


CUBE_SETS = {"bucket_category": ("bucket", "category"), "operation_category": ("operation", "category"),
             "status_category": ("status", "category"), "triggered_by_category": ("triggered_by", "category"),
             "entity_type_category": ("entity_type", "category"), "user_category": ("user", "category"),
             "bucket": ("bucket",)}


def cube(con: duckdb.DuckDBPyConnection, bucket: str = "week", where: AuditFilter = AuditFilter()) -> dict[str, pl.DataFrame]:
    """Return several distributions from ONE scan of llama_logs (GROUPING SETS), keyed by their dimensions.

    Each frame has the dimensions, ``rows``, ``failed`` and ``without_root``; the
    figures slice these instead of scanning the log once per figure.
    """
    _check(bucket, ())
    cond, params = where.where()
    dims = ("bucket", "category", "operation", "status", "triggered_by", "entity_type", "user")
    sets = ", ".join("(" + ", ".join(cols) + ")" for cols in CUBE_SETS.values())
    frame = con.execute(f"""
        SELECT grouping({', '.join(dims)}) AS gid, {', '.join(dims)}, count(*) AS rows,
               count(*) FILTER (WHERE status = 'FAILED') AS failed, count(*) FILTER (WHERE root_job_id IS NULL) AS without_root
        FROM (SELECT date_trunc('{bucket}', l.created_at) AS bucket, l.category::VARCHAR AS category, l.operation,
                     l.status::VARCHAR AS status, {DIMENSIONS['triggered_by']} AS triggered_by,
                     {DIMENSIONS['entity_type']} AS entity_type, {DIMENSIONS['user']} AS "user", l.root_job_id
              FROM llama_logs l LEFT JOIN users u ON u.id = l.user_id WHERE {cond})
        GROUP BY GROUPING SETS ({sets})""", params).pl()
    out = {}
    for name, cols in CUBE_SETS.items():
        gid = sum(1 << (len(dims) - 1 - i) for i, d in enumerate(dims) if d not in cols)
        out[name] = frame.filter(pl.col("gid") == gid).select(*cols, "rows", "failed", "without_root").sort(list(cols))
    return out
