"""What a correction's log rows say about it now: applied, undone, applied again.

Each application of a correction is its own CORRECTED row; the undo of an
application is a correction of its own whose id is derived from that row's id
(:func:`undo_id`), so one application is undone once, and an undo can itself
be undone the same way. An application is *in effect* unless an undo of it is
in effect. From that:

- applying a correction whose every application was undone applies it again,
  as a new logged application (a redo), prepared against the state the undo
  left (:func:`prepare_redo`);
- applying one with an application in effect is ALREADY_APPLIED;
- undoing a correction undoes its newest application in effect.
"""

from __future__ import annotations

import uuid

UNDO_NAMESPACE = uuid.UUID("6f1d3c2a-3b7e-4c55-9a39-7d0c1f1e5a10")


def undo_id(application_id: str) -> str:
    """Return the id of the correction undoing the application logged as row ``application_id``."""
    return str(uuid.uuid5(UNDO_NAMESPACE, str(application_id)))


def undoing(catalog, rows: list[dict], albums=()) -> dict[str, dict]:
    """Return, for each application in ``rows`` that is undone, the row of the undo in effect.

    One round trip per level of undo-of-undo; ``albums`` (the albums the rows are
    about) lets every lookup use the (entity_type, entity_id) index.
    """
    if not rows:
        return {}
    reverted = {undo_id(r["id"]): r["id"] for r in rows}
    found = catalog.fetch_together([catalog.logged_query(i, albums, brief=True) for i in reverted])
    undos = [(reverted[i], u) for i, batch in zip(reverted, found) for u in batch]
    undone_undos = undoing(catalog, [u for _, u in undos], albums)
    return {target: u for target, u in undos if u["id"] not in undone_undos}


def in_effect(catalog, rows: list[dict], albums=()) -> list[dict]:
    """Return the applications in ``rows`` that no undo in effect has taken back."""
    undone = undoing(catalog, rows, albums)
    return [r for r in rows if r["id"] not in undone]


def prepare_redo(catalog, session, correction, rows: list[dict], albums=()):
    """Return ``correction`` ready to apply again over what the undo of its newest application left.

    The undo restored every value the correction expects, except the write times
    (``updated_at``) it stamped: each time the correction expected is mapped to the
    one the undo wrote over the same row, and the session remembers that the
    album's time stands for the expected one (as for a write of its own), so the
    corrections prepared together with it redo in turn.
    """
    undo_row = undoing(catalog, rows[-1:], albums).get(rows[-1]["id"])
    if undo_row is None:  # undone no longer (a concurrent redo): the stale check decides
        return correction
    applied, undone = catalog.fetch_together(
        [
            catalog.select("llama_logs", {"id": rows[-1]["id"]}),
            catalog.select("llama_logs", {"id": undo_row["id"]}),
        ]
    )
    times = _write_times(_ops(applied), _ops(undone))
    for (table, row_id), (expected, written) in times.items():
        if table == "albums":
            session.remember_write(row_id, expected, written)
    by_value = {expected: written for expected, written in times.values()}
    return correction.with_expected(_replaced(correction.expected, by_value))


def _ops(rows: list[dict]) -> list[dict]:
    if not rows:
        return []
    return ((rows[0].get("metadata") or {}).get("llamaforensics") or {}).get("ops") or []


def _write_times(applied_ops: list[dict], undo_ops: list[dict]) -> dict[tuple, tuple]:
    """Return, per row both updated: (the time the application replaced, the undo's time)."""
    undo_times = {
        (op["table"], op["where"].get("id")): op["after"].get("updated_at")
        for op in undo_ops
        if op["action"] == "update" and "updated_at" in op["after"]
    }
    out = {}
    for op in applied_ops:
        key = (op["table"], (op.get("where") or {}).get("id"))
        if op["action"] == "update" and "updated_at" in op["before"] and undo_times.get(key):
            out[key] = (op["before"]["updated_at"], undo_times[key])
    return out


def _replaced(value, by_value: dict):
    """Return ``value`` with every write time in ``by_value`` replaced by its successor."""
    if isinstance(value, dict):
        return {k: _replaced(v, by_value) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, by_value) for v in value]
    return by_value.get(value, value) if isinstance(value, str) else value


# --- a repair session's history, as the log holds it

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


def repair_sessions(dsn) -> list[dict]:
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


def session_history(dsn, session: str) -> list[dict]:
    """Return a repair session's corrections in order, each with its role and whether in effect."""
    roots, rows = _logged_history(dsn)
    if not any(r["session"] == session for r in roots):
        from .errors import UnknownSession

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


def _logged_history(dsn) -> tuple[list[dict], list[dict]]:
    """Return the session root rows and every correction row, each with its role and state."""
    from .store import PostgresCatalog, Query

    catalog = PostgresCatalog(dsn)
    try:
        [found] = catalog.fetch_together([Query("llama_logs", _CORRECTION_ROWS, [])])
    finally:
        catalog.close()
    roots = [r for r in found if r["is_root_job"]]
    rows = [r for r in found if not r["is_root_job"]]
    _label(rows)
    return roots, rows


def _label(rows: list[dict]) -> None:
    """Give each correction row its role (applied, undone, redone) and state (in effect or not)."""
    by_correction: dict[str, list[dict]] = {}
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


def _undo_in_effect(row: dict, by_correction: dict, depth: int = 0) -> dict | None:
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
