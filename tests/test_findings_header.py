"""A finding kind is declared once, in its SQL file's header: adding a kind is adding one file."""

from __future__ import annotations

import inspect
import shutil
from importlib.resources import as_file

import pytest

import llamaforensics.findings as findings
from llamaforensics.findings.header import HeaderError, parse_header
from llamaforensics.findings.kinds import KINDS, PARAMETERS, Thresholds, load_kinds
from llamaforensics.queries import load_query, query_folder, query_names

NEW_KIND = """\
-- untitled_album: albums whose title is empty.
-- entity: ALBUM
-- severity: info
-- fix: none
-- summary: albums with an empty title
-- parameter: min_length = 1 (titles shorter than this many characters count as empty)
--
-- What: live albums whose title is shorter than $min_length characters.
-- Why: nobody can find them by name.
-- Fix suggested: none automatic; a person names them.
SELECT a.id::VARCHAR AS entity_id, a.title FROM albums a
WHERE a._lf_deleted_at IS NULL AND length(a.title) < $min_length
"""


def test_every_file_that_declares_a_kind_is_registered():
    declared = {n for n in query_names() if parse_header(n, load_query(n)) is not None}
    assert declared == set(KINDS)
    assert len(KINDS) == 17


def test_a_new_sql_file_is_a_new_kind(tmp_path):
    with as_file(query_folder()) as folder:
        shutil.copytree(folder, tmp_path / "queries")
    (tmp_path / "queries" / "untitled_album.sql").write_text(NEW_KIND, encoding="utf-8")
    kinds = load_kinds(tmp_path / "queries")
    assert set(kinds) == {*KINDS, "untitled_album"}
    new = kinds["untitled_album"]
    assert (new.entity_type, new.severity, new.fix) == ("ALBUM", "info", "none")
    assert [(p.name, p.default) for p in new.parameters] == [("min_length", 1)]
    assert new.headline == "albums whose title is empty."
    assert new.why == "nobody can find them by name."


def test_the_python_api_is_built_from_the_headers():
    for name, kind in KINDS.items():
        find = getattr(findings, f"find_{name}")
        assert f"find_{name}" in findings.__all__
        assert find.__name__ == f"find_{name}"
        assert kind.headline in find.__doc__ and kind.why in find.__doc__
        params = list(inspect.signature(find).parameters)
        assert params == ["con", *(p.name for p in kind.parameters)]
    stuck = inspect.signature(findings.find_stuck_enrichment).parameters["stuck_days"]
    assert stuck.default == 7


def test_thresholds_come_from_the_headers():
    assert set(PARAMETERS) == {"stuck_days", "late_hours", "min_failures"}
    assert Thresholds().params() == {"stuck_days": 7, "late_hours": 24, "min_failures": 3}
    assert Thresholds(stuck_days=30).stuck_days == 30
    assert Thresholds(stuck_days=30) == Thresholds().replace(stuck_days=30)
    from llamaforensics.errors import UsageError

    with pytest.raises(UsageError, match="unknown threshold stuck_dayz; the thresholds are"):
        Thresholds(stuck_dayz=1)


def _broken(old: str, new: str) -> str:
    assert old in NEW_KIND
    return NEW_KIND.replace(old, new)


@pytest.mark.parametrize(
    "sql, message",
    [
        pytest.param(
            _broken("-- severity: info\n", ""),
            "no severity line in the header",
            id="missing-severity",
        ),
        pytest.param(
            _broken("severity: info", "severity: severe"),
            "severity 'severe' is not one of critical, warning, info",
            id="bad-severity",
        ),
        pytest.param(
            _broken("entity: ALBUM", "entity: TRACK"),
            "entity 'TRACK' is not one of ALBUM, LOG",
            id="bad-entity",
        ),
        pytest.param(
            _broken("severity: info", "sevrity: info"),
            "'sevrity: info' is not a field",
            id="unknown-field",
        ),
        pytest.param(
            _broken("fix: none", "fix: add tracks"),
            "fix 'add tracks' is not a name",
            id="bad-fix",
        ),
        pytest.param(
            _broken("min_length = 1 (", "min_length = one ("),
            "parameter 'min_length = one",
            id="bad-parameter",
        ),
        pytest.param(
            _broken("-- parameter: min_length = 1 (titles shorter", "-- needs: job_chains\n-- x"),
            "not a field",
            id="stray-line",
        ),
        pytest.param(
            _broken(
                "-- parameter: min_length = 1 (titles shorter than this many characters"
                " count as empty)\n",
                "",
            ),
            "the SQL binds min_length but the header declares none",
            id="undeclared-parameter",
        ),
        pytest.param(
            _broken("-- Why: nobody can find them by name.\n", ""),
            "says nothing under Why",
            id="missing-why",
        ),
        pytest.param(
            _broken("-- untitled_album:", "-- untitled:"),
            "the first line must be '-- untitled_album: what it finds'",
            id="wrong-title",
        ),
    ],
)
def test_a_bad_header_is_a_clear_error(sql, message):
    with pytest.raises(HeaderError, match="queries/untitled_album.sql: ") as caught:
        parse_header("untitled_album", sql)
    assert message in str(caught.value)


def test_a_helper_query_is_not_a_kind():
    assert parse_header("job_parents", load_query("job_parents")) is None
