"""The fixture schema is the app's schema, compared object by object in pg_catalog.

One database is restored with psql from the app's own pg_dump
(``../shared/upstream/schema.sql``, beside the checkout; or
``$LLAMAFORENSICS_UPSTREAM_SCHEMA``), the other is created the way every test
and demo database is (``install_upstream_schema``). Every table, column (type,
nullability, default, order), enum (labels in order), constraint (primary,
unique, foreign with its ON DELETE / ON UPDATE actions, check), index, trigger
and function must be equal; Prisma's ``_prisma_migrations`` bookkeeping is
the one thing allowed to differ.
"""

from __future__ import annotations

import psycopg
import pytest

from llamaforensics.schema import upstream_enums, upstream_foreign_keys, upstream_tables

IGNORED_TABLES = ("_prisma_migrations",)

CATALOG_QUERIES = {
    "tables": """
        SELECT c.relname, c.relkind FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')""",
    "columns": """
        SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND a.attnum > 0 AND NOT a.attisdropped""",
    "enums": """
        SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname""",
    "constraints": """
        SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
        FROM pg_constraint c WHERE c.connamespace = 'public'::regnamespace""",
    "indexes": """
        SELECT i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relnamespace = 'public'::regnamespace""",
    "triggers": """
        SELECT t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid)
        FROM pg_trigger t WHERE NOT t.tgisinternal""",
    "functions": """
        SELECT p.proname, pg_get_function_identity_arguments(p.oid), md5(p.prosrc)
        FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')""",
    "extensions": "SELECT extname FROM pg_extension",
}


def catalog_of(dsn) -> dict[str, set[tuple]]:
    """Return every schema object of the database as comparable rows, Prisma's bookkeeping left out."""
    with psycopg.connect(dsn.conninfo) as conn:
        found = {}
        for kind, sql in CATALOG_QUERIES.items():
            rows = {
                tuple(tuple(v) if isinstance(v, list) else v for v in row)
                for row in conn.execute(sql)
            }
            found[kind] = {
                r for r in rows if not any(str(v).strip('"') in IGNORED_TABLES for v in r[:2])
            }
        return found


@pytest.mark.parametrize("kind", list(CATALOG_QUERIES))
def test_fixture_schema_equals_the_apps_schema(app_db, empty_db, kind):
    app, fixture = catalog_of(app_db)[kind], catalog_of(empty_db)[kind]
    assert app, f"the app's schema has no {kind}?"
    assert sorted(app - fixture, key=repr) == [], (
        f"{kind} of the app's schema missing from the fixture"
    )
    assert sorted(fixture - app, key=repr) == [], (
        f"{kind} in the fixture that the app's schema lacks"
    )


def test_the_comparison_sees_a_difference(app_db, empty_db):
    """A dropped NOT NULL, a reordered enum or a changed ON DELETE is caught (the test is not vacuous)."""
    with psycopg.connect(empty_db.conninfo, autocommit=True) as conn:
        conn.execute("ALTER TABLE sync_jobs ALTER COLUMN started_at DROP NOT NULL")
        conn.execute(
            'ALTER TABLE user_favorite_artists DROP CONSTRAINT "user_favorite_artists_artistId_fkey"'
        )
        conn.execute(
            'ALTER TABLE user_favorite_artists ADD CONSTRAINT "user_favorite_artists_artistId_fkey" '
            'FOREIGN KEY ("artistId") REFERENCES artists(id) ON UPDATE CASCADE ON DELETE SET NULL'
        )
    app, fixture = catalog_of(app_db), catalog_of(empty_db)
    assert [r[2] for r in app["columns"] - fixture["columns"]] == ["started_at"]
    assert [r[1] for r in fixture["constraints"] - app["constraints"]] == [
        "user_favorite_artists_artistId_fkey"
    ]


def test_the_parsed_schema_is_what_postgres_built(empty_db):
    """What the workbench reads from the DDL without a server (snapshots, rehearsals) matches pg_catalog."""
    live = catalog_of(empty_db)
    columns = {}
    for table, _, name, *_ in sorted(live["columns"]):
        columns.setdefault(table, []).append(name)
    assert {t: [c.name for c in spec.columns] for t, spec in upstream_tables().items()} == columns
    assert {name: tuple(labels) for name, labels in live["enums"]} == upstream_enums()
    foreign = {(r[0].strip('"'), r[1]) for r in live["constraints"] if r[2] == "f"}
    assert len(upstream_foreign_keys()) == len(foreign) == 40
    with psycopg.connect(empty_db.conninfo) as conn:
        actions = dict(
            conn.execute("""
            SELECT conrelid::regclass::text || '.' || (SELECT string_agg(attname, ',') FROM pg_attribute
                   WHERE attrelid = conrelid AND attnum = ANY(conkey)) || '->' || confrelid::regclass::text,
                   CASE confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'r' THEN 'RESTRICT'
                        WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END
            FROM pg_constraint WHERE contype = 'f'""").fetchall()
        )
    parsed = {
        f'"{fk.table}"' if not fk.table.islower() else fk.table for fk in upstream_foreign_keys()
    }
    assert parsed == {key.split(".")[0] for key in actions}
    assert sorted(fk.on_delete for fk in upstream_foreign_keys()) == sorted(actions.values())
