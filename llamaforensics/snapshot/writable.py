"""Open an existing snapshot to update it: checked, postgres_scanner loaded; also in the background.

Loading the extension verifies its signature, a tenth of a second of CPU;
importing the PostgreSQL driver takes as long. Neither needs the other, so
the ``snapshot --refresh`` command starts opening the file before it loads the
driver to read the DSN. Nothing here imports the driver.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb

from ..errors import SnapshotError
from .format import check_snapshot, connect
from .scanner import load_postgres


def open_writable(path: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """Open the snapshot at ``path`` for writing, check it, and load postgres_scanner into it."""
    path = Path(path)
    if not path.exists():
        raise SnapshotError(
            f"{path} does not exist; take a full snapshot first (without --refresh)"
        )
    try:
        con = connect(path)
    except duckdb.Error as exc:
        raise SnapshotError(
            f"{path} is not a snapshot DuckDB can open: {str(exc).splitlines()[0]}"
        ) from None
    try:
        check_snapshot(con, path)
        load_postgres(con)
    except BaseException:
        con.close()
        raise
    return con


def open_writable_in_background(path: str | os.PathLike) -> Future[duckdb.DuckDBPyConnection]:
    """Start :func:`open_writable` on a thread of its own; its result (or error) is the future's."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="lf-open")
    try:
        return pool.submit(open_writable, path)
    finally:
        pool.shutdown(wait=False)
