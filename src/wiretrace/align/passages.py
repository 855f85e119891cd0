"""From candidate spans to scored passages, in one compiled call per pair (numba).

The last steps of :func:`wiretrace.align.align_tokens`: spans that overlap on
both sides are merged, each merged span is scored by the longest common
subsequence (LCS) of the two sides' words, and of two passages claiming the
same text on one side only the better is kept.  In Python these were a
handful of small steps per span (binary searches, lists of word hashes handed
to an LCS library), several times the cost of the arithmetic; here they are
one call over plain arrays.

The LCS is the bit-parallel algorithm of Hyyrö (2004), what RapidFuzz runs:
one machine word holds 64 positions of the shorter side, and each word of
the longer side updates them with an addition and a few logical operations.
"""

from __future__ import annotations

import numpy as np
from numba import njit

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)

_ONE = np.uint64(1)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, nogil=True)
def lcs_length(a: np.ndarray, b: np.ndarray) -> int:
    """Length of the longest common subsequence of two sequences of (well-mixed) hashes."""
    # A start and an end the two have in common belong to a longest common
    # subsequence, so only what lies between needs the bit-parallel pass: a
    # reused passage is mostly verbatim, and often all of it.
    first = 0
    while first < min(len(a), len(b)) and a[first] == b[first]:
        first += 1
    end_a, end_b = len(a), len(b)
    while end_a > first and end_b > first and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    common = first + len(a) - end_a
    a, b = a[first:end_a], b[first:end_b]
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return common
    words = (m + 63) // 64
    # b's distinct symbols in an open-addressing table (token hashes are mixed:
    # their low bits make a good slot), each with the bit mask of where it stands
    slots = 1
    while slots < 2 * m:
        slots *= 2
    mask = np.uint64(slots - 1)
    symbol = np.zeros(slots, dtype=np.uint64)
    row_of = np.full(slots, -1, dtype=np.int64)
    masks = np.zeros((m, words), dtype=np.uint64)
    rows = 0
    for y in range(m):
        slot = b[y] & mask
        while row_of[slot] >= 0 and symbol[slot] != b[y]:
            slot = (slot + _ONE) & mask
        if row_of[slot] < 0:
            symbol[slot], row_of[slot] = b[y], rows
            rows += 1
        masks[row_of[slot], y >> 6] |= _ONE << np.uint64(y & 63)
    state = np.full(words, _ALL, dtype=np.uint64)
    for x in range(len(a)):
        slot = a[x] & mask
        while row_of[slot] >= 0 and symbol[slot] != a[x]:
            slot = (slot + _ONE) & mask
        row = row_of[slot]
        if row < 0:
            continue
        carry = np.uint64(0)
        for w in range(words):
            matches = masks[row, w]
            u = state[w] & matches
            total = state[w] + u
            next_carry = np.uint64(1) if total < state[w] else np.uint64(0)
            total += carry
            if total < carry:
                next_carry = np.uint64(1)
            state[w] = total | (state[w] - u)
            carry = next_carry
    matched = common
    for y in range(m):
        if not (state[y >> 6] >> np.uint64(y & 63)) & _ONE:
            matched += 1
    return matched


