"""The album's provenance as W3C PROV (PROV-JSON), built with the ``prov`` package.

Albums, tracks and artists are entities; jobs (or single log rows without a
job) are activities; content sources, users and the app are agents. The
relations: wasGeneratedBy (the creating activity), used (every later activity
about the album), wasDerivedFrom (tracks from their album),
wasAssociatedWith (sources, users, the app), wasInformedBy (a job and the job
that spawned it).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from prov.model import (
    PROV_LABEL,
    PROV_TYPE,
    ProvActivity,
    ProvAgent,
    ProvDocument,
    ProvEntity,
    QualifiedName,
)

from ..snapshot.extremes import ShownTime, shown_rows
from .dossier import AlbumDossier

NAMESPACES = {
    p: f"urn:llamaforensics:{p}:"
    for p in ("album", "track", "artist", "job", "log", "source", "user", "app", "lf")
}
APP = "app:music-catalog"


def _local(text: str) -> str:
    """A QName-safe local name (ids from the database are hostile input too)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(text))


def to_prov(dossier: AlbumDossier) -> ProvDocument:
    """Return the dossier's provenance as a PROV document."""
    doc = ProvDocument()
    for prefix, uri in NAMESPACES.items():
        doc.add_namespace(prefix, uri)
    album = doc.entity(
        f"album:{_local(dossier.album_id)}", {PROV_LABEL: dossier.title, PROV_TYPE: "album"}
    )
    tracks = {
        t["id"]: doc.entity(
            f"track:{_local(t['id'])}", {PROV_LABEL: t["title"], PROV_TYPE: "track"}
        )
        for t in shown_rows(dossier.tracks)
    }
    artists = {
        a["id"]: doc.entity(
            f"artist:{_local(a['id'])}", {PROV_LABEL: a["name"], PROV_TYPE: "artist"}
        )
        for a in dossier.artists
    }
    for track in tracks.values():
        doc.wasDerivedFrom(track, album)
    timeline = shown_rows(dossier.timeline)
    activities = _activities(doc, timeline)
    _relate(doc, timeline, activities, album, tracks, artists)
    return doc


def _activity_id(row: dict[str, Any]) -> str:
    return f"job:{_local(row['job_id'])}" if row["job_id"] else f"log:{_local(row['log_id'])}"


def _activities(doc: ProvDocument, rows: list[dict[str, Any]]) -> dict[str, ProvActivity]:
    spans: dict[str, list[dict]] = {}
    for row in rows:
        spans.setdefault(_activity_id(row), []).append(row)
    activities = {}
    for ident, group in spans.items():
        ops = sorted({r["operation"] for r in group})
        first, last = group[0]["created_at"], group[-1]["created_at"]
        attributes: dict[QualifiedName | str, Any] = {
            PROV_LABEL: ", ".join(ops),
            PROV_TYPE: group[0]["category"],
        }
        for name, when in (("started", first), ("ended", last)):
            if when is not None and _prov_time(when) is None:
                attributes[f"lf:{name}_as_postgres"] = str(when)
        activities[ident] = doc.activity(ident, _prov_time(first), _prov_time(last), attributes)
    return activities


def _prov_time(value: datetime | None) -> datetime | None:
    """Return a time PROV's reader can read back, or None: it parses times as Python datetimes.

    A time Python cannot hold (294276 AD, 4713 BC, infinity; a ShownTime with
    PostgreSQL's text) is left out of the PROV time and kept as text in
    ``lf:started_as_postgres`` / ``lf:ended_as_postgres`` on the activity.
    """
    return None if isinstance(value, ShownTime) and value.pg_text is not None else value


def _relate(
    doc: ProvDocument,
    rows: list[dict[str, Any]],
    activities: dict[str, ProvActivity],
    album: ProvEntity,
    tracks: dict[str, ProvEntity],
    artists: dict[str, ProvEntity],
) -> None:
    agents: dict[str, ProvAgent] = {}

    def agent(ident: str, label: str) -> ProvAgent:
        if ident not in agents:
            agents[ident] = doc.agent(ident, {PROV_LABEL: label})
        return agents[ident]

    generated: set[str] = set()
    linked: set[tuple] = set()
    for row in rows:
        act = activities[_activity_id(row)]
        target = _target(row, album, tracks, artists)
        if (
            row["category"] == "CREATED"
            and target is not None
            and str(target.identifier) not in generated
        ):
            doc.wasGeneratedBy(target, act, _prov_time(row["created_at"]))
            generated.add(str(target.identifier))
        elif target is not None and (act.identifier, target.identifier) not in linked:
            doc.used(act, target, _prov_time(row["created_at"]))
            linked.add((act.identifier, target.identifier))
        for who in _agents_of(row, agent):
            if (act.identifier, who.identifier) not in linked:
                doc.wasAssociatedWith(act, who)
                linked.add((act.identifier, who.identifier))
        parent = f"job:{_local(row['parent_job_id'])}" if row["parent_job_id"] else None
        if parent and parent != str(act.identifier) and (act.identifier, parent) not in linked:
            informant = activities.get(parent) or doc.activity(
                parent, other_attributes={PROV_LABEL: "job outside this album's story"}
            )
            activities[parent] = informant
            doc.wasInformedBy(act, informant)
            linked.add((act.identifier, parent))


def _target(
    row: dict[str, Any],
    album: ProvEntity,
    tracks: dict[str, ProvEntity],
    artists: dict[str, ProvEntity],
) -> ProvEntity | None:
    """The entity a row is about (None for a track or artist no longer in the catalog)."""
    if row["entity_type"] == "TRACK":
        return tracks.get(row["entity_id"])
    if row["entity_type"] == "ARTIST":
        return artists.get(row["entity_id"])
    return album


def _agents_of(row: dict[str, Any], agent: Callable[[str, str], ProvAgent]) -> list[ProvAgent]:
    out = [agent(f"source:{_local(s)}", s) for s in (row["sources"] or [])]
    if row["user_id"]:
        out.append(agent(f"user:{_local(row['user_id'])}", row["user_name"] or row["user_id"]))
    if row["triggered_by"]:
        out.append(agent(APP, "the music-catalog app"))
    return out


def write_prov(dossier: AlbumDossier, path: str | os.PathLike) -> Path:
    """Write the dossier's PROV-JSON to ``path``.

    The text is read back with the prov reader first: a document it cannot read is never written.
    """
    doc = to_prov(dossier)
    buffer = io.StringIO()
    doc.serialize(buffer, format="json", indent=2)
    text = buffer.getvalue()
    if ProvDocument.deserialize(content=text, format="json") != doc:
        raise ValueError("PROV document did not survive its own reader")
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path
