"""The category audit as data: llama_logs distributions by time bucket and by every dimension.

Every function reads a snapshot connection and returns a Polars frame; the
figures (``audit.figures``) and the CLI consume these frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from ..errors import UsageError
from ..snapshot.extremes import python_time
from .dimensions import BUCKETS, DIMENSIONS

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
        clauses: list[str] = ["true"]
        params: dict[str, object] = {}
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
            clauses.append("array_length(list_intersect(l.sources, $sources::VARCHAR[])) > 0")
            params["sources"] = list(self.sources)
        return " AND ".join(clauses), params


EVERY_ROW = AuditFilter()  # the default: no restriction


def _check(bucket: str, dims: tuple[str, ...]) -> None:
    if bucket not in BUCKETS:
        raise UsageError(f"unknown time bucket {bucket!r}; use one of {', '.join(BUCKETS)}")
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise UsageError(f"cannot group by {', '.join(unknown)}; use {', '.join(DIMENSIONS)}")


def _rows(dims: tuple[str, ...]) -> str:
    """The log rows, one per (row, source) when grouping by source (rows name several sources)."""
    source = (
        ", unnest(CASE WHEN array_length(l.sources) > 0 THEN l.sources ELSE [NULL] END) AS source"
        if "source" in dims
        else ""
    )
    return (
        f"SELECT l.*{source}, u.name AS user_name "
        "FROM llama_logs l LEFT JOIN users u ON u.id = l.user_id"
    )


def distribution(
    con: duckdb.DuckDBPyConnection,
    by: tuple[str, ...] = ("category",),
    bucket: str | None = "week",
    where: AuditFilter = EVERY_ROW,
) -> pl.DataFrame:
    """Return row counts by time bucket (or none) and the given dimensions."""
    by = tuple(by)
    _check(bucket or "week", by)
    cond, params = where.where()
    dims = [f"{DIMENSIONS[d].replace('u.name', 'user_name')} AS {d}" for d in by]
    time_col = [f"date_trunc('{bucket}', {python_time('created_at')}) AS bucket"] if bucket else []
    cols = ", ".join(time_col + dims)
    sql = (
        f"SELECT {cols}, count(*) AS rows FROM ({_rows(by)} WHERE {cond}) l "
        "GROUP BY ALL ORDER BY ALL"
    )
    return con.execute(sql, params).pl()


def failure_rate(
    con: duckdb.DuckDBPyConnection, bucket: str = "week", where: AuditFilter = EVERY_ROW
) -> pl.DataFrame:
    """Return the share of FAILED rows per bucket, with spikes flagged.

    A spike lies above the mean + 3 sigma of the other buckets.
    """
    _check(bucket, ())
    cond, params = where.where()
    frame = con.execute(
        f"""
        SELECT date_trunc('{bucket}', {python_time("created_at")}) AS bucket, count(*) AS rows,
               count(*) FILTER (WHERE status = 'FAILED') AS failed
        FROM llama_logs l WHERE {cond} GROUP BY ALL ORDER BY bucket""",
        params,
    ).pl()
    return with_spikes(frame)


def with_spikes(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``rate`` (failed / rows) and ``spike`` to per-bucket counts.

    A spike lies above the mean + 3 sigma, with enough rows.
    """
    frame = frame.with_columns((pl.col("failed") / pl.col("rows")).alias("rate"))
    mean = frame.select(pl.col("rate").mean().fill_null(0.0)).item()
    std = frame.select(pl.col("rate").std().fill_null(0.0)).item()
    return frame.with_columns(
        (
            (pl.col("rate") > mean + SPIKE_SIGMAS * std)
            & (pl.col("rows") >= MIN_ROWS_FOR_SPIKE)
            & (pl.col("failed") > 0)
        ).alias("spike")
    )


def legacy_share(
    con: duckdb.DuckDBPyConnection, bucket: str = "month", where: AuditFilter = EVERY_ROW
) -> pl.DataFrame:
    """Return, per bucket, rows written with a root_job_id (new writers) and without one.

    Rows without one come from legacy or careless writers.
    """
    _check(bucket, ())
    cond, params = where.where()
    return con.execute(
        f"""
        SELECT date_trunc('{bucket}', {python_time("created_at")}) AS bucket,
               count(*) FILTER (WHERE root_job_id IS NOT NULL) AS with_root,
               count(*) FILTER (WHERE root_job_id IS NULL) AS without_root
        FROM llama_logs l WHERE {cond} GROUP BY ALL ORDER BY bucket""",
        params,
    ).pl()


BACKFILL_RULE = """
CASE WHEN operation LIKE 'cache:%' THEN 'cache:* -> CACHED'
     WHEN operation = 'admin_correction' THEN 'admin_correction -> CORRECTED'
     WHEN operation LIKE 'enrichment:%' THEN 'enrichment:* -> ENRICHED'
     WHEN status = 'FAILED' THEN 'status FAILED -> FAILED'
     ELSE 'everything else -> CREATED' END
"""


