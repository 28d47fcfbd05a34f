"""Replay a batch of corrections into a database: a file, a manifest, or another one's session.

A batch is what ``repair apply`` reads (a correction file, an upstream
dev-to-prod manifest or its summary), or the corrections a repair session
applied in a SOURCE database, read back from its CORRECTED log rows (each
records its correction document with the state it was prepared against):

    batch = session_batch(dev, "llamaforensics-repair-0f9c...")   # what the session did on dev
    results = replay(batch, prod)                                  # dry run: nothing written
    results = replay(batch, prod, dry_run=False)                   # one transaction per correction

Every correction keeps its id, so a replay is resumable: after a lost
connection, re-running the same batch reports what already reached the
target as ALREADY_APPLIED and applies the rest. Corrections a session applied
one after the other on the same album are replayed against the state the
session started from (their later ``updated_at`` values were written by the
session itself), and an undo in the batch undoes what the target recorded.
``jobs=N`` spreads a batch over N connections, keeping every correction in
order with those it depends on (same album, artist, track or unique id).
"""

from __future__ import annotations

import copy
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from queue import Empty, SimpleQueue

from tqdm import tqdm

from ..errors import ConnectionFailed
from ..postgres.dsn import Dsn
from .apply import apply_one, check_user
from .catalog import Catalog
from .fields import ALBUM_UNIQUE_FIELDS
from .model import (
    AddTracks,
    AlbumChanges,
    Correction,
    LinkArtist,
    ModifyTracks,
    RemoveTracks,
    RevertCorrection,
    SetAlbumFields,
    SetTracks,
)
from .postgres_catalog import PostgresCatalog
from .result import INVALID, Result
from .revert import revert_of
from .session import RepairSession

UNIQUE_TRACK_FIELDS = ("spotify_id", "deezer_id")
UNIQUE_ARTIST_FIELDS = ("musicbrainz_id", "spotify_id", "deezer_id")


class BatchInterrupted(ConnectionFailed):
    """The connection was lost in the middle of a batch; ``results`` holds what was done."""

    exit_code = 1

    def __init__(self, message: str, results: list[Result]):
        self.results = results
        super().__init__(message)


def replay(
    corrections: Iterable[Correction],
    dsn: Dsn,
    *,
    dry_run: bool = True,
    user_id: str | None = None,
    session: RepairSession | None = None,
    progress: bool = False,
    on_result: Callable[[Result], None] | None = None,
    jobs: int = 1,
) -> list[Result]:
    """Apply (or with ``dry_run``, preview) a batch in order, one transaction per correction.

    A correction without ``expected`` is prepared against the target just
    before it is applied. ``on_result`` is called after each correction.
    With ``jobs`` > 1, that many connections share the work: corrections
    that touch the same album, artist, track or unique id stay on one
    connection, in batch order, so the results are those of ``jobs=1``; all
    are logged under the one session. Raise :class:`BatchInterrupted` (with
    the results so far) when a connection is lost: every correction is then
    either wholly applied or not at all, and re-running the batch finishes it.
    """
    session = session or RepairSession(user_id=user_id)
    run = _Run(list(corrections), dsn, dry_run, on_result)
    with tqdm(
        total=len(run.corrections), unit="correction", desc="replay", disable=not progress
    ) as run.bar:
        catalog = PostgresCatalog(dsn)
        try:
            check_user(catalog, session.user_id)
            session.root_written = session.root_written or _root_exists(catalog, session)
            groups = deque(_groups(run.corrections) if jobs > 1 else [range(len(run.corrections))])
            while (
                groups
                and not run.stop.is_set()
                and (jobs == 1 or not (dry_run or session.root_written))
            ):
                run.work(
                    catalog, session, groups.popleft()
                )  # alone until the session's root row is written
        finally:
            catalog.close()
        if groups and not run.stop.is_set():
            run.in_parallel(groups, session, jobs)
    return run.finish()


def _root_exists(catalog: Catalog, session: RepairSession) -> bool:
    found = (
        catalog.row("llama_logs", {"root_job_id": session.job_id, "is_root_job": True}) is not None
    )
    catalog.rollback()
    return found


