"""Whether two different words are one word spelled two ways (a spelling variant).

A spelling variant is the same word or name written differently: a national
convention (finalised/finalized, colour/color, centre/center,
travelled/traveled, defence/defense), a transliteration (Bazoum/Bozoum,
Gaddafi/Qaddafi, Mohamed/Mohammed, Abdourahmane/Abdourahamane) or a slip
(Volcker/Vocker).  A different word that merely looks alike is not one:
includes/excludes, indirect/direct, would/could, Tennis/Dennis,
spokeswoman/spokesman, Tory/Tony.  Reporting those as spelling would hide what
a journalist looks for (:mod:`wiretrace.facts` reports the changes of meaning).

The rule looks at the edit that turns one word into the other, so it holds
for names of any Latin-script language without a word list:

* a spelling convention: both words have the same :func:`conventional` form;
* otherwise one or two edits, each of them a vowel for a vowel, a consonant
  swapped with its usual equivalent (s/z, c/k, k/q, g/q, j/y, v/w), a doubled
  or undoubled letter, an ``h`` after a consonant (Gadafi/Ghadafi), a vowel
  inserted or dropped inside the word, or two neighbours transposed; a single
  letter inserted or dropped inside a word of six letters or more (a slip)
  also counts.  Never in a word under five letters (Hong/Hang), never the
  first letter of a short word (Tennis/Dennis, Alan/Plan), nor the last
  letter or a letter added at either end (direct/indirect, Canada/Canadian,
  price/prices, Argentina/Argentine: other words);
* and not two distinct English words (rise/rose, trial/trail): the small list
  in :mod:`wiretrace.lexicon` vetoes those, together with number words,
  days and months, and gendered forms (spokeswoman/spokesman).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from wiretrace.lexicon import is_english_pair
from wiretrace.text import normalise_word
from wiretrace.wordlists import CALENDAR_WORDS, NUMBER_WORDS

__all__ = ["conventional", "edit_is_orthographic", "is_spelling_variant"]

VOWELS = frozenset("aeiouy")
# Consonants that spelling conventions and transliterations use for one another.
_EQUIVALENT = frozenset(frozenset(pair) for pair in ("sz", "ck", "cq", "kq", "gq", "jy", "vw"))
# A word this long may differ in its first letter (Gaddafi/Qaddafi); a shorter
# one that does is another word (Tennis/Dennis, would/could).
_LONG = 7
# A single letter slipped in or out inside a word this long is a misspelling.
_SLIP = 6
# Shorter words differ by a convention only (colour/color), never by an edit.
_MIN_EDITED = 5
_COUNTED = NUMBER_WORDS | CALENDAR_WORDS
_GENDERED = (("woman", "man"), ("women", "men"), ("woman", "person"), ("man", "person"),
             ("women", "people"), ("men", "people"))

# (pattern, replacement) rewriting British, American and older spellings to one
# form.  Each is anchored so that it cannot make two real words equal.
_CONVENTIONS = [(re.compile(p), r) for p, r in (
    (r"(?<=\w[iy])s(?=[eia])", "z"),  # finalise, organisation, analyse
    (r"(?<=\w\w)our", "or"),  # colour, neighbouring, favourite (not four, hours)
    (r"(?<=\w[^aeiouy\W])re(?=s?$)", "er"),  # centre, theatre, metres
    (r"(?<=\w{3})ll(?=(ed|ing|ers?|ors?|ery|ment|ments|ful)?$)", "l"),  # travelled, fuelled
    (r"(?<=\w)[ao]e(?=\w)", "e"),  # anaemia, foetus, manoeuvre
    (r"(?<=g)e(?=ment|ments|ing$)", ""),  # judgement, ageing
    (r"(?<=\w[^aeiouy\W])e(?=able$)", ""),  # likeable, sizeable
    (r"(?<=\we)nce(?=s?$)", "nse"),  # defence, licence, offences
    (r"gramme(?=s?$)", "gram"),  # programme
    (r"(?<=\w[ao])gue(?=s?$)", "g"),  # catalogue, dialogue
)]


@lru_cache(maxsize=65536)
def conventional(norm: str) -> str:
    """One spelling for the forms national conventions give a word
    (``finalised`` and ``finalized`` -> ``finalized``); ``norm`` is normalised."""
    for pattern, replacement in _CONVENTIONS:
        norm = pattern.sub(replacement, norm)
    return norm


def _gendered(x: str, y: str) -> bool:
    """spokeswoman/spokesman, chairwoman/chairperson: another person, not a spelling."""
    return any(u.replace(p, q) == v for u, v in ((x, y), (y, x)) for p, q in _GENDERED)


def _transposed(x: str, y: str) -> bool:
    """Two neighbours swapped, not the first letter (Bundesbnak/Bundesbank)."""
    if len(x) != len(y):
        return False
    diff = [i for i, (p, q) in enumerate(zip(x, y, strict=True)) if p != q]
    return (len(diff) == 2 and diff[0] > 0 and diff[1] == diff[0] + 1
            and x[diff[0]] == y[diff[1]] and x[diff[1]] == y[diff[0]])


def edit_is_orthographic(x: str, y: str) -> bool:
    """Whether the edit from ``x`` to ``y`` (normalised, different) is one of
    spelling: see the module's rule."""
    if min(len(x), len(y)) < _MIN_EDITED:
        return False  # Hong/Hang, Bush/Bash: too short to tell a name from another
    if _transposed(x, y):
        return True
    ops = Levenshtein.editops(x, y)
    if not 1 <= len(ops) <= 2:
        return False
    long = min(len(x), len(y)) >= _LONG
    for op in ops:
        if op.tag == "replace":
            p, q = x[op.src_pos], y[op.dest_pos]
            if (op.src_pos == 0 and not long) or op.src_pos == len(x) - 1:
                return False  # an ending: Argentina/Argentine, Mario/Maria
            if not (p in VOWELS and q in VOWELS) and frozenset((p, q)) not in _EQUIVALENT:
                return False
            continue
        word, i = (y, op.dest_pos) if op.tag == "insert" else (x, op.src_pos)
        letter = word[i]
        if i == 0:
            return False  # a prefix: indirect/direct, nonprofit/profit
        if word[i - 1] == letter or (i + 1 < len(word) and word[i + 1] == letter):
            continue  # a doubled letter: Mohamed/Mohammed, Zelensky/Zelenskyy
        if i == len(word) - 1:
            return False  # an ending: Canada/Canadian, price/prices
        if letter in VOWELS or (letter == "h" and word[i - 1] not in VOWELS):
            continue  # Abdourahmane/Abdourahamane, Gadafi/Ghadafi
        if len(ops) == 1 and len(word) >= _SLIP:
            continue  # a slip inside a long word: Volcker/Vocker
        return False
    return True


@lru_cache(maxsize=65536)
def is_spelling_variant(word_a: str, word_b: str) -> bool:
    """Whether two words (as written) are the same word or name spelled differently.

    Case alone is not a variant; accents alone are (Müller/Muller).
    """
    if word_a.casefold() == word_b.casefold():
        return False
    x, y = normalise_word(word_a), normalise_word(word_b)
    if x == y:
        return True
    if min(len(x), len(y)) < 4 or not x.isalpha() or not y.isalpha():
        return False
    if (x in _COUNTED and y in _COUNTED) or _gendered(x, y):
        return False  # three/thirty, Monday/Sunday: another figure or date
    if conventional(x) == conventional(y):
        return True
    return edit_is_orthographic(x, y) and not is_english_pair(x, y)
