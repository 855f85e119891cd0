"""Passages: the spans two articles share, one at a time (:class:`Passage`) or as
one NumPy record table (:class:`PassageTable`), their fields declared once
(:data:`PASSAGE_FIELDS`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, overload

import numpy as np


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


def passages_by_pair(passages: list[Passage]) -> dict[tuple[str, str], list[Passage]]:
    """Passages grouped by their ``(a, b)`` pair, as oriented when found."""
    grouped: dict[tuple[str, str], list[Passage]] = {}
    for p in passages:
        grouped.setdefault((p.a, p.b), []).append(p)
    return grouped
