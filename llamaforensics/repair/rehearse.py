"""Rehearse corrections on a copy of a snapshot (DuckDB): the same plan, the same rows, no server touched.

The snapshot itself is never modified: corrections run on a copy. A deleted
row is marked (``_lf_deleted_at``) rather than dropped, as in every snapshot,
and reads see live rows only; references are those of the upstream DDL's
foreign keys between the tables a snapshot holds.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..schema import upstream_foreign_keys, upstream_unique_keys
from ..snapshot.format import DELETED_COLUMN, SNAPSHOT_TABLES, connect
from ..snapshot.format import quote_ident as q
from .dependents import ForeignKey
from .fields import columns
from .session import RepairSession, utc_now
from .store import Catalog, Reference


class SnapshotCatalog(Catalog):
    """A writable snapshot copy seen as a catalog: ``?`` parameters, no row locks, soft deletes."""

    placeholder = "?"
    locks = False
    refusals = (
        duckdb.ConstraintException,
        duckdb.ConversionException,
        duckdb.InvalidInputException,
    )
    table_names = {"User": "users"}

    def __init__(self, path: str | Path, clock=utc_now):
        self.con = connect(path)
        self.clock = clock
        self.in_transaction = False
        self.unseen: set[str] = set()  # tables pointing at rows written here, not in a snapshot

    def close(self) -> None:
        self.con.close()

    def begin(self) -> None:
        self.con.begin()
        self.in_transaction = True

    def commit(self) -> None:
        self.con.commit()
        self.in_transaction = False

    def rollback(self) -> None:
        if self.in_transaction:
            self.con.rollback()
            self.in_transaction = False

    def _execute(self, sql: str, params) -> int:
        return self.con.execute(sql, params).fetchone()[0]

    def _fetch(self, sql: str, params) -> list[dict]:
        cur = self.con.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [{k: v for k, v in zip(names, r) if k != DELETED_COLUMN} for r in cur.fetchall()]

    def _live(self) -> str:
        return f" AND {DELETED_COLUMN} IS NULL"

    def delete(self, table: str, where: dict, *, expect: int | None = None) -> int:
        mark = {DELETED_COLUMN: self.clock().isoformat(timespec="milliseconds")}
        sets = f"{DELETED_COLUMN} = {self.placeholder}"
        return self._write(
            f"UPDATE {q(table)} SET {sets} WHERE {self._where(where)}",
            list(mark.values()) + self._params(where),
            expect,
            f"{table}: expected to delete {expect} row(s) {where}",
        )

    def adapt(self, table: str, column: str, value):
        col = columns(table).get(column)
        if col is not None and col.pg_type == "JSONB" and value is not None:
            return json.dumps(value, ensure_ascii=False)
        return value

    def json_text(self, key: str) -> str:
        return f"json_extract_string(metadata, '$.llamaforensics.{key}')"

    def user_exists(self, user_id: str) -> bool:
        return bool(self._fetch("SELECT 1 AS x FROM users WHERE id = ?", [user_id]))

    def references(self, table: str) -> list[Reference]:
        """Return the upstream foreign keys into ``table`` from tables the snapshot holds."""
        unique = upstream_unique_keys()
        refs = []
        for fk in upstream_foreign_keys():
            if fk.target != table or fk.table not in SNAPSHOT_TABLES or len(fk.columns) != 1:
                continue
            (column,), key = fk.columns, SNAPSHOT_TABLES[fk.table].key
            uniques = tuple(
                cols for cols in unique.get(fk.table, ()) if column in cols and cols != key
            )
            refs.append(
                Reference(fk.table, column, key, ((key,) if column in key else ()) + uniques)
            )
        return sorted(refs, key=lambda r: (r.table, r.column))

    def _foreign_keys_into(self, table: str) -> list[ForeignKey]:
        """Return the upstream foreign keys into ``table`` from tables the snapshot holds.

        Tables a snapshot leaves out (user favourites, collections, ...) cannot be
        checked here: a rehearsal sees only the rows it has.
        """
        into = [fk for fk in upstream_foreign_keys() if fk.target == table]
        self.unseen.update(fk.table for fk in into if fk.table not in SNAPSHOT_TABLES)
        return [
            ForeignKey(
                fk.table, fk.columns, fk.target_columns, fk.on_delete, SNAPSHOT_TABLES[fk.table].key
            )
            for fk in into
            if fk.table in SNAPSHOT_TABLES
        ]


@dataclass
class Rehearsal:
    """The results of a rehearsal and the snapshot copy that holds its outcome."""

    path: Path
    results: list
    # Tables a snapshot does not hold (favourites, collections, ...) whose rows may point at rows
    # the rehearsal deleted or moved: PostgreSQL checks them, a rehearsal cannot.
    unchecked: list[str] = field(default_factory=list)


def rehearse(
    snapshot: str | Path,
    corrections,
    *,
    out: str | Path | None = None,
    session: RepairSession | None = None,
) -> Rehearsal:
    """Apply ``corrections`` to a copy of ``snapshot`` (written to ``out``, else a temporary file).

    Corrections not yet prepared are prepared against the copy itself.
    """
    from .apply import apply_to_catalog, prepare_in_catalog

    session = session or RepairSession()
    out = (
        Path(out)
        if out
        else Path(tempfile.mkdtemp(prefix="llamaforensics-rehearsal-")) / "rehearsal.duckdb"
    )
    shutil.copyfile(snapshot, out)
    catalog = SnapshotCatalog(out, clock=session.clock)
    try:
        prepared = prepare_in_catalog(catalog, list(corrections))
        results = apply_to_catalog(catalog, prepared, session, dry_run=False)
        unchecked = sorted(catalog.unseen)
    finally:
        catalog.close()
    return Rehearsal(out, results, unchecked)
