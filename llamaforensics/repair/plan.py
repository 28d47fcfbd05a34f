"""Turn a correction and the album's current state into row operations (and say what it expects).

:func:`observe` returns the facts a correction is prepared against (what goes
into ``expected``); :func:`plan` returns the :class:`Change`: the operations
that reach the correction's target from the current state. An empty change
means the target is already reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from .dependents import find_dependents, refusal
from .errors import AlbumMissing, InvalidCorrection
from .fields import ALBUM_UNIQUE_FIELDS, canonical_text, columns, comparable, same_value
from .model import (
    AddTracks,
    AlbumChanges,
    Correction,
    LinkArtist,
    ModifyTracks,
    RemoveTracks,
    SetAlbumFields,
    SetTracks,
    UnlinkArtist,
    kinds_of,
)
from .operation import Operation, delete, insert, repoint, update


@dataclass
class AlbumState:
    """An album row (None when absent) with its tracks and artist links, as the engine read them."""

    album: dict | None
    tracks: list[dict]
    links: list[dict]


@dataclass
class Change:
    """The planned effect of one correction."""

    correction: Correction
    album_id: str  # the album the CORRECTED log row is about (the survivor for a merge)
    ops: list[Operation] = field(default_factory=list)
    album: dict | None = None  # the album row before
    artists: dict[str, dict] = field(
        default_factory=dict
    )  # artist id -> row, to name them in the log
    tracks: dict[str, dict] = field(
        default_factory=dict
    )  # track id -> row before, to name them in the log
    stands_for: dict[str, set] = field(
        default_factory=dict
    )  # album id -> updated_at values the write restores
    stamped: set = field(default_factory=set)  # album columns every admin correction sets
    kept: list = field(default_factory=list)  # undo: rows left in place, others use them
    track_list: list[dict] | None = None  # set_tracks on an album with tracks: track by track

    @property
    def empty(self) -> bool:
        return not self.ops


# What planning a correction needs of the album's tracks and links: nothing where it never looks at them
# (TRACKS_UNSEEN, LINKS_UNSEEN), whole track rows only where it removes, changes or moves them (reading whole
# rows costs more), and locks only where it may write them (each lock is a write).
BRIEF_TRACK_COLUMNS = ("id", "album_id", "disc_number", "track_number", "title", "updated_at")
WHOLE_TRACK_KINDS = frozenset({"remove_tracks", "modify_tracks", "merge_albums", "set_tracks"})
TRACKS_LEFT_ALONE = frozenset({"set_album_fields", "add_tracks", "link_artist", "unlink_artist"})
TRACKS_UNSEEN = frozenset({"set_album_fields", "link_artist", "unlink_artist"})
LINKS_UNSEEN = frozenset({"set_album_fields", "add_tracks", "remove_tracks", "modify_tracks"})


def load_state(
    catalog,
    album_id: str,
    *,
    lock: bool = False,
    also=(),
    brief_tracks: bool = False,
    lock_tracks: bool = True,
    tracks: bool = True,
    links: bool = True,
) -> AlbumState | tuple:
    """Read (and with ``lock``, lock) an album, its tracks and its artist links, in one round trip.

    With ``also`` (more queries to run in the same round trip), return the state and their rows;
    with ``brief_tracks``, only :data:`BRIEF_TRACK_COLUMNS` of the tracks; ``lock_tracks=False``
    locks the album and its links but not its tracks; ``tracks=False`` and ``links=False`` leave
    them unread (the state has none).
    """
    queries = [catalog.select("albums", {"id": album_id}, lock=lock)]
    if tracks:
        queries.append(
            catalog.select(
                "tracks",
                {"album_id": album_id},
                lock=lock and lock_tracks,
                order="disc_number, track_number, id",
                columns=BRIEF_TRACK_COLUMNS if brief_tracks else None,
            )
        )
    if links:
        queries.append(
            catalog.select(
                "album_artists",
                {"album_id": album_id},
                lock=lock,
                order="position, artist_id, role",
            )
        )
    found = catalog.fetch_together([*queries, *also])
    album = found.pop(0)
    state = AlbumState(
        album[0] if album else None, found.pop(0) if tracks else [], found.pop(0) if links else []
    )
    return (state, *found) if also else state


def state_reads(correction: Correction) -> dict:
    """Return what :func:`load_state` must read and lock for ``correction`` (its keyword arguments)."""
    kinds = kinds_of(correction)
    return {
        "brief_tracks": not kinds & WHOLE_TRACK_KINDS,
        "lock_tracks": not kinds <= TRACKS_LEFT_ALONE,
        "tracks": not kinds <= TRACKS_UNSEEN,
        "links": not kinds <= LINKS_UNSEEN,
    }


def reads_ahead(catalog, correction: Correction) -> list:
    """Return the queries the planner of ``correction`` will make, to send with the state's (one round trip)."""
    if isinstance(correction, AlbumChanges):
        return [query for part in correction.parts for query in reads_ahead(catalog, part)]
    if isinstance(correction, (AddTracks, SetTracks)):
        return [catalog.select_in("tracks", "id", [t["id"] for t in correction.tracks])]
    if isinstance(correction, LinkArtist):
        return [catalog.select("artists", {"id": correction.artist_id})]
    return []


