"""The one data model shared by every stage.

Every result that points into text does so with a pair of character offsets
into the *original* article text (``text[start:end]``), never into a
normalised copy, so any passage, change or variant can be highlighted where a
reader sees it.  All records are plain dataclasses with a ``to_dict`` that
gives the JSON row written to the output files.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, overload

import numpy as np


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as read from the input."""

    id: str
    text: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: datetime | None = None
    read_from: str | None = None  # where it was read from: "file" or "file:line"

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "chars": len(self.text),
            "read_from": self.read_from,
        }


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input record that could not be used, and why."""

    source: str  # file the record came from
    location: str | None  # line / row number, or None for a whole file
    record_id: str | None  # the record's id when it could be read
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class FieldWarning:
    """An optional field (title, outlet, url, published) that could not be used: the
    article was kept with that field empty (None), and this says where and why."""

    source: str  # file the record came from
    location: str | None  # line / row number, or None for a whole file
    record_id: str | None  # the article's id
    field: str  # the article attribute left empty: "published", "title", "outlet", "url"
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Passage:
    """A reused passage: ``a[a_start:a_end]`` aligned with ``b[b_start:b_end]``.

    ``score`` is the share of the passage's words that match exactly on both
    sides (1.0 for a verbatim copy); ``matched_words`` counts them.

    ``kind`` says what the match is (:data:`PASSAGE_KINDS`): ``reuse`` (the
    same reporting), ``template`` (the same frame with other names, figures or
    dates in its slots: two reports of different events) or ``boilerplate``
    (stock wording recurring across the corpus).  Only ``reuse`` links
    articles into stories; the others are kept so that a user can audit them.
    ``slots_kept``/``slots_changed`` are the evidence: names and figures the
    two sides share in place, and those one side fills with others
    (:mod:`wiretrace.align.templates`).

    The fields are those of :data:`PASSAGE_FIELDS` with a table type, in its
    order (tests/test_passage_fields.py holds them together).
    """

    a: str
    a_start: int
    a_end: int
    b: str
    b_start: int
    b_end: int
    score: float
    matched_words: int
    kind: str = "reuse"
    slots_kept: int = 0
    slots_changed: int = 0

    def swapped(self) -> Passage:
        return Passage(self.b, self.b_start, self.b_end, self.a, self.a_start,
                       self.a_end, self.score, self.matched_words, self.kind, self.slots_kept,
                       self.slots_changed)

    def to_dict(self) -> dict:
        # spelled out: ``asdict`` deep-copies, which is most of writing a large run
        return {"a": self.a, "a_start": self.a_start, "a_end": self.a_end, "b": self.b,
                "b_start": self.b_start, "b_end": self.b_end, "score": self.score,
                "matched_words": self.matched_words, "kind": self.kind,
                "slots_kept": self.slots_kept, "slots_changed": self.slots_changed}



# What an aligned passage is, by the code a NumPy record stores (``kind``).
PASSAGE_KINDS = ("reuse", "template", "boilerplate")
KIND_CODE = {kind: code for code, kind in enumerate(PASSAGE_KINDS)}


class PassageField(NamedTuple):
    """One field of a passage, in every form a passage takes.

    ``name`` is the :class:`Passage` attribute, the key of the JSON row
    (``passages.jsonl``, the HTTP API) and the Parquet column alike.
    """

    name: str
    python: Any  # the value's type in a Passage and in a JSON row
    table: Any  # NumPy type in PASSAGE_DTYPE; None: the row's text, not a Passage field
    stored: str | None  # NumPy type in the index's packed record; None: not in it
    arrow: str  # pyarrow type of the Parquet column (the pyarrow function's name)
    default: Any = ...  # of a Passage and the API's PassageOut; ``...``: none (required)
    help: str = ""  # the API's description of the field ("": none)


# A passage's fields, in the order of its JSON row.  What is derived from it:
# PASSAGE_DTYPE, the index's PASSAGE_RECORD (index/store.py), the Parquet schema
# (output/files.py) and the API's PassageOut (server/schemas.py);
# tests/test_passage_fields.py checks the forms written out by hand (Passage,
# its to_dict, the fast JSON line, the packed record's struct) against it.
# The ids: a table holds them as numbers into its ``ids``, the index as the pair
# row's docs (so the packed record has no field for them).
PASSAGE_FIELDS = (
    PassageField("a", str, np.int32, None, "string"),
    PassageField("a_start", int, np.int64, "<i4", "int64"),
    PassageField("a_end", int, np.int64, "<i4", "int64"),
    PassageField("b", str, np.int32, None, "string"),
    PassageField("b_start", int, np.int64, "<i4", "int64"),
    PassageField("b_end", int, np.int64, "<i4", "int64"),
    PassageField("score", float, np.float64, "<f8", "float64",
                 help="share of the passage's words matching exactly"),
    PassageField("matched_words", int, np.int64, "<i4", "int64"),
    PassageField("kind", str, np.int8, "<i1", "string", "reuse",  # by KIND_CODE in arrays
                 help="reuse, template (the same frame with other names or figures) or "
                      "boilerplate; only reuse links stories"),
    PassageField("slots_kept", int, np.int32, "<i4", "int64", 0,
                 help="names and figures both sides share in place"),
    PassageField("slots_changed", int, np.int32, "<i4", "int64", 0,
                 help="names and figures one side fills with others"),
    # the written row's own: found from the two articles' texts
    PassageField("evidence", str | None, None, None, "string", None,
                 help="why a passage is not reuse: the slots it fills anew, or stock "
                      "wording; null for reuse"),
    PassageField("a_text", str, None, None, "string"),
    PassageField("b_text", str, None, None, "string"),
)
_ARTICLE_FIELDS = ("a", "b")

# One passage as a NumPy record: articles by number, not by id, and first (the
# pair's key; the pipeline builds rows in this order).
PASSAGE_DTYPE = np.dtype(
    [(f.name, f.table) for f in PASSAGE_FIELDS if f.name in _ARTICLE_FIELDS]
    + [(f.name, f.table) for f in PASSAGE_FIELDS
       if f.table is not None and f.name not in _ARTICLE_FIELDS])


class PassageTable(Sequence[Passage]):
    """Many passages as one NumPy record array, articles by number into ``ids``.

    What a large run keeps instead of millions of :class:`Passage` objects;
    indexing and iterating still give :class:`Passage` objects, so code that
    reads a list of passages reads this too.
    """

    def __init__(self, rows: np.ndarray, ids: Sequence[str]) -> None:
        self.rows = rows
        self.ids = ids
        self._pair_index: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def from_passages(cls, passages: Iterable[Passage], ids: Sequence[str]) -> PassageTable:
        number = {article_id: k for k, article_id in enumerate(ids)}
        rows = [(number[p.a], number[p.b], p.a_start, p.a_end, p.b_start, p.b_end, p.score,
                 p.matched_words, KIND_CODE[p.kind], p.slots_kept, p.slots_changed)
                for p in passages]
        return cls(np.array(rows, dtype=PASSAGE_DTYPE), ids)

    @classmethod
    def concat(cls, tables: Sequence[np.ndarray], ids: Sequence[str]) -> PassageTable:
        rows = np.concatenate(tables) if len(tables) else np.empty(0, dtype=PASSAGE_DTYPE)
        return cls(rows, ids)

    def __len__(self) -> int:
        return len(self.rows)

    def _passage(self, row: np.void) -> Passage:
        return Passage(self.ids[int(row["a"])], int(row["a_start"]), int(row["a_end"]),
                       self.ids[int(row["b"])], int(row["b_start"]), int(row["b_end"]),
                       float(row["score"]), int(row["matched_words"]),
                       PASSAGE_KINDS[int(row["kind"])], int(row["slots_kept"]),
                       int(row["slots_changed"]))

    @overload
    def __getitem__(self, index: int) -> Passage: ...

    @overload
    def __getitem__(self, index: slice) -> list[Passage]: ...

    def __getitem__(self, index: int | slice) -> Passage | list[Passage]:
        if isinstance(index, slice):
            return [self._passage(row) for row in self.rows[index]]
        return self._passage(self.rows[index])

    def __iter__(self) -> Iterator[Passage]:
        ids = self.ids
        for a, b, a_start, a_end, b_start, b_end, score, matched, kind, kept, changed \
                in self.rows.tolist():
            yield Passage(ids[a], a_start, a_end, ids[b], b_start, b_end, score, matched,
                          PASSAGE_KINDS[kind], kept, changed)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def prepare_pair_lookup(self) -> tuple[np.ndarray, np.ndarray]:
        """The sorted index :meth:`of_pair` reads (built on first use): the
        rows' order by pair key ``a * len(ids) + b``, and the keys in that order."""
        if self._pair_index is None:
            keys = self.rows["a"].astype(np.int64) * max(1, len(self.ids)) + self.rows["b"]
            order = np.argsort(keys, kind="stable")  # a pair's rows keep their order
            self._pair_index = (order, keys[order])
        return self._pair_index

    def of_pair(self, a: int, b: int) -> list[Passage]:
        """Passages between articles number ``a`` and ``b``, as oriented when found."""
        order, keys = self.prepare_pair_lookup()
        ids, n = self.ids, max(1, len(self.ids))
        found: list[Passage] = []
        for x, y in ((a, b), (b, a)):
            lo, hi = keys.searchsorted([x * n + y, x * n + y + 1]).tolist()
            found += [Passage(ids[pa], a_start, a_end, ids[pb], b_start, b_end, score, matched,
                              PASSAGE_KINDS[kind], kept, changed)
                      for pa, pb, a_start, a_end, b_start, b_end, score, matched, kind, kept,
                      changed in self.rows[order[lo:hi]].tolist()]
        return found


