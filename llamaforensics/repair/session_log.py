"""A repair session's history, as the log holds it: every session, and what each one did.

:func:`repair_sessions` lists the sessions, newest first, with how many
corrections each applied, undid and redid; :func:`session_history` lists one
session's corrections in order, each with its role and whether it is still in
effect (see :mod:`.history` for what makes an application undone).
"""

from __future__ import annotations

from ..postgres.dsn import Dsn
from .catalog import Query, Row
from .history import undo_id
from .postgres_catalog import PostgresCatalog
from .refusals import UnknownSession

_CORRECTION_ROWS = """
SELECT l.id::text AS id, l.root_job_id AS session, l.created_at, l.user_id, l.is_root_job,
       l.entity_id::text AS album_id,
       l.metadata -> 'llamaforensics' ->> 'correctionId' AS correction_id,
       l.metadata -> 'llamaforensics' ->> 'kind' AS kind,
       l.metadata -> 'llamaforensics' -> 'correction' ->> 'reverts' AS reverts,
       (l.metadata -> 'llamaforensics' ->> 'sequence')::int AS sequence
FROM llama_logs l
WHERE l.operation = 'admin_correction' AND l.triggered_by = 'llamaforensics'
ORDER BY l.created_at, (l.metadata -> 'llamaforensics' ->> 'sequence')::int, l.id
"""


def repair_sessions(dsn: Dsn) -> list[Row]:
    """Return every repair session, newest first: when, who, corrections applied/undone/redone."""
    roots, rows = _logged_history(dsn)
    sessions = []
    for root in sorted(roots, key=lambda r: r["created_at"], reverse=True):
        mine = [r for r in rows if r["session"] == root["session"]]
        counts = {
            role: sum(r["role"] == role for r in mine) for role in ("applied", "undone", "redone")
        }
        sessions.append(
            {
                "session": root["session"],
                "started_at": root["created_at"],
                "user_id": root["user_id"],
                "corrections": len(mine),
                **counts,
            }
        )
    return sessions


def session_history(dsn: Dsn, session: str) -> list[Row]:
    """Return a repair session's corrections in order, each with its role and whether in effect."""
    roots, rows = _logged_history(dsn)
    if not any(r["session"] == session for r in roots):
        raise UnknownSession(
            f"no repair session {session} in llama_logs (list them: llamaforensics repair sessions)"
        )
    keys = (
        "sequence",
        "correction_id",
        "kind",
        "album_id",
        "created_at",
        "role",
        "in_effect",
        "undone_in",
    )
    return [{k: r[k] for k in keys} for r in rows if r["session"] == session]


def _logged_history(dsn: Dsn) -> tuple[list[Row], list[Row]]:
    """Return the session root rows and every correction row, each with its role and state."""
    catalog = PostgresCatalog(dsn)
    try:
        [found] = catalog.fetch_together([Query("llama_logs", _CORRECTION_ROWS, [])])
    finally:
        catalog.close()
    roots = [r for r in found if r["is_root_job"]]
    rows = [r for r in found if not r["is_root_job"]]
    _label(rows)
    return roots, rows


def _label(rows: list[Row]) -> None:
    """Give each correction row its role (applied, undone, redone) and state (in effect or not)."""
    by_correction: dict[str, list[Row]] = {}
    for row in rows:
        by_correction.setdefault(row["correction_id"], []).append(row)
    kinds = {cid: found[0]["kind"] for cid, found in by_correction.items()}
    for row in rows:
        first = by_correction[row["correction_id"]][0] is row
        if row["kind"] == "revert_correction":
            row["role"] = "redone" if kinds.get(row["reverts"]) == "revert_correction" else "undone"
        else:
            row["role"] = "applied" if first else "redone"
    for row in rows:
        undo = _undo_in_effect(row, by_correction)
        row["in_effect"], row["undone_in"] = undo is None, undo and undo["session"]


def _undo_in_effect(row: Row, by_correction: dict[str, list[Row]], depth: int = 0) -> Row | None:
    if depth > 100:  # a chain of undos this long is not a history a person made
        return None
    return next(
        (
            u
            for u in by_correction.get(undo_id(row["id"]), [])
            if _undo_in_effect(u, by_correction, depth + 1) is None
        ),
        None,
    )
