"""Candidate pairs without comparing all pairs.

Two independent sources of candidates, merged:

* a **seed index**: an inverted index from word n-gram hash to the articles
  holding it.  Two articles become a candidate when they share at least
  ``min_shared_seeds`` n-grams; this finds partial reuse (a few paragraphs
  inside an otherwise different article).  An n-gram held by more than
  ``max_df`` articles is boilerplate ("Follow us on ...", agency slugs) and
  is ignored, which also bounds the pairs any one n-gram can create, so the
  cost grows with the corpus and the real reuse, not with all pairs.
* **MinHash LSH** over the same shingles: bands of the signatures bucket
  near-duplicate articles together.  It catches copies of a story so widely
  republished that its n-grams exceed ``max_df``.

Both work on sorted NumPy arrays (a sort-and-group instead of Python dicts).
"""

from __future__ import annotations

import math
import tempfile

import numpy as np

from wiretrace.candidates.seed_index import SeedIndex
from wiretrace.fingerprint.minhash import SHINGLE_BITS


def seed_index_pairs(shingles: np.ndarray, offsets: np.ndarray, max_df: int, min_shared: int
                     ) -> tuple[dict[tuple[int, int], int], np.ndarray]:
    """Pairs ``(i, j)`` (``i < j``) sharing at least ``min_shared`` shingles.

    ``shingles[offsets[k]:offsets[k + 1]]`` are article ``k``'s distinct
    shingles.  Returns the number of shared (non-boilerplate) shingles per
    pair, and the sorted boilerplate shingles (held by more than ``max_df``
    articles).  The in-memory face of :class:`~wiretrace.candidates.seed_index.SeedIndex`,
    for corpora that fit in memory.
    """
    with tempfile.TemporaryDirectory(prefix="wiretrace-seeds-") as folder:
        index = SeedIndex(folder, shingle_partitions=1, pair_partitions=1)
        index.add(0, shingles, offsets)
        left, right, shared, boilerplate = index.pairs(max_df, min_shared)
    return ({(i, j): c for i, j, c in zip(left.tolist(), right.tolist(), shared.tolist(),
                                          strict=True)}, boilerplate)


def boilerplate_mask(word_hashes: np.ndarray, n: int, boilerplate: np.ndarray,
                     max_share: float = 0.5) -> np.ndarray | None:
    """Tokens of one article covered by boilerplate n-grams, or ``None``.

    When boilerplate would cover more than ``max_share`` of the article, the
    text is not a footer but a story copied more than ``max_df`` times, and
    nothing is masked (LSH still pairs such copies, and they must align).
    """
    from wiretrace.fingerprint.kernels import covered_tokens  # numba: imported on first use only

    if len(boilerplate) == 0:
        return None
    mask = covered_tokens(np.ascontiguousarray(word_hashes, dtype=np.uint64), n,
                          64 - SHINGLE_BITS, np.ascontiguousarray(boilerplate, dtype=np.uint64))
    covered = int(np.count_nonzero(mask))
    return None if covered == 0 or covered / len(mask) > max_share else mask


def lsh_bands(num_perm: int, threshold: float) -> tuple[int, int]:
    """Bands and rows whose S-curve ``(1/b) ** (1/r)`` is nearest ``threshold``.

    Ties go to more bands (higher recall); the alignment that follows removes
    false candidates cheaply, missed ones are gone for good.
    """
    best = (1, num_perm)
    best_gap = math.inf
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        gap = abs((1.0 / bands) ** (1.0 / rows) - threshold)
        if gap < best_gap - 1e-12:
            best, best_gap = (bands, rows), gap
    return best


def band_keys(signatures: np.ndarray, bands: int, rows: int,
              rows_index: np.ndarray | None = None) -> np.ndarray:
    """The 64-bit hash of each LSH band of each signature (of those numbered
    ``rows_index``, default all): an ``(n, bands)`` array.

    Two signatures collide in a band exactly when the band's values are
    equal, up to a 2**-64 hash collision; the index keeps the top
    ``fingerprint.keys.VALUE_BITS`` of each (2**-40: one useless alignment,
    never a missed pair).
    """
    from wiretrace.candidates import kernels  # numba: imported on first use only

    signatures = np.ascontiguousarray(signatures)
    if rows_index is None:
        rows_index = np.arange(len(signatures), dtype=np.int64)
    keys = kernels.band_keys(signatures, np.ascontiguousarray(rows_index, dtype=np.int64),
                             bands, rows)
    return keys.reshape(len(rows_index), bands)


def lsh_pairs(signatures: np.ndarray, threshold: float,
              non_empty: np.ndarray | None = None) -> set[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of rows of ``signatures`` equal in at least one LSH band.

    Each (row, band) becomes one 64-bit key hashing the band's values and
    its number (:func:`band_keys`); one sort of all keys groups the buckets of every band at
    once, and the pairs of each bucket come from a compiled loop (no Python
    loop over bands or buckets).  Two different bands collide in a key once
    in 2**64, so the pairs are those of an exact band comparison.
    """
    from wiretrace.candidates import kernels  # numba: imported on first use only

    n_docs, num_perm = signatures.shape
    if n_docs < 2:
        return set()
    bands, rows = lsh_bands(num_perm, threshold)
    rows_index = (np.arange(n_docs, dtype=np.int64) if non_empty is None
                  else np.flatnonzero(non_empty).astype(np.int64))
    keys = band_keys(signatures, bands, rows, rows_index).ravel()
    order = np.argsort(keys)
    pair_keys = kernels.bucket_pairs(keys[order], rows_index[order // bands], n_docs)
    if len(pair_keys) == 0:
        return set()
    pair_keys = np.unique(pair_keys)
    return set(zip((pair_keys // n_docs).tolist(), (pair_keys % n_docs).tolist(), strict=True))


def earliest_candidates(pairs: np.ndarray, most: int) -> np.ndarray:
    """The pairs ``(i, j)``, ``i < j`` (a ``(k, 2)`` array sorted by ``i`` then ``j``)
    in which ``i`` is among the ``most`` smallest partners ``j`` has below it: each
    article is aligned with at most ``most`` earlier articles, the earliest.  The
    kept pairs keep their order.  (A rule each article's pairs decide alone, so the
    index applies it as articles arrive.)"""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(pairs) <= most:
        return pairs
    by_later = np.lexsort((pairs[:, 0], pairs[:, 1]))
    later = pairs[by_later, 1]
    starts = np.flatnonzero(np.r_[True, later[1:] != later[:-1]])
    rank = np.arange(len(later)) - np.repeat(starts, np.diff(np.r_[starts, len(later)]))
    if rank.max() < most:
        return pairs
    keep = np.zeros(len(pairs), dtype=bool)
    keep[by_later[rank < most]] = True
    return pairs[keep]

