"""Sentence similarity of one pair of texts, in compiled passes (numba).

The per-pair arithmetic of :mod:`.sentences`: tf-idf weights over the two
texts' shared vocabulary, cosine and Dice of every sentence pair sharing a
term, the cosine of two runs of sentences, and the sentence pairs an exact
chain runs through.  Written with NumPy these were a few dozen calls on
arrays of a few hundred elements, and the cost of each call, not the
arithmetic, was most of the sentence stage.

Sums are taken in the order NumPy's ``bincount`` takes them (postings in
order), so weights, norms, dot products and seed strengths are the very
values the NumPy formulation gives; only :func:`fragment_cosine` sums its
dot products in vocabulary order where NumPy hands them to BLAS.
"""

from __future__ import annotations

import numpy as np
from numba import njit

import wiretrace.kernels  # noqa: F401  (imports numba without its half-second BLAS check)


@njit(cache=True, nogil=True)
def pair_weights(vocabulary_a: np.ndarray, holding_a: np.ndarray, index_a: np.ndarray,
                 counts_a: np.ndarray, vocabulary_b: np.ndarray, holding_b: np.ndarray,
                 index_b: np.ndarray, counts_b: np.ndarray, idf: np.ndarray):
    """tf-idf weights of both texts' postings: ``(local_a, weights_a, local_b, weights_b, size)``.

    ``vocabulary_*`` are each text's distinct terms ascending, ``holding_*``
    how many of its sentences hold each, ``index_*`` each posting's term as
    an index into the vocabulary; ``idf[df - 1]`` is the idf of a term held
    by ``df`` sentences of the two texts.  ``local_*`` number the terms of
    both texts together, in ascending order.
    """
    n_a, n_b = len(vocabulary_a), len(vocabulary_b)
    local_of_a = np.empty(n_a, dtype=np.int64)
    local_of_b = np.empty(n_b, dtype=np.int64)
    df = np.empty(n_a + n_b, dtype=np.int64)
    x = y = size = 0
    while x < n_a or y < n_b:
        if y == n_b or (x < n_a and vocabulary_a[x] < vocabulary_b[y]):
            local_of_a[x], df[size] = size, holding_a[x]
            x += 1
        elif x == n_a or vocabulary_b[y] < vocabulary_a[x]:
            local_of_b[y], df[size] = size, holding_b[y]
            y += 1
        else:
            local_of_a[x], local_of_b[y] = size, size
            df[size] = holding_a[x] + holding_b[y]
            x += 1
            y += 1
        size += 1
    local_a = np.empty(len(index_a), dtype=np.int64)
    weights_a = np.empty(len(index_a), dtype=np.float64)
    for p in range(len(index_a)):
        local_a[p] = local_of_a[index_a[p]]
        weights_a[p] = counts_a[p] * idf[df[local_a[p]] - 1]
    local_b = np.empty(len(index_b), dtype=np.int64)
    weights_b = np.empty(len(index_b), dtype=np.float64)
    for p in range(len(index_b)):
        local_b[p] = local_of_b[index_b[p]]
        weights_b[p] = counts_b[p] * idf[df[local_b[p]] - 1]
    return local_a, weights_a, local_b, weights_b, size


