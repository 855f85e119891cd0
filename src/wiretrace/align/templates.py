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
  whose names and figures all agree;
* or the two texts are briefs (the shorter at most :data:`BRIEF_WORDS`
  words) that report other figures (:func:`figures_differ`: fewer than half
  of the key figures of one are in the other, each figure by value, so
  "3.65 mln" is "3,650,000"), and the passage holds a figure: the same
  frame filled for another company, fund, market or day.  Not when each
  brief has one figure and a long passage changes only it (an update: a
  corrected price, a revised toll), nor for a long spliced paragraph that
  holds figures of the report (a table's header, all frame and headings,
  holds none).

The counts are kept with each passage (``slots_kept``, ``slots_changed``):
:mod:`wiretrace.stories.links` lets articles far apart in time link only through
passages that changed no slot.  There the first name each text opens on
(:func:`lead_actor`) is one slot more: when the two differ, every passage of
the pair counts it as changed (a wire item is about who opens it), though it
does not make a passage a template (prose opens on all kinds of names).

Measured on the 240 pairs of ``story-links-dev`` read one by one (Reuters +
BBC, with :mod:`wiretrace.stories.links`' rules; ``benchmarks/real_stories.py``):
precision of "in the same story" went from 0.21 to 0.27 with the plain
slot-count rule, 0.39 with the time rule, 0.47 with the openings and
actors, 0.67 (recall 0.67, from 0.89) with stories that do not chain, and
0.71 (recall 0.65) with briefs that report other figures; a same-story pair
is rarely called template (the seed pair's passages are all reuse).  The
figures rule without the brief bound reached 0.76, but split three BBC
stories a reader keeps together (follow-ups of one week with new figures).

What each text offers (its slots, its figures whole, its lead) is computed
once per text in :mod:`wiretrace.align.slots`.

Nothing here depends on one language's words: figures are found in every
script, names wherever the script has capitals.  In scripts without capitals
(Chinese, Japanese, Arabic, Hebrew) only figures count, so two reports that
differ only in the names they give are not told apart there.

A passage whose words are mostly boilerplate (n-grams held by more than
``max_df`` articles, :func:`wiretrace.candidates.lsh.boilerplate_mask`) is
``boilerplate``.  Neither kind links articles into stories; both are kept in
the output with their kind, so a user can audit what was set aside.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from numba import njit
from rapidfuzz.distance import Indel, Levenshtein

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)
from wiretrace.align.slots import (
    FIGURE,
    NAME,
    WORD,
    SlotView,
    key_figure_forms,
    key_figures,
    lead_actor,
    lead_names,
    slot_classes,
    slot_view,
    sorted_words,
    word_set,
)
from wiretrace.text.tokens import Tokens, tokenize

# slot_classes and friends are read from here too (they were born here)
__all__ = ["FIGURE", "NAME", "WORD", "SlotCount", "SlotView", "count_slots", "lead_actor",
           "leads_differ", "passage_kind", "slot_classes", "slot_view", "figures_differ",
           "key_figures"]

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
# Between texts of one key figure each, a passage of at least this many words
# that changes at most one slot is an update of one report (a toll revised, a
# price corrected): one figure alone does not tell another report.
UPDATE_WORDS = 40
# A passage with at least this share of its words in boilerplate is boilerplate.
BOILERPLATE_SHARE = 0.8

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
    # filled by slots._scan, which the slot views read before this ran
    before, after = tokens.facts.open_before, tokens.facts.open_after
    assert before is not None and after is not None
    count = len(before)
    lo = max(int(before[first]), first - WIDEN_BACK, 0) if first < count else first
    hi = min(int(after[end]), end + WIDEN, count) if end < count else end
    return lo, hi


def _units(view: SlotView, first: int, end: int) -> tuple[int, int]:
    """The units of tokens ``first:end``."""
    if end <= first:
        return 0, 0
    return int(view.unit[first]), int(view.unit[end - 1]) + 1


_TAGS = {"equal": 0, "replace": 1, "delete": 2, "insert": 3}


@njit(cache=True, nogil=True)
def _slot_edits(ops, hashes_a, classes_a, slots_before_a, hashes_b, classes_b,
                words_a, words_b, short_edit, opening_words):  # pragma: no cover
    """The slots an edit script keeps and the replacements that may change one.

    ``ops``: RapidFuzz's opcodes as rows ``(tag, a0, a1, b0, b1)`` (tags as
    :data:`_TAGS`) over the units ``hashes_*``/``classes_*``; ``slots_before_a``:
    the slots before each unit of a, from the first; ``words_*``: each text's
    sorted word hashes (a name is *foreign* when the other text never uses it).
    Returns the slots kept; where the first shared stretch starts in a and b when
    the words before it name, on each side, someone foreign (0, 0 otherwise);
    and rows ``(a0, a1, b0, b1, figures, foreign names)`` of the short
    replacements that put a figure or a foreign name on both sides, for the
    caller's checks on the characters (a retyped figure, a respelled name).
    """
    kept = 0
    opening_a = opening_b = 0
    seen_equal = False
    candidates = np.zeros((len(ops), 6), np.int64)
    found = 0
    for k in range(len(ops)):
        tag, a0, a1, b0, b1 = ops[k, 0], ops[k, 1], ops[k, 2], ops[k, 3], ops[k, 4]
        if tag == 0:
            kept += slots_before_a[a1] - slots_before_a[a0]
            if not seen_equal:
                seen_equal = True
                if 0 < a0 <= opening_words and 0 < b0 <= opening_words and \
                        _foreign(hashes_a, classes_a, 0, a0, words_b) and \
                        _foreign(hashes_b, classes_b, 0, b0, words_a):
                    opening_a, opening_b = a0, b0
            continue
        if tag != 1 or a1 - a0 > short_edit or b1 - b0 > short_edit:
            continue
        figures_a = figures_b = 0
        for u in range(a0, a1):
            figures_a += classes_a[u] == 2
        for u in range(b0, b1):
            figures_b += classes_b[u] == 2
        figures = min(figures_a, figures_b)
        changed = min(_foreign(hashes_a, classes_a, a0, a1, words_b),
                      _foreign(hashes_b, classes_b, b0, b1, words_a))
        if figures or changed:
            candidates[found] = (a0, a1, b0, b1, figures, changed)
            found += 1
    return kept, opening_a, opening_b, candidates[:found]


@njit(cache=True, nogil=True)
def _foreign(hashes, classes, lo, hi, other_words):  # pragma: no cover
    """How many names among units ``lo:hi`` the other text (its sorted word hashes)
    never uses: a name it also uses elsewhere was moved or reworded, not replaced."""
    count = 0
    for u in range(lo, hi):
        if classes[u] == 1:
            at = np.searchsorted(other_words, hashes[u])
            if at == len(other_words) or other_words[at] != hashes[u]:
                count += 1
    return count


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
        return SlotCount(int(slots_before[end_a] - slots_before[first_a]), 0)
    slots_a = [h for h, c in zip(list_a, view_a.class_list[first_a:end_a], strict=True) if c]
    slots_b = [h for h, c in zip(list_b, view_b.class_list[first_b:end_b], strict=True) if c]
    if sorted(slots_a) == sorted(slots_b):
        # the same names and figures on both sides: none can have been filled anew
        # (a reworded copy), and the edit script is not needed to say so
        return SlotCount(len(slots_a), 0)
    substituted = names_changed = figures_changed = 0
    forms: list[tuple[str, str]] = []
    starts_a, ends_a = view_a.starts, view_a.ends
    starts_b, ends_b = view_b.starts, view_b.ends
    ops = np.array([(_TAGS[tag], a0, a1, b0, b1) for tag, a0, a1, b0, b1
                    in Levenshtein.opcodes(list_a, list_b).as_list()], dtype=np.int64)
    kept, opening_a, opening_b, candidates = _slot_edits(
        ops, view_a.hashes[first_a:end_a], view_a.classes[first_a:end_a], slots_before[first_a:],
        view_b.hashes[first_b:end_b], view_b.classes[first_b:end_b],
        sorted_words(tokens_a), sorted_words(tokens_b), SHORT_EDIT, OPENING_WORDS)
    opening = opening_a > 0
    if opening and with_forms:
        forms.append((text_a[starts_a[first_a]:ends_a[first_a + opening_a - 1]],
                      text_b[starts_b[first_b]:ends_b[first_b + opening_b - 1]]))
    for a0, a1, b0, b1, figures, changed in candidates.tolist():
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
    if form.isascii():  # the rule, and ten times faster
        return _NOT_DIGITS.sub("", form)
    return "".join(str(unicodedata.digit(ch)) for ch in form
                   if ch.isdigit() and unicodedata.digit(ch, None) is not None)


_NOT_DIGITS = re.compile(r"[^0-9]+")


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
    lead_a, lead_b = lead_names(text_a, tokens_a), lead_names(text_b, tokens_b)
    return bool(lead_a and lead_b and word_set(tokens_b).isdisjoint(lead_a)
                and word_set(tokens_a).isdisjoint(lead_b))


# Two texts report other figures when fewer than this share of the figures of
# the one with fewer are in the other.
FIGURES_AGREE = 0.5
# ... and the shorter has at most this many words: a brief (an earnings table, a
# rate notice, a market report) exists to report its figures, while a longer
# report's new figures are often new developments of one story.  Measured on the
# BBC corpus, without this bound three verified stories split (a follow-up on
# the dollar's slide that week, a party's plan and its "at a glance" summary).
BRIEF_WORDS = 200


def figures_differ(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens) -> int:
    """Whether the two texts report other figures (:func:`key_figures`): fewer than
    :data:`FIGURES_AGREE` of the figures of the one with fewer are in the other.
    Returns how many figures that judgment rests on (those of the text with
    fewer), 0 when the figures agree or a text has none.

    Versions of one report keep most of its figures (an update changes the toll,
    not the magnitude, the date and the place); the same frame filled for
    another company, fund, market or week changes them all.
    """
    figures_a, figures_b = key_figures(text_a, tokens_a), key_figures(text_b, tokens_b)
    fewer = min(len(figures_a), len(figures_b))
    if min(len(tokens_a), len(tokens_b)) > BRIEF_WORDS:
        return 0
    return fewer if len(figures_a & figures_b) < FIGURES_AGREE * fewer else 0


def passage_kind(text_a: str, tokens_a: Tokens, a_start: int, a_end: int,
                 text_b: str, tokens_b: Tokens, b_start: int, b_end: int,
                 ignore_a: np.ndarray | None = None, other_leads: bool = False,
                 other_actor: bool = False, other_figures: int = 0
                 ) -> tuple[str, SlotCount]:
    """``reuse``, ``template`` or ``boilerplate`` (see the module docstring), and the
    slots counted.  ``other_leads``: the texts open on actors the other never
    names (:func:`leads_differ`), which makes any passage but a long verbatim
    one a template match, and so does ``other_figures``: the texts report other
    figures (:func:`figures_differ`, how many), unless the texts have one figure
    each and the passage is a long one changing at most that (an update);
    ``other_actor``: their first names differ
    (:func:`lead_actor`), one more slot changed in the counts (which the time
    rule of :mod:`wiretrace.stories.links` reads), not in the kind."""
    count = count_slots(text_a, tokens_a, a_start, a_end, text_b, tokens_b, b_start, b_end)
    kind = "template" if count.is_template else "reuse"
    first, end = tokens_a.within(a_start, a_end)
    if ignore_a is not None and len(ignore_a) and end > first and \
            np.count_nonzero(ignore_a[first:end]) >= BOILERPLATE_SHARE * (end - first):
        kind = "boilerplate"
    spliced = count.substituted == 0 and count.kept >= SPLICE_SLOTS
    if kind == "reuse" and other_leads and not spliced:
        kind = "template"
    # between briefs that report other figures, a paragraph spliced whole carries
    # figures of the report; a table's header or a notice's opening, all frame
    # and capitalised headings (CURRENT WEEK YEAR AGO), carries none of them
    if kind == "reuse" and other_figures and FIGURE in slot_classes(text_a, tokens_a)[first:end] \
            and not (spliced and key_figure_forms(text_a, tokens_a, a_start, a_end)):
        # the one figure of a text changed in a long passage: an update of the
        # report (a revised toll), not a report of other figures
        if not (other_figures == 1 and count.substituted <= 1 and end - first >= UPDATE_WORDS):
            kind = "template"
    if other_actor:  # evidence for the time rule only: prose opens on all kinds of names
        count = SlotCount(count.kept, count.substituted + 1, count.pairs, count.opening_changed,
                          count.names_changed + 1, count.figures_changed)
    return kind, count


def warm_up() -> None:
    """Compile (or load from the disk cache) the slot kernels: a text's pass for each
    width of code points (Latin-1 and beyond), and the edit script's count."""
    for text_a, text_b in (
            ("Acme Corp said on Monday it raised its prime rate to 8.5 pct from 8 pct.",
             "Beta Bank said on Monday it raised its prime rate to 9 pct from 8.75 pct."),
            ("北京市政府周一表示，将投资三亿元修建新的地铁线路。",
             "上海市政府周一表示，将投资五亿元修建新的地铁线路。")):
        tokens_a, tokens_b = tokenize(text_a), tokenize(text_b)
        count_slots(text_a, tokens_a, 0, len(text_a), text_b, tokens_b, 0, len(text_b))
