"""Local alignment of two texts into reused passages.

Two kinds of evidence, combined:

* **exact wording** (:mod:`.chains`): shared word n-grams chained along the
  diagonal across small edits; precise to the word, and what finds verbatim
  and lightly edited copies;
* **similar sentences** (:mod:`.sentences`, :mod:`.clusters`): sentence
  pairs with much the same content words, clustered into fragments; what
  finds passages whose words were shuffled, swapped or paraphrased.

Passages from both that overlap on both sides merge into one (an exact chain
inside a reworded paragraph widens to the whole paragraph).  Every passage
is then scored the same way: ``matched_words`` is the longest common
subsequence of the two sides' words, ``score`` that over the longer side.

A pair costs a fraction of a millisecond, and a large corpus has millions of
candidate pairs: every stage's inner work is compiled (numba), one call per
pair or per text, and :func:`warm_up` loads it all before worker processes fork.
"""

from __future__ import annotations

import numpy as np

from wiretrace.align.chains import AlignedSpan, _overlap, chain_passages, similar_words
from wiretrace.align.clusters import (
    cluster_seeds,
    split_at_paragraphs,
    unmatched_block,
    validated_fragments,
)
from wiretrace.align.passages import scored_passages, span_lcs
from wiretrace.align.sentences import (
    Sentences,
    fragment_similarity,
    pair_vectors,
    similar_sentences,
    split_sentences,
)
from wiretrace.align.similarity import chain_seeds, mostly_ignored
from wiretrace.params import TraceParams
from wiretrace.text import Tokens

__all__ = ["AlignedSpan", "align_tokens", "similar_words", "warm_up"]

Span = tuple[int, int, int, int]  # a_start, a_end, b_start, b_end (characters)

# A summary: a run of a's sentences drawing on b's sentences wherever they
# are, b's side at least this many times longer than a's.
SUMMARY_RATIO = 3
# A summary is a few sentences long, condenses at most this much, and at least
# one of its sentences clearly echoes the source.
SUMMARY_MIN_CHARS = 300
SUMMARY_MAX_RATIO = 20
SUMMARY_MIN_STRONGEST = 0.45
SUMMARY_SEED_SHARE = 0.75
# Exact chains covering this much of one text make it a copy of the other.
COPY_COVERAGE = 0.95
# Share of a merged passage that exact chains must make up for their extent
# to stand for the whole.
EXACT_DOMINANT = 0.9
# Passages closer than this on both sides are pieces of one passage.
JOIN_GAP_CHARS = 250


def _sentences(text: str, tokens: Tokens) -> Sentences:
    """Sentences of a text, kept with its tokens for the next pairs it takes part in."""
    if "sentences" not in tokens.derived:
        tokens.derived["sentences"] = split_sentences(text, tokens)
    return tokens.derived["sentences"]


def _seeds_from_chains(chains: list[AlignedSpan], sentences_a: Sentences,
                       sentences_b: Sentences) -> set[tuple[int, int]]:
    """Sentence pairs an exact chain runs through, followed along the chain.

    Each sentence of a that the chain covers at least half of is paired with
    the sentence of b holding the chain's counterpart of its covered part's
    middle (chains run along the diagonal, so offsets map in proportion).
    """
    if not chains:
        return set()
    spans = np.array([(c.a_start, c.a_end, c.b_start, c.b_end) for c in chains], dtype=np.int64)
    seeds = chain_seeds(spans, sentences_a.starts, sentences_a.ends, sentences_b.starts,
                        sentences_b.ends)
    return set(zip(seeds[:, 0].tolist(), seeds[:, 1].tolist(), strict=True))


def _condensed(cluster: list[tuple[int, int]]) -> bool:
    """Whether a cluster reads like a summary of b.

    A summary is compact on a's side, nearly every sentence drawing on one
    place of b, and most steps from one of its sentences to the next jump
    ahead in b (a copy, reworded or not, steps one sentence at a time).  A
    sentence resembling many in b is chance, not condensation.
    """
    rows_a = {i for i, _ in cluster}
    if len(rows_a) < 3 or len(cluster) > 2 * len(rows_a):
        return False
    if len(rows_a) < 0.6 * (max(rows_a) - min(rows_a) + 1):
        return False
    ordered = sorted(cluster)
    jumps = sum(abs(j1 - j0) >= 3 for (_, j0), (_, j1) in zip(ordered, ordered[1:], strict=False))
    return 2 * jumps >= len(ordered) - 1