def observe(catalog, correction: Correction, state: AlbumState) -> dict:
    """Return the facts about the current state that ``correction`` depends on."""
    album = state.album or {}
    facts = {"updated_at": album.get("updated_at")}
    by_id = {t["id"]: t for t in state.tracks}
    if isinstance(
        correction, AlbumChanges
    ):  # the album's updated_at once, then each part's own facts
        facts["parts"] = [
            {k: v for k, v in observe(catalog, part, state).items() if k != "updated_at"}
            for part in correction.parts
        ]
    elif isinstance(correction, SetAlbumFields):
        facts |= {f: album.get(f) for f in correction.fields}
    elif isinstance(correction, (AddTracks, SetTracks)):
        facts["track_ids"] = sorted(by_id)
    elif isinstance(correction, RemoveTracks):
        facts["tracks"] = {t: (by_id.get(t) or {}).get("updated_at") for t in correction.track_ids}
    elif isinstance(correction, ModifyTracks):
        facts["tracks"] = {
            t: {f: (by_id.get(t) or {}).get(f) for f in [*fields, "updated_at"]}
            for t, fields in correction.tracks.items()
        }
    elif isinstance(correction, (LinkArtist, UnlinkArtist)):
        facts["link"] = next(
            (
                link
                for link in state.links
                if link["artist_id"] == correction.artist_id and link["role"] == correction.role
            ),
            None,
        )
    elif correction.kind == "merge_albums":
        facts |= _merge_facts(catalog, correction, state)
    return facts


def _merge_facts(catalog, correction, state: AlbumState) -> dict:
    """Return what a merge moves or deletes: the duplicate's tracks, artist links and external ids.

    A track added to the duplicate after planning (or an id, or a link) then makes
    the merge STALE instead of being deleted or lost. The survivor is checked by its
    updated_at; an id both albums hold differently is refused when planning.
    """
    from .merge import EXTERNAL_IDS

    survivor = catalog.row("albums", {"id": correction.survivor_id}) or {}
    album = state.album or {}
    return {
        "survivor_updated_at": survivor.get("updated_at"),
        "duplicate_tracks": sorted(t["id"] for t in state.tracks),
        "duplicate_links": sorted(f"{x['artist_id']} {x['role']}" for x in state.links),
        "duplicate_ids": {name: album.get(name) for name in EXTERNAL_IDS},
    }


def stale_facts(expected: dict, current: dict, same_updated_at) -> dict:
    """Return the facts whose current value differs from the expected one, with the current values."""
    moved = {}
    for key, value in expected.items():
        if key in ("updated_at", "survivor_updated_at") and same_updated_at(
            value, current.get(key)
        ):
            continue
        if canonical_text(value) != canonical_text(current.get(key)):
            moved[key] = current.get(key)
    return moved


# What the app's own admin correction leaves on every album it corrects (its apply service).
ADMIN_STAMP = {"data_quality": "HIGH", "enrichment_status": "COMPLETED"}


