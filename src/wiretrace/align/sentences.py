"""Sentence-level similarity: seeds for reworded, reordered or paraphrased reuse.

Exact word n-grams vanish when an editor shuffles, swaps or paraphrases words.
What survives is the vocabulary: a rewritten sentence still shares most of its
content words (stemmed, stop words left out) with the sentence it came from.
Each sentence becomes a tf-idf vector over those terms, with the idf computed
over the sentences of the two texts being compared, and two sentences are a
*seed* when both their cosine and their Dice coefficient reach a threshold
(the seeding of Sanchez-Perez et al., the PAN 2014 text-alignment winner).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import snowballstemmer

from wiretrace.text import Tokens, sentence_spans

# English function words: they carry no evidence that two sentences share a source.
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each
few for from further had has have having he her here hers herself him himself his how
i if in into is it its itself just me more most my myself no nor not now of off on
once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too
under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves s t d ll m re ve said says say mr mrs ms
""".split())
# Sentences with fewer content terms are too short to judge on their own; they
# are joined to the next sentence when no line break separates them.
MIN_SENTENCE_TERMS = 3
# A seed must reach this share of the best cosine of one of its sentences.
BEST_MATCH_SHARE = 0.8

_stemmer = snowballstemmer.stemmer("english")
_term_ids: dict[str, int] = {}


@lru_cache(maxsize=500_000)
def term_id(norm: str) -> int:
    """Id of the stemmed content term of a normalised token; -1 for stop words."""
    if norm in STOP_WORDS or (len(norm) < 2 and norm.isascii()):
        return -1
    stem = _stemmer.stemWord(norm) if norm.isascii() else norm
    return _term_ids.setdefault(stem, len(_term_ids))


@dataclass(frozen=True, slots=True)
class Sentences:
    """The sentences of one text: character spans and their content terms."""

    starts: np.ndarray  # char offset of each sentence
    ends: np.ndarray
    token_first: np.ndarray  # index of each sentence's first token
    token_end: np.ndarray  # one past its last token
    terms: list[np.ndarray]  # content term ids of each sentence (with repeats)
    # distinct (sentence, term) postings with the term's count in the sentence
    posting_rows: np.ndarray
    posting_terms: np.ndarray
    posting_counts: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)


