"""All or nothing: a batch written in one transaction, only when none of its corrections is refused.

By default every correction is its own unit (as the app's own manifest script
walked album by album): a missing album is SKIPPED and the rest apply. Asked
for all or nothing (``repair apply --atomic``), the batch is first previewed
correction by correction, so every problem is reported at once; only when
there is none is it applied, in ONE transaction. A problem that appears only
then (the catalog moved in between) rolls the whole batch back. Corrections
that would have applied are reported HELD_BACK.
"""

from __future__ import annotations

import copy

from ..dsn import Dsn
from .apply import (APPLIED, INVALID, PROBLEMS, Result, _attempt, _remember, apply_to_catalog,
                    check_user, refused)
from .errors import InvalidCorrection, StaleCorrection, TracksDiffer
from .model import Correction
from .session import RepairSession
from .store import PostgresCatalog

HELD_BACK = "HELD_BACK"


def apply_all_or_nothing(dsn: Dsn, corrections: list[Correction], *, dry_run: bool = True,
                         user_id: str | None = None, session: RepairSession | None = None,
                         progress: bool = False) -> list[Result]:
    """Apply the corrections in one transaction, committed only when none is skipped or refused."""
    session = session or RepairSession(user_id=user_id)
    catalog = PostgresCatalog(dsn)
    try:
        previews = apply_to_catalog(catalog, corrections, copy.deepcopy(session), dry_run=True,
                                    progress=progress)
        if any(r.status in PROBLEMS for r in previews):
            return held_back(previews)
        if dry_run:
            return previews
        return _in_one_transaction(catalog, corrections, session)
    finally:
        catalog.close()


def held_back(results: list[Result]) -> list[Result]:
    """Return the results with every correction that would have written marked HELD_BACK."""
    problems = sum(r.status in PROBLEMS for r in results)
    note = (f"not written: the batch is all or nothing (--atomic) and {problems} of its "
            "corrections were skipped or refused")
    return [r if r.status in PROBLEMS or r.status not in (APPLIED, "DRY_RUN") else
            Result(r.correction, HELD_BACK, note, r.diff) for r in results]


def _in_one_transaction(catalog, corrections: list[Correction],
                        session: RepairSession) -> list[Result]:
    """Apply every correction in one transaction; commit only if all of them applied."""
    check_user(catalog, session.user_id)
    saved = copy.deepcopy(session)
    results: list[Result] = []
    try:
        for c in corrections:
            results.append(_one(catalog, c, session))
            if results[-1].status in PROBLEMS:
                break
    except BaseException:
        catalog.rollback()
        raise
    if results and results[-1].status in PROBLEMS:
        catalog.rollback()
        session.__dict__.update(saved.__dict__)  # the session wrote nothing either
        rest = [Result(c, "DRY_RUN", "not reached") for c in corrections[len(results):]]
        return held_back(results + rest)
    catalog.commit()
    return results


def _one(catalog, c: Correction, session: RepairSession) -> Result:
    if c.expected is None:
        return Result(c, INVALID,
                      "not prepared: fill expected with prepare_corrections (repair plan) first")
    try:
        result, change = _attempt(catalog, c, session, dry_run=False)
    except (InvalidCorrection, StaleCorrection, TracksDiffer) as exc:
        return refused(c, exc)
    except catalog.refusals as exc:
        return Result(c, INVALID, f"the database refused it: {str(exc).strip().splitlines()[0]}")
    if result.status == APPLIED:
        _remember(session, change)
    return result