def plan(catalog, correction: Correction, state: AlbumState, now: str) -> Change:
    """Return the operations that take the album from ``state`` to the correction's target.

    Refused (INVALID) when a row it deletes is still referenced by rows it does not
    handle itself (:mod:`.dependents`); an undo decides for itself (it keeps such rows).
    A correction that changes anything leaves the album as the app's admin correction
    does: data_quality HIGH, enrichment_status COMPLETED, unless the correction sets
    them itself (a manifest carrying a dev copy's values, say).
    """
    change = _plan(catalog, correction, state, now)
    if correction.kind == "revert_correction" or change.empty:
        return change
    dependents = find_dependents(catalog, change.ops)
    if dependents:
        what = f"this {correction.kind} of album {correction.album_id}"
        raise InvalidCorrection(refusal(what, dependents))
    _stamp_admin_correction(change)
    return change


def _stamp_admin_correction(change: Change) -> None:
    """Set what the app's admin correction sets on the album, unless the correction names it."""
    stamp = next(
        (
            op
            for op in change.ops
            if op.action == "update" and op.table == "albums" and op.where["id"] == change.album_id
        ),
        None,
    )
    if stamp is None or change.album is None:
        return
    named = _named_album_fields(change.correction)
    added = {
        k: v
        for k, v in ADMIN_STAMP.items()
        if k not in stamp.after and k not in named and change.album.get(k) != v
    }
    stamp.before = {**{k: change.album.get(k) for k in added}, **stamp.before}
    stamp.after = {**added, **stamp.after}
    change.stamped = set(added)


def _named_album_fields(correction: Correction) -> set[str]:
    """Return the album fields a correction sets, changed or not (a manifest naming dev's values)."""
    parts = getattr(correction, "parts", None) or [correction]
    return {name for part in parts for name in (getattr(part, "fields", None) or {})}


def _plan(catalog, correction: Correction, state: AlbumState, now: str) -> Change:
    from .merge import plan_merge
    from .tracklist import plan_track_list
    from .undo import plan_revert

    planners = {
        "set_album_fields": _set_fields,
        "add_tracks": _add_tracks,
        "set_tracks": plan_track_list,
        "remove_tracks": _remove_tracks,
        "modify_tracks": _modify_tracks,
        "link_artist": _link_artist,
        "unlink_artist": _unlink_artist,
        "merge_albums": plan_merge,
        "revert_correction": plan_revert,
        "album_changes": _album_changes,
    }
    return planners[correction.kind](catalog, correction, state, now)


def _album_changes(catalog, c: AlbumChanges, state: AlbumState, now: str) -> Change:
    """Plan the parts as if applied one after the other; the album row is updated once, with what they all set."""
    parts, current = (
        [],
        AlbumState(
            dict(state.album) if state.album else None, list(state.tracks), list(state.links)
        ),
    )
    for part in c.parts:
        parts.append(_plan(catalog, part, current, now))
        _advance(current, parts[-1].ops)
    ops, stamp = [], None
    for op in (op for part in parts for op in part.ops):
        if op.action == "update" and op.table == "albums" and op.where == {"id": c.album_id}:
            if stamp is None:
                stamp = update("albums", op.where, dict(op.before), dict(op.after))
                ops.append(stamp)
            else:  # the value before comes from the state, the one after from the last part that sets it
                stamp.before = {**op.before, **stamp.before}
                stamp.after = {**stamp.after, **op.after}
            continue
        ops.append(op)
    change = Change(c, c.album_id, ops, state.album)
    for part in parts:
        change.artists |= part.artists
        change.tracks |= part.tracks
        change.track_list = part.track_list or change.track_list
        for album, values in part.stands_for.items():
            change.stands_for.setdefault(album, set()).update(values)
    return change


