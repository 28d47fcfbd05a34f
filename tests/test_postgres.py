"""The PostgreSQL package: addresses, connecting, identifier quoting, the consistent read-only read."""

from __future__ import annotations

import psycopg
import pytest

from llamaforensics.errors import ConnectionFailed, UsageError
from llamaforensics.postgres import quote_ident
from llamaforensics.postgres.connection import connect, read_only_transaction
from llamaforensics.postgres.dsn import parse_dsn, redact, resolve_dsn


@pytest.mark.parametrize(
    "text, params",
    [
        pytest.param(
            "postgresql://me:pw@db.example:5433/app",
            {"user": "me", "password": "pw", "host": "db.example", "port": "5433", "dbname": "app"},
            id="url",
        ),
        pytest.param(
            "postgresql+psycopg://me@db.example/app",
            {"user": "me", "host": "db.example", "dbname": "app"},
            id="sqlalchemy-url",
        ),
        pytest.param(
            "host=db.example dbname=app user=me",
            {"host": "db.example", "dbname": "app", "user": "me"},
            id="key-value",
        ),
        pytest.param(
            "host=db.example user=me",
            {"host": "db.example", "user": "me", "dbname": "me"},
            id="dbname-defaults-to-user",
        ),
    ],
)
def test_parse_dsn_reads_every_spelling(text, params):
    assert parse_dsn(text).params == params


def test_a_dsn_never_shows_its_password():
    dsn = parse_dsn("postgresql://me:s3cret@db.example:5433/app")
    assert str(dsn) == repr(dsn)[5:-2] == "postgresql://me@db.example:5433/app"
    assert "s3cret" not in dsn.conninfo_without_password and "s3cret" in dsn.conninfo


def test_a_malformed_dsn_is_a_usage_error_without_the_password():
    with pytest.raises(UsageError) as caught:
        parse_dsn("host=db password=s3cret 'unclosed")
    assert "s3cret" not in str(caught.value)
    with pytest.raises(UsageError, match="empty database address"):
        parse_dsn("  ")


def test_resolve_dsn_falls_back_to_database_url(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert resolve_dsn(None) is None
    monkeypatch.setenv("DATABASE_URL", "postgresql://me@db.example/app")
    assert resolve_dsn(None).display == "postgresql://me@db.example/app"
    assert resolve_dsn("postgresql://you@other/x").display == "postgresql://you@other/x"


@pytest.mark.parametrize(
    "text, secrets, shown",
    [
        pytest.param(
            "postgresql://me:pw@h/db failed", (), "postgresql://me:***@h/db failed", id="url"
        ),
        pytest.param("host=h password='a b' dbname=x", (), "host=h password=*** dbname=x", id="kv"),
        pytest.param("said: hunter2", ("hunter2",), "said: ***", id="literal"),
    ],
)
def test_redact_removes_every_password(text, secrets, shown):
    assert redact(text, *secrets) == shown


@pytest.mark.parametrize(
    "name, quoted",
    [
        pytest.param("albums", '"albums"', id="plain"),
        pytest.param("User", '"User"', id="mixed-case"),
        pytest.param('we"ird', '"we""ird"', id="quote"),
    ],
)
def test_quote_ident_doubles_quotes(name, quoted):
    assert quote_ident(name) == quoted


def test_connect_failure_is_one_sentence_without_the_password(pg_admin):
    dsn = pg_admin.with_dbname("lf_no_such_database_at_all")
    dsn = parse_dsn(f"{dsn.conninfo} password=s3cret-pw")
    with pytest.raises(ConnectionFailed) as caught:
        connect(dsn)
    said = str(caught.value)
    assert said.startswith(f"cannot connect to {dsn.display}: ")
    assert "s3cret-pw" not in said and "\n" not in said


def test_read_only_transaction_refuses_writes(empty_db):
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        with read_only_transaction(empty_db) as conn:
            conn.execute(
                "INSERT INTO llama_logs(operation, category, status) VALUES ('x', 'CREATED', 'SUCCESS')"
            )


def test_read_only_transaction_sees_one_state_and_an_exported_snapshot(empty_db):
    def logs(conn) -> int:
        return conn.execute("SELECT count(*) FROM llama_logs").fetchone()[0]

    def add_log() -> None:
        with psycopg.connect(empty_db.conninfo, autocommit=True) as writer:
            writer.execute(
                "INSERT INTO llama_logs(operation, category, status) VALUES ('x', 'CREATED', 'SUCCESS')"
            )

    with read_only_transaction(empty_db) as first:
        before = logs(first)
        exported = first.execute("SELECT pg_export_snapshot()").fetchone()[0]
        add_log()
        assert logs(first) == before  # REPEATABLE READ: a later commit is not seen
        with read_only_transaction(empty_db, snapshot=exported) as second:
            assert logs(second) == before  # the exported snapshot, not the present
    with read_only_transaction(empty_db) as later:
        assert logs(later) == before + 1
