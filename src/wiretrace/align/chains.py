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

from wiretrace.align.chaining import ExactFacts, exact_passages
from wiretrace.align.words import word_facts
from wiretrace.fingerprint.kernels import gram_index
from wiretrace.params import TraceParams
from wiretrace.text.tokens import Tokens

# An anchor n-gram occurring more often than this in one text is not specific
# enough to say where a passage sits (refrains, lists, repeated quotes).
MAX_ANCHOR_REPEATS = 8


@dataclass(frozen=True, slots=True)
class AlignedSpan:
    """One reused passage between two texts, in character offsets; ``kind`` as
    :class:`wiretrace.model.Passage` has it."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    score: float
    matched_words: int
    kind: str = "reuse"
    slots_kept: int = 0
    slots_changed: int = 0


_NOTHING_IGNORED = np.zeros(0, dtype=bool)


def similar_words(word_a: str, word_b: str, min_similarity: float) -> bool:
    """Equal, or a likely spelling variant (Bazoum/Bozoum, finalised/finalized)."""
    if word_a == word_b:
        return True
    if min(len(word_a), len(word_b)) < 4 or word_a.isdigit() or word_b.isdigit():
        return False
    return Levenshtein.normalized_similarity(word_a, word_b) >= min_similarity


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def exact_facts(text: str, tokens: Tokens, n: int) -> ExactFacts:
    """What :func:`.chaining.exact_passages` needs of one text: the ``n``-gram
    index (hashes sorted, and their positions in a stable order), the tokens
    and the word facts.  Kept with the tokens, by ``n``: an article takes part
    in several pairs."""
    by_size = tokens.facts.exact
    if by_size is None:
        by_size = tokens.facts.exact = {}
    facts = by_size.get(n)
    if facts is None:
        facts = by_size[n] = ExactFacts(*gram_index(tokens.hashes, n), tokens.hashes,
                                        tokens.starts, tokens.ends, *word_facts(text, tokens))
    return facts


def exact_spans(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens,
                params: TraceParams, ignore_a: np.ndarray | None = None,
                ignore_b: np.ndarray | None = None) -> np.ndarray:
    """Passages of exact shared wording as ``(a_start, a_end, b_start, b_end, matched,
    words of the longer side)`` rows, sorted by position in a (one compiled call)."""
    n = params.anchor_ngram
    return exact_passages(
        _NOTHING_IGNORED if ignore_a is None else ignore_a,
        _NOTHING_IGNORED if ignore_b is None else ignore_b,
        n, params.max_gap, MAX_ANCHOR_REPEATS, params.min_passage_words,
        params.spelling_min_similarity, params.min_passage_chars,
        *exact_facts(text_a, tokens_a, n), *exact_facts(text_b, tokens_b, n))


def chain_passages(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens,
                   params: TraceParams | None = None, ignore_a: np.ndarray | None = None,
                   ignore_b: np.ndarray | None = None) -> list[AlignedSpan]:
    """Passages of exact shared wording between two texts, sorted by position in a.

    ``ignore_a``/``ignore_b`` flag boilerplate tokens that may not anchor.
    """
    rows = exact_spans(text_a, tokens_a, text_b, tokens_b, params or TraceParams(), ignore_a,
                       ignore_b)
    return [AlignedSpan(a0, a1, b0, b1, round(min(matched / longer, 1.0), 4), matched)
            for a0, a1, b0, b1, matched, longer in rows.tolist()]
