"""Rows of the index's tables to and from the model's dataclasses."""

from __future__ import annotations

import json
import sqlite3
import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import numpy as np

from wiretrace.model import (
    KIND_CODE,
    PASSAGE_DTYPE,
    PASSAGE_FIELDS,
    PASSAGE_KINDS,
    Article,
    DerivationEdge,
    Passage,
    Story,
)
from wiretrace.stories.links import link_words

DOC_COLUMNS = ("doc, article_id, version, seq, live, text, title, outlet, url, published, "
               "origin, words, added_at, meta")
# SQLite's default limit on ``?`` parameters is 999 in old builds: stay below.
CHUNK = 900


@dataclass(slots=True)
class DocRow:
    """One stored version of an article."""

    doc: int
    article: Article
    version: int
    seq: int
    live: bool
    words: int
    added_at: float


def chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for k in range(0, len(items), size):
        yield items[k:k + size]


def doc_row(row: tuple) -> DocRow:
    doc, article_id, version, seq, live, text, title, outlet, url, published, origin, words, \
        added_at, meta = row
    extra = json.loads(meta) if meta else {}
    article = Article(article_id, text, title, outlet, url,
                      datetime.fromisoformat(published) if published else None, origin,
                      extra.get("author"), tuple(extra.get("topics", ())),
                      tuple(extra.get("places", ())))
    return DocRow(doc, article, version, seq, bool(live), words, added_at)


def load_docs(conn: sqlite3.Connection, docs: Iterable[int]) -> dict[int, DocRow]:
    """Stored versions by doc number (missing ones are left out)."""
    found: dict[int, DocRow] = {}
    wanted = sorted(set(docs))
    for part in chunks(wanted):
        marks = ",".join("?" * len(part))
        for row in conn.execute(f"SELECT {DOC_COLUMNS} FROM docs WHERE doc IN ({marks})", part):
            found[row[0]] = doc_row(row)
    return found


class StoryFacts(NamedTuple):
    """What stories read of one stored version (``stories.ArticleFacts``)."""

    article_id: str
    seq: int
    length: int  # characters of the text
    published: str | None  # as ``datetime.isoformat()`` writes it
    words: int


def load_story_facts(conn: sqlite3.Connection, docs: Iterable[int]) -> dict[int, StoryFacts]:
    """:class:`StoryFacts` by doc number (missing ones are left out): the texts are
    measured, not kept, nor Articles built (rebuilding stories reads thousands)."""
    found: dict[int, StoryFacts] = {}
    wanted = sorted(set(docs))
    for part in chunks(wanted):
        marks = ",".join("?" * len(part))
        for doc, article_id, seq, text, published, words in conn.execute(
                f"SELECT doc, article_id, seq, text, published, words FROM docs "
                f"WHERE doc IN ({marks})", part):
            # stored as ``isoformat()`` writes it (``article_values``, the one
            # writer): what a parse and ``isoformat()`` would give again
            found[doc] = StoryFacts(article_id, seq, len(text), published or None, words)
    return found


def article_values(doc: int, article: Article, version: int, seq: int, text_hash: bytes,
                   words: int, added_at: float) -> tuple:
    return (doc, article.id, version, seq, 1, article.text, text_hash, article.title,
            article.outlet, article.url,
            article.published.isoformat() if article.published else None, article.read_from,
            words, added_at, meta_json(article))


def meta_json(article: Article) -> str | None:
    """The ``docs.meta`` of an article: author, topics and places as JSON, those it
    has only; None when it has none."""
    extra = {name: value for name, value in (("author", article.author),
                                            ("topics", list(article.topics)),
                                            ("places", list(article.places))) if value}
    return json.dumps(extra, ensure_ascii=False) if extra else None


# A pair's passages as packed records: a tenth of the time of JSON both ways
# (a story is rebuilt from its pairs' passages on every add that touches it).
# The fields the model gives a stored type, in its order (the ids are the pair
# row's); the index's FORMAT fixes these bytes, tests/test_passage_fields.py too.
PASSAGE_RECORD = np.dtype([(f.name, f.stored) for f in PASSAGE_FIELDS if f.stored])


# One PASSAGE_RECORD, packed by ``struct``: a fifth of the time of a NumPy array
# for the one to three passages a pair has.  NumPy's type characters (i, d, b)
# are struct's for the same sizes under "<".
_RECORD = struct.Struct("<" + "".join(PASSAGE_RECORD[name].char
                                      for name in PASSAGE_RECORD.names))
assert _RECORD.size == PASSAGE_RECORD.itemsize