def _advance(state: AlbumState, ops: list[Operation]) -> None:
    """Bring the in-memory ``state`` to where ``ops`` take the album (what the next part is planned against)."""
    for op in ops:
        if (
            op.table == "albums"
            and op.action == "update"
            and state.album
            and op.where["id"] == state.album["id"]
        ):
            state.album = {**state.album, **op.after}
        elif op.table in ("tracks", "album_artists") and op.action in (
            "insert",
            "delete",
            "update",
        ):
            rows = state.tracks if op.table == "tracks" else state.links
            if op.action == "insert":
                rows.append(op.row)
            elif op.action == "delete":
                rows[:] = [r for r in rows if any(r.get(k) != v for k, v in op.row_key.items())]
            else:
                rows[:] = [
                    {**r, **op.after} if all(r.get(k) == v for k, v in op.where.items()) else r
                    for r in rows
                ]


def require_album(correction: Correction, state: AlbumState) -> dict:
    if state.album is None:
        raise AlbumMissing(f"album {correction.album_id} does not exist")
    return state.album


def album_update(album: dict, changes: dict, now: str) -> Operation:
    """Update album columns and ``updated_at`` (the ORM's column: every write sets it)."""
    before = {k: album[k] for k in changes} | {"updated_at": album["updated_at"]}
    return update("albums", {"id": album["id"]}, before, {**changes, "updated_at": now})


def new_row(table: str, values: dict, now: str) -> dict:
    """Return a complete new row: the upstream literal defaults, then ``values``, stamped ``now``."""
    row = dict(_defaults(table))
    row |= {"created_at": now, "updated_at": now} if "updated_at" in row else {"created_at": now}
    return row | {k: comparable(table, k, v) for k, v in values.items()}


@cache
def _defaults(table: str) -> dict:
    return {name: literal_default(col.default) for name, col in columns(table).items()}


def literal_default(default: str | None):
    if default is None:
        return None
    if default.startswith("'"):
        return default.strip("'")
    if default.lower() in ("true", "false"):
        return default.lower() == "true"
    return int(default) if default.lstrip("-").isdigit() else None


def _set_fields(catalog, c: SetAlbumFields, state: AlbumState, now: str) -> Change:
    album = require_album(c, state)
    changes = {
        f: comparable("albums", f, v)
        for f, v in c.fields.items()
        if not same_value("albums", f, album[f], v)
    }
    for name in ALBUM_UNIQUE_FIELDS:
        if changes.get(name) is not None:
            other = next(
                (
                    a
                    for a in catalog.rows("albums", {name: changes[name]})
                    if a["id"] != album["id"]
                ),
                None,
            )
            if other:
                raise InvalidCorrection(
                    f"{name} {changes[name]} already belongs to album {other['id']} ({other['title']!r}); "
                    "if they are the same release, merge them (merge_albums) instead"
                )
    return Change(c, album["id"], [album_update(album, changes, now)] if changes else [], album)


def _add_tracks(catalog, c: AddTracks, state: AlbumState, now: str) -> Change:
    album = require_album(c, state)
    have = {t["id"] for t in state.tracks}
    taken = {(t["disc_number"], t["track_number"]): t for t in state.tracks}
    ops = []
    elsewhere = [
        t
        for t in catalog.rows_in("tracks", "id", [t["id"] for t in c.tracks])
        if t["id"] not in have
    ]
    if elsewhere:
        raise InvalidCorrection(
            f"track {elsewhere[0]['id']} already exists on album {elsewhere[0]['album_id']}"
        )
    for track in c.tracks:
        if track["id"] in have:
            continue
        pos = (track.get("disc_number", 1), track["track_number"])
        if pos in taken:
            raise InvalidCorrection(
                f"disc {pos[0]} track {pos[1]} of album {album['id']} is already "
                f"{taken[pos]['title']!r} ({taken[pos]['id']}); remove or modify it first"
            )
        ops.append(insert("tracks", new_row("tracks", {**track, "album_id": album["id"]}, now)))
    if ops:
        ops.append(album_update(album, {"track_count": len(state.tracks) + len(ops)}, now))
    return Change(c, album["id"], ops, album)


ENTITY_TYPES = {"album_id": "ALBUM", "artist_id": "ARTIST", "track_id": "TRACK"}


