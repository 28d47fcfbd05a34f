"""The story of an album, told from its log rows: every sentence names the rows it rests on.

"Created on 2026-01-29 by the Spotify new-releases sync (job ..., one of 40
albums in batch ...). Enrichment on 2026-01-29 searched MusicBrainz and found
no match (NO_DATA_AVAILABLE). No tracks were ever created."
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import polars as pl

from ..snapshot.extremes import shown_rows

CREATORS = {
    "album:created:spotify-sync": "the Spotify new-releases sync",
    "album:created:musicbrainz-sync": "the MusicBrainz sync",
    "album:created:deezer-import": "the Deezer editorial import",
    "MANUAL_CREATE": "an admin",
}
LATE_AFTER = timedelta(hours=24)
MAX_ENRICHMENT_SENTENCES = 4


@dataclass(frozen=True)
class Sentence:
    text: str
    log_ids: tuple[str, ...] = ()
    source: str = "llama_logs"  # or "albums" when the sentence reads the album's current row
    kind: str = ""

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "log_ids": list(self.log_ids),
            "source": self.source,
            "kind": self.kind,
        }


@dataclass
class _Facts:
    album: dict
    timeline: pl.DataFrame
    tracks: int
    batch_sizes: dict = field(default_factory=dict)

    def rows(self, **where: object) -> list[dict]:
        frame = self.timeline
        for column, value in where.items():
            frame = frame.filter(
                pl.col(column).is_in(value)
                if isinstance(value, (list, tuple))
                else pl.col(column) == value
            )
        return shown_rows(frame)


def _day(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%d")


def _who(row: dict) -> str:
    return row.get("user_name") or row.get("user_id") or "an unknown user"


class AlbumFacts(Protocol):
    """What a story is told from: an album's row, its log rows and its tracks (a dossier has them).

    A protocol, not the dossier class, so the dossier can tell its own story without a circle.
    """

    album: dict[str, Any]
    timeline: pl.DataFrame
    tracks: pl.DataFrame


def tell_story(dossier: AlbumFacts) -> list[Sentence]:
    """Return the album's story as sentences, oldest first, each traceable to its log rows."""
    facts = _Facts(
        dossier.album,
        dossier.timeline,
        dossier.tracks.height,
        getattr(dossier, "batch_sizes", {}) or {},
    )
    sentences = _creation(facts)
    sentences += _enrichment(facts)
    sentences += _later(facts)
    sentences.append(_today(facts))
    return sentences


def _creation(f: _Facts) -> list[Sentence]:
    created = f.rows(entity_type="ALBUM", category="CREATED")
    added = [
        r
        for r in f.rows(category="USER_ACTION")
        if (json.loads(r["metadata"] or "{}") or {}).get("albumCreated") is True
    ]
    out = []
    if created:
        r = created[0]
        who = CREATORS.get(r["operation"], f"`{r['operation']}`")
        who = f"{who} ({_who(r)})" if r["operation"] == "MANUAL_CREATE" else who
        batch = r["parent_job_id"]
        size = f.batch_sizes.get(batch)
        in_batch = f", one of {size} albums in batch {batch}" if size else ""
        job = f" (job {r['job_id']}{in_batch})" if r["job_id"] else ""
        out.append(
            Sentence(
                f"Created on {_day(r['created_at'])} by {who}{job}.", (r["log_id"],), kind="created"
            )
        )
    elif added:
        r = added[0]
        how = (
            "adding it to a collection"
            if r["operation"].startswith("collection:")
            else "a recommendation"
        )
        out.append(
            Sentence(
                f"Created on {_day(r['created_at'])} by {_who(r)} through {how} "
                f"(the app logs no CREATED row for this path).",
                (r["log_id"],),
                kind="created",
            )
        )
    else:
        out.append(
            Sentence(
                f"No log row records its creation: it has been in the catalog since "
                f"{_day(f.album['created_at'])} (unknown origin).",
                (),
                "albums",
                kind="no_created_log",
            )
        )
    first = f.rows(entity_type="ALBUM")
    if first and first[0]["created_at"] - f.album["created_at"] > LATE_AFTER:
        days = (first[0]["created_at"] - f.album["created_at"]).days
        out.append(
            Sentence(
                f"Its first log row came {days} days after the album row was created "
                f"({_day(f.album['created_at'])}).",
                (first[0]["log_id"],),
                kind="late_first_log",
            )
        )
    new_artists = [
        r
        for r in f.rows(operation="artist:created")
        if created and r["created_at"] - created[0]["created_at"] < timedelta(minutes=1)
    ]
    if new_artists:
        names = ", ".join(r["entity"] or "?" for r in new_artists)
        out.append(
            Sentence(
                f"Its artist {names} was created along with it.",
                tuple(r["log_id"] for r in new_artists),
                kind="artist",
            )
        )
    return out


