"""Seeds of reworded passages between two texts, in one compiled call a pair (numba).

The first half of the sentence stage (see :mod:`.sentences`): tf-idf weights
over the two texts' shared vocabulary, cosine and Dice of every sentence pair
sharing a term, the sentence pairs exact chains run through, and sentences
that are mostly boilerplate; :func:`sentence_seeds` combines them into the
seeds :mod:`.clusters` groups into passages.  Written with NumPy these were a
few dozen calls on arrays of a few hundred elements, and the cost of each
call, not the arithmetic, was most of the sentence stage.

Sums are taken in the order NumPy's ``bincount`` takes them (postings in
order), so weights, norms, dot products and seed strengths are the very
values the NumPy formulation gives.

Compiled functions here call only functions of this module: numba's disk
cache notices a change to the file a function is in, not to the files of
the functions it calls.
"""

from __future__ import annotations

import numpy as np
from numba import njit

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)

# A seed must reach this share of the best cosine of one of its sentences.
BEST_MATCH_SHARE = 0.8
# A summary sentence condenses several source sentences, so it shares fewer of
# its terms with any one of them: summary seeds are looser by this factor.
SUMMARY_SEED_SHARE = 0.75


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
        # in order of j: sorted in place when few, else all of b's sentences scanned
        if n_touched <= 32:
            for x in range(1, n_touched):
                value, y = touched[x], x - 1
                while y >= 0 and touched[y] > value:
                    touched[y + 1] = touched[y]
                    y -= 1
                touched[y + 1] = value
        else:
            n_touched = 0
            for j in range(n_b):
                if shared[j]:
                    touched[n_touched] = j
                    n_touched += 1
        for x in range(n_touched):
            j = touched[x]
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


@njit(cache=True, nogil=True)
def sentence_seeds(starts_a, ends_a, first_a, end_a, rows_a, counts_a, index_a, vocabulary_a,
                   holding_a, starts_b, ends_b, first_b, end_b, rows_b, counts_b, index_b,
                   vocabulary_b, holding_b, chains, ignore_a, ignore_b, idf, similarity):
    """Seeds of a pair: ``(seeds, loose, strength, local_a, weights_a, local_b, weights_b, size)``.

    Arrays of each text's sentences (see ``sentences.Sentences``) and the
    exact passages ``chains`` ``(a_start, a_end, b_start, b_end)``;
    ``ignore_*`` flag boilerplate tokens (empty: none), whose sentences seed
    nothing.  ``seeds`` are the pairs ``(i, j)`` exact chains run through
    and those at least ``similarity`` alike; ``loose`` the former and those
    ``SUMMARY_SEED_SHARE`` as alike, with their ``strength`` (1 for exact
    ones), what summaries are found from; both ordered by ``(i, j)``.  Then
    the tf-idf weights of both texts' postings.
    """
    n_a, n_b = len(starts_a), len(starts_b)
    local_a, weights_a, local_b, weights_b, size = pair_weights(
        vocabulary_a, holding_a, index_a, counts_a, vocabulary_b, holding_b, index_b, counts_b,
        idf)
    # a sentence inside exact wording is already placed: it seeds only there
    placed = chain_seeds(chains, starts_a, ends_a, starts_b, ends_b)
    exact = np.unique(placed[:, 0] * n_b + placed[:, 1])
    placed_a, placed_b = np.zeros(n_a, dtype=np.bool_), np.zeros(n_b, dtype=np.bool_)
    for k in range(len(exact)):
        placed_a[exact[k] // n_b], placed_b[exact[k] % n_b] = True, True
    skip_a = mostly_ignored(first_a, end_a, ignore_a) if len(ignore_a) else np.zeros(
        n_a, dtype=np.bool_)
    skip_b = mostly_ignored(first_b, end_b, ignore_b) if len(ignore_b) else np.zeros(
        n_b, dtype=np.bool_)
    i, j, strength = similar_pairs(rows_a, local_a, weights_a, n_a, rows_b, local_b, weights_b,
                                   n_b, size, SUMMARY_SEED_SHARE * similarity, BEST_MATCH_SHARE)
    keep = np.zeros(len(i), dtype=np.bool_)
    for k in range(len(i)):
        keep[k] = not (skip_a[i[k]] or skip_b[j[k]] or placed_a[i[k]] or placed_b[j[k]])
    # exact seeds and these are disjoint: no sentence of theirs is placed
    keys = np.concatenate((exact, (i * n_b + j)[keep]))
    values = np.concatenate((np.ones(len(exact)), strength[keep]))
    order = np.argsort(keys)
    keys, values = keys[order], values[order]
    loose = np.empty((len(keys), 2), dtype=np.int64)
    for k in range(len(keys)):
        loose[k, 0], loose[k, 1] = keys[k] // n_b, keys[k] % n_b
    return (loose[values >= similarity], loose, values, local_a, weights_a, local_b, weights_b,
            size)
