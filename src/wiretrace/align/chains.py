"""Exact-match alignment: word n-gram anchors chained into passages.

Seed-and-chain, the approach of passage-reuse detectors such as passim:

1. **Anchors**: every word ``anchor_ngram``-gram the two texts share, as a
   pair of token positions ``(i, j)``.  N-grams repeated many times inside
   one text ("the", "said the") are dropped as uninformative.
2. **Chains**: anchors on one diagonal, close together, form a run (found
   with NumPy in one pass); runs sorted by position in ``a`` are chained
   greedily; a chain accepts the next run when it starts at most ``max_gap``
   unmatched words further on both sides and does not drift off the
   diagonal by more than ``max_gap``.  This bridges spelling variants
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

from wiretrace.align.anchors import anchor_runs
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


def _anchor_index(tokens: Tokens, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                   np.ndarray]:
    """A text's ``n``-gram hashes, their sorted order, and how often each occurs.

    Kept with the tokens: an article takes part in several pairs.
    """
    key = f"anchors-{n}"
    if key not in tokens.derived:
        grams = ngram_hashes(tokens.hashes, n)
        order = np.argsort(grams, kind="stable")
        sorted_grams = grams[order]
        _, inverse, counts = np.unique(grams, return_inverse=True, return_counts=True)
        tokens.derived[key] = (grams, order, sorted_grams, counts[inverse.ravel()])
    return tokens.derived[key]  # type: ignore[return-value]


Run = tuple[int, int, int, int, int]  # a_first, a_end, b_first, b_end, words of a covered
_NOTHING_IGNORED = np.zeros(0, dtype=bool)


def diagonal_runs(tokens_a: Tokens, tokens_b: Tokens, n: int, max_gap: int,
                  ignore_a: np.ndarray | None = None,
                  ignore_b: np.ndarray | None = None) -> list[Run]:
    """Shared ``n``-gram anchors, joined along their diagonal into runs.

    Sorted by start in a, then in b; see :func:`.anchors.anchor_runs`.  A
    verbatim stretch of hundreds of anchors becomes one run, so the chaining
    that follows handles a handful of runs per pair, not every anchor (an
    edit shifts the diagonal and starts a new run).
    """
    grams_a, _, _, repeats_a = _anchor_index(tokens_a, n)
    _, order_b, sorted_b, _ = _anchor_index(tokens_b, n)
    if len(grams_a) == 0 or len(sorted_b) == 0:
        return []
    runs = anchor_runs(grams_a, repeats_a, order_b, sorted_b,
                       _NOTHING_IGNORED if ignore_a is None else ignore_a,
                       _NOTHING_IGNORED if ignore_b is None else ignore_b,
                       n, max_gap, MAX_ANCHOR_REPEATS)
    return [tuple(run) for run in runs.tolist()]


def chain_runs(runs: list[Run], max_gap: int) -> list[list[Run]]:
    """Greedy chaining of runs sorted by their start in a.

    A run joins the chain that ends at most ``max_gap`` words before it on
    both sides and whose diagonal is within ``max_gap`` of its own; this
    bridges spelling variants, inserted or dropped words and small rewrites.
    """
    finished: list[list[Run]] = []
    # an open chain: [a_end, b_end, last a_first, last b_first, runs]
    active: list[list] = []
    for run in runs:
        i, i_end, j, j_end, _ = run
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
            active.append([i_end, j_end, i, j, [run]])
            continue
        best[0], best[1] = max(best[0], i_end), max(best[1], j_end)
        best[2], best[3] = i, j
        best[4].append(run)
    return finished + [chain[4] for chain in active]


def _has_whole_paragraph(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds a full line of words (a heading, a paragraph)."""
    gap = text[start:end]
    first, last = gap.find("\n"), gap.rfind("\n")
    return first != -1 and last > first and any(ch.isalnum() for ch in gap[first:last])


def split_at_paragraphs(chain: list[Run], text_a: str, tokens_a: Tokens, text_b: str,
                        tokens_b: Tokens) -> list[list[Run]]:
    """Cut a chain where one side has a whole paragraph the other lacks.

    A subheading or an inserted paragraph between two reused paragraphs is not
    part of a reused passage: cutting there lets the diff report it as added
    or dropped instead of as a rewording.
    """
    pieces = [[chain[0]]]
    end_a, end_b = chain[0][1], chain[0][3]
    for run in chain[1:]:
        i, i_end, j, j_end, _ = run
        if i > end_a and _has_whole_paragraph(text_a, int(tokens_a.ends[end_a - 1]),
                                              int(tokens_a.starts[i])) \
                or j > end_b and _has_whole_paragraph(text_b, int(tokens_b.ends[end_b - 1]),
                                                      int(tokens_b.starts[j])):
            pieces.append([])
        pieces[-1].append(run)
        end_a, end_b = max(end_a, i_end), max(end_b, j_end)
    return pieces


def _chain_extent(chain: list[Run]) -> tuple[int, int, int, int, int]:
    """Token extent ``(a_first, a_end, b_first, b_end, matched)`` of a chain."""
    return (chain[0][0], max(run[1] for run in chain), chain[0][2],
            max(run[3] for run in chain), sum(run[4] for run in chain))


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
    runs = diagonal_runs(tokens_a, tokens_b, n, params.max_gap, ignore_a, ignore_b)
    if not runs:
        return []
    chains = [
        extend_fuzzy(_chain_extent(piece), tokens_a, tokens_b, params.spelling_min_similarity,
                     ignore_a, ignore_b)
        for chain in chain_runs(runs, params.max_gap)
        for piece in split_at_paragraphs(chain, text_a, tokens_a, text_b, tokens_b)
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
