"""DuckDB's postgres_scanner, loaded from the Python package that ships it.

DuckDB cannot download extensions here (nor on many production hosts), so the
extension comes from the ``duckdb-extension-postgres`` wheel, which carries
DuckDB's own signed build: ``LOAD`` verifies the signature, and we never
enable unsigned extensions. DuckDB wants the file named after the extension,
so it is copied once into a per-version cache directory.
"""

from __future__ import annotations

import os
import shutil
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ..errors import LlamaForensicsError
from ..home import home_dir

if TYPE_CHECKING:  # the PostgreSQL driver is not needed to load the extension
    from ..postgres.dsn import Dsn

EXTENSION_NAME = "postgres_scanner"


@cache
def extension_path() -> Path:
    """Return the path of the postgres_scanner binary matching the installed DuckDB."""
    version = f"v{duckdb.__version__}"
    try:
        packaged = files("duckdb_extension_postgres").joinpath(
            "extensions", version, "postgres.duckdb_extension"
        )
    except ModuleNotFoundError:
        packaged = None
    if packaged is None or not packaged.is_file():
        raise LlamaForensicsError(
            f"the postgres_scanner extension for DuckDB {version} is not installed; "
            f"run: pip install 'duckdb-extension-postgres=={duckdb.__version__}'"
        )
    cache_dir = home_dir() / "duckdb" / version
    target = cache_dir / f"{EXTENSION_NAME}.duckdb_extension"
    with as_file(packaged) as source:  # an installed wheel's file: its own path, nothing copied
        if not target.exists() or target.stat().st_size != source.stat().st_size:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".tmp{os.getpid()}")
            shutil.copyfile(source, tmp)
            tmp.replace(target)
    return target


# The attached source's name: unusual, because a snapshot file's own catalog is named after the
# file (a snapshot called pg.duckdb would otherwise clash with an alias "pg").
SOURCE_ALIAS = "_lf_source_pg"


def load_postgres(con: duckdb.DuckDBPyConnection) -> None:
    """Load postgres_scanner into ``con``'s database (its signature verified); once is enough."""
    con.execute(f"LOAD '{extension_path()}'")


def attach_postgres(
    con: duckdb.DuckDBPyConnection, dsn: Dsn, alias: str = SOURCE_ALIAS, read_only: bool = True
) -> None:
    """Attach ``dsn`` to ``con`` as ``alias``; the password travels in a temporary secret, not SQL.

    Keeping the password out of the ATTACH string keeps it out of DuckDB's
    error messages too.
    """
    load_postgres(con)
    params = {k: v for k, v in dsn.params.items() if k != "password"}
    con.execute(
        f"CREATE OR REPLACE TEMPORARY SECRET {alias}_secret (TYPE postgres, PASSWORD $pw)",
        {"pw": dsn.password or ""},
    ) if dsn.password else None
    conninfo = " ".join(f"{k}={_quote_kv(v)}" for k, v in params.items())
    mode = ", READ_ONLY" if read_only else ""
    secret = f", SECRET {alias}_secret" if dsn.password else ""
    con.execute(
        f"ATTACH '{conninfo.replace(chr(39), chr(39) * 2)}' AS {alias} "
        f"(TYPE postgres{secret}{mode})"
    )


def _quote_kv(value: str) -> str:
    if value and all(ch.isalnum() or ch in "._-/:@" for ch in value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
