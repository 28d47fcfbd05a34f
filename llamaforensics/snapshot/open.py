"""Open a snapshot for reading, and describe it; no path means $LLAMAFORENSICS_SNAPSHOT's.

The library never builds the demo snapshot: the entry points pass its path
(``llamaforensics.demo.default``), built on first use.
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..errors import SnapshotError
from .format import (
    DELETED_COLUMN,
    SNAPSHOT_TABLES,
    Manifest,
    check_snapshot,
    connect,
    one_row,
    quote_ident,
    read_manifests,
)

SNAPSHOT_VARIABLE = "LLAMAFORENSICS_SNAPSHOT"


def named_snapshot(path: str | os.PathLike | None = None) -> Path:
    """Return ``path``, else the snapshot ``$LLAMAFORENSICS_SNAPSHOT`` names.

    Raise if neither does.
    """
    named = path if path is not None else os.environ.get(SNAPSHOT_VARIABLE)
    if not named:
        raise SnapshotError(
            f"no snapshot named: pass its path or set ${SNAPSHOT_VARIABLE} "
            "(llamaforensics demo builds the demo snapshot; llamaforensics snapshot DSN takes one)"
        )
    return Path(named)


# DuckDB keeps one database instance per file in a process while any connection to it is open: a
# snapshot file replaced since (a new one renamed over it) would be read as it was before. Each
# connection opened here is remembered with the identity of the file it opened, so that is refused
# instead of shown.
_OPENED: dict[str, list[tuple[weakref.ref, tuple[int, int]]]] = {}


def _identity(path: Path) -> tuple[int, int]:
    found = path.stat()
    return found.st_dev, found.st_ino


def _is_open(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        con.query_progress()  # no side effect on an open connection; raises on a closed one
    except duckdb.ConnectionException:
        return False
    return True


def replaced_while_open(path: str | os.PathLike) -> bool:
    """Tell whether this process still reads an earlier file at ``path``, since replaced."""
    path = Path(path)
    if not path.exists():
        return False
    key, now = str(path.resolve()), _identity(path)
    _OPENED[key] = [
        (ref, seen) for ref, seen in _OPENED.get(key, []) if (con := ref()) and _is_open(con)
    ]
    return any(seen != now for _, seen in _OPENED[key])


def open_snapshot(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """Open a snapshot read-only; with no path, the one ``$LLAMAFORENSICS_SNAPSHOT`` names.

    Refused while this process still reads an earlier file at the same path (DuckDB would
    show that one).
    """
    path = named_snapshot(path)
    if not path.exists():
        raise SnapshotError(
            f"no snapshot at {path}; take one with: llamaforensics snapshot DSN -o {path}"
        )
    if replaced_while_open(path):
        raise SnapshotError(
            f"{path} was replaced by a newer snapshot while this process still has the earlier "
            "one open, which DuckDB would show instead: close that first (the earlier "
            "workbench's .close(), or the connection's), "
            "then open it again"
        )
    try:
        con = connect(path, read_only=True)
    except duckdb.Error as exc:
        raise SnapshotError(f"{path} is not a snapshot: {str(exc).splitlines()[0]}") from None
    try:
        check_snapshot(con, path)
    except BaseException:
        con.close()
        raise
    _OPENED.setdefault(str(path.resolve()), []).append((weakref.ref(con), _identity(path)))
    return con


@dataclass(frozen=True)
class SnapshotInfo:
    """What ``llamaforensics info`` shows: the latest manifest, rows per table, history."""

    path: Path
    size_bytes: int
    manifest: Manifest
    tables: dict[str, dict[str, int]]
    history: list[Manifest]

    def to_dict(self) -> dict:
        return {
            "path": str(self.path),
            "size_bytes": self.size_bytes,
            "manifest": self.manifest.to_dict(),
            "tables": self.tables,
            "history": [m.to_dict() for m in self.history],
        }


def snapshot_info(path: str | os.PathLike | None = None, verify: bool = False) -> SnapshotInfo:
    """Describe a snapshot: its latest manifest, row counts (live and deleted upstream) and history.

    With ``verify``, every stored value is read first (:func:`verify_snapshot`).
    """
    con = open_snapshot(path)
    try:
        if verify:
            verify_snapshot(con, path)
        resolved = Path(
            one_row(
                con.execute(
                    "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
                )
            )[0]
        )
        history = read_manifests(con)
        tables = table_counts(con)
    finally:
        con.close()
    return SnapshotInfo(resolved, resolved.stat().st_size, history[-1], tables, history)


def verify_snapshot(con: duckdb.DuckDBPyConnection, path: str | os.PathLike | None = None) -> None:
    """Read every column of every table so DuckDB checks each block's checksum; raise if one fails.

    Counts and the manifest come from metadata alone: a file with a zeroed
    block in the middle opens, and is described, until a query reads the block.
    """
    try:
        for name in (*SNAPSHOT_TABLES, "_lf_manifest"):
            con.execute(f"SELECT bit_xor(hash(COLUMNS(*))) FROM {quote_ident(name)}").fetchall()
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise SnapshotError(f"{path or 'the snapshot'} is damaged: {first}") from None


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """Return the live and deleted-upstream row counts of every snapshot table."""
    rows = con.execute(
        " UNION ALL ".join(
            f"SELECT '{name}', count(*) FILTER (WHERE {DELETED_COLUMN} IS NULL), "
            f"count(*) FILTER (WHERE {DELETED_COLUMN} IS NOT NULL) FROM {quote_ident(name)}"
            for name in SNAPSHOT_TABLES
        )
    ).fetchall()
    counts = {name: {"live": live, "deleted_upstream": deleted} for name, live, deleted in rows}
    return {name: counts[name] for name in SNAPSHOT_TABLES}
