"""Run the findings on a snapshot: one Polars frame per kind, the same columns for every kind.

Columns: kind, entity_type, entity_id, title, severity, suggested_fix, detail
(JSON text: the kind's own facts), evidence (llama_logs ids). Checks only read;
printing, plotting and repairing consume these frames.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Protocol

import duckdb
import polars as pl

from ..choices import checked
from ..queries import load_query
from ..snapshot.extremes import ensure_pg_text_table, pg_style
from ..snapshot.format import one_row, quote_ident, read_manifests
from .chains import describe_loops, drop_job_chains, prepare_job_chains
from .kinds import FIX_BY_CAUSE, KINDS, Finding, Thresholds

COLUMNS = (
    "kind",
    "entity_type",
    "entity_id",
    "title",
    "severity",
    "suggested_fix",
    "detail",
    "evidence",
)


class Relation(Protocol):
    """What the findings read of a query's result: a DuckDB relation, or the lake's on Spark."""

    @property
    def columns(self) -> list[str]: ...

    @property
    def types(self) -> Sequence[object]: ...

    def project(self, expressions: str) -> Relation: ...

    def pl(self) -> pl.DataFrame: ...


class Queryable(Protocol):
    """Where the findings run: a snapshot's DuckDB connection, or a lake on Spark."""

    def sql(self, query: str, *, params: dict[str, Any] | None = None) -> Relation: ...


# what a caller names: one kind, some kinds, or None for every kind
KindNames = str | Iterable[str] | None
_PARAM = re.compile(r"\$([a-z_]+)")


def run_findings(
    con: duckdb.DuckDBPyConnection,
    kinds: KindNames = None,
    thresholds: Thresholds | None = None,
    **overrides: int,
) -> dict[str, pl.DataFrame]:
    """Run the findings (all kinds, or ``kinds``) on a snapshot; return one frame per kind.

    Thresholds come from ``thresholds`` (default: :class:`Thresholds`), with any
    of its fields overridden by keyword: ``run_findings(con, stuck_days=30)``.
    Time-based checks measure against the snapshot's own time, not today.
    """
    kinds = checked_kinds(kinds)
    params = {
        "now": snapshot_time(con),
        **(thresholds or Thresholds()).replace(**overrides).params(),
    }
    if any(KINDS[k].needs == "pg_text" for k in kinds):
        ensure_pg_text_table(con)
    chained = [k for k in kinds if KINDS[k].needs == "job_chains"]
    plain = [k for k in kinds if k not in chained]
    if chained and plain and _cursor_sees_the_same(con):
        # The job-chain kinds on a cursor of their own, beside the others: their
        # single-threaded stretches (pointer jumping, frame conversions) overlap.
        with (
            con.cursor() as cursor,
            ThreadPoolExecutor(1, thread_name_prefix="findings-chains") as pool,
        ):
            later = pool.submit(_run_chained, cursor, chained, params)
            frames = {k: run_kind(con, k, params, None) for k in plain}
            frames |= later.result()
    else:
        frames = {k: run_kind(con, k, params, None) for k in plain}
        frames |= _run_chained(con, chained, params)
    return {k: frames[k] for k in kinds}


def _run_chained(
    con: duckdb.DuckDBPyConnection, kinds: list[str], params: dict
) -> dict[str, pl.DataFrame]:
    """Run the job-chain kinds: the chains are prepared once for all of them."""
    if not kinds:
        return {}
    loops = prepare_job_chains(con)
    try:
        return {k: run_kind(con, k, params, loops) for k in kinds}
    finally:
        drop_job_chains(con)


def _cursor_sees_the_same(con: duckdb.DuckDBPyConnection) -> bool:
    """Tell whether a cursor of ``con`` reads what ``con`` reads.

    A cursor is a connection of its own: it sees neither the rows of a
    transaction ``con`` has open nor ``con``'s temporary tables and registered
    frames (which may shadow the snapshot's tables, as the album dossier's do).
    """
    ids = [one_row(con.execute("SELECT txid_current()"))[0] for _ in range(2)]
    if ids[0] == ids[1]:  # outside a transaction, every statement runs in one of its own
        return False
    own = one_row(
        con.execute(
            "SELECT (SELECT count(*) FROM duckdb_tables() WHERE temporary) "
            "+ (SELECT count(*) FROM duckdb_views() WHERE temporary AND NOT internal)"
        )
    )[0]
    return own == 0


