"""``repair verify``: the upstream summary manifest read as a checklist of the end state."""

from __future__ import annotations

import argparse
import json

import pytest
from repair_seed import ALBUM, TRACKLESS, fresh_catalog

from llamaforensics.cli import main as cli_main
from llamaforensics.commands import repair as repair_command
from llamaforensics.errors import UsageError
from llamaforensics.repair import InvalidCorrection
from llamaforensics.repair.manifest import SummaryGiven
from llamaforensics.repair.verify import verify_summary


@pytest.fixture
def db(databases, upstream_template):
    """The small seeded catalog (repair_seed.py), fresh for this test."""
    return fresh_catalog(databases, upstream_template)


def cli(*argv) -> int:
    parser = argparse.ArgumentParser(prog="llamaforensics")
    commands = parser.add_subparsers(dest="command", required=True)
    repair_command.register(commands, argparse.HelpFormatter)
    args = parser.parse_args(["repair", *map(str, argv)])
    return args.run(args)


def summary_file(tmp_path, document, name="summary.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def change(field, dev, prod=None) -> dict:
    return {"field": field, "prodValue": prod, "devValue": dev}


MISSING = "90000000-0000-0000-0000-000000000009"
# The seeded ALBUM: 'Silent Rivers', released 2020-05-01, 2 tracks, 1 artist, genres {pop}, updated
# 2024-01-01 10:00:00.123; TRACKLESS: no tracks, no artist.
HOLDS = [
    {
        "albumId": ALBUM.upper(),
        "albumTitle": "Silent Rivers",
        "firstArtistName": "Björk",
        "changes": [
            change("tracks", 2, 0),
            change("artists", 1, 0),
            change("releaseDate", "2020-05-01"),
            change("genres", ["pop"]),
            change("updatedAt", "2024-01-01T10:00:00.123"),
            change("musicbrainzId", None),
            change("dataQuality", "LOW"),
        ],
    },
    {
        "albumId": TRACKLESS,
        "albumTitle": "New Thing (Deluxe)",
        "firstArtistName": None,
        "changes": [change("tracks", 0), change("title", "New Thing (Deluxe)")],
    },
]


def test_a_summary_the_database_holds_exits_0(db, tmp_path, capsys):
    path = summary_file(tmp_path, HOLDS)
    assert [c.ok for c in verify_summary(db, path)] == [True, True]
    assert cli("verify", path, "--dsn", db.conninfo, "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["ok"], out["albums"], out["matching"]) == (True, 2, 2)
    assert out["checks"][0]["fields"][0] == {
        "field": "tracks",
        "prodValue": 0,
        "devValue": 2,
        "actual": 2,
        "ok": True,
    }


def test_each_field_that_differs_is_named_and_exits_1(db, tmp_path, capsys):
    path = summary_file(
        tmp_path,
        [
            {
                "albumId": ALBUM,
                "albumTitle": "Silent Rivers",
                "firstArtistName": "Björk",
                "changes": [
                    change("tracks", 3, 0),
                    change("title", "Silent Rivers"),
                    change("musicbrainzId", "4D5E6F70-0000-4000-8000-000000000001"),
                ],
            },
            {"albumId": MISSING, "albumTitle": "Gone", "firstArtistName": None, "changes": []},
        ],
    )
    assert cli("verify", path, "--dsn", db.conninfo) == 1
    out = capsys.readouterr().out
    assert "tracks: expected 3, found 2" in out
    assert "musicbrainzId: expected '4D5E6F70-0000-4000-8000-000000000001', found None" in out
    assert "title: expected" not in out  # the title matches: only what differs is listed
    assert f"'Gone' ({MISSING}): no such album in the database" in out
    assert "summary: 0 of 2 album(s) hold what the summary expects" in out


@pytest.mark.parametrize(
    "document, problem",
    [
        pytest.param("[{", "is not JSON", id="not-json"),
        pytest.param(
            [{"albumTitle": "x", "changes": []}],
            "$[0].albumId: None is not an album id",
            id="no-album-id",
        ),
        pytest.param(
            [{"albumId": "42", "changes": []}],
            "$[0].albumId: '42' is not an album id",
            id="bad-album-id",
        ),
        pytest.param(
            [{"albumId": ALBUM, "changes": [change("colour", "red")]}],
            "$[0].changes[0].field: unknown field 'colour': albums has no such column",
            id="unknown-field",
        ),
        pytest.param(
            [{"albumId": ALBUM, "changes": [change("tracks", "three")]}],
            "$[0].changes[0].devValue: tracks is a count",
            id="count-not-a-number",
        ),
        pytest.param(
            [{"albumId": ALBUM, "changes": [{"field": "title"}]}],
            "$[0].changes[0]: needs field and devValue",
            id="no-dev-value",
        ),
        pytest.param(
            [{"albumId": ALBUM, "changes": {}}],
            "$[0].changes: must be a list",
            id="changes-not-a-list",
        ),
        pytest.param(
            [{"albumId": ALBUM, "changes": [], "mood": 1}],
            "$[0].mood: unknown field of a summary entry",
            id="unknown-entry-field",
        ),
        pytest.param(
            [{"albumId": ALBUM, "updates": {"title": "x"}}], "is a manifest", id="a-manifest"
        ),
    ],
)
def test_a_malformed_summary_exits_2_naming_the_path(db, tmp_path, document, problem):
    path = tmp_path / "summary.json"
    text = document if isinstance(document, str) else json.dumps(document)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidCorrection) as info:
        cli("verify", path, "--dsn", db.conninfo)
    assert problem in str(info.value) and info.value.exit_code == 2


def test_the_command_exits_2_with_one_line_naming_the_place(db, tmp_path, capsys):
    path = summary_file(tmp_path, [{"albumId": ALBUM, "changes": [change("colour", "red")]}])
    assert cli_main(["repair", "verify", str(path), "--dsn", db.conninfo]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "$[0].changes[0].field: unknown field 'colour'" in line


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["verify", "s.json", "--atomic"], id="verify-atomic"),
        pytest.param(
            ["undo", "llamaforensics-repair-0", "--replace-tracks"], id="undo-replace-tracks"
        ),
        pytest.param(["replay", "m.json", "--atomic"], id="replay-atomic"),
    ],
)
def test_options_of_other_actions_are_usage_errors(argv):
    with pytest.raises(UsageError) as info:
        cli(*argv, "--dsn", "postgresql://nobody@127.0.0.1:1/none")
    assert info.value.exit_code == 2 and argv[-1] in str(info.value)


def test_apply_given_a_summary_says_it_carries_no_data_and_points_to_verify(db, tmp_path):
    path = summary_file(tmp_path, HOLDS)
    with pytest.raises(SummaryGiven) as info:
        cli("apply", path, "--dsn", db.conninfo, "--apply")
    assert info.value.exit_code == 2
    assert "carries no data to apply" in str(info.value)
    assert f"llamaforensics repair verify {path} --dsn DSN" in str(info.value)
