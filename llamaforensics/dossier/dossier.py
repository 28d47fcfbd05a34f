"""The album dossier: everything the snapshot knows about one album, in one object.

Its row, its artists and tracks, the timeline of every log row about it, its
tracks or its artists, the jobs that touched it, its findings, and -- from
those facts alone -- the story of how it got here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb
import networkx as nx
import polars as pl

from ..findings import findings_for_album
from ..lineage.graph import album_lineage
from ..snapshot import open_snapshot
from ..snapshot.extremes import shown_row, shown_rows, shown_select
from ..snapshot.format import read_manifests
from ..snapshot.lookup import album_log, mentioning
from .search import resolve_album
from .story import Sentence, tell_story

TIMELINE_SQL = """
WITH {log},
     -- each branch reads one column of the log: no OR across columns over millions of rows
     about AS (
        SELECT id FROM log WHERE album_id = $album
        UNION SELECT id FROM log WHERE entity_id = $album AND entity_type = 'ALBUM'
        UNION SELECT id FROM log WHERE track_id IN (SELECT unnest($tracks::UUID[]))
        UNION SELECT id FROM log
              WHERE entity_id IN (SELECT unnest($tracks::UUID[])) AND entity_type = 'TRACK'
        UNION SELECT id FROM log WHERE artist_id IN (SELECT unnest($artists::UUID[]))
        UNION SELECT id FROM log
              WHERE entity_id IN (SELECT unnest($artists::UUID[])) AND entity_type = 'ARTIST'),
     rows AS MATERIALIZED (SELECT * FROM log SEMI JOIN about ON about.id = log.id),
     {names}
SELECT l.created_at, l.category::VARCHAR AS category, l.operation, l.status::VARCHAR AS status,
       l.entity_type::VARCHAR AS entity_type,
       coalesce(t.title, ar.name,
                CASE WHEN l.entity_type = 'ALBUM' OR l.album_id IS NOT NULL THEN 'album' END
       ) AS entity,
       CASE l.entity_type WHEN 'TRACK' THEN coalesce(l.track_id, l.entity_id)
                          WHEN 'ARTIST' THEN coalesce(l.artist_id, l.entity_id)
                          ELSE coalesce(l.album_id, l.entity_id) END::VARCHAR AS entity_id,
       l.sources, l.fields_enriched, l.reason, l.error_message,
       l.job_id, l.parent_job_id, l.root_job_id, l.is_root_job, l.triggered_by,
       u.name AS user_name, l.user_id, l.metadata::VARCHAR AS metadata,
       l.id::VARCHAR AS log_id, l._lf_deleted_at AS deleted_upstream_at
FROM rows l
LEFT JOIN track_names t
       ON t.id = coalesce(l.track_id, CASE WHEN l.entity_type = 'TRACK' THEN l.entity_id END)
LEFT JOIN artist_names ar
       ON ar.id = coalesce(l.artist_id, CASE WHEN l.entity_type = 'ARTIST' THEN l.entity_id END)
