"""Provenance of one album: find it, gather everything about it, tell its story, export it."""

from .dossier import AlbumDossier, build_dossier, dossier
from .prov_export import to_prov, write_prov
from .search import AlbumNotFound, find_albums, normalise, resolve_album
from .story import Sentence, tell_story
from .timeline_figure import timeline_figure

__all__ = [
    "AlbumDossier",
    "AlbumNotFound",
    "Sentence",
    "build_dossier",
    "dossier",
    "find_albums",
    "normalise",
    "resolve_album",
    "tell_story",
    "timeline_figure",
    "to_prov",
    "write_prov",
]
