"""Correction documents: round trips, the shipped JSON Schema, and every malformed document refused with paths."""

from __future__ import annotations

import json

import pytest

from llamaforensics.repair import (
    AddTracks,
    Correction,
    InvalidCorrection,
    LinkArtist,
    MergeAlbums,
    ModifyTracks,
    RemoveTracks,
    SetAlbumFields,
    UnlinkArtist,
    dump_corrections,
    load_corrections,
)
from llamaforensics.repair.correction_schema import correction_schema, shipped_schema

A = "10000000-0000-0000-0000-000000000001"
B = "20000000-0000-0000-0000-000000000002"
T = "11000000-0000-0000-0000-000000000001"


@pytest.mark.parametrize(
    "correction",
    [
        pytest.param(
            SetAlbumFields(album_id=A, fields={"title": "x", "release_date": "2020-01-02"}),
            id="set_fields",
        ),
        pytest.param(
            AddTracks(album_id=A, tracks=[{"title": "One", "track_number": 1}]), id="add_tracks"
        ),
        pytest.param(RemoveTracks(album_id=A, track_ids=[T]), id="remove_tracks"),
        pytest.param(
            ModifyTracks(album_id=A, tracks={T: {"title": "Uno", "duration_ms": 1000}}),
            id="modify_tracks",
        ),
        pytest.param(
            LinkArtist(album_id=A, new_artist={"name": "New"}, role="featured", position=1),
            id="link_new",
        ),
        pytest.param(UnlinkArtist(album_id=A, artist_id=B), id="unlink"),
        pytest.param(
            MergeAlbums(album_id=B, survivor_id=A, origin="finding", confidence=0.8), id="merge"
        ),
    ],
)
def test_round_trip(correction):
    doc = json.loads(json.dumps(correction.to_dict()))
    again = Correction.from_dict(doc)
    assert again == correction
    assert again.to_dict() == doc
    assert load_corrections(dump_corrections([correction])) == [correction]


def test_ids_are_given_at_construction_so_every_database_gets_the_same_rows():
    add = AddTracks(album_id=A, tracks=[{"title": "One", "track_number": 1}])
    link = LinkArtist(album_id=A, new_artist={"name": "New"})
    assert add.tracks[0]["id"] and link.artist_id == link.new_artist["id"]


def test_shipped_schema_is_the_generated_one():
    assert shipped_schema() == correction_schema()


def _doc(**overrides):
    return {
        "version": 1,
        "kind": "add_tracks",
        "album_id": A,
        "tracks": [{"title": "One", "track_number": 1}],
    } | overrides


@pytest.mark.parametrize(
    "doc, problem",
    [
        pytest.param(_doc(album_id="nope"), "$.album_id: 'nope' is not a UUID", id="non-uuid"),
        pytest.param(
            _doc(colour="red"),
            "$.colour: unknown field for a add_tracks correction",
            id="unknown-field",
        ),
        pytest.param(
            _doc(tracks=[{"track_number": 1}]),
            "$.tracks[0]: 'title' is a required property",
            id="no-title",
        ),
        pytest.param(
            _doc(tracks=[{"title": "a", "track_number": 1}, {"title": "b", "track_number": 1}]),
            "$.tracks[1]: disc 1 track 1 repeats tracks[0]",
            id="duplicate-track-number",
        ),
        pytest.param(
            _doc(tracks=[{"title": "a", "track_number": "1"}]),
            "$.tracks[0].track_number: '1' is not of type 'integer'",
            id="wrong-type",
        ),
        pytest.param(
            _doc(tracks=[{"title": "a" * 256, "track_number": 1}]),
            "is longer than 255 characters",
            id="too-long",
        ),
        pytest.param(
            {
                "version": 1,
                "kind": "set_album_fields",
                "album_id": A,
                "fields": {"release_date": "2023-02-30"},
            },
            "$.fields.release_date: '2023-02-30' is not a real date",
            id="bad-date",
        ),
        pytest.param(
            {"version": 1, "kind": "set_album_fields", "album_id": A, "fields": {"title": None}},
            "$.fields.title: None is not of type 'string'",
            id="null-title",
        ),
        pytest.param(
            {"version": 1, "kind": "explode", "album_id": A},
            "$.kind: 'explode' is not one of",
            id="bad-kind",
        ),
        pytest.param(
            {"version": 1, "kind": "merge_albums", "album_id": A, "survivor_id": A},
            "cannot be merged into itself",
            id="self-merge",
        ),
    ],
)
def test_malformed_documents_name_the_problem(doc, problem):
    with pytest.raises(InvalidCorrection) as info:
        Correction.from_dict(doc)
    assert any(problem in p for p in info.value.problems), info.value.problems


def test_a_file_lists_every_problem_with_its_path():
    text = json.dumps({"corrections": [_doc(album_id="x"), _doc(), _doc(tracks=[])]})
    with pytest.raises(InvalidCorrection) as info:
        load_corrections(text, "fix.json")
    assert [p.split(":")[0] for p in info.value.problems] == ["$[0].album_id", "$[2].tracks"]
    assert str(info.value).startswith("fix.json has 2 problem(s)")


def test_bad_json_is_one_clear_error():
    with pytest.raises(InvalidCorrection, match=r"fix.json is not JSON \(.* line 1 column 2\)"):
        load_corrections("{oops", "fix.json")
