"""The demo catalog as data: :class:`DemoData`, planned by :func:`generate`, built in chunks.

The writers read it through :func:`prefetched`, so the next chunk is generated
while the current one is written.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from queue import Queue
from threading import Thread

import pyarrow as pa

from .chunk import CHUNK_ALBUMS, Chunk, People, build_chunk
from .people import ADMINS, collection_ids, user_count, user_ids, users_tables
from .shapes import DEMO_TABLES, arrow_schema

ALBUMS_PER_SCALE = 2000
# Below this many albums the chunks are kept after the first pass (tests and the default demo).
CACHE_ALBUMS = 200_000


@dataclass
class DemoData:
    """Generated demo data: per-table Arrow tables, chunk by chunk, and the ground truth."""

    seed: int
    scale: float
    anomalies: bool
    n_albums: int
    people_tables: dict[str, pa.Table]
    people: People
    _cache: list[Chunk] | None = field(default=None, repr=False)
    _truth: pa.Table | None = field(default=None, repr=False)

    @property
    def source(self) -> str:
        return f"demo:seed={self.seed},scale={self.scale:g}" + ("" if self.anomalies else ",clean")

    def chunks(self) -> Iterator[Chunk]:
        """Yield the data chunk by chunk (regenerated on each pass when too large to keep)."""
        if self._cache is not None:
            yield from self._cache
            return
        keep: list[Chunk] | None = [] if self.n_albums <= CACHE_ALBUMS else None
        truths = []
        batch_base = 0
        for i, start in enumerate(range(0, self.n_albums, CHUNK_ALBUMS)):
            n = min(CHUNK_ALBUMS, self.n_albums - start)
            chunk, batch_base = build_chunk(
                self.seed, i, n, start, batch_base, self.people, self.anomalies
            )
            truths.append(chunk.truth)
            if keep is not None:
                keep.append(chunk)
            yield chunk
        self._truth = pa.concat_tables(truths)
        if keep is not None:
            self._cache = keep

    def batches(self, table: str) -> Iterator[pa.Table]:
        """Yield the rows of one upstream table, a chunk at a time."""
        if table in self.people_tables:
            yield self.people_tables[table]
            return
        for chunk in self.chunks():
            if table in chunk.tables:
                yield chunk.tables[table]

    def table(self, name: str) -> pa.Table:
        """Return a whole table at once (small scales only)."""
        return (
            pa.concat_tables(list(self.batches(name)))
            if name in DEMO_TABLES
            else arrow_schema(name).empty_table()
        )

    @property
    def ground_truth(self) -> pa.Table:
        """Return every planted anomaly: kind, entity_type (ALBUM or LOG), entity_id, detail."""
        if self._truth is None:
            for _ in self.chunks():
                pass
        return self._truth


def generate(scale: float = 1.0, seed: int = 42, *, anomalies: bool = True) -> DemoData:
    """Plan the demo catalog: ``scale`` x 2,000 albums, deterministic from ``seed``.

    With ``anomalies=False`` nothing is planted: a clean control catalog on
    which no finding should fire.
    """
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"scale must be a positive number, not {scale!r}")
    n_albums = max(1000, round(ALBUMS_PER_SCALE * scale))
    n_users = user_count(scale)
    people_tables = users_tables(seed, n_users)
    ids = user_ids(seed, n_users)
    people = People(n_users, ids, ids.slice(0, ADMINS), collection_ids(seed, n_users))
    return DemoData(seed, scale, anomalies, n_albums, people_tables, people)


def prefetched(items: Iterator, depth: int = 1) -> Iterator:
    """Yield ``items``, producing the next ones in a thread meanwhile (generation overlaps COPY)."""
    queue: Queue = Queue(maxsize=depth)
    done = object()

    def produce() -> None:
        try:
            for item in items:
                queue.put(item)
            queue.put(done)
        except BaseException as exc:  # handed to the consumer, raised there
            queue.put(exc)

    Thread(target=produce, daemon=True, name="demo-chunks").start()
    while (item := queue.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item
