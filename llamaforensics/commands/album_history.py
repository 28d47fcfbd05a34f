"""``album --blame`` and ``--as-of``: the album's fields with the rows behind them, or then."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    import duckdb


def show_history(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """Resolve the album, then print its blame or its state as of a date (JSON with --json)."""
    from ..dossier import resolve_album
    from ..dossier.blame import as_of, blame, track_blame
    from .output import print_json

    album_id, candidates = resolve_album(con, args.query)
    title = candidates["title"][0]
    out = {"album_id": album_id, "title": title}
    if args.blame:
        out["blame"], out["tracks"] = blame(con, album_id), track_blame(con, album_id)
    if args.as_of:
        out["as_of"] = as_of(con, album_id, args.as_of)
    if args.json:
        print_json({k: v.to_dicts() if isinstance(v, pl.DataFrame) else v for k, v in out.items()})
    else:
        _print(out)
    return 0


def _print(out: dict) -> None:
    from ..terminal import print_frame

    print(f"{out['title']}  ({out['album_id']})")
    if "blame" in out:
        print_frame(
            out["blame"]
            .with_columns(pl.col("set_at").dt.strftime("%Y-%m-%d"))
            .select("field", "value", "how", "set_at", "operation", "job_id")
            .rename({"set_at": "on", "operation": "by", "job_id": "job"}),
            title="fields: the log row that last set each",
        )
        tracks = out["tracks"].with_columns(
            pl.col("created_logged_at").dt.strftime("%Y-%m-%d"),
            pl.col("last_at").dt.strftime("%Y-%m-%d"),
        )
        print_frame(
            tracks.select(
                "disc_number",
                "track_number",
                "title",
                "created_logged_at",
                "created_job",
                "last_at",
                "last_operation",
            ).rename(
                {
                    "disc_number": "disc",
                    "track_number": "#",
                    "created_logged_at": "created",
                    "created_job": "by job",
                    "last_at": "last row",
                    "last_operation": "last operation",
                }
            ),
            title="tracks",
        )
    if "as_of" in out:
        then = out["as_of"]
        print(f"as of {then['as_of']}: {then['note'] if not then['existed'] else ''}".rstrip(": "))
        if then["existed"]:
            print_frame(
                pl.DataFrame(
                    then["fields"],
                    schema={
                        "field": pl.String,
                        "value": pl.String,
                        "known": pl.Boolean,
                        "how": pl.String,
                    },
                )
            )
            print(f"{len(then['tracks'])} tracks then; {then['note']}")
