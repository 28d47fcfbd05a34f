"""Run the findings on a snapshot: one Polars frame per kind, the same columns for every kind.

Columns: kind, entity_type, entity_id, title, severity, suggested_fix, detail
(JSON text: the kind's own facts), evidence (llama_logs ids). Checks only read;
printing, plotting and repairing consume these frames.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import duckdb
import polars as pl

from ..errors import UsageError
from ..queries import load_query
from ..snapshot.format import quote_ident, read_manifests
from .kinds import KINDS, LINEAGE_PROBLEMS, Finding, Thresholds

COLUMNS = ("kind", "entity_type", "entity_id", "title", "severity", "suggested_fix", "detail", "evidence")
_PARAM = re.compile(r"\$([a-z_]+)")
FIX_BY_CAUSE = {"tracks_never_fetched": "fetch_tracks", "never_enriched": "requeue_enrichment",
                "edition_suffix": "set_external_id", "too_new_for_musicbrainz": "add_tracks", "unknown": "add_tracks"}


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={c: (pl.List(pl.String) if c == "evidence" else pl.String) for c in COLUMNS})


def _uniform(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Fold a query's own columns into ``detail`` (JSON) and add the kind's severity and fix, column-wise."""
    spec = KINDS[kind]
    if not frame.height:
        return _empty()
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
        pl.lit(kind).alias("kind"), pl.lit(spec.entity_type).alias("entity_type"), pl.col("entity_id"),
        title.cast(pl.String).alias("title"), pl.lit(spec.severity).alias("severity"), fix.alias("suggested_fix"),
        detail.alias("detail"), evidence.cast(pl.List(pl.String)).alias("evidence"),
    )


def _sql_kind(con: duckdb.DuckDBPyConnection, kind: str, params: dict) -> pl.DataFrame:
    sql = load_query(kind)
    wanted = {name: params[name] for name in _PARAM.findall(sql)}
    return _uniform(kind, con.execute(sql, wanted).pl())


def _lineage_kinds(con: duckdb.DuckDBPyConnection, kinds: set[str]) -> dict[str, pl.DataFrame]:
    from ..lineage import check_roots, cycles

    problems = check_roots(con)
    loops = {job: cycle for cycle in cycles(con) for job in cycle}
    out = {}
    for problem, kind in LINEAGE_PROBLEMS.items():
        if kind not in kinds:
            continue
        rows = problems.filter(pl.col("problem") == problem)
        frame = pl.DataFrame({
            "entity_id": rows["id"], "title": [None] * rows.height,
            "job_id": rows["job_id"], "stored": rows["root_job_id"], "inferred": rows["inferred_root"],
            "missing_parent": rows["missing_parent"],
            "cycle": [loops.get(j, []) for j in rows["job_id"]],
            "evidence": [[i] for i in rows["id"]],
        }, schema_overrides={"title": pl.String, "cycle": pl.List(pl.String), "evidence": pl.List(pl.String)})
        keep = {"null_root_job_id": ["job_id", "inferred"], "wrong_root_job_id": ["job_id", "stored", "inferred"],
                "broken_parent_chain": ["job_id", "missing_parent"], "looping_parent_chain": ["job_id", "cycle"]}[kind]
        out[kind] = _uniform(kind, frame.select("entity_id", "title", *keep, "evidence"))
    return out


def snapshot_time(con: duckdb.DuckDBPyConnection) -> datetime:
    """The time time-based findings are measured against: when the snapshot's source was read."""
    return read_manifests(con)[-1].taken_at


def run_findings(con: duckdb.DuckDBPyConnection, kinds=None, thresholds: Thresholds | None = None) -> dict[str, pl.DataFrame]:
    """Run the findings (all kinds, or ``kinds``) on a snapshot connection; return one frame per kind."""
    kinds = list(kinds or KINDS)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise UsageError(f"unknown finding kind {', '.join(unknown)}; the kinds are: {', '.join(KINDS)}")
    params = {"now": snapshot_time(con), **(thresholds or Thresholds()).params()}
    frames = {k: _sql_kind(con, k, params) for k in kinds if KINDS[k].source == "sql"}
    lineage = {k for k in kinds if KINDS[k].source == "lineage"}
    if lineage:
        frames.update(_lineage_kinds(con, lineage))
    return {k: frames[k] for k in kinds}


def to_findings(frames: dict[str, pl.DataFrame]) -> list[Finding]:
    """Return the frames' rows as :class:`Finding` records."""
    return [Finding(**{**row, "detail": json.loads(row["detail"])}) for frame in frames.values() for row in frame.to_dicts()]


def findings_for_album(con: duckdb.DuckDBPyConnection, album_id: str) -> list[Finding]:
    """Return the album-level findings about one album (for its dossier).

    The checks run over temporary copies of ``albums``, ``tracks``,
    ``album_artists`` and ``llama_logs`` that hold just this album (and the
    albums sharing its title or discogs id, for duplicates) and their rows, so a dossier on a snapshot of millions of
    albums stays quick. The copies shadow the snapshot's tables until dropped.
    """
    main = quote_ident(con.execute("SELECT current_database()").fetchone()[0]) + ".main"
    album = f"CAST('{_uuid(album_id)}' AS UUID)"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE albums AS
        SELECT * FROM {main}.albums WHERE id = {album}
           OR lower(strip_accents(title)) = (SELECT lower(strip_accents(title)) FROM {main}.albums WHERE id = {album})
           OR discogs_id = (SELECT discogs_id FROM {main}.albums WHERE id = {album})""")
    try:
        for table in ("tracks", "album_artists"):
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {main}.{table} "
                        "WHERE album_id IN (SELECT id FROM temp.main.albums)")
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE llama_logs AS
            SELECT * FROM {main}.llama_logs WHERE album_id IN (SELECT id FROM temp.main.albums)
            UNION ALL
            SELECT * FROM {main}.llama_logs WHERE album_id IS NULL AND entity_id IN (SELECT id FROM temp.main.albums)""")
        album_kinds = [k for k, spec in KINDS.items() if spec.entity_type == "ALBUM"]
        frames = run_findings(con, album_kinds)
    finally:
        for table in ("llama_logs", "tracks", "album_artists", "albums"):
            con.execute(f"DROP TABLE IF EXISTS temp.main.{table}")
    return [f for f in to_findings(frames) if f.entity_id == album_id]


def _uuid(value: str) -> str:
    """Return ``value`` as a canonical uuid string (raises ValueError otherwise): safe inside SQL text."""
    import uuid

    return str(uuid.UUID(str(value)))
