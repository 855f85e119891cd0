"""Compiled inner loops of LSH banding (numba): band keys and the pairs sharing one.

Measured side by side on 21,268 Reuters + BBC texts (BENCHMARKS.md,
near-duplicate section): LSH 0.20 s -> 0.04 s against the NumPy version.
"""

from __future__ import annotations

import numpy as np
from numba import njit

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)
from wiretrace.text.kernels import _MIX2, _mix64


@njit(cache=True, nogil=True)
def band_keys(signatures: np.ndarray, rows_index: np.ndarray, bands: int, rows: int
              ) -> np.ndarray:
    """One 64-bit key per (row, band), row after row: a hash of the band's values
    and its number (started from ``band * _MIX2``, each value mixed in with its
    place in the band).  The index stores the top 40 bits of these keys, so the
    formula is part of its file format (its fingerprint probe)."""
    keys = np.empty(rows_index.shape[0] * bands, np.uint64)
    for k in range(rows_index.shape[0]):
        signature = signatures[rows_index[k]]
        for band in range(bands):
            value = np.uint64(band) * _MIX2
            for r in range(rows):
                value = _mix64(value ^ np.uint64(signature[band * rows + r]) ^ np.uint64(r + 1))
            keys[k * bands + band] = value
    return keys


@njit(cache=True, nogil=True)
def bucket_pairs(sorted_keys: np.ndarray, members: np.ndarray, n: int) -> np.ndarray:
    """``min * n + max`` of every pair of ``members`` sharing a key (keys sorted)."""
    total = 0
    run = 1
    for i in range(1, sorted_keys.shape[0] + 1):
        if i < sorted_keys.shape[0] and sorted_keys[i] == sorted_keys[i - 1]:
            run += 1
            continue
        total += run * (run - 1) // 2
        run = 1
    out = np.empty(total, np.int64)
    filled = 0
    begin = 0
    for i in range(1, sorted_keys.shape[0] + 1):
        if i < sorted_keys.shape[0] and sorted_keys[i] == sorted_keys[i - 1]:
            continue
        for x in range(begin, i):
            for y in range(x + 1, i):
                a, b = members[x], members[y]
                out[filled] = min(a, b) * n + max(a, b)
                filled += 1
        begin = i
    return out


def warm_up(signatures: np.ndarray) -> None:
    """Compile (or load from the disk cache) these kernels."""
    band_keys(signatures, np.zeros(1, np.int64), 2, 2)
    bucket_pairs(np.zeros(2, np.uint64), np.arange(2, dtype=np.int64), 2)
