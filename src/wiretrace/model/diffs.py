"""What one version changed against another: changes, word changes, spelling
variants and changed facts, gathered in a :class:`Diff`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from wiretrace.model.attributions import Credit, CreditChange
from wiretrace.model.passages import Passage


@dataclass(frozen=True, slots=True)
class WordChange:
    """One word-level edit inside a reworded passage (``a`` = the diff's a side)."""

    op: str  # "replace", "insert" or "delete"
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_text: str
    b_text: str


@dataclass(slots=True)
class Change:
    """One difference between two versions of a story.

    ``kind`` is ``added`` (only in b), ``dropped`` (only in a), ``reworded``
    (aligned, with word changes inside) or ``moved`` (aligned, but in another
    order).  Offsets on the side a change does not exist on are ``None``.
    """

    kind: str
    a_start: int | None
    a_end: int | None
    b_start: int | None
    b_end: int | None
    a_text: str
    b_text: str
    word_changes: list[WordChange] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "a_start": self.a_start, "a_end": self.a_end,
                "b_start": self.b_start, "b_end": self.b_end, "a_text": self.a_text,
                "b_text": self.b_text,
                "word_changes": [{"op": w.op, "a_start": w.a_start, "a_end": w.a_end,
                                  "b_start": w.b_start, "b_end": w.b_end, "a_text": w.a_text,
                                  "b_text": w.b_text} for w in self.word_changes]}


@dataclass(frozen=True, slots=True)
class SpellingVariant:
    """The same name or word spelled differently in the two versions."""

    a_form: str
    b_form: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    similarity: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ChangedFact:
    """A change of meaning inside reused text, not of spelling.

    ``kind``: ``number`` (a figure, amount or date), ``negation`` (not, never,
    no ... added or removed), ``opposite`` (increase/decrease, includes/excludes),
    ``modal`` (will/would/could/may) or ``name`` (another person or
    organisation named).  Offsets into each side's text; the side where the
    change has no text (a negation added) has an empty span at the place.
    """

    kind: str
    a_text: str
    b_text: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class Diff:
    """What version ``b`` changed against ``a``.

    In a story, ``a`` is the version's base (:func:`wiretrace.stories.build.diff_base`):
    the origin, or the version's main source when the origin is not among its
    sources.
    """

    story: str | None
    a: str
    b: str
    a_shared: float  # share of a's characters covered by passages with b
    b_shared: float
    changes: list[Change] = field(default_factory=list)
    spelling_variants: list[SpellingVariant] = field(default_factory=list)
    changed_facts: list[ChangedFact] = field(default_factory=list)
    # entities credited in b and not in a, and the other way round; credits
    # moved to another source or cut, and altered quotes (diff/credits.py)
    credits_added: list[Credit] = field(default_factory=list)
    credits_dropped: list[Credit] = field(default_factory=list)
    credits_changed: list[CreditChange] = field(default_factory=list)
    summary: str = ""
    # The aligned passages the diff was computed from (a = this diff's a);
    # they are written to passages.jsonl, not repeated in diffs.jsonl.
    passages: list[Passage] = field(default_factory=list)

    def changes_of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    def _repr_html_(self) -> str:  # a notebook's display: what b changed
        from wiretrace.output.notebook import diff_html

        return diff_html(self)

    def to_dict(self) -> dict:
        return {
            "story": self.story,
            "a": self.a,
            "b": self.b,
            "a_shared": round(self.a_shared, 4),
            "b_shared": round(self.b_shared, 4),
            "summary": self.summary,
            "changes": [c.to_dict() for c in self.changes],
            "spelling_variants": [v.to_dict() for v in self.spelling_variants],
            "changed_facts": [f.to_dict() for f in self.changed_facts],
            "credits_added": [c.to_dict() for c in self.credits_added],
            "credits_dropped": [c.to_dict() for c in self.credits_dropped],
            "credits_changed": [c.to_dict() for c in self.credits_changed],
        }
