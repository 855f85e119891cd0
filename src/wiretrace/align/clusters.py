"""From sentence seeds to reused fragments: clustering, validation, overlap.

Seeds (pairs of similar sentences) that lie close together on both sides form
one fragment: seeds sorted by their sentence in a are cut where more than
``max_gap`` sentences pass without a seed, then each piece is sorted by its
sentence in b and cut the same way, until nothing changes.  Order inside a
fragment is free, so sentences a rewriter shuffled stay together.  A fragment
whose two sides, taken as wholes, are not similar enough (summed tf-idf
cosine) is clustered again with a smaller gap, so two neighbouring reused
passages with unrelated text between them do not fuse into one.

Seeds come from :func:`.similarity.sentence_seeds`, as ``(k, 2)`` arrays of
sentence numbers ``(i, j)``; :func:`reworded_spans` turns them into the
passages of a pair in one compiled call (numba).  Whether a stretch of text
holds a paragraph of its own is the regular expression of
:func:`unmatched_block`, followed step by step over a text's character
classes (:func:`.splitting.text_classes`).

Compiled functions here call only functions of this module: numba's disk
cache notices a change to the file a function is in, not to the files of
the functions it calls.
"""

from __future__ import annotations

import re

import numpy as np
from numba import njit

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)

Seed = tuple[int, int]

# A paragraph set off by blank lines.
_PARAGRAPH_RE = re.compile(r"\n[ \t\xa0]*\n\s*([^\n]+?)\s*\n[ \t\xa0]*\n")
# Character classes for following it: a line break, [ \t\xa0], \s, alphanumeric.
NEWLINE, BLANK, SPACE, ALNUM = 1, 2, 4, 8
# A summary: a run of a's sentences drawing on b's sentences wherever they
# are, b's side at least this many times longer than a's.
SUMMARY_RATIO = 3
# A summary is a few sentences long, condenses at most this much, and at least
# one of its sentences clearly echoes the source.
SUMMARY_MIN_CHARS = 300
SUMMARY_MAX_RATIO = 20
SUMMARY_MIN_STRONGEST = 0.45


