"""The workbench in plain Python: state objects driven directly, and the widgets forwarding to them."""

import html

import psycopg
import pytest

import llamaforensics
from llamaforensics.errors import UsageError
from llamaforensics.workbench import RepairTarget, table


@pytest.fixture
def wb(demo_db, tmp_path):
    return llamaforensics.open(demo_db.conninfo, snapshot_path=tmp_path / "wb.duckdb")


def _fixable_trackless(wb):
    return next(
        f for f in wb.findings_of("trackless_album") if f.detail["cause"] == "tracks_never_fetched"
    )


def _tracks(dsn, album_id):
    with psycopg.connect(dsn.conninfo) as conn:
        return conn.execute(
            "SELECT title FROM tracks WHERE album_id = %s ORDER BY track_number", [album_id]
        ).fetchall()


def test_open_with_no_argument_reads_the_demo_and_repairs_a_working_copy(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    wb = llamaforensics.open()
    assert "demo" in wb.description and "working copy" in wb.target.label
    assert wb.findings_of("trackless_album")


def test_the_confirmation_names_the_database_never_the_password(wb, password_server):
    dsn = password_server.dsn()
    wb.wizard.target = RepairTarget(dsn=dsn)
    shown = wb.wizard.target.label + wb.wizard.confirmation()
    assert dsn.password and dsn.password not in shown
    assert f"PostgreSQL {dsn.host_and_db}" in shown


def test_findings_browser_filters_and_sorts(wb):
    fb = wb.findings
    assert fb.counts()["findings"].sum() == len(fb.findings) == len(fb.rows)
    fb.kind = "duplicate_album"
    assert fb.rows and {f.kind for f in fb.rows} == {"duplicate_album"}
    fb.kind, fb.severity = "", "critical"
    assert fb.rows and {f.severity for f in fb.rows} == {"critical"}
    fb.severity, fb.sort = "", "title"
    titles = [(f.title or "").lower() for f in fb.rows]
    assert titles == sorted(titles)
    target = fb.rows[5]
    fb.text = target.entity_id
    assert target in fb.rows and all(target.entity_id in f.entity_id for f in fb.rows)


def test_repair_wizard_applies_a_proposal_to_postgres_and_undoes_it(wb, demo_db):
    finding = _fixable_trackless(wb)
    wizard = wb.wizard
    wizard.select([finding])
    assert (
        wizard.step == "review"
        and wizard.corrections
        and "preview_data" in wizard.corrections[0].reason
    )
    with pytest.raises(ValueError, match="preview"):
        wizard.apply(confirmed=True)
    wizard.preview()
    assert "add_tracks" in wizard.preview_text and not _tracks(demo_db, finding.entity_id)
    wizard.rehearse()
    assert "APPLIED" in wizard.rehearsal_text and not _tracks(demo_db, finding.entity_id)
    with pytest.raises(PermissionError, match=r"Apply 1 correction\(s\) to PostgreSQL"):
        wizard.apply()
    wizard.apply(confirmed=True)
    assert wizard.summary() == "1 applied" and wizard.done == 1
    expected = [t["title"] for t in wizard.corrections[0].tracks]
    assert [t for (t,) in _tracks(demo_db, finding.entity_id)] == expected
    roots = {r["root_job_id"] for r in wizard.log_rows}
    assert roots == {wizard.session.job_id}
    categories = sorted({r["category"] for r in wizard.log_rows})
    assert categories == ["CORRECTED", "CREATED"]

    wizard.undo()
    assert wizard.step == "undone" and not _tracks(demo_db, finding.entity_id)
    with psycopg.connect(demo_db.conninfo) as conn:
        undo_rows = conn.execute(
            "SELECT count(*) FROM llama_logs WHERE album_id = %s AND category = 'CORRECTED' "
            "AND metadata::text LIKE '%%revert%%'",
            [finding.entity_id],
        ).fetchone()[0]
    assert undo_rows >= 1


def test_batch_repair_reports_each_outcome(wb):
    batch = [f for f in wb.findings_of("track_count_mismatch")][:4]
    wb.wizard.select(batch)
    wb.wizard.preview()
    wb.wizard.apply(confirmed=True)
    assert wb.wizard.summary() == f"{len(batch)} applied"
    wb.wizard.select(batch)  # the same proposals again, against the corrected database
    wb.wizard.preview()
    assert "already" in wb.wizard.preview_text.lower()
    with pytest.raises(ValueError, match="one kind"):
        wb.wizard.select([batch[0], wb.findings_of("artistless_album")[0]])


def test_manual_correction_creates_the_artist_when_new(wb, demo_db):
    album = wb.findings_of("artistless_album")[0].entity_id
    wb.repair(album=album)
    assert wb.wizard.album_id == album and [f.kind for f in wb.wizard.findings] == [
        "artistless_album"
    ]
    wb.wizard.manual(artist_name='Ünïcode "Quoted" 樂團 🎵')
    wb.wizard.preview()
    wb.wizard.apply(confirmed=True)
    with psycopg.connect(demo_db.conninfo) as conn:
        names = conn.execute(
            "SELECT ar.name FROM album_artists aa JOIN artists ar ON ar.id = aa.artist_id "
            "WHERE aa.album_id = %s",
            [album],
        ).fetchall()
    assert names == [('Ünïcode "Quoted" 樂團 🎵',)]


def test_widgets_forward_to_their_state(wb):
    finder = wb.album()
    search = finder.children[0]
    search.value = wb.con.execute(
        "SELECT title FROM albums ORDER BY created_at LIMIT 1"
    ).fetchone()[0]
    assert wb.finder.candidates.height > 0
    finder.children[1].value = wb.finder.candidates["album_id"][0]
    assert wb.finder.dossier is not None and wb.finder.story
    story_pane = finder.children[3].children[-1]  # after search box, candidates and ties
    assert html.escape(wb.finder.story[0].text) in story_pane.children[0].value

    outer = wb.findings_browser()
    browser = outer.children[0]
    kind = browser.children[1].children[0]
    kind.value = "trackless_album"
    assert {f.kind for f in wb.findings.rows} == {"trackless_album"}
    rows = browser.children[4]
    rows.value = 0
    assert wb.findings.selected is wb.findings.rows[0]
    assert wb.findings.proposal.finding is wb.findings.selected
    assert (
        html.escape(wb.findings.proposal.note) in browser.children[5].value
    )  # the detail shows the proposed fix
    repair_one = browser.children[-1].children[0]
    repair_one.click()
    assert wb.wizard.findings == [wb.findings.rows[0]] and wb.wizard.step == "review"
    assert outer.children[2].children[0].state is wb.wizard  # the wizard opened below the browser

    wizard = wb.repair([_fixable_trackless(wb)])
    buttons = {b._dom_classes[0]: b for b in wizard.children[3].children}
    assert buttons["lf-apply"].disabled
    buttons["lf-preview"].click()
    assert wb.wizard.step == "previewed" and not buttons["lf-apply"].disabled

    audit = wb.audit()
    before = wb.audit_state.figures
    audit.children[1].value = "month"
    assert wb.audit_state.bucket == "month" and wb.audit_state.figures is not before


def test_lineage_explorer_takes_a_job_or_an_album(wb):
    job = wb.con.execute(
        "SELECT job_id FROM llama_logs WHERE job_id IS NOT NULL AND parent_job_id IS NOT NULL "
        "LIMIT 1"
    ).fetchone()[0]
    wb.lineage(job)
    assert job in wb.lineage_state.graph and wb.lineage_state.message == f"job {job}"
    wb.lineage_state.job = job
    assert wb.lineage_state.job_rows.height >= 1
    wb.lineage_state.query = "no such thing at all zzzz"
    assert wb.lineage_state.graph is None and "no job or album" in wb.lineage_state.message


def test_tables_escape_hostile_values():
    html = table([{"title": "<script>alert('x')</script>", "n": 1}])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_applied_correction_shows_up_in_the_refreshed_dossier(wb):
    finding = wb.findings_of("missing_external_id")[0]
    wb.wizard.select([finding])
    wb.wizard.preview()
    wb.wizard.apply(confirmed=True)
    written = len(wb.wizard.log_rows)
    changed = wb.refresh()
    assert changed["new_rows"]["llama_logs"] == written >= 2
    wb.finder.album_id = finding.entity_id
    timeline = wb.finder.dossier.timeline
    assert timeline.filter(timeline["operation"] == "admin_correction").height >= 1
    assert any(s.kind == "corrected" and "musicbrainzId" in s.text for s in wb.finder.story)
    assert not [
        f for f in wb.findings_of("missing_external_id") if f.entity_id == finding.entity_id
    ]


def test_opening_the_same_database_again_shows_it_now_and_closes_the_earlier_workbench(
    wb, demo_db, monkeypatch
):
    """Re-running a notebook's first cell: a new snapshot replaces the file, and the new workbench reads it."""
    count = "SELECT count(*) FROM llama_logs"
    before = wb.con.execute(count).fetchone()[0]
    with psycopg.connect(demo_db.conninfo) as conn:
        conn.execute(
            "INSERT INTO llama_logs (operation, category, status) VALUES ('enrichment:album', 'ENRICHED', "
            "'SUCCESS')"
        )
    again = llamaforensics.open(demo_db.conninfo, snapshot_path=wb.snapshot_path)
    assert again.con.execute(count).fetchone()[0] == before + 1
    with pytest.raises(Exception, match="closed"):
        wb.con.execute(count)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    demo = llamaforensics.open()  # a workbench on another file, or on an unreplaced one, stays open
    also = llamaforensics.open(demo.snapshot_path)
    assert demo.con.execute(count).fetchone() == also.con.execute(count).fetchone()


def test_refresh_without_a_database_says_why(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(UsageError, match="nothing to refresh"):
        llamaforensics.open().refresh()


def test_an_album_without_findings_gets_a_manual_correction(wb, demo_db):
    flagged = {f.entity_id for f in wb.findings.findings}
    healthy = next(
        a
        for (a,) in wb.con.execute("SELECT id::VARCHAR FROM albums ORDER BY id").fetchall()
        if a not in flagged
    )
    wb.wizard.select_album(healthy)
    assert not wb.wizard.findings and not wb.wizard.corrections and "by hand" in wb.wizard.message
    wb.wizard.manual(fields={"label": "Hand-fixed Records"})
    wb.wizard.preview()
    wb.wizard.apply(confirmed=True)
    with psycopg.connect(demo_db.conninfo) as conn:
        assert (
            conn.execute("SELECT label FROM albums WHERE id = %s", [healthy]).fetchone()[0]
            == "Hand-fixed Records"
        )


@pytest.mark.parametrize(
    "one, other",
    [
        pytest.param("postgresql://me@db:5432/app", "postgresql://me@db:5433/app", id="port"),
        pytest.param("postgresql://me@db/app", "postgresql://you@db/app", id="user"),
        pytest.param("postgresql://me@db/app", "postgresql://me@db/app2", id="database"),
    ],
)
def test_two_databases_on_one_host_get_snapshot_caches_of_their_own(one, other):
    from llamaforensics.postgres.dsn import parse_dsn
    from llamaforensics.workbench.resolve_source import snapshot_name_for

    assert snapshot_name_for(parse_dsn(one)) != snapshot_name_for(parse_dsn(other))
    assert "/" not in snapshot_name_for(parse_dsn("host=/var/run/postgresql dbname=app user=me"))
