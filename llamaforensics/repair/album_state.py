"""An album's state as a correction needs it: read (and locked) in one round trip, then checked.

:func:`load_state` reads the album, its tracks and its artist links;
:func:`observe` returns the facts a correction is prepared against (what goes
into ``expected``); :func:`stale_facts` names those that moved since, which
makes the correction STALE instead of written over a change nobody saw.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .catalog import Catalog, Query, Row
from .change import AlbumState
from .fields import EXTERNAL_IDS, canonical_text
from .model import (
    AddTracks,
    AlbumChanges,
    Correction,
    LinkArtist,
    MergeAlbums,
    ModifyTracks,
    RemoveTracks,
    SetAlbumFields,
    SetTracks,
    UnlinkArtist,
    kinds_of,
)

# What planning a correction needs of the album's tracks and links: nothing where it never looks
# at them (TRACKS_UNSEEN, LINKS_UNSEEN), whole track rows only where it removes, changes or moves
# them (reading whole rows costs more), and locks only where it may write them (each lock is a
# write).
BRIEF_TRACK_COLUMNS = ("id", "album_id", "disc_number", "track_number", "title", "updated_at")
WHOLE_TRACK_KINDS = frozenset({"remove_tracks", "modify_tracks", "merge_albums", "set_tracks"})
TRACKS_LEFT_ALONE = frozenset({"set_album_fields", "add_tracks", "link_artist", "unlink_artist"})
TRACKS_UNSEEN = frozenset({"set_album_fields", "link_artist", "unlink_artist"})
LINKS_UNSEEN = frozenset({"set_album_fields", "add_tracks", "remove_tracks", "modify_tracks"})


def load_state(
    catalog: Catalog,
    album_id: str,
    *,
    lock: bool = False,
    brief_tracks: bool = False,
    lock_tracks: bool = True,
    tracks: bool = True,
    links: bool = True,
) -> AlbumState:
    """Read (and with ``lock``, lock) an album, its tracks and its artist links, in one round trip.

    With ``brief_tracks``, only :data:`BRIEF_TRACK_COLUMNS` of the tracks;
    ``lock_tracks=False`` locks the album and its links but not its tracks;
    ``tracks=False`` and ``links=False`` leave them unread (the state has none).
    """
    state, _ = load_state_with(
        catalog,
        album_id,
        [],
        lock=lock,
        brief_tracks=brief_tracks,
        lock_tracks=lock_tracks,
        tracks=tracks,
        links=links,
    )
    return state


def load_state_with(
    catalog: Catalog,
    album_id: str,
    also: list[Query],
    *,
    lock: bool = False,
    brief_tracks: bool = False,
    lock_tracks: bool = True,
    tracks: bool = True,
    links: bool = True,
) -> tuple[AlbumState, list[list[Row]]]:
    """Return :func:`load_state`'s state and the rows of the queries ``also``, in one round trip."""
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
    return state, found


def state_reads(correction: Correction) -> dict[str, bool]:
    """Return what :func:`load_state` must read and lock for ``correction`` (its keywords)."""
    kinds = kinds_of(correction)
    return {
        "brief_tracks": not kinds & WHOLE_TRACK_KINDS,
        "lock_tracks": not kinds <= TRACKS_LEFT_ALONE,
        "tracks": not kinds <= TRACKS_UNSEEN,
        "links": not kinds <= LINKS_UNSEEN,
    }


def reads_ahead(catalog: Catalog, correction: Correction) -> list[Query]:
    """Return the queries the planner of ``correction`` will make, to send with the state's."""
    if isinstance(correction, AlbumChanges):
        return [query for part in correction.parts for query in reads_ahead(catalog, part)]
    if isinstance(correction, (AddTracks, SetTracks)):
        return [catalog.select_in("tracks", "id", [t["id"] for t in correction.tracks])]
    if isinstance(correction, LinkArtist):
        return [catalog.select("artists", {"id": correction.artist_id})]
    return []


def observe(catalog: Catalog, correction: Correction, state: AlbumState) -> dict[str, Any]:
    """Return the facts about the current state that ``correction`` depends on."""
    album = state.album or {}
    facts: dict[str, Any] = {"updated_at": album.get("updated_at")}
    by_id = {t["id"]: t for t in state.tracks}
    if isinstance(correction, AlbumChanges):  # the album's updated_at once, then each part's
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
    elif isinstance(correction, MergeAlbums):
        facts |= _merge_facts(catalog, correction, state)
    return facts


def _merge_facts(catalog: Catalog, correction: MergeAlbums, state: AlbumState) -> dict[str, Any]:
    """Return what a merge moves or deletes: the duplicate's tracks, artist links and external ids.

    A track added to the duplicate after planning (or an id, or a link) then makes
    the merge STALE instead of being deleted or lost. The survivor is checked by its
    updated_at; an id both albums hold differently is refused when planning.
    """
    survivor = catalog.row("albums", {"id": correction.survivor_id}) or {}
    album = state.album or {}
    return {
        "survivor_updated_at": survivor.get("updated_at"),
        "duplicate_tracks": sorted(t["id"] for t in state.tracks),
        "duplicate_links": sorted(f"{x['artist_id']} {x['role']}" for x in state.links),
        "duplicate_ids": {name: album.get(name) for name in EXTERNAL_IDS},
    }


def stale_facts(
    expected: dict[str, Any],
    current: dict[str, Any],
    same_updated_at: Callable[[Any, Any], bool],
) -> dict[str, Any]:
    """Return the facts whose current value differs from the expected one, with current values."""
    moved = {}
    for key, value in expected.items():
        if key in ("updated_at", "survivor_updated_at") and same_updated_at(
            value, current.get(key)
        ):
            continue
        if canonical_text(value) != canonical_text(current.get(key)):
            moved[key] = current.get(key)
    return moved
