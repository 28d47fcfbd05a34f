"""SQL files, loaded by name. Each starts with a header: what it finds, why it matters, what fix it suggests.

Values are bound as named parameters (``$name``), never formatted in.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def load_query(name: str) -> str:
    """Return the text of ``queries/<name>.sql``."""
    path = files(__package__).joinpath(f"{name}.sql")
    if not path.is_file():
        raise KeyError(f"no query named {name!r} in llamaforensics/queries")
    return path.read_text(encoding="utf-8")


def query_names() -> list[str]:
    """Every query shipped with the package."""
    return sorted(
        p.name.removesuffix(".sql") for p in files(__package__).iterdir() if p.name.endswith(".sql")
    )
