"""Exact-match alignment: word n-gram anchors chained into passages.

Seed-and-chain, the approach of passage-reuse detectors such as passim:

1. **Anchors**: every word ``anchor_ngram``-gram the two texts share, as a
   pair of token positions ``(i, j)``.  N-grams repeated many times inside
   one text ("the", "said the") are dropped as uninformative.
2. **Chains**: anchors sorted by position in ``a`` are chained greedily
   along their diagonal; a chain accepts the next anchor when it lies at most
   ``max_gap`` unmatched words further on both sides and does not drift off
   the diagonal by more than ``max_gap``.  This bridges spelling variants
   (Bazoum/Bozoum), inserted or dropped words and small rewrites, while a
   paragraph only one side has breaks the chain.
3. **Passages**: each chain with enough matched words becomes a passage, its
   span running from its first to its last anchor on both sides, widened to
   take in adjacent punctuation (closing quotes, full stops).  Chains that
   overlap a better one on either side are dropped, so every stretch of text
   is explained once.

All positions are token indices until the very end, where they become
character offsets into the original texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Levenshtein

from wiretrace.align.sentences import STOP_WORDS
from wiretrace.params import TraceParams
from wiretrace.text import Tokens, ngram_hashes

# An anchor n-gram occurring more often than this in one text is not specific
# enough to say where a passage sits (refrains, lists, repeated quotes).
MAX_ANCHOR_REPEATS = 8
_OPENING = "\"'“‘«([¿¡"
_CLOSING = "\"'”’»)].,;:!?…"


@dataclass(frozen=True, slots=True)
class AlignedSpan:
    """One reused passage between two texts, in character offsets."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    score: float
    matched_words: int


