"""The package's structure holds: no import circle, arrows only point down, one name per module.

The module graph is the one ``scripts/architecture_picture.py`` draws into
docs/architecture.svg: every import counts, at module level and inside
functions alike (an import inside a function is an arrow all the same).
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from architecture_picture import (  # noqa: E402
    ModuleGraph,
    group_imports,
    module_circles,
    place_groups,
    read_package,
    wrong_way,
)

PACKAGE = ROOT / "llamaforensics"
# The snapshot (one DuckDB file) and the lake (Parquet folders) take the same three
# steps, named alike on purpose: snapshot.open / lake.open, and so on.
PARALLEL_STORAGE = {"open", "format", "refresh"}


@pytest.fixture(scope="module")
def graph() -> ModuleGraph:
    return read_package(PACKAGE)


def test_no_import_circle(graph):
    assert module_circles(graph) == []


def test_every_arrow_points_down(graph):
    """The library never imports the CLI, the widgets or the demo generator; nothing points up."""
    groups = group_imports(graph)
    assert sorted(wrong_way(groups, place_groups(groups))) == []


def test_a_circle_and_an_upward_arrow_are_seen(tmp_path):
    """A control: two modules importing each other inside functions are a circle, and the
    snapshot importing the CLI is an arrow pointing up."""
    package = tmp_path / "llamaforensics"
    (package / "snapshot").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "cli.py").write_text("def main():\n    from .snapshot import take\n")
    (package / "snapshot" / "__init__.py").write_text("")
    (package / "snapshot" / "take.py").write_text("def take():\n    from ..cli import main\n")
    found = read_package(package)
    assert module_circles(found) == [["llamaforensics.cli", "llamaforensics.snapshot.take"]]
    groups = group_imports(found)
    assert ("snapshot", "cli") in wrong_way(groups, place_groups(groups))


def test_nothing_imports_the_package_root(graph):
    """The root is the notebook facade (``llamaforensics.open()``); nothing leans on it."""
    assert sorted(graph.imports.predecessors("llamaforensics")) == []


def test_no_lazy_module_loaders(graph):
    """Imports are plain imports: no module-level ``__getattr__`` hiding an arrow."""
    assert graph.lazy_loaders == []


def test_module_names_are_used_once():
    stems = Counter(p.stem for p in PACKAGE.rglob("*.py") if p.stem not in ("__init__", "__main__"))
    assert sorted(n for n, count in stems.items() if count > 1) == sorted(PARALLEL_STORAGE)
    for stem in PARALLEL_STORAGE:
        places = sorted(str(p.parent.relative_to(PACKAGE)) for p in PACKAGE.rglob(f"{stem}.py"))
        assert places == ["lake", "snapshot"], stem


def test_no_line_over_100_characters_in_the_package():
    """Python and the finding SQL; schema/upstream.sql is the app's pg_dump, kept verbatim."""
    long = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted([*PACKAGE.rglob("*.py"), *(PACKAGE / "queries").glob("*.sql")])
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if len(line) > 100
    ]
    assert long == []


def _unannotated(func: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[str]:
    args = func.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if method and params and params[0].arg in ("self", "cls"):
        params = params[1:]
    missing = [a.arg for a in params if a.annotation is None]
    missing += [f"*{a.arg}" for a in (args.vararg, args.kwarg) if a and a.annotation is None]
    if func.returns is None and func.name != "__init__":
        missing.append("return")
    return missing


def test_every_public_function_has_type_hints():
    gaps = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        scopes = [(tree.body, False)] + [
            (node.body, True)
            for node in tree.body
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
        ]
        for body, method in scopes:
            for func in body:
                if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                if func.name.startswith("_") and func.name != "__init__":
                    continue
                if missing := _unannotated(func, method):
                    gaps.append(f"{path.relative_to(ROOT)}:{func.lineno} {func.name} {missing}")
    assert gaps == []


def test_the_readme_is_short_and_the_layout_is_the_specified_one():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 250
    assert (ROOT / "constraints.txt").is_file()
    assert sorted(p.name for p in (ROOT / "data").iterdir() if p.is_dir()) == [
        "manifests",
        "vocabulary",
    ]
    assert not (PACKAGE / "docs.py").exists(), "generation code lives in scripts/"
    for doc in ("cli.md", "benchmarks.md", "architecture.md"):
        assert (ROOT / "docs" / doc).is_file(), doc