def _enrichment(f: _Facts) -> list[Sentence]:
    rows = f.rows(operation="enrichment:album")
    failed = [r for r in rows if r["status"] == "FAILED"]
    out = []
    for r in [r for r in rows if r["status"] != "FAILED"][:MAX_ENRICHMENT_SENTENCES]:
        day = _day(r["created_at"])
        if r["status"] in ("SUCCESS", "PARTIAL_SUCCESS"):
            tracks = (
                f.rows(job_id=r["job_id"], entity_type="TRACK", category="CREATED")
                if r["job_id"]
                else []
            )
            added = f"; {len(tracks)} tracks were added" if tracks else ""
            fields = ", ".join(r["fields_enriched"] or []) or "no fields"
            text = f"Enrichment on {day} matched MusicBrainz ({r['status']}: {fields}){added}."
            out.append(
                Sentence(text, (r["log_id"], *[t["log_id"] for t in tracks]), kind="enriched")
            )
        elif r["status"] == "NO_DATA_AVAILABLE":
            out.append(
                Sentence(
                    f"Enrichment on {day} searched MusicBrainz and found no match "
                    "(NO_DATA_AVAILABLE).",
                    (r["log_id"],),
                    kind="no_match",
                )
            )
        else:
            out.append(
                Sentence(
                    f"Enrichment on {day} ended {r['status']}: "
                    f"{r['reason'] or 'no reason logged'}.",
                    (r["log_id"],),
                    kind="enrichment",
                )
            )
    if failed:
        span = _day(failed[0]["created_at"]) + (
            "" if len(failed) == 1 else f" and {_day(failed[-1]['created_at'])}"
        )
        between = "on" if len(failed) == 1 else "between"
        out.append(
            Sentence(
                f"{len(failed)} enrichment attempt{'s' if len(failed) > 1 else ''} "
                f"failed {between} {span} "
                f"(last error: {failed[-1]['error_message'] or 'none logged'}).",
                tuple(r["log_id"] for r in failed),
                kind="failed",
            )
        )
    spotify_tracks = f.rows(operation="track:created:spotify-sync")
    if spotify_tracks:
        out.append(
            Sentence(
                f"{len(spotify_tracks)} tracks came with the Spotify import on "
                f"{_day(spotify_tracks[0]['created_at'])}.",
                tuple(r["log_id"] for r in spotify_tracks),
                kind="tracks",
            )
        )
    return out


def _later(f: _Facts) -> list[Sentence]:
    out = []
    for r in f.rows(category="CORRECTED"):
        fields = ", ".join(r["fields_enriched"] or []) or r["operation"]
        out.append(
            Sentence(
                f"Corrected by {_who(r)} on {_day(r['created_at'])}: {fields}.",
                (r["log_id"],),
                kind="corrected",
            )
        )
    adds = [
        r
        for r in f.rows(operation="collection:album-added")
        if (json.loads(r["metadata"] or "{}") or {}).get("albumCreated") is not True
    ]
    if adds:
        out.append(
            Sentence(
                f"Added to {len(adds)} collection{'s' if len(adds) > 1 else ''} "
                f"(first on {_day(adds[0]['created_at'])}).",
                tuple(r["log_id"] for r in adds),
                kind="collections",
            )
        )
    previews = f.rows(status="PREVIEW")
    if previews:
        out.append(
            Sentence(
                f"A preview enrichment on {_day(previews[0]['created_at'])} "
                "proposed a MusicBrainz match "
                "(a dry run: nothing was applied).",
                tuple(r["log_id"] for r in previews),
                kind="preview",
            )
        )
    return out


def _today(f: _Facts) -> Sentence:
    a = f.album
    if f.tracks == 0:
        tracks = "No tracks were ever created"
        tracks += f" (the source claimed {a['track_count']})" if a.get("track_count") else ""
    else:
        tracks = f"Today it has {f.tracks} tracks"
        if a.get("track_count") is not None and a["track_count"] != f.tracks:
            tracks += f", though its track_count says {a['track_count']}"
    ids = (
        "no MusicBrainz id"
        if a.get("musicbrainz_id") is None
        else f"MusicBrainz id {a['musicbrainz_id']}"
    )
    return Sentence(
        f"{tracks}; {ids}; enrichment status {a.get('enrichment_status')}, "
        f"data quality {a.get('data_quality')}.",
        (),
        "albums",
        kind="today",
    )
