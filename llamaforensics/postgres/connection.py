"""Connections to PostgreSQL: opened with one clear error, and the consistent read-only read.

A snapshot, a refresh, a check and the repair engine all connect here, so a
failure to connect reads the same everywhere and never shows a password.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import IsolationLevel, sql

from ..errors import ConnectionFailed
from .dsn import Dsn, redact

CONNECT_TIMEOUT_SECONDS = 10


def connect(dsn: Dsn, **kwargs: Any) -> psycopg.Connection[Any]:
    """Open a psycopg connection, turning every failure into one password-free sentence."""
    try:
        return psycopg.connect(dsn.conninfo, connect_timeout=CONNECT_TIMEOUT_SECONDS, **kwargs)
    except psycopg.OperationalError as exc:
        raise ConnectionFailed(f"cannot connect to {dsn.display}: {first_line(exc, dsn)}") from None


@contextmanager
def read_only_transaction(
    dsn: Dsn, *, snapshot: str | None = None
) -> Iterator[psycopg.Connection[Any]]:
    """Yield a connection whose queries all run in one READ ONLY, REPEATABLE READ transaction.

    Every query then sees the same state of the database, and none can write.
    With ``snapshot`` (what ``pg_export_snapshot()`` returned in another
    transaction), it sees exactly what that transaction sees.
    """
    with connect(dsn) as conn:
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        if snapshot is not None:
            conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
        yield conn


def first_line(exc: BaseException, dsn: Dsn) -> str:
    """Return the first line of what ``exc`` says, without ``dsn``'s password."""
    text = str(exc).strip()
    line = next((part.strip() for part in text.splitlines() if part.strip()), type(exc).__name__)
    return redact(line, dsn.password)
