"""Compiled inner loops of shingling and MinHash (numba).

Each kernel is one pass over plain arrays.  Measured side by side on 21,268
Reuters + BBC texts (BENCHMARKS.md, near-duplicate section): shingles 0.38 s
-> 0.13 s, MinHash 0.47 s -> 0.07 s against the NumPy versions they replaced.
Hash arithmetic is on ``uint64`` and wraps modulo 2**64, as NumPy's does.
"""

from __future__ import annotations

import numpy as np
from numba import njit

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)
from wiretrace.text.kernels import _PRIME_TOKEN, _mix64

_PRIME_GRAM = np.uint64(0x100000001B3)
_EMPTY = np.uint32(0xFFFFFFFF)  # signature of a set without shingles


@njit(cache=True, nogil=True, inline="always")
def _gram_hash(hashes: np.ndarray, i: int, n: int) -> np.uint64:
    """Hash of the ``n`` tokens from ``i``: ``wiretrace.text.tokens.ngram_hashes``'s
    (polynomial, then splitmix)."""
    combined = np.uint64(0)
    for k in range(n):
        combined = combined * _PRIME_GRAM + hashes[i + k]
    return _mix64(combined)


@njit(cache=True, nogil=True)
def shingle_keys(hashes: np.ndarray, offsets: np.ndarray, n: int, drop_bits: int
                 ) -> np.ndarray:
    """``(text << (64 - drop_bits)) | (ngram_hash >> drop_bits)`` of every n-gram.

    N-grams never run across two texts.  The n-gram hash is
    ``wiretrace.text.tokens.ngram_hashes``'s (polynomial, then splitmix).
    """
    n_texts = offsets.shape[0] - 1
    total = 0
    for t in range(n_texts):
        total += max(0, offsets[t + 1] - offsets[t] - n + 1)
    keys = np.empty(total, np.uint64)
    shift = np.uint64(64 - drop_bits)
    drop = np.uint64(drop_bits)
    out = 0
    for t in range(n_texts):
        owner = np.uint64(t) << shift
        for i in range(offsets[t], offsets[t + 1] - n + 1):
            keys[out] = owner | (_gram_hash(hashes, i, n) >> drop)
            out += 1
    return keys


@njit(cache=True, nogil=True)
def covered_tokens(hashes: np.ndarray, n: int, drop_bits: int, sorted_keys: np.ndarray
                   ) -> np.ndarray:
    """Tokens of one text inside an n-gram whose shingle (its hash shifted right by
    ``drop_bits``, as :func:`shingle_keys` makes it) is in ``sorted_keys``."""
    covered = np.zeros(len(hashes), np.bool_)
    drop = np.uint64(drop_bits)
    for i in range(len(hashes) - n + 1):
        key = _gram_hash(hashes, i, n) >> drop
        at = np.searchsorted(sorted_keys, key)
        if at < len(sorted_keys) and sorted_keys[at] == key:
            covered[i:i + n] = True
    return covered


