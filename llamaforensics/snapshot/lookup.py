"""Point lookups in a read-only snapshot: the rows that mention a value, found without a scan.

A dossier wants a few dozen log rows among millions: those naming an album,
its tracks or its artists, and those of a handful of jobs. A DuckDB filter
on one column reads that whole column (40 ms per column at 13M rows), and a
filter against a list (``IN (SELECT ...)``) is a join that reads every column
of every row first (0.3-1.5 s). Instead, per column, the 64-bit hashes of
its values are kept sorted beside their row numbers (12 bytes a row; built
on first use for each open connection: 6 s and 0.8 GB for 13M log rows,
9M tracks and 1M albums); a lookup is a binary search, and the rows are
then read by row number, which DuckDB does without a scan (a dossier: 4.5 s
-> 0.2 s there).

A hash can match another value: the rows found are candidates, and every
query keeps its own exact condition on them. Only read-only connections get
lookups (their tables cannot change under them); others scan as before.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING

import duckdb

from .format import one_row, quote_ident

if TYPE_CHECKING:  # numpy is imported where lookups run: the command line's start-up needs none
    import numpy as np


def title_key(title: str = "title") -> str:
    """Return the SQL of an album title as the duplicate_album finding compares titles.

    See queries/duplicate_album.sql.
    """
    return rf"trim(regexp_replace(lower(strip_accents({title})), '[^\p{{L}}\p{{N}}]+', ' ', 'g'))"


# The key expressions a lookup may be asked for, per table (a column, or an expression of the row).
KEYS = {
    "llama_logs": {
        c: c for c in ("album_id", "entity_id", "track_id", "artist_id", "job_id", "parent_job_id")
    },
    "tracks": {"album_id": "album_id", "id": "id"},
    "artists": {"id": "id"},
    "albums": {"id": "id", "title_key": title_key(), "discogs_id": "discogs_id"},
}

# per connection: its lookups by table, or None where the connection may write
_LOOKUPS: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, dict[str, RowLookup] | None] = (
    weakref.WeakKeyDictionary()
)
_LOCK = threading.Lock()


class RowLookup:
    """Row numbers of one table of one open connection, by the hash of a key's value.

    Each key's is built on first use.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str):
        self._con, self.table = (
            weakref.ref(con),
            table,
        )  # weak: the lookups live (in _LOOKUPS) as long as it does
        database = one_row(con.execute("SELECT current_database()"))[0]
        self.relation = (
            f"{quote_ident(database)}.main.{quote_ident(table)}"  # never a temp table shadowing it
        )
        self._sorted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._key_types: dict[str, str] | None = None

    def rows(self, key: str, values: Iterable[object]) -> np.ndarray:
        """Return the numbers, ascending, of the rows whose ``key`` may be one of ``values``.

        A hash match is a candidate: the caller's query checks the value.
        """
        import numpy as np

        values = [v for v in dict.fromkeys(values) if v is not None]
        if not values:
            return np.empty(0, dtype=np.int64)
        hashes, rows = self._index(key)
        wanted = np.array(
            [
                h
                for (h,) in self.con.execute(
                    f"SELECT hash(CAST(v AS {self._types()[key]})) FROM unnest($values) AS t(v)",
                    {"values": values},
                ).fetchall()
            ],
            dtype=np.uint64,
        )
        lo, hi = np.searchsorted(hashes, wanted, "left"), np.searchsorted(hashes, wanted, "right")
        found = [rows[a:b] for a, b in zip(lo, hi, strict=True) if b > a]
        return (
            np.unique(np.concatenate(found)).astype(np.int64)
            if found
            else np.empty(0, dtype=np.int64)
        )

    def _index(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        with _LOCK:
            if key not in self._sorted:
                expr = KEYS[self.table][key]
                got = self.con.execute(
                    f"SELECT hash({expr}) AS h, rowid AS r FROM {self.relation} "
                    f"WHERE ({expr}) IS NOT NULL ORDER BY h"
                ).fetchnumpy()
                rows = np.asarray(got["r"])
                self._sorted[key] = (
                    np.asarray(got["h"], dtype=np.uint64),
                    rows.astype(np.uint32) if rows.size and rows.max() < 2**32 else rows,
                )
            return self._sorted[key]

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """Return the connection the lookup reads (it lives no longer than that)."""
        con = self._con()
        if con is None:
            raise ReferenceError(f"the connection the {self.table} lookup read is gone")
        return con

    def _types(self) -> dict[str, str]:
        """The DuckDB type of each key (a value is hashed as that type, as the table's are)."""
        if self._key_types is None:
            exprs = ", ".join(f"{e} AS {quote_ident(k)}" for k, e in KEYS[self.table].items())
            self._key_types = {
                name: kind
                for name, kind, *_ in self.con.execute(
                    f"DESCRIBE SELECT {exprs} FROM {self.relation}"
                ).fetchall()
            }
        return self._key_types


def row_lookup(con: duckdb.DuckDBPyConnection, table: str) -> RowLookup | None:
    """Return the lookup of ``table`` on ``con``, or None where the connection may write.

    A lookup there would go stale.
    """
    with _LOCK:
        known = con in _LOOKUPS
        per_con = _LOOKUPS.get(con)
    if not known:
        read_only = one_row(
            con.execute(
                "SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()"
            )
        )[0]
        per_con = {} if read_only else None  # None: the connection may write; no lookups
        with _LOCK:
            _LOOKUPS[con] = per_con
    if per_con is None:
        return None
    if table not in per_con:
        per_con[table] = RowLookup(con, table)
    return per_con[table]


def mentioning(
    con: duckdb.DuckDBPyConnection,
    table: str,
    wanted: dict[str, list],
    name: str,
    scan: str | None = None,
    materialized: bool = False,
) -> tuple[str, dict]:
    """Return a CTE ``name`` holding at least the rows of ``table`` whose keys take ``wanted``.

    With a lookup, just those rows (read once, by row number); without one,
    the whole of ``scan`` (default: the table, by its name). Either way the
    query's own condition picks the rows. Returns the CTE's text
    (``name AS (...)``) and its parameters. ``materialized``: the rows found
    are read once, whole, however often the query names the CTE (for a few
    rows named many times; many rows are cheaper read for each use, by the
    columns it needs).
    """
    import numpy as np

    lookup = row_lookup(con, table)
    if lookup is None:
        return f"{name} AS (SELECT * FROM {scan or quote_ident(table)})", {}
    found = [lookup.rows(key, values) for key, values in wanted.items()]
    rows = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    param = f"_lf_rows_{name}"
    once = " MATERIALIZED" if materialized else ""
    return (
        f"{name} AS{once} (SELECT * FROM {lookup.relation} "
        f"WHERE rowid IN (SELECT unnest(${param}::BIGINT[])))",
        {param: rows.tolist()},
    )


def album_log(
    con: duckdb.DuckDBPyConnection, album_id: str, name: str = "log", materialized: bool = False
) -> tuple[str, dict, dict]:
    """Return a CTE ``name`` holding (at least) the log rows about the album, tracks and artists.

    On a read-only snapshot these are found by lookup instead of by scanning
    the log (see :class:`RowLookup`). Returns the CTE, its parameters, and
    the album's members as parameters ``tracks`` and ``artists`` (their ids).
    """
    tracks = [
        t
        for (t,) in con.execute(
            "SELECT id::VARCHAR FROM tracks WHERE album_id = $a", {"a": album_id}
        ).fetchall()
    ]
    artists = [
        a
        for (a,) in con.execute(
            "SELECT artist_id::VARCHAR FROM album_artists WHERE album_id = $a", {"a": album_id}
        ).fetchall()
    ]
    cte, rows = mentioning(
        con,
        "llama_logs",
        {
            "album_id": [album_id],
            "entity_id": [album_id, *tracks, *artists],
            "track_id": tracks,
            "artist_id": artists,
        },
        name,
        materialized=materialized,
    )
    return cte, rows, {"tracks": tracks, "artists": artists}
