"""What one text offers the template rule: its slots, its figures whole, its lead.

Per text, once (each result is kept in its tokens' facts,
:class:`~wiretrace.text.facts.TextFacts`, since a text takes part in many
pairs): the class of every word (:func:`slot_classes`:
a figure, a name or a plain word), the words with each figure whole
(:func:`slot_view`), both from one compiled pass (:func:`_slot_kernel`);
its words as a set and sorted; the figures it reports, by value
(:func:`key_figures`); the names its first sentence gives
(:func:`lead_names`) and the actor it opens on (:func:`lead_actor`).  How two
texts' slots are compared is :mod:`wiretrace.align.templates`.

A figure is any token with a digit (in any script) or a CJK numeral; a name
is a capitalised word inside a sentence, or opening one when the next word
is capitalised too ("Gillette Canada Inc is ..."; not "The company said").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numba import njit

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)
from wiretrace.text.facts import TextFacts
from wiretrace.text.tokens import Tokens, code_points

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
    found = tokens.facts.slot_classes
    if found is None:
        found = _scan(text, tokens).slot_classes
    return found  # type: ignore[return-value]


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
    slots_before: np.ndarray


def slot_view(text: str, tokens: Tokens) -> SlotView:
    """The :class:`SlotView` of a text (kept with its tokens)."""
    found = tokens.facts.slot_view
    if found is None:
        found = _scan(text, tokens).slot_view
    return found  # type: ignore[return-value]


def _scan(text: str, tokens: Tokens) -> TextFacts:
    """Classes, sentence openings and the :class:`SlotView` of a text, in one
    compiled pass (:func:`_slot_kernel`), kept with its tokens (whose facts
    are returned).

    Measured on the 20,558 passages of the real Reuters + BBC archive: the
    NumPy version of this (whole-text cumulative sums, then a loop per place
    in a figure) took 130 µs a text, as much as the per-passage comparison."""
    figure, upper, opener = _tables()
    codes = code_points(text)
    (classes, opens, capital, before, after, unit, heads, unit_hashes, unit_classes,
     unit_ends, slots_before) = _slot_kernel(codes, tokens.starts, tokens.ends, tokens.hashes,
                                             figure, upper, opener, _space_table())
    facts = tokens.facts
    facts.slot_classes = classes
    facts.sentence_open = opens
    facts.capital = capital
    # for each token, the sentence opening at or before it and at or after it
    facts.open_before = before
    facts.open_after = after
    facts.slot_view = SlotView(
        unit_hashes, unit_classes, tokens.starts[heads], unit_ends, unit,
        unit_hashes.tolist(), unit_classes.tolist(), slots_before)
    return facts



@njit(cache=True, nogil=True)
def _slot_kernel(codes, starts, ends, hashes, figure, upper, opener, space):  # pragma: no cover
    """Per token: class, opens a sentence, capitalised, the sentence opening at or
    before and at or after it, its unit; per unit: heads (a mask over tokens),
    folded hash, class, end, and the slots before it (one more entry)."""
    n = len(starts)
    size = len(codes)
    classes = np.zeros(n, np.int8)
    opens = np.zeros(n, np.bool_)
    capital = np.zeros(n, np.bool_)
    is_figure = np.zeros(n, np.bool_)
    previous_end = 0
    for k in range(n):
        s, e = starts[k], ends[k]
        for c in range(s, e):
            code = codes[c]
            if code < 0x10000 and figure[code]:
                is_figure[k] = True
                break
        first = codes[s] if s < size else 0
        capital[k] = first < 0x10000 and upper[first]
        opened = k == 0
        for c in range(previous_end, s):
            code = codes[c]
            if code < 0x10000 and opener[code]:
                opened = True
                break
        opens[k] = opened
        previous_end = e
    # a figure token right after another, joined by one character that is not a
    # space ("51.00", "9-5/8", "1,500") or by none (CJK numerals): one unit.  The
    # point inside "2.7" still counts as a sentence's edge (for the widening of
    # templates.count_slots): not counting it, measured on the real archive, turned
    # 19 template matches into reuse (Danish and Norwegian reserves, Turkish prices
    # of two months), most of them wrongly, against 11 rightly made templates
    heads = np.ones(n, np.bool_)
    for k in range(1, n):
        if is_figure[k] and is_figure[k - 1]:
            gap = starts[k] - ends[k - 1]
            at = min(ends[k - 1], size - 1)
            code = codes[at] if size else 0
            spaced = code < 0x10000 and space[code]
            if gap == 0 or (gap == 1 and not spaced):
                heads[k] = False
    for k in range(n):
        inner = capital[k] and not opens[k]
        named_next = k + 1 < n and capital[k + 1] and not opens[k + 1]
        if is_figure[k]:
            classes[k] = 2
        elif inner or (capital[k] and opens[k] and named_next):
            classes[k] = 1
    before = np.zeros(n, np.int64)
    last = 0
    for k in range(n):
        if opens[k]:
            last = k
        before[k] = last
    after = np.zeros(n, np.int64)
    nxt = n
    for k in range(n - 1, -1, -1):
        if opens[k]:
            nxt = k
        after[k] = nxt
    units = 0
    for k in range(n):
        units += heads[k]
    unit = np.zeros(n, np.int64)
    unit_hashes = np.zeros(units, np.uint64)
    unit_classes = np.zeros(units, np.int8)
    unit_ends = np.zeros(units, np.int64)
    slots_before = np.zeros(units + 1, np.int64)
    u = -1
    fold = np.uint64(0x100000001B3)
    for k in range(n):
        if heads[k]:
            u += 1
            unit_hashes[u] = hashes[k]
            unit_classes[u] = classes[k]
            slots_before[u + 1] = slots_before[u] + (classes[k] != 0)
        else:
            unit_hashes[u] = (unit_hashes[u] * fold) ^ hashes[k]
        unit[k] = u
        unit_ends[u] = ends[k]
    return (classes, opens, capital, before, after, unit, heads, unit_hashes, unit_classes,
            unit_ends, slots_before)


def word_set(tokens: Tokens) -> frozenset[int]:
    """Every word hash of a text, as a set (kept with its tokens)."""
    found = tokens.facts.word_set
    if found is None:
        found = tokens.facts.word_set = frozenset(tokens.hashes.tolist())
    return found


def sorted_words(tokens: Tokens) -> np.ndarray:
    """Every distinct word hash of a text, sorted (kept with its tokens): what the
    compiled slot comparison looks names up in."""
    found = tokens.facts.sorted_words
    if found is None:
        found = tokens.facts.sorted_words = np.unique(tokens.hashes)
    return found


# Scale words after a figure (English wire style): "3.65 mln" is 3,650,000.
_SCALES = {"hundred": 1e2, "thousand": 1e3, "mln": 1e6, "million": 1e6, "millions": 1e6,
           "bln": 1e9, "billion": 1e9, "billions": 1e9, "bn": 1e9, "trillion": 1e12}


def key_figures(text: str, tokens: Tokens) -> frozenset[str]:
    """The figures a text reports, each by value, as a set (kept with its tokens).

    What tells two reports apart: the amounts, prices, rates and counts.  Left
    out are bare whole numbers below 100 and four-digit years from 1900 to
    2099 (days of the month, small counts, the year: any two reports of one
    season share them).  A figure followed by a scale word counts by value
    ("3.65 mln" and "3,650,000" are one figure); a decimal point keeps a small
    figure ("2.7 pct"); fractions and ranges ("9-5/8", "51.00-51.50") count by
    their digits.
    """
    found = tokens.facts.key_figures
    if found is None:
        found = tokens.facts.key_figures = frozenset(
            key for _, key in key_figure_forms(text, tokens))
    return found


def key_figure_forms(text: str, tokens: Tokens, start: int = 0, end: int | None = None
                     ) -> list[tuple[str, str]]:
    """The key figures of :func:`key_figures` in text order, each as ``(form as
    written, value)``: what an audit trail shows; only those inside
    ``text[start:end]`` when given."""
    view = slot_view(text, tokens)
    starts, ends, count = view.starts, view.ends, len(view.classes)
    end = len(text) if end is None else end
    forms = []
    for k in np.flatnonzero(view.classes == FIGURE).tolist():
        if starts[k] < start or ends[k] > end:
            continue
        form = text[starts[k]:ends[k]]
        scale = _SCALES.get(text[starts[k + 1]:ends[k + 1]].casefold()) \
            if k + 1 < count else None
        value = _figure_value(form)
        if value is None:
            # digits of any script, or the form itself (CJK numerals: 三亿)
            forms.append((form, "".join(ch for ch in form if ch.isdigit()) or form))
            continue
        if scale is not None:
            value *= scale
        elif "." not in form and (value < 100 or (1900 <= value <= 2099 and len(form) == 4)):
            continue
        forms.append((form, f"{value:.6g}" if value < 1e15 else form))
    return forms


def _figure_value(form: str) -> float | None:
    """The value of a plain figure ("1,500", "2.7", "١٢٠", "44.7m", "200bn"), None
    for a fraction, a range, a date or a code."""
    plain = form.replace(",", "")
    scale = 1.0
    suffix = _SCALE_SUFFIX.search(plain)
    if suffix:
        scale = _SUFFIXES[suffix.group(1).casefold()]
        plain = plain[:suffix.start()]
    if plain.count(".") > 1:
        return None
    try:
        return float(plain) * scale  # float() reads digits of any script
    except ValueError:
        return None


_SUFFIXES = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12}
_SCALE_SUFFIX = re.compile(r"(?<=\d)(k|m|mn|bn|b|tn)$", re.IGNORECASE)


def lead_names(text: str, tokens: Tokens) -> tuple[int, ...]:
    """The hashes of the names in a text's first sentence (kept with its tokens)."""
    facts = tokens.facts
    found = facts.lead_names
    if found is None:
        classes = slot_classes(text, tokens)
        found = ()
        if len(classes):
            opens = np.flatnonzero(facts.sentence_open[1:]) + 1  # type: ignore[index]
            end = int(opens[0]) if len(opens) else len(classes)
            found = tuple(tokens.hashes[:end][classes[:end] == NAME].tolist())
        facts.lead_names = found
    return found