def backfill_rules(
    con: duckdb.DuckDBPyConnection,
    where: AuditFilter = EVERY_ROW,
    combos: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Re-apply the rename-day backfill rule (SCHEMA.md): rows per rule, and their labels.

    How many carry the rule's label, and how many the operation-and-status
    reading says it mislabels.

    Both readings depend on a row's operation, status and category alone, so
    they are applied to the distinct combinations (``combos``: operation,
    status, category, rows; counted here unless the cube already did) rather
    than to every row. The mislabel test is ``queries/mislabelled_category.sql``
    itself, run over one stand-in row per combination.
    """
    from ..queries import load_query

    if combos is None:
        cond, params = where.where()
        combos = con.execute(
            f"SELECT operation, status, category, count(*) AS rows FROM llama_logs l WHERE {cond} "
            "GROUP BY ALL",
            params,
        ).pl()
    stand_ins = combos.select(
        "operation", pl.col("status").cast(pl.String), pl.col("category").cast(pl.String), "rows"
    ).with_row_index("n")
    if not isinstance(
        con, duckdb.DuckDBPyConnection
    ):  # a lake on Spark: DuckDB reads the few stand-ins
        con = duckdb.connect()
    con.register("_lf_combos", stand_ins.to_arrow())
    try:
        con.execute("""CREATE OR REPLACE TEMP TABLE llama_logs AS
            SELECT ('00000000-0000-0000-0000-' || lpad(n::VARCHAR, 12, '0'))::UUID AS id,
                   operation, status, category,
                   TIMESTAMP '2000-01-01' AS created_at, rows FROM _lf_combos""")
        return con.execute(f"""
            WITH mislabelled AS ({load_query("mislabelled_category")})
            SELECT {BACKFILL_RULE} AS rule, sum(rows)::BIGINT AS rows,
                   coalesce(sum(rows) FILTER (
                       WHERE category = split_part({BACKFILL_RULE}, '-> ', 2)), 0)::BIGINT
                       AS labelled_by_rule,
                   coalesce(sum(rows) FILTER (
                       WHERE id IN (SELECT entity_id::UUID FROM mislabelled)), 0)::BIGINT
                       AS probably_mislabelled
            FROM temp.main.llama_logs GROUP BY ALL ORDER BY rows DESC, rule""").pl()
    finally:
        con.execute("DROP TABLE IF EXISTS temp.main.llama_logs")
        con.unregister("_lf_combos")


CUBE_SETS = {
    "bucket_category": ("bucket", "category"),
    "operation_category": ("operation", "category"),
    "status_category": ("status", "category"),
    "triggered_by_category": ("triggered_by", "category"),
    "entity_type_category": ("entity_type", "category"),
    "user_category": ("user", "category"),
    "bucket": ("bucket",),
    "operation_status_category": ("operation", "status", "category"),
    "sources_category": ("sources", "category"),
}
CUBE_DIMS = (
    "bucket",
    "category",
    "operation",
    "status",
    "triggered_by",
    "entity_type",
    "user",
    "sources",
)


def cube(
    con: duckdb.DuckDBPyConnection, bucket: str = "week", where: AuditFilter = EVERY_ROW
) -> dict[str, pl.DataFrame]:
    """Return several distributions from ONE scan of llama_logs (GROUPING SETS), by dimensions.

    Each frame has the dimensions, ``rows``, ``failed`` and ``without_root``; the
    figures slice these instead of scanning the log once per figure. The scan
    groups the stored values (enums, user ids, source lists) and labels them
    afterwards, on the few groups: a user's name, '(none)', one row per source
    (``source_category``, from ``sources_category``).
    """
    _check(bucket, ())
    cond, params = where.where()
    sets = ", ".join("(" + ", ".join(cols) + ")" for cols in CUBE_SETS.values())
    frame = con.execute(
        f"""
        WITH groups AS (
            SELECT grouping({", ".join(CUBE_DIMS)}) AS gid, {", ".join(CUBE_DIMS)},
                   count(*) AS rows,
                   count(*) FILTER (WHERE status = 'FAILED') AS failed,
                   count(*) FILTER (WHERE root_job_id IS NULL) AS without_root
            FROM (SELECT date_trunc('{bucket}', {python_time("l.created_at")}) AS bucket,
                         l.category, l.operation, l.status, l.triggered_by,
                         l.entity_type, l.user_id AS "user", l.sources, l.root_job_id
                  FROM llama_logs l WHERE {cond})
            GROUP BY GROUPING SETS ({sets}))
        SELECT gid, bucket, category::VARCHAR AS category, operation, status::VARCHAR AS status,
               coalesce(triggered_by, '(none)') AS triggered_by,
               coalesce(entity_type::VARCHAR, '(none)') AS entity_type,
               coalesce(u.name, g."user", '(no user)') AS "user",
               sources, rows, failed, without_root
        FROM groups g LEFT JOIN users u ON u.id = g."user" """,
        params,
    ).pl()
    out = {}
    for name, cols in CUBE_SETS.items():
        gid = sum(1 << (len(CUBE_DIMS) - 1 - i) for i, d in enumerate(CUBE_DIMS) if d not in cols)
        part = frame.filter(pl.col("gid") == gid).select(*cols, "rows", "failed", "without_root")
        if name == "user_category":  # two ids may share a name
            part = part.group_by(cols).agg(pl.col("rows", "failed", "without_root").sum())
        out[name] = part.sort(list(cols))
    out["source_category"] = _per_source(out["sources_category"])
    return out


def _per_source(frame: pl.DataFrame) -> pl.DataFrame:
    """Count each row once per source it names, as ``distribution`` by source does.

    A row that names no source counts under '(none)'.
    """
    sources = (
        pl.when(pl.col("sources").list.len() > 0)
        .then(pl.col("sources"))
        .otherwise(pl.lit(["(none)"]))
    )
    return (
        frame.with_columns(sources.alias("source"))
        .explode("source")
        .group_by("source", "category")
        .agg(pl.col("rows", "failed", "without_root").sum())
        .sort("source", "category")
    )
