"""PostgreSQL, in one place: addresses, connections, identifiers and the consistent read.

Everything in llamaforensics that talks to PostgreSQL goes through this package:

* :mod:`.dsn` parses an address (URL or libpq key/value) into a
  :class:`~.dsn.Dsn` whose text never shows the password, and :func:`~.dsn.redact`
  takes passwords out of any text;
* :mod:`.connection` connects (every failure one password-free sentence) and
  opens the read-only REPEATABLE READ transaction a snapshot, a refresh and a
  check read in, so every query sees one state;
* :func:`quote_ident` (here, so that code that only writes DuckDB SQL need not
  load the PostgreSQL driver) is the one identifier-quoting rule.
"""

from __future__ import annotations


def quote_ident(name: str) -> str:
    """Quote an identifier for PostgreSQL or DuckDB (both use SQL-standard double quotes)."""
    return '"' + name.replace('"', '""') + '"'
