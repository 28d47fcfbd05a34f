"""A lineage graph as an outline (tops first, children in time order), shown a window at a time.

A chain 100,000 jobs deep is one outline entry per job; printing it whole with
indentation that grows with depth built 2^31 bytes of text. The outline is
walked lazily (iteratively: chains are far deeper than Python's recursion
limit), and only a window is kept: the first ``head`` entries and a ring of the
last ``tail`` (or an explicit range), so what is held and printed grows with
what is shown, not with the chain's depth. The count and the deepest depth are
stated, so an elided middle is never silent.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

import duckdb
import networkx as nx

from ..errors import UsageError
from . import graph as lineage_graph

HEAD, TAIL = 40, 20


@dataclass(frozen=True)
class Entry:
    """One line of the outline: a job at a depth; ``again`` names why it is not expanded here."""

    position: int
    job: str
    depth: int
    again: str | None = (
        None  # "loop" (an ancestor of itself here) or "shown" (a second parent's child)
    )


@dataclass
class Window:
    """The shown entries of an outline, with what was left out, counted."""

    entries: list[Entry] = field(default_factory=list)
    total: int = 0
    deepest: int = 0
    elided: tuple[int, int] | None = None  # positions [start, end) left out between head and tail

    @property
    def jobs(self) -> list[str]:
        """Return the distinct jobs shown, in outline order."""
        return list(dict.fromkeys(e.job for e in self.entries))


def outline(graph: nx.DiGraph) -> Iterator[Entry]:
    """Yield the graph's jobs tops first, each followed by its children in time order, depth first.

    Edges go child -> parent, so a job with two parents is met under each: it
    is expanded under the first, and marked ``shown`` under the other. A job
    met again below itself is marked ``loop``. Jobs on a loop with no top are
    walked from the smallest id.
    """
    tops = sorted((j for j in graph.nodes if not any(p != j for p in graph.successors(j))), key=str)
    seen: set[str] = set()
    position = 0
    for start in tops + sorted(graph.nodes, key=str):
        if start in seen:
            continue
        path: list[
            str
        ] = []  # the ancestors of the entry being yielded, for telling a loop from a second parent
        on_path: set[str] = set()
        stack = [(start, 0)]
        while stack:
            job, depth = stack.pop()
            while len(path) > depth:
                on_path.discard(path.pop())
            again = "loop" if job in on_path else ("shown" if job in seen else None)
            yield Entry(position, job, depth, again)
            position += 1
            if again:
                continue
            seen.add(job)
            path.append(job)
            on_path.add(job)
            children = sorted(
                (c for c in graph.predecessors(job) if c != job), key=lambda c: _started(graph, c)
            )
            stack.extend((child, depth + 1) for child in reversed(children))


def window(
    entries: Iterator[Entry], shown: range | None = None, head: int = HEAD, tail: int = TAIL
) -> Window:
    """Keep the entries in ``shown`` (positions), or the first ``head`` and the last ``tail``."""
    found = Window()
    last: deque[Entry] = deque(maxlen=tail)
    for entry in entries:
        found.total += 1
        found.deepest = max(found.deepest, entry.depth)
        if shown is not None:
            if entry.position in shown:
                found.entries.append(entry)
        elif entry.position < head:
            found.entries.append(entry)
        else:
            last.append(entry)
    if shown is None:
        if last and last[0].position > head:
            found.elided = (head, last[0].position)
        found.entries.extend(last)
    return found


def parse_range(text: str) -> range:
    """Return the outline positions ``START:END`` names (END excluded; either may be left out)."""
    start, colon, end = text.partition(":")
    try:
        first = int(start.replace(",", "").replace("_", "")) if start.strip() else 0
        stop = int(end.replace(",", "").replace("_", "")) if end.strip() else 2**63 - 1
    except ValueError:
        raise UsageError(
            f"--range wants START:END (outline positions, END excluded), not {text!r}"
        ) from None
    if not colon or first < 0 or stop <= first:
        raise UsageError(f"--range wants START:END with 0 <= START < END, not {text!r}")
    return range(first, stop)


def _started(graph: nx.DiGraph, job: str) -> tuple:
    first = graph.nodes[job].get("first_at")
    return (first is None, first or 0, str(job))


def drawable(
    con: duckdb.DuckDBPyConnection,
    graph: nx.DiGraph,
    shown: Window | None = None,
    title: str = "job lineage",
) -> tuple[nx.DiGraph, str]:
    """Return the graph to draw and its title: a small graph whole, a large one as its shown jobs.

    A figure of 100,000 jobs is a page no browser can use; the shown window
    (the outline's ends, or a range) is drawn instead, with its rows, and the
    title says how many of how many jobs it holds.
    """
    shown = shown or window(outline(graph))
    whole = shown.elided is None and len(shown.entries) == shown.total
    # the limit is read from its module at each call, so a test (or a caller) can lower it
    if whole and graph.number_of_nodes() <= lineage_graph.ROWS_ATTACHED_UP_TO:
        return graph, title
    part = graph.subgraph(shown.jobs).copy()
    drawn = [job for job in part.nodes if not part.nodes[job].get("missing")]
    lineage_graph.attach_rows(con, part, drawn)
    return part, (
        f"{title}: {len(shown.jobs):,} of {shown.total:,} jobs shown (depth {shown.deepest:,}); "
        "--range START:END draws others"
    )
