"""Filling a frame: a templated item made from a real Reuters item (a *base*,
``frames``) with other names, figures, tickers and dates in its slots, and the
correction of one figure in an item already sent.

One item fills a slot value the same way wherever it occurs (a company named
twice, a dividend "35 cts vs 35 cts" unchanged, the title's figure and the
body's).  Names come from the names the family's own items carry in that
place when it has enough of them (other states of a rig count, other lead
managers), else from the name runs of all Reuters items of the same length and
kind (a company's "Inc", "Corp" ... kept); figures are real figures of the same
shape (``2,585,000``, ``9-5/8``); a series issue takes the days of its own date.
"""

from __future__ import annotations

import re
import time

import numpy as np

from .frames import DATE_WORDS, MONTHS, SUFFIXES, TOKEN, WEEKDAYS, name_bucket, shape

_YEAR = re.compile(r"(19[5-9]\d|20[0-3]\d)")
_FAMILY_POOL = 8  # a family's own names are used once it has this many
_FULL = frozenset(w.lower() for w in (*MONTHS, *WEEKDAYS))


def _digits(value: str, rng: np.random.Generator) -> str:
    """Random digits in the shape of ``value`` (a leading digit stays non-zero)."""
    out = []
    for k, ch in enumerate(value):
        if ch.isdigit():
            lead = (k == 0 or not value[k - 1].isdigit()) and ch != "0"
            out.append(str(int(rng.integers(1 if lead else 0, 10))))
        else:
            out.append(ch)
    return "".join(out)


def _styled(word: str, like: str) -> str:
    """A month or weekday written as ``like`` is (full or short, its case)."""
    if like.lower() not in _FULL:
        word = word[:3]
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word


class Filler:
    """Fills the slots of one item consistently; ``when`` is its date (a series issue
    names the days of that date; a one-off item other random days)."""

    def __init__(self, state: dict, family: int, rng: np.random.Generator, when: int,
                 series: bool) -> None:
        self.state, self.rng, self.series = state, rng, series
        self.family_names = state["families"][family]["names"]
        self.date = time.gmtime(when - int(rng.integers(0, 4)) * 86400)
        self.year_shift = 0 if series else int(rng.integers(-2, 6))
        self.done: dict[tuple[str, str], str] = {}

    def _name(self, value: str) -> str:
        pool = self.family_names
        if len(pool) < _FAMILY_POOL or self.rng.random() < 0.3:
            pool = self.state["name_pool"].get(name_bucket(value)) \
                or self.state["name_pool"]["2"]
        for _ in range(8):
            got = pool[int(self.rng.integers(len(pool)))]
            if got != value:
                break
        return got.upper() if value.isupper() and len(value) > 1 else got

    def _figure(self, value: str, after_month: bool) -> str:
        if after_month and value.isdigit() and int(value) <= 31:
            return str(self.date.tm_mday if self.series else int(self.rng.integers(1, 29)))
        if _YEAR.fullmatch(value):
            return str(int(value) + self.year_shift)
        pool = self.state["figure_pool"].get(shape(value), ())
        for _ in range(8):
            got = pool[int(self.rng.integers(len(pool)))] if len(pool) >= 5 \
                else _digits(value, self.rng)
            if sum(ch.isdigit() for ch in got) >= 4:
                # a real figure's size, not the figure itself: the real item that
                # carries it in the same frame is in the material
                digits = [k for k, ch in enumerate(got) if ch.isdigit()][-2:]
                chars = list(got)
                for k in digits:
                    chars[k] = str(int(self.rng.integers(10)))
                got = "".join(chars)
            if got != value:
                return got
        return _digits(value, self.rng)

    def _date_word(self, value: str) -> str:
        kind, _ = DATE_WORDS[value.lower()]
        if kind == "M":
            month = self.date.tm_mon - 1 if self.series else int(self.rng.integers(12))
            return _styled(MONTHS[month], value)
        day = self.date.tm_wday if self.series else int(self.rng.integers(5))
        return _styled(WEEKDAYS[day], value)

    def value(self, kind: str, text: str, after_month: bool = False) -> str:
        key = ("d" if after_month and kind == "#" else kind, text.lower())
        if key not in self.done:
            if kind == "N":
                got = self._name(text)
            elif kind == "#":
                got = self._figure(text, after_month)
            elif kind == "T":
                pool = self.state["ticker_pool"]
                got = pool[int(self.rng.integers(len(pool)))]
            else:
                got = self._date_word(text)
            self.done[key] = got
        return self.done[key]

    def paragraph(self, pieces: list[tuple]) -> str:
        out = []
        last = ""  # kind of the previous piece, "" after any text but a space
        for piece in pieces:
            kind, text = piece[0], piece[1]
            if not kind:
                out.append(text)
                last = last if text == " " else ""
                continue
            if kind == "n":  # a title's short form of a body name
                full = self.value("N", piece[2]).split()
                while len(full) > 1 and full[-1].rstrip(".") in SUFFIXES \
                        and text.split()[-1].rstrip(".") not in SUFFIXES:
                    full.pop()
                out.append(" ".join(full))
            else:
                out.append(self.value(kind, text, after_month=last == "M"))
            last = kind
        return "".join(out)


def fill(state: dict, base: int, rng: np.random.Generator, when: int) -> list[str]:
    """Title and body paragraphs of a new item on ``base``'s frame, dated ``when``."""
    family = int(state["base_family"][base])
    series = bool(state["families"][family]["series"])
    filler = Filler(state, family, rng, when, series)
    title, *body = state["bases"][base]
    paras = [filler.paragraph(p) for p in body]  # the body first: the title ties to it
    return [filler.paragraph(title), *paras]


def correct(paras: list[str], rng: np.random.Generator) -> tuple[int, str] | None:
    """(paragraph, its corrected text): one figure of a body paragraph of at least six
    words put right, as a wire re-sends an item; None when no paragraph has one."""
    spots = [(k, m.start(), m.end()) for k, p in enumerate(paras) if k and len(p.split()) >= 6
             for m in TOKEN.finditer(p) if m.group()[0].isdigit()]
    if not spots:
        return None
    k, a, b = spots[int(rng.integers(len(spots)))]
    old = paras[k][a:b]
    new = _digits(old, rng)
    while new == old:
        new = _digits(old, rng)
    return k, paras[k][:a] + new + paras[k][b:]
