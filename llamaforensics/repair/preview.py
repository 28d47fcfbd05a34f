"""What a correction will change, exactly: as data (for widgets and ``--json``) and as text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .change import Change
from .result import Result


def preview(change: Change, log_rows: list[dict]) -> dict:
    """Return the diff of one planned correction: fields, tracks, links, merge effects, log rows."""
    c = change.correction
    diff: dict[str, Any] = {
        "correction_id": c.id,
        "kind": c.kind,
        "album_id": change.album_id,
        "album_title": (change.album or {}).get("title"),
        "reason": c.reason,
        "origin": c.origin,
        "confidence": c.confidence,
        "fields": [],
        "tracks_added": [],
        "tracks_removed": [],
        "tracks_changed": [],
        "links_added": [],
        "links_removed": [],
        "artists_created": [],
        "repointed": [],
        "rows_removed": [],
        "rows_restored": [],
        "albums_deleted": [],
        "log_rows": [],
        "admin_stamp": {},
        "kept": [k.to_dict() for k in change.kept],
    }
    for op in change.ops:
        _describe(diff, change, op)
    diff["track_list"] = change.track_list
    diff["log_rows"] = [
        {
            k: r.get(k)
            for k in (
                "category",
                "operation",
                "entity_type",
                "entity_id",
                "job_id",
                "parent_job_id",
                "root_job_id",
                "is_root_job",
            )
        }
        for r in log_rows
    ]
    return diff


def _describe(diff: dict, change: Change, op) -> None:
    table, action = op.table, op.action
    if table == "albums" and action == "update":
        stamped = change.stamped if op.where["id"] == change.album_id else ()
        if stamped:  # what every admin correction sets, apart from the fields the correction chose
            diff["admin_stamp"] = {f: op.after[f] for f in stamped}
        entries = [
            {"field": f, "before": op.before[f], "after": op.after[f]}
            for f in op.after
            if f != "updated_at" and f not in stamped
        ]
        if op.where["id"] == change.album_id:
            diff["fields"] += entries
        else:
            diff["fields"] += [{**e, "album_id": op.where["id"]} for e in entries]
    elif table == "tracks" and action in ("insert", "delete"):
        entry = {
            k: op.row.get(k) for k in ("id", "disc_number", "track_number", "title", "duration_ms")
        }
        diff["tracks_added" if action == "insert" else "tracks_removed"].append(entry)
    elif table == "tracks" and action == "update":
        track = change.tracks.get(op.where["id"], {})
        diff["tracks_changed"].append(
            {
                "id": op.where["id"],
                "title": track.get("title"),
                "deltas": [
                    {"field": f, "before": op.before[f], "after": op.after[f]}
                    for f in op.after
                    if f != "updated_at"
                ],
            }
        )
    elif table == "album_artists" and action in ("insert", "delete"):
        artist = change.artists.get(op.row["artist_id"], {})
        entry = {**op.row, "artist_name": artist.get("name")}
        diff["links_added" if action == "insert" else "links_removed"].append(entry)
    elif table == "artists" and action == "insert":
        diff["artists_created"].append({"id": op.row["id"], "name": op.row["name"]})
    elif table == "albums" and action == "delete":
        diff["albums_deleted"].append({"id": op.row["id"], "title": op.row["title"]})
    elif action == "repoint":
        diff["repointed"].append(
            {
                "table": table,
                "column": op.column,
                "from": op.old,
                "to": op.new,
                "rows": len(op.keys),
            }
        )
    elif action == "delete":
        diff["rows_removed"].append({"table": table, "key": op.row_key})
    elif action == "insert":
        diff["rows_restored"].append({"table": table, "key": op.row_key})


def format_diff(diff: dict) -> str:
    """Return the diff as readable text, one line per change."""
    title = diff.get("album_title")
    lines = [
        f"{diff['kind']} {diff['correction_id']} on album {diff['album_id']}"
        + (f" ({title!r})" if title is not None else "")
    ]
    if diff.get("reason"):
        lines.append(
            f"  reason: {diff['reason']} [{diff['origin']}, confidence {diff['confidence']:g}]"
        )
    lines += [
        f"  {f.get('album_id', '') and f['album_id'] + ' '}"
        f"{f['field']}: {f['before']!r} -> {f['after']!r}"
        for f in diff["fields"]
    ]
    lines += [
        f"  + track {t['disc_number']}-{t['track_number']} {t['title']!r}"
        for t in diff["tracks_added"]
    ]
    lines += [
        f"  - track {t['disc_number']}-{t['track_number']} {t['title']!r}"
        for t in diff["tracks_removed"]
    ]
    for t in diff["tracks_changed"]:
        lines += [
            f"  ~ track {t['title']!r} {d['field']}: {d['before']!r} -> {d['after']!r}"
            for d in t["deltas"]
        ]
    lines += [f"  + artist {a['name']!r} (new, {a['id']})" for a in diff["artists_created"]]
    lines += [f"  + link {lk['artist_name']!r} as {lk['role']}" for lk in diff["links_added"]]
    lines += [f"  - link {lk['artist_name']!r} as {lk['role']}" for lk in diff["links_removed"]]
    lines += [
        f"  > {r['rows']} {r['table']}.{r['column']} row(s): {r['from']} -> {r['to']}"
        for r in diff["repointed"]
    ]
    lines += [f"  - {r['table']} row {r['key']}" for r in diff["rows_removed"]]
    lines += [f"  + {r['table']} row {r['key']}" for r in diff["rows_restored"]]
    lines += [f"  x album {a['id']} ({a['title']!r}) deleted" for a in diff["albums_deleted"]]
    if diff.get("admin_stamp"):
        stamp = ", ".join(f"{k} {v}" for k, v in diff["admin_stamp"].items())
        lines.append(f"  as every admin correction: {stamp}")
    for k in diff.get("kept", []):
        users = ", ".join(f"{t} ({n})" for t, n in k["referencedBy"].items())
        lines.append(
            f"  = kept {k['table']} {', '.join(map(str, k['key'].values()))}: "
            f"still referenced by {users}"
        )
    lines += [f"  {line}" for line in track_lines(diff.get("track_list") or [])]
    lines += [
        f"  log: {r['category']} {r['operation']} "
        f"{r['entity_type'] or ''} {r['entity_id'] or ''}".rstrip()
        for r in diff["log_rows"]
    ]
    return "\n".join(lines)


def format_results(results: Sequence[Result]) -> str:
    """Return every result with its diff or reason, then the summary counts."""
    lines = []
    for r in results:
        lines.append(f"[{r.status}] {r.correction.kind} {r.correction.id}: {r.message}")
        if r.diff:
            lines.append(format_diff(r.diff))
        if r.current:
            lines.append(f"  current: {r.current}")
        lines += [f"  {line}" for line in track_lines(getattr(r, "tracks", None) or [])]
    lines.append(summary_line(results))
    return "\n".join(lines)


TRACK_MARKS = {"same": "=", "added": "+", "removed": "-", "replaced": "~", "changed": "~"}


def track_lines(difference: list[dict]) -> list[str]:
    """Return the track-by-track difference of an album and a track list, a line per position.

    ``=`` the same track, ``+`` only in the list (added), ``-`` only in the
    album (removed on replace), ``~`` another track there or other values.
    """
    if not difference:
        return []
    return ["tracks (album -> list):"] + [
        f"  {TRACK_MARKS[e['status']]} {e['disc']}-{e['track']} {e['status']}: {_track_change(e)}"
        for e in difference
    ]


def _track_change(entry: dict) -> str:
    have, want = entry["current"], entry["wanted"]
    if entry["status"] == "added":
        return f"(none) -> {want['title']!r}"
    if entry["status"] == "removed":
        return f"{have['title']!r} -> (none)"
    if entry["status"] == "replaced":
        return f"{have['title']!r} ({have['id']}) -> {want['title']!r} ({want['id']})"
    if entry["status"] == "changed":
        return f"{want['title']!r}: {', '.join(entry['fields'])} differ"
    return repr(want["title"])


def summary_line(results: Sequence[Result]) -> str:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    order = (
        "APPLIED",
        "DRY_RUN",
        "ALREADY_APPLIED",
        "HELD_BACK",
        "STALE",
        "INVALID",
        "SKIPPED",
        "TRACKS_DIFFER",
    )
    return "summary: " + ", ".join(
        f"{counts.get(s, 0)} {s.lower().replace('_', ' ')}"
        for s in order
        if counts.get(s) or s in ("APPLIED", "STALE", "INVALID")
    )
