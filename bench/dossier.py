"""Benchmark: an album's dossier and the fuzzy album search, on a snapshot of 10M+ log rows and 1M albums.

Data: the demo generator's snapshot at --scale (default 500: 1,006,000 albums,
13.1M log rows, 9.1M tracks; written straight to a DuckDB file, no server,
about 75 s, kept between runs as /tmp/lf_bench_dossier_<scale>.duckdb).

In one process, on one read-only connection, as a notebook would:

* first dossier: the first album's dossier, cold (it builds the row lookups
  the dossier's queries use: hashes of the log's, tracks' and albums' keys);
* dossier, warm: the dossiers of --albums other albums, each for the first
  time, and one of them again; median, 90th percentile and worst;
* search: --albums fuzzy title queries made from real titles (lower case, a
  letter dropped, an edition suffix added; half of them with "- artist").
  The demo's titles repeat (about 70 albums a title), so "found" is whether
  the best match has the album's title; the album itself may be one of many.

Targets (issue 4): dossier under 300 ms warm; fuzzy search over 1M titles under 500 ms.

    python bench/dossier.py [--scale 500] [--albums 20] [--json FILE] [--drop]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).parent))
from common import table  # noqa: E402

from llamaforensics.dossier import build_dossier, find_albums, normalise  # noqa: E402
from llamaforensics.snapshot import open_snapshot  # noqa: E402

T = TypeVar("T")


def snapshot_path(scale: float) -> Path:
    path = Path(f"/tmp/lf_bench_dossier_{scale:g}.duckdb")
    if not path.exists():
        from llamaforensics.demo import generate, write_snapshot

        print(
            f"writing the demo snapshot at scale {scale:g} to {path} (once; kept for later runs)...",
            file=sys.stderr,
        )
        write_snapshot(generate(scale=scale), path, progress=True)
    return path


def timed(fn: Callable[..., T], *args: object) -> tuple[float, T]:
    """Return the milliseconds ``fn(*args)`` took, and what it returned."""
    started = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - started) * 1000, result


def fuzzy(title: str, artist: str | None, rng: random.Random) -> str:
    """A query as a person would type it: lower case, one letter dropped, an edition suffix, maybe the artist."""
    text = title.lower()
    if len(text) > 6:
        i = rng.randrange(1, len(text) - 1)
        text = text[:i] + text[i + 1 :]
    text += rng.choice(["", " (deluxe edition)", " [remastered]"])
    return f"{text} - {artist}" if artist and rng.random() < 0.5 else text


def summary(ms: list[float]) -> list[str]:
    ordered = sorted(ms)
    return [
        f"{statistics.median(ordered):.0f}",
        f"{ordered[int(0.9 * (len(ordered) - 1))]:.0f}",
        f"{ordered[-1]:.0f}",
    ]


def run(args: argparse.Namespace) -> dict:
    path = snapshot_path(args.scale)
    con = open_snapshot(path)
    albums, logs, tracks = con.execute(
        "SELECT (SELECT count(*) FROM albums), (SELECT count(*) FROM llama_logs), (SELECT count(*) FROM tracks)"
    ).fetchone()
    rng = random.Random(7)
    picked = con.execute(
        "SELECT a.id::VARCHAR, a.title, (SELECT ar.name FROM album_artists aa JOIN artists ar ON ar.id = aa.artist_id "
        f"WHERE aa.album_id = a.id ORDER BY aa.position LIMIT 1) FROM albums a USING SAMPLE reservoir({args.albums + 1:d} ROWS) "
        "REPEATABLE (7)"
    ).fetchall()
    first_ms, first = timed(build_dossier, con, picked[0][0])
    warm = [timed(build_dossier, con, album)[0] for album, _, _ in picked[1:]]
    again_ms, _ = timed(build_dossier, con, picked[1][0])
    searches, titled, found = [], 0, 0
    for album, title, artist in picked[1:]:
        query = fuzzy(title, artist, rng)
        ms, candidates = timed(find_albums, con, query)
        searches.append(ms)
        titled += candidates.height > 0 and normalise(candidates["title"][0]) == normalise(title)
        found += album in candidates["album_id"].to_list()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    con.close()
    print(f"\nsnapshot: {albums:,} albums, {logs:,} log rows, {tracks:,} tracks ({path})\n")
    rows = [
        [
            "dossier, first (builds the lookups)",
            f"{first_ms:.0f}",
            "",
            "",
            f"{first.timeline.height} timeline rows",
        ],
        [
            f"dossier, warm ({len(warm)} albums)",
            *summary(warm),
            f"the first again: {again_ms:.0f} ms",
        ],
        [
            f"fuzzy search ({len(searches)} queries)",
            *summary(searches),
            f"best match has the title: {titled}/{len(searches)}; the album itself in the top 10: {found}",
        ],
    ]
    print(table(rows, ["step", "median ms", "p90 ms", "worst ms", "note"]))
    print(f"\npeak memory of the process: {peak:,.0f} MB")
    return {
        "albums": albums,
        "log_rows": logs,
        "tracks": tracks,
        "first_dossier_ms": first_ms,
        "warm_dossier_ms": warm,
        "again_ms": again_ms,
        "search_ms": searches,
        "search_titled": titled,
        "search_found": found,
        "peak_mb": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, default=500, help="demo scale (default 500: 1M albums, 13M log rows)"
    )
    parser.add_argument(
        "--albums", type=int, default=20, help="albums to look up and titles to search (default 20)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--drop", action="store_true", help="delete the snapshot afterwards")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    if args.drop:
        snapshot_path(args.scale).unlink()


if __name__ == "__main__":
    main()
