"""``llamaforensics album``: how did this album get here, and what happened to it since?"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .arguments import Formatter, Subcommands

if TYPE_CHECKING:
    import polars as pl

    from ..dossier import AlbumDossier
from .output import print_text

HELP = "the dossier of one album: its row, tracks, timeline, story; PROV and timeline exports"
DESCRIPTION = """\
Find an album by id, MusicBrainz/Spotify/Deezer/Discogs id, or title (fuzzy:
case, accents, punctuation and edition suffixes do not matter; add the artist
as "Title - Artist" to tell albums apart), and show what the snapshot knows:
the current row, artists, tracks, every log row about it, its tracks or its
artists in time order, and the story those rows tell. Every sentence of the
story lists the log rows it rests on (--json).

--blame shows, for each field of the album and each track, the log row that
last set it (when, which operation, which job); --as-of DATE shows the album as
the log says it was then. Where the log cannot say, they say so.
"""
EPILOG = """\
examples:
  llamaforensics album "silent rivers"                    best title match, other candidates listed
  llamaforensics album "Silent Rivers (Deluxe) - bjork"   edition suffix and accents forgiven
  llamaforensics album 3ffcd1f8-098e-45a7-8dbc-0ca91f464108 --json
  llamaforensics album "silent rivers" --blame              which log row set each field
  llamaforensics album "silent rivers" --as-of 2025-06-01   the album as the log says it was then
  llamaforensics album "silent rivers" --prov album.prov.json --timeline album.csv
"""
TIMELINE_ROWS = 25


def register(commands: Subcommands, formatter: Formatter) -> None:
    from .arguments import source_arguments

    p = commands.add_parser(
        "album", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    p.add_argument("query", metavar="QUERY", help="album id, external id, or title text")
    source_arguments(p)
    p.add_argument("--json", action="store_true", help="print the whole dossier as JSON")
    p.add_argument(
        "--prov", metavar="FILE", type=Path, help="write the provenance as W3C PROV-JSON"
    )
    p.add_argument(
        "--timeline", metavar="FILE", type=Path, help="write the timeline (.csv or .parquet)"
    )
    p.add_argument(
        "--blame", action="store_true", help="which log row last set each field, and when"
    )
    p.add_argument(
        "--as-of",
        type=datetime.fromisoformat,
        metavar="DATE",
        help="the album as the log says it was at DATE",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..dossier import dossier, write_prov
    from ..errors import UsageError
    from ..outfile import written
    from .arguments import open_source
    from .output import print_json

    con = open_source(args, machine=args.json)
    try:
        if args.blame or args.as_of:
            from .album_history import show_history

            return show_history(con, args)
        result = dossier(args.query, con)
    finally:
        con.close()
    if args.prov:
        with written(args.prov) as partial:
            write_prov(result, partial)
    if args.timeline:
        suffix = args.timeline.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise UsageError(f"--timeline wants a .csv or .parquet file, not {args.timeline.name}")
        frame = csv_ready(result.timeline)
        with written(args.timeline) as partial:
            frame.write_csv(partial) if suffix == ".csv" else result.timeline.write_parquet(partial)
    if args.json:
        print_json(result.to_dict())
    else:
        from ..terminal import fit_lines

        print_text(fit_lines(describe(result)))
    from ..terminal import announce_written

    for path in (p for p in (args.prov, args.timeline) if p):
        announce_written(path, machine=args.json)
    return 0


def csv_ready(timeline: pl.DataFrame) -> pl.DataFrame:
    """Return the timeline for CSV: lists joined, times as text (PostgreSQL's if clamped)."""
    import polars as pl

    shown = pl.col("created_at").dt.to_string("%Y-%m-%dT%H:%M:%S%.6f")
    if "created_at:pg" in timeline.columns:
        shown = pl.coalesce(pl.col("created_at:pg"), shown)
    lists = (pl.col("sources").list.join(","), pl.col("fields_enriched").list.join(","))
    frame = timeline.with_columns(*lists, shown.alias("created_at"))
    return frame.drop("created_at:pg", strict=False)


def describe(d: AlbumDossier) -> str:
    """Return the dossier as text: the album, its story, its latest log rows, its look-alikes."""
    from ..snapshot.extremes import shown_rows  # polars and DuckDB: only when an album is shown

    a = d.album
    last = "" if d.timeline.height <= TIMELINE_ROWS else f", last {TIMELINE_ROWS}"
    artists = ", ".join(f"{x['name']} ({x['role']})" for x in d.artists) or "no artist linked"
    lines = [
        f"{a['title']!r}  by {artists}",
        f"id {a['id']}   musicbrainz {a['musicbrainz_id'] or '-'}   "
        f"spotify {a['spotify_id'] or '-'}   source {a['source']}",
        f"released {a['release_date'] or '?'}   created {a['created_at']:%Y-%m-%d}   "
        f"{d.tracks.height} tracks (track_count {a['track_count']})   "
        f"enrichment {a['enrichment_status']}   quality {a['data_quality']}",
        "",
        "story:",
        *[f"  {s.text}" for s in d.story()],
        "",
        f"timeline ({d.timeline.height} log rows{last}):",
    ]
    for r in shown_rows(d.timeline.tail(TIMELINE_ROWS)):
        lines.append(
            f"  {r['created_at']:%Y-%m-%d %H:%M}  {r['category']:<11} {r['status']:<17} "
            f"{r['operation']:<28} "
            f"{(r['entity'] or '')[:24]:<24} job {r['job_id'] or '-'}"
        )
    others = d.candidates.to_dicts()[1:6]
    if others:
        lines += ["", "other candidates:"] + [
            f"  {c['score']:.2f}  {c['title']!r} by {c['artist'] or '?'}  ({c['album_id']})"
            for c in others
        ]
    return "\n".join(lines)
