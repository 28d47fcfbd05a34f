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
    pg_type: str  # as written in the DDL, upper-cased: UUID, VARCHAR(100), TEXT[], "LlamaLogCategory", ...
    not_null: bool
    default: str | None = None  # the DEFAULT expression as written, if any

    @property
    def enum(self) -> str | None:
        """The enum type name when the column is an enum, else None."""
        return self.pg_type.strip('"') if self.pg_type.startswith('"') else None

    @property
    def is_array(self) -> bool:
        return self.pg_type.endswith("[]")


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


_ENUM = re.compile(r'CREATE TYPE "(\w+)" AS ENUM \(([^)]*)\);')
_TABLE = re.compile(r'CREATE TABLE "(\w+)" \((.*?)\n\);', re.S)
_COLUMN = re.compile(r'^\s*"(\w+)" ((?:"\w+")|(?:[A-Za-z]+(?: PRECISION)?(?:\(\d+\))?(?:\[\])?))(.*?),?$')


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
    for name, body in _TABLE.findall(upstream_ddl()):
        columns = []
        for line in body.splitlines():
            match = _COLUMN.match(line)
            if match:
                col, pg_type, rest = match.groups()
                pg_type = pg_type if pg_type.startswith('"') else pg_type.upper()
                default = re.search(r"DEFAULT (.+?)$", rest.strip().rstrip(","))
                columns.append(Column(col, pg_type, "NOT NULL" in rest.upper(), default.group(1) if default else None))
        tables[name] = Table(name, tuple(columns))
    return tables
