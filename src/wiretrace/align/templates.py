"""Telling a template match from reuse: the same frame with other slot fillers.

Wire services file routine items from fixed frames: "X Corp is raising N mln
dlrs through an offering of debentures ... said lead manager Y", earnings
tables ("Shr N cts vs N cts / Net N vs N"), weekly statistics, bond notices.
Two such items about different companies align word for word on the frame,
yet they report different events: a frame is not a story.  What separates
them from a re-send or a rewrite of one report is in the *slots*, the names
and figures: a copy keeps them, a template fills them anew.

Inside each aligned passage, widened to the edges of its sentences (the
issuer's name often opens the sentence just before the aligned words), the
two sides are aligned word by word (RapidFuzz's Levenshtein opcodes over
word hashes; a figure such as "51.00-51.50" is one unit, :class:`SlotView`)
and the **slots** are counted: figures (any unit with a digit, or a CJK
numeral) and names (a capitalised word inside a sentence, or opening one
when the next word is capitalised too).  A slot is *kept* in an unchanged
stretch; it is *changed* when a short replacement (at most
:data:`SHORT_EDIT` words a side) puts another figure in its place, or a
name that the other text never uses (a name used elsewhere in the other
text was moved, not replaced; a respelling, Bazoum/Bozoum, is the same
name).  A passage is a **template** match when

* at least :data:`MIN_SUBSTITUTED` slots changed, and they are at least
  :data:`TEMPLATE_SHARE` of its slots, or both a name and a figure changed;
* or the few words (at most :data:`OPENING_WORDS`) before its first shared
  stretch name, on each side, someone the other text never names
  ("Skandinaviska Enskilda Banken is issuing ..." / "Quebec Caisse
  Desjardins is issuing ...");
* or the two texts open on actors the other never names
  (:func:`leads_differ`), unless the passage is a long spliced paragraph
  whose names and figures all agree.

The counts are kept with each passage (``slots_kept``, ``slots_changed``):
:mod:`wiretrace.links` lets articles far apart in time link only through
passages that changed no slot.  There the first name each text opens on
(:func:`lead_actor`) is one slot more: when the two differ, every passage of
the pair counts it as changed (a wire item is about who opens it), though it
does not make a passage a template (prose opens on all kinds of names).

Measured on the 240 pairs of ``story-links-dev`` read one by one (Reuters +
BBC, with :mod:`wiretrace.stories`' rules; ``benchmarks/real_stories.py``):
precision of "in the same story" went from 0.21 to 0.27 with the plain
slot-count rule, 0.39 with the time rule, 0.47 with the openings and
actors, and about 0.70 (recall 0.72) with story cohesion; a same-story pair
is rarely called template (the seed pair's passages are all reuse).

Nothing here depends on one language's words: figures are found in every
script, names wherever the script has capitals.  In scripts without capitals
(Chinese, Japanese, Arabic, Hebrew) only figures count, so two reports that
differ only in the names they give are not told apart there.

A passage whose words are mostly boilerplate (n-grams held by more than
``max_df`` articles, :func:`wiretrace.candidates.boilerplate_mask`) is
``boilerplate``.  Neither kind links articles into stories; both are kept in
the output with their kind, so a user can audit what was set aside.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Indel, Levenshtein

from wiretrace.text import Tokens, code_points, tokenize

# A replacement longer than this (words, on either side) is rewording, not a slot.
SHORT_EDIT = 4
# Words a passage's slot comparison reaches beyond it, to its sentences' edges.
WIDEN = 8
WIDEN_BACK = 30
# Words before the first shared stretch, at most, that can name the sentence's actor:
# more is a sentence of its own, not a slot.
OPENING_WORDS = 6
# Substituted slots a passage needs, at least, to be a template match.
MIN_SUBSTITUTED = 2
# ... and their share of all its slots (kept + substituted).
TEMPLATE_SHARE = 0.4
# Two forms at least this similar (normalised Indel similarity) are one slot respelled.
RESPELLING = 0.75
# A passage keeping at least this many names and figures, none changed, is reuse
# even between texts on different actors: a paragraph spliced into another story.
SPLICE_SLOTS = 8
# A passage with at least this share of its words in boilerplate is boilerplate.
BOILERPLATE_SHARE = 0.8

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
    with np.errstate(over="ignore"):
        for k in np.flatnonzero(joins).tolist():
            hashes[unit[k]] = (hashes[unit[k]] * _FOLD) ^ tokens.hashes[k]
    last = np.append(np.flatnonzero(heads)[1:], len(classes)) - 1
    unit_classes = classes[heads]
    view = SlotView(hashes, unit_classes, starts[heads], ends[last], unit, hashes.tolist(),
                    unit_classes.tolist(),
                    np.concatenate(([0], np.cumsum(unit_classes != WORD))).tolist())
    tokens.derived["slot-view"] = view
    return view


@dataclass(frozen=True, slots=True)
class SlotCount:
    """Slots of one aligned passage: kept on both sides, or substituted."""

    kept: int
    substituted: int
    # the substituted forms, ``(a text, b text)``, for the audit trail
    pairs: tuple[tuple[str, str], ...] = ()
    # whether the name opening the passage's first sentence is another one
    opening_changed: bool = False
    # of the substituted: names (another company, place, fund) and figures
    names_changed: int = 0
    figures_changed: int = 0

    @property
    def is_template(self) -> bool:
        if self.opening_changed:
            return True
        if self.substituted < MIN_SUBSTITUTED:
            return False
        return (self.substituted >= TEMPLATE_SHARE * (self.substituted + self.kept)
                or (self.names_changed >= 1 and self.figures_changed >= 1))


def _widened(tokens: Tokens, first: int, end: int) -> tuple[int, int]:
    """``first:end`` widened to the start of its first sentence (at most
    :data:`WIDEN_BACK` words) and the end of its last (at most :data:`WIDEN`):
    an issuer's name opening the sentence often lies just outside the aligned
    words ("Consumers Power Co is raising ..." / "Philadelphia Electric Co is
    raising ...")."""
    opens = tokens.derived["sentence-open"]
    lo = first
    while lo > max(0, first - WIDEN_BACK) and not opens[lo]:
        lo -= 1
    hi = end
    while hi < min(len(opens), end + WIDEN) and not opens[hi]:
        hi += 1
    return lo, hi


def _units(view: SlotView, first: int, end: int) -> tuple[int, int]:
    """The units of tokens ``first:end``."""
    if end <= first:
        return 0, 0
    return int(view.unit[first]), int(view.unit[end - 1]) + 1


def _word_set(tokens: Tokens) -> frozenset[int]:
    """Every word hash of a text, as a set (kept with its tokens)."""
    found = tokens.derived.get("word-set")
    if found is None:
        found = tokens.derived["word-set"] = frozenset(tokens.hashes.tolist())
    return found  # type: ignore[return-value]


def _foreign_names(slots: list[int], hashes: list[int], other: frozenset[int]) -> int:
    """How many of the names among ``slots``/``hashes`` the other text never uses:
    a name the other version also uses elsewhere was moved or reworded, not replaced."""
    return sum(1 for c, h in zip(slots, hashes, strict=True) if c == NAME and h not in other)


def count_slots(text_a: str, tokens_a: Tokens, a_start: int, a_end: int,
                text_b: str, tokens_b: Tokens, b_start: int, b_end: int,
                with_forms: bool = False) -> SlotCount:
    """Kept and substituted slot words of the passage ``a[a_start:a_end]`` /
    ``b[b_start:b_end]``, its sentences' edges included (:func:`_widened`).

    A name counts as substituted only when neither form occurs anywhere in the
    other text; a figure, when its digits differ.  ``opening_changed``: the
    words before the first shared stretch name, on each side, someone the
    other text never names (another company "is issuing ...").
    """
    view_a, view_b = slot_view(text_a, tokens_a), slot_view(text_b, tokens_b)
    if not len(view_a.classes) or not len(view_b.classes):
        return SlotCount(0, 0)
    first_a, end_a = _units(view_a, *_widened(tokens_a, *tokens_a.within(a_start, a_end)))
    first_b, end_b = _units(view_b, *_widened(tokens_b, *tokens_b.within(b_start, b_end)))
    list_a, list_b = view_a.hash_list[first_a:end_a], view_b.hash_list[first_b:end_b]
    slots_before = view_a.slots_before
    if list_a == list_b:  # verbatim: every slot kept
        return SlotCount(slots_before[end_a] - slots_before[first_a], 0)
    kept = substituted = names_changed = figures_changed = 0
    opening = False
    forms: list[tuple[str, str]] = []
    starts_a, ends_a = view_a.starts, view_a.ends
    starts_b, ends_b = view_b.starts, view_b.ends
    words_a, words_b = _word_set(tokens_a), _word_set(tokens_b)
    classes_a = view_a.class_list[first_a:end_a]
    classes_b = view_b.class_list[first_b:end_b]
    opcodes = Levenshtein.opcodes(list_a, list_b)
    first_equal = next((op for op in opcodes if op.tag == "equal"), None)
    if first_equal is not None and 0 < first_equal.src_start <= OPENING_WORDS \
            and 0 < first_equal.dest_start <= OPENING_WORDS:
        # before the first shared words: who the sentence is about
        a0, b0 = first_equal.src_start, first_equal.dest_start
        opening = bool(_foreign_names(classes_a[:a0], list_a[:a0], words_b)
                       and _foreign_names(classes_b[:b0], list_b[:b0], words_a))
        if opening and with_forms:
            forms.append((text_a[starts_a[first_a]:ends_a[first_a + a0 - 1]],
                          text_b[starts_b[first_b]:ends_b[first_b + b0 - 1]]))
    for tag, a0, a1, b0, b1 in opcodes:
        if tag == "equal":
            kept += slots_before[first_a + a1] - slots_before[first_a + a0]
            continue
        if tag != "replace" or a1 - a0 > SHORT_EDIT or b1 - b0 > SHORT_EDIT:
            continue
        in_a, in_b = classes_a[a0:a1], classes_b[b0:b1]
        figures = min(in_a.count(FIGURE), in_b.count(FIGURE))
        changed = min(_foreign_names(in_a, list_a[a0:a1], words_b),
                      _foreign_names(in_b, list_b[b0:b1], words_a))
        if not figures and not changed:
            continue
        form_a = text_a[starts_a[first_a + a0]:ends_a[first_a + a1 - 1]]
        form_b = text_b[starts_b[first_b + b0]:ends_b[first_b + b1 - 1]]
        if figures and _same_slot(form_a, form_b):
            figures = 0
        if changed and Indel.normalized_similarity(form_a.casefold(), form_b.casefold()) \
                >= RESPELLING:
            changed = 0  # one name respelled (Bazoum/Bozoum)
        if figures or changed:
            substituted += max(figures, changed)
            names_changed += changed
            figures_changed += figures
            if with_forms:
                forms.append((form_a, form_b))
    return SlotCount(kept, substituted, tuple(forms), opening, names_changed, figures_changed)


def _digit_values(form: str) -> str:
    """The digits of a figure by value, whatever the script: "١٢٠" and "120" are one."""
    return "".join(str(unicodedata.digit(ch)) for ch in form
                   if ch.isdigit() and unicodedata.digit(ch, None) is not None)


def _same_slot(form_a: str, form_b: str) -> bool:
    """One figure retyped (``1,500`` / ``1500``) or one name respelled (Bazoum/Bozoum)."""
    digits_a = _digit_values(form_a)
    if digits_a:
        return digits_a == _digit_values(form_b)
    return Indel.normalized_similarity(form_a.casefold(), form_b.casefold()) >= RESPELLING


def leads_differ(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens) -> bool:
    """Whether the two texts open on different actors: each one's first sentence
    names someone (a company, an issuer, a person) and none of them appears
    anywhere in the other text.

    Wire items open on who did what ("Irving Trust Co said it is raising its
    prime rate ..." / "Marine Midland Banks Inc said it is raising ..."); two
    items of one story name each other's actors (a follow-up on GAF studying
    Borg-Warner's buyout names Borg-Warner).
    """
    lead_a, lead_b = _lead_names(text_a, tokens_a), _lead_names(text_b, tokens_b)
    return bool(lead_a and lead_b and _word_set(tokens_b).isdisjoint(lead_a)
                and _word_set(tokens_a).isdisjoint(lead_b))


def _lead_names(text: str, tokens: Tokens) -> tuple[int, ...]:
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


def passage_kind(text_a: str, tokens_a: Tokens, a_start: int, a_end: int,
                 text_b: str, tokens_b: Tokens, b_start: int, b_end: int,
                 ignore_a: np.ndarray | None = None, other_leads: bool = False,
                 other_actor: bool = False) -> tuple[str, SlotCount]:
    """``reuse``, ``template`` or ``boilerplate`` (see the module docstring), and the
    slots counted.  ``other_leads``: the texts open on actors the other never
    names (:func:`leads_differ`), which makes any passage but a long verbatim
    one a template match; ``other_actor``: their first names differ
    (:func:`lead_actor`), one more slot changed in the counts (which the time
    rule of :mod:`wiretrace.links` reads), not in the kind."""
    count = count_slots(text_a, tokens_a, a_start, a_end, text_b, tokens_b, b_start, b_end)
    kind = "template" if count.is_template else "reuse"
    if ignore_a is not None and len(ignore_a):
        first, end = tokens_a.within(a_start, a_end)
        if end > first and np.count_nonzero(ignore_a[first:end]) >= \
                BOILERPLATE_SHARE * (end - first):
            kind = "boilerplate"
    if kind == "reuse" and other_leads and \
            not (count.substituted == 0 and count.kept >= SPLICE_SLOTS):
        kind = "template"
    if other_actor:  # evidence for the time rule only: prose opens on all kinds of names
        count = SlotCount(count.kept, count.substituted + 1, count.pairs, count.opening_changed,
                          count.names_changed + 1, count.figures_changed)
    return kind, count


def template_evidence(text_a: str, tokens_a: Tokens, a_start: int, a_end: int,
                      text_b: str, tokens_b: Tokens, b_start: int, b_end: int) -> str:
    """Why a passage is a template match, in words a reader checks against the texts:
    e.g. ``"slots differ: Gillette Canada Inc/Dow Chemical Co, 70/200 (2 of 5 slots kept)"``."""
    count = count_slots(text_a, tokens_a, a_start, a_end, text_b, tokens_b, b_start, b_end,
                        with_forms=True)
    shown = ", ".join(f"{a}/{b}" for a, b in count.pairs[:6])
    more = f" and {len(count.pairs) - 6} more" if len(count.pairs) > 6 else ""
    return (f"slots differ: {shown}{more} ({count.kept} of "
            f"{count.kept + count.substituted} slots kept)")


_cached_tokens = lru_cache(maxsize=256)(tokenize)


def passage_evidence(kind: str, text_a: str, a_start: int, a_end: int, text_b: str,
                     b_start: int, b_end: int) -> str | None:
    """What a reader checks to audit a passage set aside: for a template match the
    slots it fills anew (:func:`template_evidence`), for boilerplate what makes it
    so; None for reuse."""
    if kind == "reuse":
        return None
    if kind == "boilerplate":
        return "stock wording: most of its n-grams are held by more than max_df articles"
    return template_evidence(text_a, _cached_tokens(text_a), a_start, a_end,
                             text_b, _cached_tokens(text_b), b_start, b_end)
