"""What one text offers the template rule: its slots, its figures whole, its lead.

Per text, once (each result is kept with the text's tokens, since a text
takes part in many pairs): the class of every word (:func:`slot_classes`:
a figure, a name or a plain word), the words with each figure whole
(:func:`slot_view`), its words as a set, the names its first sentence gives
(:func:`lead_names`) and the actor it opens on (:func:`lead_actor`).  How two
texts' slots are compared is :mod:`wiretrace.align.templates`.

A figure is any token with a digit (in any script) or a CJK numeral; a name
is a capitalised word inside a sentence, or opening one when the next word
is capitalised too ("Gillette Canada Inc is ..."; not "The company said").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from wiretrace.text import Tokens, code_points

WORD, NAME, FIGURE = 0, 1, 2

# CJK numerals: in Chinese and Japanese figures are often written with them.
_CJK_NUMERALS = "〇零一二三四五六七八九十百千万萬亿億两兩"
# What ends a sentence or a line: the word after it is capitalised by grammar.
_OPENERS = ".!?:;\n\r\"'“”«»()[]<>|*-–—•"


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per BMP code point: is a figure character, is an upper-case letter, opens a sentence."""
    figure = np.zeros(0x10000, dtype=bool)
    upper = np.zeros(0x10000, dtype=bool)
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        figure[code] = ch.isdigit()
        upper[code] = ch.isupper() or ch.istitle()
    for ch in _CJK_NUMERALS:
        figure[ord(ch)] = True
    opener = np.zeros(0x10000, dtype=bool)
    for ch in _OPENERS:
        opener[ord(ch)] = True
    return figure, upper, opener


def slot_classes(text: str, tokens: Tokens) -> np.ndarray:
    """The class of each token: :data:`WORD`, :data:`NAME` or :data:`FIGURE` (int8).

    A capitalised word that opens a sentence or a line is a name only when the
    word after it is capitalised too ("Gillette Canada Inc is ..."), not "The
    company said".  Kept with the tokens: a text takes part in many pairs.
    """
    found = tokens.derived.get("slots")
    if found is not None:
        return found  # type: ignore[return-value]
    classes = np.zeros(len(tokens), dtype=np.int8)
    if len(tokens):
        codes = code_points(text).astype(np.int64)
        codes[codes >= 0x10000] = 0  # beyond the BMP: neither figures nor capitals
        figure, upper, opener = _tables()
        figures = np.concatenate(([0], np.cumsum(figure[codes])))
        openers = np.concatenate(([0], np.cumsum(opener[codes])))
        starts, ends = tokens.starts, tokens.ends
        has_figure = figures[ends] > figures[starts]
        capital = upper[codes[starts]]
        # what lies between a token and the one before it (the text's start for the first)
        previous_end = np.concatenate(([0], ends[:-1]))
        opens = (openers[starts] > openers[previous_end]) | (np.arange(len(starts)) == 0)
        inner = capital & ~opens
        named_next = np.concatenate((inner[1:], [False]))
        classes[inner | (capital & opens & named_next)] = NAME
        classes[has_figure] = FIGURE
        tokens.derived["sentence-open"] = opens
        tokens.derived["capital"] = capital
        # for each token, the sentence opening at or before it and at or after it
        index = np.arange(len(opens))
        tokens.derived["open-before"] = np.maximum.accumulate(np.where(opens, index, 0))
        tokens.derived["open-after"] = np.minimum.accumulate(
            np.where(opens, index, len(opens))[::-1])[::-1]
    tokens.derived["slots"] = classes
    return classes


@lru_cache(maxsize=1)
def _space_table() -> np.ndarray:
    """Per BMP code point: is white space."""
    return np.array([chr(c).isspace() if not 0xD800 <= c <= 0xDFFF else False
                     for c in range(0x10000)], dtype=bool)


@dataclass(frozen=True, slots=True)
class SlotView:
    """A text's tokens with each figure whole: "51.00-51.50" or "9-5/8" is one
    unit, not four (the tokeniser splits them at the punctuation), so that a
    changed price is one slot changed, not one kept and one changed.

    By unit: ``hashes``, ``classes`` (:func:`slot_classes`), ``starts``/``ends``
    (characters), also as lists (what the per-passage loop reads);
    ``slots_before``: the slots before each unit; ``unit``: the unit of each token.
    """

    hashes: np.ndarray
    classes: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    unit: np.ndarray
    hash_list: list[int]
    class_list: list[int]
    slots_before: list[int]


