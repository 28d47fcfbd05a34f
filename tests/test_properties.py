"""Property tests (Hypothesis): hostile catalogs and logs through every step of the workbench.

Snapshot, findings, album, lineage and repair planning.

Each example writes a small catalog and log into a real PostgreSQL database --
text in every script with control characters and escape sequences, times at
and past the ends of what DuckDB and Python hold, job chains that loop, fork
upwards (one job, two parents), break or run deep -- takes a snapshot and
checks that every value came through exactly and that no command's library
call crashes or prints a raw control character. A fixed, small example budget
keeps it to about a minute on CI.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llamaforensics.commands.album import describe as describe_album
from llamaforensics.commands.lineage import describe as describe_lineage
from llamaforensics.dossier import build_dossier
from llamaforensics.findings import run_findings, to_findings
from llamaforensics.lineage import check_roots
from llamaforensics.lineage.graph import job_lineage
from llamaforensics.lineage.outline import outline
from llamaforensics.printable import printable
from llamaforensics.repair.propose import proposals_for
from llamaforensics.snapshot import open_snapshot
from llamaforensics.snapshot.extremes import as_postgres_text
from llamaforensics.snapshot.take import take_snapshot

EXAMPLES = 12  # each example is a PostgreSQL load and a snapshot: ~1-3 s
SPECIAL_TEXT = [
    "三屍 (Sanshi)",
    "Evil\x1b[2J\x1b[H\x1b]0;pwned\x07",
    "مُرَحَبا",
    "Ёлка",
    "🦙🎸",
    "Cafe\u0301",
    "abc\u202edef",
    "'; DROP TABLE albums; --",
    "tab\tnew\nline",
    "\x9b31m C1",
]
TIMES = [
    "294276-12-31 23:59:59.999",
    "4713-01-01 00:00:00 BC",
    "infinity",
    "-infinity",
    "294247-01-10 04:00:54.776",
    "1970-01-01 00:00:00",
    "2025-06-01 12:00:00.5",
    "9999-12-31 23:59:59.999",
    "0001-01-01 00:00:00",
]
JOBS = ["a", "b", "c", "d", "", "j\x1b[2J", "三", "deep"]
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)  # \n is our own line break

text = st.one_of(
    st.sampled_from(SPECIAL_TEXT),
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=1,
        max_size=20,
    ),
)
times = st.one_of(
    st.sampled_from(TIMES),
    st.datetimes().map(lambda t: t.isoformat(sep=" ", timespec="milliseconds")),
)
log_rows = st.lists(
    st.tuples(st.sampled_from(JOBS + [None]), st.sampled_from(JOBS + [None, "gone"]), times),
    max_size=12,
)
catalog = st.lists(
    st.tuples(text, text, times), min_size=1, max_size=4
)  # (title, artist name, created_at)


@pytest.fixture(scope="module")
def scratch(databases, upstream_template):
    return databases.new("properties", template=upstream_template)


def load(dsn, albums, rows, chain_depth: int) -> list[str]:
    """Replace the database's catalog and log with the example's; return the album ids."""
    ids = []
    with psycopg.connect(dsn.conninfo) as conn:
        conn.execute(
            "TRUNCATE llama_logs, track_artists, album_artists, tracks, albums, artists CASCADE"
        )
        for n, (title, artist, created) in enumerate(albums):
            album, artist_id = str(uuid.UUID(int=0xA0 + n)), str(uuid.UUID(int=0xB0 + n))
            conn.execute(
                "INSERT INTO artists (id, name, updated_at) VALUES (%s, %s, now())",
                [artist_id, artist],
            )
            conn.execute(
                "INSERT INTO albums (id, title, created_at, updated_at) VALUES (%s, %s, %s, now())",
                [album, title, created],
            )
            conn.execute(
                "INSERT INTO album_artists (album_id, artist_id) VALUES (%s, %s)",
                [album, artist_id],
            )
            ids.append(album)
        for n, (job, parent, created) in enumerate(rows):
            conn.execute(
                "INSERT INTO llama_logs (album_id, entity_type, entity_id, operation, category, "
                "status, job_id, parent_job_id, reason, created_at) VALUES (%s, 'ALBUM', %s, "
                "'enrichment:album', 'ENRICHED', 'SUCCESS', %s, %s, %s, %s)",
                [
                    ids[n % len(ids)],
                    ids[n % len(ids)],
                    job,
                    parent,
                    SPECIAL_TEXT[n % len(SPECIAL_TEXT)],
                    created,
                ],
            )
        conn.execute(
            "INSERT INTO llama_logs "
            "(operation, category, status, job_id, parent_job_id, created_at) "
            "SELECT 'enrichment:album', 'ENRICHED', 'SUCCESS', 'deep-' || k, "
            "CASE WHEN k > 0 THEN 'deep-' || (k - 1) ELSE 'deep' END, now() "
            "FROM generate_series(0, %s - 1) AS k",
            [chain_depth],
        )
    return ids


def source_values(dsn) -> dict:
    with psycopg.connect(dsn.conninfo) as conn:
        return {
            "titles": sorted(r[0] for r in conn.execute("SELECT title FROM albums")),
            "names": sorted(r[0] for r in conn.execute("SELECT name FROM artists")),
            "jobs": sorted(
                conn.execute(
                    "SELECT id::text, job_id, parent_job_id, reason FROM llama_logs"
                ).fetchall(),
                key=str,
            ),
            "album_times": dict(
                conn.execute("SELECT id::text, created_at::text FROM albums").fetchall()
            ),
            "log_times": dict(
                conn.execute("SELECT id::text, created_at::text FROM llama_logs").fetchall()
            ),
        }


def snapshot_values(con) -> dict:
    return {
        "titles": sorted(r[0] for r in con.execute("SELECT title FROM albums").fetchall()),
        "names": sorted(r[0] for r in con.execute("SELECT name FROM artists").fetchall()),
        "jobs": sorted(
            con.execute(
                "SELECT id::VARCHAR, job_id, parent_job_id, reason FROM llama_logs"
            ).fetchall(),
            key=str,
        ),
        "album_times": as_postgres_text(con, "albums", "created_at"),
        "log_times": as_postgres_text(con, "llama_logs", "created_at"),
    }


def assert_printable(text: str) -> None:
    assert not RAW_CONTROL.search(printable(text).replace("\n", "")), repr(text)
    found = RAW_CONTROL.search(
        "\n".join(printable(line) for line in text.split("\n")).replace("\n", "")
    )
    assert found is None


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(albums=catalog, rows=log_rows, chain_depth=st.sampled_from([0, 3, 300]))
def test_hostile_catalogs_survive_every_step(scratch, albums, rows, chain_depth):
    ids = load(scratch, albums, rows, chain_depth)
    with tempfile.TemporaryDirectory() as folder:
        path = take_snapshot(scratch, Path(folder) / "s.duckdb", progress=False)
        con = open_snapshot(path)
        try:
            assert snapshot_values(con) == source_values(
                scratch
            )  # every value exactly, or the test fails
            found = to_findings(run_findings(con))
            assert all(f.kind for f in found)
            check_roots(con)
            for album in ids:
                text = describe_album(build_dossier(con, album))
                assert_printable(text)
            jobs = {
                j
                for (j,) in con.execute(
                    "SELECT DISTINCT job_id FROM llama_logs WHERE job_id IS NOT NULL "
                    "AND job_id NOT LIKE 'deep-%'"
                ).fetchall()
            }
            for job in sorted(jobs) + (["deep-0"] if chain_depth else []):
                graph = job_lineage(con, job)
                assert {e.job for e in outline(graph)} == set(graph.nodes)
                for line in describe_lineage(graph, f"job {job}"):
                    assert not RAW_CONTROL.search(printable(line))
            proposals_for(con)
        finally:
            con.close()
