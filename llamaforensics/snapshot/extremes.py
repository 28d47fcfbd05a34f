"""Times PostgreSQL holds that DuckDB or Python cannot: kept exactly, shown as PostgreSQL does.

PostgreSQL timestamps run from 4713 BC to 294276 AD, plus infinity and
-infinity. DuckDB's end at 294247 AD: its PostgreSQL scanner wraps a later
value round to about 290279 BC without a word, and reads infinity in a
nullable column as NULL (measured with duckdb-extension-postgres 1.5.5; dates
and doubles -- NaN, infinities -- arrive intact, jsonb numbers as text). So
after each copy the source is asked, in the same transaction, for the rows
whose timestamps lie at or beyond 294247-01-01 or are -infinity: they are
stored as infinity or -infinity (their order kept, so time windows and sorts
stay right) and PostgreSQL's own text of each value goes into ``_lf_pg_text``.

Python's datetime stops at years 1 and 9999 (4713 BC is fine for DuckDB, not
for Python; Polars panics converting infinity). Rows are handed to Python with
such values clamped to those ends, as :class:`ShownTime` / :class:`ShownDate`
objects: they sort and subtract as the clamped value and print as PostgreSQL's
text, so a dossier says "294276-12-31 23:59:59.999", never crashes, and never
shows a made-up year.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Self

import duckdb
import polars as pl

from .format import PG_TEXT_TABLE, create_pg_text_table, one_row, quote_ident

BEYOND_DUCKDB = "294247-01-01"  # DuckDB's last timestamp is 294247-01-10 04:00:54.775806
_PYTHON_RANGE = {
    "TIMESTAMP": ("TIMESTAMP '0001-01-01 00:00:00'", "TIMESTAMP '9999-12-31 23:59:59.999999'"),
    "DATE": ("DATE '0001-01-01'", "DATE '9999-12-31'"),
}
TEXT_SUFFIX = ":pg"  # the column holding a clamped value's PostgreSQL text, beside it

if TYPE_CHECKING:  # PostgresText's methods extend date's (and datetime's, in ShownTime)
    _Temporal = date
else:
    _Temporal = object


def ensure_pg_text_table(con: duckdb.DuckDBPyConnection) -> None:
    """Give a snapshot older than ``_lf_pg_text`` an empty temporary one."""
    if not has_pg_text(con):
        create_pg_text_table(con, temporary=True)


def keep_extreme_times(
    con: duckdb.DuckDBPyConnection,
    source_alias: str,
    table: str,
    upstream: str,
    key: str,
    columns: list[str],
    window: str = "true",
    target: str | None = None,
) -> int:
    """Store the rows' out-of-range timestamps as +-infinity with their PostgreSQL text; count them.

    ``columns`` are the table's TIMESTAMP columns the source has; ``window``
    (PostgreSQL SQL) limits the source rows looked at, as the copy did;
    ``target`` is the table the rows were copied into (default: ``table``).
    """
    if not columns:
        return 0
    beyond = [
        f"({quote_ident(c)} >= '{BEYOND_DUCKDB}' OR {quote_ident(c)} = '-infinity')"
        for c in columns
    ]
    texts = ", ".join(
        f"CASE WHEN {b} THEN {quote_ident(c)}::text END AS t{n}"
        for n, (c, b) in enumerate(zip(columns, beyond, strict=True))
    )
    sql = (
        f"SELECT {quote_ident(key)}::text AS k, {texts} FROM public.{quote_ident(upstream)} "
        f"WHERE ({' OR '.join(beyond)}) AND ({window})"
    )
    found = con.execute(
        f"SELECT * FROM postgres_query('{source_alias}', '" + sql.replace("'", "''") + "')"
    ).fetchall()
    if not found:
        return 0
    create_pg_text_table(con)
    kept = [
        (row_key, column, text)
        for row_key, *texts in found
        for column, text in zip(columns, texts, strict=True)
        if text
    ]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _lf_extremes "
        "(row_key VARCHAR, column_name VARCHAR, pg_text VARCHAR)"
    )
    con.executemany("INSERT INTO _lf_extremes VALUES (?, ?, ?)", kept)
    key_type = one_row(
        con.execute(
            f"SELECT typeof({quote_ident(key)}) FROM {quote_ident(target or table)} LIMIT 1"
        )
    )[0]
    for column in {column for _, column, _ in kept}:
        # one join per column, on the key's own type: no statement per row, no key cast to text
        con.execute(
            f"""UPDATE {quote_ident(target or table)} AS t
            SET {quote_ident(column)} = CASE e.pg_text WHEN '-infinity' THEN '-infinity'::TIMESTAMP
                                                   ELSE 'infinity'::TIMESTAMP END
            FROM _lf_extremes e
            WHERE e.column_name = $c AND t.{quote_ident(key)} = CAST(e.row_key AS {key_type})""",
            {"c": column},
        )
    con.execute(
        f"DELETE FROM {PG_TEXT_TABLE} p USING _lf_extremes e WHERE p.table_name = $t "
        "AND p.row_key = e.row_key AND p.column_name = e.column_name",
        {"t": table},
    )
    con.execute(
        f"INSERT INTO {PG_TEXT_TABLE} SELECT $t, row_key, column_name, pg_text FROM _lf_extremes",
        {"t": table},
    )
    con.execute("DROP TABLE _lf_extremes")
    return len(kept)


def has_pg_text(con: duckdb.DuckDBPyConnection) -> bool:
    """Tell whether the snapshot has a ``_lf_pg_text`` table (older snapshots have none)."""
    return (
        one_row(
            con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = $t AND database_name = "
                "current_database()",
                {"t": PG_TEXT_TABLE},
            )
        )[0]
        > 0
    )


def pg_style(expr: str) -> str:
    """Return SQL printing a TIMESTAMP or DATE as PostgreSQL does ('4713-01-01 00:00:00 BC')."""
    text = f"CAST({expr} AS VARCHAR)"
    return (
        f"CASE WHEN contains({text}, ' (BC)') THEN replace({text}, ' (BC)', '') || ' BC' "
        f"ELSE {text} END"
    )


def shown_select(
    con: duckdb.DuckDBPyConnection,
    table: str,
    alias: str,
    key: str = "id",
    columns: dict[str, str] | None = None,
) -> str:
    """Return a SELECT list of ``alias``'s columns with the temporal ones safe to hand to Python.

    Each TIMESTAMP or DATE column (``columns``: name -> type, default: every
    one ``table`` has) comes clamped to Python's range, and a ``<name>:pg``
    column is added holding PostgreSQL's text of the value when it was clamped
    (NULL otherwise): the text kept at snapshot time, else DuckDB's value
    printed the PostgreSQL way. :func:`shown_rows` puts the two together.
    """
    columns = temporal_columns(con, table) if columns is None else columns
    if not columns:
        return f"{alias}.*"
    kept = has_pg_text(con)
    clamped, texts = [], []
    for name, kind in columns.items():
        value = f"{alias}.{quote_ident(name)}"
        kept_text = (
            kept_text_sql(table, name, f"{alias}.{quote_ident(key)}")
            if kept and kind == "TIMESTAMP"
            else None
        )
        clamped.append(f"{python_time(value, kind)} AS {quote_ident(name)}")
        texts.append(f"{clamped_text(value, kind, kept_text)} AS {quote_ident(name + TEXT_SUFFIX)}")
    return f"{alias}.* REPLACE ({', '.join(clamped)}), {', '.join(texts)}"


def shown_items(expr: str, name: str, kind: str = "TIMESTAMP", kept_text: str | None = None) -> str:
    """Return the SELECT items of a time: ``name`` clamped to Python's range, ``<name>:pg`` text."""
    return (
        f"{python_time(expr, kind)} AS {quote_ident(name)}, "
        f"{clamped_text(expr, kind, kept_text)} AS {quote_ident(name + TEXT_SUFFIX)}"
    )