@dataclass(frozen=True, slots=True)
class DerivationEdge:
    """``target`` took text from ``source``.

    ``target_share`` is the share of the target's characters covered by
    passages aligned with the source; ``source_share`` the share of the
    source's characters that reappear in the target.
    """

    source: str
    target: str
    target_share: float
    source_share: float
    shared_chars: int

    def to_dict(self) -> dict:
        # spelled out: ``dataclasses.asdict`` deep-copies field by field, ten
        # times slower, and the index encodes every edge of a story it rebuilds
        return {"source": self.source, "target": self.target,
                "target_share": self.target_share, "source_share": self.source_share,
                "shared_chars": self.shared_chars}


@dataclass(slots=True)
class Story:
    """Articles that share reused text, with the likely origin."""

    id: str
    members: list[str]
    origin: str
    origin_reason: str  # "earliest published" or "least explained by others"
    edges: list[DerivationEdge] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "story": self.id,
            "members": list(self.members),
            "size": len(self.members),
            "origin": self.origin,
            "origin_reason": self.origin_reason,
            "edges": [e.to_dict() for e in self.edges],
        }


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
    summary: str = ""
    # The aligned passages the diff was computed from (a = this diff's a);
    # they are written to passages.jsonl, not repeated in diffs.jsonl.
    passages: list[Passage] = field(default_factory=list)

    def changes_of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

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
        }


