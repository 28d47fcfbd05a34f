"""Export two catalogs' difference as the upstream dev-to-prod manifest and summary (SCHEMA.md).

``dev`` is a copy where albums were fixed, ``prod`` the database to carry the
fixes to; each is a snapshot file or a DSN (snapshotted to a temporary file
first). For every album that differs (or each album asked for) the manifest
entry says what the format can say, exactly as :func:`.manifest.import_manifest`
reads it back:

* ``updates``: the album columns that differ (all but the engine's: id,
  created_at, updated_at), with dev's values, and always dev's dataQuality and
  enrichmentStatus (applying would otherwise stamp them HIGH and COMPLETED,
  as the app's admin correction does);
* ``tracks``: when the album's tracks differ, dev's whole track list, every
  column of each row (dev ids kept). Applied, tracks production lacks are
  added; where production holds other tracks, or other values for a track, the
  apply shows the difference track by track and needs ``--replace-tracks``
  (such albums are named under the manifest's ``replaceTracks``);
* ``artists`` and ``albumArtistLinks``: the dev artist links production lacks,
  with the full rows of their artists (created in production when missing).

The summary entry lists the same field changes with both values, and the
album's numbers of ``tracks`` and ``artists`` when they differ: the checklist
``repair verify`` reads once the manifest is applied. What the format cannot
carry (a removed or moved artist link, the track-artist credits of new tracks,
albums only dev has) is listed under the manifest's ``notCarried``, so no
difference passes silently. The diff has no common ancestor: where production
moved on since the copy was made, the manifest sets dev's older value back,
and the summary shows both for review.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..errors import UsageError
from ..postgres import quote_ident as q
from ..postgres.dsn import Dsn, parse_dsn
from ..snapshot.format import DELETED_COLUMN, SNAPSHOT_TABLES
from ..snapshot.take import take_snapshot
from ..snapshot_diff import attach_snapshots
from ..version import __version__
from .fields import ALBUM_COLUMNS, ENGINE_COLUMNS, app_name, canonical_row, canonical_text

# A catalog to compare: a snapshot file, or a database (a DSN, as text or parsed).
Source = str | os.PathLike[str] | Dsn
MANIFEST_FILE, SUMMARY_FILE = "manifest.json", "summary.json"
LIVE = f"{DELETED_COLUMN} IS NULL"
_DSN_TEXT = re.compile(r"^postgres(?:ql)?(?:\+\w+)?://|\bdbname\s*=")


@dataclass
class Side:
    """The rows one catalog holds for the albums compared (prod attached as ``o``, dev ``n``)."""

    albums: dict[str, dict]
    tracks: dict[str, list[dict]]
    links: dict[str, list[dict]]
    track_links: Counter
    artists: dict[str, dict] = field(default_factory=dict)


def export_manifest(
    dev: Source, prod: Source, album_ids: Iterable[str] | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the manifest and the summary that carry ``dev``'s fixes to ``prod``.

    ``dev`` and ``prod`` are snapshot paths or DSNs. Without ``album_ids``,
    every album both hold whose row, tracks or artist links differ is exported;
    an album asked for that either lacks raises :class:`UsageError`.
    """
    with _snapshots(dev, prod) as [(dev_path, dev_name), (prod_path, prod_name)]:
        con = attach_snapshots(prod_path, dev_path)
        try:
            ids = (
                differing_albums(con)
                if album_ids is None
                else _requested(con, album_ids, dev_name, prod_name)
            )
            prod_side, dev_side = _read(con, ids)
            notes = _dev_only_albums(con) if album_ids is None else []
        finally:
            con.close()
    entries, summary, replacing = [], [], []
    for album_id in ids:
        entry, summary_entry, album_notes = album_export(album_id, prod_side, dev_side)
        entries += [entry] if entry else []
        summary += [summary_entry] if summary_entry else []
        notes += album_notes
        replaced = _replaced_tracks(
            prod_side.tracks.get(album_id, []), dev_side.tracks.get(album_id, [])
        )
        if entry and entry["tracks"] and replaced:
            replacing.append(_note(album_id, entry["albumTitle"], replaced))
    manifest = {
        "exportedBy": f"llamaforensics {__version__}",
        "dev": dev_name,
        "prod": prod_name,
        "albums": entries,
        "notCarried": notes,
        "replaceTracks": replacing,
    }
    return manifest, summary


