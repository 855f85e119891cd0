"""The tunable parameters of a run, declared and validated in one place.

Like scikit-learn estimators, every knob has a documented default chosen for
news text, and a bad value fails at once with a message that names it.  Each
field of :class:`TraceParams` carries a :class:`Knob`: its help text and the
values it takes.  Validation, the command line's options (their help, type
and metavar) and ``TraceParams.describe`` all read it, so a parameter is
declared once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Knob:
    """What one parameter is: its help text and the values it takes.

    ``kind``: ``int`` or ``float`` (an ``int`` is accepted for a float);
    ``low``/``high``: the bounds, ``low_open``: ``low`` itself is refused;
    ``auto``: ``None`` is allowed, and the run picks the value (said in ``help``).
    """

    help: str
    kind: type
    low: float
    high: float = math.inf
    low_open: bool = False
    auto: bool = False

    def accepts(self, value: Any) -> bool:
        if value is None:
            return self.auto
        if isinstance(value, bool) or not isinstance(value, (int, float) if self.kind is float
                                                     else int):
            return False
        if not math.isfinite(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high

    def describe(self) -> str:
        """The values taken, in words: "a positive integer", "in (0, 1]"."""
        if self.kind is int:
            words = ("a positive integer" if self.low == 1 else
                     "a non-negative integer" if self.low == 0 else
                     f"an integer >= {self.low:g}")
        elif math.isinf(self.high):
            words = "a non-negative number" if self.low == 0 and not self.low_open else \
                f"a number {'>' if self.low_open else '>='} {self.low:g}"
        else:
            words = f"in {'(' if self.low_open else '['}{self.low:g}, {self.high:g}]"
        return f"None or {words}" if self.auto else words

    def check(self, name: str, value: Any) -> None:
        if not self.accepts(value):
            raise ValueError(f"{name} must be {self.describe()}, got {value!r}")


def _knob(default: Any, help: str, kind: type, low: float, **bounds: Any) -> Any:
    """A dataclass field with its :class:`Knob` in the metadata."""
    return field(default=default, metadata={"knob": Knob(help, kind, low, **bounds)})


@dataclass(frozen=True, slots=True)
class TraceParams:
    """Parameters of candidate search, alignment and story building (each one's
    help text: ``TraceParams.knob(name).help``, or ``wiretrace trace --help``)."""

    seed_ngram: int = _knob(
        5, "words per n-gram used to find candidate pairs across the corpus.", int, 1)
    max_df: int | None = _knob(
        None, "an n-gram found in more articles than this is treated as boilerplate "
        '("Follow us on ...") and never seeds a candidate pair; None (auto) picks 5% of '
        "the corpus, clamped to [10, 100].", int, 2, auto=True)
    min_shared_seeds: int = _knob(
        4, "distinct shared n-grams a pair needs to be aligned (4 five-word n-grams: about "
        "eight words of identical wording); pairs that share fewer are wire templates and "
        "stock phrases far more often than reuse (measured on Reuters + BBC: 9% of such "
        "pairs align at all).", int, 1)
    lsh_threshold: float = _knob(
        0.7, "approximate Jaccard similarity at which MinHash LSH proposes whole-document "
        "near-duplicates (catches copies of stories so popular their n-grams exceed "
        "max_df).", float, 0.0, high=1.0, low_open=True)
    max_earlier_candidates: int = _knob(
        200, "an article is aligned with at most this many earlier articles among its "
        "candidates, the earliest (in input order): a story re-published by 5,000 outlets "
        "would otherwise align every pair of its versions (12.5 million pairs); its versions "
        "still meet the story's first ones.  200 is above every article of the real archive "
        "(at most 127) and of the generated corpus of 100,000 (at most 150).", int, 1)
    num_perm: int = _knob(128, "MinHash permutations.", int, 1)
    anchor_ngram: int = _knob(3, "words per exact match used to anchor an alignment.", int, 1)
    max_gap: int = _knob(
        12, "most unmatched words allowed between two anchors of one passage (on either "
        "side); larger gaps start a new passage.", int, 0)
    min_passage_words: int = _knob(
        14, "passages with fewer matched words are dropped.", int, 1)
    min_passage_chars: int = _knob(
        40, "passages shorter than this (on either side) are dropped.", int, 0)
    sentence_similarity: float = _knob(
        0.33, "two sentences seed a reworded passage when both their tf-idf cosine and "
        "their Dice coefficient over content words reach this; 1.0 turns sentence seeding "
        "off (exact wording only).", float, 0.0, high=1.0, low_open=True)
    max_sentence_gap: int = _knob(
        4, "sentences without a seed that a reworded passage may span on either side.",
        int, 0)
    min_reworded_chars: int = _knob(
        150, "a passage found only by sentence similarity (no exact wording in it) must be "
        "at least this long on both sides.", int, 0)
    story_min_share: float = _knob(
        0.2, "two articles join one story only if the words their passages match are at "
        "least this share of the shorter one's words (a weak link, such as one common "
        "sentence in two long articles, or a loose paraphrase of background, does not join "
        "stories).", float, 0.0, high=1.0, low_open=True)
    spelling_min_similarity: float = _knob(
        0.75, "normalised edit similarity (0-1) at which two differing words count as "
        "spelling variants of each other.", float, 0.0, high=1.0, low_open=True)
    close_in_time_days: float = _knob(
        1.5, "versions of one story are close in time: when both articles of a pair are "
        "dated and further apart than this many days, only passages whose names and "
        "figures agree count towards their link (wiretrace.stories.links.agrees): next week's "
        "report in the same frame is another event, a follow-up that reuses the "
        "background of one episode keeps its names.", float, 0.0)
    story_cohesion: float = _knob(
        0.3, "two parts of a connected group of linked articles make one story only when "
        "the links between them are at least this share of the pairs they could form "
        "(average linkage, see wiretrace.stories.links): an article joins a story through links "
        "to a good share of its members, not through any path.", float, 0.0, high=1.0,
        low_open=True)

    def __post_init__(self) -> None:
        for f in fields(self):
            f.metadata["knob"].check(f.name, getattr(self, f.name))

    def effective_max_df(self, n_articles: int) -> int:
        if self.max_df is not None:
            return self.max_df
        return int(min(100, max(10, 0.05 * n_articles)))

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def knob(cls, name: str) -> Knob:
        """The declaration of parameter ``name``: help text and values taken."""
        for f in fields(cls):
            if f.name == name:
                return f.metadata["knob"]
        raise KeyError(name)