def _boilerplate_rows(sentences: Sentences, ignore: np.ndarray | None) -> set[int]:
    """Sentences more than half of whose tokens are flagged as boilerplate."""
    if ignore is None:
        return set()
    return set(np.flatnonzero(mostly_ignored(sentences.token_first, sentences.token_end,
                                             ignore)).tolist())


def align_tokens(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens,
                 params: TraceParams | None = None, ignore_a: np.ndarray | None = None,
                 ignore_b: np.ndarray | None = None) -> list[AlignedSpan]:
    """Reused passages between two tokenised texts, sorted by position in a.

    ``ignore_a``/``ignore_b`` flag boilerplate tokens, which neither anchor an
    exact chain nor seed a sentence pair.
    """
    params = params or TraceParams()
    chains = chain_passages(text_a, tokens_a, text_b, tokens_b, params, ignore_a, ignore_b)
    spans = [(c.a_start, c.a_end, c.b_start, c.b_end, 1) for c in chains]
    if params.sentence_similarity < 1.0 and not _nearly_all_exact(chains, text_a, text_b):
        spans += [(*span, 0) for span in _sentence_fragments(
            text_a, tokens_a, text_b, tokens_b, chains, params, ignore_a, ignore_b)]
    found = scored_passages(np.array(spans, dtype=np.int64).reshape(-1, 5), EXACT_DOMINANT,
                            params.min_reworded_chars, params.min_passage_words,
                            tokens_a.starts, tokens_a.ends, tokens_a.hashes,
                            tokens_b.starts, tokens_b.ends, tokens_b.hashes)
    passages = [AlignedSpan(a0, a1, b0, b1, round(matched / max(longer, 1), 4), matched)
                for a0, a1, b0, b1, matched, longer in found.tolist()]
    return _join_neighbours(passages, text_a, tokens_a, text_b, tokens_b)


def _join_neighbours(passages: list[AlignedSpan], text_a: str, tokens_a: Tokens, text_b: str,
                     tokens_b: Tokens) -> list[AlignedSpan]:
    """Join consecutive passages separated by a short stretch on both sides.

    Two pieces of one reused passage, split by a sentence too rewritten to
    match, read as one passage (the diff shows the rewritten part).  A whole
    paragraph between them keeps them apart.
    """
    joined: list[AlignedSpan] = []
    for p in passages:
        if joined:
            q = joined[-1]
            gap_a, gap_b = p.a_start - q.a_end, p.b_start - q.b_end
            if (0 <= gap_a <= JOIN_GAP_CHARS and 0 <= gap_b <= JOIN_GAP_CHARS
                    and not unmatched_block(text_a, q.a_end, p.a_start)
                    and not unmatched_block(text_b, q.b_end, p.b_start)):
                matched, words_a, words_b = span_lcs(
                    tokens_a.starts, tokens_a.ends, tokens_a.hashes, q.a_start, p.a_end,
                    tokens_b.starts, tokens_b.ends, tokens_b.hashes, q.b_start, p.b_end)
                joined[-1] = AlignedSpan(q.a_start, p.a_end, q.b_start, p.b_end,
                                         round(matched / max(words_a, words_b, 1), 4), matched)
                continue
        joined.append(p)
    return joined