def write_manifest(
    manifest: dict, summary: list[dict], directory: str | os.PathLike
) -> tuple[Path, Path]:
    """Write ``manifest.json`` and ``summary.json`` into ``directory`` (made if missing).

    Return both paths.

    Each file is written under a temporary name and renamed: a failure never leaves half a file.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return _write_json(directory / MANIFEST_FILE, manifest), _write_json(
        directory / SUMMARY_FILE, summary
    )


def _write_json(path: Path, document) -> Path:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


@contextmanager
def _snapshots(*sources):
    """Yield ``(snapshot path, display name)`` per source; a DSN is snapshotted to a temp dir."""
    with tempfile.TemporaryDirectory(prefix="llamaforensics-export-") as tmp:
        out = []
        for i, source in enumerate(sources):
            dsn = _as_dsn(source)
            if dsn is None:
                out.append((Path(source), str(source)))
            else:
                out.append(
                    (take_snapshot(dsn, Path(tmp) / f"{i}.duckdb", progress=False), dsn.display)
                )
        yield out


def _as_dsn(source) -> Dsn | None:
    if isinstance(source, Dsn):
        return source
    text = str(source)
    return parse_dsn(text) if _DSN_TEXT.search(text) and not Path(text).exists() else None


def differing_albums(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the ids of albums live in both whose row, tracks or artist links differ, in order."""
    parts = [
        _differing("albums", ("id",), "id"),
        _differing("tracks", ("id",), "album_id"),
        _differing("album_artists", ("album_id", "artist_id", "role"), "album_id"),
    ]
    sql = (
        f"SELECT DISTINCT c.id::VARCHAR FROM ({' UNION ALL '.join(parts)}) c "
        f"JOIN o.albums a ON a.id = c.id AND a.{LIVE} "
        f"JOIN n.albums b ON b.id = c.id AND b.{LIVE} ORDER BY 1"
    )
    return [r[0] for r in con.execute(sql).fetchall()]


def _differing(table: str, key: tuple[str, ...], album_column: str) -> str:
    """SQL: the album ids of ``table``'s rows one side lacks, or that differ (but updated_at)."""
    cols = [c for c in SNAPSHOT_TABLES[table].column_names if c not in key and c != "updated_at"]
    on = " AND ".join(f"a.{q(k)} = b.{q(k)}" for k in key)
    differs = " OR ".join(f"a.{q(c)} IS DISTINCT FROM b.{q(c)}" for c in cols) or "false"
    return (
        f"SELECT unnest([a.{q(album_column)}, b.{q(album_column)}]) AS id "
        f"FROM (SELECT * FROM o.{q(table)} WHERE {LIVE}) a "
        f"FULL JOIN (SELECT * FROM n.{q(table)} WHERE {LIVE}) b "
        f"ON {on} WHERE a.{q(key[0])} IS NULL OR b.{q(key[0])} IS NULL OR {differs}"
    )


def _requested(con, album_ids, dev_name: str, prod_name: str) -> list[str]:
    """Return the albums asked for, once each, in order; refuse any that either catalog lacks."""
    ids = list(dict.fromkeys(str(a).strip().lower() for a in album_ids))
    problems = []
    for alias, name in (("n", f"dev ({dev_name})"), ("o", f"prod ({prod_name})")):
        have = {r["id"] for r in _rows(con, alias, "albums", "id", ids)}
        problems += [f"no album {a} in {name}" for a in ids if a not in have]
    if problems:
        raise UsageError("cannot export: " + "; ".join(problems))
    return ids


def _dev_only_albums(con) -> list[dict]:
    rows = con.execute(
        f"SELECT id::VARCHAR, title FROM n.albums b WHERE {LIVE} AND NOT EXISTS "
        f"(SELECT 1 FROM o.albums a WHERE a.id = b.id AND a.{LIVE}) ORDER BY id"
    ).fetchall()
    return [
        _note(i, t, "album only dev has: the manifest format cannot create albums") for i, t in rows
    ]


def _read(con, ids: list[str]) -> tuple[Side, Side]:
    """Read the albums, their tracks, links and linked artists (either side's) from prod and dev."""
    prod, dev = _read_side(con, "o", ids), _read_side(con, "n", ids)
    artist_ids = sorted(
        {link["artist_id"] for side in (prod, dev) for ls in side.links.values() for link in ls}
    )
    for side, alias in ((prod, "o"), (dev, "n")):
        side.artists = {a["id"]: a for a in _rows(con, alias, "artists", "id", artist_ids)}
    return prod, dev


def _read_side(con, alias: str, ids: list[str]) -> Side:
    tracks = _rows(con, alias, "tracks", "album_id", ids, order="disc_number, track_number, id")
    links = _rows(con, alias, "album_artists", "album_id", ids, order="position, artist_id, role")
    credits = _rows(con, alias, "track_artists", "track_id", [t["id"] for t in tracks])
    return Side(
        {a["id"]: a for a in _rows(con, alias, "albums", "id", ids)},
        _by_album(tracks),
        _by_album(links),
        Counter(c["track_id"] for c in credits),
    )


def _rows(
    con, alias: str, table: str, column: str, values: list[str], order: str = "1"
) -> list[dict]:
    """Return the live rows of ``table`` whose ``column`` is in ``values``, canonical values."""
    if not values:
        return []
    cur = con.execute(
        f"SELECT * EXCLUDE ({DELETED_COLUMN}) FROM {alias}.{q(table)} WHERE {LIVE} "
        f"AND {q(column)}::VARCHAR IN (SELECT unnest($values::VARCHAR[])) ORDER BY {order}",
        {"values": values},
    )
    names = [d[0] for d in cur.description]
    return [canonical_row(table, dict(zip(names, r, strict=True))) for r in cur.fetchall()]


def _by_album(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in rows:
        out.setdefault(row["album_id"], []).append(row)
    return out


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
    noted = [_note(album_id, title, n) for n in notes + track_notes + link_notes]
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


def _replaced_tracks(prod: list[dict], dev: list[dict]) -> str | None:
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


def _note(album_id: str, title: str, note: str) -> dict:
    return {"albumId": album_id, "albumTitle": title, "note": note}
