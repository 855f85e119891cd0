"""Tokens of a text and what the attribution tagger sees of each.

One tokeniser serves training, tagging and scoring, so a span is the same
run of tokens everywhere.  A token's features are plain strings
(``"w=said"``), the form CRFsuite reads fastest.

What the tagger needs beyond the word itself, and why:
- **quote state**: whether a token sits inside quotation marks, and which
  mark opened them.  A direct quote is Content, and its edges are the marks.
- **cue context**: whether a cue word (learned from the training data: the
  words that are a Cue more often than not) comes before or after the token
  in its sentence, and how far.  Content sits on one side of the cue and
  Source on the other ("X said Y" / "Y, X said").
- **sentence and paragraph edges**: Content runs to a sentence's end; a
  quote may run on into the next paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# Abbreviations keep their dot, so that a sentence ends only at a real stop.
ABBREVIATIONS = ("Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Adm|Prof|Rev|St|Jr|Sr|Inc|Corp"
                 "|Co|Ltd|Bros|No|vs|etc|Jan|Feb|Aug|Sept|Sep|Oct|Nov|Dec|Ariz|Calif|Colo"
                 "|Conn|Fla|Ga|Ill|Ind|Kan|Ky|La|Md|Mass|Mich|Minn|Miss|Mo|Neb|Nev|Okla|Ore"
                 "|Pa|Tenn|Tex|Va|Vt|Wash|Wis|Wyo")
TOKEN = re.compile(rf"\b(?:{ABBREVIATIONS})\.(?!\w)|[^\W_]+(?:\.[^\W_]+)+\.?"
                   r"|\b[A-Z]\.(?=\s*[A-Z])|[^\W_]+(?:[-'’&][^\W_]+)*|\S")
OPENING_QUOTES = {"“": "curly", "‘": "curly1", "«": "angle", "„": "low"}
CLOSING_QUOTES = {"”": "curly", "’": "curly1", "»": "angle", "“": "low"}
SENTENCE_END = {".", "!", "?"}
# A paragraph ends at a blank line or at a line that opens indented; a single
# line break inside a paragraph is a wrap (the wire's lines of 65 characters),
# read as a space, or every wrapped sentence would be cut in two.
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n|\n[ \t]+")
CLOSING_MARKS = {"”", "’", "»", '"'}
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "his", "her", "their", "its"}


@dataclass(slots=True)
class Tokens:
    """A text's tokens: character offsets, and the sentence each opens or sits in."""

    text: str
    starts: np.ndarray
    ends: np.ndarray
    sentence: np.ndarray  # sentence number of each token
    paragraph_start: np.ndarray  # bool: first token after a blank or new line

    def __len__(self) -> int:
        return len(self.starts)

    def word(self, i: int) -> str:
        return self.text[self.starts[i]:self.ends[i]]

    def slice(self, start: int, end: int) -> Tokens:
        """Tokens ``start:end``, offsets still into the whole text."""
        return Tokens(self.text, self.starts[start:end], self.ends[start:end],
                      self.sentence[start:end], self.paragraph_start[start:end])


def tokenize(text: str) -> Tokens:
    spans = [(m.start(), m.end()) for m in TOKEN.finditer(text)]
    starts = np.array([s for s, _ in spans], dtype=np.int64)
    ends = np.array([e for _, e in spans], dtype=np.int64)
    sentence = np.zeros(len(spans), dtype=np.int64)
    paragraph = np.zeros(len(spans), dtype=bool)
    number = 0
    previous_end = 0
    for i, (start, end) in enumerate(spans):
        gap = text[previous_end:start]
        if "\n" in gap and PARAGRAPH_BREAK.search(gap):
            paragraph[i] = True
            if i:
                number += 1
        elif i and text[spans[i - 1][0]:spans[i - 1][1]] in SENTENCE_END \
                and (text[start].isupper() or text[start] in OPENING_QUOTES or text[start] == '"'):
            number += 1
        elif i and i >= 2 and text[spans[i - 1][0]:spans[i - 1][1]] in CLOSING_MARKS \
                and text[spans[i - 2][0]:spans[i - 2][1]] in SENTENCE_END and text[start].isupper():
            number += 1
        sentence[i] = number
        previous_end = end
    return Tokens(text, starts, ends, sentence, paragraph)


def _shape(word: str) -> str:
    if word.isdigit():
        return "d"
    if word.isupper() and len(word) > 1:
        return "X"
    if word[:1].isupper():
        return "Xx"
    if word[:1].isalpha():
        return "x"
    return "p"


def quote_depth(tokens: Tokens, words: list[str] | None = None) -> list[int]:
    """1 inside quotation marks (marks included), else 0; a straight ``"`` toggles.

    A quote left open closes at the end of its paragraph unless the next
    paragraph opens with a mark again (the news convention for a quote that
    runs on)."""
    words = words if words is not None else [tokens.word(i) for i in range(len(tokens))]
    paragraph_start = tokens.paragraph_start.tolist()
    inside = [0] * len(tokens)
    open_mark = None
    for i, word in enumerate(words):
        if paragraph_start[i] and open_mark is not None \
                and word not in OPENING_QUOTES and word != '"':
            open_mark = None
        if open_mark is None:
            if word in OPENING_QUOTES or word == '"':
                open_mark = word
                inside[i] = 1
        else:
            inside[i] = 1
            # a mark closes the quote its partner opened: “ closes „ but not “
            if CLOSING_QUOTES.get(word, "") == OPENING_QUOTES.get(open_mark, None) \
                    or word == '"' and open_mark == '"':
                open_mark = None
    return inside


