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

import numpy as np

from wiretrace.fingerprint import SHINGLE_BITS
from wiretrace.text import ngram_hashes

# Article numbers live in the low bits of a sort key beside a 40-bit shingle.
DOC_BITS = 64 - SHINGLE_BITS
MAX_ARTICLES = 1 << DOC_BITS


def seed_index_pairs(shingles: np.ndarray, offsets: np.ndarray, max_df: int, min_shared: int
                     ) -> tuple[dict[tuple[int, int], int], np.ndarray]:
    """Pairs ``(i, j)`` (``i < j``) sharing at least ``min_shared`` shingles.

    ``shingles[offsets[k]:offsets[k + 1]]`` are article ``k``'s distinct
    shingles.  Returns the number of shared (non-boilerplate) shingles per
    pair, and the sorted boilerplate shingles (held by more than ``max_df``
    articles).  Shingle and article number are packed into one 64-bit key and
    sorted in place: no index arrays beside the data, which is what bounds
    the memory of this stage.
    """
    no_hashes = np.empty(0, dtype=np.uint64)
    n_docs = len(offsets) - 1
    if n_docs < 2 or len(shingles) == 0:
        return {}, no_hashes
    if n_docs > MAX_ARTICLES:
        raise ValueError(f"the seed index takes at most {MAX_ARTICLES:,} articles per run")
    keys = np.repeat(np.arange(n_docs, dtype=np.uint64), np.diff(offsets))
    keys |= shingles.astype(np.uint64) << np.uint64(DOC_BITS)
    keys.sort()
    values = keys >> np.uint64(DOC_BITS)
    docs = (keys & np.uint64(MAX_ARTICLES - 1)).astype(np.int64)
    del keys
    # group boundaries of equal shingles
    starts = np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1))
    sizes = np.diff(np.append(starts, len(values)))
    keep = (sizes >= 2) & (sizes <= max_df)
    boilerplate = values[starts[sizes > max_df]]
    pair_keys: list[np.ndarray] = []
    for size in np.unique(sizes[keep]):
        group_starts = starts[keep & (sizes == size)]
        members = docs[group_starts[:, None] + np.arange(size)[None, :]]  # (groups, size)
        left, right = np.triu_indices(size, k=1)
        a, b = members[:, left].ravel(), members[:, right].ravel()
        pair_keys.append(np.minimum(a, b) * n_docs + np.maximum(a, b))
    if not pair_keys:
        return {}, boilerplate
    pair_ids, counts = np.unique(np.concatenate(pair_keys), return_counts=True)
    chosen = counts >= min_shared
    pairs = {(int(k // n_docs), int(k % n_docs)): int(c)
             for k, c in zip(pair_ids[chosen], counts[chosen], strict=True)}
    return pairs, boilerplate


def boilerplate_mask(word_hashes: np.ndarray, n: int, boilerplate: np.ndarray,
                     max_share: float = 0.5) -> np.ndarray | None:
    """Tokens of one article covered by boilerplate n-grams, or ``None``.

    When boilerplate would cover more than ``max_share`` of the article, the
    text is not a footer but a story copied more than ``max_df`` times, and
    nothing is masked (LSH still pairs such copies, and they must align).
    """
    if len(boilerplate) == 0:
        return None
    grams = ngram_hashes(word_hashes, n) >> np.uint64(64 - SHINGLE_BITS)  # as shingles
    hits = np.flatnonzero(np.isin(grams, boilerplate, assume_unique=False))
    if len(hits) == 0:
        return None
    mask = np.zeros(len(word_hashes), dtype=bool)
    for k in range(n):
        mask[hits + k] = True
    return None if mask.mean() > max_share else mask


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


def lsh_pairs(signatures: np.ndarray, threshold: float,
              non_empty: np.ndarray | None = None) -> set[tuple[int, int]]:
    """Pairs of rows of ``signatures`` that collide in at least one LSH band."""
    n_docs, num_perm = signatures.shape
    if n_docs < 2:
        return set()
    bands, rows = lsh_bands(num_perm, threshold)
    rows_index = np.arange(n_docs) if non_empty is None else np.flatnonzero(non_empty)
    pairs: set[tuple[int, int]] = set()
    for band in range(bands):
        block = np.ascontiguousarray(signatures[rows_index, band * rows:(band + 1) * rows])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        same = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
        if len(same) == 0:
            continue
        # consecutive positions in ``same`` form one bucket of equal keys
        for run in np.split(same, np.flatnonzero(np.diff(same) != 1) + 1):
            members = np.sort(rows_index[order[run[0]:run[-1] + 2]])
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    pairs.add((int(members[x]), int(members[y])))
    return pairs
