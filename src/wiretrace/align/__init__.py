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
Last, each passage gets its kind (:mod:`.templates`): reuse, a template
match (the same frame with other names and figures) or boilerplate.

A pair costs a fraction of a millisecond, and a large corpus has millions of
candidate pairs: every stage's inner work is compiled (numba), one call per
pair or per text, and :func:`warm_up` loads it all before worker processes fork.
"""

from __future__ import annotations

import numpy as np

from wiretrace.align.chains import AlignedSpan, exact_spans, similar_words
from wiretrace.align.clusters import reworded_spans, unmatched_block
from wiretrace.align.passages import scored_passages, span_lcs
from wiretrace.align.sentences import Sentences, idf, split_sentences
from wiretrace.align.similarity import sentence_seeds
from wiretrace.align.templates import figures_differ, lead_actor, leads_differ, passage_kind
from wiretrace.params import TraceParams
from wiretrace.text.tokens import Tokens, tokenize

__all__ = ["AlignedSpan", "align_tokens", "similar_words", "warm_up"]

# Exact chains covering this much of one text make it a copy of the other.
COPY_COVERAGE = 0.95
# Share of a merged passage that exact chains must make up for their extent
# to stand for the whole.
EXACT_DOMINANT = 0.9
# Passages closer than this on both sides are pieces of one passage.
JOIN_GAP_CHARS = 250


def _sentences(text: str, tokens: Tokens) -> Sentences:
    """Sentences of a text, kept with its tokens for the next pairs it takes part in."""
    facts = tokens.facts
    if facts.sentences is None:
        facts.sentences = split_sentences(text, tokens)
    return facts.sentences


_NOTHING_IGNORED = np.zeros(0, dtype=bool)
_NO_SPANS = np.zeros((0, 4), dtype=np.int64)


def align_tokens(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens,
                 params: TraceParams | None = None, ignore_a: np.ndarray | None = None,
                 ignore_b: np.ndarray | None = None) -> list[AlignedSpan]:
    """Reused passages between two tokenised texts, sorted by position in a.

    ``ignore_a``/``ignore_b`` flag boilerplate tokens, which neither anchor an
    exact chain nor seed a sentence pair.
    """
    params = params or TraceParams()
    exact = exact_spans(text_a, tokens_a, text_b, tokens_b, params, ignore_a, ignore_b)
    reworded = _NO_SPANS
    if params.sentence_similarity < 1.0 and not _nearly_all_exact(
            exact.tolist(), text_a, tokens_a, text_b, tokens_b):
        reworded = _sentence_fragments(text_a, tokens_a, text_b, tokens_b, exact, params,
                                       ignore_a, ignore_b)
    found = scored_passages(exact, reworded, EXACT_DOMINANT, params.min_reworded_chars,
                            params.min_passage_words, tokens_a.starts, tokens_a.ends,
                            tokens_a.hashes, tokens_b.starts, tokens_b.ends, tokens_b.hashes)
    passages = [AlignedSpan(a0, a1, b0, b1, round(matched / max(longer, 1), 4), matched)
                for a0, a1, b0, b1, matched, longer in found.tolist()]
    joined = _join_neighbours(passages, text_a, tokens_a, text_b, tokens_b)
    other_leads = bool(joined) and leads_differ(text_a, tokens_a, text_b, tokens_b)
    other_figures = figures_differ(text_a, tokens_a, text_b, tokens_b) if joined else 0
    # the texts open on different actors: one slot changed in every passage, so
    # that only agreeing passages link texts far apart in time (stories.links)
    actor_a = lead_actor(text_a, tokens_a) if joined else frozenset()
    actor_b = lead_actor(text_b, tokens_b) if joined else frozenset()
    other_actor = bool(actor_a and actor_b and not actor_a & actor_b)
    classified = []
    for p in joined:
        kind, slots = passage_kind(text_a, tokens_a, p.a_start, p.a_end, text_b, tokens_b,
                                   p.b_start, p.b_end, ignore_a, other_leads, other_actor,
                                   other_figures)
        classified.append(AlignedSpan(p.a_start, p.a_end, p.b_start, p.b_end, p.score,
                                      p.matched_words, kind, slots.kept, slots.substituted))
    return classified


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
                        chains: np.ndarray, params: TraceParams, ignore_a: np.ndarray | None,
                        ignore_b: np.ndarray | None) -> np.ndarray:
    """Spans of reworded passages found through similar sentences (summaries among them);
    ``chains``: the exact passages, rows starting ``a_start, a_end, b_start, b_end``."""
    sentences_a, sentences_b = _sentences(text_a, tokens_a), _sentences(text_b, tokens_b)
    if not len(sentences_a) or not len(sentences_b):
        return np.zeros((0, 4), dtype=np.int64)
    a, b = sentences_a, sentences_b
    seeds, loose, strength, local_a, weights_a, local_b, weights_b, size = sentence_seeds(
        a.starts, a.ends, a.token_first, a.token_end, a.posting_rows, a.posting_counts,
        a.posting_vocabulary, a.vocabulary, a.holding, b.starts, b.ends, b.token_first,
        b.token_end, b.posting_rows, b.posting_counts, b.posting_vocabulary, b.vocabulary,
        b.holding, chains, _NOTHING_IGNORED if ignore_a is None else ignore_a,
        _NOTHING_IGNORED if ignore_b is None else ignore_b, idf(len(a) + len(b)),
        params.sentence_similarity)
    return reworded_spans(seeds, loose, strength, a.posting_rows, local_a, weights_a,
                          b.posting_rows, local_b, weights_b, size, a.starts, a.ends, a.classes,
                          b.starts, b.ends, b.classes, params.sentence_similarity,
                          params.max_sentence_gap)


def _nearly_all_exact(exact: list[list[int]], text_a: str, tokens_a: Tokens, text_b: str,
                      tokens_b: Tokens) -> bool:
    """Whether exact chains (rows starting ``a_start, a_end, b_start, b_end``) already
    cover almost all of one text.

    Then that text is a copy (whole, trimmed or extended) of the other, and
    what the other holds beyond it is its own material: sentence similarity
    has nothing to add.  Skipping it is what makes the many copies of a
    widely republished story cheap to align.
    """
    covered_a = covered_b = 0
    for row in exact:
        covered_a += row[1] - row[0]
        covered_b += row[3] - row[2]
    return (covered_a >= COPY_COVERAGE * _content_length(text_a, tokens_a)
            or covered_b >= COPY_COVERAGE * _content_length(text_b, tokens_b))


def _content_length(text: str, tokens: Tokens) -> int:
    """Characters of a text without its surrounding white space (kept with its tokens)."""
    facts = tokens.facts
    if facts.content_length is None:
        facts.content_length = len(text.strip())
    return facts.content_length


def warm_up() -> None:
    """Compile (or load from the disk cache) every alignment kernel and build its tables.

    Called before worker processes fork, so that they share them instead of
    each loading its own: the exact and the reworded passages' kernels
    (:func:`warm_up_exact`, :func:`warm_up_reworded`, which a first run
    compiles side by side), then whole alignments, with and without
    boilerplate flags.
    """
    warm_up_exact()
    warm_up_reworded()
    text_a, text_b = _REWORDED_PAIR
    tokens_a, tokens_b = tokenize(text_a), tokenize(text_b)
    align_tokens(text_a, tokens_a, text_b, tokens_b)
    align_tokens(text_a, tokens_a, text_b, tokens_b, None, np.zeros(len(tokens_a), dtype=bool),
                 np.zeros(len(tokens_b), dtype=bool))


# Two sentences, one reworded from the other: what makes every kernel of the
# sentence stage run.
_REWORDED_PAIR = (
    "Officials in the port city said on Monday that the strike had ended. Workers "
    "returned to the docks after a week of talks with the operator.",
    "The strike ended on Monday, officials in the port city said. After a week of "
    "talks with the operator, the workers returned to the docks.")


def warm_up_exact() -> None:
    """Compile (or load) the kernels of exact passages, their scores and kinds, without
    the sentence stage's: a copy with a sentence added aligns through them alone (a
    first run compiles them in a worker of their own, :mod:`wiretrace.runtime.compiled`)."""
    from wiretrace.align import chaining, passages, templates, words

    for part in (chaining.warm_up, words.warm_up, passages.warm_up, templates.warm_up):
        part()
    text_a = _REWORDED_PAIR[0]
    text_b = text_a + " The operator said pay talks would resume in the spring."
    align_tokens(text_a, tokenize(text_a), text_b, tokenize(text_b))


def warm_up_reworded() -> None:
    """Compile (or load) the kernels of reworded passages alone (sentences, their
    similarity, the clusters), without the exact stage's: a first run compiles
    them in a worker of their own beside the rest (:mod:`wiretrace.runtime.compiled`)."""
    from wiretrace.align import sentences

    sentences.warm_up()
    text_a, text_b = _REWORDED_PAIR
    no_exact_spans = np.zeros((0, 6), dtype=np.int64)
    _sentence_fragments(text_a, tokenize(text_a), text_b, tokenize(text_b), no_exact_spans,
                        TraceParams(), None, None)
