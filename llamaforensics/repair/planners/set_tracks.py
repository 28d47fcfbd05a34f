"""Plan ``set_tracks``: give an album a given track list (a manifest's), compared track by track.

The app's own dev-to-prod script deleted an album's tracks and inserted the
manifest's, whatever production held. Here the album's tracks are first
compared with the list, one entry per position (:func:`track_difference`):

* ``same``: the same track (id) with the same values;
* ``added``: a track of the list the album lacks: inserted;
* ``changed``: the same track (id) with other values (``fields`` names them);
* ``replaced``: another track (another id) at that position;
* ``removed``: a track of the album the list does not have.

Only ``same`` and ``added`` are applied as a matter of course. Anything else
refuses the correction (:class:`TracksDiffer`, carrying the difference) unless
it says ``replace``: then the album's other tracks are removed (their log rows
kept, their credits logged for undo), the changed ones updated, and the rest
added, in one logged, undoable correction.
"""

from __future__ import annotations

from ..catalog import Catalog, Row
from ..change import AlbumState, Change
from ..fields import app_name, comparable, same_value
from ..model import SetTracks
from ..operation import Operation, insert, update
from ..refusals import InvalidCorrection, TracksDiffer
from .rows import album_update, new_row, require_album, track_removal

APPLIED_AS_A_MATTER_OF_COURSE = frozenset({"same", "added"})
NOT_COMPARED = frozenset({"id", "album_id", "created_at", "updated_at"})


def track_difference(current: list[Row], wanted: list[Row]) -> list[Row]:
    """Return the album's tracks (``current``) against the list (``wanted``), one per position.

    Tracks are paired by id first, then what is left by position (disc, number).
    """
    have = {t["id"]: t for t in current}
    left = {t["id"]: t for t in current if t["id"] not in {w["id"] for w in wanted}}
    at: dict[tuple[int, int], str] = {}
    for track in left.values():
        at.setdefault(_position(track), track["id"])
    entries: list[Row] = []
    for track in wanted:
        old = have.get(track["id"])
        if old is not None:
            fields = [
                app_name(f)
                for f, v in track.items()
                if f not in NOT_COMPARED and not same_value("tracks", f, old.get(f), v)
            ]
            entries.append(_entry(track, old, track, "changed" if fields else "same", fields))
        elif _position(track) in at:
            entries.append(_entry(track, left.pop(at.pop(_position(track))), track, "replaced"))
        else:
            entries.append(_entry(track, None, track, "added"))
    entries += [_entry(t, t, None, "removed") for t in left.values()]
    return sorted(entries, key=lambda e: (e["disc"], e["track"], e["status"]))


def _position(track: Row) -> tuple[int, int]:
    return track.get("disc_number", 1), track["track_number"]


def _entry(
    where: Row, old: Row | None, new: Row | None, status: str, fields: list[str] | tuple[()] = ()
) -> Row:
    disc, number = _position(where)
    return {
        "disc": disc,
        "track": number,
        "status": status,
        "current": _brief(old),
        "wanted": _brief(new),
        **({"fields": list(fields)} if fields else {}),
    }


def _brief(track: Row | None) -> Row | None:
    return None if track is None else {"id": track["id"], "title": track.get("title")}


def plan_set_tracks(catalog: Catalog, c: SetTracks, state: AlbumState, now: str) -> Change:
    """Plan what gives the album exactly the correction's tracks (by the module's rules)."""
    album = require_album(c, state)
    difference = track_difference(state.tracks, c.tracks)
    differing = [e for e in difference if e["status"] not in APPLIED_AS_A_MATTER_OF_COURSE]
    if differing and not c.replace:
        raise TracksDiffer(_refusal(album, state.tracks, c.tracks, differing), difference)
    by_id = {t["id"]: t for t in state.tracks}
    wanted = {t["id"] for t in c.tracks}
    # a removed track rows of other tables point at is refused by plan() (.dependents)
    ops = [op for t in state.tracks if t["id"] not in wanted for op in track_removal(catalog, t)]
    ops += [
        op for t in c.tracks if t["id"] in by_id for op in _track_update(by_id[t["id"]], t, now)
    ]
    ops += _insertions(catalog, album, c.tracks, by_id, now)
    if ops:
        count = len(c.tracks)
        counted = {"track_count": count} if album.get("track_count") != count else {}
        ops.append(album_update(album, counted, now))
    shown = difference if state.tracks else None  # what the album held is never passed over
    return Change(c, album["id"], ops, album, tracks=by_id, track_list=shown)


def _refusal(album: Row, current: list[Row], wanted: list[Row], differing: list[Row]) -> str:
    counts: dict[str, int] = {}
    for entry in differing:
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    said = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return (
        f"album {album['id']} ({album.get('title')!r}) holds other tracks than the list "
        f"({len(current)} against {len(wanted)}: {said}); nothing was written. To replace "
        "them with the list's (logged, undoable), apply with --replace-tracks"
    )


def _track_update(old: Row, new: Row, now: str) -> list[Operation]:
    changes = {
        f: v
        for f, v in new.items()
        if f not in NOT_COMPARED and not same_value("tracks", f, old.get(f), v)
    }
    if not changes:
        return []
    before = {f: old.get(f) for f in changes} | {"updated_at": old["updated_at"]}
    after = {f: comparable("tracks", f, v) for f, v in changes.items()}
    return [update("tracks", {"id": old["id"]}, before, after | {"updated_at": now})]


def _insertions(
    catalog: Catalog, album: Row, tracks: list[Row], have: dict[str, Row], now: str
) -> list[Operation]:
    """Insert the tracks the album lacks; one that exists on another album is refused, naming it."""
    found = catalog.rows_in("tracks", "id", [t["id"] for t in tracks])  # read ahead with the state
    elsewhere = [t for t in found if t["id"] not in have]
    if elsewhere:
        track = elsewhere[0]
        raise InvalidCorrection(f"track {track['id']} already exists on album {track['album_id']}")
    return [
        insert("tracks", new_row("tracks", {**t, "album_id": album["id"]}, now))
        for t in tracks
        if t["id"] not in have
    ]
