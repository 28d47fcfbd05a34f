"""Inspect the source database before copying it: reachable, readable, and shaped as expected.

Every failure here is one sentence a person can act on, and none of them
contains a password. Differences from the upstream schema that the workbench
can live with (extra or missing columns, unknown enum values, a missing
catalog table) are returned as drift messages instead of errors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import psycopg

from ..errors import SourceSchemaError
from ..postgres.connection import read_only_transaction
from ..postgres.dsn import Dsn
from ..schema import upstream_enums, upstream_tables
from .format import SNAPSHOT_TABLES, one_row

REQUIRED_TABLES = ("llama_logs",)

# pg_catalog, not information_schema: the latter hides tables the role may not
# read, which would turn "no permission" into a misleading "no such table".
_COLUMNS_SQL = """
SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname = ANY(%(tables)s)
ORDER BY c.relname, a.attnum
"""

# Text columns whose values PostgreSQL's own statistics (pg_stats, kept by ANALYZE) show to be
# mostly distinct: at least half of the non-NULL values.
_NEAR_UNIQUE_SQL = """
SELECT s.tablename::text, s.attname::text
FROM pg_stats s
JOIN pg_class c ON c.relname = s.tablename AND c.relnamespace = 'public'::regnamespace
WHERE s.schemaname = 'public' AND s.tablename = ANY(%(tables)s) AND NOT s.inherited
  AND s.null_frac < 1
  AND (CASE WHEN s.n_distinct < 0 THEN -s.n_distinct
            ELSE s.n_distinct / greatest(c.reltuples, 1) END) / (1 - s.null_frac) >= 0.5
