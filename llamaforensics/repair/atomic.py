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
from collections.abc import Sequence

from ..postgres.dsn import Dsn
from .apply import apply_to_catalog, apply_within, check_user
from .catalog import Catalog
from .model import Correction
from .postgres_catalog import PostgresCatalog
from .result import APPLIED, DRY_RUN, PROBLEMS, Result
from .session import RepairSession

HELD_BACK = "HELD_BACK"


def apply_all_or_nothing(
    dsn: Dsn,
    corrections: list[Correction],
    *,
    dry_run: bool = True,
    user_id: str | None = None,
    session: RepairSession | None = None,
    progress: bool = False,
) -> list[Result]:
    """Apply the corrections in one transaction, committed only when none is skipped or refused."""
    catalog = PostgresCatalog(dsn)
    try:
        return apply_all_or_nothing_to_catalog(
            catalog,
            corrections,
            session or RepairSession(user_id=user_id),
            dry_run=dry_run,
            progress=progress,
        )
    finally:
        catalog.close()


def apply_all_or_nothing_to_catalog(
    catalog: Catalog,
    corrections: list[Correction],
    session: RepairSession,
    *,
    dry_run: bool,
    progress: bool = False,
) -> list[Result]:
    """Preview every correction, then apply them all in one transaction if none has a problem."""
    previews = apply_to_catalog(
        catalog, corrections, copy.deepcopy(session), dry_run=True, progress=progress
    )
    if any(r.status in PROBLEMS for r in previews):
        return held_back(previews)
    if dry_run:
        return previews
    return _in_one_transaction(catalog, corrections, session)


def held_back(results: list[Result], unreached: Sequence[Correction] = ()) -> list[Result]:
    """Return the results with what would have written (or was not reached) HELD_BACK."""
    problems = sum(r.status in PROBLEMS for r in results)
    note = (
        f"not written: the batch is all or nothing (--atomic) and {problems} of its "
        "corrections were skipped or refused"
    )
    return [
        Result(r.correction, HELD_BACK, note, r.diff) if r.status in (APPLIED, DRY_RUN) else r
        for r in results
    ] + [Result(c, HELD_BACK, note) for c in unreached]


def _in_one_transaction(
    catalog: Catalog, corrections: list[Correction], session: RepairSession
) -> list[Result]:
    """Apply every correction in one transaction; commit only if all of them applied."""
    check_user(catalog, session.user_id)
    saved = copy.deepcopy(session)
    results: list[Result] = []
    try:
        for c in corrections:
            results.append(apply_within(catalog, c, session))
            if results[-1].status in PROBLEMS:
                break
    except BaseException:
        catalog.rollback()
        session.__dict__.update(saved.__dict__)
        raise
    if results and results[-1].status in PROBLEMS:
        catalog.rollback()
        session.__dict__.update(saved.__dict__)  # the session wrote nothing either
        return held_back(results, corrections[len(results) :])
    catalog.commit()
    return results
