"""SQL files, loaded by name; each header says what it finds, why it matters, what fix it suggests.

A finding kind declares itself in its header (see ``findings.header``).

Values are bound as named parameters (``$name``), never formatted in.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable


@cache
def load_query(name: str) -> str:
    """Return the text of ``queries/<name>.sql``."""
    path = query_folder().joinpath(f"{name}.sql")
    if not path.is_file():
        raise KeyError(f"no query named {name!r} in llamaforensics/queries")
    return path.read_text(encoding="utf-8")


def query_folder() -> Traversable:
    """Return the folder of the SQL files shipped with the package."""
    return files(__package__)


def query_names() -> list[str]:
    """Return the name of every query shipped with the package."""
    return sorted(
        p.name.removesuffix(".sql") for p in query_folder().iterdir() if p.name.endswith(".sql")
    )
