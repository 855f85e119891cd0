"""Both cores for the stages that work one article or one pair at a time.

``map_chunks`` splits a list into chunks and runs a function over them in
worker processes started by ``fork``, so the workers inherit the run's state
(the articles, the parameters) without pickling it; only the chunks and the
results travel.  The state is one typed object (a dataclass of the stage's
own), which the chunk functions read with :func:`worker_state`.  Results come
back in input order, so a parallel run gives exactly what a serial one gives.
Where ``fork`` does not exist, or one worker is asked for, the chunks run in
this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
State = TypeVar("State")

# The state a forked worker inherits: set by ``map_chunk_list`` before the pool
# starts (a fork copies it), read by the chunk functions through ``worker_state``.
_state: list[object] = [None]


def worker_state(kind: type[State]) -> State:
    """The state of the map running now, checked to be a ``kind`` (the chunk
    function's own state type)."""
    state = _state[0]
    if not isinstance(state, kind):
        raise RuntimeError(f"no {kind.__name__} state: called outside its map_chunks")
    return state


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


def map_chunks(function: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item],
               workers: int, chunk_size: int, state: object) -> Iterator[list[Result]]:
    """``function`` over consecutive chunks of ``items``, results in order.

    ``state`` is what :func:`worker_state` gives ``function`` in every
    worker.  Small inputs run in this process: starting workers costs more.
    """
    chunks = [items[k:k + chunk_size] for k in range(0, len(items), chunk_size)]
    yield from map_chunk_list(function, chunks, workers, state)


def chunks_at(items: Sequence[Item], starts: Sequence[int], min_size: int
              ) -> list[Sequence[Item]]:
    """``items`` cut into chunks of at least ``min_size`` (the last may be smaller),
    only at ``starts`` (ascending indices where a unit begins, e.g. a group of
    connected articles), so no unit is split between two workers."""
    chunks, start = [], 0
    for end in [*starts, len(items)]:
        if end - start >= min_size or (end == len(items) and end > start):
            chunks.append(items[start:end])
            start = end
    return chunks


def map_chunk_list(function: Callable[[Sequence[Item]], list[Result]],
                   chunks: Sequence[Sequence[Item]], workers: int,
                   state: object) -> Iterator[list[Result]]:
    """Like :func:`map_chunks`, over chunks the caller cut (e.g. at group boundaries)."""
    _state[0] = state
    try:
        can_fork = "fork" in multiprocessing.get_all_start_methods()
        if workers <= 1 or len(chunks) <= 1 or not can_fork:
            yield from map(function, chunks)
            return
        context = multiprocessing.get_context("fork")
        # The workers' garbage collector would otherwise walk, and so write to,
        # every object inherited from this process, copying pages that could
        # have stayed shared (the articles of a large run).
        gc.freeze()
        try:
            with context.Pool(min(workers, len(chunks))) as pool:
                yield from pool.imap(function, chunks)
        finally:
            gc.unfreeze()
    finally:
        _state[0] = None
