"""The album dossier: finding an album, its timeline, the story its log rows tell, and its exports."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest
from prov.model import ProvDocument

from llamaforensics.dossier import AlbumNotFound, dossier, find_albums, normalise, write_prov


def planted(con, kind: str, cause: str | None = None) -> str:
    sql = "SELECT entity_id FROM _lf_ground_truth WHERE kind = ?"
    params = [kind]
    if cause:
        sql += " AND (detail->>'cause') = ?"
        params.append(cause)
    return con.execute(sql + " ORDER BY entity_id LIMIT 1", params).fetchone()[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Silent Rivers (Deluxe Edition)", "silent rivers", id="edition-suffix"),
        pytest.param("  BJÖRK — Ünïcödé!! ", "bjork unicode", id="accents-case-punctuation"),
        pytest.param("Sunn O)))", "sunn o", id="punctuation-only-tail"),
        pytest.param("東京事変 (Deluxe Edition)", "東京事変", id="cjk-kept"),
        pytest.param("مُرَحَبا يا", "مرحبا يا", id="arabic-kept-harakat-stripped"),
        pytest.param("Ёлка — ЙОД", "елка иод", id="cyrillic-lower-case-marks-stripped"),
        pytest.param("🦙 Llama!! 🦙", "🦙 llama 🦙", id="emoji-kept"),
        pytest.param("Cafe\u0301 CAFÉ", "cafe cafe", id="combining-accent-same-as-precomposed"),
        pytest.param("Ｆｕｌｌ ﬁｎ", "full fin", id="nfkc-full-width-and-ligature"),
        pytest.param("ΣΊΣΥΦΟΣ", "σισυφοσ", id="greek-final-sigma"),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    "title, query",
    [
        pytest.param("三屍 (Sanshi)", "三屍", id="cjk"),
        pytest.param("مُرَحَبا بالعالم", "مرحبا بالعالم", id="arabic"),
        pytest.param("Ёлка и Йод", "елка и иод", id="cyrillic"),
        pytest.param("🦙🦙🦙", "🦙🦙🦙", id="emoji-only"),
        pytest.param("Cafe\u0301 Society", "CAFÉ SOCIETY", id="combining-accent"),
    ],
)
def test_title_search_finds_titles_in_every_script(title, query):
    """The query and the catalog are normalised alike by Unicode rules, not folded to ASCII."""
    import duckdb

    from llamaforensics.snapshot.format import create_schema

    con = duckdb.connect()
    create_schema(con)
    album = "00000000-0000-4000-8000-0000000000a3"
    insert = "INSERT INTO albums (id, title, created_at, updated_at) VALUES (?, ?, now(), now())"
    con.execute(insert, [album, title])
    con.execute(insert, ["00000000-0000-4000-8000-0000000000b1", "Other"])
    found = find_albums(con, query)
    assert found["album_id"].to_list() == [album] and found["score"][0] >= 0.75


def test_find_by_every_kind_of_id(con):
    row = con.execute(
        "SELECT id::VARCHAR, musicbrainz_id::VARCHAR, spotify_id, discogs_id FROM albums "
        "WHERE musicbrainz_id IS NOT NULL AND spotify_id IS NOT NULL AND discogs_id IS NOT NULL "
        "AND id::VARCHAR NOT IN (SELECT entity_id FROM _lf_ground_truth) LIMIT 1"
    ).fetchone()
    for value, column in zip(
        row, ("id", "musicbrainz_id", "spotify_id", "discogs_id"), strict=True
    ):
        found = find_albums(con, value)
        assert found["album_id"].to_list() == [row[0]] and found["matched_on"][0] == column


def test_fuzzy_title_forgives_case_accents_suffix_and_uses_the_artist(con):
    title, artist, album = con.execute(
        "SELECT a.title, ar.name, a.id::VARCHAR FROM albums a JOIN album_artists aa ON aa.album_id = a.id "
        "JOIN artists ar ON ar.id = aa.artist_id WHERE ar.name = 'Björk' "
        "AND a.id::VARCHAR NOT IN (SELECT entity_id FROM _lf_ground_truth) ORDER BY a.title LIMIT 1"
    ).fetchone()
    query = f"{title.upper()} (Deluxe Edition) - bjork"
    found = find_albums(con, query)
    assert found["album_id"][0] == album and found["artist"][0] == artist


@pytest.mark.parametrize(
    "query", ["", "   ", "zzzz qqqq xxxx", "00000000-0000-4000-8000-000000000000"]
)
def test_unknown_albums_are_a_clear_error(con, query):
    with pytest.raises(AlbumNotFound):
        dossier(query, con)


def test_timeline_covers_album_tracks_and_artists_in_time_order(con):
    album = planted(con, "failing_enrichment")
    d = dossier(album, con)
    kinds = set(d.timeline["entity_type"].drop_nulls().to_list())
    assert kinds == {"ALBUM", "TRACK", "ARTIST"}
    assert d.timeline["created_at"].is_sorted()
    expected = con.execute(
        "SELECT count(*) FROM llama_logs WHERE album_id = ? OR track_id IN (SELECT id FROM tracks WHERE album_id = ?) "
        "OR artist_id IN (SELECT artist_id FROM album_artists WHERE album_id = ?)",
        [album] * 3,
    ).fetchone()[0]
    assert d.timeline.height == expected


def test_story_of_a_trackless_album_too_new_for_musicbrainz(con):
    d = dossier(planted(con, "trackless_album", "too_new_for_musicbrainz"), con)
    text = " ".join(s.text for s in d.story())
    assert "by the Spotify new-releases sync" in text and "albums in batch" in text
    assert "found no match (NO_DATA_AVAILABLE)" in text
    assert "No tracks were ever created" in text


def test_story_of_an_album_nobody_logged_creating(con):
    d = dossier(planted(con, "no_created_log"), con)
    first = d.story()[0]
    assert (
        "No log row records its creation" in first.text
        and first.source == "albums"
        and not first.log_ids
    )


def test_every_story_sentence_rests_on_the_albums_own_log_rows(con):
    for kind in ("failing_enrichment", "late_first_log", "duplicate_album", "missing_external_id"):
        d = dossier(planted(con, kind), con)
        timeline_ids = set(d.timeline["log_id"].to_list())
        for sentence in d.story():
            assert set(sentence.log_ids) <= timeline_ids, sentence
            assert sentence.log_ids or sentence.source == "albums", sentence


def test_failures_and_late_first_log_are_told(con):
    failing = " ".join(s.text for s in dossier(planted(con, "failing_enrichment"), con).story())
    assert "enrichment attempts failed between" in failing and "last error" in failing
    late = " ".join(s.text for s in dossier(planted(con, "late_first_log"), con).story())
    assert "days after the album row was created" in late


def test_hostile_title_survives_json_and_prov(con, tmp_path):
    album = con.execute(
        "SELECT a.id::VARCHAR FROM albums a WHERE a.title LIKE '%<script>%' LIMIT 1"
    ).fetchone()[0]
    d = dossier(album, con)
    assert json.loads(d.to_json())["album"]["title"] == d.title
    path = write_prov(d, tmp_path / "album.prov.json")
    doc = ProvDocument.deserialize(content=path.read_text(), format="json")
    labels = [str(v) for r in doc.get_records() for k, v in r.attributes if str(k) == "prov:label"]
    assert d.title in labels


def test_prov_has_entities_activities_agents_and_every_relation(con, tmp_path):
    d = dossier(planted(con, "failing_enrichment"), con)
    doc = ProvDocument.deserialize(
        content=write_prov(d, tmp_path / "p.json").read_text(), format="json"
    )
    kinds = {type(r).__name__ for r in doc.get_records()}
    assert {
        "ProvEntity",
        "ProvActivity",
        "ProvAgent",
        "ProvGeneration",
        "ProvUsage",
        "ProvDerivation",
        "ProvAssociation",
        "ProvCommunication",
    } <= kinds
    tracks = [
        r
        for r in doc.get_records()
        if type(r).__name__ == "ProvEntity" and "track" in str(r.identifier)
    ]
    assert len(tracks) == d.tracks.height


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "llamaforensics", *args], capture_output=True, text=True
    )


def test_cli_album_json_and_exports(demo_snapshot, tmp_path):
    prov_file, csv_file = tmp_path / "a.prov.json", tmp_path / "a.csv"
    result = _cli(
        "album",
        "restless roads",
        "--snapshot",
        str(demo_snapshot),
        "--json",
        "--prov",
        str(prov_file),
        "--timeline",
        str(csv_file),
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["album"]["title"] == "Restless Roads" and data["story"] and data["other_candidates"]
    assert pl.read_csv(csv_file).height == len(data["timeline"])
    assert ProvDocument.deserialize(content=prov_file.read_text(), format="json").get_records()


def test_cli_album_not_found_is_one_line_and_exit_1(demo_snapshot):
    result = _cli("album", "no such album at all zzz", "--snapshot", str(demo_snapshot))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "no album matches" in result.stderr


def test_cli_album_rejects_an_unknown_timeline_format(demo_snapshot, tmp_path):
    result = _cli(
        "album",
        "restless roads",
        "--snapshot",
        str(demo_snapshot),
        "--timeline",
        str(tmp_path / "t.xlsx"),
    )
    assert result.returncode == 2 and ".csv or .parquet" in result.stderr