@njit(cache=True, nogil=True)
def gram_index(hashes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A text's ``n``-gram hashes (those of :func:`wiretrace.text.tokens.ngram_hashes`)
    sorted, and their positions in a stable order: ``(order, sorted)``; the
    anchor index of exact alignment (``align.chains``)."""
    count = len(hashes) - n + 1
    if count <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64)
    grams = np.empty(count, dtype=np.uint64)
    for i in range(count):
        grams[i] = _gram_hash(hashes, i, n)
    order = np.argsort(grams, kind="mergesort")
    return order, grams[order]


@njit(cache=True, nogil=True)
def split_sorted_keys(keys: np.ndarray, n_texts: int, value_bits: int
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of sorted ``(text, value)`` keys, and each text's offsets."""
    values = np.empty(keys.shape[0], np.uint64)
    offsets = np.zeros(n_texts + 1, np.int64)
    mask = np.uint64((1 << value_bits) - 1)
    shift = np.uint64(value_bits)
    out = 0
    for i in range(keys.shape[0]):
        if i > 0 and keys[i] == keys[i - 1]:
            continue
        values[out] = keys[i] & mask
        offsets[np.int64(keys[i] >> shift) + 1] += 1
        out += 1
    for t in range(n_texts):
        offsets[t + 1] += offsets[t]
    return values[:out], offsets


@njit(cache=True, nogil=True, inline="always")
def _bucket(value: np.uint64, buckets: int) -> int:
    """``value``'s top 32 bits scaled to ``range(buckets)`` (no division)."""
    return np.int64(((value >> np.uint64(32)) * np.uint64(buckets)) >> np.uint64(32))


@njit(cache=True, nogil=True)
def one_permutation_minhash(flat: np.ndarray, offsets: np.ndarray, num_perm: int,
                            seed: int) -> np.ndarray:
    """MinHash signatures by one permutation hashing with optimal densification.

    Each shingle is hashed once: the top bits pick one of ``num_perm`` bins,
    the low 32 bits are its value, and a bin keeps its least value (Li, Owen
    and Zhang 2012).  A bin no shingle fell into borrows the value of the
    first non-empty bin along its own fixed pseudo-random probe sequence,
    the same for every set (Shrivastava 2017, "Optimal densification for
    fast and accurate minwise hashing"), so that two sets still agree in a
    bin with probability equal to their Jaccard similarity.  O(shingles +
    bins) per set instead of O(shingles * bins).  Sets without shingles get
    a row of ``0xFFFFFFFF``.
    """
    n_sets = offsets.shape[0] - 1
    signatures = np.empty((n_sets, num_perm), np.uint32)
    filled = np.empty(num_perm, np.bool_)
    salt = _mix64(np.uint64(seed) * _PRIME_TOKEN + np.uint64(1))
    probe_salt = _mix64(salt + _PRIME_TOKEN)
    for t in range(n_sets):
        row = signatures[t]
        row[:] = _EMPTY
        if offsets[t + 1] == offsets[t]:
            continue
        for i in range(offsets[t], offsets[t + 1]):
            hashed = _mix64(flat[i] ^ salt)
            b = _bucket(hashed, num_perm)
            # branch-free minimum: measured 0.05 s instead of 0.09 s for all
            # signatures of the benchmark corpus
            row[b] = min(row[b], np.uint32(hashed & np.uint64(0xFFFFFFFF)))
        # A bin still at the sentinel is empty (a real value equal to it, once
        # in 2**32, is treated alike by every set, so agreement is unaffected).
        empty = 0
        for b in range(num_perm):
            filled[b] = row[b] != _EMPTY
            empty += not filled[b]
        if empty == 0:
            continue
        for b in range(num_perm):
            if filled[b]:
                continue
            attempt = np.uint64(1)
            while True:
                probe = _mix64(probe_salt ^ (np.uint64(b) << np.uint64(32)) ^ attempt)
                source = _bucket(probe, num_perm)
                if filled[source]:
                    row[b] = row[source]
                    break
                attempt += np.uint64(1)
    return signatures


@njit(cache=True, nogil=True)
def pair_jaccard(flat: np.ndarray, offsets: np.ndarray, left: np.ndarray,
                 right: np.ndarray) -> np.ndarray:
    """Exact Jaccard similarity of sorted distinct sets, pair by pair (a merge)."""
    out = np.zeros(left.shape[0], np.float64)
    for p in range(left.shape[0]):
        i, i_end = offsets[left[p]], offsets[left[p] + 1]
        j, j_end = offsets[right[p]], offsets[right[p] + 1]
        union = (i_end - i) + (j_end - j)
        common = 0
        while i < i_end and j < j_end:
            if flat[i] == flat[j]:
                common += 1
                i += 1
                j += 1
            elif flat[i] < flat[j]:
                i += 1
            else:
                j += 1
        union -= common
        out[p] = common / union if union else 0.0
    return out



def warm_up() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Compile (or load from the disk cache) these kernels; returns a tiny
    fingerprint (shingles, their offsets, signatures) for the next stage's."""
    offsets = np.array([0, 6], np.int64)
    keys = shingle_keys(np.arange(6, dtype=np.uint64), offsets, 5, 24)
    keys.sort()
    covered_tokens(np.arange(6, dtype=np.uint64), 5, 24, keys)
    flat, flat_offsets = split_sorted_keys(keys, 1, 40)
    signatures = one_permutation_minhash(flat, flat_offsets, 4, 1)
    pair_jaccard(flat, flat_offsets, np.zeros(1, np.int64), np.zeros(1, np.int64))
    return flat, flat_offsets, signatures
