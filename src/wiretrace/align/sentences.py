"""Sentence-level similarity: seeds for reworded, reordered or paraphrased reuse.

Exact word n-grams vanish when an editor shuffles, swaps or paraphrases words.
What survives is the vocabulary: a rewritten sentence still shares most of its
content words (stemmed, stop words left out) with the sentence it came from.
Each sentence becomes a tf-idf vector over those terms, with the idf computed
over the sentences of the two texts being compared, and two sentences are a
*seed* when both their cosine and their Dice coefficient reach a threshold
(the seeding of Sanchez-Perez et al., the PAN 2014 text-alignment winner).

The work is compiled: a text's sentences and terms in :mod:`.splitting` and
:mod:`.terms` (once per text), a pair's in :mod:`.similarity` and
:mod:`.clusters`; the functions here are the same steps one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from wiretrace.align import clusters, similarity, splitting, terms
from wiretrace.align.similarity import BEST_MATCH_SHARE
from wiretrace.align.terms import STOP_WORDS, term_id, token_terms
from wiretrace.text.tokens import WRAPPED_LINE_MIN, Tokens, code_points, sentence_spans

__all__ = ["STOP_WORDS", "PairVectors", "Sentences", "fragment_similarity", "pair_vectors",
           "similar_sentences", "split_sentences", "term_id"]

# Sentences with fewer content terms are too short to judge on their own; they
# are joined to the next sentence when no line break separates them.
MIN_SENTENCE_TERMS = 3


@dataclass(frozen=True, slots=True)
class Sentences:
    """The sentences of one text: character spans and their content terms."""

    starts: np.ndarray  # char offset of each sentence
    ends: np.ndarray
    token_first: np.ndarray  # index of each sentence's first token
    token_end: np.ndarray  # one past its last token
    # content terms of sentence k (with repeats): term_flat[term_offsets[k]:term_offsets[k + 1]]
    term_offsets: np.ndarray
    term_flat: np.ndarray
    # distinct (sentence, term) postings, by sentence then term, with the term's count
    posting_rows: np.ndarray
    posting_terms: np.ndarray
    posting_counts: np.ndarray
    # the text's distinct terms ascending, how many sentences hold each, and
    # each posting's term as an index into them
    vocabulary: np.ndarray
    holding: np.ndarray
    posting_vocabulary: np.ndarray
    classes: np.ndarray  # each character's class (see splitting.text_classes)

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def terms(self) -> list[np.ndarray]:
        """Content terms of each sentence (with repeats, in text order)."""
        offsets = self.term_offsets.tolist()
        return [self.term_flat[start:end] for start, end in zip(offsets, offsets[1:],
                                                               strict=False)]


def split_sentences(text: str, tokens: Tokens) -> Sentences:
    """Sentences of ``text`` with their content terms; short ones joined to the next."""
    codes = code_points(text)
    terms = token_terms(text, tokens)
    if codes.dtype == np.uint8 or int(codes.max()) < 0x10000:
        assembled = splitting.split(codes, splitting.char_flags(), WRAPPED_LINE_MIN,
                                    tokens.starts, terms, MIN_SENTENCE_TERMS)
    else:  # a character beyond the table: the regular expression itself
        spans = np.array(sentence_spans(text), dtype=np.int64).reshape(-1, 2)
        assembled = splitting.assemble(spans[:, 0].copy(), spans[:, 1].copy(), tokens.starts,
                                       terms, codes, MIN_SENTENCE_TERMS)
    return Sentences(**splitting.unpack(assembled), classes=splitting.text_classes(codes))


@dataclass(frozen=True, slots=True)
class PairVectors:
    """tf-idf postings of both texts' sentences over one shared, local vocabulary.

    Plain arrays rather than sparse matrices: news articles are short, and
    per-pair matrix set-up would cost more than the arithmetic.
    """

    rows_a: np.ndarray
    terms_a: np.ndarray  # local term index of each posting
    weights_a: np.ndarray
    rows_b: np.ndarray
    terms_b: np.ndarray
    weights_b: np.ndarray
    vocabulary: int
    sentences_a: int
    sentences_b: int


@lru_cache(maxsize=512)
def idf(sentences: int) -> np.ndarray:
    """``idf[df - 1]``: the idf of a term held by ``df`` of ``sentences`` sentences.

    NumPy's logarithm, as the vectors were always weighed: on some processors
    it differs from the C library's in the last bit.
    """
    return np.log(sentences / np.arange(1, sentences + 1))


def pair_vectors(sentences_a: Sentences, sentences_b: Sentences) -> PairVectors:
    # each posting is one (sentence, term): counting postings counts sentences
    local_a, weights_a, local_b, weights_b, size = similarity.pair_weights(
        sentences_a.vocabulary, sentences_a.holding, sentences_a.posting_vocabulary,
        sentences_a.posting_counts, sentences_b.vocabulary, sentences_b.holding,
        sentences_b.posting_vocabulary, sentences_b.posting_counts,
        idf(len(sentences_a) + len(sentences_b)))
    return PairVectors(sentences_a.posting_rows, local_a, weights_a, sentences_b.posting_rows,
                       local_b, weights_b, size, len(sentences_a), len(sentences_b))


def similar_sentences(sentences_a: Sentences, sentences_b: Sentences, vectors: PairVectors,
                      threshold: float) -> dict[tuple[int, int], float]:
    """Sentence pairs ``(i, j)`` whose cosine and Dice both reach ``threshold``.

    Pairs must also share at least two distinct terms (one shared name is no
    evidence of reuse), and be among the best matches of one of their two
    sentences: a sentence that resembles many (site navigation, a topic's
    stock wording) seeds only with those it resembles most.  Returns the
    lower of the cosine and the Dice coefficient of each pair, so a stricter
    threshold can be applied to the result afterwards.
    """
    if len(sentences_a) == 0 or len(sentences_b) == 0:
        return {}
    i, j, strength = similarity.similar_pairs(
        vectors.rows_a, vectors.terms_a, vectors.weights_a, len(sentences_a), vectors.rows_b,
        vectors.terms_b, vectors.weights_b, len(sentences_b), vectors.vocabulary, threshold,
        BEST_MATCH_SHARE)
    return dict(zip(zip(i.tolist(), j.tolist(), strict=True), strength.tolist(), strict=True))


def fragment_similarity(vectors: PairVectors, a_rows: range, b_rows: range) -> float:
    """Cosine of two runs of sentences, each summed into one tf-idf vector."""
    return clusters.fragment_cosine(vectors.rows_a, vectors.terms_a, vectors.weights_a,
                                    vectors.rows_b, vectors.terms_b, vectors.weights_b,
                                    vectors.vocabulary, a_rows.start, a_rows.stop, b_rows.start,
                                    b_rows.stop)


def warm_up() -> None:
    """Compile (or load) the kernels of this stage and build its tables, e.g. before forking."""
    splitting.warm_up()
    terms.warm_up()
