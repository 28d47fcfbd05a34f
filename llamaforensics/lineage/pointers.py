"""Parent pointers climbed to their tops by pointer jumping (doubling), as integer arrays.

Jobs are numbered 0..n-1; ``parent[i]`` is the number of job i's parent, or
NO_PARENT, or MISSING_PARENT (it names a job no row has). Each round every
pointer still moving jumps to its target's pointer, so after k rounds it has
climbed 2^k steps and a chain of any depth settles in log2(depth) rounds. A
job whose parent no row has stops there (a break: the highest reachable job is
its root). A job on or under a loop never reaches a top; it is given up on
after more steps than there are jobs, and its loop is found by walking it once.

Measured on 600,000 jobs (2M log rows, 2 cores): one round takes about 20 ms
as NumPy arrays, 180 ms as a DuckDB self-join of temp tables on integer ids
(400 ms on the job-id strings); DuckDB's recursive CTE walking every job up
took 2.1 s, and pointer jumping written as ``WITH RECURSIVE ... USING KEY`` 23 s.
"""

from __future__ import annotations

import math

import numpy as np

NO_PARENT, MISSING_PARENT = -1, -2
ROOT, OK, BROKEN, CYCLE = range(4)
STATUSES = ("root", "ok", "broken", "cycle")  # the names of the status codes, in code order


def climb(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return, per job, the job its parent pointers come to rest on, and the steps taken.

    A job with no parent, or whose parent no row has, points at itself: a top.
    After ceil(log2 n) + 1 rounds every pointer that can reach a top has; the
    ones still moving are on or under a loop, and by then each points at a job
    of its loop (it has walked more steps than there are jobs).
    """
    own = np.arange(len(parent), dtype=parent.dtype)
    pointer = np.where(parent >= 0, parent, own)
    steps = (pointer != own).astype(
        parent.dtype
    )  # on a loop this may wrap round; it is not reported there
    moving = np.flatnonzero(pointer[pointer] != pointer)
    for _ in range(math.ceil(math.log2(max(len(parent), 2))) + 1):
        if not moving.size:
            break
        via = pointer[moving]
        steps[moving] += steps[via]
        pointer[moving] = pointer[via]
        moving = moving[pointer[pointer[moving]] != pointer[moving]]
    return pointer, steps


def classify(parent: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Return each job's status code: ROOT, OK, BROKEN or CYCLE.

    OK reaches a root; BROKEN reaches a missing parent; CYCLE never reaches a top.
    """
    is_top = (
        parent < 0
    )  # a self-loop also points at itself, but it has a parent: it is a loop, not a top
    status = np.select(
        [~is_top[top], parent == NO_PARENT, parent[top] == MISSING_PARENT],
        [CYCLE, ROOT, BROKEN],
        OK,
    )
    return status.astype(np.int8)


def loops(parent: np.ndarray, top: np.ndarray, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return, per job, a member of the loop it is on or under (-1 for none), and if it is on it.

    Walks each loop once from the job its members' pointers rest on: the work is
    the loops' total length, not the number of jobs under them.
    """
    loop = np.full(len(parent), -1, dtype=parent.dtype)
    on_loop = np.zeros(len(parent), dtype=bool)
    looping = np.flatnonzero(status == CYCLE)
    for start in np.unique(top[looping]).tolist():
        if on_loop[start]:
            continue
        members, node = [start], int(parent[start])
        while node != start and len(members) <= len(parent):
            members.append(node)
            node = int(parent[node])
        loop[members], on_loop[members] = start, True
    loop[looping] = loop[top[looping]]
    return loop, on_loop
