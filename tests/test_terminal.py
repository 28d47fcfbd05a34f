"""Text output: colour only on a terminal, never with NO_COLOR; no bars in a pipe; "wrote FILE"."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

from test_snapshot import seed

COLOUR = re.compile(r"\x1b\[[0-9;]*3[1-6]m")  # a foreground colour (critical: red)


def on_a_terminal(argv: list[str], env: dict[str, str]) -> str:
    """Run the CLI with stdout and stderr on a pseudo-terminal; return what it drew."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llamaforensics", *argv],
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "120", **env},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait() == 0
    os.close(leader)
    return b"".join(chunks).decode()


def test_colour_on_a_terminal_none_with_no_color_or_in_a_pipe(demo_snapshot):
    argv = ["findings", "--snapshot", str(demo_snapshot)]
    drawn = on_a_terminal(argv, {})
    assert COLOUR.search(drawn) and "trackless_album" in drawn
    plain = on_a_terminal(argv, {"NO_COLOR": "1"})
    assert "trackless_album" in plain and not COLOUR.search(plain)
    piped = subprocess.run(
        [sys.executable, "-m", "llamaforensics", *argv], capture_output=True, text=True
    )
    assert "trackless_album" in piped.stdout and "\x1b[" not in piped.stdout


def test_no_progress_bars_when_stderr_is_not_a_terminal(empty_db, tmp_path):
    seed(empty_db, extra_logs=20)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "llamaforensics",
            "snapshot",
            empty_db.conninfo,
            "-o",
            str(tmp_path / "s.duckdb"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and "\r" not in done.stdout


def test_every_file_written_is_announced_with_its_size(demo_snapshot, tmp_path):
    def run(*argv):
        return subprocess.run(
            [sys.executable, "-m", "llamaforensics", *argv, "--snapshot", str(demo_snapshot)],
            capture_output=True,
            text=True,
        )

    album = run(
        "album",
        "silent rivers",
        "--prov",
        str(tmp_path / "a.json"),
        "--timeline",
        str(tmp_path / "t.csv"),
    )
    assert album.returncode == 0, album.stderr
    lines = album.stdout.splitlines()
    assert lines[-2].startswith(f"wrote {tmp_path / 'a.json'} (") and lines[-2].endswith(" kB)")
    assert lines[-1].startswith(f"wrote {tmp_path / 't.csv'} (")
    as_json = run("album", "silent rivers", "--prov", str(tmp_path / "b.json"), "--json")
    assert json.loads(as_json.stdout)["album"]["title"]  # stdout stays JSON; the note: stderr
    assert as_json.stderr.startswith(f"wrote {tmp_path / 'b.json'} (")
    lineage = run("lineage", "silent rivers", "--html", str(tmp_path / "l.html"))
    assert lineage.stdout.splitlines()[-1].startswith(f"wrote {tmp_path / 'l.html'} (")
    assert lineage.stdout.splitlines()[-1].endswith(" MB)")


def test_album_text_is_wrapped_to_fit_a_pipe(demo_snapshot):
    for argv in (["album", "silent tapes"], ["lineage", "silent tapes"], ["info"]):
        done = subprocess.run(
            [sys.executable, "-m", "llamaforensics", *argv, "--snapshot", str(demo_snapshot)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert max(len(line) for line in done.stdout.splitlines()) <= 100, argv
    album = subprocess.run(
        [
            sys.executable,
            "-m",
            "llamaforensics",
            "album",
            "silent tapes",
            "--snapshot",
            str(demo_snapshot),
        ],
        capture_output=True,
        text=True,
    ).stdout
    assert "\n      musicbrainz-sync-1742067371465-21).\n" in album  # wrapped under its own indent


def test_control_characters_in_values_are_shown_escaped(capsys):
    import polars as pl

    from llamaforensics.terminal import print_frame

    titles = ["\x1b[31mred\x1b[0m", "Tab\there, newline\nthere", "東京 🎸"]
    print_frame(pl.DataFrame({"title": titles}))
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\t" not in out
    lines = out.splitlines()
    assert lines[2:] == ["\\x1b[31mred\\x1b[0m", "Tab\\x09here, newline\\x0athere", "東京 🎸"]
