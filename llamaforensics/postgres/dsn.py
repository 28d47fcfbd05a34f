"""Database addresses: resolve them from an argument or ``DATABASE_URL``, never show a password.

A DSN may be a URL (``postgresql://user:pw@host:5432/db``, also the SQLAlchemy
spelling ``postgresql+psycopg://...``) or a libpq key/value string
(``host=... dbname=...``). Everything the workbench prints, logs or stores goes
through :func:`redact`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ..errors import UsageError

_SQLALCHEMY_PREFIX = re.compile(r"^postgres(?:ql)?\+\w+://")


@dataclass(frozen=True)
class Dsn:
    """A parsed PostgreSQL address; ``str()`` of it is always password-free."""

    params: dict[str, str]

    @property
    def password(self) -> str | None:
        return self.params.get("password")

    @property
    def conninfo(self) -> str:
        """The full libpq conninfo, password included: for drivers only, never for display."""
        return make_conninfo(**self.params)

    @property
    def conninfo_without_password(self) -> str:
        return make_conninfo(**{k: v for k, v in self.params.items() if k != "password"})

    @property
    def display(self) -> str:
        """``postgresql://user@host:port/dbname``: what people see."""
        p = self.params
        user = f"{p['user']}@" if p.get("user") else ""
        host = p.get("host") or "localhost"
        port = f":{p['port']}" if p.get("port") else ""
        return f"postgresql://{user}{host}{port}/{p.get('dbname', '')}"

    @property
    def host_and_db(self) -> str:
        p = self.params
        return f"{p.get('host') or 'localhost'}/{p.get('dbname', '')}"

    def with_dbname(self, dbname: str) -> Dsn:
        return Dsn({**self.params, "dbname": dbname})

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:
        return f"Dsn({self.display!r})"


def parse_dsn(text: str) -> Dsn:
    """Parse a URL or key/value DSN; raise :class:`UsageError` (password-free) if malformed."""
    if not text or not text.strip():
        raise UsageError("empty database address; give a DSN such as postgresql://user@host/dbname")
    text = _SQLALCHEMY_PREFIX.sub("postgresql://", text.strip())
    try:
        parsed = conninfo_to_dict(text)
    except psycopg.ProgrammingError:
        raise UsageError(
            f"cannot parse the database address {redact(text)!r}; "
            "use postgresql://user@host:port/dbname or 'host=... dbname=...'"
        ) from None
    params = {k: str(v) for k, v in parsed.items() if v is not None}
    params.setdefault("dbname", params.get("user") or os.environ.get("PGDATABASE", "postgres"))
    return Dsn(params)


def resolve_dsn(value: str | None = None) -> Dsn | None:
    """Return the DSN given, else ``$DATABASE_URL``, else ``None`` (the demo data)."""
    text = value if value else os.environ.get("DATABASE_URL")
    return parse_dsn(text) if text else None


_URL_PASSWORD = re.compile(
    r"(?P<pre>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<post>@)", re.I
)
_KV_PASSWORD = re.compile(r"(?P<pre>\bpassword\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*'|\S+)", re.I)


def redact(text: str, *secrets: str | None) -> str:
    """Remove passwords from any text: URL userinfo, ``password=`` pairs, the secrets given."""
    text = _URL_PASSWORD.sub(r"\g<pre>***\g<post>", str(text))
    text = _KV_PASSWORD.sub(r"\g<pre>***", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