"""

# Every table of the schema, to tell which of the app's tables are missing and which are new.
_TABLES_SQL = """
SELECT c.relname::text FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
"""

_ENUMS_SQL = """
SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = 'public'
GROUP BY t.typname
"""


@dataclass
class SourceInfo:
    """What the source database looks like, as far as the snapshot cares."""

    server_version: str
    columns: dict[str, list[tuple[str, str]]]  # upstream table -> [(column, type name)]
    enums: dict[str, tuple[str, ...]]
    drift: list[str] = field(default_factory=list)
    tables: frozenset[str] = frozenset()  # every table of the source's public schema
    # upstream table -> columns PostgreSQL's statistics show to be mostly distinct
    # (see format.create_schema)
    near_unique: dict[str, frozenset[str]] = field(default_factory=dict)

    def has_column(self, upstream_table: str, column: str) -> bool:
        return any(name == column for name, _ in self.columns.get(upstream_table, []))

    @property
    def fingerprint(self) -> str:
        """A hash of every copied table's columns and types and of every enum's values."""
        h = hashlib.sha256()
        for table in sorted(self.columns):
            for name, type_name in self.columns[table]:
                h.update(f"{table}.{name}:{type_name}\n".encode())
        for name in sorted(self.enums):
            h.update(f"enum {name}:{','.join(self.enums[name])}\n".encode())
        return h.hexdigest()[:16]


def inspect_source(dsn: Dsn, *, statistics: bool = False) -> SourceInfo:
    """Return the source's shape and drift; raise if a required table or permission is missing.

    ``statistics=True`` also reads which columns PostgreSQL's statistics show
    to be mostly distinct (for the storage of a new snapshot's tables).
    """
    upstream_names = [t.upstream for t in SNAPSHOT_TABLES.values()]
    with read_only_transaction(dsn) as conn:
        server_version = one_row(conn.execute("SHOW server_version"))[0]
        rows = conn.execute(_COLUMNS_SQL, {"tables": upstream_names}).fetchall()
        enums = {name: tuple(values) for name, values in conn.execute(_ENUMS_SQL).fetchall()}
        tables = frozenset(name for (name,) in conn.execute(_TABLES_SQL).fetchall())
        columns: dict[str, list[tuple[str, str]]] = {}
        for table, column, type_name in rows:
            columns.setdefault(table, []).append((column, type_name))
        _require_tables(dsn, columns)
        _require_select(conn, dsn, columns)
        near_unique = _near_unique_columns(conn, upstream_names) if statistics else {}
    info = SourceInfo(server_version, columns, enums, near_unique=near_unique, tables=tables)
    info.drift = describe_drift(info)
    return info


def _near_unique_columns(conn: psycopg.Connection, tables: list[str]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for table, column in conn.execute(_NEAR_UNIQUE_SQL, {"tables": tables}).fetchall():
        found.setdefault(table, set()).add(column)
    return {table: frozenset(names) for table, names in found.items()}


def _require_tables(dsn: Dsn, columns: dict) -> None:
    for table in REQUIRED_TABLES:
        if table not in columns:
            raise SourceSchemaError(
                f"{dsn.display} has no table public.{table}: is this the music-catalog database? "
                "(check the database name in the DSN)"
            )


def _require_select(conn: psycopg.Connection, dsn: Dsn, columns: dict) -> None:
    user = conn.info.user
    for table in columns:
        allowed = one_row(
            conn.execute(
                "SELECT has_table_privilege("
                "current_user, format('public.%%I', %s::text), 'SELECT')",
                [table],
            )
        )[0]
        if not allowed:
            raise SourceSchemaError(
                f"role {user!r} may not read public.{table} on {dsn.display}; "
                f'grant it with: GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{user}"'
            )


def describe_drift(info: SourceInfo) -> list[str]:
    """Return one message per difference between the source and the app's schema.

    The app's schema is ``schema/upstream.sql``.

    Tables the snapshot copies are compared column by column (name and type);
    every other table of the app only by presence, and tables the app's schema
    does not have (a newer app version, a local addition) are named, not copied.
    """
    app = upstream_tables()
    copied = {t.upstream: t for t in SNAPSHOT_TABLES.values()}
    drift = []
    for name in app:
        if name not in info.tables and name not in info.columns:
            consequence = (
                f"the snapshot's {copied[name].name} stays empty" if name in copied else "not read"
            )
            drift.append(f"table {name} is missing: {consequence}")
    for name in sorted(info.tables - set(app)):
        drift.append(f"table {name} is not in the app's schema: not copied")
    for table in copied.values():
        drift += _column_drift(
            table.upstream, app[table.upstream].columns, info.columns.get(table.upstream)
        )
    drift += _enum_drift(info.enums)
    return drift


def _column_drift(table: str, expected: tuple, live: list[tuple[str, str]] | None) -> list[str]:
    if live is None:
        return []
    live_types = dict(live)
    drift = []
    for col in expected:
        if col.pg_type == "TSVECTOR":
            continue  # never copied: the database derives it
        if col.name not in live_types:
            drift.append(f"column {table}.{col.name} is missing: copied as NULL")
        elif live_types[col.name].replace("public.", "") != col.format_type:
            drift.append(
                f"column {table}.{col.name} is {live_types[col.name]} in the source "
                f"({col.format_type} in the app's schema): copied as {col.format_type}"
            )
    known = {c.name for c in expected}
    for name, _ in live:
        if name not in known:
            drift.append(f"column {table}.{name} is not in the app's schema: not copied")
    return drift


def _enum_drift(live: dict[str, tuple[str, ...]]) -> list[str]:
    drift = []
    for name, values in upstream_enums().items():
        live_values = live.get(name)
        if live_values is None:
            drift.append(f'enum type "{name}" is missing')
            continue
        extra = [v for v in live_values if v not in values]
        if extra:
            drift.append(
                f'enum "{name}" has values the workbench does not know: {", ".join(extra)} (kept)'
            )
        missing = [v for v in values if v not in live_values]
        if missing:
            drift.append(f'enum "{name}" lacks values of the app\'s schema: {", ".join(missing)}')
    for name in sorted(set(live) - set(upstream_enums())):
        drift.append(f'enum type "{name}" is not in the app\'s schema')
    return drift