def detach_logs(catalog, column: str, entity_id: str) -> list[Operation]:
    """Unhook log rows from a row about to be deleted, so the cascade cannot take them.

    Their entity_id stays (it records what each row was about), except on the
    tool's own rows: a row it wrote never points at nothing (a dangling_entity_id
    finding); its CORRECTED row still holds the deleted row whole.
    """
    from .logbook import TRIGGERED_BY

    own_where = {
        "entity_type": ENTITY_TYPES[column],
        "entity_id": entity_id,
        "triggered_by": TRIGGERED_BY,
    }
    pointing, own = catalog.fetch_together(
        [
            catalog.select("llama_logs", {column: entity_id}, order="id"),
            catalog.select("llama_logs", own_where, order="id"),
        ]
    )
    ops = []
    for moved, rows in ((column, pointing), ("entity_id", own)):
        if rows:
            keys = [{"id": r["id"]} for r in rows]
            ops.append(repoint("llama_logs", moved, entity_id, None, keys))
    return ops


def track_removal(catalog, track: dict) -> list[Operation]:
    """Delete a track with its artist links, keeping its log rows."""
    ops = detach_logs(catalog, "track_id", track["id"])
    ops += [
        delete("track_artists", r)
        for r in catalog.rows("track_artists", {"track_id": track["id"]}, order="artist_id, role")
    ]
    return ops + [delete("tracks", track)]


def _remove_tracks(catalog, c: RemoveTracks, state: AlbumState, now: str) -> Change:
    album = require_album(c, state)
    by_id = {t["id"]: t for t in state.tracks}
    ops = []
    for track_id in c.track_ids:
        if track_id not in by_id:
            elsewhere = catalog.row("tracks", {"id": track_id})
            if elsewhere:
                raise InvalidCorrection(
                    f"track {track_id} belongs to album {elsewhere['album_id']}, not {album['id']}"
                )
            continue
        ops += track_removal(catalog, by_id[track_id])
    if ops:
        ops.append(
            album_update(
                album, {"track_count": len(state.tracks) - len(set(c.track_ids) & set(by_id))}, now
            )
        )
    return Change(c, album["id"], ops, album)


def _modify_tracks(catalog, c: ModifyTracks, state: AlbumState, now: str) -> Change:
    album = require_album(c, state)
    by_id = {t["id"]: t for t in state.tracks}
    ops = []
    for track_id, values in c.tracks.items():
        track = by_id.get(track_id)
        if track is None:
            raise InvalidCorrection(f"track {track_id} is not on album {album['id']}")
        changes = {
            f: comparable("tracks", f, v)
            for f, v in values.items()
            if not same_value("tracks", f, track[f], v)
        }
        if changes:
            before = {f: track[f] for f in changes} | {"updated_at": track["updated_at"]}
            ops.append(update("tracks", {"id": track_id}, before, changes | {"updated_at": now}))
    if ops:
        ops.append(album_update(album, {}, now))
    return Change(c, album["id"], ops, album, tracks=by_id)


def _link_artist(catalog, c: LinkArtist, state: AlbumState, now: str) -> Change:
    album = require_album(c, state)
    artist = catalog.row("artists", {"id": c.artist_id})
    ops = []
    if artist is None:
        if c.new_artist is None:
            raise InvalidCorrection(
                f"artist {c.artist_id} does not exist; give new_artist to create it"
            )
        artist = new_row("artists", c.new_artist, now)
        ops.append(insert("artists", artist))
    if not any(link["artist_id"] == c.artist_id and link["role"] == c.role for link in state.links):
        link = {
            "album_id": album["id"],
            "artist_id": c.artist_id,
            "role": c.role,
            "position": c.position,
        }
        ops.append(insert("album_artists", link))
    if ops:
        ops.append(album_update(album, {}, now))
    return Change(c, album["id"], ops, album, {artist["id"]: artist})


def _unlink_artist(catalog, c: UnlinkArtist, state: AlbumState, now: str) -> Change:
    album = require_album(c, state)
    link = next(
        (x for x in state.links if x["artist_id"] == c.artist_id and x["role"] == c.role), None
    )
    if link is None:
        return Change(c, album["id"], [], album)
    artist = catalog.row("artists", {"id": c.artist_id}) or {"id": c.artist_id}
    return Change(
        c,
        album["id"],
        [delete("album_artists", link), album_update(album, {}, now)],
        album,
        {c.artist_id: artist},
    )
