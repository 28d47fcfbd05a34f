"""The Spark engine: the same SQL, translated once, gives DuckDB's findings and job roots."""

from __future__ import annotations

import json
from datetime import datetime

import polars as pl
import psycopg
import pyarrow.dataset as ds
import pytest
from test_cli import assert_one_line_error, run_cli

from llamaforensics.engines.analysis import spark_findings
from llamaforensics.engines.spark import SparkLake
from llamaforensics.engines.spark_chains import infer_roots_spark
from llamaforensics.findings import KINDS, run_findings, to_findings
from llamaforensics.lake import export_lake, open_lake
from llamaforensics.lineage import infer_roots
from llamaforensics.queries import load_query
from llamaforensics.snapshot.format import connect, create_schema, write_manifest

ROOT_COLUMNS = [
    "job_id",
    "parent_job_id",
    "inferred_root",
    "depth",
    "status",
    "missing_parent",
    "conflicting_parents",
    "cycle",
    "on_cycle",
]


def test_every_finding_on_spark_is_the_duckdb_engines(spark, demo_lake):
    on_spark = spark_findings(SparkLake(spark, demo_lake))
    con = open_lake(demo_lake)
    try:
        on_duckdb = run_findings(con)
    finally:
        con.close()
    assert list(on_spark) == list(KINDS)
    for (
        kind
    ) in KINDS:  # frame by frame: the same rows, columns, detail and evidence, in the same order
        assert on_spark[kind].equals(on_duckdb[kind]), kind
    assert {k: f.height for k, f in on_spark.items() if KINDS[k].needs == "job_chains"} == {
        "null_root_job_id": 655,
        "wrong_root_job_id": 195,
        "broken_parent_chain": 2,
        "looping_parent_chain": 6,
        "multi_parent_job": 2,
    }


def chain_snapshot(path) -> None:
    """A log whose jobs take every shape a chain can: deep, looping, broken, disputed."""
    rows = [
        (f"j{k}", f"j{k - 1}" if k else None, "j0" if k % 97 else None) for k in range(1500)
    ]  # depth 1499
    rows += [
        ("a", "c", "a"),
        ("b", "a", "a"),
        ("c", "b", None),
        ("d", "a", "d"),
        ("s", "s", "s"),
    ]  # loops
    rows += [("x", "ghost", "x"), ("y", "x", "x"), ("y2", "y", "j0")]  # a break under x
    rows += [
        ("z", "j5", "j0"),
        ("z", "j5", "j0"),
        ("z", "j7", "j1"),
        (None, "j3", None),
        (None, "nobody", None),
    ]
    con = connect(path)
    try:
        create_schema(con)
        con.executemany(
            "INSERT INTO llama_logs (id, operation, category, status, job_id, parent_job_id, "
            "root_job_id, is_root_job, created_at) "
            "VALUES (uuid(), 'sync', 'CREATED', 'SUCCESS', ?, ?, ?, false, "
            "TIMESTAMP '2026-01-01' + to_seconds(?))",
            [(*r, n) for n, r in enumerate(rows)],
        )
        write_manifest(
            con,
            kind="demo",
            taken_at=datetime(2026, 3, 1),
            source="test:chains",
            schema_fingerprint="chains",
        )
    finally:
        con.close()


