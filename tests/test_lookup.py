"""Row lookups: a read-only snapshot's dossier reads only the rows it needs, and says exactly what a scan says."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from llamaforensics.dossier import build_dossier
from llamaforensics.snapshot import open_snapshot
from llamaforensics.snapshot.format import connect
from llamaforensics.snapshot.lookup import KEYS, RowLookup, row_lookup

KINDS = (
    "trackless_album",
    "duplicate_album",
    "artistless_album",
    "no_created_log",
    "late_first_log",
    "failing_enrichment",
    "track_count_mismatch",
    "hostile_title",
)


@pytest.fixture(scope="module")
def writable(demo_snapshot, tmp_path_factory):
    """The same snapshot, copied and opened for writing: no lookups there, every query scans."""
    copy = tmp_path_factory.mktemp("lookup") / "copy.duckdb"
    shutil.copy(demo_snapshot, copy)
    con = connect(copy)
    yield con
    con.close()


@pytest.mark.parametrize("table,key", [(t, k) for t, keys in KEYS.items() for k in keys])
def test_lookup_finds_every_row_a_scan_finds(con, table, key):
    expr = KEYS[table][key]
    lookup = row_lookup(con, table)
    values = [
        v
        for (v,) in con.execute(
            f"SELECT v::VARCHAR FROM (SELECT {expr} AS v, count(*) AS n FROM {table} WHERE {expr} IS NOT NULL GROUP BY 1) "
            "ORDER BY n DESC, v LIMIT 3"
        ).fetchall()
    ]
    missing = (
        "00000000-0000-4000-8000-000000000000"
        if lookup._types()[key] == "UUID"
        else "no such value"
    )
    scanned = {
        r
        for (r,) in con.execute(
            f"SELECT rowid FROM {table} WHERE ({expr})::VARCHAR IN (SELECT unnest($v::VARCHAR[]))",
            {"v": values},
        ).fetchall()
    }
    found = lookup.rows(key, [*values, None, missing, values[0]])
    assert (
        scanned and set(found.tolist()) == scanned
    )  # every row, and (barring a hash clash) no other
    assert list(found) == sorted(found)


def test_a_connection_that_can_write_gets_no_lookup(writable, con):
    assert row_lookup(writable, "llama_logs") is None
    assert isinstance(row_lookup(con, "llama_logs"), RowLookup)


@pytest.mark.parametrize("candidates", ["looked up", "every row (as if every hash clashed)"])
def test_dossier_with_lookups_is_the_dossier_a_scan_gives(con, writable, monkeypatch, candidates):
    if candidates != "looked up":

        def every_row(self, key, values):
            n = self.con.execute(f"SELECT count(*) FROM {self.relation}").fetchone()[0]
            return np.arange(n, dtype=np.int64)

        monkeypatch.setattr(RowLookup, "rows", every_row)
    albums = [
        a
        for kind in KINDS
        for (a,) in con.execute(
            "SELECT entity_id FROM _lf_ground_truth WHERE kind = ? AND entity_type = 'ALBUM' ORDER BY entity_id LIMIT 2",
            [kind],
        ).fetchall()
    ]
    assert len(albums) == 2 * len(KINDS)
    for album in albums:
        looked_up, scanned = build_dossier(con, album), build_dossier(writable, album)
        assert looked_up.timeline.equals(scanned.timeline), album
        assert looked_up.tracks.equals(scanned.tracks) and looked_up.artists == scanned.artists
        assert sorted(looked_up.lineage.edges) == sorted(scanned.lineage.edges), album
        assert sorted(looked_up.lineage.nodes) == sorted(scanned.lineage.nodes), album
        assert [n["rows"] for _, n in sorted(looked_up.lineage.nodes(data=True))] == [
            n["rows"] for _, n in sorted(scanned.lineage.nodes(data=True))
        ]
        assert [(f.kind, f.entity_id, f.detail) for f in looked_up.findings] == [
            (f.kind, f.entity_id, f.detail) for f in scanned.findings
        ], album
        assert looked_up.batch_sizes == scanned.batch_sizes
        assert [s.text for s in looked_up.story()] == [s.text for s in scanned.story()]
    assert any(build_dossier(con, a).findings for a in albums)  # the comparison covered findings


def test_dossiers_of_an_album_with_no_log_rows_and_of_one_with_50000(demo_snapshot, tmp_path):
    path = tmp_path / "extremes.duckdb"
    shutil.copy(demo_snapshot, path)
    con = connect(path)
    quiet, busy = [
        a for (a,) in con.execute("SELECT id::VARCHAR FROM albums ORDER BY id LIMIT 2").fetchall()
    ]
    con.execute("UPDATE llama_logs SET album_id = NULL WHERE album_id = $a", {"a": quiet})
    con.execute("UPDATE llama_logs SET entity_id = NULL WHERE entity_id = $a", {"a": quiet})
    con.execute(
        "UPDATE llama_logs SET track_id = NULL, entity_id = NULL WHERE track_id IN "
        "(SELECT id FROM tracks WHERE album_id = $a)",
        {"a": quiet},
    )
    con.execute("DELETE FROM album_artists WHERE album_id = $a", {"a": quiet})
    con.execute(
        """INSERT INTO llama_logs (id, entity_type, entity_id, album_id, operation, category, status, job_id,
                                           parent_job_id, created_at)
                   SELECT uuid(), 'ALBUM', $a::UUID, $a::UUID, 'enrichment:album', 'ENRICHED', 'SUCCESS',
                          'busy-' || (g % 500), CASE WHEN g % 500 > 0 THEN 'busy-0' END,
                          TIMESTAMP '2026-01-01' + g * INTERVAL 1 SECOND
                   FROM range(50000) t(g)""",
        {"a": busy},
    )
    con.close()
    con = open_snapshot(path)
    try:
        empty = build_dossier(con, quiet)
        assert empty.timeline.height == 0 and empty.lineage.number_of_nodes() == 0
        assert "No log row records its creation" in empty.story()[0].text
        full = build_dossier(con, busy)
        assert (
            full.timeline.filter(full.timeline["operation"] == "enrichment:album").height >= 50000
        )
        assert (
            full.lineage.has_edge("busy-7", "busy-0")
            and full.lineage.nodes["busy-0"]["touches_album"]
        )
        assert isinstance(
            row_lookup(con, "llama_logs"), RowLookup
        )  # the lookups answered, not a scan
    finally:
        con.close()
