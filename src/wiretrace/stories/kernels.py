"""The compiled loops of the story stage (see :mod:`wiretrace.stories.build`).

Union-find over links, the characters covered by sorted spans, and the
greedy choice of each version's sources.  Kept in one module: numba's disk
cache only notices changes to a compiled function's own file, so a kernel
calls only kernels defined beside it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)


@njit(cache=True, nogil=True)
def component_roots(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Union-find over the edges, each root the smallest node of its tree
    (:func:`connected_components`)."""
    parent = np.arange(n)
    for k in range(len(left)):
        x, y = _root(parent, left[k]), _root(parent, right[k])
        if x != y:
            parent[max(x, y)] = min(x, y)
    for x in range(n):
        parent[x] = _root(parent, x)
    return parent


@njit(cache=True, nogil=True, inline="always")
def _root(parent: np.ndarray, x: int) -> int:
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:  # path compression
        parent[x], x = root, parent[x]
    return root


@njit(cache=True, nogil=True)
def covered_runs(bounds: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """:func:`covered_chars` of each run ``bounds[k]:bounds[k + 1]`` of spans
    sorted by (start, end)."""
    out = np.zeros(len(bounds) - 1, dtype=np.int64)
    for k in range(len(bounds) - 1):
        total, reach = 0, -1
        for i in range(bounds[k], bounds[k + 1]):
            if end[i] <= reach:
                continue
            total += end[i] - max(start[i], reach)
            reach = end[i]
        out[k] = total
    return out


@njit(cache=True, nogil=True, inline="always")
def _takes_first(start_a: np.ndarray, end_a: np.ndarray, i: int, count_a: int,
                 start_b: np.ndarray, end_b: np.ndarray, j: int, end_j: int) -> bool:
    """Whether a merge of sorted spans takes ``a[i]`` before ``b[j]`` next."""
    if i == count_a:
        return False
    if j == end_j:
        return True
    return start_a[i] < start_b[j] or (start_a[i] == start_b[j] and end_a[i] <= end_b[j])


@njit(cache=True, nogil=True)
def _covered_together(start_a: np.ndarray, end_a: np.ndarray, count_a: int,
                      start_b: np.ndarray, end_b: np.ndarray, lo: int, hi: int) -> int:
    """:func:`covered_chars` of the sorted spans ``a[:count_a]`` and ``b[lo:hi]`` together."""
    total, reach, i, j = 0, -1, 0, lo
    while i < count_a or j < hi:
        if _takes_first(start_a, end_a, i, count_a, start_b, end_b, j, hi):
            s, e = start_a[i], end_a[i]
            i += 1
        else:
            s, e = start_b[j], end_b[j]
            j += 1
        if e > reach:
            total += e - max(s, reach)
            reach = e
    return total


@njit(cache=True, nogil=True)
def _merge(start_a: np.ndarray, end_a: np.ndarray, count_a: int, start_b: np.ndarray,
           end_b: np.ndarray, lo: int, hi: int, out_start: np.ndarray, out_end: np.ndarray
           ) -> int:
    """The sorted spans ``a[:count_a]`` and ``b[lo:hi]`` merged into ``out``; their count."""
    i, j = 0, lo
    for k in range(count_a + hi - lo):
        if _takes_first(start_a, end_a, i, count_a, start_b, end_b, j, hi):
            out_start[k], out_end[k] = start_a[i], end_a[i]
            i += 1
        else:
            out_start[k], out_end[k] = start_b[j], end_b[j]
            j += 1
    return count_a + hi - lo


@njit(cache=True, nogil=True)
def derivation_edge_pairs(order: np.ndarray, rank: np.ndarray, pair_owner_bounds: np.ndarray,
                          pair_other: np.ndarray, pair_bounds: np.ndarray,
                          start: np.ndarray, end: np.ndarray, min_chars: int) -> np.ndarray:
    """The pair runs (target, source) that become derivation edges, in the order
    the edges are listed (see the module docstring and ``_Spans``).

    Each version in ``order`` (stories one after another) takes its sources
    among the members ranked before it in its story (``rank``): greedily, the
    one whose spans add the most characters to those already explained (the
    earliest on a tie), while that gain is ``min_chars`` or more.
    """
    chosen = np.empty(len(pair_other), dtype=np.int64)
    count = 0
    for target in order:
        lo, hi = pair_owner_bounds[target], pair_owner_bounds[target + 1]
        earlier = np.empty(hi - lo, dtype=np.int64)
        n, capacity = 0, 0
        for run in range(lo, hi):
            if rank[pair_other[run]] < rank[target]:
                earlier[n] = run
                n += 1
                capacity += pair_bounds[run + 1] - pair_bounds[run]
        if n:
            earlier = earlier[:n][np.argsort(rank[pair_other[earlier[:n]]])]
            count = _choose_sources(earlier, pair_bounds, start, end, capacity, min_chars,
                                    chosen, count)
    return chosen[:count]


@njit(cache=True, nogil=True)
def _choose_sources(earlier: np.ndarray, pair_bounds: np.ndarray, start: np.ndarray,
                    end: np.ndarray, capacity: int, min_chars: int, chosen: np.ndarray,
                    count: int) -> int:
    """One version's sources among the pair runs ``earlier`` (earliest first), appended
    to ``chosen`` from ``count`` on; the new count."""
    explained_start, explained_end = np.empty(capacity, np.int64), np.empty(capacity, np.int64)
    spare_start, spare_end = np.empty(capacity, np.int64), np.empty(capacity, np.int64)
    explained = 0
    taken = np.zeros(len(earlier), dtype=np.bool_)
    for _ in range(len(earlier)):
        already = _covered_together(explained_start, explained_end, explained, start, end, 0, 0)
        best, best_gain = -1, 0
        for k in range(len(earlier)):
            if taken[k]:
                continue
            run = earlier[k]
            gain = _covered_together(explained_start, explained_end, explained, start, end,
                                     pair_bounds[run], pair_bounds[run + 1]) - already
            if best < 0 or gain > best_gain:
                best, best_gain = k, gain
        if best_gain < min_chars:
            break
        run = earlier[best]
        explained = _merge(explained_start, explained_end, explained, start, end,
                           pair_bounds[run], pair_bounds[run + 1], spare_start, spare_end)
        explained_start, spare_start = spare_start, explained_start
        explained_end, spare_end = spare_end, explained_end
        taken[best] = True
        chosen[count] = run
        count += 1
    return count


def warm_up() -> None:
    """Compile (or load from the disk cache) the kernels."""
    one = np.zeros(1, dtype=np.int64)
    bounds = np.array([0, 1], dtype=np.int64)
    covered_runs(bounds, one, one)
    derivation_edge_pairs(one, one, bounds, one, bounds, one, one, 1)
    component_roots(1, one, one)