def _sentence_fragments(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens,
                        chains: list[AlignedSpan], params: TraceParams,
                        ignore_a: np.ndarray | None, ignore_b: np.ndarray | None
                        ) -> list[Span]:
    """Spans of reworded passages found through similar sentences (summaries among them)."""
    sentences_a, sentences_b = _sentences(text_a, tokens_a), _sentences(text_b, tokens_b)
    if not len(sentences_a) or not len(sentences_b):
        return []
    vectors = pair_vectors(sentences_a, sentences_b)
    exact = _seeds_from_chains(chains, sentences_a, sentences_b)
    exact_a, exact_b = {i for i, _ in exact}, {j for _, j in exact}
    skip_a, skip_b = _boilerplate_rows(sentences_a, ignore_a), _boilerplate_rows(sentences_b,
                                                                                ignore_b)
    # A summary sentence condenses several source sentences, so it shares
    # fewer of its terms with any one of them: summary seeds are looser.
    strength = {(i, j): value for (i, j), value in similar_sentences(
        sentences_a, sentences_b, vectors, SUMMARY_SEED_SHARE * params.sentence_similarity
    ).items() if i not in skip_a and j not in skip_b
        # a sentence inside exact wording is already placed: it seeds only there
        and i not in exact_a and j not in exact_b}
    seeds = exact | {pair for pair, value in strength.items()
                     if value >= params.sentence_similarity}
    loose = exact | set(strength)

    def span_of(rows_a: range, rows_b: range) -> Span:
        return (int(sentences_a.starts[rows_a.start]), int(sentences_a.ends[rows_a.stop - 1]),
                int(sentences_b.starts[rows_b.start]), int(sentences_b.ends[rows_b.stop - 1]))

    fragments = []
    for cluster in cluster_seeds(sorted(seeds), params.max_sentence_gap):
        for piece in split_at_paragraphs(cluster, text_a, sentences_a, text_b, sentences_b):
            for rows_a, rows_b, _ in validated_fragments(piece, vectors, params.max_sentence_gap,
                                                        params.sentence_similarity):
                fragments.append(span_of(rows_a, rows_b))
    summaries = []
    for cluster in cluster_seeds(sorted(loose), params.max_sentence_gap, max_gap_b=len(
            sentences_b)):
        rows_a = range(min(i for i, _ in cluster), max(i for i, _ in cluster) + 1)
        rows_b = range(min(j for _, j in cluster), max(j for _, j in cluster) + 1)
        span = span_of(rows_a, rows_b)
        a_length = span[1] - span[0]
        strongest = max(strength.get(seed, 1.0) for seed in cluster)
        if (len({j for _, j in cluster}) >= 3 and _condensed(cluster)
                and a_length >= SUMMARY_MIN_CHARS and strongest >= SUMMARY_MIN_STRONGEST
                and SUMMARY_RATIO * a_length <= span[3] - span[2] <= SUMMARY_MAX_RATIO * a_length
                and fragment_similarity(vectors, rows_a, rows_b) >= params.sentence_similarity):
            if 2 * len(rows_b) >= len(sentences_b):
                # drawing on most of b: a summary of the whole text, not of a part
                span = span_of(rows_a, range(len(sentences_b)))
            summaries.append(span)
    # a condensed version explains its source as one passage, not as scraps
    fragments = [f for f in fragments
                 if not any(_overlap(f[0], f[1], s[0], s[1]) and s[2] <= f[2] and f[3] <= s[3]
                            for s in summaries)]
    return fragments + summaries


def _nearly_all_exact(chains: list[AlignedSpan], text_a: str, text_b: str) -> bool:
    """Whether exact chains already cover almost all of one text.

    Then that text is a copy (whole, trimmed or extended) of the other, and
    what the other holds beyond it is its own material: sentence similarity
    has nothing to add.  Skipping it is what makes the many copies of a
    widely republished story cheap to align.
    """
    covered_a = sum(c.a_end - c.a_start for c in chains)
    covered_b = sum(c.b_end - c.b_start for c in chains)
    return (covered_a >= COPY_COVERAGE * len(text_a.strip())
            or covered_b >= COPY_COVERAGE * len(text_b.strip()))


def warm_up() -> None:
    """Compile (or load from the disk cache) every alignment kernel and build its tables.

    Called before worker processes fork, so that they share them instead of
    each loading its own.
    """
    from wiretrace.align import anchors, chaining, passages, sentences

    anchors.warm_up()
    chaining.warm_up()
    sentences.warm_up()
    passages.warm_up()
