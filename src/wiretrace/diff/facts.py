"""Changes of meaning inside reused text: the facts a version changed.

From the word-level edits of a diff (:class:`~wiretrace.model.WordChange`),
picks those that change what is said rather than how it is written:

* ``number``: a figure, amount or date (1,500 -> 1,100; three -> four;
  Monday -> Tuesday);
* ``negation``: not, never, no, n't, without ... added or removed (the side
  without it has an empty span where it would be);
* ``opposite``: a word and its opposite (increase -> decrease, includes ->
  excludes, likely -> unlikely);
* ``modal``: another modal verb (will -> would, may -> must);
* ``name``: another person or organisation named in the same place
  (Smith -> Jones), not a spelling of the same name.

It reads only the few words of each edit, never the whole text, save to
tell a name from a common word when a capitalised word is the only clue: a
diff runs for every version of every story of a large run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from wiretrace.align.terms import STOP_WORDS
from wiretrace.diff.spelling import is_spelling_variant
from wiretrace.diff.wordlists import (
    CALENDAR_WORDS,
    MODALS,
    NUMBER_WORDS,
    TITLES,
    is_negation,
    is_opposite,
    modal_of,
)
from wiretrace.model import ChangedFact, WordChange
from wiretrace.text.tokens import normalise_word

__all__ = ["FACT_KINDS", "changed_facts", "describe"]

FACT_KINDS = ("number", "negation", "opposite", "modal", "name")

# A word, a figure with its separators (1,500; 2.5), or a contraction (didn't).
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
# A replacement longer than this on either side is a rewrite: its words are
# listed as word changes, but pairing them up would invent facts.
MAX_WORDS = 6
# Inserted or deleted words that can be a negation or a modal on their own.
_MAX_ONE_SIDED = 3
# Days that are dates in lowercase too (months and weekdays are capitalised).
_RELATIVE_DAYS = frozenset(("today", "yesterday", "tomorrow", "tonight"))
# Articles: "one" -> "a" is no changed figure.
_ARTICLES = frozenset(("a", "an", "the"))
# A prefix written as a separate token: "de-escalate", "non-binding".
_PREFIX_TOKENS = frozenset(("non", "de", "anti", "un", "dis"))
_SENTENCE_END = ".!?:;\n"
_CARDINALS = {w: k for k, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "mln": 1e6, "billion": 1e9,
           "bn": 1e9, "trillion": 1e12}
# Company forms and parts of names that are no name on their own (Co -> Inc).
_NOT_NAMES = STOP_WORDS | TITLES | frozenset("""
co corp inc ltd plc llc lp nv sa ag se spa bv bhd gmbh cos group holdings brothers
""".split())
# What a negation takes the place of when it turns a statement round
# (did -> didn't, a -> no, always -> never, with -> without, could -> cannot).
_AFFIRMATIVES = frozenset("""
a an the some any all every each always ever still already yes with both either
do does did is are was were be been has have had
""".split()) | MODALS
# A replacement's characters beyond which it cannot be a few words each side.
_MAX_CHARS = 120

Word = tuple[int, int, str]  # start, end, text


def _norm(word: str) -> str:
    return normalise_word(word).replace("’", "'")


def _words(text: str, start: int, end: int) -> list[Word]:
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, start, end)]


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """The span grown to whole figures: the word edit of 1,500 -> 1,100 is 500 -> 100."""
    if start >= end or not (text[start].isdigit() or text[end - 1].isdigit()):
        return start, end
    for m in _FIGURE.finditer(text, max(0, start - 40), min(len(text), end + 40)):
        if m.start() < end and m.end() > start:
            start, end = min(start, m.start()), max(end, m.end())
    return start, end


def _numberish(word: str, norm: str) -> bool:
    if any(ch.isdigit() for ch in word):
        return True
    if norm in NUMBER_WORDS or norm in _RELATIVE_DAYS:
        return True
    # may, march: months only when capitalised
    return norm in CALENDAR_WORDS and word[:1].isupper()


def _figure(word: str, norm: str) -> str:
    """What a figure says, separators aside (1,500 and 1500 are one figure)."""
    return re.sub(r"[.,]", "", norm) if any(ch.isdigit() for ch in word) else norm


def _value(norms: list[str]) -> float | None:
    """The amount a run of figure words gives (13.5 mln, two million), if any."""
    value = None
    for norm in norms:
        if norm in _SCALES:  # "mln" alone is a million: bn -> billion is no change
            value = _SCALES[norm] if value is None else value * _SCALES[norm]
        elif norm in _CARDINALS and value is None:
            value = float(_CARDINALS[norm])
        elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?", norm) and value is None:
            value = float(norm.replace(",", ""))
        else:
            return None
    return value


def _same_amount(norms_a: list[str], norms_b: list[str]) -> bool:
    """13,555,000 and 13.5 mln, 1 and one: the same amount written another way."""
    a, b = _value(norms_a), _value(norms_b)
    return a is not None and b is not None and abs(a - b) <= 0.01 * max(abs(a), abs(b))


def _sentence_start(text: str, start: int) -> bool:
    k = start - 1
    while k >= 0 and (text[k].isspace() or text[k] in "\"'“”‘’(«[") and text[k] != "\n":
        k -= 1
    return k < 0 or text[k] in _SENTENCE_END


def _proper(text: str, start: int, word: str) -> bool:
    """Whether a capitalised word names someone here: never written in lowercase in
    the text, and, at a sentence start, capitalised somewhere else as well."""
    if not word[:1].isupper():
        return False
    lower = word.lower()
    if lower != word and lower in text and \
            re.search(rf"(?<![^\W_]){re.escape(lower)}(?![^\W_])", text):
        return False
    if not _sentence_start(text, start):
        return True
    return any(m.start() != start and not _sentence_start(text, m.start())
               for m in re.finditer(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", text))


@lru_cache(maxsize=65536)
def _word_kind(word_a: str, word_b: str) -> str | None:
    """What replacing ``word_a`` by ``word_b`` changes, as far as the two words
    tell: a fact's kind, ``"name?"`` when only their context can tell, or None."""
    na, nb = _norm(word_a), _norm(word_b)
    if na == nb:
        return None
    neg_a, neg_b = is_negation(na), is_negation(nb)
    if neg_a != neg_b:
        other = nb if neg_a else na
        negation = na if neg_a else nb
        # "did" -> "didn't", "a" -> "no": a statement turned round, not two words
        return "negation" if other in _AFFIRMATIVES or negation.startswith(other) else None
    if is_opposite(na, nb):
        return "opposite"
    ma, mb = modal_of(na), modal_of(nb)
    if ma and mb:
        return "modal" if ma != mb else None
    if _numberish(word_a, na) and _numberish(word_b, nb):
        same = _figure(word_a, na) == _figure(word_b, nb) or _same_amount([na], [nb])
        return None if same else "number"
    if not (word_a[:1].isupper() and word_b[:1].isupper()) or min(len(na), len(nb)) < 2:
        return None
    if na in _NOT_NAMES or nb in _NOT_NAMES or na.startswith(nb) or nb.startswith(na):
        return None  # He/She, Gen./General, Co/Inc: no other person named
    if _numberish(word_a, na) or _numberish(word_b, nb) or is_spelling_variant(word_a, word_b):
        return None
    return "name?"