class _Run:
    """One replay: the results by position, shared by the connections that work on it."""

    def __init__(self, corrections: list[Correction], dsn: Dsn, dry_run: bool, on_result):
        self.corrections, self.dsn, self.dry_run, self.on_result = (
            corrections,
            dsn,
            dry_run,
            on_result,
        )
        self.results: list[Result | None] = [None] * len(corrections)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.failure: tuple[int | None, BaseException] | None = None
        self.bar: tqdm | None = None

    def work(self, catalog: Catalog, session: RepairSession, indices: Iterable[int]) -> None:
        """Replay the corrections at ``indices`` in order; on a failure, record it, stop all."""
        for i in indices:
            if self.stop.is_set():
                return
            try:
                result = _replay_one(catalog, self.corrections[i], session, self.dry_run)
            except BaseException as exc:  # noqa: BLE001 - finish() re-raises it in the caller
                with self.lock:
                    self.failure = self.failure or (i, exc)
                self.stop.set()
                return
            with self.lock:
                self.results[i] = result
                if self.bar is not None:
                    self.bar.update(1)
                if self.on_result is not None:
                    self.on_result(result)

    def in_parallel(
        self, groups: Iterable[Sequence[int]], session: RepairSession, jobs: int
    ) -> None:
        """Work on the groups from ``jobs`` connections, each session under the same root job."""
        queue: SimpleQueue[Sequence[int]] = SimpleQueue()
        for group in groups:
            queue.put(group)
        sessions = [
            RepairSession(
                user_id=session.user_id,
                job_id=session.job_id,
                clock=session.clock,
                root_written=session.root_written,
                sequence=session.sequence,
                aliases=copy.deepcopy(session.aliases),
            )
            for _ in range(jobs)
        ]
        threads = [
            threading.Thread(target=self._worker, args=(queue, s), daemon=True) for s in sessions
        ]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        except BaseException:  # Ctrl-C: let every connection finish the correction in hand
            self.stop.set()
            for thread in threads:
                thread.join()
            raise
        for worker in sessions:  # what the workers wrote, for the caller's session
            for album, known in worker.aliases.items():
                session.aliases.setdefault(album, {}).update(known)
        session.sequence = max(s.sequence for s in sessions)
        session.root_written = session.root_written or any(s.root_written for s in sessions)

    def _worker(self, queue: SimpleQueue[Sequence[int]], session: RepairSession) -> None:
        try:
            catalog = PostgresCatalog(self.dsn)
        except BaseException as exc:  # noqa: BLE001 - finish() re-raises it in the caller
            with self.lock:
                self.failure = self.failure or (None, exc)
            self.stop.set()
            return
        try:
            while not self.stop.is_set():
                try:
                    group = queue.get_nowait()
                except Empty:
                    return
                self.work(catalog, session, group)
        finally:
            catalog.close()

    def finish(self) -> list[Result]:
        """Return the results in batch order, or raise what stopped the batch."""
        done = [r for r in self.results if r is not None]
        if self.failure is None:
            return done
        i, exc = self.failure
        if isinstance(exc, ConnectionFailed):
            raise BatchInterrupted(_interrupted(exc, i, self.corrections, done), done) from None
        raise exc


def _groups(corrections: list[Correction]) -> list[list[int]]:
    """Return the corrections' positions, grouped so none touches what another group touches.

    Corrections touching the same album, artist, track or unique value (one
    creating an artist another links, say) depend on their order: they stay
    in one group, in batch order. Groups come in the order of their first
    correction.
    """
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    owners = []
    for i, c in enumerate(corrections):
        keys = sorted(_touches(c)) or [f"correction {i}"]
        for key in keys[1:]:
            parent[find(key)] = find(keys[0])
        owners.append(keys[0])
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(owners):
        groups.setdefault(find(key), []).append(i)
    return list(groups.values())


def _touches(c: Correction) -> set[str]:
    """Return what a correction reads or writes: album, artist, track ids and unique values."""
    if isinstance(c, AlbumChanges):
        return set().union(*(_touches(part) for part in c.parts))
    keys = {c.album_id, getattr(c, "survivor_id", None), getattr(c, "artist_id", None)}
    if isinstance(c, LinkArtist) and c.new_artist:
        keys |= {
            f"artists.{f}={c.new_artist[f]}"
            for f in UNIQUE_ARTIST_FIELDS
            if c.new_artist.get(f) is not None
        }
    if isinstance(c, SetAlbumFields):
        keys |= {
            f"albums.{f}={c.fields[f]}" for f in ALBUM_UNIQUE_FIELDS if c.fields.get(f) is not None
        }
    elif isinstance(c, (AddTracks, SetTracks)):
        keys |= {t["id"] for t in c.tracks}
        keys |= {
            f"tracks.{f}={t[f]}"
            for t in c.tracks
            for f in UNIQUE_TRACK_FIELDS
            if t.get(f) is not None
        }
    elif isinstance(c, RemoveTracks):
        keys |= set(c.track_ids)
    elif isinstance(c, ModifyTracks):
        keys |= set(c.tracks)
        keys |= {
            f"tracks.{f}={v[f]}"
            for v in c.tracks.values()
            for f in UNIQUE_TRACK_FIELDS
            if v.get(f) is not None
        }
    elif isinstance(c, RevertCorrection):  # what its rows name: every id in them
        for op in c.ops:
            keys |= {
                v
                for part in (op.get("where"), op.get("row"), *(op.get("keys") or ()))
                for k, v in (part or {}).items()
                if isinstance(v, str) and (k == "id" or k.endswith("_id"))
            }
            keys |= {op.get("old"), op.get("new")} - {None}
    keys.discard(None)
    return {str(k).lower() for k in keys}


def _replay_one(
    catalog: Catalog, correction: Correction, session: RepairSession, dry_run: bool
) -> Result:
    if isinstance(correction, RevertCorrection):
        revert = _revert_in_target(catalog, correction)
        if isinstance(revert, Result):
            return revert
        correction = revert
    return apply_one(catalog, correction, session, dry_run=dry_run, prepare=True)


def _revert_in_target(catalog: Catalog, revert: RevertCorrection) -> RevertCorrection | Result:
    """Return the undo of what the target recorded for the reverted correction (its own rows)."""
    logged = catalog.logged_correction(revert.reverts)
    catalog.rollback()
    if logged is None:
        return Result(
            revert,
            INVALID,
            f"it undoes correction {revert.reverts}, which this database has not "
            "applied; replay that correction first",
        )
    return replace(revert_of(logged), reason=revert.reason or f"undo {revert.reverts}")


def _interrupted(
    exc: ConnectionFailed, i: int | None, corrections: list[Correction], done: list[Result]
) -> str:
    applied = sum(r.status == "APPLIED" for r in done)
    where = (
        ""
        if i is None
        else (
            f" at correction {i + 1} of {len(corrections)} ({corrections[i].id}), which is "
            "either wholly applied or not at all;"
        )
    )
    return (
        f"{exc} --{where} {applied} applied so far. "
        "Re-run the same batch to finish the rest: what already "
        "reached the database is reported ALREADY_APPLIED"
    )
