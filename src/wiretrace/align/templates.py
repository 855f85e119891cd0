"""Telling a template match from reuse: the same frame with other slot fillers.

Wire services file routine items from fixed frames: "X Corp is raising N mln
dlrs through an offering of debentures ... said lead manager Y", earnings
tables ("Shr N cts vs N cts / Net N vs N"), weekly statistics, bond notices.
Two such items about different companies align word for word on the frame,
yet they report different events: a frame is not a story.  What separates
them from a re-send or a rewrite of one report is in the *slots*: the names
and figures.  A copy keeps them; a template fills them anew.

So inside each aligned passage the two sides' words are aligned (an edit
script over word hashes, RapidFuzz's Levenshtein opcodes) and the **slot
tokens** are counted: figures (any token with a digit, or a CJK numeral) and
names (a capitalised word that does not open a sentence or a line).  A slot
is *kept* when it stands in an unchanged stretch, *substituted* when a short
replacement (at most :data:`SHORT_EDIT` words each side) puts a slot of the
same class in its place and the two are not respellings of one another
(Bazoum/Bozoum).  A passage is a **template** match when

    substituted >= MIN_SUBSTITUTED  and  substituted >= TEMPLATE_SHARE * (substituted + kept)

Measured on the 240 read pairs of ``story-links-dev`` (Reuters + BBC): with
a share of 0.4, 1 of 54 same-story pairs has a passage called template (a
sugar-programme pair whose shared passage swaps "House of Representatives"
for "Deputy Agriculture Secretary"), while 81 of 184 template pairs have
every passage called template; the others share stock sentences whose slots
agree ("The issue will be listed in Luxembourg"), which the story rule
weighs instead (:mod:`wiretrace.stories`).

Nothing here depends on the language's words: figures are found in every
script, names wherever the script has capitals; in scripts without capitals
(Chinese, Arabic) only figures count, so two reports that differ only by
the names in them are not told apart (stated as a limit in the README).

A passage whose words are mostly boilerplate (n-grams held by more than
``max_df`` articles, :func:`wiretrace.candidates.boilerplate_mask`) is
``boilerplate``.  Neither kind links articles into stories; both are kept in
the output with their kind, so a user can audit what was set aside.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Indel, Levenshtein

from wiretrace.text import Tokens, code_points

# A replacement longer than this (words, on either side) is rewording, not a slot.
SHORT_EDIT = 4
# Words a passage's slot comparison reaches beyond it, to its sentences' edges.
WIDEN = 8
# Substituted slots a passage needs, at least, to be a template match.
MIN_SUBSTITUTED = 2
# ... and their share of all its slots (kept + substituted).
TEMPLATE_SHARE = 0.4
# Two forms at least this similar (normalised Indel similarity) are one slot respelled.
RESPELLING = 0.75
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
    tokens.derived["slots"] = classes
    return classes


@dataclass(frozen=True, slots=True)
class SlotCount:
    """Slots of one aligned passage: kept on both sides, or substituted."""

    kept: int
    substituted: int
    # the substituted forms, ``(a text, b text)``, for the audit trail
    pairs: tuple[tuple[str, str], ...] = ()

    @property
    def is_template(self) -> bool:
        return (self.substituted >= MIN_SUBSTITUTED
                and self.substituted >= TEMPLATE_SHARE * (self.substituted + self.kept))


def _widened(tokens: Tokens, first: int, end: int) -> tuple[int, int]:
    """``first:end`` widened to the start of its first sentence and the end of its
    last (at most :data:`WIDEN` words each way): an issuer's name opening the
    sentence often lies just outside the aligned words ("Consumers Power Co is
    raising ..." / "Philadelphia Electric Co is raising ...")."""
    opens = tokens.derived["sentence-open"]
    lo = first
    while lo > max(0, first - WIDEN) and not opens[lo]:
        lo -= 1
    hi = end
    while hi < min(len(opens), end + WIDEN) and not opens[hi]:
        hi += 1
    return lo, hi


def count_slots(text_a: str, tokens_a: Tokens, a_start: int, a_end: int,
                text_b: str, tokens_b: Tokens, b_start: int, b_end: int,
                with_forms: bool = False) -> SlotCount:
    """Kept and substituted slot words of the passage ``a[a_start:a_end]`` /
    ``b[b_start:b_end]``, its sentences' edges included (:func:`_widened`)."""
    classes_a, classes_b = slot_classes(text_a, tokens_a), slot_classes(text_b, tokens_b)
    if not len(classes_a) or not len(classes_b):
        return SlotCount(0, 0)
    first_a, end_a = _widened(tokens_a, *tokens_a.within(a_start, a_end))
    first_b, end_b = _widened(tokens_b, *tokens_b.within(b_start, b_end))
    hashes_a = tokens_a.hashes[first_a:end_a]
    hashes_b = tokens_b.hashes[first_b:end_b]
    slots_a, slots_b = classes_a[first_a:end_a], classes_b[first_b:end_b]
    if len(hashes_a) == len(hashes_b) and np.array_equal(hashes_a, hashes_b):
        return SlotCount(int(np.count_nonzero(slots_a)), 0)  # verbatim: every slot kept
    kept = substituted = 0
    forms: list[tuple[str, str]] = []
    starts_a, ends_a = tokens_a.starts, tokens_a.ends
    starts_b, ends_b = tokens_b.starts, tokens_b.ends
    for tag, a0, a1, b0, b1 in Levenshtein.opcodes(hashes_a.tolist(), hashes_b.tolist()):
        if tag == "equal":
            kept += int(np.count_nonzero(slots_a[a0:a1]))
        elif tag == "replace" and a1 - a0 <= SHORT_EDIT and b1 - b0 <= SHORT_EDIT:
            in_a, in_b = slots_a[a0:a1], slots_b[b0:b1]
            same_class = max(min(np.count_nonzero(in_a == FIGURE), np.count_nonzero(in_b == FIGURE)),
                             min(np.count_nonzero(in_a == NAME), np.count_nonzero(in_b == NAME)))
            if not same_class:
                continue
            form_a = text_a[starts_a[first_a + a0]:ends_a[first_a + a1 - 1]]
            form_b = text_b[starts_b[first_b + b0]:ends_b[first_b + b1 - 1]]
            if _same_slot(form_a, form_b):
                continue
            substituted += int(max(np.count_nonzero(in_a), np.count_nonzero(in_b)))
            if with_forms:
                forms.append((form_a, form_b))
    return SlotCount(kept, substituted, tuple(forms))


def _same_slot(form_a: str, form_b: str) -> bool:
    """One figure retyped (``1,500`` / ``1500``) or one name respelled (Bazoum/Bozoum)."""
    digits_a = "".join(ch for ch in form_a if ch.isdigit())
    if digits_a:
        return digits_a == "".join(ch for ch in form_b if ch.isdigit())
    return Indel.normalized_similarity(form_a.casefold(), form_b.casefold()) >= RESPELLING


def passage_kind(text_a: str, tokens_a: Tokens, a_start: int, a_end: int,
                 text_b: str, tokens_b: Tokens, b_start: int, b_end: int,
                 ignore_a: np.ndarray | None = None) -> tuple[str, SlotCount]:
    """``reuse``, ``template`` or ``boilerplate`` (see the module docstring), and the
    slots counted."""
    count = count_slots(text_a, tokens_a, a_start, a_end, text_b, tokens_b, b_start, b_end)
    if ignore_a is not None and len(ignore_a):
        first, end = tokens_a.within(a_start, a_end)
        if end > first and np.count_nonzero(ignore_a[first:end]) >= \
                BOILERPLATE_SHARE * (end - first):
            return "boilerplate", count
    return ("template" if count.is_template else "reuse"), count


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
