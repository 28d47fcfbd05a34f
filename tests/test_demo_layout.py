"""Where the demo's files come from and go: data/ in, the cache out, never the working directory.

data/ holds the seed vocabularies and the sample manifests (versioned, shipped in the
package as ``llamaforensics.data``); what the demo generates goes to
``$LLAMAFORENSICS_HOME``, so ``llamaforensics demo`` run from any folder leaves it as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest

from llamaforensics.demo.vocabulary import FIRST_NAMES, word_lists
from llamaforensics.repair import APPLIED, apply_corrections, prepare_corrections
from llamaforensics.repair.manifest import import_manifest
from llamaforensics.repair.verify import verify_summary

CHECKOUT = Path(__file__).resolve().parents[1]
DATA = CHECKOUT / "data"


def run_demo(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``llamaforensics demo`` in its own process, from ``cwd``, with its cache in ``home``."""
    env = os.environ | {"LLAMAFORENSICS_HOME": str(home), "XDG_CACHE_HOME": str(home / "xdg")}
    env.pop("LLAMAFORENSICS_SNAPSHOT", None)
    return subprocess.run(
        [sys.executable, "-m", "llamaforensics", "demo", "--quiet", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def test_demo_from_an_empty_folder_leaves_it_empty(tmp_path):
    here, home = tmp_path / "here", tmp_path / "home"
    here.mkdir()
    out = run_demo(here, home).stdout
    assert list(here.iterdir()) == []
    snapshot = home / "demo-v0.1.0-seed42-scale1.duckdb"
    assert f"snapshot   {snapshot}" in out
    assert snapshot.is_file() and Path(f"{snapshot}.truth.parquet").is_file()


def test_demo_into_postgres_from_an_empty_folder_leaves_it_empty(tmp_path, empty_db):
    here, home = tmp_path / "here", tmp_path / "home"
    here.mkdir()
    run_demo(here, home, "--dsn", empty_db.conninfo)
    assert list(here.iterdir()) == []
    assert (home / "ground-truth" / f"{empty_db.params['dbname']}.parquet").is_file()


def test_every_vocabulary_is_a_set_of_named_word_lists():
    names = sorted(p.stem for p in (DATA / "vocabulary").glob("*.json"))
    assert names == ["artists", "catalog", "people", "titles"]
    for name in names:
        lists = word_lists(name)
        assert lists, name
        for key, words in lists.items():
            assert words and all(isinstance(w, str) and w for w in words), f"{name}.{key}"


def test_every_file_in_data_ships_in_the_package():
    """A file under data/ that pyproject's package-data does not name would be missing once installed."""
    pyproject = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["llamaforensics.data"]
    shipped = {path for pattern in patterns for path in DATA.glob(pattern)}
    for path in DATA.rglob("*"):
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts:
            assert path in shipped, (
                f"{path.relative_to(CHECKOUT)} is not in pyproject's package-data"
            )


def test_the_vocabularies_are_read_from_the_package_data(demo_data):
    shipped = files("llamaforensics.data") / "vocabulary" / "people.json"
    assert tuple(json.loads(shipped.read_text("utf-8"))["first_names"]) == FIRST_NAMES
    users = demo_data.table("User").column("name").to_pylist()
    assert [name.rsplit(" ", 1)[0] for name in users[: len(FIRST_NAMES)]] == list(FIRST_NAMES)


def test_the_sample_manifests_are_what_the_script_writes_for_the_demo(tmp_path):
    script = CHECKOUT / "scripts" / "sample_manifests.py"
    subprocess.run([sys.executable, script, tmp_path], check=True, capture_output=True)
    for name in ("manifest.json", "summary.json"):
        assert (tmp_path / name).read_text("utf-8") == (DATA / "manifests" / name).read_text(
            "utf-8"
        ), f"data/manifests/{name} is stale: python scripts/sample_manifests.py"


@pytest.mark.slow
def test_the_sample_manifest_applies_to_the_demo_and_its_summary_verifies_it(demo_db):
    manifest, summary = DATA / "manifests" / "manifest.json", DATA / "manifests" / "summary.json"
    assert [check.ok for check in verify_summary(demo_db, summary)] == [False] * 3
    corrections = import_manifest(manifest.read_text("utf-8"), str(manifest))
    results = apply_corrections(demo_db, prepare_corrections(demo_db, corrections), dry_run=False)
    assert [r.status for r in results] == [APPLIED] * 3, [r.message for r in results]
    assert [check.ok for check in verify_summary(demo_db, summary)] == [True] * 3
