"""Anchors and diagonal runs of one pair of texts, in one compiled pass (numba).

The first steps of exact-match alignment (see :mod:`.chains`): every word
n-gram two texts share becomes an anchor ``(i, j)``; anchors on one diagonal
close together become a *run*.  Written with NumPy these were a dozen small
array operations per pair, and on news-length texts the cost of each call,
not the arithmetic, was most of the alignment of a large corpus; here they
are one loop over the n-grams of a and one sort of the anchors.

The results are exactly those of the NumPy formulation they replace: anchors
ordered by ``i`` then ``j``, runs ordered by their start in a then in b.
"""

from __future__ import annotations

import numpy as np
from numba import njit  # noqa: E402

import wiretrace.kernels  # noqa: F401  (imports numba without its half-second BLAS check)


@njit(cache=True, nogil=True)
def anchor_runs(grams_a: np.ndarray, repeats_a: np.ndarray, order_b: np.ndarray,
                sorted_b: np.ndarray, ignore_a: np.ndarray, ignore_b: np.ndarray, n: int,
                max_gap: int, max_repeats: int) -> np.ndarray:
    """Runs ``(a_first, a_end, b_first, b_end, words of a covered)`` as a ``(k, 5)`` array.

    ``grams_a`` are a's n-gram hashes and ``repeats_a`` how often each occurs
    in a; ``sorted_b`` are b's n-gram hashes sorted, ``order_b`` their
    positions (stable order).  An n-gram more than ``max_repeats`` times in
    either text anchors nothing; an anchor touching a token flagged in
    ``ignore_a``/``ignore_b`` (empty arrays: nothing flagged) is left out.
    Anchors on one diagonal at most ``max_gap`` words apart form one run.
    """
    use_ignore_a, use_ignore_b = len(ignore_a) > 0, len(ignore_b) > 0
    # anchors, i ascending and j ascending within one i
    capacity = 64
    anchors_i = np.empty(capacity, dtype=np.int64)
    anchors_j = np.empty(capacity, dtype=np.int64)
    count = 0
    for i in range(len(grams_a)):
        if repeats_a[i] > max_repeats:
            continue
        lo = np.searchsorted(sorted_b, grams_a[i], side="left")
        hi = np.searchsorted(sorted_b, grams_a[i], side="right")
        if hi == lo or hi - lo > max_repeats:
            continue
        if use_ignore_a and (ignore_a[i] or ignore_a[i + n - 1]):
            continue
        for k in range(lo, hi):
            j = order_b[k]
            if use_ignore_b and (ignore_b[j] or ignore_b[j + n - 1]):
                continue
            if count == capacity:
                capacity *= 2
                anchors_i = np.concatenate((anchors_i, np.empty(capacity - count, np.int64)))
                anchors_j = np.concatenate((anchors_j, np.empty(capacity - count, np.int64)))
            anchors_i[count] = i
            anchors_j[count] = j
            count += 1
    if count == 0:
        return np.empty((0, 5), dtype=np.int64)
    anchors_i, anchors_j = anchors_i[:count], anchors_j[:count]
    # group by diagonal, then by position in a: (diagonal, i) is unique
    span = len(grams_a) + 1
    keys = (anchors_i - anchors_j + len(sorted_b)) * span + anchors_i
    order = np.argsort(keys)
    runs = np.empty((count, 5), dtype=np.int64)
    n_runs = 0
    first = 0
    i_next = 0
    for k in range(count):
        i, j = anchors_i[order[k]], anchors_j[order[k]]
        last = k + 1 == count
        if not last:
            i_next, j_next = anchors_i[order[k + 1]], anchors_j[order[k + 1]]
            breaks = i_next - j_next != i - j or i_next - i > max_gap + n
        else:
            breaks = True
        if k == first:
            runs[n_runs, 0], runs[n_runs, 2], runs[n_runs, 4] = i, j, 0
        # words of a each anchor adds: up to the next anchor of its run, n for the last
        runs[n_runs, 4] += n if breaks else min(i_next - i, n)
        if breaks:
            runs[n_runs, 1], runs[n_runs, 3] = i + n, j + n
            n_runs += 1
            first = k + 1
    runs = runs[:n_runs]
    by_start = np.argsort(runs[:, 0] * (len(sorted_b) + 1) + runs[:, 2])
    return runs[by_start]


def warm_up() -> None:
    """Compile (or load from the disk cache) the kernel, e.g. before forking workers."""
    grams = np.arange(4, dtype=np.uint64)
    anchor_runs(grams, np.ones(4, np.int64), np.arange(4), grams, np.zeros(0, np.bool_),
                np.zeros(0, np.bool_), 3, 12, 8)
