"""The CLI: one clear line on bad input, a non-zero exit, no password anywhere, no half-written file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from pgtools import free_port
from test_snapshot import seed

from llamaforensics.cli import main
from llamaforensics.schema.install import install_upstream_schema


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *fragments: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("llamaforensics: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def no_files_left(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.fixture
def seeded_db(empty_db):
    seed(empty_db, extra_logs=20)
    return empty_db


def test_snapshot_then_info_round_trip(seeded_db, tmp_path, capsys):
    out_file = tmp_path / "s.duckdb"
    code, out, err = run_cli(
        capsys, "snapshot", seeded_db.conninfo, "-o", str(out_file), "--quiet", "--json"
    )
    assert code == 0, err
    info = json.loads(out)
    assert info["tables"]["llama_logs"] == {"live": 26, "deleted_upstream": 0}
    assert info["manifest"]["source"] == seeded_db.display
    code, out, _ = run_cli(capsys, "info", "--snapshot", str(out_file))
    assert code == 0
    assert "llama_logs" in out and "26" in out and seeded_db.display in out


def test_snapshot_takes_dsn_from_database_url(seeded_db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded_db.conninfo)
    code, _, err = run_cli(capsys, "snapshot", "-o", str(tmp_path / "s.duckdb"), "--quiet")
    assert code == 0, err


def test_missing_dsn_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    code, _, err = run_cli(capsys, "snapshot", "-o", str(tmp_path / "s.duckdb"))
    assert code == 2
    assert_one_line_error(err, "no database given", "DATABASE_URL")


def test_unreachable_host(tmp_path, capsys):
    port = free_port()  # nothing listens there
    code, _, err = run_cli(
        capsys,
        "snapshot",
        f"postgresql://nobody:hunter2@127.0.0.1:{port}/app",
        "-o",
        str(tmp_path / "s.duckdb"),
        "--quiet",
    )
    assert code == 2
    assert_one_line_error(
        err, f"cannot connect to postgresql://nobody@127.0.0.1:{port}/app", "refused"
    )
    assert "hunter2" not in err
    assert no_files_left(tmp_path) == []


def test_wrong_password(password_server, tmp_path, capsys):
    dsn = password_server.dsn(password="wrong-Passw0rd-xyz")
    code, out, err = run_cli(
        capsys, "snapshot", dsn.conninfo, "-o", str(tmp_path / "s.duckdb"), "--quiet"
    )
    assert code == 2
    assert_one_line_error(err, "cannot connect to", "password authentication failed")
    assert "wrong-Passw0rd-xyz" not in out + err
    assert no_files_left(tmp_path) == []


def test_dsn_with_password_works_and_the_password_is_never_shown_or_stored(
    password_server, tmp_path, capsys
):
    admin = password_server.dsn()
    with psycopg.connect(admin.conninfo, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS app")
        conn.execute("CREATE DATABASE app")
    dsn = password_server.dsn(dbname="app")
    install_upstream_schema(dsn)
    seed(dsn, extra_logs=3)
    url = f"postgresql://{password_server.user}:{password_server.password}@127.0.0.1:{password_server.port}/app"
    out_file = tmp_path / "s.duckdb"
    code, out, err = run_cli(capsys, "snapshot", url, "-o", str(out_file), "--json")
    assert code == 0, err
    assert json.loads(out)["tables"]["llama_logs"]["live"] == 9
    assert password_server.password not in out + err
    assert password_server.password.encode() not in out_file.read_bytes()
    code, out, err = run_cli(capsys, "info", "--snapshot", str(out_file), "--json")
    assert password_server.password not in out + err


def test_database_without_llama_logs(databases, tmp_path, capsys):
    bare = databases.new("bare")
    code, _, err = run_cli(
        capsys, "snapshot", bare.conninfo, "-o", str(tmp_path / "s.duckdb"), "--quiet"
    )
    assert code == 2
    assert_one_line_error(err, "has no table public.llama_logs")
    assert no_files_left(tmp_path) == []


def test_role_without_select(seeded_db, tmp_path, capsys):
    role = f"lf_noselect_{seeded_db.params['dbname'][-12:]}"
    with psycopg.connect(seeded_db.conninfo, autocommit=True) as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        dsn = seeded_db.conninfo + f" user={role}"
        code, _, err = run_cli(capsys, "snapshot", dsn, "-o", str(tmp_path / "s.duckdb"), "--quiet")
        assert code == 2
        assert_one_line_error(err, f"role '{role}' may not read public.", "GRANT SELECT")
        assert no_files_left(tmp_path) == []
    finally:
        with psycopg.connect(seeded_db.conninfo, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


def test_a_failed_refresh_leaves_the_snapshot_as_it_was(seeded_db, tmp_path, capsys):
    out_file = tmp_path / "s.duckdb"
    assert run_cli(capsys, "snapshot", seeded_db.conninfo, "-o", str(out_file), "--quiet")[0] == 0
    before = out_file.read_bytes()
    with psycopg.connect(seeded_db.conninfo, autocommit=True) as conn:
        conn.execute("ALTER TYPE \"EnrichmentStatus\" ADD VALUE 'ARCHIVED'")
    code, _, err = run_cli(
        capsys, "snapshot", seeded_db.conninfo, "-o", str(out_file), "--refresh", "--quiet"
    )
    assert code == 2
    assert_one_line_error(err, '"EnrichmentStatus" gained values', "ARCHIVED", "full snapshot")
    assert out_file.read_bytes() == before
    assert no_files_left(tmp_path) == ["s.duckdb"]


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param(b"this is not a database", "is not a snapshot", id="text-file"),
        pytest.param(b"", "is not a snapshot", id="empty-file"),
    ],
)
def test_info_on_a_file_that_is_not_a_snapshot(tmp_path, capsys, content, message):
    path = tmp_path / "x.duckdb"
    path.write_bytes(content)
    code, _, err = run_cli(capsys, "info", "--snapshot", str(path))
    assert code == 2
    assert_one_line_error(err, message)


def test_malformed_dsn(tmp_path, capsys):
    code, _, err = run_cli(
        capsys, "snapshot", "host=x password='unterminated", "-o", str(tmp_path / "s.duckdb")
    )
    assert code == 2
    assert_one_line_error(err, "cannot parse the database address")
    assert "unterminated" not in err


def test_console_script_help_has_examples():
    result = subprocess.run(
        [sys.executable, "-m", "llamaforensics.cli", "snapshot", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "examples:" in result.stdout and "--refresh" in result.stdout


def test_the_command_flushes_everything_before_it_exits(demo_snapshot, tmp_path):
    """The console script skips the interpreter's teardown: its output must still arrive whole, exit codes intact."""
    info = subprocess.run(
        [
            sys.executable,
            "-m",
            "llamaforensics",
            "info",
            "--snapshot",
            str(demo_snapshot),
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert info.returncode == 0 and json.loads(info.stdout)["tables"]["llama_logs"]["live"] > 0
    findings = subprocess.run(
        [
            sys.executable,
            "-m",
            "llamaforensics",
            "findings",
            "--snapshot",
            str(demo_snapshot),
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert (
        findings.returncode == 0 and len(findings.stdout) > 10_000 and json.loads(findings.stdout)
    )
    missing = subprocess.run(
        [sys.executable, "-m", "llamaforensics", "info", "--snapshot", str(tmp_path / "none")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and missing.stderr.startswith(
        "llamaforensics: error: no snapshot at"
    )
    usage = subprocess.run(
        [sys.executable, "-m", "llamaforensics", "no-such-command"], capture_output=True, text=True
    )
    assert usage.returncode == 2 and "invalid choice" in usage.stderr


# --- clean failures (issue 19): one line, a non-zero exit, a traceback only with --debug --------


def cli_process(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "llamaforensics", *argv], capture_output=True, text=True, **kwargs
    )


def damaged_copy(snapshot, tmp_path):
    """Return a copy of ``snapshot`` with eight 256 KB blocks zeroed: it opens, fails when read."""
    damaged = tmp_path / "damaged.duckdb"
    data = bytearray(snapshot.read_bytes())
    data[4 * 262144 : 12 * 262144] = bytes(8 * 262144)
    damaged.write_bytes(bytes(data))
    return damaged


def test_a_damaged_snapshot_is_one_line_and_a_non_zero_exit(demo_snapshot, tmp_path):
    damaged = damaged_copy(demo_snapshot, tmp_path)
    found = cli_process("findings", "--snapshot", str(damaged))
    assert found.returncode != 0 and "Traceback" not in found.stderr
    assert_one_line_error(found.stderr, "the snapshot could not be read", "Corrupt database file")
    debug = cli_process("--debug", "findings", "--snapshot", str(damaged))
    assert debug.returncode != 0 and "Traceback" in debug.stderr
    info = cli_process("info", "--snapshot", str(damaged))
    assert info.returncode == 2 and "Traceback" not in info.stderr
    assert_one_line_error(info.stderr, f"{damaged} is damaged", "Corrupt database file")
    unverified = cli_process("info", "--no-verify", "--snapshot", str(damaged))
    assert unverified.returncode == 0  # metadata alone


def test_a_truncated_snapshot_is_refused_by_info_and_findings(demo_snapshot, tmp_path):
    truncated = tmp_path / "truncated.duckdb"
    truncated.write_bytes(demo_snapshot.read_bytes()[: demo_snapshot.stat().st_size // 2])
    for command in ("info", "findings"):
        result = cli_process(command, "--snapshot", str(truncated))
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert_one_line_error(result.stderr, "is not a snapshot")


def test_a_closed_pipe_is_one_line_not_a_traceback(demo_snapshot):
    """``findings --json | head -1``: the reader goes away after one line."""
    argv = [
        sys.executable,
        "-m",
        "llamaforensics",
        "findings",
        "--kind",
        "null_root_job_id",
        "--json",
        "--snapshot",
        str(demo_snapshot),
    ]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as cli:
        cli.stdout.readline()
        cli.stdout.close()
        err = cli.stderr.read().decode()
    assert cli.returncode == 1 and "Traceback" not in err
    assert_one_line_error(err, "output was closed")


@pytest.mark.parametrize(
    "target, fragment",
    [
        pytest.param(
            "/nonexistent-dir/album.prov.json",
            "cannot use /nonexistent-dir/album.prov.json",
            id="no-directory",
        ),
        pytest.param("/dev/full", "no space left on the device", id="full-disk"),
    ],
)
def test_an_unwritable_output_is_one_line(demo_snapshot, target, fragment):
    result = cli_process(
        "album", "silent rivers", "--snapshot", str(demo_snapshot), "--prov", target
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert_one_line_error(result.stderr, fragment)


def test_a_full_standard_output_is_one_line(demo_snapshot):
    with open("/dev/full", "w") as full:
        argv = [sys.executable, "-m", "llamaforensics", "info", "--snapshot", str(demo_snapshot)]
        result = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert_one_line_error(result.stderr, "no space left on the device")


def test_an_unknown_job_or_album_says_both_were_tried(demo_snapshot, capsys):
    code, _, err = run_cli(
        capsys, "lineage", "no-such-job-or-album-xyzzy", "--snapshot", str(demo_snapshot)
    )
    assert code == 1
    assert_one_line_error(err, "no job and no album matches 'no-such-job-or-album-xyzzy'")


def test_an_output_that_fails_half_way_leaves_no_file_behind(demo_snapshot, tmp_path, monkeypatch):
    """A full disk half-way through a GraphML export: nothing at the target, no partial file."""
    from llamaforensics.lineage import graphml as graphml_module

    def fail_half_way(graph, path, con=None):
        Path(path).write_text("<graphml>half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(graphml_module, "to_graphml", fail_half_way)
    target = tmp_path / "out.graphml"
    code = main(
        [
            "lineage",
            "spotify-new-releases-1736625566813-0",
            "--snapshot",
            str(demo_snapshot),
            "--graphml",
            str(target),
        ]
    )
    assert code == 1 and no_files_left(tmp_path) == []


def test_an_output_to_a_device_is_written_to_it_not_renamed_over_it(demo_snapshot):
    """--prov /dev/stdout writes the document to stdout; the device is still a device afterwards."""
    import stat

    result = cli_process(
        "album", "silent rivers", "--snapshot", str(demo_snapshot), "--prov", "/dev/stdout"
    )
    assert result.returncode == 0 and '"prefix"' in result.stdout
    assert all(stat.S_ISCHR(Path(device).stat().st_mode) for device in ("/dev/full", "/dev/null"))


# --- one meaning per option name; repair's subcommands take only their own options -------------


def _every_parser() -> dict:
    import argparse

    from llamaforensics.cli import build_parser

    parsers, pending = {}, [("", build_parser())]
    while pending:
        name, parser = pending.pop()
        parsers[name] = parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                pending += [(f"{name} {sub}".strip(), p) for sub, p in action.choices.items()]
    return parsers


def test_an_option_name_means_one_thing_in_every_command():
    takes: dict[str, set] = {}
    for parser in _every_parser().values():
        for action in parser._actions:
            for option in action.option_strings:
                takes.setdefault(option, set()).add((action.metavar, type(action).__name__))
    for option, kinds in takes.items():
        metavars = {m for m, _ in kinds if m is not None}
        expected = {"FILE", "DIR"} if option in ("-o", "--out") else metavars
        assert len({k for _, k in kinds}) == 1 and metavars <= expected, (option, kinds)
        assert option in ("-o", "--out") or len(metavars) <= 1, (option, metavars)
    out_help = {
        a.help for p in _every_parser().values() for a in p._actions if "--out" in a.option_strings
    }
    assert all(
        h.startswith(("write", "snapshot file to write", "directory to write")) for h in out_help
    )


@pytest.mark.parametrize(
    "argv, refused",
    [
        pytest.param(["repair", "verify", "s.json", "--apply"], "--apply", id="verify-apply"),
        pytest.param(["repair", "preview", "f.json", "--atomic"], "--atomic", id="preview-atomic"),
        pytest.param(["repair", "plan", "f.json", "--jobs", "2"], "--jobs", id="plan-jobs"),
        pytest.param(["repair", "sessions", "--kind", "x"], "--kind", id="sessions-kind"),
        pytest.param(
            ["repair", "apply", "f.json", "--rehearsal", "r.duckdb"],
            "--snapshot",
            id="rehearsal-without-snapshot",
        ),
    ],
)
def test_a_repair_subcommand_refuses_options_it_does_not_take(capsys, argv, refused):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and not out
    assert_one_line_error(err, refused)


def test_repair_lists_its_nine_subcommands_each_with_its_own_help(capsys):
    parsers = _every_parser()
    subcommands = [n.split()[1] for n in parsers if n.startswith("repair ")]
    assert sorted(subcommands) == sorted(
        ["propose", "plan", "preview", "apply", "undo", "replay", "export", "verify", "sessions"]
    )
    assert "--atomic" in parsers["repair apply"].format_help()
    assert "--atomic" not in parsers["repair verify"].format_help()
