"""Apply corrections: one transaction each, locked, checked against the expected state, logged.

For every correction: lock the album's rows (``SELECT ... FOR UPDATE``);
report ALREADY_APPLIED when its id is in the log or the album is already in
the target state; refuse as STALE (writing nothing) when a fact it was
prepared against moved; otherwise run its row operations and write its log
rows in the same transaction. Dry-run (the default) plans and previews
inside the transaction and rolls it back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from tqdm import tqdm

from ..postgres.dsn import Dsn
from .album_state import load_state, load_state_with, observe, reads_ahead, stale_facts, state_reads
from .catalog import Catalog, Row
from .change import AlbumState, Change
from .history import in_effect, prepare_redo
from .logbook import correction_rows, session_root_row
from .model import Correction
from .operation import execute_all
from .planning import plan
from .postgres_catalog import PostgresCatalog
from .preview import preview
from .refusals import AlbumMissing, InvalidCorrection, StaleCorrection, TracksDiffer, UnknownUser
from .result import ALREADY_APPLIED, APPLIED, DRY_RUN, INVALID, Result, refused
from .session import RepairSession

# A correction applied without ``expected`` could overwrite a change nobody saw.
# What the engine refuses in a correction (a result, not an error); a backend adds its own.
REFUSALS: tuple[type[Exception], ...] = (InvalidCorrection, StaleCorrection, TracksDiffer)
NOT_PREPARED = "not prepared: fill expected with prepare_corrections (repair plan) first"


def apply_corrections(
    dsn: Dsn,
    corrections: list[Correction],
    *,
    dry_run: bool = True,
    user_id: str | None = None,
    session: RepairSession | None = None,
    progress: bool = False,
) -> list[Result]:
    """Apply (or with ``dry_run``, preview) each correction to PostgreSQL in its own transaction."""
    session = session or RepairSession(user_id=user_id)
    catalog = PostgresCatalog(dsn)
    try:
        return apply_to_catalog(catalog, corrections, session, dry_run=dry_run, progress=progress)
    finally:
        catalog.close()


def apply_to_catalog(
    catalog: Catalog,
    corrections: Sequence[Correction],
    session: RepairSession,
    *,
    dry_run: bool,
    progress: bool = False,
    on_each: Callable[[int, Result], object] | None = None,
) -> list[Result]:
    """Apply corrections to any catalog (PostgreSQL, or a snapshot copy when rehearsing).

    ``on_each(i, result)`` is called after each correction (a notebook's progress bar).
    """
    check_user(catalog, session.user_id)
    results = []
    for i, c in enumerate(
        tqdm(corrections, unit="correction", desc="repair", disable=not progress)
    ):
        results.append(apply_one(catalog, c, session, dry_run=dry_run))
        if on_each:
            on_each(i, results[-1])
    return results


def check_user(catalog: Catalog, user_id: str | None) -> None:
    """Refuse a session on behalf of a user the catalog does not know (nothing written)."""
    if user_id is not None:
        found = catalog.user_exists(user_id)
        catalog.rollback()
        if not found:
            raise UnknownUser(
                f'no user {user_id!r} in "User"; give the id of an existing admin, or none; '
                "nothing was written"
            )


def apply_one(
    catalog: Catalog,
    correction: Correction,
    session: RepairSession,
    *,
    dry_run: bool,
    prepare: bool = False,
) -> Result:
    """Run one correction in its own transaction; commit only when it was applied.

    With ``prepare``, a correction without ``expected`` is prepared against the
    state it is applied to (read and locked in the same transaction), as
    :func:`prepare_corrections` just before would.
    """
    if correction.expected is None and not prepare:
        return Result(correction, INVALID, NOT_PREPARED)
    refusals = REFUSALS + catalog.refusals
    catalog.begin()
    try:
        result, change = _attempt(catalog, correction, session, dry_run)
    except refusals as exc:
        catalog.rollback()
        return refused(correction, exc)
    except BaseException:
        catalog.rollback()
        raise
    if result.status != APPLIED:
        catalog.rollback()
        return result
    catalog.commit()
    _remember(session, change)
    return result


def apply_within(catalog: Catalog, correction: Correction, session: RepairSession) -> Result:
    """Apply a prepared correction in the catalog's open transaction, and leave it open.

    What corrections written together need (:mod:`.atomic`): a refusal is a
    result, not an exception, and the session remembers what an applied one
    wrote, as after a commit.
    """
    if correction.expected is None:
        return Result(correction, INVALID, NOT_PREPARED)
    try:
        result, change = _attempt(catalog, correction, session, dry_run=False)
    except REFUSALS + catalog.refusals as exc:
        return refused(correction, exc)
    if result.status == APPLIED:
        _remember(session, change)
    return result


def _attempt(
    catalog: Catalog, c: Correction, session: RepairSession, dry_run: bool
) -> tuple[Result, Change | None]:
    """Lock and read the album, the correction's log rows and its planner's reads; decide."""
    started = time.monotonic()
    albums = sorted({c.album_id, getattr(c, "survivor_id", c.album_id)})
    ahead = reads_ahead(catalog, c)
    also = [catalog.logged_query(c.id, albums, brief=True), *ahead]
    state, (logged, *read) = load_state_with(catalog, c.album_id, also, lock=True, **state_reads(c))
    with catalog.read_ahead(ahead, read):
        return _decide(catalog, c, session, dry_run, state, logged, started, albums)


def _decide(
    catalog: Catalog,
    c: Correction,
    session: RepairSession,
    dry_run: bool,
    state: AlbumState,
    logged: list[Row],
    started: float,
    albums: list[str],
) -> tuple[Result, Change | None]:
    """Return what applying ``c`` comes to (writing it unless ``dry_run``), with its change."""
    if c.expected is None:
        c = c.with_expected(observe(catalog, c, state))
    if logged:
        done, c = _in_effect_or_redo(catalog, session, c, logged, albums)
        if done:
            return done, None
    assert c.expected is not None  # prepared above
    if state.album is None:  # nothing moved: there is nothing there to correct (SKIPPED)
        raise AlbumMissing(
            f"album {c.album_id} is not in the target database (deleted, merged "
            "away, or never there): nothing to correct"
        )
    now = session.now()
    survivor = getattr(c, "survivor_id", c.album_id)
    moved = stale_facts(
        c.expected,
        observe(catalog, c, state),
        lambda e, cur: (
            session.same_updated_at(c.album_id, e, cur) or session.same_updated_at(survivor, e, cur)
        ),
    )
    try:
        change = plan(catalog, c, state, now)
    except InvalidCorrection as exc:
        if moved and not isinstance(exc, AlbumMissing):  # a missing album is skipped all the same
            raise StaleCorrection(
                f"album {c.album_id} changed since the correction was prepared ({exc})", moved
            ) from exc
        raise
    if change.empty:
        return Result(c, ALREADY_APPLIED, "the catalog is already in the corrected state"), change
    if moved:
        raise StaleCorrection(
            f"album {c.album_id} changed since the correction was prepared: "
            + ", ".join(sorted(moved))
            + " moved; prepare it again",
            moved,
        )
    elapsed = int((time.monotonic() - started) * 1000)
    rows = correction_rows(session, change, session.sequence + 1, now, elapsed)
    if not session.root_written and not catalog.row(
        "llama_logs", {"root_job_id": session.job_id, "is_root_job": True}
    ):
        rows.insert(0, session_root_row(session, now))
    diff = preview(change, rows)
    if dry_run:
        return Result(
            c,
            DRY_RUN,
            "dry run: nothing written" + _kept_note(change),
            diff,
            kept=[k.to_dict() for k in change.kept],
        ), change
    with catalog.together():  # every write in one round trip where the backend can
        execute_all(catalog, change.ops)
        catalog.insert_many("llama_logs", rows)
    return Result(
        c,
        APPLIED,
        f"applied in {session.job_id}" + _kept_note(change),
        diff,
        log_ids=[r["id"] for r in rows],
        kept=[k.to_dict() for k in change.kept],
    ), change


def _in_effect_or_redo(
    catalog: Catalog, session: RepairSession, c: Correction, logged: list[Row], albums: list[str]
) -> tuple[Result | None, Correction]:
    """Return ALREADY_APPLIED when an application of ``c`` is in effect, else ``c`` to redo."""
    live = in_effect(catalog, logged, albums)
    if not live:  # every application was undone: apply it again
        return None, prepare_redo(catalog, session, c, logged, albums)
    for row in live:
        _learn_writes(session, row)
    newest = live[-1]
    return Result(
        c, ALREADY_APPLIED, f"applied at {newest['created_at']} in {newest['root_job_id']}"
    ), c


def _kept_note(change: Change) -> str:
    """Say which rows an undo left in place because rows it did not write still point at them."""
    if not change.kept:
        return ""
    kept = "; ".join(k.describe() for k in change.kept)
    return f"; kept (still referenced, so not deleted): {kept}"


def _learn_writes(session: RepairSession, logged: Row) -> None:
    """Remember the ``updated_at`` values an already applied correction of this batch wrote.

    When a batch is run again (after a lost connection, say), corrections
    prepared together with one applied by the earlier run expect the
    ``updated_at`` it replaced, exactly as when the batch runs in one go.
    """
    for op in ((logged.get("metadata") or {}).get("llamaforensics") or {}).get("ops") or []:
        if (
            op.get("table") == "albums"
            and op.get("action") == "update"
            and "updated_at" in (op.get("after") or {})
        ):
            session.remember_write(
                op["where"]["id"], op["before"].get("updated_at"), op["after"]["updated_at"]
            )


def _remember(session: RepairSession, change: Change | None) -> None:
    """Note what an applied correction wrote, so the next of the batch expects it."""
    assert change is not None  # an applied correction has its change
    session.root_written = True
    session.sequence += 1
    for op in change.ops:
        if op.action == "update" and op.table == "albums" and "updated_at" in op.after:
            stands_for = change.stands_for.get(op.where["id"], ())
            session.remember_write(
                op.where["id"], op.before["updated_at"], op.after["updated_at"], stands_for
            )


def prepare_corrections(dsn: Dsn, corrections: list[Correction]) -> list[Correction]:
    """Return the corrections with ``expected`` filled from the database's current state.

    A correction that already says what it expects (a manifest summary's prodValue, an
    undo) keeps it.
    """
    catalog = PostgresCatalog(dsn)
    try:
        return prepare_in_catalog(catalog, corrections)
    finally:
        catalog.close()


def prepare_in_catalog(catalog: Catalog, corrections: list[Correction]) -> list[Correction]:
    """Return the corrections with ``expected`` filled from ``catalog`` as it is now."""
    prepared = [
        c
        if c.expected is not None
        else c.with_expected(observe(catalog, c, load_state(catalog, c.album_id)))
        for c in corrections
    ]
    catalog.rollback()
    return prepared
