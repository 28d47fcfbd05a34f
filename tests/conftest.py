"""A real PostgreSQL server for every test, and fresh upstream-shaped databases cloned from templates.

The server comes from ``LLAMAFORENSICS_TEST_DSN``, else ``postgresql://postgres@127.0.0.1:5432/postgres``.
If neither answers, the run stops at once with one message saying how to provide one:
tests never skip for lack of a database.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest

from llamaforensics.postgres.dsn import Dsn, parse_dsn
from llamaforensics.schema.install import create_database, drop_database, install_upstream_schema

DEFAULT_TEST_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
RUN_ID = uuid.uuid4().hex[:8]
CHECKOUT = Path(__file__).resolve().parents[1]


def _admin_dsn() -> Dsn:
    return parse_dsn(os.environ.get("LLAMAFORENSICS_TEST_DSN") or DEFAULT_TEST_DSN)


def pytest_configure(config):
    # The default demo snapshot goes to a per-run cache, never the user's (notebook kernels inherit this).
    import tempfile

    config._llamaforensics_cache = tempfile.mkdtemp(prefix="llamaforensics-test-cache-")
    os.environ["XDG_CACHE_HOME"] = config._llamaforensics_cache
    os.environ.pop("LLAMAFORENSICS_SNAPSHOT", None)
    os.environ.pop("DATABASE_URL", None)


def pytest_unconfigure(config):
    import shutil

    shutil.rmtree(getattr(config, "_llamaforensics_cache", ""), ignore_errors=True)


def pytest_sessionstart(session):
    admin = _admin_dsn()
    try:
        with psycopg.connect(admin.conninfo, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        pytest.exit(
            f"no PostgreSQL server for the tests at {admin.display} ({first_line}). "
            "Start the local one with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start "
            "(bash .ci/run does this), or set LLAMAFORENSICS_TEST_DSN to a server where you may create databases.",
            returncode=3,
        )


class DatabaseFactory:
    """Creates databases for one test run and drops every one of them at the end."""

    def __init__(self, admin: Dsn):
        self.admin = admin
        self.created: list[str] = []

    def new(self, label: str, template: str | None = None) -> Dsn:
        name = f"lf_{RUN_ID}_{label}_{len(self.created)}"
        dsn = create_database(self.admin, name, template)
        self.created.append(name)
        return dsn

    def drop_all(self) -> None:
        for name in reversed(self.created):
            drop_database(self.admin, name)


@pytest.fixture(scope="session")
def pg_admin() -> Dsn:
    """The server's maintenance DSN (for creating and dropping test databases)."""
    return _admin_dsn()


@pytest.fixture(scope="session")
def databases(pg_admin):
    factory = DatabaseFactory(pg_admin)
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def upstream_template(databases) -> str:
    """Name of a template database holding the empty upstream schema, built once per run."""
    dsn = databases.new("tmpl_empty")
    install_upstream_schema(dsn)
    return dsn.params["dbname"]


@pytest.fixture
def empty_db(databases, upstream_template) -> Dsn:
    """A fresh database with the upstream schema and no rows, for this test alone."""
    return databases.new("empty", template=upstream_template)


def app_schema_file() -> Path:
    """The app's own schema dump: ``../shared/upstream/schema.sql`` beside the checkout, or as configured."""
    path = Path(
        os.environ.get("LLAMAFORENSICS_UPSTREAM_SCHEMA")
        or CHECKOUT.parent / "shared/upstream/schema.sql"
    )
    assert path.is_file(), (
        f"the app's schema dump is not at {path}: the checkout expects shared/ beside it "
        "(or set LLAMAFORENSICS_UPSTREAM_SCHEMA to the app's pg_dump --schema-only file)"
    )
    return path


def restore_with_psql(dsn: Dsn, path: Path) -> None:
    """Restore a pg_dump file the way an admin would: psql, stopping at the first error."""
    subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(path), "-d", dsn.conninfo],
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def app_schema_template(databases) -> str:
    """Name of a template database restored with psql from the app's own schema dump (no rows)."""
    dsn = databases.new("tmpl_app")
    restore_with_psql(dsn, app_schema_file())
    return dsn.params["dbname"]


@pytest.fixture
def app_db(databases, app_schema_template) -> Dsn:
    """A fresh database restored from the app's own schema dump, for this test alone."""
    return databases.new("app", template=app_schema_template)


@pytest.fixture(scope="session")
def password_server():
    """A private password-checking PostgreSQL server (the machine's own trusts everyone)."""
    from pgtools import PasswordServer

    server = PasswordServer().start()
    yield server
    server.stop()


# --- demo fixtures: the generator's default catalog, as data, as a snapshot and as a database


@pytest.fixture(scope="session")
def demo_data():
    """The default demo catalog (scale 1, seed 42), generated once per run."""
    from llamaforensics.demo import generate

    return generate(scale=1.0, seed=42)


@pytest.fixture(scope="session")
def demo_snapshot(demo_data, tmp_path_factory):
    """A snapshot file written straight from the demo data (no server)."""
    from llamaforensics.demo import write_snapshot

    return write_snapshot(demo_data, tmp_path_factory.mktemp("demo") / "demo.duckdb")


@pytest.fixture(scope="module")
def con(demo_snapshot):
    """The demo snapshot opened read-only, as the workbench opens one (shared by a test module)."""
    from llamaforensics.snapshot import open_snapshot

    con = open_snapshot(demo_snapshot)
    yield con
    con.close()


@pytest.fixture(scope="session")
def demo_template(databases, upstream_template, demo_data) -> str:
    """Name of a template database holding the demo data, loaded once per run."""
    from llamaforensics.demo import write_postgres

    dsn = databases.new("tmpl_demo", template=upstream_template)
    write_postgres(demo_data, dsn)
    return dsn.params["dbname"]


@pytest.fixture
def demo_db(databases, demo_template) -> Dsn:
    """A fresh database holding the demo data, for this test alone."""
    return databases.new("demo", template=demo_template)


# --- Apache Spark (the lake's scale-out engine), local mode: started once per run, downloading nothing


@pytest.fixture(scope="session")
def spark():
    """A local[2] Spark session with small shuffles and no UI, shared by the whole run."""
    from llamaforensics.engines.spark import spark_session

    config = {
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
    }
    session = spark_session("local[2]", config)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def demo_lake(demo_snapshot, tmp_path_factory):
    """The demo snapshot exported as a lake (no server)."""
    from llamaforensics.lake import export_lake

    return export_lake(demo_snapshot, tmp_path_factory.mktemp("lake") / "demo", progress=False)