def kept_text_sql(table: str, column: str, key_expr: str) -> str:
    """Return SQL of the PostgreSQL text kept at snapshot time for one value (NULL if none)."""
    return (
        f"(SELECT p.pg_text FROM {PG_TEXT_TABLE} p WHERE p.table_name = '{table}' "
        f"AND p.column_name = '{column}' AND p.row_key = CAST({key_expr} AS VARCHAR))"
    )


def clamped_text(expr: str, kind: str = "TIMESTAMP", kept_text: str | None = None) -> str:
    """Return SQL of PostgreSQL's text of ``expr`` when outside Python's range, else NULL."""
    low, high = _PYTHON_RANGE[kind]
    text = pg_style(expr) if kept_text is None else f"coalesce({kept_text}, {pg_style(expr)})"
    return f"CASE WHEN {expr} NOT BETWEEN {low} AND {high} THEN {text} END"


def as_postgres_text(
    con: duckdb.DuckDBPyConnection, table: str, column: str, key: str = "id"
) -> dict[str, str]:
    """Return a TIMESTAMP or DATE column's values as PostgreSQL prints them, by row key (as text).

    What a check of "the snapshot holds exactly what the source held" compares
    with the source's own ``column::text``.
    """
    kind = temporal_columns(con, table)[column]
    text = pg_style(quote_ident(column))
    if has_pg_text(con) and kind == "TIMESTAMP":
        text = f"coalesce({kept_text_sql(table, column, 't.' + quote_ident(key))}, {text})"
    return dict(
        con.execute(
            f"SELECT CAST(t.{quote_ident(key)} AS VARCHAR), {text} FROM {quote_ident(table)} t "
            f"WHERE t.{quote_ident(column)} IS NOT NULL"
        ).fetchall()
    )


