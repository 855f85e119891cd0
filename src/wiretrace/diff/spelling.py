"""Whether two different words are one word spelled two ways (a spelling variant).

A spelling variant is the same word or name written differently: a national
convention (finalised/finalized, colour/color, centre/center,
travelled/traveled, defence/defense), a transliteration (Bazoum/Bozoum,
Gaddafi/Qaddafi, Mohamed/Mohammed, Abdourahmane/Abdourahamane) or a slip
(Volcker/Vocker).  A different word that merely looks alike is not one:
includes/excludes, indirect/direct, would/could, Tennis/Dennis,
spokeswoman/spokesman, Tory/Tony.  Reporting those as spelling would hide what
a journalist looks for (:mod:`wiretrace.diff.facts` reports the changes of meaning).

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
* and not two distinct English words (thank/think, trial/trail): the list in
  :mod:`wiretrace.diff.lexicon` vetoes those, together with number words, days
  and months, and gendered forms (spokeswoman/spokesman).

:func:`variants_in_changes` and :func:`name_variants` find the variants of a
diff: in its word changes, and between names of unaligned text and names of
the other version.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from wiretrace.align import similar_words
from wiretrace.diff.lexicon import is_english_pair
from wiretrace.diff.wordlists import CALENDAR_WORDS, NUMBER_WORDS
from wiretrace.model import SpellingVariant, WordChange
from wiretrace.text.tokens import Tokens, code_points, normalise_word

__all__ = ["conventional", "edit_is_orthographic", "is_spelling_variant", "name_variants",
           "variants_in_changes"]

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


# --------------------------------------------------------------- in a diff

def variants_in_changes(changes: list[WordChange], min_similarity: float
                        ) -> list[SpellingVariant]:
    """Word-for-word replacements that are the same word spelled another way."""
    variants = []
    for change in changes:
        if change.op != "replace":
            continue
        words_a, words_b = change.a_text.split(), change.b_text.split()
        if len(words_a) != len(words_b):
            continue
        for word_a, word_b in zip(words_a, words_b, strict=True):
            clean_a, clean_b = word_a.strip(".,;:!?\"'“”‘’()"), word_b.strip(".,;:!?\"'“”‘’()")
            if clean_a.casefold() != clean_b.casefold() and \
                    similar_words(clean_a.casefold(), clean_b.casefold(), min_similarity) \
                    and is_spelling_variant(clean_a, clean_b):
                offset_a = change.a_start + change.a_text.find(clean_a)
                offset_b = change.b_start + change.b_text.find(clean_b)
                variants.append(SpellingVariant(
                    clean_a, clean_b, offset_a, offset_a + len(clean_a), offset_b,
                    offset_b + len(clean_b),
                    round(Levenshtein.normalized_similarity(clean_a.casefold(),
                                                            clean_b.casefold()), 3)))
    return variants


def _capitals(text: str, tokens: Tokens) -> np.ndarray:
    """Token numbers of the capitalised words of 4+ characters (kept with the tokens)."""
    facts = tokens.facts
    if facts.capitals is None:
        starts = tokens.starts
        long_enough = np.flatnonzero(tokens.ends - starts >= 4)
        firsts = code_points(text)[starts[long_enough]]
        # ASCII capitals told apart without Python; other scripts ask str.isupper
        ascii_capitals = long_enough[(firsts >= 65) & (firsts <= 90)]
        maybe = long_enough[firsts > 127]
        other_capitals = [k for k, start in zip(maybe.tolist(), starts[maybe].tolist(),
                                                strict=True) if text[start].isupper()]
        facts.capitals = np.sort(np.concatenate(
            [ascii_capitals, np.array(other_capitals, dtype=np.int64)]))
    return facts.capitals


def _names(text: str, tokens: Tokens, within: list[tuple[int, int]] | None = None
           ) -> dict[str, tuple[int, int, int]]:
    """Capitalised words (4+ letters), first occurrence, in ``within`` or everywhere:
    normalised form -> (start, end, token hash).

    The names of a whole text are kept with its tokens: an origin is diffed
    against every other version of its story.
    """
    if within is None and tokens.facts.names is not None:
        return tokens.facts.names
    capitals = _capitals(text, tokens)
    if within is not None:
        bounds = np.array(within, dtype=np.int64).reshape(-1, 2)
        firsts = np.searchsorted(capitals, np.searchsorted(tokens.starts, bounds[:, 0], "left"))
        lasts = np.searchsorted(capitals, np.searchsorted(tokens.ends, bounds[:, 1], "right"))
        capitals = np.concatenate([capitals[lo:hi] for lo, hi in
                                   zip(firsts.tolist(), lasts.tolist(), strict=True)])
    found: dict[str, tuple[int, int, int]] = {}
    seen: set[int] = set()  # hashes: a word's normal form is made once
    for k, start, end, word_hash in zip(capitals.tolist(), tokens.starts[capitals].tolist(),
                                        tokens.ends[capitals].tolist(),
                                        tokens.hashes[capitals].tolist(), strict=True):
        if word_hash not in seen:
            seen.add(word_hash)
            found[tokens.norm(k)] = (start, end, word_hash)
    if within is None:
        tokens.facts.names = found
    return found


def _vocabulary(tokens: Tokens) -> set[int]:
    """Hashes of a text's normalised words (kept with the tokens)."""
    facts = tokens.facts
    if facts.vocabulary is None:
        facts.vocabulary = set(tokens.hashes.tolist())
    return facts.vocabulary


def name_variants(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens,
                  pieces_a: list[tuple[int, int]], pieces_b: list[tuple[int, int]],
                  min_similarity: float) -> list[SpellingVariant]:
    """Capitalised words of unaligned text spelled like a name of the other version."""
    if not pieces_a and not pieces_b:
        return []
    variants = []
    for pieces, here, there, flip in (
        (pieces_b, (text_b, tokens_b), (text_a, tokens_a), False),
        (pieces_a, (text_a, tokens_a), (text_b, tokens_b), True),
    ):
        if not pieces:
            continue
        vocabulary_there = _vocabulary(there[1])
        candidates = [(norm, span) for norm, span in _names(*here, pieces).items()
                      if span[2] not in vocabulary_there and not norm.isdigit()]
        others = _names(*there)
        if not candidates or not others:
            continue
        other_items = list(others.items())
        # every candidate against every name of the other version at once;
        # zero where below the bar
        scores = process.cdist([norm for norm, _ in candidates],
                               [norm for norm, _ in other_items],
                               scorer=Levenshtein.normalized_similarity,
                               score_cutoff=min_similarity, dtype=np.float32)
        matched_rows: set[int] = set()  # each word takes the first name it resembles
        rows, columns = np.nonzero(scores)
        for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
            (norm, (start, end, _)) = candidates[row]
            other_norm, (o_start, o_end, _) = other_items[column]
            if min(len(norm), len(other_norm)) < 4 or other_norm.isdigit() \
                    or other_norm.startswith(norm) or norm.startswith(other_norm):
                continue  # Nigeria/Nigerian: a derived word, not a respelling
            if row in matched_rows or not is_spelling_variant(norm, other_norm):
                continue  # Tory/Tony: another word, not another spelling
            matched_rows.add(row)
            similarity = round(Levenshtein.normalized_similarity(norm, other_norm), 3)
            if flip:  # the unaligned word is on a's side
                variants.append(SpellingVariant(text_a[start:end], text_b[o_start:o_end], start,
                                                end, o_start, o_end, similarity))
            else:
                variants.append(SpellingVariant(text_a[o_start:o_end], text_b[start:end],
                                                o_start, o_end, start, end, similarity))
    return variants
