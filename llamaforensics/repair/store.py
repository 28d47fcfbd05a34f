"""The catalog a correction is applied to: PostgreSQL here, a snapshot copy in :mod:`.rehearse`.

The engine speaks to a :class:`Catalog` in rows (dicts of canonical values)
and a handful of generic operations; each backend turns them into its SQL.
That is what lets a rehearsal on a snapshot run the very same plan as the
real apply.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb

from ..dsn import Dsn
from ..errors import ConnectionFailed
from ..snapshot.format import quote_ident as q
from .fields import canonical_row, columns


@dataclass(frozen=True)
class Reference:
    """A single-column foreign key into a catalog table, with the unique keys of the referencing table."""

    table: str
    column: str
    key: tuple[str, ...]  # primary key of the referencing table (all columns when it has none)
    unique: tuple[tuple[str, ...], ...]  # unique indexes of the referencing table that include ``column``


class Catalog:
    """Generic row access; subclasses supply ``_execute`` and ``_fetch`` in their SQL dialect."""

    placeholder = "%s"
    locks = True

    def rows(self, table: str, where: dict, *, lock: bool = False, order: str | None = None) -> list[dict]:
        """Return the live rows of ``table`` matching ``where`` (NULLs matched as NULL)."""
        sql = f"SELECT * FROM {q(table)} WHERE {self._where(where)}"
        sql += f" ORDER BY {order}" if order else ""
        sql += " FOR UPDATE" if lock and self.locks else ""
        return [canonical_row(table, r) for r in self._fetch(sql, list(where.values()))]

    def row(self, table: str, where: dict, *, lock: bool = False) -> dict | None:
        found = self.rows(table, where, lock=lock)
        return found[0] if found else None

    def insert(self, table: str, row: dict) -> None:
        names = list(row)
        marks = ", ".join([self.placeholder] * len(names))
        sql = f"INSERT INTO {q(table)} ({', '.join(q(n) for n in names)}) VALUES ({marks})"
        self._execute(sql, [self.adapt(table, n, row[n]) for n in names])

    def update(self, table: str, where: dict, values: dict) -> int:
        sets = ", ".join(f"{q(n)} = {self.placeholder}" for n in values)
        params = [self.adapt(table, n, v) for n, v in values.items()] + list(where.values())
        return self._execute(f"UPDATE {q(table)} SET {sets} WHERE {self._where(where)}", params)

    def delete(self, table: str, where: dict) -> int:
        return self._execute(f"DELETE FROM {q(table)} WHERE {self._where(where)}", list(where.values()))

    def _where(self, where: dict) -> str:
        if not where:
            raise ValueError("refusing an unrestricted statement")
        return " AND ".join(f"{q(n)} IS NOT DISTINCT FROM {self.placeholder}" for n in where) + self._live()

    def _live(self) -> str:
        return ""

    def adapt(self, table: str, column: str, value):
        return value

    def logged_correction(self, correction_id: str) -> dict | None:
        """Return the CORRECTED log row that recorded ``correction_id``, if any."""
        rows = self._fetch(
            f"SELECT * FROM llama_logs WHERE operation = 'admin_correction' AND {self.json_text('correctionId')} = "
            f"{self.placeholder} ORDER BY created_at", [correction_id])
        return canonical_row("llama_logs", rows[0]) if rows else None

    def session_corrections(self, job_id: str) -> list[dict]:
        """Return the CORRECTED rows of one repair session, oldest first."""
        rows = self._fetch(
            f"SELECT * FROM llama_logs WHERE root_job_id = {self.placeholder} AND operation = 'admin_correction' "
            f"AND NOT is_root_job ORDER BY created_at, {self.json_text('sequence')}", [job_id])
        return [canonical_row("llama_logs", r) for r in rows]


class PostgresCatalog(Catalog):
    """A PostgreSQL database: one connection, explicit transactions, rows locked when read to change."""

    # What the database may refuse in a correction that passed validation (a unique clash, say):
    # reported as INVALID, the transaction rolled back.
    refusals = (psycopg.errors.IntegrityError, psycopg.errors.DataError)

    def __init__(self, dsn: Dsn):
        from ..snapshot.source import connect_source

        self.dsn = dsn
        self.conn = connect_source(dsn, autocommit=False)

    def close(self) -> None:
        self.conn.close()

    def begin(self) -> None:
        pass  # psycopg opens the transaction with the first statement

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()

    def _execute(self, sql: str, params) -> int:
        return self._run(sql, params).rowcount

    def _fetch(self, sql: str, params) -> list[dict]:
        cur = self._run(sql, params)
        names = [d.name for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def _run(self, sql: str, params):
        try:
            return self.conn.execute(sql, params)
        except psycopg.OperationalError as exc:
            raise ConnectionFailed(f"lost the connection to {self.dsn.display}: {str(exc).strip().splitlines()[0]}")

    def adapt(self, table: str, column: str, value):
        col = columns(table).get(column)
        json_column = col is not None and col.pg_type == "JSONB"
        if value is not None and (json_column or isinstance(value, dict) or _has_dicts(value)):
            return Jsonb(value)
        return value

    def json_text(self, key: str) -> str:
        return f"(metadata -> 'llamaforensics' ->> '{key}')"

    def user_exists(self, user_id: str) -> bool:
        return bool(self._fetch('SELECT 1 AS x FROM "User" WHERE id = %s', [user_id]))

    def references(self, table: str) -> list[Reference]:
        """Return every single-column foreign key into ``table``, read from pg_constraint."""
        rows = self._fetch(
            """SELECT c.conrelid::regclass::text AS tbl, a.attname AS col, c.conrelid AS relid
               FROM pg_constraint c
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
               WHERE c.contype = 'f' AND c.confrelid = to_regclass(%s) AND cardinality(c.conkey) = 1
               ORDER BY 1, 2""", [q(table)])
        return [Reference(r["tbl"].strip('"'), r["col"], self._key(r["relid"]), self._unique(r["relid"], r["col"]))
                for r in rows]

    def _key(self, relid) -> tuple[str, ...]:
        rows = self._fetch(
            """SELECT a.attname FROM pg_index i JOIN unnest(i.indkey) WITH ORDINALITY k(attnum, n) ON true
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
               WHERE i.indrelid = %s AND i.indisprimary ORDER BY k.n""", [relid])
        if rows:
            return tuple(r["attname"] for r in rows)
        rows = self._fetch("SELECT attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped "
                           "ORDER BY attnum", [relid])
        return tuple(r["attname"] for r in rows)

    def _unique(self, relid, column: str) -> tuple[tuple[str, ...], ...]:
        rows = self._fetch(
            """SELECT array_agg(a.attname::text ORDER BY k.n) AS cols
               FROM pg_index i JOIN unnest(i.indkey) WITH ORDINALITY k(attnum, n) ON true
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
               WHERE i.indrelid = %s AND i.indisunique AND i.indpred IS NULL
               GROUP BY i.indexrelid""", [relid])
        return tuple(tuple(r["cols"]) for r in rows if column in r["cols"])


def _has_dicts(value) -> bool:
    return isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)
