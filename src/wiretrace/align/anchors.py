"""Anchors and diagonal runs of one pair of texts, in one compiled pass (numba).

The first steps of exact-match alignment (see :mod:`.chains`): every word
n-gram two texts share becomes an anchor ``(i, j)``; anchors on one diagonal
close together become a *run*.  Written with NumPy these were a dozen small
array operations per pair, and on news-length texts the cost of each call,
not the arithmetic, was most of the alignment of a large corpus; here they
are one walk along both texts' sorted n-grams (a merge join, no binary
searches) and one pass over the anchors, with no sorting.

The results are exactly those of the NumPy formulation they replace: runs
ordered by their start in a then in b.
"""

from __future__ import annotations

import numpy as np
from numba import njit  # noqa: E402

import wiretrace.kernels  # noqa: F401  (imports numba without its half-second BLAS check)


@njit(cache=True, nogil=True)
def anchor_runs(order_a: np.ndarray, sorted_a: np.ndarray, order_b: np.ndarray,
                sorted_b: np.ndarray, ignore_a: np.ndarray, ignore_b: np.ndarray, n: int,
                max_gap: int, max_repeats: int) -> np.ndarray:
    """Runs ``(a_first, a_end, b_first, b_end, words of a covered)`` as a ``(k, 5)`` array.

    ``sorted_a``/``sorted_b`` are each text's n-gram hashes sorted, and
    ``order_a``/``order_b`` their positions (a stable sort: equal n-grams in
    text order).  An n-gram more than ``max_repeats`` times in either text
    anchors nothing; an anchor touching a token flagged in
    ``ignore_a``/``ignore_b`` (empty arrays: nothing flagged) is left out.
    Anchors on one diagonal at most ``max_gap`` words apart form one run.

    The shared n-grams are found by walking both sorted lists at once; the
    anchors are then bucketed by their position in a, so the runs come out
    already in order without sorting anything.
    """
    use_ignore_a, use_ignore_b = len(ignore_a) > 0, len(ignore_b) > 0
    n_a, n_b = len(sorted_a), len(sorted_b)
    # 1. the n-grams both texts hold, each as its ranges in the two sorted lists
    shared = np.empty((min(n_a, n_b), 4), dtype=np.int64)
    n_shared = 0
    x = y = 0
    while x < n_a and y < n_b:
        if sorted_a[x] < sorted_b[y]:
            x += 1
        elif sorted_b[y] < sorted_a[x]:
            y += 1
        else:
            x_end, y_end = x + 1, y + 1
            while x_end < n_a and sorted_a[x_end] == sorted_a[x]:
                x_end += 1
            while y_end < n_b and sorted_b[y_end] == sorted_b[y]:
                y_end += 1
            if x_end - x <= max_repeats and y_end - y <= max_repeats:
                shared[n_shared, 0], shared[n_shared, 1] = x, x_end
                shared[n_shared, 2], shared[n_shared, 3] = y, y_end
                n_shared += 1
            x, y = x_end, y_end
    # 2. anchors bucketed by i: how many per i, where each bucket starts, then filled
    per_i = np.zeros(n_a + 1, dtype=np.int64)
    for g in range(n_shared):
        for xa in range(shared[g, 0], shared[g, 1]):
            per_i[order_a[xa] + 1] += shared[g, 3] - shared[g, 2]
    bucket = np.cumsum(per_i)
    count = bucket[n_a]
    if count == 0:
        return np.empty((0, 5), dtype=np.int64)
    anchor_j = np.empty(count, dtype=np.int64)
    filled = bucket[:n_a].copy()
    for g in range(n_shared):
        for xa in range(shared[g, 0], shared[g, 1]):
            i = order_a[xa]
            for yb in range(shared[g, 2], shared[g, 3]):  # j ascending: the sort was stable
                anchor_j[filled[i]] = order_b[yb]
                filled[i] += 1
    # 3. runs: anchors taken by i, then j; each diagonal remembers its open run
    open_run = np.full(n_a + n_b + 1, -1, dtype=np.int64)
    runs = np.empty((count, 5), dtype=np.int64)
    n_runs = 0
    for i in range(n_a):
        if use_ignore_a and (ignore_a[i] or ignore_a[i + n - 1]):
            continue
        for k in range(bucket[i], bucket[i + 1]):
            j = anchor_j[k]
            if use_ignore_b and (ignore_b[j] or ignore_b[j + n - 1]):
                continue
            diagonal = i - j + n_b
            r = open_run[diagonal]
            if r >= 0 and i - (runs[r, 1] - n) <= max_gap + n:
                # words of a each anchor adds: up to the next anchor of its run
                runs[r, 4] += min(i - (runs[r, 1] - n), n) - n
                runs[r, 1], runs[r, 3] = i + n, j + n
                runs[r, 4] += n
            else:
                runs[n_runs, 0], runs[n_runs, 1] = i, i + n
                runs[n_runs, 2], runs[n_runs, 3] = j, j + n
                runs[n_runs, 4] = n
                open_run[diagonal] = n_runs
                n_runs += 1
    return runs[:n_runs]


def warm_up() -> None:
    """Compile (or load from the disk cache) the kernel, e.g. before forking workers."""
    grams = np.arange(4, dtype=np.uint64)
    order = np.arange(4, dtype=np.int64)
    anchor_runs(order, grams, order, grams, np.zeros(0, np.bool_), np.zeros(0, np.bool_), 3,
                12, 8)
    wiretrace.kernels.gram_index(grams, 3)
