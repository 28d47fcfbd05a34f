"""The findings about one album, for its dossier: the album-level checks over just that album's rows."""

from __future__ import annotations

import uuid

import duckdb

from ..snapshot.format import quote_ident
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
    main = quote_ident(con.execute("SELECT current_database()").fetchone()[0]) + ".main"
    album = f"CAST('{album_id}' AS UUID)"
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
        frames = run_findings(con, [k for k, spec in KINDS.items() if spec.entity_type == "ALBUM"])
    finally:
        for table in SHADOWED:
            con.execute(f"DROP TABLE IF EXISTS temp.main.{table}")
    return [f for f in to_findings(frames) if f.entity_id == album_id]


def _canonical_uuid(value: str) -> str:
    """Return ``value`` as a canonical uuid string (raises ValueError otherwise): safe inside SQL text."""
    return str(uuid.UUID(str(value)))
