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
from scipy import sparse

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

    def __len__(self) -> int:
        return len(self.starts)


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
    return Sentences(column(0), column(1), column(3), column(4), [m[2] for m in merged])


def _term_matrix(sentences: Sentences, columns: dict[int, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for row, terms in enumerate(sentences.terms):
        rows.extend([row] * len(terms))
        cols.extend(columns.setdefault(int(t), len(columns)) for t in terms)
    data = np.ones(len(rows), dtype=np.float64)
    shape = (len(sentences), max(len(columns), 1))
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=shape)
    matrix.sum_duplicates()
    return matrix


@dataclass(frozen=True, slots=True)
class PairVectors:
    """tf-idf rows of both texts' sentences over one shared vocabulary."""

    tfidf_a: sparse.csr_matrix
    tfidf_b: sparse.csr_matrix
    idf: np.ndarray


def pair_vectors(sentences_a: Sentences, sentences_b: Sentences) -> PairVectors:
    columns: dict[int, int] = {}
    counts_a = _term_matrix(sentences_a, columns)
    counts_b = _term_matrix(sentences_b, columns)
    width = max(len(columns), 1)
    counts_a.resize((counts_a.shape[0], width))
    counts_b.resize((counts_b.shape[0], width))
    df = np.asarray((counts_a > 0).sum(axis=0)).ravel() + np.asarray(
        (counts_b > 0).sum(axis=0)).ravel()
    idf = np.log((len(sentences_a) + len(sentences_b)) / np.maximum(df, 1))
    return PairVectors(sparse.csr_matrix(counts_a.multiply(idf)),
                       sparse.csr_matrix(counts_b.multiply(idf)), idf)


def similar_sentences(sentences_a: Sentences, sentences_b: Sentences, vectors: PairVectors,
                      threshold: float) -> dict[tuple[int, int], float]:
    """Sentence pairs ``(i, j)`` whose cosine and Dice both reach ``threshold``.

    Pairs must also share at least two distinct terms (one shared name is no
    evidence of reuse), and be among the best matches of one of their two
    sentences: a sentence that resembles many (site navigation, a topic's
    stock wording) seeds only with those it resembles most.  Returns the
    cosine of each pair.
    """
    if len(sentences_a) == 0 or len(sentences_b) == 0:
        return {}
    norms_a = np.sqrt(np.asarray(vectors.tfidf_a.multiply(vectors.tfidf_a).sum(axis=1))).ravel()
    norms_b = np.sqrt(np.asarray(vectors.tfidf_b.multiply(vectors.tfidf_b).sum(axis=1))).ravel()
    dots = (vectors.tfidf_a @ vectors.tfidf_b.T).tocoo()
    binary_a = (vectors.tfidf_a > 0).astype(np.float64)
    binary_b = (vectors.tfidf_b > 0).astype(np.float64)
    shared = (binary_a @ binary_b.T).tocsr()
    sizes_a = np.asarray(binary_a.sum(axis=1)).ravel()
    sizes_b = np.asarray(binary_b.sum(axis=1)).ravel()
    seeds: dict[tuple[int, int], float] = {}
    for i, j, dot in zip(dots.row, dots.col, dots.data, strict=True):
        norm = norms_a[i] * norms_b[j]
        if norm == 0 or dot / norm < threshold:
            continue
        common = shared[i, j]
        if common < 2 or 2 * common / (sizes_a[i] + sizes_b[j]) < threshold:
            continue
        seeds[(int(i), int(j))] = float(dot / norm)
    best_a: dict[int, float] = {}
    best_b: dict[int, float] = {}
    for (i, j), cosine in seeds.items():
        best_a[i] = max(best_a.get(i, 0.0), cosine)
        best_b[j] = max(best_b.get(j, 0.0), cosine)
    return {(i, j): cosine for (i, j), cosine in seeds.items()
            if cosine >= BEST_MATCH_SHARE * min(best_a[i], best_b[j])}


def fragment_similarity(vectors: PairVectors, a_rows: range, b_rows: range) -> float:
    """Cosine of two runs of sentences, each summed into one tf-idf vector."""
    summed_a = np.asarray(vectors.tfidf_a[a_rows.start:a_rows.stop].sum(axis=0)).ravel()
    summed_b = np.asarray(vectors.tfidf_b[b_rows.start:b_rows.stop].sum(axis=0)).ravel()
    norm = np.linalg.norm(summed_a) * np.linalg.norm(summed_b)
    return float(summed_a @ summed_b / norm) if norm else 0.0
