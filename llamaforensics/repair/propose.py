"""Proposed corrections for findings, built from data the snapshot already holds.

Each proposed correction says where its values come from (``origin``: "logs"
for values read from log rows, "finding" for values read from the catalog
itself; ``reason`` names the rows), and how sure it is (``confidence``, 0-1).
It carries no expected state yet: prepare it
against the database it will be applied to (``prepare_corrections``).

- trackless_album       -> the track list (and MusicBrainz id) of a logged
                           preview enrichment's ``preview_data`` (confidence:
                           its matchScore)
- missing_external_id   -> the musicbrainz_id the successful enrichment logged
- track_count_mismatch  -> track_count set to the tracks the album really has
- artistless_album      -> a link to the artist credited on most of its tracks
- duplicate_album       -> a merge of the duplicate into the group's survivor
Other kinds (stuck enrichment, job chains, ...) are fixed by the app or by a
backfill, not by a catalog correction: their proposal says so and holds none.

A logged track list is data from the database under investigation: it can
name 50,000 tracks. No proposed correction may write more than ``max_rows``
rows (default ``MAX_ROWS``); a larger one is left out, and its note says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from ..findings import Finding, run_findings, to_findings
from .model import (
    AddTracks,
    Correction,
    LinkArtist,
    MergeAlbums,
    ModifyTracks,
    RemoveTracks,
    SetAlbumFields,
)

MAX_ROWS = 1_000  # rows one proposed correction may write (the largest box sets have ~500 tracks)

NO_CORRECTION = {
    "stuck_enrichment": "requeue the album's enrichment in the app",
    "failing_enrichment": "look at the last error, then requeue the enrichment in the app",
    "no_created_log": "nothing to correct in the catalog: the origin is unknown",
    "late_first_log": "nothing to correct in the catalog: the history is incomplete",
}


@dataclass
class Proposal:
    """The corrections proposed for one finding, or a note saying why there are none."""

    finding: Finding
    corrections: list[Correction] = field(default_factory=list)
    note: str = ""

    @property
    def confidence(self) -> float:
        return min((c.confidence for c in self.corrections), default=0.0)


def propose(con: duckdb.DuckDBPyConnection, finding: Finding, max_rows: int = MAX_ROWS) -> Proposal:
    """Return the proposal for one finding, read from the snapshot; none over ``max_rows`` rows."""
    build = _BUILDERS.get(finding.kind)
    if build is None:
        note = NO_CORRECTION.get(
            finding.kind, "no catalog correction fixes this kind: it is fixed in the log or the app"
        )
        return Proposal(finding, note=note)
    corrections, note = build(con, finding)
    largest = max((rows_written(c) for c in corrections), default=0)
    if largest > max_rows:
        note = (
            f"left out: a correction would write {largest:,} rows, more than the cap of "
            f"{max_rows:,} per correction (--max-rows); check the source ({note})"
        )
        return Proposal(finding, note=note)
    return Proposal(finding, corrections, note)


def rows_written(correction: Correction) -> int:
    """Return how many catalog rows a correction writes (a merge counts as one)."""
    if isinstance(correction, (AddTracks, ModifyTracks)):
        return len(correction.tracks)
    if isinstance(correction, RemoveTracks):
        return len(correction.track_ids)
    return 1


def propose_all(
    con: duckdb.DuckDBPyConnection, findings: list[Finding], max_rows: int = MAX_ROWS
) -> list[Proposal]:
    """Return a proposal for each finding (in order)."""
    return [propose(con, f, max_rows) for f in findings]


def proposals_for(
    con: duckdb.DuckDBPyConnection,
    kinds: Iterable[str] | None = None,
    min_confidence: float = 0.0,
    max_rows: int = MAX_ROWS,
) -> list[Proposal]:
    """Run the findings of ``kinds`` (default: every kind a correction fixes); propose for each.

    Proposals below ``min_confidence`` keep their note but lose their corrections; so do those
    writing more than ``max_rows`` rows in one correction.
    """
    found = to_findings(run_findings(con, list(kinds or _BUILDERS)))
    proposals = propose_all(con, found, max_rows)
    for p in proposals:
        if p.corrections and p.confidence < min_confidence:
            p.note = (
                f"confidence {p.confidence:.2f} below {min_confidence:.2f}: left out ({p.note})"
            )
            p.corrections = []
    return proposals


def _trackless(con, finding: Finding) -> tuple[list[Correction], str]:
    row = con.execute(
        """
        SELECT l.id::VARCHAR, l.created_at, l.preview_data::VARCHAR, a.musicbrainz_id::VARCHAR
        FROM llama_logs l JOIN albums a ON a.id = l.album_id
        WHERE l.album_id = CAST(? AS UUID) AND l.preview_data IS NOT NULL
          AND json_array_length(l.preview_data, '$.rawData.media[0].tracks') > 0
        ORDER BY l.created_at DESC, l.id LIMIT 1""",
        [finding.entity_id],
    ).fetchone()
    if row is None:
        return [], "no logged track list for it: add the tracks by hand or from a manifest"
    log_id, at, preview, album_mbid = row
    data = json.loads(preview)
    try:
        score = min(max(float(data.get("matchScore")), 0.01), 1.0)
    except (TypeError, ValueError):
        score = 0.5  # no usable match score: as sure as a coin
    source = f"preview_data of log row {log_id} ({str(at)[:10]})"  # a time beyond Python is text
    listed = [
        (t, disc.get("position") or 1)
        for disc in (data.get("rawData") or {}).get("media") or []
        for t in disc.get("tracks") or []
        if isinstance(t, dict) and str(t.get("title") or "").strip()
    ]
    tracks = [_track(t, disc, n) for n, (t, disc) in enumerate(listed, start=1)]
    if not tracks:
        return [], f"the track list of {source} has no usable track: add the tracks by hand"
    out: list[Correction] = []
    matched = (data.get("matchedEntity") or {}).get("id")
    if album_mbid is None and matched and not _mbid_taken(con, matched, finding.entity_id):
        out.append(
            SetAlbumFields(
                album_id=finding.entity_id,
                fields={"musicbrainz_id": matched},
                origin="logs",
                confidence=score,
                reason=f"MusicBrainz id of the previewed match ({source})",
            )
        )
    out.append(
        AddTracks(
            album_id=finding.entity_id,
            tracks=tracks,
            origin="logs",
            confidence=score,
            reason=f"{_tracks_text(len(tracks))} of the previewed MusicBrainz match "
            f"({source}), never applied",
        )
    )
    return out, f"{_tracks_text(len(tracks))} from {source}, match score {score:.2f}"


def _tracks_text(n: int) -> str:
    return f"{n} track" + ("" if n == 1 else "s")


def _track(t: dict, disc, n: int) -> dict:
    """Return a track row from a MusicBrainz-style entry (n-th, no length where those are odd)."""
    track = {
        "title": str(t["title"]).strip()[:255],
        "track_number": _int(t.get("position") or t.get("number"), n),
        "disc_number": _int(disc, 1),
    }
    length = _int(t.get("length"), None)
    if length is not None and length > 0:
        track["duration_ms"] = length
    return track


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _mbid_taken(con, mbid: str, album_id: str) -> bool:
    return (
        con.execute(
            "SELECT count(*) FROM albums "
            "WHERE musicbrainz_id::VARCHAR = ? AND id <> CAST(? AS UUID)",
            [mbid, album_id],
        ).fetchone()[0]
        > 0
    )


def _missing_id(con, finding: Finding) -> tuple[list[Correction], str]:
    mbid = finding.detail.get("logged_musicbrainz_id")
    if not mbid:
        return [], "the enrichment logged no MusicBrainz id: search MusicBrainz for it"
    if _mbid_taken(con, mbid, finding.entity_id):
        return (
            [],
            f"the logged MusicBrainz id {mbid} belongs to another album: "
            "look for a duplicate to merge",
        )
    source = (
        f"metadata of enrichment log row {finding.evidence[-1]}"
        if finding.evidence
        else "enrichment metadata"
    )
    return [
        SetAlbumFields(
            album_id=finding.entity_id,
            fields={"musicbrainz_id": mbid},
            origin="logs",
            confidence=0.9,
            reason=f"MusicBrainz id logged by a successful enrichment ({source})",
        )
    ], source


def _track_count(con, finding: Finding) -> tuple[list[Correction], str]:
    actual = finding.detail.get("actual")
    if actual is None:
        return [], "the real number of tracks is unknown"
    return [
        SetAlbumFields(
            album_id=finding.entity_id,
            fields={"track_count": int(actual)},
            origin="finding",
            confidence=0.95,
            reason=f"track_count set to the {actual} tracks the album has",
        )
    ], f"track_count {finding.detail.get('claimed')} -> {actual}"


def _artistless(con, finding: Finding) -> tuple[list[Correction], str]:
    row = con.execute(
        """
        SELECT ta.artist_id::VARCHAR, ar.name, count(*) AS n,
               (SELECT count(*) FROM tracks WHERE album_id = CAST($1 AS UUID)) AS tracks
        FROM tracks t JOIN track_artists ta ON ta.track_id = t.id
        JOIN artists ar ON ar.id = ta.artist_id
        WHERE t.album_id = CAST($1 AS UUID)
        GROUP BY ALL ORDER BY n DESC, ar.name LIMIT 1""",
        [finding.entity_id],
    ).fetchone()
    if row is None:
        return [], "no track names an artist: link one by hand (search the artists by name)"
    artist_id, name, n, tracks = row
    confidence = round(0.5 + 0.4 * n / max(tracks, 1), 2)
    return [
        LinkArtist(
            album_id=finding.entity_id,
            artist_id=artist_id,
            origin="finding",
            confidence=confidence,
            reason=f"{name} is credited on {n} of its {tracks} tracks",
        )
    ], f"link {name}: track credits ({n} of {tracks} tracks)"


def _duplicate(con, finding: Finding) -> tuple[list[Correction], str]:
    survivor = finding.detail.get("survivor")
    if not survivor or survivor == finding.entity_id:
        return [], "this album is the group's survivor: merge the others into it"
    matched = finding.detail.get("matched_on", "")
    confidence = 0.9 if "id" in matched else 0.7
    return [
        MergeAlbums(
            album_id=finding.entity_id,
            survivor_id=survivor,
            origin="finding",
            confidence=confidence,
            reason=f"duplicate of {survivor} (same {matched})",
        )
    ], f"merge into {survivor} (same {matched})"


_BUILDERS = {
    "trackless_album": _trackless,
    "missing_external_id": _missing_id,
    "track_count_mismatch": _track_count,
    "artistless_album": _artistless,
    "duplicate_album": _duplicate,
}
