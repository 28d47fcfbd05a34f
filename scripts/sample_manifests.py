"""Write data/manifests/: a small dev-to-prod manifest and its summary, for the demo catalog.

.venv/bin/python scripts/sample_manifests.py [FOLDER]   (default: data/manifests)

The files are in the app's own format (SCHEMA.md: camelCase, a JSON list of album
entries) and fix three albums the demo (seed 42, scale 1) planted as broken, the way a
development copy would have: the MusicBrainz id the logs found but never stored, the
tracks a MusicBrainz import never fetched, and the artist an album never got. The
summary lists what each fix changes, so ``repair verify`` finds it missing before the
manifest is applied and present after. tests/test_demo_layout.py applies and verifies
them on the demo database; rerun this script when the demo's data changes.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

from llamaforensics.demo import DemoData, generate

NAMESPACE = uuid.UUID("8f4b1c2e-6a0d-4d7e-9c35-2b1e7f0a9d64")
DEV_TIME = "2026-10-20T12:00:00"
TRACK_TITLES = ("Northern Lights", "Paper Boats", "Slow Harbor")


def planted(data: DemoData, kind: str, cause: str | None = None) -> tuple[str, dict]:
    """Return the first album the demo planted as ``kind`` (and ``cause``), with its detail."""
    for row in data.ground_truth.to_pylist():
        detail = json.loads(row["detail"])
        if row["kind"] == kind and (cause is None or detail.get("cause") == cause):
            return row["entity_id"], detail
    raise LookupError(f"the demo planted no {kind} {cause or ''}")


def first_artist_names(data: DemoData) -> dict[str, str]:
    """Return each album's first artist's name (by link position)."""
    names = {a["id"]: a["name"] for a in data.table("artists").to_pylist()}
    links = sorted(data.table("album_artists").to_pylist(), key=lambda link: -link["position"])
    return {link["album_id"]: names[link["artist_id"]] for link in links}


def dev_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def change(field: str, prod: object, dev: object) -> dict:
    return {"field": field, "prodValue": prod, "devValue": dev}


def sample(data: DemoData) -> tuple[list[dict], list[dict]]:
    """Return the manifest and its summary, three albums each."""
    titles = {a["id"]: a["title"] for a in data.table("albums").to_pylist()}
    artists = first_artist_names(data)
    unstored, detail = planted(data, "missing_external_id")
    trackless, _ = planted(data, "trackless_album", "tracks_never_fetched")
    artistless, _ = planted(data, "artistless_album")
    new_artist = {
        "id": dev_id("artist", artistless),
        "name": "Sigrún Eldjárn",
        "musicbrainzId": None,
        "countryCode": "IS",
        "createdAt": DEV_TIME,
        "updatedAt": DEV_TIME,
    }
    tracks = [
        {
            "id": dev_id("track", trackless, str(number)),
            "albumId": trackless,
            "title": title,
            "trackNumber": number,
            "discNumber": 1,
            "durationMs": 180_000 + 17_000 * number,
            "explicit": False,
            "createdAt": DEV_TIME,
            "updatedAt": DEV_TIME,
        }
        for number, title in enumerate(TRACK_TITLES, start=1)
    ]
    heads = [
        {"albumId": album, "albumTitle": titles[album], "firstArtistName": artists.get(album)}
        for album in (unstored, trackless, artistless)
    ]
    heads[2]["firstArtistName"] = new_artist["name"]
    manifest = [
        heads[0] | {"updates": {"musicbrainzId": detail["logged_musicbrainz_id"]}},
        heads[1] | {"tracks": tracks},
        heads[2]
        | {
            "artists": [new_artist],
            "albumArtistLinks": [{"artistId": new_artist["id"], "role": "primary", "position": 0}],
        },
    ]
    summary = [
        heads[0] | {"changes": [change("musicbrainzId", None, detail["logged_musicbrainz_id"])]},
        heads[1] | {"changes": [change("tracks", 0, len(tracks))]},
        heads[2] | {"changes": [change("artists", 0, 1)]},
    ]
    return manifest, summary


def main(folder: Path) -> None:
    manifest, summary = sample(generate(scale=1.0, seed=42))
    folder.mkdir(parents=True, exist_ok=True)
    for name, document in (("manifest.json", manifest), ("summary.json", summary)):
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        (folder / name).write_text(text, encoding="utf-8")
        print(folder / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "data/manifests")