def _postings(sentence_terms: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``(row, term)`` of a text's sentences with the term's count there."""
    if not sum(len(t) for t in sentence_terms):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=np.float64)
    rows = np.repeat(np.arange(len(sentence_terms)), [len(t) for t in sentence_terms])
    terms = np.concatenate(sentence_terms)
    keys, counts = np.unique(rows * (terms.max() + 1) + terms, return_counts=True)
    return keys // (terms.max() + 1), keys % (terms.max() + 1), counts.astype(np.float64)


def split_sentences(text: str, tokens: Tokens) -> Sentences:
    """Sentences of ``text`` with their content terms; short ones joined to the next."""
    spans = sentence_spans(text)
    token_terms = np.fromiter((term_id(n) for n in tokens.norms), dtype=np.int64,
                              count=len(tokens))
    merged: list[list[int]] = []
    pending: list[int] | None = None
    for start, end in spans:
        first = int(np.searchsorted(tokens.starts, start, side="left"))
        last = int(np.searchsorted(tokens.starts, end, side="left"))
        terms = token_terms[first:last]
        if pending is not None:
            if "\n" in text[pending[1]:start]:
                merged.append(pending)
            else:
                start, first = pending[0], pending[3]
                terms = np.concatenate([pending[2], terms])
            pending = None
        current = [start, end, terms[terms >= 0], first, last]
        if len(current[2]) < MIN_SENTENCE_TERMS:
            pending = current
        else:
            merged.append(current)
    if pending is not None:
        merged.append(pending)
    column = lambda k: np.array([m[k] for m in merged], dtype=np.int64)  # noqa: E731
    terms = [m[2] for m in merged]
    return Sentences(column(0), column(1), column(3), column(4), terms, *_postings(terms))


@dataclass(frozen=True, slots=True)
class PairVectors:
    """tf-idf postings of both texts' sentences over one shared, local vocabulary.

    Plain NumPy arrays rather than sparse matrices: news articles are short,
    and per-pair matrix set-up would cost more than the arithmetic.
    """

    rows_a: np.ndarray
    terms_a: np.ndarray  # local term index of each posting
    weights_a: np.ndarray
    rows_b: np.ndarray
    terms_b: np.ndarray
    weights_b: np.ndarray
    vocabulary: int


def pair_vectors(sentences_a: Sentences, sentences_b: Sentences) -> PairVectors:
    rows_a, terms_a, tf_a = (sentences_a.posting_rows, sentences_a.posting_terms,
                             sentences_a.posting_counts)
    rows_b, terms_b, tf_b = (sentences_b.posting_rows, sentences_b.posting_terms,
                             sentences_b.posting_counts)
    vocabulary, local = np.unique(np.concatenate([terms_a, terms_b]), return_inverse=True)
    local_a, local_b = local[:len(terms_a)], local[len(terms_a):]
    # each posting is one (sentence, term): counting postings counts sentences
    df = np.bincount(local, minlength=len(vocabulary))
    idf = np.log((len(sentences_a) + len(sentences_b)) / np.maximum(df, 1))
    return PairVectors(rows_a, local_a, tf_a * idf[local_a], rows_b, local_b,
                       tf_b * idf[local_b], len(vocabulary))


def _shared_postings(vectors: PairVectors) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of postings with the same term: ``(row_a, row_b, product)``."""
    order_b = np.argsort(vectors.terms_b, kind="stable")
    sorted_b = vectors.terms_b[order_b]
    left = np.searchsorted(sorted_b, vectors.terms_a, side="left")
    counts = np.searchsorted(sorted_b, vectors.terms_a, side="right") - left
    which_a = np.repeat(np.arange(len(vectors.terms_a)), counts)
    offsets = np.arange(len(which_a)) - np.repeat(np.cumsum(counts) - counts, counts)
    which_b = order_b[np.repeat(left, counts) + offsets]
    return (vectors.rows_a[which_a], vectors.rows_b[which_b],
            vectors.weights_a[which_a] * vectors.weights_b[which_b])


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
    row_a, row_b, products = _shared_postings(vectors)
    if len(products) == 0:
        return {}
    n_b = len(sentences_b)
    keys, inverse, shared = np.unique(row_a * n_b + row_b, return_inverse=True,
                                      return_counts=True)
    dots = np.bincount(inverse, weights=products)
    norms_a = np.sqrt(np.bincount(vectors.rows_a, weights=vectors.weights_a ** 2,
                                  minlength=len(sentences_a)))
    norms_b = np.sqrt(np.bincount(vectors.rows_b, weights=vectors.weights_b ** 2,
                                  minlength=n_b))
    sizes_a = np.bincount(vectors.rows_a, minlength=len(sentences_a))
    sizes_b = np.bincount(vectors.rows_b, minlength=n_b)
    i, j = keys // n_b, keys % n_b
    with np.errstate(divide="ignore", invalid="ignore"):
        cosine = np.nan_to_num(dots / (norms_a[i] * norms_b[j]))
    dice = 2 * shared / (sizes_a[i] + sizes_b[j])
    strength = np.minimum(cosine, dice)
    keep = (shared >= 2) & (strength >= threshold)
    i, j, strength = i[keep], j[keep], strength[keep]
    if len(strength) == 0:
        return {}
    best_a = np.zeros(len(sentences_a))
    best_b = np.zeros(n_b)
    np.maximum.at(best_a, i, strength)
    np.maximum.at(best_b, j, strength)
    chosen = strength >= BEST_MATCH_SHARE * np.minimum(best_a[i], best_b[j])
    return {(int(x), int(y)): float(v)
            for x, y, v in zip(i[chosen], j[chosen], strength[chosen], strict=True)}


def fragment_similarity(vectors: PairVectors, a_rows: range, b_rows: range) -> float:
    """Cosine of two runs of sentences, each summed into one tf-idf vector."""
    in_a = (vectors.rows_a >= a_rows.start) & (vectors.rows_a < a_rows.stop)
    in_b = (vectors.rows_b >= b_rows.start) & (vectors.rows_b < b_rows.stop)
    summed_a = np.bincount(vectors.terms_a[in_a], weights=vectors.weights_a[in_a],
                           minlength=vectors.vocabulary)
    summed_b = np.bincount(vectors.terms_b[in_b], weights=vectors.weights_b[in_b],
                           minlength=vectors.vocabulary)
    norm = np.linalg.norm(summed_a) * np.linalg.norm(summed_b)
    return float(summed_a @ summed_b / norm) if norm else 0.0