def _kind(text_a: str, wa: Word, text_b: str, wb: Word) -> str | None:
    """What changing word ``wa`` of a into ``wb`` of b changes, if a fact."""
    kind = _word_kind(wa[2], wb[2])
    if kind != "name?":
        return kind
    return "name" if _proper(text_a, wa[0], wa[2]) and _proper(text_b, wb[0], wb[2]) else None


def _fact(kind: str, text_a: str, a: tuple[int, int], text_b: str, b: tuple[int, int]
          ) -> ChangedFact:
    return ChangedFact(kind, text_a[a[0]:a[1]], text_b[b[0]:b[1]], a[0], a[1], b[0], b[1])


def _paired(text_a: str, words_a: list[Word], text_b: str, words_b: list[Word]
            ) -> list[ChangedFact]:
    """Facts of a replacement with as many words on each side, word by word;
    neighbours of one kind make one fact (John Smith -> Jane Jones)."""
    facts: list[ChangedFact] = []
    run: tuple[str, int, int] | None = None  # kind, first and last word
    kinds = [_kind(text_a, wa, text_b, wb) for wa, wb in zip(words_a, words_b, strict=True)]
    for k, kind in enumerate([*kinds, None]):
        if run is not None and kind != run[0]:
            first, last = run[1], run[2]
            facts.append(_fact(run[0], text_a, (words_a[first][0], words_a[last][1]),
                               text_b, (words_b[first][0], words_b[last][1])))
            run = None
        if kind is not None:
            run = (kind, k, k) if run is None else (kind, run[1], k)
    return facts


def _span(words: list[Word], keep: Iterable[int], whole: tuple[int, int]) -> tuple[int, int]:
    chosen = [words[k] for k in keep]
    return (chosen[0][0], chosen[-1][1]) if chosen else whole


def _related(norms_a: list[str], norms_b: list[str]) -> bool:
    """Whether the sides share a word or its stem (approved -> did not approve):
    else the replacement says something else altogether, not the same turned round."""
    stems_a = {n[:5] for n in norms_a if len(n) >= 3 and not is_negation(n)}
    return any(n[:5] in stems_a for n in norms_b if len(n) >= 3 and not is_negation(n))


