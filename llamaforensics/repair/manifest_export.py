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
from .fields import canonical_row
from .manifest_entry import Side, album_export, album_note, replaced_tracks

# A catalog to compare: a snapshot file, or a database (a DSN, as text or parsed).
Source = str | os.PathLike[str] | Dsn
MANIFEST_FILE, SUMMARY_FILE = "manifest.json", "summary.json"
LIVE = f"{DELETED_COLUMN} IS NULL"
_DSN_TEXT = re.compile(r"^postgres(?:ql)?(?:\+\w+)?://|\bdbname\s*=")


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
        replaced = replaced_tracks(
            prod_side.tracks.get(album_id, []), dev_side.tracks.get(album_id, [])
        )
        if entry and entry["tracks"] and replaced:
            replacing.append(album_note(album_id, entry["albumTitle"], replaced))
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
        album_note(i, t, "album only dev has: the manifest format cannot create albums")
        for i, t in rows
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
