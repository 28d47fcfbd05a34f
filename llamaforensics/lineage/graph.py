"""Job-lineage graphs for the jobs people look at: one album's, or one job's whole tree.

Nodes are jobs (a job's log rows are attached to it), edges go job -> parent
job. The set of jobs is found in SQL (a recursive walk with UNION, which stops
on loops); networkx holds only that small set.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import networkx as nx

ROW_COLUMNS = ("id", "created_at", "operation", "category", "status", "entity_type", "album_id", "track_id",
               "artist_id", "reason", "error_message", "root_job_id", "is_root_job", "triggered_by", "user_id")
_ROW_SELECT = ", ".join(f"{c}::VARCHAR AS {c}" if c in ("id", "category", "status", "entity_type", "album_id", "track_id",
                                                       "artist_id") else c for c in ROW_COLUMNS)

_ALBUM_JOBS = """
SELECT DISTINCT job_id FROM llama_logs
WHERE job_id IS NOT NULL AND (
      album_id = $album OR (entity_type = 'ALBUM' AND entity_id = $album)
   OR track_id IN (SELECT id FROM tracks WHERE album_id = $album)
   OR artist_id IN (SELECT artist_id FROM album_artists WHERE album_id = $album))
"""
_UP_AND_DOWN = """
WITH RECURSIVE
  edges AS (SELECT DISTINCT job_id, parent_job_id AS parent FROM llama_logs WHERE job_id IS NOT NULL),
  up(job_id) AS (
      SELECT unnest($jobs::VARCHAR[])
      UNION
      SELECT e.parent FROM up JOIN edges e ON e.job_id = up.job_id WHERE e.parent IS NOT NULL),
  down(job_id) AS (
      SELECT unnest($down::VARCHAR[])
      UNION
      SELECT e.job_id FROM down JOIN edges e ON e.parent = down.job_id)
SELECT job_id FROM up UNION SELECT job_id FROM down
"""


def _jobs_around(con: duckdb.DuckDBPyConnection, jobs: list[str], down_from: list[str]) -> list[str]:
    """Return ``jobs`` with every ancestor, plus ``down_from`` with every descendant."""
    if not jobs and not down_from:
        return []
    rows = con.execute(_UP_AND_DOWN, {"jobs": jobs, "down": down_from}).fetchall()
    return sorted(j for (j,) in rows if j is not None)


def album_lineage(con: duckdb.DuckDBPyConnection, album_id: str) -> nx.DiGraph:
    """Return the jobs that touched the album, its tracks or its artists, up to their roots and down to their children."""
    touching = [j for (j,) in con.execute(_ALBUM_JOBS, {"album": album_id}).fetchall()]
    graph = job_graph(con, _jobs_around(con, touching, touching))
    for job in touching:
        graph.nodes[job]["touches_album"] = True
    return graph


def job_lineage(con: duckdb.DuckDBPyConnection, job_id: str) -> nx.DiGraph:
    """Return the job's whole tree: its ancestors up to the root, and everything below that root."""
    ancestors = _jobs_around(con, [job_id], [])
    tops = [j for j in ancestors if not con.execute(
        "SELECT count(*) FROM llama_logs WHERE job_id = $j AND parent_job_id IS NOT NULL", {"j": j}).fetchone()[0]]
    return job_graph(con, _jobs_around(con, ancestors, tops or [job_id]))


def job_graph(con: duckdb.DuckDBPyConnection, job_ids: list[str]) -> nx.DiGraph:
    """Return the DiGraph of ``job_ids`` with their rows; parents no row has become ``missing`` nodes."""
    rows = con.execute(
        f"SELECT job_id, parent_job_id, {_ROW_SELECT} FROM llama_logs "
        "WHERE job_id IN (SELECT unnest($jobs::VARCHAR[])) ORDER BY created_at, id", {"jobs": job_ids}).fetchall()
    graph = nx.DiGraph()
    for job, parent, *values in rows:
        if job not in graph or "rows" not in graph.nodes[job]:
            graph.add_node(job, rows=[], missing=False)
        graph.nodes[job]["rows"].append(dict(zip(ROW_COLUMNS, values)))
        if parent:
            graph.add_edge(job, parent)
    for job in graph.nodes:
        graph.nodes[job].setdefault("rows", [])
        graph.nodes[job]["missing"] = not graph.nodes[job]["rows"]
        _summarise(graph.nodes[job])
    return graph


def _summarise(node: dict) -> None:
    rows = node["rows"]
    node["first_at"] = rows[0]["created_at"] if rows else None
    node["category"] = rows[0]["category"] if rows else None
    node["operations"] = sorted({r["operation"] for r in rows})
    node["failed"] = any(r["status"] == "FAILED" for r in rows)


def to_graphml(graph: nx.DiGraph, path: str | Path) -> Path:
    """Write the graph as GraphML (attributes flattened to text; the rows as JSON)."""
    flat = nx.DiGraph()
    for job, data in graph.nodes(data=True):
        flat.add_node(job, rows=json.dumps(data.get("rows", []), default=_iso, ensure_ascii=False),
                      first_at=_iso(data.get("first_at")) or "", category=data.get("category") or "",
                      operations=",".join(data.get("operations", [])), failed=bool(data.get("failed")),
                      missing=bool(data.get("missing")))
    flat.add_edges_from(graph.edges)
    path = Path(path)
    nx.write_graphml(flat, path)
    return path


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value