# feature strings that depend on one word or a small number, made once: the
# tagger is the slowest stage on wire copy, and building strings was half of it
CUE_FLAG = ("cue=0", "cue=1")
QUOTE_FLAG = ("q=0", "q=1")
BUCKETS = ("none", "0", "1", "2", "3", "near", "far")
BEFORE = {b: f"cb={b}" for b in BUCKETS}
AFTER = {b: f"ca={b}" for b in BUCKETS}
SIDES = ("nocue", "before", "after", "between", "at")
SIDE = {side: f"side={side}" for side in SIDES}
SIDE_QUOTED = {(side, q, quoted): f"side_q={side}|{q}|{int(quoted)}"
               for side in SIDES for q in (0, 1) for quoted in (False, True)}
POSITION = [f"pos={k}" for k in range(7)]
LEFT = [f"left={k}" for k in range(7)]
WINDOW_QUOTE = {off: (f"q{off}=0", f"q{off}=1") for off in (-2, -1, 1, 2)}
WINDOW_CUE = {off: f"cue{off}" for off in (-2, -1, 1, 2)}
WINDOW_EDGE = {off: f"w{off}=<edge>" for off in (-2, -1, 1, 2)}


def _bucket(distance: int) -> str:
    """How far a cue word is: none, 0-3 tokens, near (up to 8) or far."""
    if distance < 0:
        return "none"
    return BUCKETS[distance + 1] if distance <= 3 else ("near" if distance <= 8 else "far")


@lru_cache(maxsize=200_000)
def _word_features(word: str, lower: str, shape: str) -> tuple[str, ...]:
    found = [f"w={lower}", f"shape={shape}", f"suf={lower[-3:]}"]
    if word in OPENING_QUOTES or word in CLOSING_QUOTES or word == '"':
        found.append("quote_mark")
    if lower in PRONOUNS:
        found.append("pronoun")
    return tuple(found)


@lru_cache(maxsize=400_000)
def _window(offset: int, lower: str) -> str:
    return f"w{offset}={lower}"


def token_features(tokens: Tokens, cue_words: frozenset[str]) -> list[list[str]]:
    """The features of every token, a list of strings per token."""
    n = len(tokens)
    text = tokens.text
    words = [text[s:e] for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist(), strict=True)]
    lower = [w.lower() for w in words]
    inside = quote_depth(tokens, words)
    is_cue = [w in cue_words for w in lower]
    sentence = tokens.sentence.tolist()  # plain ints: numpy scalars are slow one by one
    paragraph_start = tokens.paragraph_start.tolist()
    # per token: distance to the nearest cue word before and after it in its sentence
    before = [-1] * n
    last = -1
    for i in range(n):
        if i and sentence[i] != sentence[i - 1]:
            last = -1
        before[i] = i - last if last >= 0 else -1
        if is_cue[i]:
            last = i
    after = [-1] * n
    nxt = -1
    for i in range(n - 1, -1, -1):
        if i < n - 1 and sentence[i] != sentence[i + 1]:
            nxt = -1
        after[i] = nxt - i if nxt >= 0 else -1
        if is_cue[i]:
            nxt = i
    sentence_first = [i == 0 or sentence[i] != sentence[i - 1] for i in range(n)]
    position = [0] * n
    for i in range(1, n):
        position[i] = 0 if sentence_first[i] else position[i - 1] + 1

    # per sentence: its first and last cue word, so a token knows its side of the cue
    first_cue: dict[int, int] = {}
    last_cue: dict[int, int] = {}
    quoted: set[int] = set()
    for i in range(n):
        if is_cue[i]:
            first_cue.setdefault(sentence[i], i)
            last_cue[sentence[i]] = i
        if inside[i]:
            quoted.add(sentence[i])
    remaining = [0] * n
    for i in range(n - 2, -1, -1):
        remaining[i] = 0 if sentence[i] != sentence[i + 1] else remaining[i + 1] + 1

    shapes = [_shape(w) for w in words]
    features = []
    for i in range(n):
        s = sentence[i]
        side = ("nocue" if s not in first_cue else "before" if i < first_cue[s]
                else "after" if i > last_cue[s] else "between" if first_cue[s] < i < last_cue[s]
                else "at")
        w, lw, q = words[i], lower[i], inside[i]
        f = [*_word_features(w, lw, shapes[i]), QUOTE_FLAG[q], CUE_FLAG[is_cue[i]],
             BEFORE[_bucket(before[i])], AFTER[_bucket(after[i])],
             POSITION[min(position[i], 6)], SIDE[side], SIDE_QUOTED[(side, q, s in quoted)],
             LEFT[min(remaining[i], 6)]]
        if i and shapes[i - 1] == "Xx" and shapes[i] == "Xx":
            f.append("name_run")
        if sentence_first[i]:
            f.append("sent_first")
        if paragraph_start[i]:
            f.append("para_first")
        if i == n - 1 or sentence[i + 1] != sentence[i]:
            f.append("sent_last")
        for off in (-2, -1, 1, 2):
            j = i + off
            if 0 <= j < n:
                f.append(_window(off, lower[j]))
                f.append(WINDOW_QUOTE[off][inside[j]])
                if is_cue[j]:
                    f.append(WINDOW_CUE[off])
            else:
                f.append(WINDOW_EDGE[off])
        if i > 0:
            f.append(f"bi-1={lower[i - 1]}|{lw}")
        if i < n - 1:
            f.append(f"bi+1={lw}|{lower[i + 1]}")
        features.append(f)
    return features
