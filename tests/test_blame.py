"""Field history: the log row that last set each field of an album, and the album as it was then."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from llamaforensics.cli import main
from llamaforensics.dossier.blame import as_of, blame, track_blame


@pytest.fixture(scope="module")
def corrected(con) -> dict:
    """The first album (by id) with an admin correction, and that correction's row."""
    row = con.execute(
        "SELECT coalesce(album_id, entity_id)::VARCHAR AS album, id::VARCHAR AS log_id, created_at "
        "FROM llama_logs WHERE category = 'CORRECTED' AND entity_type = 'ALBUM' "
        "ORDER BY coalesce(album_id, entity_id), created_at LIMIT 1"
    ).fetchone()
    return {"album": row[0], "log_id": row[1], "at": row[2]}


def _field(frame, name) -> dict:
    return frame.filter(frame["field"] == name).to_dicts()[0]


def test_blame_names_the_correction_the_enrichment_and_the_creation(con, corrected):
    fields = blame(con, corrected["album"])
    country = _field(fields, "release_country")
    assert (country["category"], country["log_id"], country["how"]) == (
        "CORRECTED",
        corrected["log_id"],
        "corrected: (empty) -> BR",
    )
    assert country["value"] == "BR"
    title = _field(fields, "title")
    assert (title["category"], title["how"]) == ("CREATED", "set at creation")
    mbid = _field(fields, "musicbrainz_id")
    assert (mbid["category"], mbid["operation"], mbid["how"]) == (
        "ENRICHED",
        "enrichment:album",
        "named in fields_enriched",
    )
    assert (
        "search_vector" not in fields["field"].to_list() and "id" not in fields["field"].to_list()
    )


def test_blame_says_when_the_log_cannot_say(con):
    from llamaforensics.findings import run_findings

    orphan = run_findings(con, ["no_created_log"])["no_created_log"].sort("entity_id")["entity_id"][
        0
    ]
    fields = blame(con, orphan)
    unexplained = fields.filter(fields["how"] == "the log cannot say")
    assert "title" in unexplained["field"].to_list()
    assert unexplained["log_id"].null_count() == unexplained.height
    assert "set at creation" not in fields["how"].to_list()


def test_as_of_walks_back_through_corrections_and_admits_what_it_cannot_know(con, corrected):
    before = as_of(con, corrected["album"], corrected["at"] - timedelta(seconds=1))
    country = next(f for f in before["fields"] if f["field"] == "release_country")
    assert (country["value"], country["known"]) == (None, True)
    assert country["how"].startswith("as before the correction of ")
    after = as_of(con, corrected["album"], corrected["at"] + timedelta(seconds=1))
    assert next(f for f in after["fields"] if f["field"] == "release_country")["value"] == "BR"
    assert len(after["tracks"]) == track_blame(con, corrected["album"]).height
    created = con.execute(
        "SELECT created_at FROM albums WHERE id = $a", {"a": corrected["album"]}
    ).fetchone()[0]
    gone = as_of(con, corrected["album"], created - timedelta(days=1))
    assert gone["existed"] is False and gone["note"].startswith("the album was created at ")


def test_as_of_before_the_enrichment_does_not_invent_the_earlier_value(con, corrected):
    enriched = con.execute(
        "SELECT min(created_at) FROM llama_logs "
        "WHERE album_id = $a AND operation = 'enrichment:album'",
        {"a": corrected["album"]},
    ).fetchone()[0]
    then = as_of(con, corrected["album"], enriched - timedelta(seconds=1))
    mbid = next(f for f in then["fields"] if f["field"] == "musicbrainz_id")
    assert (mbid["value"], mbid["known"]) == (None, False)
    assert mbid["how"].startswith("unknown: enrichment:album set it again on ")


def test_track_blame_gives_each_track_its_creating_row(con, corrected):
    tracks = track_blame(con, corrected["album"])
    assert tracks.height > 0 and tracks["created_log_id"].null_count() == 0
    assert set(tracks["created_by"]) == {"track:created:enrichment"}


def test_cli_blame_and_as_of(demo_snapshot, corrected, capsys):
    assert (
        main(["album", corrected["album"], "--snapshot", str(demo_snapshot), "--blame", "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["album_id"] == corrected["album"]
    assert {f["field"]: f["how"] for f in out["blame"]}[
        "release_country"
    ] == "corrected: (empty) -> BR"
    assert (
        main(
            ["album", corrected["album"], "--snapshot", str(demo_snapshot), "--as-of", "2000-01-01"]
        )
        == 0
    )
    assert "the album was created at" in capsys.readouterr().out
    with pytest.raises(SystemExit) as bad:
        main(
            ["album", corrected["album"], "--snapshot", str(demo_snapshot), "--as-of", "yesterday"]
        )
    assert bad.value.code == 2
