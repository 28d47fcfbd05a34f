"""Findings over the snapshot's refresh history: counts per kind at every refresh, new and fixed.

Why reconstruct rather than record: a snapshot keeps the history a refresh
needs to answer "what did the findings look like then?" -- every log row has
its ``created_at``, every catalog row its ``created_at`` and its
``_lf_deleted_at`` (when it was first seen missing), and the manifest says
when each refresh read the source. Recording counts at refresh time would
add a findings scan to every refresh (the refresh is the hot path; the report
is not) and would leave every snapshot taken before the recording existed
with no trend at all. So the findings are run again as of each refresh: the
snapshot's tables are shadowed by temporary views holding the rows that
existed then (created by that time, not yet seen deleted), and the manifest
by the entries up to that refresh, so time-based checks measure against it
(``findings.as_of``: ``--new-since-refresh`` reads the same reconstruction).
A row whose time lies after the latest refresh (an impossible time, itself a
finding) counts as present at every point: the snapshot cannot tell when it came.

What the history cannot tell: a catalog row is stored as last read, so a
field changed since (a musicbrainz_id set, a track_count corrected) shows its
latest value at every earlier point, and link tables (album_artists,
track_artists) have no time of their own and count at every point. A fix
made by adding rows (tracks fetched, log rows written) is seen; a fix made by
overwriting a field is seen only from the refresh that read it on.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..findings import KINDS
from ..snapshot.format import Manifest


def trend(history: pl.DataFrame, manifests: Sequence[Manifest]) -> pl.DataFrame:
    """Return per refresh and kind: the count, and how many are new and fixed since the one before.

    ``manifests`` are the refreshes ``history`` was run at (a refresh with no
    finding has no row in it, and still one per kind here, each zero).

    Every kind appears at every refresh (zero when it had none), so a line
    per kind can be drawn and a kind that went away shows its fall to zero.
    """
    seqs = [(m.seq, m.taken_at) for m in manifests]  # the refreshes run, with findings or not
    rows, before = [], None
    for seq, taken_at in seqs:
        now = history.filter(pl.col("seq") == seq)
        for kind in KINDS:
            ids = set(now.filter(pl.col("kind") == kind)["entity_id"].to_list())
            old: set[str] | None = (
                None
                if before is None
                else set(before.filter(pl.col("kind") == kind)["entity_id"].to_list())
            )
            rows.append(
                {
                    "seq": seq,
                    "taken_at": taken_at,
                    "kind": kind,
                    "count": len(ids),
                    "new": None if old is None else len(ids - old),
                    "fixed": None if old is None else len(old - ids),
                }
            )
        before = now
    schema = {
        "seq": pl.Int64,
        "taken_at": pl.Datetime,
        "kind": pl.String,
        "count": pl.Int64,
        "new": pl.Int64,
        "fixed": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)
