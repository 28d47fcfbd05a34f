"""Progress bars for long DuckDB statements, driven by DuckDB's own query progress."""

from __future__ import annotations

import threading
from typing import Any

import duckdb
from tqdm.auto import tqdm


def execute_with_progress(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    *,
    desc: str,
    total: int | None,
    enabled: bool,
    params: dict[str, Any] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Run ``sql`` on ``con`` while a bar (rows, estimated from ``total``) shows its progress.

    Returns ``con`` with the statement's result pending (a COPY's row count, say).
    """
    if not enabled:
        return con.execute(sql, params)
    con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    total = max(int(total or 0), 1)
    done = threading.Event()
    with tqdm(total=total, desc=desc, unit="row", unit_scale=True, leave=True) as bar:

        def follow() -> None:
            while not done.wait(0.2):
                pct = con.query_progress()
                if pct > 0:
                    bar.n = min(total, int(total * pct / 100))
                    bar.refresh()

        watcher = threading.Thread(target=follow, daemon=True)
        watcher.start()
        try:
            result = con.execute(sql, params)
        finally:
            done.set()
            watcher.join()
        bar.n = total
        bar.refresh()
    return result