def test_job_roots_by_pointer_jumping_on_spark_are_the_embedded_engines(spark, tmp_path):
    chain_snapshot(tmp_path / "chains.duckdb")
    lake = export_lake(tmp_path / "chains.duckdb", tmp_path / "lake", progress=False)
    on_spark = SparkLake(spark, lake)
    on_spark.execute(load_query("job_chain_jobs"))
    on_spark.execute(load_query("rank_parents"))
    spark_roots = (
        pl.from_arrow(infer_roots_spark(on_spark).toArrow()).select(ROOT_COLUMNS).sort("job_id")
    )
    con = open_lake(lake)
    try:
        embedded = (
            infer_roots(con)
            .with_columns(pl.col("status").cast(pl.String))
            .select(ROOT_COLUMNS)
            .sort("job_id")
        )
    finally:
        con.close()
    assert spark_roots.with_columns(pl.col("depth").cast(pl.Int64)).equals(
        embedded.with_columns(pl.col("depth").cast(pl.Int64))
    )
    by_job = {r["job_id"]: r for r in spark_roots.to_dicts()}
    assert (
        by_job["j1499"]["inferred_root"],
        by_job["j1499"]["depth"],
        by_job["j1499"]["status"],
    ) == ("j0", 1499, "ok")
    assert [by_job[j]["cycle"] for j in "abcds"] == ["a", "a", "a", "a", "s"]
    assert [by_job[j]["on_cycle"] for j in "abcds"] == [True, True, True, False, True]
    assert (
        by_job["y2"]["inferred_root"],
        by_job["y2"]["status"],
        by_job["y2"]["missing_parent"],
    ) == ("x", "broken", "ghost")
    assert (by_job["z"]["parent_job_id"], by_job["z"]["conflicting_parents"]) == ("j5", 1)
    found = spark_findings(
        on_spark, ["looping_parent_chain", "broken_parent_chain", "wrong_root_job_id"]
    )
    con = open_lake(lake)
    try:
        assert to_findings(found) == to_findings(run_findings(con, list(found)))
    finally:
        con.close()


@pytest.mark.parametrize(
    "sql, expected",
    [
        pytest.param(
            "SELECT list(v ORDER BY k, v) "
            "FROM (VALUES (2, 'b'), (1, 'z'), (1, 'a'), (3, NULL)) t(k, v)",
            [(["a", "z", "b", None],)],
            id="ordered-list",
        ),
        pytest.param(
            "SELECT list(v ORDER BY k) FILTER (WHERE k > 1) "
            "FROM (VALUES (3, 'c'), (1, 'a'), (2, 'b')) t(k, v)",
            [(["b", "c"],)],
            id="ordered-list-filtered",
        ),
        pytest.param(
            "SELECT 7 / 2, "
            "(epoch_ms(TIMESTAMP '2026-01-02') - epoch_ms(TIMESTAMP '2026-01-01')) / 3600000.0",
            [(3.5, 24.0)],
            id="division-and-epoch-ms",
        ),
        pytest.param(
            "SELECT TIMESTAMP '2026-01-03' - to_days(CAST(2 AS INTEGER)), "
            "TIMESTAMP '2026-01-01' + to_hours(5)",
            [(datetime(2026, 1, 1), datetime(2026, 1, 1, 5))],
            id="intervals",
        ),
        pytest.param(
            "SELECT min(hash(x)) = max(hash(x)), min(hash(y)) <> max(hash(y)) "
            "FROM (VALUES ('p', 'p'), ('p', 'q')) t(x, y)",
            [(True, True)],
            id="hash",
        ),
        pytest.param(
            "SELECT strip_accents('Björk Guðmundsdóttir – Médúlla')",
            [("Bjork Guðmundsdottir – Medulla",)],
            id="strip-accents",
        ),
    ],
)
def test_translated_sql_gives_the_same_rows_on_both_engines(spark, demo_lake, sql, expected):
    con = open_lake(demo_lake)
    try:
        assert con.execute(sql).fetchall() == expected
    finally:
        con.close()
    assert SparkLake(spark, demo_lake).execute(sql).fetchall() == expected


def test_acceptance_lake_findings_on_spark_are_the_snapshots_one_for_one(
    spark, demo_db, tmp_path, capsys
):
    """The demo in PostgreSQL: the lake holds its rows, and Spark finds what the snapshot finds."""
    lake, snapshot = tmp_path / "lake", tmp_path / "s.duckdb"
    for target in (["--lake", str(lake)], ["-o", str(snapshot)]):
        code, _, err = run_cli(capsys, "snapshot", demo_db.conninfo, *target, "--quiet")
        assert code == 0, err
    with psycopg.connect(demo_db.conninfo) as conn:
        in_postgres = conn.execute("SELECT count(*) FROM llama_logs").fetchone()[0]
    months = list((lake / "llama_logs").glob("month=*"))
    assert len(months) > 12
    in_lake = ds.dataset(lake / "llama_logs", partitioning="hive").count_rows()  # plain pyarrow
    assert in_lake == in_postgres == 26294
    kinds = [arg for kind in KINDS for arg in ("--kind", kind)]
    code, out, err = run_cli(
        capsys, "findings", "--lake", str(lake), "--engine", "spark", "--json", *kinds
    )
    assert code == 0, err
    on_spark = [(f["kind"], f["entity_id"]) for f in json.loads(out)]
    code, out, err = run_cli(capsys, "findings", "--snapshot", str(snapshot), "--json", *kinds)
    assert code == 0, err
    assert on_spark == [(f["kind"], f["entity_id"]) for f in json.loads(out)]
    assert len(on_spark) == 1076


