"""A small, hand-made catalog for the repair tests: every kind of broken album, hostile strings, references."""

from __future__ import annotations

import psycopg

USER = "admin-1"
ARTIST_A = "a0000000-0000-0000-0000-00000000000a"
ARTIST_B = "b0000000-0000-0000-0000-00000000000b"
ALBUM = "10000000-0000-0000-0000-000000000001"  # two tracks, artist A, collected
TRACKLESS = "20000000-0000-0000-0000-000000000002"  # no tracks, no artist
DUPLICATE = "30000000-0000-0000-0000-000000000003"  # same release as ALBUM
TRACK_1 = "11000000-0000-0000-0000-000000000001"
TRACK_2 = "11000000-0000-0000-0000-000000000002"
DUP_TRACK = "33000000-0000-0000-0000-000000000001"
MBID = "4d5e6f70-0000-4000-8000-000000000001"
HOSTILE = 'It\'s "quoted"; DROP TABLE albums; -- 🦙 雨\nnew line\t\\'

SEED = f"""
INSERT INTO "User" (id, name, "updatedAt") VALUES ('{USER}', 'Admin', '2024-01-01');
INSERT INTO artists (id, name, updated_at) VALUES ('{ARTIST_A}', 'Björk', '2024-01-01'),
                                                  ('{ARTIST_B}', 'Other', '2024-01-01');
INSERT INTO albums (id, title, release_date, data_quality, updated_at, created_at, track_count, metadata, genres)
VALUES ('{ALBUM}', 'Silent Rivers', '2020-05-01', 'LOW', '2024-01-01 10:00:00.123', '2024-01-01', 2,
        '{{"syncSource": "spotify_search"}}', ARRAY['pop']),
       ('{TRACKLESS}', 'New Thing (Deluxe)', NULL, 'LOW', '2024-01-02', '2024-01-02', 0, NULL, NULL),
       ('{DUPLICATE}', 'Silent rivers', '2020-05-01', 'LOW', '2024-01-03', '2024-01-03', 1, NULL, NULL);
INSERT INTO tracks (id, album_id, title, track_number, updated_at) VALUES
  ('{TRACK_1}', '{ALBUM}', 'One', 1, '2024-01-01'), ('{TRACK_2}', '{ALBUM}', 'Two', 2, '2024-01-01'),
  ('{DUP_TRACK}', '{DUPLICATE}', 'One', 1, '2024-01-03');
INSERT INTO album_artists (album_id, artist_id) VALUES ('{ALBUM}', '{ARTIST_A}'), ('{DUPLICATE}', '{ARTIST_A}');
INSERT INTO track_artists (track_id, artist_id) VALUES ('{TRACK_1}', '{ARTIST_A}'), ('{DUP_TRACK}', '{ARTIST_A}');
INSERT INTO "Collection" (id, name, "userId", "updatedAt") VALUES
  ('c1', 'mine', '{USER}', '2024-01-01'), ('c2', 'other', '{USER}', '2024-01-01'),
  ('c3', 'third', '{USER}', '2024-01-01');
INSERT INTO "CollectionAlbum" (id, "collectionId", album_id) VALUES ('ca1', 'c1', '{ALBUM}'),
  ('ca2', 'c3', '{DUPLICATE}'), ('ca3', 'c2', '{DUPLICATE}');
INSERT INTO "Recommendation" (id, "userId", basis_album_id, recommended_album_id, score, "updatedAt")
VALUES ('r1', '{USER}', '{DUPLICATE}', '{TRACKLESS}', 80, '2024-01-01');
INSERT INTO marquee_albums (album_id) VALUES ('{DUPLICATE}');
INSERT INTO llama_logs (entity_type, entity_id, album_id, operation, category, status, job_id, is_root_job,
                        root_job_id, created_at)
VALUES ('ALBUM', '{ALBUM}', '{ALBUM}', 'album:created:spotify-sync', 'CREATED', 'SUCCESS', 'j1', true, 'j1',
        '2024-01-01'),
       ('ALBUM', '{DUPLICATE}', '{DUPLICATE}', 'album:created:spotify-sync', 'CREATED', 'SUCCESS', 'j2', true, 'j2',
        '2024-01-03');
INSERT INTO llama_logs (entity_type, entity_id, album_id, track_id, operation, category, status, created_at)
VALUES ('TRACK', '{DUP_TRACK}', '{DUPLICATE}', '{DUP_TRACK}', 'track:created:spotify-sync', 'CREATED', 'SUCCESS',
        '2024-01-03'),
       ('TRACK', '{TRACK_2}', '{ALBUM}', '{TRACK_2}', 'track:created:spotify-sync', 'CREATED', 'SUCCESS',
        '2024-01-01');
"""

CATALOG_TABLES = (
    "albums",
    "artists",
    "tracks",
    "album_artists",
    "track_artists",
    "CollectionAlbum",
    "Recommendation",
    "marquee_albums",
)


def seed(dsn) -> None:
    with psycopg.connect(dsn.conninfo) as conn:
        conn.execute(SEED)


def reset(dsn) -> None:
    """Empty every table and seed the small catalog again: a fresh database, minus the CREATE/DROP DATABASE."""
    with psycopg.connect(dsn.conninfo) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE'"
            )
        ]
        conn.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        conn.execute(SEED)


_SHARED: dict = {}


def fresh_catalog(databases, upstream_template):
    """Return the repair tests' database, emptied and seeded again for the calling test.

    One database serves every repair test: resetting it costs milliseconds, while
    each DROP DATABASE at the end of the run costs a checkpoint.
    """
    if "db" not in _SHARED:
        _SHARED["db"] = databases.new("repair", template=upstream_template)
    reset(_SHARED["db"])
    return _SHARED["db"]


def checksums(dsn, tables=None, *, ignore=()) -> dict[str, str]:
    """Return an md5 of every row of every public table (or ``tables``), ignoring ``ignore`` columns."""
    with psycopg.connect(dsn.conninfo) as conn:
        names = tables or [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
            )
        ]
        out = {}
        for name in names:
            cols = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                    "AND table_name = %s AND column_name <> ALL(%s) ORDER BY ordinal_position",
                    [name, list(ignore)],
                )
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            out[name] = conn.execute(
                f"SELECT md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) "
                f'FROM (SELECT ROW({select}) AS x FROM "{name}") t'
            ).fetchone()[0]
        return out


def query(dsn, sql: str, params=()) -> list[dict]:
    with psycopg.connect(dsn.conninfo) as conn:
        cur = conn.execute(sql, params)
        names = [d.name for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
