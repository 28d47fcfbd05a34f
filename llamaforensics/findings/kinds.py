"""Every kind of finding, read from the headers of the SQL files that declare one.

Each kind is one SQL file in ``llamaforensics/queries`` named after it, whose
header (see :mod:`.header`) declares what it points at, how bad it is, what fix
it suggests and the thresholds it takes. Adding a kind is adding that file (and
its test): the registry, the ``find_<kind>`` functions, ``__all__`` and the
``findings --help`` text are built from it. The five job-chain kinds read the
rows ``queries/job_chain_rows.sql`` flags against the roots the lineage engine
infers (no depth limit, safe on loops).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from importlib.resources.abc import Traversable
from typing import Any

from ..errors import UsageError
from ..queries import query_folder
from .header import ENTITIES, SEVERITY_ORDER, HeaderError, Kind, Parameter, parse_header

__all__ = [
    "FIX_BY_CAUSE",
    "KINDS",
    "PARAMETERS",
    "Finding",
    "HeaderError",
    "Kind",
    "Parameter",
    "Thresholds",
    "load_kinds",
]


def load_kinds(folder: Traversable | None = None) -> dict[str, Kind]:
    """Return every kind the SQL files in ``folder`` (default: the package's queries) declare.

    Ordered the way people read them: album kinds before log-row kinds, the
    worst first, then by name.
    """
    folder = folder or query_folder()
    found = [
        parse_header(path.name.removesuffix(".sql"), path.read_text(encoding="utf-8"))
        for path in folder.iterdir()
        if path.name.endswith(".sql")
    ]
    kinds = [k for k in found if k is not None]
    kinds.sort(key=lambda k: (ENTITIES.index(k.entity_type), SEVERITY_ORDER[k.severity], k.name))
    return {k.name: k for k in kinds}


def declared_parameters(kinds: dict[str, Kind]) -> dict[str, Parameter]:
    """Return every threshold the kinds declare; one name means one thing, with one default."""
    parameters: dict[str, Parameter] = {}
    for kind in kinds.values():
        for p in kind.parameters:
            if parameters.setdefault(p.name, p) != p:
                raise HeaderError(
                    f"queries/{kind.name}.sql: parameter {p.name} differs from another kind's"
                )
    return parameters


KINDS: dict[str, Kind] = load_kinds()
PARAMETERS: dict[str, Parameter] = declared_parameters(KINDS)

# trackless_album's fix depends on its cause; duplicate_album's survivor needs none.
FIX_BY_CAUSE = {
    "tracks_never_fetched": "fetch_tracks",
    "never_enriched": "requeue_enrichment",
    "edition_suffix": "set_external_id",
    "too_new_for_musicbrainz": "add_tracks",
    "unknown": "add_tracks",
}


class Thresholds:
    """The time- and count-based findings' parameters, each with the default its header declares.

    ``Thresholds(stuck_days=30)`` changes one; ``thresholds.stuck_days`` reads one.
    """

    def __init__(self, **values: int) -> None:
        unknown = sorted(set(values) - set(PARAMETERS))
        if unknown:
            raise UsageError(
                f"unknown threshold {', '.join(unknown)}; "
                f"the thresholds are: {', '.join(sorted(PARAMETERS))}"
            )
        self._values = {name: p.default for name, p in PARAMETERS.items()} | values

    def params(self) -> dict[str, int]:
        """Return the thresholds as the named parameters the SQL files bind."""
        return dict(self._values)

    def replace(self, **overrides: int) -> Thresholds:
        """Return these thresholds with some changed."""
        return Thresholds(**(self._values | overrides))

    def __getattr__(self, name: str) -> int:
        values = self.__dict__.get("_values", {})
        if name not in values:
            raise AttributeError(f"no threshold named {name!r}")
        return int(values[name])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Thresholds) and other._values == self._values

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items())))

    def __repr__(self) -> str:
        return f"Thresholds({', '.join(f'{k}={v}' for k, v in self._values.items())})"


@dataclass
class Finding:
    """One broken thing: what it is, which entity, how bad, the evidence, the fix it suggests."""

    kind: str
    entity_type: str
    entity_id: str
    title: str | None
    severity: str
    suggested_fix: str
    detail: dict[str, Any] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)  # llama_logs ids that prove it

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as plain data (JSON output)."""
        return asdict(self)
