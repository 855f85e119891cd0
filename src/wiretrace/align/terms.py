"""Content terms of tokens: the stemmed words sentence similarity compares.

A token's term is the stem of its normalised form, or none for stop words and
one-letter ASCII words.  A term is named by a 63-bit hash of its stem, not by
a number handed out in the order stems are first met: the same text then has
the same terms in every process, whichever texts a worker saw before, and
anything ordered by term (the postings of a sentence, the sums over them) is
ordered the same way everywhere.

Stemming is Python work, so each token hash's term is kept in a compiled
open-addressing table: a text's terms are one table look-up over its token
hashes, and only tokens the process has not met before are stemmed.  A term
is a function of the token alone, so emptying the table when it grows too
large (:data:`MAX_ENTRIES`) changes nothing but the time taken.
"""

from __future__ import annotations

import hashlib

import numpy as np
import snowballstemmer
from numba import njit

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)
from wiretrace.text.tokens import Tokens, _fold_translation

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

NO_TERM = -1  # a stop word or a one-letter word
_EMPTY = -2  # a free slot of the table
# The table is emptied past this many tokens (16 bytes a slot, at most half full:
# 32 MB), a bound on what a long run's vocabulary of names and numbers may hold.
MAX_ENTRIES = 1 << 20
_INITIAL_SLOTS = 1 << 16
_TERM_MASK = (1 << 63) - 1

_stemmer = snowballstemmer.stemmer("english")


def term_id(norm: str) -> int:
    """Term of a normalised token: a 63-bit hash of its stem; -1 for stop words."""
    if norm in STOP_WORDS or (len(norm) < 2 and norm.isascii()):
        return NO_TERM
    stem = _stemmer.stemWord(norm) if norm.isascii() else norm
    digest = hashlib.blake2b(stem.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") & _TERM_MASK


@njit(cache=True, nogil=True)
def _look_up(keys: np.ndarray, values: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """Term of each token hash, ``_EMPTY`` where the table does not hold it."""
    mask = np.uint64(len(keys) - 1)
    out = np.empty(len(hashes), dtype=np.int64)
    for k in range(len(hashes)):
        key = hashes[k]
        slot = key & mask  # token hashes are already mixed: their low bits spread
        while values[slot] != _EMPTY and keys[slot] != key:
            slot = (slot + np.uint64(1)) & mask
        out[k] = values[slot]
    return out


@njit(cache=True, nogil=True)
def _insert(keys: np.ndarray, values: np.ndarray, new_keys: np.ndarray,
            new_values: np.ndarray) -> int:
    """Put ``new_keys`` (not in the table yet) in; returns how many went in."""
    mask = np.uint64(len(keys) - 1)
    added = 0
    for k in range(len(new_keys)):
        key = new_keys[k]
        slot = key & mask
        while values[slot] != _EMPTY and keys[slot] != key:
            slot = (slot + np.uint64(1)) & mask
        if values[slot] == _EMPTY:
            added += 1
        keys[slot], values[slot] = key, new_values[k]
    return added


class _TermTable:
    """Token hash -> term, for the tokens this process has met."""

    def __init__(self, slots: int = _INITIAL_SLOTS) -> None:
        self.keys = np.zeros(slots, dtype=np.uint64)
        self.values = np.full(slots, _EMPTY, dtype=np.int64)
        self.count = 0

    def add(self, new_keys: np.ndarray, new_values: np.ndarray) -> None:
        if self.count + len(new_keys) > MAX_ENTRIES:
            self.__init__()
        if 2 * (self.count + len(new_keys)) > len(self.keys):
            slots = len(self.keys)
            while 2 * (self.count + len(new_keys)) > slots:
                slots *= 2
            used = self.values != _EMPTY
            old_keys, old_values = self.keys[used], self.values[used]
            self.keys = np.zeros(slots, dtype=np.uint64)
            self.values = np.full(slots, _EMPTY, dtype=np.int64)
            _insert(self.keys, self.values, old_keys, old_values)
        self.count += _insert(self.keys, self.values, new_keys, new_values)


_table = _TermTable()


def token_terms(text: str, tokens: Tokens) -> np.ndarray:
    """Term of every token of ``text`` (``-1``: none), as :func:`term_id` of its norm."""
    terms = _look_up(_table.keys, _table.values, tokens.hashes)
    missing = np.flatnonzero(terms == _EMPTY)
    if len(missing):
        new_keys, first = np.unique(tokens.hashes[missing], return_index=True)
        where = missing[first]
        fold = _fold_translation()
        # the norm of one occurrence: folding is per character, so folding the
        # token alone gives what Tokens.norms cuts from the folded text
        new_values = np.array(
            [term_id(text[start:end].translate(fold)) for start, end in
             zip(tokens.starts[where].tolist(), tokens.ends[where].tolist(), strict=True)],
            dtype=np.int64)
        _table.add(new_keys, new_values)
        terms[missing] = new_values[np.searchsorted(new_keys, tokens.hashes[missing])]
    return terms


def warm_up() -> None:
    """Compile (or load from the disk cache) the table's kernels."""
    table = _TermTable(4)
    _insert(table.keys, table.values, np.zeros(1, dtype=np.uint64), np.zeros(1, dtype=np.int64))
    _look_up(table.keys, table.values, np.zeros(1, dtype=np.uint64))
