"""Read commands on a live database: a fresh, consistent snapshot of it, cached per database.

``findings --dsn DSN`` must see the database as it is now, in one consistent
moment (catalog and log agreeing), and must not copy the whole database on
every run: the first run takes a snapshot into the user's cache, each later
run refreshes it (one REPEATABLE READ transaction, new rows only). The cache
file is named by host, port, user and database -- never the password -- and
a lock file keeps two commands from refreshing it at once. It lives in the
folder for generated files ($LLAMAFORENSICS_HOME, default the user cache).
"""

from __future__ import annotations

import fcntl
import hashlib
import re
from pathlib import Path

from ..home import home_dir
from ..postgres.dsn import Dsn

_UNSAFE = re.compile(r"[^0-9A-Za-z._-]+")


def live_cache_path(dsn: Dsn) -> Path:
    """Return the cache file of ``dsn``'s database: its identity and a hash of it, no password."""
    p = dsn.params
    identity = [
        p.get("host") or "localhost",
        p.get("port") or "5432",
        p.get("user") or "",
        p.get("dbname", ""),
    ]
    digest = hashlib.sha256("\0".join(identity).encode()).hexdigest()[:12]
    name = _UNSAFE.sub("_", f"{identity[2]}@{identity[0]}-{identity[1]}-{identity[3]}")[:80]
    return home_dir() / "live" / f"{name}-{digest}.duckdb"


def live_snapshot(dsn: Dsn, *, progress: bool = False) -> Path:
    """Bring the cached snapshot of ``dsn`` up to date (take it the first time); return its path."""
    from .refresh import refresh_snapshot
    from .take import take_snapshot

    path = live_cache_path(dsn)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            refresh_snapshot(dsn, path, progress=progress)
        else:
            take_snapshot(dsn, path, progress=progress)
    return path
