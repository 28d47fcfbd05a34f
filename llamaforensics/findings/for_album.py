"""The findings about one album, for its dossier.

The album-level checks over just that album's rows.
"""

from __future__ import annotations

import uuid

import duckdb

from ..snapshot.format import one_row, quote_ident
from ..snapshot.lookup import mentioning, title_key
from .kinds import KINDS, Finding
from .run import run_findings, to_findings

SHADOWED = ("llama_logs", "tracks", "album_artists", "albums")


def findings_for_album(con: duckdb.DuckDBPyConnection, album_id: str) -> list[Finding]:
    """Return the album-level findings about one album (for its dossier).

    The checks run over temporary copies of ``albums``, ``tracks``,
    ``album_artists`` and ``llama_logs`` that hold just this album (and the
    albums sharing its title or discogs id, for duplicates) and their rows, so
    a dossier on a snapshot of millions of albums stays quick. The copies
    shadow the snapshot's tables until dropped.
    """
    album_id = _canonical_uuid(album_id)
    main = quote_ident(one_row(con.execute("SELECT current_database()"))[0]) + ".main"
    album = f"CAST('{album_id}' AS UUID)"
    # the album, and those that may be its duplicates: same title and primary artist, or same
    # discogs id
    key, discogs = con.execute(
        f"SELECT {title_key()}, discogs_id FROM {main}.albums WHERE id = {album}"
    ).fetchone() or (None, None)
    candidates, rows = mentioning(
        con,
        "albums",
        {"id": [album_id], "title_key": [key or None], "discogs_id": [discogs]},
        "candidates",
        scan=f"{main}.albums",
    )
    # which candidates to keep, from a few of their columns; then those rows whole (reading whole
    # rows of hundreds of candidates spread over the table cost 80 ms at 1M albums)
    kept = [
        a
        for (a,) in con.execute(
            f"""
        WITH {candidates},
             primary_artist AS (
                SELECT album_id, min(artist_id) AS artist_id FROM {main}.album_artists
                WHERE album_id IN (SELECT id FROM candidates) AND role = 'primary' AND position = 0
                      AND _lf_deleted_at IS NULL
                GROUP BY album_id)
        SELECT c.id::VARCHAR FROM candidates c LEFT JOIN primary_artist p ON p.album_id = c.id
        WHERE c.id = {album}
           OR c.discogs_id = $discogs
           OR ({title_key("c.title")} = $title_key
               AND p.artist_id = (
                   SELECT artist_id FROM primary_artist WHERE album_id = {album}))""",
            {"title_key": key, "discogs": discogs, **rows},
        ).fetchall()
    ]
    whole, rows = mentioning(con, "albums", {"id": kept}, "kept", scan=f"{main}.albums")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE albums AS WITH {whole} SELECT * FROM kept "
        "WHERE id IN (SELECT unnest($kept::UUID[]))",
        {"kept": kept, **rows},
    )
    try:
        albums = [a for (a,) in con.execute("SELECT id::VARCHAR FROM temp.main.albums").fetchall()]
        tracks, rows = mentioning(
            con, "tracks", {"album_id": albums}, "candidates", scan=f"{main}.tracks"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE tracks AS WITH {tracks} SELECT * FROM candidates "
            "WHERE album_id IN (SELECT id FROM temp.main.albums)",
            rows,
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE album_artists AS SELECT * FROM {main}.album_artists "
            "WHERE album_id IN (SELECT id FROM temp.main.albums)"
        )
        logs, rows = mentioning(
            con,
            "llama_logs",
            {"album_id": albums, "entity_id": albums},
            "candidates",
            scan=f"{main}.llama_logs",
        )
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE llama_logs AS
            WITH {logs}
            SELECT * FROM candidates WHERE album_id IN (SELECT id FROM temp.main.albums)
            UNION ALL
            SELECT * FROM candidates
            WHERE album_id IS NULL AND entity_id IN (SELECT id FROM temp.main.albums)""",
            rows,
        )
        frames = run_findings(con, [k for k, spec in KINDS.items() if spec.entity_type == "ALBUM"])
    finally:
        for table in SHADOWED:
            con.execute(f"DROP TABLE IF EXISTS temp.main.{table}")
    return [f for f in to_findings(frames) if f.entity_id == album_id]


def _canonical_uuid(value: str) -> str:
    """Return ``value`` as a canonical uuid string, safe inside SQL text (else ValueError)."""
    return str(uuid.UUID(str(value)))