@njit(cache=True, nogil=True)
def span_words(starts: np.ndarray, ends: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """Indices ``(first, last)`` of the tokens lying wholly inside ``[start, end)``."""
    return np.searchsorted(starts, start, side="left"), np.searchsorted(ends, end, side="right")


@njit(cache=True, nogil=True)
def span_lcs(starts_a, ends_a, hashes_a, a_start, a_end, starts_b, ends_b, hashes_b, b_start,
             b_end) -> tuple[int, int, int]:
    """``(matched, words of a, words of b)`` of two character spans."""
    first_a, last_a = span_words(starts_a, ends_a, a_start, a_end)
    first_b, last_b = span_words(starts_b, ends_b, b_start, b_end)
    words_a, words_b = hashes_a[first_a:max(first_a, last_a)], hashes_b[first_b:max(first_b,
                                                                                   last_b)]
    return lcs_length(words_a, words_b), len(words_a), len(words_b)


@njit(cache=True, nogil=True)
def _overlap(a0, a1, b0, b1):
    return max(0, min(a1, b1) - max(a0, b0))


@njit(cache=True, nogil=True)
def _before(x, y) -> bool:
    """Lexicographic order of two rows of equal length."""
    for k in range(len(x)):
        if x[k] != y[k]:
            return x[k] < y[k]
    return False


@njit(cache=True, nogil=True)
def _stable_order(keys: np.ndarray) -> np.ndarray:
    """Row order sorting ``keys`` lexicographically, ties in their given order."""
    order = np.arange(len(keys))
    for x in range(1, len(order)):
        row = order[x]
        y = x - 1
        while y >= 0 and _before(keys[row], keys[order[y]]):
            order[y + 1] = order[y]
            y -= 1
        order[y + 1] = row
    return order


@njit(cache=True, nogil=True)
def merged_spans(spans: np.ndarray, exact_dominant: float) -> np.ndarray:
    """Union of spans ``(a0, a1, b0, b1, exact)`` overlapping on both sides.

    Rows ``(a0, a1, b0, b1, has exact wording)``.  When exact chains make up
    at least ``exact_dominant`` of a merged span on side a, their extent is
    kept instead of the whole.  Repeated passes, as long as one merges
    anything: each span in order joins the first merged span it overlaps.
    """
    # a group: whole extent (0-3), extent of its exact spans (4-7; -1: none), exact chars
    groups = np.empty((len(spans), 9), dtype=np.int64)
    for k in range(len(spans)):
        groups[k, :4] = spans[k, :4]
        if spans[k, 4]:
            groups[k, 4:8] = spans[k, :4]
            groups[k, 8] = spans[k, 1] - spans[k, 0]
        else:
            groups[k, 4:8] = -1
            groups[k, 8] = 0
    count = len(spans)
    while True:
        order = _stable_order(groups[:count, :4])
        merged = np.empty((count, 9), dtype=np.int64)
        n_merged = 0
        for k in range(count):
            g = groups[order[k]]
            joined = False
            for m in range(n_merged):
                o = merged[m]
                if _overlap(g[0], g[1], o[0], o[1]) and _overlap(g[2], g[3], o[2], o[3]):
                    joined = True
                    o[0], o[1] = min(g[0], o[0]), max(g[1], o[1])
                    o[2], o[3] = min(g[2], o[2]), max(g[3], o[3])
                    if o[4] < 0:
                        o[4:8] = g[4:8]
                    elif g[4] >= 0:
                        o[4], o[5] = min(g[4], o[4]), max(g[5], o[5])
                        o[6], o[7] = min(g[6], o[6]), max(g[7], o[7])
                    o[8] += g[8]
                    break
            if not joined:
                merged[n_merged] = g
                n_merged += 1
        if n_merged == count:
            break
        groups, count = merged, n_merged
    result = np.empty((n_merged, 5), dtype=np.int64)
    for k in range(n_merged):
        g = merged[k]
        exact = g[4] >= 0
        if exact and g[8] >= exact_dominant * (g[1] - g[0]):
            result[k, :4] = g[4:8]
        else:
            result[k, :4] = g[:4]
        result[k, 4] = exact
    return result


@njit(cache=True, nogil=True)
def scored_passages(exact: np.ndarray, reworded: np.ndarray, exact_dominant: float,
                    min_reworded_chars: int, min_words: int, starts_a, ends_a, hashes_a,
                    starts_b, ends_b, hashes_b) -> np.ndarray:
    """Passages from spans of exact wording and of reworded text: merged, scored,
    one-sided overlaps dropped.

    ``exact`` and ``reworded`` rows start ``(a0, a1, b0, b1)`` (further
    columns are not read).  Rows ``(a0, a1, b0, b1, matched words, words of
    the longer side)`` sorted by start in a, then in b.  A span without exact
    wording shorter than ``min_reworded_chars`` on either side, and one
    matching fewer than ``min_words`` words, is no passage.  Of passages
    overlapping by more than half of one's extent on either side, those
    matching more words (then the earlier) win.
    """
    spans = np.empty((len(exact) + len(reworded), 5), dtype=np.int64)
    for k in range(len(exact)):
        spans[k, :4] = exact[k, :4]
        spans[k, 4] = 1
    for k in range(len(reworded)):
        spans[len(exact) + k, :4] = reworded[k, :4]
        spans[len(exact) + k, 4] = 0
    merged = merged_spans(spans, exact_dominant)
    passages = np.empty((len(merged), 6), dtype=np.int64)
    count = 0
    for k in range(len(merged)):
        a0, a1, b0, b1, exact = merged[k, 0], merged[k, 1], merged[k, 2], merged[k, 3], \
            merged[k, 4]
        if not exact and min(a1 - a0, b1 - b0) < min_reworded_chars:
            continue
        matched, words_a, words_b = span_lcs(starts_a, ends_a, hashes_a, a0, a1, starts_b,
                                             ends_b, hashes_b, b0, b1)
        if matched < min_words:
            continue
        passages[count, 0], passages[count, 1] = a0, a1
        passages[count, 2], passages[count, 3] = b0, b1
        passages[count, 4], passages[count, 5] = matched, max(words_a, words_b)
        count += 1
    passages = passages[:count]
    keys = np.empty((count, 3), dtype=np.int64)
    for k in range(count):
        keys[k, 0], keys[k, 1], keys[k, 2] = -passages[k, 4], passages[k, 0], passages[k, 2]
    accepted = np.empty((count, 6), dtype=np.int64)
    n_accepted = 0
    for k in _stable_order(keys):
        p = passages[k]
        clash = False
        for q in range(n_accepted):
            o = accepted[q]
            if _overlap(p[0], p[1], o[0], o[1]) * 2 > p[1] - p[0] or \
                    _overlap(p[2], p[3], o[2], o[3]) * 2 > p[3] - p[2]:
                clash = True
                break
        if not clash:
            accepted[n_accepted] = p
            n_accepted += 1
    positions = np.empty((n_accepted, 2), dtype=np.int64)
    for k in range(n_accepted):
        positions[k, 0], positions[k, 1] = accepted[k, 0], accepted[k, 2]
    order = _stable_order(positions)
    result = np.empty((n_accepted, 6), dtype=np.int64)
    for k in range(n_accepted):
        result[k] = accepted[order[k]]
    return result


def warm_up() -> None:
    """Compile (or load from the disk cache) the kernels."""
    positions = np.arange(3, dtype=np.int64)
    hashes = np.arange(3, dtype=np.uint64)
    spans = np.array([[0, 3, 0, 3]], dtype=np.int64)
    scored_passages(spans, spans[:0], 0.9, 1, 1, positions, positions + 1, hashes, positions,
                    positions + 1, hashes)
    span_lcs(positions, positions + 1, hashes, 0, 3, positions, positions + 1, hashes, 0, 3)