def _unpaired(text_a: str, words_a: list[Word], span_a: tuple[int, int],
              text_b: str, words_b: list[Word], span_b: tuple[int, int]) -> list[ChangedFact]:
    """Facts of a replacement with more words on one side: at most one of each kind."""
    facts = []
    norms_a = [_norm(w[2]) for w in words_a]
    norms_b = [_norm(w[2]) for w in words_b]
    neg_a = [k for k, n in enumerate(norms_a) if is_negation(n)]
    neg_b = [k for k, n in enumerate(norms_b) if is_negation(n)]
    if len(neg_a) != len(neg_b) and _related(norms_a, norms_b):
        facts.append(_fact("negation", text_a, span_a, text_b, span_b))
    opposite = next(((i, j) for i, x in enumerate(norms_a) for j, y in enumerate(norms_b)
                     if is_opposite(x, y)), None)
    if opposite:
        i, j = opposite
        facts.append(_fact("opposite", text_a, words_a[i][:2], text_b, words_b[j][:2]))
    mod_a = [k for k, n in enumerate(norms_a) if modal_of(n)]
    mod_b = [k for k, n in enumerate(norms_b) if modal_of(n)]
    if mod_a and mod_b and [modal_of(norms_a[k]) for k in mod_a] != \
            [modal_of(norms_b[k]) for k in mod_b]:
        facts.append(_fact("modal", text_a, _span(words_a, mod_a, span_a),
                           text_b, _span(words_b, mod_b, span_b)))
    num_a = [k for k, w in enumerate(words_a) if _numberish(w[2], norms_a[k])]
    num_b = [k for k, w in enumerate(words_b) if _numberish(w[2], norms_b[k])]
    if num_a and num_b and [_figure(words_a[k][2], norms_a[k]) for k in num_a] != \
            [_figure(words_b[k][2], norms_b[k]) for k in num_b] and not _same_amount(
                [norms_a[k] for k in num_a], [norms_b[k] for k in num_b]):
        facts.append(_fact("number", text_a, _span(words_a, num_a, span_a),
                           text_b, _span(words_b, num_b, span_b)))
    return facts


def _one_sided(change: WordChange, text_a: str, text_b: str) -> list[ChangedFact]:
    """A negation inserted or deleted, or a prefix token (non-binding)."""
    inserted = change.op == "insert"
    text = text_b if inserted else text_a
    start, end = (change.b_start, change.b_end) if inserted else (change.a_start, change.a_end)
    words = _words(text, start, end)
    if not words or len(words) > _MAX_ONE_SIDED:
        return []
    norms = [_norm(w[2]) for w in words]
    if any(map(is_negation, norms)) and all(n in _AFFIRMATIVES or is_negation(n)
                                            for n in norms):
        kind = "negation"  # "not", "did not": not a new clause that holds a "no"
    elif len(words) == 1 and norms[0] in _PREFIX_TOKENS and text[end:end + 1] in "-‐":
        kind = "opposite"
    else:
        return []
    if inserted:
        return [_fact(kind, text_a, (change.a_start, change.a_start), text_b, (start, end))]
    return [_fact(kind, text_a, (start, end), text_b, (change.b_start, change.b_start))]


def changed_facts(text_a: str, text_b: str, changes: Iterable[WordChange]
                  ) -> list[ChangedFact]:
    """The changes of meaning among word changes between ``text_a`` and ``text_b``,
    in order on b, each once."""
    facts: list[ChangedFact] = []
    for change in changes:
        if change.op != "replace":
            facts += _one_sided(change, text_a, text_b)
            continue
        if max(change.a_end - change.a_start, change.b_end - change.b_start) > _MAX_CHARS:
            continue
        span_a = _widen(text_a, change.a_start, change.a_end)
        span_b = _widen(text_b, change.b_start, change.b_end)
        words_a, words_b = _words(text_a, *span_a), _words(text_b, *span_b)
        if not words_a or not words_b or max(len(words_a), len(words_b)) > MAX_WORDS:
            continue
        if len(words_a) == len(words_b):
            facts += _paired(text_a, words_a, text_b, words_b)
        else:
            facts += _unpaired(text_a, words_a, span_a, text_b, words_b, span_b)
    unique = {(f.kind, f.a_start, f.b_start): f for f in facts}
    return sorted(unique.values(), key=lambda f: (f.b_start, f.a_start))


def describe(fact: ChangedFact) -> str:
    """A fact in a few words on one line: ``1,500 -> 1,100``, ``"not" added``."""
    a, b = _short(fact.a_text), _short(fact.b_text)
    if not a:
        return f'"{b}" added'
    if not b:
        return f'"{a}" removed'
    return f"{a} -> {b}"


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