LEFT JOIN users u ON u.id = l.user_id
ORDER BY l.created_at, l.id
"""


def timeline(con: duckdb.DuckDBPyConnection, album_id: str) -> pl.DataFrame:
    """Return every log row about the album, its tracks or its artists, oldest first.

    Each row says what it is about (the track's title, the artist's name, or "album").
    """
    log, rows, members = album_log(con, album_id, materialized=True)  # named seven times below
    names = "track_names AS (SELECT * FROM tracks), artist_names AS (SELECT * FROM artists)"
    found: dict[str, Any] = {}
    if rows:  # the rows came by lookup: so do the tracks and artists they name
        # (joining all tracks read 9M of them)
        [(tracks, artists)] = con.execute(
            f"WITH {log} SELECT "
            "list(DISTINCT coalesce(track_id, CASE WHEN entity_type = 'TRACK' THEN entity_id END)"
            "::VARCHAR), "
            "list(DISTINCT coalesce(artist_id, CASE WHEN entity_type = 'ARTIST' THEN entity_id END)"
            "::VARCHAR) "
            "FROM log",
            rows,
        ).fetchall()
        track_names, found = mentioning(con, "tracks", {"id": tracks or []}, "track_names")
        artist_names, more = mentioning(con, "artists", {"id": artists or []}, "artist_names")
        names, found = f"{track_names}, {artist_names}", {**found, **more}
    # created_at clamped to Python's range, PostgreSQL's text beside it (see snapshot.extremes)
    shown = shown_select(con, "llama_logs", "tl", key="log_id", columns={"created_at": "TIMESTAMP"})
    return con.execute(
        f"SELECT {shown} FROM ({TIMELINE_SQL.format(log=log, names=names)}) tl "
        "ORDER BY tl.created_at, tl.log_id",
        {"album": album_id, **rows, **members, **found},
    ).pl()


@dataclass
class AlbumDossier:
    """What the snapshot knows about one album (see :func:`dossier`)."""

    album: dict[str, Any]
    artists: list[dict[str, Any]]
    tracks: pl.DataFrame
    timeline: pl.DataFrame
    snapshot_time: datetime
    candidates: pl.DataFrame
    lineage: nx.DiGraph | None = None  # the jobs that touched the album, with their kin
    findings: list = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    batch_sizes: dict[str, int] = field(default_factory=dict)  # sync batch job -> albums it created

    @property
    def album_id(self) -> str:
        return str(self.album["id"])

    @property
    def title(self) -> str:
        return self.album["title"]

    def story(self) -> list[Sentence]:
        """Return the plain-language story, each sentence with the log rows it rests on."""
        return tell_story(self)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the whole dossier (story included)."""
        return _jsonable(
            {
                "album": self.album,
                "artists": self.artists,
                "tracks": shown_rows(self.tracks),
                "timeline": shown_rows(self.timeline),
                "snapshot_time": self.snapshot_time,
                "story": [s.to_dict() for s in self.story()],
                "findings": [getattr(f, "__dict__", f) for f in self.findings],
                "history": self.history,
                "other_candidates": self.candidates.to_dicts()[1:],
            }
        )

    def to_json(self, **kwargs: Any) -> str:
        """Return the dossier as JSON text (``kwargs`` go to ``json.dumps``, e.g. ``indent``)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)


def _jsonable(value: object) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def dossier(
    query: str, snapshot: str | os.PathLike | duckdb.DuckDBPyConnection | None = None
) -> AlbumDossier:
    """Return the dossier of the album ``query`` names (id, external id or title) in a snapshot.

    ``snapshot`` is a path, an open connection, or None for the default snapshot.
    """
    con = snapshot if isinstance(snapshot, duckdb.DuckDBPyConnection) else open_snapshot(snapshot)
    try:
        album_id, candidates = resolve_album(con, query)
        return build_dossier(con, album_id, candidates)
    finally:
        if con is not snapshot:
            con.close()


def build_dossier(
    con: duckdb.DuckDBPyConnection,
    album_id: str,
    candidates: pl.DataFrame | None = None,
    *,
    findings: list | None = None,
) -> AlbumDossier:
    """Gather the album's dossier.

    ``findings``, when the caller already ran them, spares running them again.
    """
    album_row = f"SELECT {shown_select(con, 'albums', 'a')} FROM albums a WHERE id = $a"
    album = shown_row(con.execute(album_row, {"a": album_id}).pl().to_dicts()[0])
    artists = (
        con.execute(
            "SELECT ar.id::VARCHAR AS id, ar.name, aa.role, aa.position, "
            "ar.musicbrainz_id::VARCHAR AS musicbrainz_id "
            "FROM album_artists aa JOIN artists ar ON ar.id = aa.artist_id "
            "WHERE aa.album_id = $a ORDER BY aa.position, ar.name",
            {"a": album_id},
        )
        .pl()
        .to_dicts()
    )
    track_times = shown_select(con, "tracks", "t", columns={"created_at": "TIMESTAMP"})
    tracks = con.execute(
        f"SELECT {track_times} FROM (SELECT id::VARCHAR AS id, disc_number, track_number, title, "
        "duration_ms, musicbrainz_id::VARCHAR AS musicbrainz_id, created_at, _lf_deleted_at "
        "FROM tracks WHERE album_id = $a) t ORDER BY disc_number, track_number",
        {"a": album_id},
    ).pl()
    rows = timeline(con, album_id)
    manifests = read_manifests(con)
    result = AlbumDossier(
        album,
        artists,
        tracks,
        rows,
        manifests[-1].taken_at,
        candidates if candidates is not None else pl.DataFrame(),
        history=[{"seq": m.seq, "kind": m.kind, "taken_at": m.taken_at} for m in manifests],
    )
    result.batch_sizes = _batch_sizes(con, rows)
    result.lineage = album_lineage(con, album_id)
    result.findings = findings_for_album(con, album_id) if findings is None else findings
    return result


def _batch_sizes(con: duckdb.DuckDBPyConnection, timeline: pl.DataFrame) -> dict[str, int]:
    """Return how many albums each sync batch that created this album created in all."""
    created = timeline.filter(
        (pl.col("category") == "CREATED") & (pl.col("entity_type") == "ALBUM")
    )["parent_job_id"]
    parents = [p for p in created.to_list() if p]
    if not parents:
        return {}
    log, rows = mentioning(con, "llama_logs", {"parent_job_id": parents}, "log")
    found = con.execute(
        f"WITH {log} SELECT parent_job_id, count(*) FROM log "
        "WHERE parent_job_id IN (SELECT unnest($p)) "
        "AND category = 'CREATED' AND entity_type = 'ALBUM' GROUP BY ALL",
        {"p": parents, **rows},
    ).fetchall()
    return dict(found)
