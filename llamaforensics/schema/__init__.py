"""The upstream schema, read from the one DDL file that creates it.

``upstream.sql`` is the single source of truth: the test fixtures and demo
databases are created from it, and the snapshot's DuckDB tables are derived
from it here (same column names, uuid/enum/list/JSON/timestamp types kept), so
a snapshot built from PostgreSQL and one built straight by the demo generator
have the same shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

UPSTREAM_DDL_FILE = "upstream.sql"


@dataclass(frozen=True)
class Column:
    name: str
    # as written in the DDL, upper-cased: UUID, VARCHAR(100), TEXT[], "LlamaLogCategory", ...
    pg_type: str
    not_null: bool
    default: str | None = None  # the DEFAULT expression as written, if any

    @property
    def enum(self) -> str | None:
        """The enum type name when the column is an enum, else None."""
        return self.pg_type.strip('"') if self.pg_type.startswith('"') else None

    @property
    def is_array(self) -> bool:
        return self.pg_type.endswith("[]")

    @property
    def format_type(self) -> str:
        """The type as PostgreSQL's ``format_type()`` names it (``character varying(50)``,
        ``text[]``).
        """
        base = self.pg_type.removesuffix("[]")
        if base.startswith('"'):
            name = base
        elif base.startswith("VARCHAR"):
            name = "character varying" + base[len("VARCHAR") :]
        elif base.startswith("TIMESTAMP("):
            name = base.lower() + " without time zone"
        else:
            name = {
                "TIMESTAMPTZ": "timestamp with time zone",
                "TIMESTAMP": "timestamp without time zone",
            }.get(base, base.lower())
        return name + ("[]" if self.is_array else "")


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def upstream_ddl() -> str:
    """Return the DDL text that creates the upstream schema in an empty PostgreSQL database."""
    return files(__package__).joinpath(UPSTREAM_DDL_FILE).read_text(encoding="utf-8")


_ENUM = re.compile(r'^CREATE TYPE public\."(\w+)" AS ENUM \((.*?)\);', re.S | re.M)
_TABLE = re.compile(r'^CREATE TABLE public\.("?)(\w+)\1 \((.*?)\n\);', re.S | re.M)
_COLUMN = re.compile(r'^\s+("(?:[^"]|"")+"|\w+) (.+?)(?: DEFAULT (.+?))?( NOT NULL)?,?$')
# pg_dump's type names, written the short way the rest of the workbench reads them
_TYPE_NAMES = {
    "character varying": "VARCHAR",
    "timestamp(3) without time zone": "TIMESTAMP(3)",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMPTZ",
}


def _short_type(dumped: str) -> str:
    """Return pg_dump's type name the short way: ``character varying(50)`` -> ``VARCHAR(50)``."""
    array = dumped.endswith("[]")
    base = dumped.removesuffix("[]")
    if base.startswith('public."'):
        return base.removeprefix("public.") + ("[]" if array else "")
    size = re.search(r"\(\d+\)$", base) if base.startswith("character varying") else None
    if size:
        base = base[: size.start()]
    short = _TYPE_NAMES.get(base, base.upper()) + (size.group(0) if size else "")
    return short + ("[]" if array else "")


def _short_default(dumped: str | None) -> str | None:
    """Return a DEFAULT without pg_dump's casts of literals: ``'LOW'::public."DataQuality"`` ->
    ``'LOW'``.
    """
    if dumped is None:
        return None
    literal = re.match(r"^('(?:[^']|'')*')::", dumped)
    return literal.group(1) if literal else dumped


@cache
def upstream_enums() -> dict[str, tuple[str, ...]]:
    """Return every enum type of the upstream schema with its values, in declaration order."""
    return {
        name: tuple(v.strip().strip("'") for v in values.split(","))
        for name, values in _ENUM.findall(upstream_ddl())
    }


@cache
def upstream_tables() -> dict[str, Table]:
    """Return every table of the upstream schema with its columns, in declaration order."""
    tables = {}
    for _, name, body in _TABLE.findall(upstream_ddl()):
        columns = []
        for line in body.splitlines():
            match = _COLUMN.match(line)
            if match:
                col, dumped, default, not_null = match.groups()
                name_ = col[1:-1].replace('""', '"') if col.startswith('"') else col
                columns.append(
                    Column(name_, _short_type(dumped), bool(not_null), _short_default(default))
                )
        tables[name] = Table(name, tuple(columns))
    return tables


@dataclass(frozen=True)
class ForeignKey:
    table: str
    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]
    on_delete: str  # CASCADE, SET NULL, RESTRICT, NO ACTION


_IDENTS = re.compile(r'"((?:[^"]|"")+)"|(\w+)')
_FOREIGN_KEY = re.compile(
    r'^ALTER TABLE ONLY public\.("?\w+"?)\n\s+ADD CONSTRAINT \S+ FOREIGN KEY \(([^)]*)\) '
    r'REFERENCES public\.("?\w+"?)\(([^)]*)\)(.*?);',
    re.M,
)
_UNIQUE_INDEX = re.compile(
    r'^CREATE UNIQUE INDEX \S+ ON public\.("?\w+"?) USING \w+ \(([^)]*)\);', re.M
)
_UNIQUE_KEY = re.compile(
    r'^ALTER TABLE ONLY public\.("?\w+"?)\n'
    r"\s+ADD CONSTRAINT \S+ (?:PRIMARY KEY|UNIQUE) \(([^)]*)\);",
    re.M,
)


def _names(text: str) -> tuple[str, ...]:
    """Return the identifiers of a pg_dump column list or name, unquoted."""
    return tuple(q.replace('""', '"') if q else plain for q, plain in _IDENTS.findall(text))


@cache
def upstream_foreign_keys() -> tuple[ForeignKey, ...]:
    """Return every foreign key of the upstream schema (for a snapshot: it has no pg_catalog)."""
    keys = []
    for table, cols, target, target_cols, actions in _FOREIGN_KEY.findall(upstream_ddl()):
        on_delete = re.search(
            r"ON DELETE (CASCADE|SET NULL|SET DEFAULT|RESTRICT|NO ACTION)", actions
        )
        keys.append(
            ForeignKey(
                _names(table)[0],
                _names(cols),
                _names(target)[0],
                _names(target_cols),
                on_delete.group(1) if on_delete else "NO ACTION",
            )
        )
    return tuple(keys)


@cache
def upstream_unique_keys() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Return, per upstream table, the column sets that are unique (primary key, unique keys and
    indexes).
    """
    found: dict[str, list[tuple[str, ...]]] = {}
    ddl = upstream_ddl()
    for table, cols in _UNIQUE_KEY.findall(ddl) + _UNIQUE_INDEX.findall(ddl):
        found.setdefault(_names(table)[0], []).append(_names(cols))
    return {table: tuple(sets) for table, sets in found.items()}