@pytest.mark.parametrize(
    "argv, message",
    [
        pytest.param(
            ["--engine", "spark"],
            "--engine spark and --spark-master read a lake: pass --lake DIR as well",
            id="spark-without-lake",
        ),
        pytest.param(
            ["--lake", "L", "--snapshot", "S"],
            "pass --snapshot FILE or --lake DIR, not both",
            id="both",
        ),
        pytest.param(
            ["--lake", "L", "--spark-master", "local[1]"],
            "--spark-master needs --engine spark",
            id="master-without-spark",
        ),
    ],
)
def test_lake_options_that_cannot_work_are_one_line_errors(capsys, argv, message):
    code, out, err = run_cli(capsys, "findings", *argv)
    assert (code, out) == (2, "")
    assert_one_line_error(err, message)


def test_audit_on_spark_is_the_audit_on_duckdb(spark, demo_lake, capsys):
    argv = [
        "audit",
        "--lake",
        str(demo_lake),
        "--json",
        "--since",
        "2025-01-01",
        "--source",
        "SPOTIFY",
    ]
    code, out, err = run_cli(capsys, *argv)
    assert code == 0, err
    on_duckdb = json.loads(out)
    code, out, err = run_cli(capsys, *argv, "--engine", "spark")
    assert code == 0, err
    assert json.loads(out) == on_duckdb
    assert (
        set(on_duckdb) == {"distribution", "failure_rate", "backfill_rule"}
        and len(on_duckdb["distribution"]) > 20
    )
    code, out, err = run_cli(
        capsys,
        "audit",
        "--lake",
        str(demo_lake),
        "--json",
        "--by",
        "source",
        "--by",
        "user",
        "--bucket",
        "month",
        "--engine",
        "spark",
    )
    assert code == 0, err
    code, duck, err = run_cli(
        capsys,
        "audit",
        "--lake",
        str(demo_lake),
        "--json",
        "--by",
        "source",
        "--by",
        "user",
        "--bucket",
        "month",
    )
    assert json.loads(out) == json.loads(duck)


def test_a_lake_whose_log_is_empty_reads_as_empty_on_both_engines(spark, tmp_path):
    con = connect(tmp_path / "empty.duckdb")
    try:
        create_schema(con)
        write_manifest(
            con,
            kind="demo",
            taken_at=datetime(2026, 3, 1),
            source="test:empty",
            schema_fingerprint="empty",
        )
    finally:
        con.close()
    lake = export_lake(tmp_path / "empty.duckdb", tmp_path / "lake", progress=False)
    assert list((lake / "llama_logs").iterdir()) == []  # no partition at all
    found = spark_findings(SparkLake(spark, lake))
    assert {kind: frame.height for kind, frame in found.items()} == {kind: 0 for kind in KINDS}
    con = open_lake(lake)
    try:
        assert con.execute("SELECT count(*) FROM llama_logs").fetchone() == (0,)
    finally:
        con.close()


def test_audit_figures_on_spark_are_the_duckdb_engines(spark, demo_lake):
    from llamaforensics.audit.figures import audit_figures

    on_spark = audit_figures(SparkLake(spark, demo_lake))
    con = open_lake(demo_lake)
    try:
        on_duckdb = audit_figures(con)
    finally:
        con.close()
    assert list(on_spark) == list(on_duckdb) and len(on_duckdb) == 10
    for name, figure in on_duckdb.items():  # the same data, traces and layout, figure by figure
        assert on_spark[name].to_json() == figure.to_json(), name
