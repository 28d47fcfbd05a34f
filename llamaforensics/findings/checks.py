"""One function per finding kind, for a notebook cell or a script that wants just that check.

``find_<kind>(con)`` is built from the kind's header, not written by hand: its
docstring is the header's prose, and a kind with thresholds takes each by name
with its declared default (``find_stuck_enrichment(con, stuck_days=30)``). Each
returns the kind's frame (the columns of :func:`~.run.run_findings`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import duckdb
import polars as pl

from .kinds import KINDS, Kind
from .run import run_findings

Finder = Callable[..., pl.DataFrame]


def finder(kind: Kind) -> Finder:
    """Return ``find_<kind>``: run that one kind on a snapshot connection."""
    signature = inspect.Signature(
        [
            inspect.Parameter(
                "con", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=duckdb.DuckDBPyConnection
            ),
            *(
                inspect.Parameter(
                    p.name,
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    default=p.default,
                    annotation=int,
                )
                for p in kind.parameters
            ),
        ],
        return_annotation=pl.DataFrame,
    )

    def find(*args: Any, **kwargs: Any) -> pl.DataFrame:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        thresholds = dict(bound.arguments)
        con = thresholds.pop("con")
        return run_findings(con, [kind.name], **thresholds)[kind.name]

    find.__name__ = find.__qualname__ = f"find_{kind.name}"
    find.__doc__ = kind.docstring()
    vars(find)["__signature__"] = signature  # what help() and editors show
    return find


FINDERS: dict[str, Finder] = {f"find_{name}": finder(kind) for name, kind in KINDS.items()}