def passages_by_pair(passages: list[Passage]) -> dict[tuple[str, str], list[Passage]]:
    """Passages grouped by their ``(a, b)`` pair, as oriented when found."""
    grouped: dict[tuple[str, str], list[Passage]] = {}
    for p in passages:
        grouped.setdefault((p.a, p.b), []).append(p)
    return grouped


@dataclass(slots=True)
class TraceResult:
    """Everything one ``trace`` run found."""

    articles: Mapping[str, Article]  # a dict, or an ArticleStore for a run of trace
    passages: Sequence[Passage]  # a list, or a PassageTable for a large run
    stories: list[Story]
    diffs: list[Diff]
    rejected: list[Rejected]
    stats: dict = field(default_factory=dict)
    warnings: list[FieldWarning] = field(default_factory=list)

    def story_of(self, article_id: str) -> Story | None:
        for story in self.stories:
            if article_id in story.members:
                return story
        return None

    def passages_of(self, article_id: str) -> list[Passage]:
        """Passages involving the article, oriented so that ``a`` is it."""
        found = []
        for p in self.passages:
            if p.a == article_id:
                found.append(p)
            elif p.b == article_id:
                found.append(p.swapped())
        return sorted(found, key=lambda p: (p.a_start, p.b))

    def diff_of(self, article_id: str) -> Diff | None:
        for d in self.diffs:
            if d.b == article_id:
                return d
        return None
