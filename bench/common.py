"""Shared by the benchmarks: scratch databases, and timing a child process with its own peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import psycopg

from llamaforensics.postgres.dsn import Dsn, parse_dsn

DEFAULT_DSN = os.environ.get(
    "LLAMAFORENSICS_TEST_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class Measurement:
    name: str
    seconds: float
    peak_mb: float
    rows: int

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else float("nan")


def median_of(runs: list[Measurement]) -> Measurement:
    """Return one side's figures over its repeated runs: the median seconds, the highest peak."""
    return Measurement(
        runs[0].name,
        statistics.median(r.seconds for r in runs),
        max(r.peak_mb for r in runs),
        runs[0].rows,
    )


# The llamaforensics sides run as the product is installed: without pandas (it is in the
# bench extra only, for the pandas.read_sql side). DuckDB and PyArrow import pandas when
# it is importable, at the first bound parameter or registered table: +0.7 s per process.
WITHOUT_PANDAS = (
    "import sys\n"
    "class _NoPandas:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'pandas' or name.startswith('pandas.'):\n"
    "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
    "sys.meta_path.insert(0, _NoPandas())\n"
)


def without_pandas(code: str) -> list[str]:
    """Return the argv that runs Python ``code`` where pandas cannot be imported."""
    return [sys.executable, "-c", WITHOUT_PANDAS + code]


def measure(name: str, argv: list[str], rows: int, env: dict | None = None) -> Measurement:
    """Run ``argv`` to completion; return its wall time and its own peak RSS (not this process's).

    GNU time reports the peak: a child forked straight from this process would
    start with this process's resident set already counted.
    """
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile("r") as peak:
        proc = subprocess.run(
            ["/usr/bin/time", "-q", "-f", "%M", "-o", peak.name, *argv],
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            sys.exit(f"{name} failed (exit {proc.returncode}): {' '.join(argv)}")
        peak_kb = int(peak.read().split()[-1])
    return Measurement(name, elapsed, peak_kb / 1024, rows)


def scratch_database(admin: Dsn, name: str) -> tuple[Dsn, bool]:
    """Return the DSN of database ``name``, creating it when missing; and whether it already existed."""
    with psycopg.connect(admin.conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return admin.with_dbname(name), bool(exists)


def drop_database(admin: Dsn, name: str) -> None:
    with psycopg.connect(admin.conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def psql(dsn: Dsn, *args: str) -> list[str]:
    return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn.conninfo, *args]


def table(rows: list[list[str]], header: list[str]) -> str:
    """Return a Markdown table (the README's benchmark tables are pasted from this)."""
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def admin_dsn(value: str | None) -> Dsn:
    return parse_dsn(value or DEFAULT_DSN)
