"""The lock (constraints.txt) keeps up with pyproject.toml, so a fresh clone installs what CI tested.

Every ``make`` install runs ``pip install -c constraints.txt``: a dependency the lock does not
name would be resolved afresh on each clone, silently. ``scripts/lock`` regenerates it.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

CHECKOUT = Path(__file__).resolve().parents[1]


def pins() -> dict[str, Version]:
    """Return the lock as {canonical name: pinned version}, refusing anything but name==version."""
    pinned: dict[str, Version] = {}
    for line in (CHECKOUT / "constraints.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"not a pin: {line}"
        name = canonicalize_name(requirement.name)
        assert name not in pinned, f"pinned twice: {name}"
        pinned[name] = Version(specifiers[0].version)
    return pinned


def named_requirements() -> list[Requirement]:
    """Return what pyproject.toml asks for: the dependencies and those of every extra."""
    project = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"].values()
    return [Requirement(text) for text in project["dependencies"] + sum(extras, [])]


def test_the_lock_pins_every_dependency_pyproject_names_within_its_range() -> None:
    pinned = pins()
    for requirement in named_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is in pyproject.toml but not in constraints.txt: make lock"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {name}=={pinned[name]}, outside pyproject's {requirement}: "
            "make lock"
        )


def test_the_lock_pins_what_those_dependencies_pull_in() -> None:
    """Walk the installed dependency tree from pyproject's requirements: every package is pinned."""
    pinned = pins()
    pending = [(requirement, frozenset(requirement.extras)) for requirement in named_requirements()]
    seen: set[str] = set()
    while pending:
        requirement, extras = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        assert name in pinned, (
            f"{name} is needed (by pyproject or a dependency) but not locked: make lock"
        )
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:  # an extra this environment did not install (make demo)
            continue
        for text in requires:
            needed = Requirement(text)
            wanted = needed.marker is None or any(
                needed.marker.evaluate({"extra": extra}) for extra in extras | {""}
            )
            if wanted:
                pending.append((needed, frozenset(needed.extras)))
