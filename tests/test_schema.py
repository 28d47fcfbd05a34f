"""The fixture schema is the app's schema.

The comparison with the app's own pg_dump (``../shared/upstream/schema.sql``,
restored with psql) lives in test_schema_fidelity.py; the tests here pin, by
introspecting pg_catalog, the facts of it that the workbench relies on.
"""

from __future__ import annotations

import psycopg
import pytest

LLAMA_LOGS = {
    "id": ("uuid", True),
    "entity_type": ('"EnrichmentEntityType"', False),
    "entity_id": ("uuid", False),
    "artist_id": ("uuid", False),
    "album_id": ("uuid", False),
    "track_id": ("uuid", False),
    "operation": ("character varying(100)", True),
    "category": ('"LlamaLogCategory"', True),
    "sources": ("text[]", False),
    "status": ('"EnrichmentStatus"', True),
    "reason": ("text", False),
    "fields_enriched": ("text[]", False),
    "data_quality_before": ('"DataQuality"', False),
    "data_quality_after": ('"DataQuality"', False),
    "error_message": ("text", False),
    "error_code": ("character varying(50)", False),
    "retry_count": ("integer", True),
    "duration_ms": ("integer", False),
    "api_call_count": ("integer", True),
    "metadata": ("jsonb", False),
    "preview_data": ("jsonb", False),
    "job_id": ("character varying(100)", False),
    "parent_job_id": ("character varying(100)", False),
    "root_job_id": ("character varying(100)", False),
    "is_root_job": ("boolean", True),
    "triggered_by": ("character varying(50)", False),
    "user_id": ("text", False),
    "created_at": ("timestamp(3) without time zone", True),
}

LLAMA_LOGS_INDEXED = [
    ("album_id", "created_at"),
    ("artist_id", "created_at"),
    ("track_id", "created_at"),
    ("entity_type", "entity_id"),
    ("category", "created_at"),
    ("status", "created_at"),
    ("is_root_job", "created_at"),
    ("operation",),
    ("parent_job_id",),
    ("root_job_id",),
    ("user_id",),
    ("sources",),
]


def query(dsn, sql, params=None):
    with psycopg.connect(dsn.conninfo) as conn:
        return conn.execute(sql, params).fetchall()


def columns(dsn, table):
    rows = query(
        dsn,
        """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""",
        [f'public."{table}"'],
    )
    return {name: (type_, notnull, default) for name, type_, notnull, default in rows}


def test_llama_logs_columns_types_and_nullability(empty_db):
    cols = columns(empty_db, "llama_logs")
    assert {name: (t, nn) for name, (t, nn, _) in cols.items()} == LLAMA_LOGS
    assert cols["id"][2] == "gen_random_uuid()"
    assert cols["is_root_job"][2] == "false" and cols["retry_count"][2] == "0"


@pytest.mark.parametrize(
    "index_columns", [pytest.param(c, id="+".join(c)) for c in LLAMA_LOGS_INDEXED]
)
def test_llama_logs_upstream_indexes_exist(empty_db, index_columns):
    rows = query(
        empty_db,
        """
        SELECT array_agg(a.attname ORDER BY k.ord)
        FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = 'public.llama_logs'::regclass GROUP BY i.indexrelid""",
    )
    assert list(index_columns) in [r[0] for r in rows]


def test_every_foreign_key_into_the_catalog_cascades(empty_db):
    rows = query(
        empty_db,
        """
        SELECT conrelid::regclass::text, confrelid::regclass::text, confdeltype, confupdtype,
               (SELECT attname FROM pg_attribute WHERE attrelid = conrelid AND attnum = conkey[1])
        FROM pg_constraint WHERE contype = 'f'""",
    )
    into_catalog = [r for r in rows if r[1] in ("albums", "artists", "tracks")]
    assert {(r[0], r[4]) for r in into_catalog} >= {
        ("llama_logs", "album_id"),
        ("llama_logs", "artist_id"),
        ("llama_logs", "track_id"),
        ("tracks", "album_id"),
        ("album_artists", "album_id"),
        ("album_artists", "artist_id"),
        ("track_artists", "track_id"),
        ("track_artists", "artist_id"),
        ('"CollectionAlbum"', "album_id"),
        ('"Recommendation"', "basis_album_id"),
        ('"Recommendation"', "recommended_album_id"),
        ("marquee_albums", "album_id"),
        ("uncover_challenges", "album_id"),
        ("curated_challenges", "album_id"),
        ("uncover_guesses", "guessed_album_id"),
        ("user_favorite_artists", "artistId"),
        ("artist_similarities", "seed_artist_id"),
        ("artist_similarities", "similar_artist_id"),
    }
    set_null = {
        ("uncover_guesses", "guessed_album_id"),
        ("artist_similarities", "similar_artist_id"),
    }
    for table, _, on_delete, on_update, column in into_catalog:
        expected_delete = "n" if (table, column) in set_null else "c"
        assert (on_delete, on_update) == (expected_delete, "c"), (table, column)
    user_fk = [r for r in rows if r[0] == "llama_logs" and r[4] == "user_id"]
    assert [(r[1], r[2]) for r in user_fk] == [('"User"', "n")]


def test_updated_at_is_not_null_without_default_everywhere(empty_db):
    rows = query(
        empty_db,
        """
        SELECT c.relname, a.attnotnull, a.atthasdef FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE a.attname IN ('updated_at', 'updatedAt') AND c.relkind = 'r'
          AND c.relnamespace = 'public'::regnamespace""",
    )
    assert {r[0] for r in rows} >= {"albums", "artists", "tracks", "sync_jobs", "User"}
    assert all(notnull and not hasdef for _, notnull, hasdef in rows)


def test_ids_timestamps_and_lists_have_the_upstream_types(empty_db):
    albums = columns(empty_db, "albums")
    assert albums["id"][:1] + albums["id"][2:] == ("uuid", "gen_random_uuid()")
    assert albums["genres"][0] == "text[]" and albums["metadata"][0] == "jsonb"
    assert albums["created_at"][0] == albums["last_enriched"][0] == "timestamp(3) without time zone"
    assert (
        albums["source"][0] == '"ContentSource"'
        and albums["source"][2] == "'MUSICBRAINZ'::\"ContentSource\""
    )
    assert (
        albums["release_country"][0] == "character varying(2)"
        and albums["search_vector"][0] == "tsvector"
    )
    assert columns(empty_db, "User")["id"][:2] == ("text", True)
    assert columns(empty_db, "tracks")["disc_number"][1:] == (True, "1")


def test_unique_keys_the_repairs_will_meet(empty_db):
    rows = query(
        empty_db,
        """
        SELECT indrelid::regclass::text, array_agg(a.attname ORDER BY a.attnum)
        FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indisunique AND NOT i.indisprimary GROUP BY i.indexrelid, indrelid""",
    )
    uniques = {(t, tuple(c)) for t, c in rows}
    assert {
        ("albums", ("musicbrainz_id",)),
        ("albums", ("spotify_id",)),
        ("albums", ("deezer_id",)),
        ("artists", ("musicbrainz_id",)),
        ("tracks", ("album_id", "musicbrainz_id")),
        ("sync_jobs", ("job_id",)),
        ('"CollectionAlbum"', ("collectionId", "album_id")),
    } <= uniques
    pks = query(
        empty_db,
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'public.album_artists'::regclass AND contype = 'p'",
    )
    assert pks == [("PRIMARY KEY (album_id, artist_id, role)",)]