_FOLD = np.uint64(0x100000001B3)


def slot_view(text: str, tokens: Tokens) -> SlotView:
    """The :class:`SlotView` of a text (kept with its tokens)."""
    found = tokens.derived.get("slot-view")
    if found is not None:
        return found  # type: ignore[return-value]
    classes = slot_classes(text, tokens)
    starts, ends = tokens.starts, tokens.ends
    figure = classes == FIGURE
    # a figure token right after another, with no space between them
    joins = np.zeros(len(classes), dtype=bool)
    if len(classes) > 1:
        # joined by one character that is not a space ("51.00", "9-5/8", "1,500"),
        # or by none (CJK numerals, one token a character)
        gap = starts[1:] - ends[:-1]
        codes = code_points(text)
        after = codes[np.minimum(ends[:-1], len(codes) - 1)].astype(np.int64)
        spaced = _space_table()[np.where(after < 0x10000, after, 0)]
        joins[1:] = figure[1:] & figure[:-1] & ((gap == 0) | ((gap == 1) & ~spaced))
    heads = ~joins
    unit = np.cumsum(heads) - 1
    hashes = tokens.hashes[heads].copy()
    if joins.any():
        # fold each figure's later tokens in, one place in the figure at a time
        head_of = np.flatnonzero(heads)[unit]
        place = np.arange(len(classes)) - head_of
        with np.errstate(over="ignore"):
            for level in range(1, int(place.max()) + 1):
                at = np.flatnonzero(place == level)
                hashes[unit[at]] = (hashes[unit[at]] * _FOLD) ^ tokens.hashes[at]
    last = np.append(np.flatnonzero(heads)[1:], len(classes)) - 1
    unit_classes = classes[heads]
    view = SlotView(hashes, unit_classes, starts[heads], ends[last], unit, hashes.tolist(),
                    unit_classes.tolist(),
                    np.concatenate(([0], np.cumsum(unit_classes != WORD))).tolist())
    tokens.derived["slot-view"] = view
    return view


def word_set(tokens: Tokens) -> frozenset[int]:
    """Every word hash of a text, as a set (kept with its tokens)."""
    found = tokens.derived.get("word-set")
    if found is None:
        found = tokens.derived["word-set"] = frozenset(tokens.hashes.tolist())
    return found  # type: ignore[return-value]


def lead_names(text: str, tokens: Tokens) -> tuple[int, ...]:
    """The hashes of the names in a text's first sentence (kept with its tokens)."""
    found = tokens.derived.get("lead-names")
    if found is None:
        classes = slot_classes(text, tokens)
        found = ()
        if len(classes):
            opens = np.flatnonzero(tokens.derived["sentence-open"][1:]) + 1  # type: ignore[index]
            end = int(opens[0]) if len(opens) else len(classes)
            found = tuple(tokens.hashes[:end][classes[:end] == NAME].tolist())
        tokens.derived["lead-names"] = found
    return found  # type: ignore[return-value]


def lead_actor(text: str, tokens: Tokens) -> frozenset[int]:
    """The words of the first name the text's first sentence gives (its first run
    of up to three name words; empty when it names no one): who a wire item is
    about opens it ("Hills Department Stores Co said ...").  Two texts open on
    other actors when these share no word: "Niger's junta" and "Niger
    Republic's junta" are one actor, "Irving Trust" and "Marine Midland" two."""
    found = tokens.derived.get("lead-actor")
    if found is None:
        found = tokens.derived["lead-actor"] = _lead_actor(text, tokens)
    return found  # type: ignore[return-value]


def _lead_actor(text: str, tokens: Tokens) -> frozenset[int]:
    classes = slot_classes(text, tokens)
    opens = tokens.derived.get("sentence-open")
    if not len(classes) or opens is None:
        return frozenset()
    later = np.flatnonzero(opens[1:]) + 1  # type: ignore[index]
    end = int(later[0]) if len(later) else len(classes)
    # a capital opening the text counts here ("Niger's junta ..."): at worst it is
    # "The", which every such text shares, so no actor is told apart
    capital = (classes[:end] == NAME) | tokens.derived["capital"][:end]  # type: ignore[index]
    names = np.flatnonzero(capital)
    if not len(names):
        return frozenset()
    first = last = int(names[0])
    while last + 1 < min(end, first + 3) and capital[last + 1]:
        last += 1
    return frozenset(tokens.hashes[first:last + 1].tolist())
