"""A replay's batch: read from a session of another database or from a file, and summed up.

:func:`read_batch` returns what :func:`~.replay.replay` applies: the
corrections a repair session (or one correction) applied in a source
database, as the documents they were applied as, or a correction file or
upstream manifest. :func:`batch_summary` and :func:`format_batch` say what a
batch came to.
"""

from __future__ import annotations

from ..errors import UsageError
from ..postgres.dsn import Dsn
from .manifest import read_corrections
from .model import Correction
from .postgres_catalog import PostgresCatalog
from .preview import summary_line, track_lines
from .refusals import InvalidCorrection
from .result import PROBLEMS, Result
from .session import SESSION_PREFIX


def session_batch(source: Dsn, target: str) -> list[Correction]:
    """Return what repair session ``target`` (or the one correction ``target``) did in ``source``.

    Each comes back as the document it was applied as (same id, same expected
    state), oldest first.
    """
    catalog = PostgresCatalog(source)
    try:
        if target.startswith(SESSION_PREFIX):
            rows = catalog.session_corrections(target)
        else:
            row = catalog.logged_correction(target)
            rows = [row] if row else []
    finally:
        catalog.close()
    if not rows:
        raise InvalidCorrection(
            f"{source.display} has no correction applied under {target!r} (give a "
            "llamaforensics-repair-... session job id or a correction id from its llama_logs)"
        )
    return logged_corrections(rows)


def logged_corrections(rows: list[dict]) -> list[Correction]:
    """Return the corrections recorded in CORRECTED log rows, in order, ready to replay elsewhere.

    A correction prepared after an earlier one of the same session changed its
    album expects the ``updated_at`` that earlier one wrote, a value only the
    source has: it is traced back to the value the session started from, which
    the replaying session (remembering its own writes) accepts in the same way.
    """
    started_from: dict[tuple[str, object], object] = {}
    out, problems = [], []
    for i, row in enumerate(rows):
        meta = (row.get("metadata") or {}).get("llamaforensics") or {}
        document = meta.get("correction")
        if not isinstance(document, dict):
            problems.append(f"log row {row.get('id')}: records no correction document")
            continue
        try:
            correction = Correction.from_dict(document, f"$[{i}]")
        except InvalidCorrection as exc:
            problems += exc.problems
            continue
        out.append(_traced(correction, started_from))
        for op in meta.get("ops") or []:
            if (
                op.get("table") == "albums"
                and op.get("action") == "update"
                and "updated_at" in (op.get("after") or {})
            ):
                album, before = op["where"]["id"], op["before"].get("updated_at")
                started_from[(album, op["after"]["updated_at"])] = started_from.get(
                    (album, before), before
                )
    if problems:
        raise InvalidCorrection("the session's log rows cannot be replayed", problems)
    return out


def _traced(correction: Correction, started_from: dict) -> Correction:
    expected = dict(correction.expected or {})
    keys = {
        "updated_at": correction.album_id,
        "survivor_updated_at": getattr(correction, "survivor_id", None),
    }
    for key, album in keys.items():
        if key in expected and (album, expected[key]) in started_from:
            expected[key] = started_from[(album, expected[key])]
    return (
        correction
        if expected == (correction.expected or {})
        else correction.with_expected(expected)
    )


def read_batch(source: str, *, from_dsn: Dsn | None = None) -> list[Correction]:
    """Return the batch ``source`` names: a session or correction id in ``from_dsn``, or a file.

    A file is what ``repair apply`` reads (a correction file, or an upstream
    manifest: an album the target lacks is SKIPPED when replayed, the rest goes on).
    """
    if from_dsn is not None:
        return session_batch(from_dsn, source)
    if source.startswith(SESSION_PREFIX):
        raise UsageError(
            f"{source} is a repair session: say which database it ran in (--from SOURCE_DSN)"
        )
    return read_corrections(source)


TOTALS = (
    "fields",
    "tracks_added",
    "tracks_removed",
    "tracks_changed",
    "artists_created",
    "links_added",
    "links_removed",
    "albums_deleted",
    "log_rows",
)
TOTAL_NAMES = {"fields": "album fields set", "tracks_changed": "tracks modified"}


def batch_summary(results: list[Result]) -> dict:
    """Return a batch's counts: corrections per status, changes written (or previewed)."""
    statuses = {
        s: 0
        for s in (
            "APPLIED",
            "DRY_RUN",
            "ALREADY_APPLIED",
            "STALE",
            "INVALID",
            "SKIPPED",
            "TRACKS_DIFFER",
        )
    }
    changes = dict.fromkeys(TOTALS, 0)
    roots = set()  # a dry run previews the session's root row with every correction: count it once
    for r in results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
        if r.diff and r.status in ("APPLIED", "DRY_RUN"):
            for key in TOTALS:
                changes[key] += len(r.diff.get(key) or ())
            root = [row["job_id"] for row in r.diff["log_rows"] if row.get("is_root_job")]
            changes["log_rows"] -= len(root)
            roots.update(root)
    changes["log_rows"] += len(roots)
    return {"corrections": len(results), "status": statuses, "changes": changes}


def format_batch(results: list[Result]) -> str:
    """Return a batch's problems (with the current values), its changes and its summary."""
    lines = [
        f"[{r.status}] {r.correction.kind} {r.correction.id} "
        f"on album {r.correction.album_id}: {r.message}"
        + (f"\n  current: {r.current}" if r.current else "")
        + "".join(f"\n  {line}" for line in track_lines(r.tracks or []))
        for r in results
        if r.status in PROBLEMS
    ]
    changes = batch_summary(results)["changes"]
    verb = "would write" if any(r.status == "DRY_RUN" for r in results) else "wrote"
    written = ", ".join(
        f"{n:,} {TOTAL_NAMES.get(key, key.replace('_', ' '))}" for key, n in changes.items() if n
    )
    lines.append(f"{verb}: {written}" if written else "nothing to write")
    lines.append(summary_line(results))
    return "\n".join(lines)
