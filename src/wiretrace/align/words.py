"""What the exact-match kernels need to know about the words of a text.

Computed once per text and kept with its tokens (:func:`word_facts`): the
line each word is on, whether it is a stop word, a number, or holds a
letter, the case- and accent-folded characters for edit distances, and how
far a passage starting or ending at each word reaches once it takes in the
punctuation glued to it.  A text of Basic Multilingual Plane characters (the
rule) is one compiled pass; any other goes through Python's own predicates.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numba import njit

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)
from wiretrace.align.sentences import STOP_WORDS
from wiretrace.text.tokens import Tokens, code_points, folded_code_points, in_sorted, tokenize


@lru_cache(maxsize=1)
def _stop_word_hashes() -> np.ndarray:
    """Sorted token hashes of the stop words (each one token)."""
    tokens = tokenize(" ".join(sorted(STOP_WORDS)))
    assert len(tokens) == len(STOP_WORDS)
    return np.sort(tokens.hashes)


_DIGIT, _ALNUM = 1, 2


@lru_cache(maxsize=1)
def _char_kinds() -> np.ndarray:
    """``str.isdigit`` (bit 1) and ``str.isalnum`` (bit 2) of every Basic
    Multilingual Plane character (surrogates: neither)."""
    kinds = np.zeros(0x10000, dtype=np.uint8)
    for c in range(0x10000):
        ch = chr(c)
        kinds[c] = (_DIGIT if ch.isdigit() else 0) | (_ALNUM if ch.isalnum() else 0)
    return kinds


class WordFacts(NamedTuple):
    """Per word of a text (but ``folded``: per character), what the exact-match
    kernels read; see :func:`word_facts`."""

    line: np.ndarray  # int64: line breaks before the word
    alnum: np.ndarray  # bool: holds a letter or digit
    stop: np.ndarray  # bool: a stop word
    digit: np.ndarray  # bool: all digits
    folded: np.ndarray  # uint32, per character: its case- and accent-folded code point
    opened: np.ndarray  # int64: where a passage starting at the word starts
    closed: np.ndarray  # int64: where a passage ending at the word ends


# punctuation a passage takes in at its start and at its end
OPENING = "\"'“‘«([¿¡"
CLOSING = "\"'”’»)].,;:!?…"


def word_facts(text: str, tokens: Tokens) -> WordFacts:
    """Per word: line number, holds a letter or digit, stop word, all digits; the
    folded code points of the text; and per word, where a passage starting
    there starts and one ending there ends once they take in the punctuation
    glued to them (opening quotes before, closing quotes and stops after).
    Kept with the tokens."""
    if tokens.facts.word_facts is not None:
        return tokens.facts.word_facts
    starts, ends = tokens.starts, tokens.ends
    codes = code_points(text)
    if len(codes) and int(codes.max()) >= 0x10000:  # rare: let Python judge
        newlines = np.concatenate([[0], np.cumsum(codes == 10)])
        line = newlines[starts].astype(np.int64)
        folded = folded_code_points(codes).astype(np.uint32)
        digit = np.array([n.isdigit() for n in tokens.norms], dtype=bool)
        alnum = np.array([any(ch.isalnum() for ch in text[s:e])
                          for s, e in zip(starts.tolist(), ends.tolist(), strict=True)],
                         dtype=bool)
        stop = in_sorted(tokens.hashes, _stop_word_hashes())
        opened, closed = _widened(codes, starts, ends, _marks(OPENING), _marks(CLOSING))
        facts = WordFacts(line, alnum, stop, digit & (ends > starts), folded, opened, closed)
    else:
        facts = WordFacts(*_bmp_word_facts(codes, starts, ends, tokens.hashes, _folded_table(),
                                           _char_kinds(), _stop_word_hashes(), _marks(OPENING),
                                           _marks(CLOSING)))
    tokens.facts.word_facts = facts
    return facts


@lru_cache(maxsize=2)
def _marks(characters: str) -> np.ndarray:
    """A table over code points up to the largest of ``characters``: which are one."""
    table = np.zeros(max(map(ord, characters)) + 1, dtype=np.bool_)
    table[[ord(ch) for ch in characters]] = True
    return table


@njit(cache=True, nogil=True)
def _widened(codes, starts, ends, opening, closing):
    """Each word's start moved back over opening marks, its end on over closing ones."""
    opened, closed = starts.copy(), ends.copy()
    for k in range(len(starts)):
        s = starts[k]
        while s > 0 and codes[s - 1] < len(opening) and opening[codes[s - 1]]:
            s -= 1
        e = ends[k]
        while e < len(codes) and codes[e] < len(closing) and closing[codes[e]]:
            e += 1
        opened[k], closed[k] = s, e
    return opened, closed


@lru_cache(maxsize=1)
def _folded_table() -> np.ndarray:
    """Folded code point of every Basic Multilingual Plane character (``uint32``)."""
    return folded_code_points(np.arange(0x10000, dtype=np.uint32)).astype(np.uint32)


@njit(cache=True, nogil=True)
def _bmp_word_facts(codes, starts, ends, hashes, folded_table, char_kinds, stop_hashes,
                    opening, closing):
    """:func:`word_facts` of a text of Basic Multilingual Plane characters, in one
    pass over the characters and one over the words."""
    n_words = len(starts)
    folded = np.empty(len(codes), dtype=np.uint32)
    line = np.empty(n_words, dtype=np.int64)
    newlines = 0
    word = 0
    for c in range(len(codes)):
        if word < n_words and starts[word] == c:
            line[word] = newlines  # line breaks before the word
            word += 1
        folded[c] = folded_table[codes[c]]
        if codes[c] == 10:
            newlines += 1
    digit = np.empty(n_words, dtype=np.bool_)
    alnum = np.ones(n_words, dtype=np.bool_)
    stop = np.empty(n_words, dtype=np.bool_)
    opened, closed = _widened(codes, starts, ends, opening, closing)
    for word in range(n_words):
        all_digits = ends[word] > starts[word]
        for c in range(starts[word], ends[word]):
            if not char_kinds[folded[c]] & _DIGIT:
                all_digits = False
                break
        digit[word] = all_digits
        # a token is a run of letters and digits, or one character of a script
        # written without spaces (which may be a combining mark)
        if ends[word] - starts[word] == 1 and codes[starts[word]] >= 0x0E00:
            alnum[word] = char_kinds[codes[starts[word]]] & _ALNUM != 0
        at = np.searchsorted(stop_hashes, hashes[word])
        stop[word] = at < len(stop_hashes) and stop_hashes[at] == hashes[word]
    return line, alnum, stop, digit, folded, opened, closed


def warm_up() -> None:
    """Compile (or load from the disk cache) the kernels and build the tables."""
    for text in ("Alpha beta.", "Ωmega beta", "Emoji 😀 beta"):  # each width of code point
        word_facts(text, tokenize(text))
