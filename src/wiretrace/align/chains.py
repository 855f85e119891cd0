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
from wiretrace.align.chaining import chained_passages, word_facts
from wiretrace.kernels import gram_index
from wiretrace.params import TraceParams
from wiretrace.text import Tokens

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


def _anchor_index(tokens: Tokens, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A text's ``n``-gram hashes sorted, and their positions (stable order).

    Kept with the tokens: an article takes part in several pairs.
    """
    key = f"anchors-{n}"
    if key not in tokens.derived:
        tokens.derived[key] = gram_index(tokens.hashes, n)
    return tokens.derived[key]  # type: ignore[return-value]


_NOTHING_IGNORED = np.zeros(0, dtype=bool)


def diagonal_runs(tokens_a: Tokens, tokens_b: Tokens, n: int, max_gap: int,
                  ignore_a: np.ndarray | None = None,
                  ignore_b: np.ndarray | None = None) -> np.ndarray:
    """Shared ``n``-gram anchors, joined along their diagonal into runs.

    A ``(k, 5)`` array of ``(a_first, a_end, b_first, b_end, words of a
    covered)``, sorted by start in a, then in b; see :func:`.anchors.anchor_runs`.
    A verbatim stretch of hundreds of anchors becomes one run, so the chaining
    that follows handles a handful of runs per pair, not every anchor (an
    edit shifts the diagonal and starts a new run).
    """
    order_a, sorted_a = _anchor_index(tokens_a, n)
    order_b, sorted_b = _anchor_index(tokens_b, n)
    return anchor_runs(order_a, sorted_a, order_b, sorted_b,
                       _NOTHING_IGNORED if ignore_a is None else ignore_a,
                       _NOTHING_IGNORED if ignore_b is None else ignore_b,
                       n, max_gap, MAX_ANCHOR_REPEATS)


def similar_words(word_a: str, word_b: str, min_similarity: float) -> bool:
    """Equal, or a likely spelling variant (Bazoum/Bozoum, finalised/finalized)."""
    if word_a == word_b:
        return True
    if min(len(word_a), len(word_b)) < 4 or word_a.isdigit() or word_b.isdigit():
        return False
    return Levenshtein.normalized_similarity(word_a, word_b) >= min_similarity


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
    runs = diagonal_runs(tokens_a, tokens_b, params.anchor_ngram, params.max_gap, ignore_a,
                         ignore_b)
    if len(runs) == 0:
        return []
    line_a, alnum_a, stop_a, digit_a, folded_a = word_facts(text_a, tokens_a)
    line_b, alnum_b, _, digit_b, folded_b = word_facts(text_b, tokens_b)
    accepted = chained_passages(
        runs, params.max_gap, params.min_passage_words, params.spelling_min_similarity,
        tokens_a.hashes, tokens_a.starts, tokens_a.ends, line_a, alnum_a, stop_a, digit_a,
        folded_a, _NOTHING_IGNORED if ignore_a is None else ignore_a,
        tokens_b.hashes, tokens_b.starts, tokens_b.ends, line_b, alnum_b, digit_b, folded_b,
        _NOTHING_IGNORED if ignore_b is None else ignore_b)
    spans = []
    for a_first, a_end, b_first, b_end, matched in sorted(map(tuple, accepted.tolist())):
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