def python_time(expr: str, kind: str = "TIMESTAMP") -> str:
    """Return SQL of the TIMESTAMP (or DATE) ``expr`` clamped to Python's range (NULL stays NULL).

    For aggregates that must not fail on a time Python cannot hold: the audit
    buckets infinity and 294276 AD with 9999-12-31, 4713 BC with 0001-01-01.
    """
    low, high = _PYTHON_RANGE[kind]
    return f"(CASE WHEN {expr} < {low} THEN {low} WHEN {expr} > {high} THEN {high} ELSE {expr} END)"


def temporal_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Return ``table``'s TIMESTAMP and DATE columns, in order, with their type."""
    return dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = $t "
            "AND database_name = current_database() AND schema_name = 'main' "
            "AND data_type IN ('TIMESTAMP', 'DATE') ORDER BY column_index",
            {"t": table},
        ).fetchall()
    )


class PostgresText(_Temporal):
    """Print as PostgreSQL's text of the real value (``pg_text``) when there is one, else as usual.

    Shared by :class:`ShownTime` and :class:`ShownDate`: a value clamped to Python's range
    sorts and subtracts as the clamped value but never shows a made-up year.
    """

    pg_text: str | None = None

    def __format__(self, spec: str) -> str:
        return self.pg_text if self.pg_text is not None else super().__format__(spec)

    def __str__(self) -> str:
        return self.pg_text if self.pg_text is not None else super().__str__()

    def __repr__(self) -> str:
        if self.pg_text is not None:
            return f"{type(self).__name__}({self.pg_text!r})"
        return super().__repr__()

    def isoformat(self, *args: Any, **kwargs: Any) -> str:
        return self.pg_text if self.pg_text is not None else super().isoformat(*args, **kwargs)

    def strftime(self, fmt: str) -> str:
        return self.pg_text if self.pg_text is not None else super().strftime(fmt)


class ShownTime(PostgresText, datetime):
    """A datetime clamped to Python's range that prints as PostgreSQL's text of the real value.

    Arithmetic on it (``t - timedelta(...)``) gives an ordinary-printing value: that is no longer
    the value PostgreSQL holds.
    """

    def __new__(cls, value: Any, *fields: Any, pg_text: str | None = None, **named: Any) -> Self:
        if isinstance(value, datetime):
            made = super().__new__(
                cls,
                value.year,
                value.month,
                value.day,
                value.hour,
                value.minute,
                value.second,
                value.microsecond,
            )
            made.pg_text = pg_text if pg_text is not None else (fields[0] if fields else None)
            return made
        # datetime arithmetic makes one from fields
        return super().__new__(cls, value, *fields, **named)


class ShownDate(PostgresText, date):
    """A date clamped to Python's range that prints as PostgreSQL's text of the real value."""

    def __new__(cls, value: Any, *fields: Any, pg_text: str | None = None) -> Self:
        if isinstance(value, date):
            made = super().__new__(cls, value.year, value.month, value.day)
            made.pg_text = pg_text if pg_text is not None else (fields[0] if fields else None)
            return made
        return super().__new__(cls, value, *fields)


def shown_row(row: dict) -> dict:
    """Return ``row`` with each clamped value (one with ``<name>:pg`` text) as a Shown value."""
    out = {}
    for name, value in row.items():
        if name.endswith(TEXT_SUFFIX):
            continue
        text = row.get(name + TEXT_SUFFIX)
        if text is not None and isinstance(value, datetime):
            value = ShownTime(value, text)
        elif text is not None and isinstance(value, date):
            value = ShownDate(value, text)
        out[name] = value
    return out


def shown_rows(frame: pl.DataFrame) -> list[dict]:
    """Return the frame's rows as dicts; clamped values print PostgreSQL's text (see shown_row)."""
    if not any(c.endswith(TEXT_SUFFIX) for c in frame.columns):
        return frame.to_dicts()
    return [shown_row(r) for r in frame.to_dicts()]