@njit(cache=True, nogil=True)
def similar_pairs(rows_a: np.ndarray, local_a: np.ndarray, weights_a: np.ndarray, n_a: int,
                  rows_b: np.ndarray, local_b: np.ndarray, weights_b: np.ndarray, n_b: int,
                  size: int, threshold: float, best_share: float):
    """Seed pairs ``(i, j, strength)`` in ``(i, j)`` order; see ``sentences.similar_sentences``."""
    norms_a = np.zeros(n_a)
    sizes_a = np.zeros(n_a, dtype=np.int64)
    for p in range(len(rows_a)):
        norms_a[rows_a[p]] += weights_a[p] * weights_a[p]
        sizes_a[rows_a[p]] += 1
    norms_b = np.zeros(n_b)
    sizes_b = np.zeros(n_b, dtype=np.int64)
    for p in range(len(rows_b)):
        norms_b[rows_b[p]] += weights_b[p] * weights_b[p]
        sizes_b[rows_b[p]] += 1
    norms_a, norms_b = np.sqrt(norms_a), np.sqrt(norms_b)
    # b's postings grouped by term, in posting order within a term
    group = np.zeros(size + 1, dtype=np.int64)
    for p in range(len(local_b)):
        group[local_b[p] + 1] += 1
    for t in range(size):
        group[t + 1] += group[t]
    by_term = np.empty(len(local_b), dtype=np.int64)
    filled = group[:size].copy()
    for p in range(len(local_b)):
        by_term[filled[local_b[p]]] = p
        filled[local_b[p]] += 1
    dots = np.zeros(n_b)
    shared = np.zeros(n_b, dtype=np.int64)
    touched = np.empty(n_b, dtype=np.int64)
    capacity = 64
    out_i = np.empty(capacity, dtype=np.int64)
    out_j = np.empty(capacity, dtype=np.int64)
    out_s = np.empty(capacity, dtype=np.float64)
    kept = 0
    p = 0
    while p < len(rows_a):
        i = rows_a[p]
        n_touched = 0
        # a's postings of sentence i in term order: each pair's dot product is
        # summed in the order NumPy's bincount summed it
        while p < len(rows_a) and rows_a[p] == i:
            t = local_a[p]
            for k in range(group[t], group[t + 1]):
                q = by_term[k]
                j = rows_b[q]
                if shared[j] == 0:
                    touched[n_touched] = j
                    n_touched += 1
                dots[j] += weights_a[p] * weights_b[q]
                shared[j] += 1
            p += 1
        for j in np.sort(touched[:n_touched]):
            denominator = norms_a[i] * norms_b[j]
            cosine = dots[j] / denominator if denominator != 0 else 0.0
            dice = 2 * shared[j] / (sizes_a[i] + sizes_b[j])
            strength = min(cosine, dice)
            if shared[j] >= 2 and strength >= threshold:
                if kept == capacity:
                    capacity *= 2
                    out_i = np.concatenate((out_i, np.empty(capacity - kept, dtype=np.int64)))
                    out_j = np.concatenate((out_j, np.empty(capacity - kept, dtype=np.int64)))
                    out_s = np.concatenate((out_s, np.empty(capacity - kept)))
                out_i[kept], out_j[kept], out_s[kept] = i, j, strength
                kept += 1
            dots[j], shared[j] = 0.0, 0
    # a pair must be among the best matches of one of its two sentences
    best_a = np.zeros(n_a)
    best_b = np.zeros(n_b)
    for k in range(kept):
        best_a[out_i[k]] = max(best_a[out_i[k]], out_s[k])
        best_b[out_j[k]] = max(best_b[out_j[k]], out_s[k])
    chosen = 0
    for k in range(kept):
        if out_s[k] >= best_share * min(best_a[out_i[k]], best_b[out_j[k]]):
            out_i[chosen], out_j[chosen], out_s[chosen] = out_i[k], out_j[k], out_s[k]
            chosen += 1
    return out_i[:chosen], out_j[:chosen], out_s[:chosen]


@njit(cache=True, nogil=True)
def fragment_cosine(rows_a: np.ndarray, local_a: np.ndarray, weights_a: np.ndarray,
                    rows_b: np.ndarray, local_b: np.ndarray, weights_b: np.ndarray, size: int,
                    a_start: int, a_stop: int, b_start: int, b_stop: int) -> float:
    """Cosine of sentences ``a_start:a_stop`` of a and ``b_start:b_stop`` of b, each summed."""
    summed_a = np.zeros(size)
    for p in range(np.searchsorted(rows_a, a_start), np.searchsorted(rows_a, a_stop)):
        summed_a[local_a[p]] += weights_a[p]
    summed_b = np.zeros(size)
    for p in range(np.searchsorted(rows_b, b_start), np.searchsorted(rows_b, b_stop)):
        summed_b[local_b[p]] += weights_b[p]
    dot = square_a = square_b = 0.0
    for t in range(size):
        dot += summed_a[t] * summed_b[t]
        square_a += summed_a[t] * summed_a[t]
        square_b += summed_b[t] * summed_b[t]
    norm = np.sqrt(square_a) * np.sqrt(square_b)
    return dot / norm if norm != 0 else 0.0