def lead_actor(text: str, tokens: Tokens) -> frozenset[int]:
    """The words of the first name the text's first sentence gives (its first run
    of up to three name words; empty when it names no one): who a wire item is
    about opens it ("Hills Department Stores Co said ...").  Two texts open on
    other actors when these share no word: "Niger's junta" and "Niger
    Republic's junta" are one actor, "Irving Trust" and "Marine Midland" two."""
    found = tokens.facts.lead_actor
    if found is None:
        found = tokens.facts.lead_actor = _lead_actor(text, tokens)
    return found


def _lead_actor(text: str, tokens: Tokens) -> frozenset[int]:
    classes = slot_classes(text, tokens)
    opens = tokens.facts.sentence_open
    if not len(classes) or opens is None:
        return frozenset()
    later = np.flatnonzero(opens[1:]) + 1  # type: ignore[index]
    end = int(later[0]) if len(later) else len(classes)
    # a capital opening the text counts here ("Niger's junta ..."): at worst it is
    # "The", which every such text shares, so no actor is told apart
    capital = (classes[:end] == NAME) | tokens.facts.capital[:end]  # type: ignore[index]
    names = np.flatnonzero(capital)
    if not len(names):
        return frozenset()
    first = last = int(names[0])
    while last + 1 < min(end, first + 3) and capital[last + 1]:
        last += 1
    return frozenset(tokens.hashes[first:last + 1].tolist())
