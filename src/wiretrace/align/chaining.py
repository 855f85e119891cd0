"""Exact-match alignment of a pair in one compiled call (numba).

The steps of :mod:`.chains`, over plain arrays:

1. **Anchors and runs** (:func:`anchor_runs`): every word n-gram two texts
   share becomes an anchor ``(i, j)``, found by one walk along both texts'
   sorted n-grams (a merge join); anchors on one diagonal close together
   become a *run*, so a verbatim stretch of hundreds of anchors is one run
   and the chaining that follows handles a handful per pair.
2. **Chains** (:func:`chained_passages`): runs are chained greedily along the
   diagonal, chains are cut where one side has a whole paragraph the other
   lacks, each piece grows over neighbouring words that are equal or
   spelling variants, and the best pieces that do not overlap are kept.
3. **Passages** (:func:`exact_passages`, all of it in one call): each
   chain's extent in characters, punctuation glued to it taken in.

In Python these were a few dozen small steps per run, and on news-length
texts the cost of each call, not the arithmetic, was most of the alignment
of a large corpus.  What the kernels need to know about each text's words
comes from :mod:`.words`, made once per text.  The kernels stay in this one
file: numba's disk cache only notices changes to a compiled function's own
file, so a kernel calls only kernels defined beside it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)
from wiretrace.fingerprint import kernels as fingerprint_kernels


class ExactFacts(NamedTuple):
    """What :func:`exact_passages` needs of one text (made once per text by
    :func:`.chains.exact_facts`): its anchor n-gram index, its tokens and its
    word facts (:class:`.words.WordFacts`, the same fields in the same order).

    The kernel takes both texts' fields unpacked, as 24 arrays, not the two
    tuples: passing the tuples (which numba accepts) was measured on 800 BBC
    pairs to make each call 7-11 µs slower, a third of the exact alignment of
    two unrelated articles, the most common pair."""

    order: np.ndarray  # int64: n-gram positions, in the order of ``sorted``
    sorted: np.ndarray  # uint64: the n-gram hashes, sorted
    hashes: np.ndarray  # uint64: the token hashes
    starts: np.ndarray  # int64: token start offsets
    ends: np.ndarray  # int64: token end offsets
    line: np.ndarray
    alnum: np.ndarray
    stop: np.ndarray
    digit: np.ndarray
    folded: np.ndarray
    opened: np.ndarray
    closed: np.ndarray


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


@njit(cache=True, nogil=True)
def _similar(hashes_a, starts_a, ends_a, digit_a, folded_a, i,
             hashes_b, starts_b, ends_b, digit_b, folded_b, j, min_similarity) -> bool:
    """Equal words, or spelling variants (see :func:`.chains.similar_words`)."""
    if hashes_a[i] == hashes_b[j]:
        return True
    la, lb = ends_a[i] - starts_a[i], ends_b[j] - starts_b[j]
    if min(la, lb) < 4 or digit_a[i] or digit_b[j]:
        return False
    if 1.0 - abs(la - lb) / max(la, lb) < min_similarity:
        return False  # the distance is at least the difference in length
    # Levenshtein distance, two rows
    previous = np.arange(lb + 1)
    current = np.empty(lb + 1, dtype=np.int64)
    for x in range(1, la + 1):
        current[0] = x
        ca = folded_a[starts_a[i] + x - 1]
        for y in range(1, lb + 1):
            cost = 0 if ca == folded_b[starts_b[j] + y - 1] else 1
            current[y] = min(previous[y] + 1, current[y - 1] + 1, previous[y - 1] + cost)
        previous, current = current, previous
    return 1.0 - previous[lb] / max(la, lb) >= min_similarity


@njit(cache=True, nogil=True)
def _whole_paragraph_between(line, alnum, end, start) -> bool:
    """Whether a full line of words lies between word ``end - 1`` and word ``start``."""
    for k in range(end, start):
        if line[k] >= line[start]:
            return False
        if line[k] > line[end - 1] and alnum[k]:
            return True
    return False


@njit(cache=True, nogil=True)
def chained_passages(runs, max_gap, min_words, min_similarity,
                     hashes_a, starts_a, ends_a, line_a, alnum_a, stop_a, digit_a, folded_a,
                     ignore_a,
                     hashes_b, starts_b, ends_b, line_b, alnum_b, digit_b, folded_b, ignore_b):
    """Accepted chains ``(a_first, a_end, b_first, b_end, matched)``, ``(k, 5)`` array.

    ``runs`` come from :func:`anchor_runs`; ``ignore_a``/``ignore_b``
    are boilerplate flags (empty: none).
    """
    count = runs.shape[0]
    # 1. greedy chaining of runs sorted by start in a
    chain_of = np.empty(count, dtype=np.int64)
    reach_a = np.empty(count, dtype=np.int64)
    reach_b = np.empty(count, dtype=np.int64)
    last_i = np.empty(count, dtype=np.int64)
    last_j = np.empty(count, dtype=np.int64)
    active = np.empty(count, dtype=np.int64)
    closed = np.empty(count, dtype=np.int64)
    n_active = n_closed = n_chains = 0
    for r in range(count):
        i, i_end, j, j_end = runs[r, 0], runs[r, 1], runs[r, 2], runs[r, 3]
        kept = 0
        for t in range(n_active):
            c = active[t]
            if reach_a[c] + max_gap < i:
                closed[n_closed] = c
                n_closed += 1
            else:
                active[kept] = c
                kept += 1
        n_active = kept
        best, best_cost = -1, 0
        for t in range(n_active):
            c = active[t]
            step_a, step_b = i - last_i[c], j - last_j[c]
            if step_a <= 0 or step_b <= 0:
                continue
            gap_a, gap_b = i - reach_a[c], j - reach_b[c]
            if gap_a > max_gap or gap_b > max_gap or abs(step_a - step_b) > max_gap:
                continue
            cost = abs(step_a - step_b) + max(gap_a, 0) + max(gap_b, 0)
            if best == -1 or cost < best_cost:
                best, best_cost = c, cost
        if best == -1:
            best = n_chains
            n_chains += 1
            reach_a[best], reach_b[best] = i_end, j_end
            active[n_active] = best
            n_active += 1
        else:
            reach_a[best], reach_b[best] = max(reach_a[best], i_end), max(reach_b[best], j_end)
        last_i[best], last_j[best] = i, j
        chain_of[r] = best
    for t in range(n_active):
        closed[n_closed] = active[t]
        n_closed += 1
    # 2. each chain's runs in order, cut at whole paragraphs; 3. extents grown
    by_chain = np.argsort(chain_of, kind="mergesort")
    first_run = np.searchsorted(chain_of[by_chain], np.arange(n_chains + 1))
    use_ignore_a, use_ignore_b = len(ignore_a) > 0, len(ignore_b) > 0
    n_a, n_b = len(hashes_a), len(hashes_b)
    pieces = np.empty((count, 5), dtype=np.int64)
    n_pieces = 0
    for t in range(n_closed):
        c = closed[t]
        k = first_run[c]
        # how far the chain has reached so far, across its pieces
        reach_a_c, reach_b_c = runs[by_chain[k], 1], runs[by_chain[k], 3]
        while k < first_run[c + 1]:
            r = by_chain[k]
            a_first, a_end, b_first, b_end = runs[r, 0], runs[r, 1], runs[r, 2], runs[r, 3]
            matched = runs[r, 4]
            reach_a_c, reach_b_c = max(reach_a_c, a_end), max(reach_b_c, b_end)
            k += 1
            while k < first_run[c + 1]:
                r = by_chain[k]
                i, j = runs[r, 0], runs[r, 2]
                if (i > reach_a_c and _whole_paragraph_between(line_a, alnum_a, reach_a_c, i)) \
                        or (j > reach_b_c
                            and _whole_paragraph_between(line_b, alnum_b, reach_b_c, j)):
                    break
                a_end, b_end = max(a_end, runs[r, 1]), max(b_end, runs[r, 3])
                reach_a_c, reach_b_c = max(reach_a_c, runs[r, 1]), max(reach_b_c, runs[r, 3])
                matched += runs[r, 4]
                k += 1
            # grow over equal words and spelling variants at both ends
            while a_end < n_a and b_end < n_b and not (
                    (use_ignore_a and ignore_a[a_end]) or (use_ignore_b and ignore_b[b_end])
                    or stop_a[a_end]) and _similar(
                    hashes_a, starts_a, ends_a, digit_a, folded_a, a_end,
                    hashes_b, starts_b, ends_b, digit_b, folded_b, b_end, min_similarity):
                a_end, b_end, matched = a_end + 1, b_end + 1, matched + 1
            while a_first > 0 and b_first > 0 and not (
                    (use_ignore_a and ignore_a[a_first - 1])
                    or (use_ignore_b and ignore_b[b_first - 1]) or stop_a[a_first - 1]) \
                    and _similar(hashes_a, starts_a, ends_a, digit_a, folded_a, a_first - 1,
                                 hashes_b, starts_b, ends_b, digit_b, folded_b, b_first - 1,
                                 min_similarity):
                a_first, b_first, matched = a_first - 1, b_first - 1, matched + 1
            if matched >= min_words:
                pieces[n_pieces, 0], pieces[n_pieces, 1] = a_first, a_end
                pieces[n_pieces, 2], pieces[n_pieces, 3] = b_first, b_end
                pieces[n_pieces, 4] = matched
                n_pieces += 1
    # 4. the best pieces first; one overlapping a better one by half on either side goes
    pieces = pieces[:n_pieces]
    order = np.argsort(pieces[:, 2], kind="mergesort")
    order = order[np.argsort(pieces[order, 0], kind="mergesort")]
    order = order[np.argsort(-pieces[order, 4], kind="mergesort")]
    accepted = np.empty((n_pieces, 5), dtype=np.int64)
    n_accepted = 0
    for k in range(n_pieces):
        p = pieces[order[k]]
        span_a, span_b = p[1] - p[0], p[3] - p[2]
        clash = False
        for q in range(n_accepted):
            o = accepted[q]
            if max(0, min(p[1], o[1]) - max(p[0], o[0])) * 2 > span_a or \
                    max(0, min(p[3], o[3]) - max(p[2], o[2])) * 2 > span_b:
                clash = True
                break
        if not clash:
            accepted[n_accepted] = p
            n_accepted += 1
    return accepted[:n_accepted]


@njit(cache=True, nogil=True)
def exact_passages(ignore_a, ignore_b, n, max_gap, max_repeats, min_words, min_similarity,
                   min_chars,
                   order_a, sorted_a, hashes_a, starts_a, ends_a, line_a, alnum_a, stop_a,
                   digit_a, folded_a, opened_a, closed_a,
                   order_b, sorted_b, hashes_b, starts_b, ends_b, line_b, alnum_b, stop_b,
                   digit_b, folded_b, opened_b, closed_b):
    """Passages of exact shared wording, ``(a_start, a_end, b_start, b_end, matched,
    words of the longer side)`` in characters, as a ``(k, 6)`` array sorted by
    their words' positions.

    The whole of :func:`.chains.chain_passages` in one call: anchors and runs
    (:func:`anchor_runs`), chains (:func:`chained_passages`), then
    each chain's extent in characters with its glued punctuation; one
    shorter than ``min_chars`` on either side is no passage.  Each text's
    arrays come in the order of the fields of its :class:`ExactFacts`
    (``stop_b`` is not used: growth stops at stop words of a).
    """
    runs = anchor_runs(order_a, sorted_a, order_b, sorted_b, ignore_a, ignore_b, n, max_gap,
                       max_repeats)
    if len(runs) == 0:
        return np.empty((0, 6), dtype=np.int64)
    accepted = chained_passages(runs, max_gap, min_words, min_similarity, hashes_a, starts_a,
                                ends_a, line_a, alnum_a, stop_a, digit_a, folded_a, ignore_a,
                                hashes_b, starts_b, ends_b, line_b, alnum_b, digit_b,
                                folded_b, ignore_b)
    # by position: (a_first, a_end, b_first, b_end, matched) in order, by stable sorts
    order = np.arange(len(accepted))
    for column in range(4, -1, -1):
        order = order[np.argsort(accepted[order, column], kind="mergesort")]
    result = np.empty((len(accepted), 6), dtype=np.int64)
    count = 0
    for k in order:
        a_first, a_end, b_first, b_end = accepted[k, 0], accepted[k, 1], accepted[k, 2], \
            accepted[k, 3]
        a0, a1 = opened_a[a_first], closed_a[a_end - 1]
        b0, b1 = opened_b[b_first], closed_b[b_end - 1]
        if min(a1 - a0, b1 - b0) < min_chars:
            continue
        result[count, 0], result[count, 1], result[count, 2], result[count, 3] = a0, a1, b0, b1
        result[count, 4] = accepted[k, 4]
        result[count, 5] = max(a_end - a_first, b_end - b_first)
        count += 1
    return result[:count]


def warm_up() -> None:
    """Compile (or load from the disk cache) the kernels (:func:`exact_passages` is
    compiled by a first alignment)."""
    grams = np.arange(4, dtype=np.uint64)
    order = np.arange(4, dtype=np.int64)
    anchor_runs(order, grams, order, grams, np.zeros(0, np.bool_), np.zeros(0, np.bool_), 3,
                12, 8)
    fingerprint_kernels.gram_index(grams, 3)