@njit(cache=True, nogil=True)
def _rows_overlapping(starts: np.ndarray, ends: np.ndarray, start: int, end: int
                      ) -> tuple[int, int]:
    """First and one past the last sentence of which ``[start, end)`` covers at least half."""
    first, stop = -1, -1
    for row in range(np.searchsorted(ends, start, side="right"),
                     np.searchsorted(starts, end, side="left")):
        overlap = max(0, min(end, ends[row]) - max(start, starts[row]))
        if 2 * overlap >= ends[row] - starts[row]:
            if first < 0:
                first = row
            stop = row + 1
    return (first, stop) if first >= 0 else (0, 0)


@njit(cache=True, nogil=True)
def _count_at_most(ascending: np.ndarray, value: float) -> int:
    """How many of ``ascending`` are at most ``value`` (NumPy's ``searchsorted``, right side)."""
    low, high = 0, len(ascending)
    while low < high:
        middle = (low + high) // 2
        if ascending[middle] <= value:
            low = middle + 1
        else:
            high = middle
    return low


@njit(cache=True, nogil=True)
def chain_seeds(chains: np.ndarray, starts_a: np.ndarray, ends_a: np.ndarray,
                starts_b: np.ndarray, ends_b: np.ndarray) -> np.ndarray:
    """Sentence pairs ``(i, j)`` exact chains ``(a_start, a_end, b_start, b_end)`` run through.

    Each sentence of a that a chain covers at least half of is paired with the
    sentence of b holding the chain's counterpart of the middle of its covered
    part (offsets mapped in proportion along the chain).  Repeats are kept.
    """
    total = 0
    for c in range(len(chains)):
        first, stop = _rows_overlapping(starts_a, ends_a, chains[c, 0], chains[c, 1])
        total += stop - first
    seeds = np.empty((total, 2), dtype=np.int64)
    count = 0
    for c in range(len(chains)):
        a_start, a_end, b_start, b_end = chains[c, 0], chains[c, 1], chains[c, 2], chains[c, 3]
        ratio = (b_end - b_start) / max(1, a_end - a_start)
        first, stop = _rows_overlapping(starts_a, ends_a, a_start, a_end)
        for i in range(first, stop):
            covered_start, covered_end = max(a_start, starts_a[i]), min(a_end, ends_a[i])
            middle_b = b_start + ((covered_start + covered_end) / 2 - a_start) * ratio
            j = _count_at_most(ends_b, middle_b)
            if j < len(starts_b) and starts_b[j] <= middle_b:
                seeds[count, 0], seeds[count, 1] = i, j
                count += 1
    return seeds[:count]


@njit(cache=True, nogil=True)
def mostly_ignored(token_first: np.ndarray, token_end: np.ndarray, ignore: np.ndarray
                   ) -> np.ndarray:
    """Whether more than half of each sentence's tokens are flagged in ``ignore``."""
    out = np.zeros(len(token_first), dtype=np.bool_)
    for row in range(len(token_first)):
        flagged = 0
        for t in range(token_first[row], token_end[row]):
            if ignore[t]:
                flagged += 1
        out[row] = 2 * flagged > token_end[row] - token_first[row]
    return out


def warm_up() -> None:
    """Compile (or load from the disk cache) the kernels."""
    ints, floats = np.zeros(1, dtype=np.int64), np.ones(1)
    local_a, weights_a, local_b, weights_b, size = pair_weights(
        ints, ints + 1, ints, floats, ints, ints + 1, ints, floats, floats)
    similar_pairs(ints, local_a, weights_a, 1, ints, local_b, weights_b, 1, size, 0.5, 0.8)
    fragment_cosine(ints, local_a, weights_a, ints, local_b, weights_b, size, 0, 1, 0, 1)
    chain_seeds(np.zeros((1, 4), dtype=np.int64), ints, ints + 1, ints, ints + 1)
    mostly_ignored(ints, ints + 1, np.zeros(1, dtype=np.bool_))
