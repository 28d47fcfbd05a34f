"""Test-side tools: compare a snapshot with its source row for row, and run a password-checking server."""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg

from llamaforensics.postgres.dsn import Dsn, parse_dsn
from llamaforensics.snapshot.format import DELETED_COLUMN, SNAPSHOT_TABLES, connect, quote_ident


def _canonical(value):
    if isinstance(value, (uuid.UUID, dt.date, dt.datetime, Decimal)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


def _digest(rows, json_positions: set[int]) -> tuple[int, str]:
    lines = []
    for row in rows:
        values = [
            json.loads(v) if i in json_positions and v is not None else v for i, v in enumerate(row)
        ]
        lines.append(json.dumps(_canonical(values), sort_keys=True, ensure_ascii=False))
    lines.sort()
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def postgres_checksums(dsn: Dsn) -> dict[str, tuple[int, str]]:
    """Return (rows, sha256 of canonical rows) per snapshot table, read from PostgreSQL."""
    out = {}
    with psycopg.connect(dsn.conninfo) as conn:
        for table in SNAPSHOT_TABLES.values():
            cols = ", ".join(
                f"{quote_ident(c.name)}::text" if c.enum else quote_ident(c.name)
                for c in table.columns
            )
            rows = conn.execute(
                f"SELECT {cols} FROM public.{quote_ident(table.upstream)}"
            ).fetchall()
            out[table.name] = _digest(rows, set())  # psycopg already decoded jsonb
    return out


def snapshot_checksums(path, live_only: bool = True) -> dict[str, tuple[int, str]]:
    """Return (rows, sha256 of canonical rows) per snapshot table, read from a snapshot file."""
    con = connect(path, read_only=True)
    try:
        return connection_checksums(con, live_only)
    finally:
        con.close()


def connection_checksums(con, live_only: bool = True) -> dict[str, tuple[int, str]]:
    """Return (rows, sha256 of canonical rows) per snapshot table, through a snapshot-shaped connection."""
    out = {}
    for table in SNAPSHOT_TABLES.values():
        cols = ", ".join(
            f"{quote_ident(c.name)}::VARCHAR"
            if c.enum or c.pg_type == "JSONB"
            else quote_ident(c.name)
            for c in table.columns
        )
        where = f" WHERE {DELETED_COLUMN} IS NULL" if live_only else ""
        rows = con.execute(f"SELECT {cols} FROM {quote_ident(table.name)}{where}").fetchall()
        json_pos = {i for i, c in enumerate(table.columns) if c.pg_type == "JSONB"}
        out[table.name] = _digest(rows, json_pos)
    return out


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PasswordServer:
    """A private PostgreSQL cluster that checks passwords (scram-sha-256), on a free localhost port.

    The machine's own server trusts every local connection, so a wrong password
    can only be tested against a server like this one.
    """

    user = "lf_owner"
    password = "s3cret-Pa55word-never-shown"

    def __init__(self):
        self.bindir = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="lf-pwserver-", dir="/tmp"))
        self.port = free_port()
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def start(self) -> PasswordServer:
        pwfile = self.dir / "pw"
        pwfile.write_text(self.password + "\n")
        if self._as_postgres:
            shutil.chown(self.dir, "postgres")
            shutil.chown(pwfile, "postgres")
        data = self.dir / "data"
        self._run(
            "initdb",
            "-D",
            str(data),
            "-U",
            self.user,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
        )
        self._run(
            "pg_ctl",
            "-D",
            str(data),
            "-w",
            "-l",
            str(self.dir / "log"),
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
            "start",
        )
        return self

    def stop(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop", check=False
        )
        shutil.rmtree(self.dir, ignore_errors=True)

    def dsn(self, password: str | None = None, dbname: str = "postgres") -> Dsn:
        pw = self.password if password is None else password
        return parse_dsn(f"postgresql://{self.user}:{pw}@127.0.0.1:{self.port}/{dbname}")

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        subprocess.run(
            [*self._as_postgres, str(self.bindir / tool), *args],
            check=check,
            capture_output=True,
            cwd="/tmp",
        )
