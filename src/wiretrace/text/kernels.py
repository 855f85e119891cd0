"""Compiled inner loop of tokenising (numba): one pass over a text's code points.

The NumPy version it replaced made a dozen passes over the characters of a
batch, each writing a fresh array of the batch's size; page faults and memory
traffic were most of its cost.  Measured side by side on 21,268 Reuters + BBC
texts (21 million characters, BENCHMARKS.md, near-duplicate section):
tokenising 0.95 s -> 0.12 s.  Hash arithmetic is on ``uint64`` and wraps
modulo 2**64, as NumPy's does.
"""

from __future__ import annotations

import numpy as np
from numba import njit

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)

_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_PRIME_TOKEN = np.uint64(0x9E3779B97F4A7C15)
_PRIME_GRAM = np.uint64(0x100000001B3)
_CLASS_SHIFT = np.uint32(21)
_CODE_MASK = np.uint32((1 << 21) - 1)
_WORD, _SINGLE = 1, 2


@njit(cache=True, nogil=True, inline="always")
def _mix64(value: np.uint64) -> np.uint64:
    """splitmix64 finaliser (the same as ``wiretrace.text.tokens._mix64``)."""
    value = (value ^ (value >> np.uint64(30))) * _MIX1
    value = (value ^ (value >> np.uint64(27))) * _MIX2
    return value ^ (value >> np.uint64(31))


@njit(cache=True, nogil=True)
def scan(codes: np.ndarray, table: np.ndarray, astral_codes: np.ndarray,
         astral_packed: np.ndarray, text_ends: np.ndarray, spans: bool
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tokens of the code points ``codes``: ``(starts, ends, hashes, offsets)``.

    ``table`` packs class and folded code of every BMP character
    (``wiretrace.text.tokens._packed_table``); code points above the BMP are looked
    up in the sorted ``astral_codes`` and their ``astral_packed`` values.  A
    token's hash is the splitmix of ``sum(code_i * P ** (len - 1 - i))``
    (Horner's rule), what ``wiretrace.text.tokens`` computed from prefix sums.

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


def warm_up() -> None:
    """Compile (or load from the disk cache) :func:`scan` for both code widths."""
    table = np.zeros(0x10000, np.uint32)
    none = np.empty(0, np.uint32)
    ends = np.array([1], np.int64)
    for codes in (np.zeros(2, np.uint8), np.zeros(2, np.uint32)):
        for spans in (True, False):
            scan(codes, table, none, none, ends, spans)
