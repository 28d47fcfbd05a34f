"""The tool's own log rows never show up as findings, after apply and after undo."""

from __future__ import annotations

import pytest
from repair_seed import fresh_catalog, query
from test_repair import KINDS

from llamaforensics.findings import run_findings, to_findings
from llamaforensics.repair import APPLIED, apply_corrections, prepare_corrections, undo
from llamaforensics.snapshot import open_snapshot
from llamaforensics.snapshot.take import take_snapshot


@pytest.fixture
def db(databases, upstream_template):
    return fresh_catalog(databases, upstream_template)


def findings_naming(dsn, path, row_ids: set[str]) -> list[tuple[str, str]]:
    """Return (kind, id) of each finding of a fresh snapshot naming one of ``row_ids``.

    Named as the finding's subject or in its evidence.
    """
    take_snapshot(dsn, path, progress=False)
    con = open_snapshot(path)
    try:
        found = to_findings(run_findings(con))
    finally:
        con.close()
    return [(f.kind, i) for f in found for i in {f.entity_id, *f.evidence} if i in row_ids]


def own_rows(dsn) -> set[str]:
    rows = query(dsn, "SELECT id::text FROM llama_logs WHERE triggered_by = 'llamaforensics'")
    return {r["id"] for r in rows}


@pytest.mark.parametrize("make, _categories", KINDS)
def test_the_tools_rows_are_no_finding_after_apply_nor_after_undo(db, make, _categories, tmp_path):
    [result] = apply_corrections(db, prepare_corrections(db, [make()]), dry_run=False)
    assert result.status == APPLIED, result.message
    assert findings_naming(db, tmp_path / "applied.duckdb", own_rows(db)) == []
    [undone] = undo(db, result.correction.id, dry_run=False)
    assert undone.status == APPLIED, undone.message
    ours = own_rows(db)
    assert len(ours) >= 3  # the correction's rows, the undo's, the session roots
    assert findings_naming(db, tmp_path / "undone.duckdb", ours) == []
