"""Compiled inner loops of tokenising, shingling, MinHash and LSH (numba).

Each kernel is one pass over plain arrays.  The NumPy versions they replace
made a dozen passes over the characters of a batch, each writing a fresh
array of the batch's size, and page faults and memory traffic were most of
their cost.  Measured side by side on 21,268 Reuters + BBC texts (21 million
characters, BENCHMARKS.md, near-duplicate section): tokenising 0.95 s ->
0.12 s, shingles 0.38 s -> 0.13 s, MinHash 0.47 s -> 0.07 s, LSH 0.20 s ->
0.04 s.

Compiled code is cached on disk (``cache=True``, in ``__pycache__`` beside
this file, or where ``NUMBA_CACHE_DIR`` says): the first run on a machine
compiles (a few seconds), later processes load it.  This module is imported
lazily (``wiretrace.text``, ``wiretrace.fingerprint``), so commands that never
tokenise do not pay for importing numba.

Hash arithmetic is on ``uint64`` and wraps modulo 2**64, as NumPy's does.
"""

from __future__ import annotations

import sys

import numpy as np


def _import_numba() -> None:
    """Import numba without the half second its BLAS check costs a process.

    On first use numba's array maths looks for a BLAS by importing
    ``scipy.linalg`` when SciPy is installed: measured 0.6-1.0 s of the
    1.9-3.0 s a fresh process spent loading these kernels.  They use no BLAS
    (no ``np.dot``), so while numba's array maths is imported SciPy's linear
    algebra is made unimportable; numba then records that it has no BLAS.
    A process that has already imported either keeps what it has.
    """
    if "scipy.linalg" in sys.modules or "numba.np.arraymath" in sys.modules:
        return
    sys.modules["scipy.linalg"] = None  # type: ignore[assignment]
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        del sys.modules["scipy.linalg"]


_import_numba()
from numba import njit  # noqa: E402

_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_PRIME_TOKEN = np.uint64(0x9E3779B97F4A7C15)
_PRIME_GRAM = np.uint64(0x100000001B3)
_CLASS_SHIFT = np.uint32(21)
_CODE_MASK = np.uint32((1 << 21) - 1)
_WORD, _SINGLE = 1, 2
_EMPTY = np.uint32(0xFFFFFFFF)  # signature of a set without shingles


@njit(cache=True, nogil=True, inline="always")
def _mix64(value: np.uint64) -> np.uint64:
    """splitmix64 finaliser (the same as ``wiretrace.text._mix64``)."""
    value = (value ^ (value >> np.uint64(30))) * _MIX1
    value = (value ^ (value >> np.uint64(27))) * _MIX2
    return value ^ (value >> np.uint64(31))


@njit(cache=True, nogil=True)
def scan(codes: np.ndarray, table: np.ndarray, astral_codes: np.ndarray,
         astral_packed: np.ndarray, text_ends: np.ndarray, spans: bool
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tokens of the code points ``codes``: ``(starts, ends, hashes, offsets)``.

    ``table`` packs class and folded code of every BMP character
    (``wiretrace.text._packed_table``); code points above the BMP are looked
    up in the sorted ``astral_codes`` and their ``astral_packed`` values.  A
    token's hash is the splitmix of ``sum(code_i * P ** (len - 1 - i))``
    (Horner's rule), what ``wiretrace.text`` computed from prefix sums.

    ``text_ends``: end of each text in ``codes`` (texts joined by one
    separator, which is skipped); ``offsets[k]`` is the number of tokens
    before text ``k``.
    ``starts``/``ends`` are filled only when ``spans`` (the batch path needs
    hashes alone).
    """
    n = codes.shape[0]
    n_texts = text_ends.shape[0]
    hashes = np.empty(n + 1, np.uint64)
    starts = np.empty(n + 1 if spans else 0, np.int64)
    ends = np.empty(n + 1 if spans else 0, np.int64)
    offsets = np.zeros(n_texts + 1, np.int64)
    count = 0
    begin = 0
    for text in range(n_texts):
        in_word = 0
        start = begin
        value = np.uint64(0)
        for i in range(begin, text_ends[text]):
            code = codes[i]
            if code < 0x10000:
                packed = table[code]
            else:
                packed = astral_packed[np.searchsorted(astral_codes, code)]
            kind = packed >> _CLASS_SHIFT
            word = 1 if kind == _WORD else 0
            # Written on every character, kept (count advanced) only where a
            # word ends: no branch on the unpredictable word/separator pattern.
            hashes[count] = value
            if spans:
                starts[count] = start
                ends[count] = i
            count += in_word & (1 - word)
            if word > in_word:
                start = i
            value = value * _PRIME_TOKEN + np.uint64(packed & _CODE_MASK) if word else np.uint64(0)
            in_word = word
            if kind == _SINGLE:  # a character of a script written without spaces
                hashes[count] = np.uint64(packed & _CODE_MASK)
                if spans:
                    starts[count] = i
                    ends[count] = i + 1
                count += 1
        if in_word:
            hashes[count] = value
            if spans:
                starts[count] = start
                ends[count] = text_ends[text]
            count += 1
        offsets[text + 1] = count
        begin = text_ends[text] + 1  # past the separator
    # exact-size outputs: the worst-case buffers are dropped here
    mixed = np.empty(count, np.uint64)
    for k in range(count):
        mixed[k] = _mix64(hashes[k])
    kept = count if spans else 0
    return starts[:kept].copy(), ends[:kept].copy(), mixed, offsets


@njit(cache=True, nogil=True, inline="always")
def _gram_hash(hashes: np.ndarray, i: int, n: int) -> np.uint64:
    """Hash of the ``n`` tokens from ``i``: ``wiretrace.text.ngram_hashes``'s
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
    ``wiretrace.text.ngram_hashes``'s (polynomial, then splitmix).
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
    """A text's ``n``-gram hashes (those of :func:`wiretrace.text.ngram_hashes`)
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
def band_keys(signatures: np.ndarray, rows_index: np.ndarray, bands: int, rows: int
              ) -> np.ndarray:
    """One 64-bit key per (row, band): a hash of the band's values and its number."""
    keys = np.empty(rows_index.shape[0] * bands, np.uint64)
    for k in range(rows_index.shape[0]):
        signature = signatures[rows_index[k]]
        for band in range(bands):
            value = _mix64(np.uint64(band) + _PRIME_TOKEN)
            for r in range(band * rows, (band + 1) * rows):
                value = _mix64(value ^ np.uint64(signature[r]))
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


def warm_up() -> None:
    """Compile (or load from the disk cache) every kernel for the types used."""
    table = np.zeros(0x10000, np.uint32)
    none = np.empty(0, np.uint32)
    ends = np.array([1], np.int64)
    for codes in (np.zeros(2, np.uint8), np.zeros(2, np.uint32)):
        for spans in (True, False):
            scan(codes, table, none, none, ends, spans)
    offsets = np.array([0, 6], np.int64)
    keys = shingle_keys(np.arange(6, dtype=np.uint64), offsets, 5, 24)
    keys.sort()
    covered_tokens(np.arange(6, dtype=np.uint64), 5, 24, keys)
    flat, flat_offsets = split_sorted_keys(keys, 1, 40)
    signatures = one_permutation_minhash(flat, flat_offsets, 4, 1)
    band_keys(signatures, np.zeros(1, np.int64), 2, 2)
    bucket_pairs(np.zeros(2, np.uint64), np.arange(2, dtype=np.int64), 2)
    pair_jaccard(flat, flat_offsets, np.zeros(1, np.int64), np.zeros(1, np.int64))