def unmatched_block(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds a whole paragraph set off by blank lines.

    A heading line alone does not cut: rewriters drop and add headings inside
    reused text all the time (the diff still reports them as dropped/added).
    """
    window = (max(0, start - 1), min(len(text), end + 1))
    return any(any(ch.isalnum() for ch in m.group(1))
               for m in _PARAGRAPH_RE.finditer(text, *window))


@njit(cache=True, nogil=True)
def _paragraph_at(classes: np.ndarray, p: int, endpos: int) -> tuple[int, bool]:
    """The regular expression's match at ``p``: ``(end, group holds a letter or digit)``.

    ``end`` is -1 where none starts there.  The alternatives are tried in the
    order the backtracking matcher tries them: greedy runs longest first, the
    lazy paragraph line shortest first.
    """
    if not classes[p] & NEWLINE:
        return -1, False
    q = p + 1
    while q < endpos and classes[q] & BLANK:
        q += 1
    if q >= endpos or not classes[q] & NEWLINE:
        return -1, False
    after = q + 1
    spaces_end = after
    while spaces_end < endpos and classes[spaces_end] & SPACE:
        spaces_end += 1
    for line_start in range(spaces_end, after - 1, -1):
        if line_start >= endpos or classes[line_start] & NEWLINE:
            continue
        line_end = line_start + 1
        while True:
            tail = line_end
            while tail < endpos and classes[tail] & SPACE:
                tail += 1
            for x in range(tail - 1, line_end - 1, -1):
                if classes[x] & NEWLINE:
                    r = x + 1
                    while r < endpos and classes[r] & BLANK:
                        r += 1
                    if r < endpos and classes[r] & NEWLINE:
                        alnum = False
                        for k in range(line_start, line_end):
                            if classes[k] & ALNUM:
                                alnum = True
                                break
                        return r + 1, alnum
            if line_end < endpos and not classes[line_end] & NEWLINE:
                line_end += 1
            else:
                break
    return -1, False


@njit(cache=True, nogil=True)
def paragraph_between(classes: np.ndarray, start: int, end: int) -> bool:
    """:func:`unmatched_block` over a text's character classes."""
    pos, endpos = max(0, start - 1), min(len(classes), end + 1)
    p = pos
    while p < endpos:
        match_end, alnum = _paragraph_at(classes, p, endpos)
        if match_end < 0:
            p += 1
        elif alnum:
            return True
        else:
            p = match_end
    return False


@njit(cache=True, nogil=True)
def _sort_rows(seeds: np.ndarray, lo: int, hi: int, axis: int) -> None:
    """Sort ``seeds[lo:hi]`` in place by ``(seed[axis], seed[1 - axis])`` (few rows)."""
    for x in range(lo + 1, hi):
        i, j = seeds[x, 0], seeds[x, 1]
        key, other = (i, j) if axis == 0 else (j, i)
        y = x - 1
        while y >= lo:
            k2, o2 = (seeds[y, 0], seeds[y, 1]) if axis == 0 else (seeds[y, 1], seeds[y, 0])
            if k2 < key or (k2 == key and o2 <= other):
                break
            seeds[y + 1, 0], seeds[y + 1, 1] = seeds[y, 0], seeds[y, 1]
            y -= 1
        seeds[y + 1, 0], seeds[y + 1, 1] = i, j


@njit(cache=True, nogil=True)
def cluster_rows(seeds: np.ndarray, max_gap: int, max_gap_b: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Seeds within ``max_gap`` (``max_gap_b`` on side b) of each other, grouped.

    Returns the seeds reordered and the bounds of each group in them: group
    ``g`` is ``seeds[bounds[g]:bounds[g + 1]]``, ordered by sentence in b.
    """
    work = seeds.copy()
    count = len(work)
    if count == 0:
        return work, np.zeros(1, dtype=np.int64)
    bounds = np.empty(count + 1, dtype=np.int64)
    bounds[0], bounds[1] = 0, count
    n_groups = 1
    refined = np.empty(count + 1, dtype=np.int64)
    while True:
        refined[0] = 0
        n_refined = 0
        for g in range(n_groups):
            lo, hi = bounds[g], bounds[g + 1]
            _sort_rows(work, lo, hi, 0)
            piece_start = lo
            for x in range(lo + 1, hi + 1):
                if x < hi and work[x, 0] - work[x - 1, 0] <= max_gap + 1:
                    continue
                # a piece cut on side a, cut again on side b
                _sort_rows(work, piece_start, x, 1)
                for y in range(piece_start + 1, x + 1):
                    if y == x or work[y, 1] - work[y - 1, 1] > max_gap_b + 1:
                        n_refined += 1
                        refined[n_refined] = y
                piece_start = x
        if n_refined == n_groups:
            break
        bounds, refined = refined, bounds
        n_groups = n_refined
    return work, bounds[:n_groups + 1].copy()


def cluster_seeds(seeds: list[Seed], max_gap: int, max_gap_b: int | None = None
                  ) -> list[list[Seed]]:
    """Group seeds lying within ``max_gap`` sentences of each other on both sides.

    ``max_gap_b`` sets a different gap for side b (a summary condenses many
    source sentences spread over b into a few of a).
    """
    work, bounds = cluster_rows(np.array(seeds, dtype=np.int64).reshape(-1, 2), max_gap,
                                max_gap if max_gap_b is None else max_gap_b)
    rows = [tuple(seed) for seed in work.tolist()]
    return [rows[lo:hi] for lo, hi in zip(bounds.tolist(), bounds[1:].tolist(), strict=False)]


@njit(cache=True, nogil=True)
def split_at_paragraphs(cluster: np.ndarray, classes_a: np.ndarray, starts_a: np.ndarray,
                        ends_a: np.ndarray, classes_b: np.ndarray, starts_b: np.ndarray,
                        ends_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut a cluster where a whole paragraph lies between two seeds.

    A paragraph spliced in from elsewhere between two reused paragraphs is
    not part of a reused passage: cut there, the diff reports it as added.
    Returns the seeds sorted and the bounds of the pieces in them.
    """
    ordered = cluster.copy()
    _sort_rows(ordered, 0, len(ordered), 0)
    bounds = np.empty(len(ordered) + 1, dtype=np.int64)
    bounds[0] = 0
    n_pieces = 0
    for x in range(1, len(ordered)):
        i0, j0, i1, j1 = ordered[x - 1, 0], ordered[x - 1, 1], ordered[x, 0], ordered[x, 1]
        if (i1 > i0 + 1 and paragraph_between(classes_a, ends_a[i0], starts_a[i1])) or (
                j1 > j0 + 1 and paragraph_between(classes_b, ends_b[j0], starts_b[j1])):
            n_pieces += 1
            bounds[n_pieces] = x
    n_pieces += 1
    bounds[n_pieces] = len(ordered)
    return ordered, bounds[:n_pieces + 1]


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
def extent(seeds: np.ndarray) -> tuple[int, int, int, int]:
    """Rows ``a_start, a_stop, b_start, b_stop`` a group of seeds spans."""
    a0, a1, b0, b1 = seeds[0, 0], seeds[0, 0], seeds[0, 1], seeds[0, 1]
    for x in range(1, len(seeds)):
        a0, a1 = min(a0, seeds[x, 0]), max(a1, seeds[x, 0])
        b0, b1 = min(b0, seeds[x, 1]), max(b1, seeds[x, 1])
    return a0, a1 + 1, b0, b1 + 1


@njit(cache=True, nogil=True)
def validated_fragments(seeds, max_gap, min_similarity, rows_a, local_a, weights_a, rows_b,
                        local_b, weights_b, size) -> list:
    """Clusters whose two sides are similar as wholes, as ``(a0, a1, b0, b1)`` rows.

    A cluster that is not is clustered again with a gap one smaller (down to
    none), depth first, so fragments come in the order the recursive
    formulation found them.
    """
    found = []
    stack = []
    work, bounds = cluster_rows(seeds, max_gap, max_gap)
    for g in range(len(bounds) - 2, -1, -1):
        stack.append((work[bounds[g]:bounds[g + 1]].copy(), max_gap))
    while len(stack):
        cluster, gap = stack.pop()
        a0, a1, b0, b1 = extent(cluster)
        if fragment_cosine(rows_a, local_a, weights_a, rows_b, local_b, weights_b, size,
                           a0, a1, b0, b1) >= min_similarity:
            found.append((a0, a1, b0, b1))
        elif gap > 0 and len(cluster) > 1:
            work, bounds = cluster_rows(cluster, gap - 1, gap - 1)
            for g in range(len(bounds) - 2, -1, -1):
                stack.append((work[bounds[g]:bounds[g + 1]].copy(), gap - 1))
    return found


@njit(cache=True, nogil=True)
def _condensed(cluster: np.ndarray) -> bool:
    """Whether a cluster reads like a summary of b.

    A summary is compact on a's side, nearly every sentence drawing on one
    place of b, and most steps from one of its sentences to the next jump
    ahead in b (a copy, reworded or not, steps one sentence at a time).  A
    sentence resembling many in b is chance, not condensation.
    """
    width = cluster[:, 1].max() + 1
    keys = np.sort(cluster[:, 0] * width + cluster[:, 1])
    ordered = np.empty((len(keys), 2), dtype=np.int64)
    for k in range(len(keys)):
        ordered[k, 0], ordered[k, 1] = keys[k] // width, keys[k] % width
    rows_a = 1
    for k in range(1, len(ordered)):
        if ordered[k, 0] != ordered[k - 1, 0]:
            rows_a += 1
    if rows_a < 3 or len(ordered) > 2 * rows_a:
        return False
    if rows_a < 0.6 * (ordered[-1, 0] - ordered[0, 0] + 1):
        return False
    jumps = 0
    for k in range(1, len(ordered)):
        if abs(ordered[k, 1] - ordered[k - 1, 1]) >= 3:
            jumps += 1
    return 2 * jumps >= len(ordered) - 1


@njit(cache=True, nogil=True)
def reworded_spans(seeds, loose, strength, rows_a, local_a, weights_a, rows_b, local_b,
                   weights_b, size, starts_a, ends_a, classes_a, starts_b, ends_b, classes_b,
                   similarity, max_gap) -> np.ndarray:
    """Character spans ``(a0, a1, b0, b1)`` of reworded passages (summaries last).

    ``seeds``, ``loose`` and ``strength`` are :func:`.similarity.sentence_seeds`'s,
    with the tf-idf postings of both texts; then each text's sentences and
    character classes.
    """
    n_b = len(starts_b)
    fragments = []
    work, bounds = cluster_rows(seeds, max_gap, max_gap)
    for g in range(len(bounds) - 1):
        ordered, pieces = split_at_paragraphs(work[bounds[g]:bounds[g + 1]], classes_a,
                                              starts_a, ends_a, classes_b, starts_b, ends_b)
        for p in range(len(pieces) - 1):
            for a0, a1, b0, b1 in validated_fragments(
                    ordered[pieces[p]:pieces[p + 1]], max_gap, similarity, rows_a, local_a,
                    weights_a, rows_b, local_b, weights_b, size):
                fragments.append((starts_a[a0], ends_a[a1 - 1], starts_b[b0], ends_b[b1 - 1]))
    summaries = []
    loose_keys = loose[:, 0] * n_b + loose[:, 1]
    work, bounds = cluster_rows(loose, max_gap, n_b)
    for g in range(len(bounds) - 1):
        cluster = work[bounds[g]:bounds[g + 1]]
        a0, a1, b0, b1 = extent(cluster)
        span_a0, span_a1 = starts_a[a0], ends_a[a1 - 1]
        span_b0, span_b1 = starts_b[b0], ends_b[b1 - 1]
        a_length = span_a1 - span_a0
        strongest = 0.0
        for k in range(len(cluster)):
            where = np.searchsorted(loose_keys, cluster[k, 0] * n_b + cluster[k, 1])
            strongest = max(strongest, strength[where])
        if (len(np.unique(cluster[:, 1].copy())) >= 3 and _condensed(cluster)
                and a_length >= SUMMARY_MIN_CHARS and strongest >= SUMMARY_MIN_STRONGEST
                and SUMMARY_RATIO * a_length <= span_b1 - span_b0 <= SUMMARY_MAX_RATIO * a_length
                and fragment_cosine(rows_a, local_a, weights_a, rows_b, local_b, weights_b,
                                    size, a0, a1, b0, b1) >= similarity):
            if 2 * (b1 - b0) >= n_b:
                # drawing on most of b: a summary of the whole text, not of a part
                span_b0, span_b1 = starts_b[0], ends_b[n_b - 1]
            summaries.append((span_a0, span_a1, span_b0, span_b1))
    # a condensed version explains its source as one passage, not as scraps
    out = np.empty((len(fragments) + len(summaries), 4), dtype=np.int64)
    count = 0
    for f in fragments:
        inside = False
        for s in summaries:
            if min(f[1], s[1]) - max(f[0], s[0]) > 0 and s[2] <= f[2] and f[3] <= s[3]:
                inside = True
                break
        if not inside:
            out[count, 0], out[count, 1], out[count, 2], out[count, 3] = f
            count += 1
    for s in summaries:
        out[count, 0], out[count, 1], out[count, 2], out[count, 3] = s
        count += 1
    return out[:count]