def encode_passages(passages: list[Passage]) -> bytes:
    """The passages of one pair, without their ids (the pair row has them)."""
    return b"".join(_RECORD.pack(p.a_start, p.a_end, p.b_start, p.b_end, p.score,
                                 p.matched_words, KIND_CODE[p.kind], p.slots_kept,
                                 p.slots_changed) for p in passages)


def matched_words(blobs: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The link words (:func:`~wiretrace.stories.links.link_words`: matched by the
    reuse passages, by those whose names and figures agree, by those that change
    none) of each encoded pair, as whole numbers, without decoding them."""
    counts = np.array([len(blob) for blob in blobs], dtype=np.int64) // PASSAGE_RECORD.itemsize
    records = np.frombuffer(b"".join(blobs), dtype=PASSAGE_RECORD)
    words = link_words(records["kind"], records["matched_words"], records["slots_kept"],
                       records["slots_changed"], np.repeat(np.arange(len(blobs)), counts),
                       len(blobs))
    return tuple(np.asarray(total).astype(np.int64) for total in words)  # type: ignore[return-value]


def decode_passages(blob: bytes, a: str, b: str) -> list[Passage]:
    return [Passage(a, a0, a1, b, b0, b1, score, words, PASSAGE_KINDS[kind], kept, changed)
            for a0, a1, b0, b1, score, words, kind, kept, changed in
            np.frombuffer(blob, dtype=PASSAGE_RECORD).tolist()]


def passage_rows(pairs: Sequence[tuple[int, int, bytes]], number: Mapping[int, int]
                 ) -> np.ndarray:
    """The passages of ``(a, b, encoded passages)`` pairs of docs as one
    ``PASSAGE_DTYPE`` array, docs by ``number``: no :class:`Passage` objects."""
    blobs = [blob for _, _, blob in pairs]
    records = np.frombuffer(b"".join(blobs), dtype=PASSAGE_RECORD)
    counts = [len(blob) // PASSAGE_RECORD.itemsize for blob in blobs]
    rows = np.empty(len(records), dtype=PASSAGE_DTYPE)
    rows["a"] = np.repeat(np.array([number[a] for a, _, _ in pairs], dtype=np.int32), counts)
    rows["b"] = np.repeat(np.array([number[b] for _, b, _ in pairs], dtype=np.int32), counts)
    for name in PASSAGE_RECORD.names:
        rows[name] = records[name]
    return rows


def encode_story(story: Story) -> str:
    return json.dumps({"members": story.members, "origin": story.origin,
                       "origin_reason": story.origin_reason,
                       "edges": [e.to_dict() for e in story.edges]}, separators=(",", ":"))


def decode_story(story_id: str, text: str) -> Story:
    data = json.loads(text)
    return Story(story_id, data["members"], data["origin"], data["origin_reason"],
                 [DerivationEdge(**e) for e in data["edges"]])


def pair_rows(conn: sqlite3.Connection, docs: Iterable[int]
              ) -> list[tuple[int, int, bool, str]]:
    """``(a, b, linked, encoded passages)`` of every stored pair involving one of ``docs``."""
    rows: dict[tuple[int, int], tuple[bool, str]] = {}
    wanted = sorted(set(docs))
    for part in chunks(wanted, CHUNK // 2):
        marks = ",".join("?" * len(part))
        for a, b, linked, text in conn.execute(
                f"SELECT a, b, linked, passages FROM pairs WHERE a IN ({marks}) "
                f"UNION ALL SELECT a, b, linked, passages FROM pairs WHERE b IN ({marks})",
                [*part, *part]):
            rows[(a, b)] = (bool(linked), text)
    return [(a, b, linked, text) for (a, b), (linked, text) in rows.items()]


def pairs_among(conn: sqlite3.Connection, docs: Iterable[int]
                ) -> list[tuple[int, int, bool, bytes]]:
    """``(a, b, linked, encoded passages)`` of every stored pair of two of ``docs``.

    Found by ``a`` alone, a range of the table's key, then kept when ``b`` is
    one of them too: a third of the time of :func:`pair_rows`, which also
    looks up every ``b`` in the ``pairs_b`` index and then the table.
    """
    wanted = sorted(set(docs))
    among = set(wanted)
    rows: list[tuple[int, int, bool, bytes]] = []
    for part in chunks(wanted):
        marks = ",".join("?" * len(part))
        rows += [(a, b, bool(linked), blob) for a, b, linked, blob in conn.execute(
            f"SELECT a, b, linked, passages FROM pairs WHERE a IN ({marks})", part)
            if b in among]
    return rows


def live_doc(conn: sqlite3.Connection, article_id: str) -> int | None:
    row = conn.execute("SELECT doc FROM articles WHERE id = ?", (article_id,)).fetchone()
    return row[0] if row else None
