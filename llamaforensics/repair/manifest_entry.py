"""One album's entry in the upstream manifest and in its summary, from both catalogs' rows.

:func:`album_export` turns what production (``prod``) and the fixed copy
(``dev``) hold for one album into its manifest entry (``updates``, ``tracks``,
``artists``, ``albumArtistLinks``), its summary entry and the notes on what
the format cannot carry; :mod:`.manifest_export` reads the rows and writes the
files.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from .fields import ALBUM_COLUMNS, ENGINE_COLUMNS, app_name, canonical_text


@dataclass
class Side:
    """The rows one catalog holds for the albums compared (prod attached as ``o``, dev ``n``)."""

    albums: dict[str, dict]
    tracks: dict[str, list[dict]]
    links: dict[str, list[dict]]
    track_links: Counter
    artists: dict[str, dict] = field(default_factory=dict)


def album_export(
    album_id: str, prod: Side, dev: Side
) -> tuple[dict | None, dict | None, list[dict]]:
    """Return one album's manifest and summary entries (None: nothing to carry) and its notes."""
    title = dev.albums[album_id]["title"]
    updates, changes, notes = _album_fields(prod.albums[album_id], dev.albums[album_id])
    tracks, track_notes = _track_list(
        prod.tracks.get(album_id, []), dev.tracks.get(album_id, []), dev.track_links
    )
    artists, links, link_notes = _new_links(album_id, prod, dev)
    changes += _counts(album_id, prod, dev)
    claimed, real = dev.albums[album_id]["track_count"], len(dev.tracks.get(album_id, []))
    if tracks and claimed != real:
        notes.append(
            f"dev's trackCount is {claimed} for its {real} tracks: adding tracks sets production's "
            "trackCount to its real number of tracks"
        )
    noted = [album_note(album_id, title, n) for n in notes + track_notes + link_notes]
    if not (updates or tracks or links):
        return None, None, noted
    updates = _with_quality(updates, dev.albums[album_id])
    head = {
        "albumId": album_id,
        "albumTitle": title,
        "firstArtistName": _first_artist(dev, album_id) or _first_artist(prod, album_id),
    }
    entry = head | {
        "updates": updates,
        "tracks": tracks,
        "artists": artists,
        "albumArtistLinks": links,
    }
    return entry, head | {"changes": changes}, noted


def _with_quality(updates: dict, dev_album: dict) -> dict:
    """Return ``updates`` naming dev's data quality and enrichment status explicitly.

    Applying a correction leaves the album HIGH and COMPLETED, as the app's admin
    correction does, unless the correction sets them itself: an export carries
    dev's values, so production ends as dev is (and the summary, which lists
    only real differences, stays as it was).
    """
    carried = {app_name(c): dev_album[c] for c in ("data_quality", "enrichment_status")}
    return {**carried, **updates}


def _album_fields(prod: dict, dev: dict) -> tuple[dict, list[dict], list[str]]:
    updates, changes, notes = {}, [], []
    for column, value in dev.items():
        if column in ENGINE_COLUMNS or _same(prod[column], value):
            continue
        name = app_name(column)
        if column in ALBUM_COLUMNS:
            updates[name] = value
            changes.append({"field": name, "prodValue": prod[column], "devValue": value})
        else:
            notes.append(
                f"album {name} differs (prod {_show(prod[column])}, dev {_show(value)}): "
                "no correction sets it"
            )
    return updates, changes, notes


def _track_list(
    prod: list[dict], dev: list[dict], credits: Counter
) -> tuple[list[dict], list[str]]:
    """Return dev's whole track list when it differs from production's (else []), and the notes."""
    prod_by_id = {t["id"]: t for t in prod}
    if len(prod) == len(dev) and all(_same_track(prod_by_id.get(t["id"]), t) for t in dev):
        return [], []
    notes = [
        f"new track {_track(t)}: its {credits[t['id']]} track-artist link(s) are not carried "
        "(the manifest format has none)"
        for t in dev
        if t["id"] not in prod_by_id and credits[t["id"]]
    ]
    return [_camel({c: v for c, v in t.items() if c != "album_id"}) for t in dev], notes


def replaced_tracks(prod: list[dict], dev: list[dict]) -> str | None:
    """Say what of production's tracks the album's list replaces (applied with --replace-tracks)."""
    dev_by_id = {t["id"]: t for t in dev}
    only = sum(t["id"] not in dev_by_id for t in prod)
    changed = sum(t["id"] in dev_by_id and not _same_track(t, dev_by_id[t["id"]]) for t in prod)
    if not (only or changed):
        return None
    return (
        f"production holds {only} track(s) dev does not and {changed} with other values: "
        "the manifest replaces them only when applied with --replace-tracks"
    )


def _same_track(prod: dict | None, dev: dict) -> bool:
    return prod is not None and all(
        c == "updated_at" or _same(prod.get(c), v) for c, v in dev.items()
    )


def _counts(album_id: str, prod: Side, dev: Side) -> list[dict]:
    """Return the summary's ``tracks`` and ``artists`` changes (the album's numbers) that differ."""

    def tracks(side: Side) -> int:
        return len(side.tracks.get(album_id, []))

    def artists(side: Side) -> int:
        return len({link["artist_id"] for link in side.links.get(album_id, [])})

    return [
        {"field": name, "prodValue": count(prod), "devValue": count(dev)}
        for name, count in (("tracks", tracks), ("artists", artists))
        if count(prod) != count(dev)
    ]


def _new_links(album_id: str, prod: Side, dev: Side) -> tuple[list[dict], list[dict], list[str]]:
    """Return the artists and album-artist links dev has and prod lacks, and what cannot go."""
    have = {(x["artist_id"], x["role"]): x for x in prod.links.get(album_id, [])}
    want = {(x["artist_id"], x["role"]): x for x in dev.links.get(album_id, [])}
    artists, links, notes = {}, [], []
    for key, link in want.items():
        name = _artist(dev, link["artist_id"])
        if key in have and have[key]["position"] != link["position"]:
            notes.append(
                f"artist {name} ({link['role']}) is at position {have[key]['position']} in prod, "
                f"{link['position']} in dev: the manifest cannot move a link"
            )
        if key in have:
            continue
        links.append(
            {"artistId": link["artist_id"], "role": link["role"], "position": link["position"]}
        )
        row = dev.artists.get(link["artist_id"])
        if row is not None:
            artists[row["id"]] = _camel(row)
    notes += [
        f"artist {_artist(prod, a)} ({role}) is linked only in prod: the manifest cannot unlink it"
        for a, role in have
        if (a, role) not in want
    ]
    return list(artists.values()), links, notes


def _first_artist(side: Side, album_id: str) -> str | None:
    for link in side.links.get(album_id, []):
        if link["artist_id"] in side.artists:
            return side.artists[link["artist_id"]]["name"]
    return None


def _camel(row: dict) -> dict:
    return {app_name(column): value for column, value in row.items()}


def _same(a, b) -> bool:
    return canonical_text(a) == canonical_text(b)


def _show(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _track(track: dict) -> str:
    return f"{track['disc_number']}-{track['track_number']} {_show(track['title'])} ({track['id']})"


def _artist(side: Side, artist_id: str) -> str:
    row = side.artists.get(artist_id)
    return f"{_show(row['name'])} ({artist_id})" if row else artist_id


def album_note(album_id: str, title: str, note: str) -> dict:
    return {"albumId": album_id, "albumTitle": title, "note": note}
