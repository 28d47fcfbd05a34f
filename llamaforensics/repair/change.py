"""What planning works on and produces: an album's state as read, and the change a correction makes.

A planner (:mod:`.planners`) turns a correction and an :class:`AlbumState`
into a :class:`Change`: the row operations that reach the correction's target,
with what the log and the preview need to name them. An empty change means the
target is already reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .dependents import Dependents
from .model import Correction
from .operation import Operation

Row = dict[str, Any]


@dataclass
class AlbumState:
    """An album row (None when absent) with its tracks and artist links, as the engine read them."""

    album: Row | None
    tracks: list[Row]
    links: list[Row]


@dataclass
class Change:
    """The planned effect of one correction."""

    correction: Correction
    album_id: str  # the album the CORRECTED log row is about (the survivor for a merge)
    ops: list[Operation] = field(default_factory=list)
    album: Row | None = None  # the album row before
    artists: dict[str, Row] = field(default_factory=dict)  # artist id -> row, named in the log
    tracks: dict[str, Row] = field(default_factory=dict)  # track id -> row before, for the log
    # album id -> updated_at values the write restores
    stands_for: dict[str, set[Any]] = field(default_factory=dict)
    stamped: set[str] = field(default_factory=set)  # album columns every admin correction sets
    kept: list[Dependents] = field(default_factory=list)  # undo: rows left in place, others use
    track_list: list[Row] | None = None  # set_tracks on an album with tracks: track by track

    @property
    def empty(self) -> bool:
        return not self.ops
