"""Find an album from what a person has at hand: an id, an external id, or a half-remembered title.

Ids (the album's own, MusicBrainz, Spotify, Deezer, Discogs) match exactly and
rank first. Anything else is a fuzzy title search that forgives case, accents,
punctuation and edition suffixes ("(Deluxe)", "[Bonus Track Version]"), and
uses the artist when the query names one ("Title - Artist", "Title by Artist").

Titles are compared by Unicode rules, in every script: lower-cased by Unicode
case mapping, marks (accents, combining characters, vowel signs) stripped
after decomposition, and every letter, number and symbol (CJK, Arabic,
Cyrillic, emoji) kept; only punctuation and spaces separate words. The query
is NFKC-normalised first (full-width letters, ligatures). The catalog side is
DuckDB's own lower/strip_accents/nfc_normalize, so a search over a million
titles stays one vectorised scan; the query side does the same in Python.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import duckdb
import polars as pl

from ..errors import LlamaForensicsError

# The same normalisation in SQL (for the catalog) and in Python (for the query).
_EDITION_PATTERN = (
    r"\s*[\(\[][^\)\]]*(edition|deluxe|remaster|version|anniversary|expanded|bonus)[^\)\]]*[\)\]]"
)
_SQL_NORMALISE = (
    "trim(regexp_replace(regexp_replace(nfc_normalize(strip_accents(lower({0}))), "
    "'" + _EDITION_PATTERN + "', '', 'g'), "
    r"'[^\p{{L}}\p{{N}}\p{{So}}]+', ' ', 'g'))"
)
_EDITION = re.compile(_EDITION_PATTERN)
_ARTIST_SPLIT = re.compile(r"\s+(?:-|–|—|by)\s+", re.IGNORECASE)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
MIN_SCORE = 0.75


class AlbumNotFound(LlamaForensicsError):
    """No album matches the query."""


@dataclass(frozen=True)
class Query:
    text: str
    title: str
    artist: str | None


def normalise(text: str) -> str:
    """Return ``text`` as titles are compared: NFKC, lower case, no marks, edition or punctuation.

    Letters, numbers and symbols of every script are kept (``東京事変``, ``مرحبا``, ``🦙``).
    """
    # final sigma lower-cases as sigma, as DuckDB's lower() (the catalog side) does
    lowered = unicodedata.normalize("NFKC", text).lower().replace("ς", "σ")
    decomposed = unicodedata.normalize("NFKD", lowered)
    unmarked = "".join(c for c in decomposed if unicodedata.category(c)[0] != "M")
    text = unicodedata.normalize("NFC", unmarked)
    text = _EDITION.sub("", text)
    return " ".join("".join(c if _is_word(c) else " " for c in text).split())


def _is_word(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "So"


def parse_query(text: str) -> Query:
    parts = _ARTIST_SPLIT.split(text.strip(), maxsplit=1)
    artist = normalise(parts[1]) if len(parts) == 2 else None
    return Query(text.strip(), normalise(parts[0]), artist or None)


def find_albums(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> pl.DataFrame:
    """Return candidate albums for ``query``, best first.

    Id matches (score 1) come first, then fuzzy title matches, so a pasted id is never outranked.
    """
    if not query or not query.strip():
        raise AlbumNotFound("empty album query: give an id, an external id, or a title")
    exact = _by_id(con, query.strip())
    if exact.height:
        return exact
    return _by_title(con, parse_query(query), limit)


def _by_id(con: duckdb.DuckDBPyConnection, text: str) -> pl.DataFrame:
    by = "id::VARCHAR = $q OR musicbrainz_id::VARCHAR = $q" if _UUID.match(text) else "false"
    sql = f"""
        SELECT a.id::VARCHAR AS album_id, a.title, {_primary_artist("a")} AS artist, 1.0 AS score,
               CASE WHEN a.id::VARCHAR = $q THEN 'id'
                    WHEN a.musicbrainz_id::VARCHAR = $q THEN 'musicbrainz_id'
                    WHEN a.spotify_id = $q THEN 'spotify_id' WHEN a.deezer_id = $q THEN 'deezer_id'
                    ELSE 'discogs_id' END AS matched_on
        FROM albums a
        WHERE ({by}) OR a.spotify_id = $q OR a.deezer_id = $q OR a.discogs_id = $q
        ORDER BY a.created_at
    """
    return con.execute(sql, {"q": text.lower() if _UUID.match(text) else text}).pl()


def _primary_artist(alias: str) -> str:
    return (
        f"(SELECT ar.name FROM album_artists aa JOIN artists ar ON ar.id = aa.artist_id "
        f"WHERE aa.album_id = {alias}.id ORDER BY aa.position, ar.name LIMIT 1)"
    )


def _by_title(con: duckdb.DuckDBPyConnection, q: Query, limit: int) -> pl.DataFrame:
    title, artist_name = _SQL_NORMALISE.format("a.title"), _SQL_NORMALISE.format("ar.name")
    artist_score = (
        "0.0"
        if q.artist is None
        else f"coalesce(max(jaro_winkler_similarity({artist_name}, $artist)), 0)"
    )
    sql = f"""
        WITH scored AS (
            SELECT a.id, a.title, a.created_at,
                   jaro_winkler_similarity({title}, $title) AS title_score,
                   {artist_score} AS artist_score
            FROM albums a
            LEFT JOIN album_artists aa ON aa.album_id = a.id
            LEFT JOIN artists ar ON ar.id = aa.artist_id
            GROUP BY a.id, a.title, a.created_at
        )
        SELECT id::VARCHAR AS album_id, title, {_primary_artist("scored")} AS artist,
               round(CASE WHEN $has_artist THEN 0.7 * title_score + 0.3 * artist_score
                          ELSE title_score END, 4) AS score,
               'title' AS matched_on
        FROM scored
        WHERE title_score >= $min
        ORDER BY score DESC, created_at
        LIMIT $limit
    """
    params: dict[str, object] = {
        "title": q.title,
        "has_artist": q.artist is not None,
        "min": MIN_SCORE,
        "limit": limit,
    }
    if q.artist is not None:
        params["artist"] = q.artist
    return con.execute(sql, params).pl()


def resolve_album(con: duckdb.DuckDBPyConnection, query: str) -> tuple[str, pl.DataFrame]:
    """Return the best album id for ``query`` and all candidates.

    Raise :class:`AlbumNotFound` when nothing matches, so a caller never gets a guess.
    """
    candidates = find_albums(con, query)
    if not candidates.height:
        raise AlbumNotFound(f"no album matches {query!r} (tried ids, external ids and titles)")
    return candidates["album_id"][0], candidates
