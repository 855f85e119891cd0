"""Bit layouts of the 64-bit keys that fingerprints are sorted and stored as.

A shingle keeps the top :data:`VALUE_BITS` of its n-gram hash, and an LSH
band key the top :data:`VALUE_BITS` of its band hash (the index stores it; the
batch run compares whole 64-bit band hashes); the low :data:`DOC_BITS` of a
key then hold an article's (or an index version's) number.  One layout for
the batch seed index (:mod:`wiretrace.candidates.seed_index`), the shingles'
sort (:mod:`wiretrace.fingerprint.minhash`) and the index's postings
(:mod:`wiretrace.index.postings`, :mod:`wiretrace.index.lookup_kernels`).
"""

from __future__ import annotations

import numpy as np

# Two different n-grams (or bands) share a value once in 2**40: no measurable
# effect on candidates; 24 bits leave room for 16 million articles per key.
VALUE_BITS = 40
DOC_BITS = 64 - VALUE_BITS
MAX_DOCS = 1 << DOC_BITS
DOC_MASK = np.uint64(MAX_DOCS - 1)
DOC_SHIFT = np.uint64(DOC_BITS)


def pack(values: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Sorted keys ``value << DOC_BITS | doc`` of parallel arrays of values
    (:data:`VALUE_BITS` wide) and docs."""
    keys = (values.astype(np.uint64) << DOC_SHIFT) | docs.astype(np.uint64)
    keys.sort()
    return keys
