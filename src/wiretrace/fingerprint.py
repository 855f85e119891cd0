"""Document fingerprints: word n-gram shingles and MinHash signatures.

Shingles are the sets of hashed word n-grams of each article (see
:func:`wiretrace.text.ngram_hashes`).  MinHash compresses a shingle set into
``num_perm`` minima of universal hash functions, so that the share of equal
positions between two signatures estimates their Jaccard similarity.  The
hash family is multiply-shift on 64-bit words, computed for all permutations
at once with NumPy.
"""

from __future__ import annotations

import numpy as np

from wiretrace.text import Tokens, ngram_hashes

_MAX = np.iinfo(np.uint64).max


def shingles(tokens: Tokens, n: int) -> np.ndarray:
    """Sorted, distinct hashes of the article's word ``n``-grams."""
    return np.unique(ngram_hashes(tokens.hashes, n))


def permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` coefficients of ``num_perm`` hash functions (a odd)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, _MAX, size=num_perm, dtype=np.uint64, endpoint=True) | np.uint64(1)
    b = rng.integers(0, _MAX, size=num_perm, dtype=np.uint64, endpoint=True)
    return a, b


def minhash(shingle_set: np.ndarray, perms: tuple[np.ndarray, np.ndarray],
            chunk: int = 4096) -> np.ndarray:
    """MinHash signature (``uint64[num_perm]``) of one shingle set.

    An empty set gets the all-max signature, which only ever collides with
    other empty sets (those are never proposed as candidates).
    """
    a, b = perms
    signature = np.full(len(a), _MAX, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for begin in range(0, len(shingle_set), chunk):
            block = shingle_set[begin:begin + chunk]
            hashed = a[:, None] * block[None, :] + b[:, None]
            np.minimum(signature, hashed.min(axis=1), out=signature)
    return signature


def jaccard(set_a: np.ndarray, set_b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted distinct shingle sets."""
    if len(set_a) == 0 and len(set_b) == 0:
        return 0.0
    common = len(np.intersect1d(set_a, set_b, assume_unique=True))
    return common / (len(set_a) + len(set_b) - common)
