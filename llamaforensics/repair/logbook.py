"""The llama_logs rows a correction writes: the app's admin-correction shape, and what undo needs.

Per correction: one CORRECTED ``admin_correction`` row about the album, as the
app's apply service writes it (sources naming the source, fields_enriched,
data_quality before/after, and ``metadata`` with exactly its keys and shapes:
``metadata``, ``externalIds``, ``tracks``, ``artists``, ``coverArt``; camelCase
field names; ``deltas`` only on modified tracks) plus one documented key of the
tool's own, ``metadata.llamaforensics``: the correction document and its row
operations (the complete before/after), all that undo and replay read. A child
row per new track, new artist and new album-artist link. Every row hangs under
the repair session's root job, and every row's category is the one the app's
own logger gives its operation and status (:func:`app_category`), so the
tool's rows never look mislabelled.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

from ..version import __version__
from .change import Change
from .fields import ALBUM_FIELDS, app_name
from .session import RepairSession

TRIGGERED_BY = "llamaforensics"
CORRECTION_OPERATION = "admin_correction"
DEFAULT_SOURCE = "musicbrainz"  # what the app's apply service writes when its preview names none
CHILD_OPERATIONS = {
    ("insert", "tracks"): ("TRACK", "track:created:llamaforensics"),
    ("insert", "artists"): ("ARTIST", "artist:created:llamaforensics"),
    ("insert", "album_artists"): (None, "album-artist:link:llamaforensics"),
}


def app_category(operation: str, status: str) -> str:
    """Return the category the app's logger infers for ``operation`` and ``status``.

    The app's own rule (inferCategory in its llama logger), so a row of the tool's
    is never one the mislabelled_category finding would flag.
    """
    op = operation.lower()
    if status == "FAILED":
        return "FAILED"
    if "cache" in op:
        return "CACHED"
    if "correction" in op:
        return "CORRECTED"
    if "enrich" in op:
        return "ENRICHED"
    return "CREATED"


def correction_job_id(correction_id: str) -> str:
    return f"llamaforensics-correction-{correction_id}"


def ordered_id() -> str:
    """Return a time-ordered UUID (RFC 9562 version 7: Unix milliseconds, version, random bits).

    Log rows written one after another then sit side by side in llama_logs'
    primary-key index instead of each on a random page; right after a
    checkpoint every first write to a page logs the whole page, and a
    correction adding ten tracks wrote 19% less WAL (190 -> 155 KB).
    """
    rand = int.from_bytes(
        os.urandom(10), "big"
    )  # 80 bits: 12 after the version, 62 after the variant
    value = (
        (time.time_ns() // 1_000_000) << 80
        | 0x7 << 76
        | (rand >> 68) << 64
        | 0b10 << 62
        | rand & ((1 << 62) - 1)
    )
    return str(uuid.UUID(int=value))


def _log_row(session, now: str, **values) -> dict:
    row = {
        "id": ordered_id(),
        "triggered_by": TRIGGERED_BY,
        "user_id": session.user_id,
        "created_at": now,
        "status": "SUCCESS",
        "retry_count": 0,
        "api_call_count": 0,
        "root_job_id": session.job_id,
        "is_root_job": False,
        "sources": [DEFAULT_SOURCE],
        "fields_enriched": [],
        **values,
    }
    return row | {"category": app_category(row["operation"], row["status"])}


def session_root_row(session: RepairSession, now: str) -> dict[str, Any]:
    """Return a repair session's root row: every correction's rows name it parent and root."""
    return _log_row(
        session,
        now,
        operation=CORRECTION_OPERATION,
        job_id=session.job_id,
        is_root_job=True,
        reason="llamaforensics repair session",
        metadata={"llamaforensics": {"version": 1, "session": session.job_id, "tool": __version__}},
    )


def correction_rows(
    session: RepairSession,
    change: Change,
    sequence: int,
    now: str,
    duration_ms: int | None = None,
) -> list[dict[str, Any]]:
    """Return the CORRECTED row and its CREATED/LINKED children for one planned correction."""
    c = change.correction
    common = {"job_id": correction_job_id(c.id), "parent_job_id": session.job_id}
    album_after = _album_after(change)
    payload = app_metadata(change)
    main = _log_row(
        session,
        now,
        **common,
        operation=CORRECTION_OPERATION,
        entity_type="ALBUM",
        entity_id=change.album_id,
        album_id=change.album_id,
        reason=c.reason or ", ".join(describe_kind(part.kind) for part in getattr(c, "parts", [c])),
        fields_enriched=changed_fields(payload),
        duration_ms=duration_ms,
        data_quality_before=(change.album or {}).get("data_quality"),
        data_quality_after=album_after,
        metadata=payload
        | {
            "llamaforensics": {
                "version": 1,
                "correctionId": c.id,
                "kind": c.kind,
                "origin": c.origin,
                "confidence": c.confidence,
                "session": session.job_id,
                "sequence": sequence,
                "correction": c.to_dict(),
                "albumBefore": change.album,
                "ops": [op.to_dict() for op in change.ops],
                **({"kept": [k.to_dict() for k in change.kept]} if change.kept else {}),
            }
        },
    )
    rows = [main]
    for op in change.ops:
        spec = CHILD_OPERATIONS.get((op.action, op.table))
        if spec:
            rows.append(_child_row(session, now, common, change, op, *spec))
    return rows


def _child_row(session, now, common, change, op, entity_type, operation) -> dict:
    row = op.row
    pointers = {"album_id": row.get("album_id", change.album_id)}
    if op.table == "tracks":
        pointers |= {"track_id": row["id"], "entity_id": row["id"]}
        position = f"{row['disc_number']}-{row['track_number']}"
        reason = f"track {position} {row['title']!r} added by a correction"
    elif op.table == "artists":
        pointers = {"artist_id": row["id"], "entity_id": row["id"]}
        reason = f"artist {row['name']!r} created by a correction"
    else:  # a link is no entity: it names both ends and claims no album's or artist's creation
        pointers |= {"artist_id": row["artist_id"]}
        reason = f"artist linked to the album as {row['role']!r} by a correction"
    return _log_row(
        session,
        now,
        **common,
        **pointers,
        operation=operation,
        entity_type=entity_type,
        reason=reason,
        metadata={
            "llamaforensics": {
                # the row's set columns (the rest are NULL); the CORRECTED row keeps it whole, for
                # undo
                "correctionId": change.correction.id,
                "row": {k: v for k, v in row.items() if v is not None},
            }
        },
    )


def _album_after(change: Change):
    quality = (change.album or {}).get("data_quality")
    for op in change.ops:
        if op.action == "update" and op.table == "albums" and "data_quality" in op.after:
            quality = op.after["data_quality"]
    return quality


def changed_fields(payload: dict) -> list[str]:
    """Return the changed field names as the app derives them from its payload.

    (Its getChangedFieldNames: metadata and external id fields, then tracks,
    artists and coverArt when they changed.)
    """
    names = [d["field"] for d in payload["metadata"]] + [d["field"] for d in payload["externalIds"]]
    names += [name for name in ("tracks", "artists") if payload[name]]
    return names + (["coverArt"] if payload["coverArt"] else [])


def app_metadata(change: Change) -> dict:
    """Return the admin-correction metadata in the app's own shape (what its admin UI shows).

    Only real changes: a value the engine sets on every corrected album (data
    quality, enrichment status) is not one the admin chose, and the app does
    not list it either.
    """
    meta: dict[str, Any] = {
        "metadata": [],
        "externalIds": [],
        "tracks": [],
        "artists": [],
        "coverArt": None,
    }
    unlisted = {"updated_at", *change.stamped} | _recounted(change)
    for op in change.ops:
        if op.table == "albums" and op.action == "update" and op.where["id"] == change.album_id:
            for name in (f for f in op.after if f not in unlisted):
                delta = {
                    "field": app_name(name),
                    "before": op.before[name],
                    "after": op.after[name],
                }
                group = ALBUM_FIELDS.get(name, (None, "metadata"))[1]
                if group == "coverArt":
                    meta["coverArt"] = delta
                else:
                    meta[group].append(delta)
        elif (
            op.table == "tracks" and op.action == "repoint"
        ):  # a merge moving the duplicate's tracks (or undoing it)
            meta["tracks"] += [_moved_track_entry(change, op, key) for key in op.keys]
        elif op.table == "tracks":
            meta["tracks"] += _track_entry(change, op)
        elif op.table == "album_artists" and op.action in ("insert", "delete"):
            meta["artists"].append(_artist_entry(change, op))
    return meta


def _recounted(change: Change) -> set:
    """Return {"track_count"} when the change adds, removes or moves tracks: the count follows them.

    The app recounts an album's tracks after changing them and lists the tracks,
    not the count; a track_count set on its own is a field like any other.
    """
    moves_tracks = any(
        op.table == "tracks" and op.action in ("insert", "delete", "repoint") for op in change.ops
    )
    return {"track_count"} if moves_tracks else set()


def _artist_entry(change: Change, op) -> dict:
    artist = change.artists.get(op.row["artist_id"], {})
    entry = {
        "action": "added" if op.action == "insert" else "removed",
        "artistName": artist.get("name"),
    }
    mbid = artist.get("musicbrainz_id")
    return entry | ({"artistMbid": mbid} if mbid else {})


def _track_entry(change: Change, op) -> list[dict]:
    """Return the app's entry for one track operation ([] for a change the app would not list)."""
    if op.action == "update":
        track = change.tracks.get(op.where["id"], {})
        deltas = [
            {"field": app_name(f), "before": op.before[f], "after": op.after[f]}
            for f in op.after
            if f != "updated_at" and op.before[f] != op.after[f]
        ]
        return [_track_head("modified", track) | {"deltas": deltas}] if deltas else []
    return [_track_head("added" if op.action == "insert" else "removed", op.row)]


def _track_head(action: str, track: dict) -> dict:
    return {
        "action": action,
        "trackTitle": track.get("title"),
        "position": track.get("track_number"),
        "discNumber": track.get("disc_number"),
    }


def _moved_track_entry(change: Change, op, key: dict) -> dict:
    track = change.tracks.get(key["id"]) or {}
    return _track_head("added" if op.new == change.album_id else "removed", track)


def describe_kind(kind: str) -> str:
    return {
        "set_album_fields": "album fields corrected",
        "add_tracks": "tracks added",
        "remove_tracks": "tracks removed",
        "modify_tracks": "tracks corrected",
        "link_artist": "artist linked",
        "unlink_artist": "artist unlinked",
        "merge_albums": "duplicate album merged into this one",
        "revert_correction": "earlier correction undone",
    }.get(kind, kind)
