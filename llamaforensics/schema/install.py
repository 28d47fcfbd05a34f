"""Create the upstream schema in an empty PostgreSQL database (fixtures, demo databases,
benchmarks).
"""

from __future__ import annotations

from ..postgres.connection import connect
from ..postgres.dsn import Dsn
from . import upstream_ddl


def install_upstream_schema(dsn: Dsn) -> None:
    """Create every upstream enum, table, index and foreign key in the (empty) database ``dsn``."""
    with connect(dsn, autocommit=False) as conn:
        conn.execute(upstream_ddl())
        conn.commit()


def create_database(admin: Dsn, name: str, template: str | None = None) -> Dsn:
    """Create database ``name`` (optionally as a copy of ``template``) and return its DSN."""
    clause = f' TEMPLATE "{template}"' if template else ""
    with connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{clause}')
    return admin.with_dbname(name)


def drop_database(admin: Dsn, name: str) -> None:
    """Drop database ``name``, ending any session still connected to it."""
    with connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