def checked_kinds(kinds: KindNames) -> list[str]:
    """Return ``kinds`` (a name, names, or None for all) as a list; names match ignoring case.

    An unknown name raises UsageError naming it and the closest kind.
    """
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or KINDS)
    return list(checked(kinds, KINDS, "finding kind") or ())


def snapshot_time(con: duckdb.DuckDBPyConnection) -> datetime:
    """Return when the snapshot's source was read: what time-based findings measure against."""
    return read_manifests(con)[-1].taken_at


def to_findings(frames: dict[str, pl.DataFrame]) -> list[Finding]:
    """Return the frames' rows as :class:`Finding` records."""
    return [
        Finding(**{**row, "detail": json.loads(row["detail"])})
        for frame in frames.values()
        for row in frame.to_dicts()
    ]


def empty_frame() -> pl.DataFrame:
    """Return a findings frame with no rows (the columns every kind's frame has)."""
    return pl.DataFrame(
        schema={c: (pl.List(pl.String) if c == "evidence" else pl.String) for c in COLUMNS}
    )


def run_kind(
    con: Queryable, kind: str, params: dict[str, Any], loops: dict[str, list[str]] | None
) -> pl.DataFrame:
    """Run ``queries/<kind>.sql`` with the parameters it names; fold its rows into the columns."""
    sql = load_query(kind)
    named = {name: params[name] for name in set(_PARAM.findall(sql))}
    frame = _python_safe(con.sql(sql, params=named)).pl()
    if kind == "looping_parent_chain":
        frame = describe_loops(frame, loops or {})
    return _uniform(kind, frame)


def _python_safe(relation: Relation) -> Relation:
    """Return the relation with its times and dates as PostgreSQL prints them (text).

    A finding's own columns end up as JSON text anyway; as text they are the
    same for ordinary times, and a time Polars cannot convert (infinity, 4713 BC,
    kept from the source as it is) is shown instead of panicking.
    """
    types = zip(relation.columns, relation.types, strict=True)
    temporal = {c for c, t in types if str(t) in ("TIMESTAMP", "DATE")}
    if not temporal:
        return relation
    return relation.project(
        ", ".join(
            f"{pg_style(quote_ident(c))} AS {quote_ident(c)}" if c in temporal else quote_ident(c)
            for c in relation.columns
        )
    )


def _uniform(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Fold a query's own columns into ``detail`` (JSON); add the kind's severity and fix."""
    spec = KINDS[kind]
    if not frame.height:
        return empty_frame()
    own = [c for c in frame.columns if c not in ("entity_id", "title", "evidence")]
    detail = pl.struct(own).struct.json_encode() if own else pl.lit("{}")
    fix = pl.lit(spec.fix)
    if kind == "trackless_album":
        fix = pl.col("cause").replace_strict(FIX_BY_CAUSE, default=spec.fix)
    elif kind == "duplicate_album":
        fix = pl.when(pl.col("entity_id") == pl.col("survivor")).then(pl.lit("none")).otherwise(fix)
    title = pl.col("title") if "title" in frame.columns else pl.lit(None, pl.String)
    evidence = pl.col("evidence") if "evidence" in frame.columns else pl.lit([], pl.List(pl.String))
    return frame.select(
        pl.lit(kind).alias("kind"),
        pl.lit(spec.entity_type).alias("entity_type"),
        pl.col("entity_id"),
        title.cast(pl.String).alias("title"),
        pl.lit(spec.severity).alias("severity"),
        fix.alias("suggested_fix"),
        detail.alias("detail"),
        evidence.cast(pl.List(pl.String)).alias("evidence"),
    )