def anchor_matches(tokens_a: Tokens, tokens_b: Tokens, n: int,
                   ignore_a: np.ndarray | None = None,
                   ignore_b: np.ndarray | None = None) -> np.ndarray:
    """All ``(i, j)`` with the same ``n``-gram at token ``i`` of a and ``j`` of b.

    Returned as an ``(k, 2)`` int64 array sorted by ``i`` then ``j``.  Anchors
    touching tokens flagged in ``ignore_a``/``ignore_b`` (boilerplate)
    are left out.
    """
    grams_a = ngram_hashes(tokens_a.hashes, n)
    grams_b = ngram_hashes(tokens_b.hashes, n)
    if len(grams_a) == 0 or len(grams_b) == 0:
        return np.empty((0, 2), dtype=np.int64)
    order_b = np.argsort(grams_b, kind="stable")
    sorted_b = grams_b[order_b]
    left = np.searchsorted(sorted_b, grams_a, side="left")
    right = np.searchsorted(sorted_b, grams_a, side="right")
    counts_b = right - left
    _, inverse, counts_a = np.unique(grams_a, return_inverse=True, return_counts=True)
    usable = (counts_b > 0) & (counts_b <= MAX_ANCHOR_REPEATS)
    usable &= counts_a[inverse] <= MAX_ANCHOR_REPEATS
    positions_a = np.flatnonzero(usable)
    if len(positions_a) == 0:
        return np.empty((0, 2), dtype=np.int64)
    repeats = counts_b[positions_a]
    i = np.repeat(positions_a, repeats)
    # offsets 0..count-1 inside each run of equal hashes in sorted b
    run_starts = np.repeat(left[positions_a], repeats)
    within = np.arange(len(i)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    j = order_b[run_starts + within]
    matches = np.stack([i, j], axis=1).astype(np.int64)
    for ignore, column in ((ignore_a, 0), (ignore_b, 1)):
        if ignore is not None and len(matches):
            start = matches[:, column]
            matches = matches[~(ignore[start] | ignore[start + n - 1])]
    return matches[np.lexsort((matches[:, 1], matches[:, 0]))]


def chain_anchors(matches: np.ndarray, n: int, max_gap: int) -> list[list[tuple[int, int]]]:
    """Greedy diagonal chaining of anchors sorted by ``(i, j)``.

    Returns the anchors of each chain, in order.
    """
    finished: list[list[tuple[int, int]]] = []
    # an open chain: [a_end, b_end, last_i, last_j, anchors]
    active: list[list] = []
    for i, j in matches.tolist():
        still_open = []
        for chain in active:
            if chain[0] + max_gap < i:
                finished.append(chain[4])
            else:
                still_open.append(chain)
        active = still_open
        best, best_cost = None, None
        for chain in active:
            step_a, step_b = i - chain[2], j - chain[3]
            if step_a <= 0 or step_b <= 0:
                continue
            gap_a, gap_b = i - chain[0], j - chain[1]
            if gap_a > max_gap or gap_b > max_gap or abs(step_a - step_b) > max_gap:
                continue
            cost = abs(step_a - step_b) + max(gap_a, 0) + max(gap_b, 0)
            if best_cost is None or cost < best_cost:
                best, best_cost = chain, cost
        if best is None:
            active.append([i + n, j + n, i, j, [(i, j)]])
            continue
        best[0], best[1] = max(best[0], i + n), max(best[1], j + n)
        best[2], best[3] = i, j
        best[4].append((i, j))
    return finished + [chain[4] for chain in active]


def _has_whole_paragraph(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds a full line of words (a heading, a paragraph)."""
    gap = text[start:end]
    first, last = gap.find("\n"), gap.rfind("\n")
    return first != -1 and last > first and any(ch.isalnum() for ch in gap[first:last])


def split_at_paragraphs(anchors: list[tuple[int, int]], n: int, text_a: str, tokens_a: Tokens,
                        text_b: str, tokens_b: Tokens) -> list[list[tuple[int, int]]]:
    """Cut a chain where one side has a whole paragraph the other lacks.

    A subheading or an inserted paragraph between two reused paragraphs is not
    part of a reused passage: cutting there lets the diff report it as added
    or dropped instead of as a rewording.
    """
    pieces = [[anchors[0]]]
    end_a, end_b = anchors[0][0] + n, anchors[0][1] + n
    for i, j in anchors[1:]:
        if i > end_a and _has_whole_paragraph(text_a, int(tokens_a.ends[end_a - 1]),
                                              int(tokens_a.starts[i])) \
                or j > end_b and _has_whole_paragraph(text_b, int(tokens_b.ends[end_b - 1]),
                                                      int(tokens_b.starts[j])):
            pieces.append([])
        pieces[-1].append((i, j))
        end_a, end_b = max(end_a, i + n), max(end_b, j + n)
    return pieces


def _chain_extent(anchors: list[tuple[int, int]], n: int) -> tuple[int, int, int, int, int]:
    """Token extent ``(a_first, a_end, b_first, b_end, matched)`` of a chain."""
    covered_a = set()
    for i, _ in anchors:
        covered_a.update(range(i, i + n))
    return (anchors[0][0], max(i for i, _ in anchors) + n,
            anchors[0][1], max(j for _, j in anchors) + n, len(covered_a))


def similar_words(word_a: str, word_b: str, min_similarity: float) -> bool:
    """Equal, or a likely spelling variant (Bazoum/Bozoum, finalised/finalized)."""
    if word_a == word_b:
        return True
    if min(len(word_a), len(word_b)) < 4 or word_a.isdigit() or word_b.isdigit():
        return False
    return Levenshtein.normalized_similarity(word_a, word_b) >= min_similarity


def extend_fuzzy(extent: tuple[int, int, int, int, int], tokens_a: Tokens, tokens_b: Tokens,
                 min_similarity: float, ignore_a: np.ndarray | None = None,
                 ignore_b: np.ndarray | None = None) -> tuple[int, int, int, int, int]:
    """Grow a chain over neighbouring words that are equal or spelling variants.

    Anchors need ``anchor_ngram`` exact words in a row, so a variant next to a
    passage's edge ("General Abdourahmane Tchiani" / "... Abdourahamane ...")
    would otherwise be cut off.
    """
    a_first, a_end, b_first, b_end, matched = extent

    def usable(i: int, j: int) -> bool:
        # a lone function word ("the") matching past a passage's edge is chance
        return not ((ignore_a is not None and ignore_a[i]) or (ignore_b is not None and ignore_b[j])
                    or tokens_a.norms[i] in STOP_WORDS
                    ) and similar_words(tokens_a.norms[i], tokens_b.norms[j], min_similarity)

    while a_end < len(tokens_a) and b_end < len(tokens_b) and usable(a_end, b_end):
        a_end, b_end, matched = a_end + 1, b_end + 1, matched + 1
    while a_first > 0 and b_first > 0 and usable(a_first - 1, b_first - 1):
        a_first, b_first, matched = a_first - 1, b_first - 1, matched + 1
    return a_first, a_end, b_first, b_end, matched


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Take in punctuation glued to the span (opening/closing quotes, stops)."""
    while start > 0 and text[start - 1] in _OPENING:
        start -= 1
    while end < len(text) and text[end] in _CLOSING:
        end += 1
    return start, end


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def chain_passages(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens,
                   params: TraceParams | None = None, ignore_a: np.ndarray | None = None,
                   ignore_b: np.ndarray | None = None) -> list[AlignedSpan]:
    """Passages of exact shared wording between two texts, sorted by position in a.

    ``ignore_a``/``ignore_b`` flag boilerplate tokens that may not anchor.
    """
    params = params or TraceParams()
    n = params.anchor_ngram
    matches = anchor_matches(tokens_a, tokens_b, n, ignore_a, ignore_b)
    if len(matches) == 0:
        return []
    chains = [
        extend_fuzzy(_chain_extent(piece, n), tokens_a, tokens_b, params.spelling_min_similarity,
                     ignore_a, ignore_b)
        for anchors in chain_anchors(matches, n, params.max_gap)
        for piece in split_at_paragraphs(anchors, n, text_a, tokens_a, text_b, tokens_b)
    ]
    chains = [c for c in chains if c[4] >= params.min_passage_words]
    chains.sort(key=lambda c: (-c[4], c[0], c[2]))
    accepted: list[tuple[int, int, int, int, int]] = []
    for chain in chains:
        span_a, span_b = chain[1] - chain[0], chain[3] - chain[2]
        clash = any(
            _overlap(chain[0], chain[1], other[0], other[1]) * 2 > span_a
            or _overlap(chain[2], chain[3], other[2], other[3]) * 2 > span_b
            for other in accepted
        )
        if not clash:
            accepted.append(chain)
    spans = []
    for a_first, a_end, b_first, b_end, matched in sorted(accepted):
        a_start_char, a_end_char = _widen(text_a, int(tokens_a.starts[a_first]),
                                          int(tokens_a.ends[a_end - 1]))
        b_start_char, b_end_char = _widen(text_b, int(tokens_b.starts[b_first]),
                                          int(tokens_b.ends[b_end - 1]))
        if min(a_end_char - a_start_char, b_end_char - b_start_char) < params.min_passage_chars:
            continue
        score = matched / max(a_end - a_first, b_end - b_first)
        spans.append(AlignedSpan(a_start_char, a_end_char, b_start_char, b_end_char,
                                 round(min(score, 1.0), 4), int(matched)))
    return spans
