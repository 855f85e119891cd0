"""The articles of a run, kept once, in a memory-mapped Arrow file.

A large run cannot keep an object per article in each process: a million
news articles are about 3 GB of Python objects, and every worker forked to
share the work would slowly copy the pages it reads (reading an object
writes its reference count).  :class:`ArticleStore` writes the articles in
batches to an Arrow IPC file in a temporary folder and maps it back:

* one copy of the texts, in the page cache, shared by every process and
  never copied by reading; under memory pressure the kernel drops pages and
  reads them again rather than running out of memory;
* the file is unlinked as soon as it is mapped, so nothing is left behind,
  even when the run is killed;
* it is a ``Mapping`` from id to :class:`~wiretrace.model.Article`, so code
  that reads a dict of articles reads a store too; articles are also
  addressed by their number (input order), which is how the pipeline's
  arrays refer to them.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from wiretrace.ingest.records import SURROGATE
from wiretrace.model import Article, Rejected

_SCHEMA = pa.schema([("id", pa.large_string()), ("text", pa.large_string()),
                     ("title", pa.large_string()), ("outlet", pa.large_string()),
                     ("url", pa.large_string()), ("published", pa.large_string()),
                     ("origin", pa.large_string()), ("author", pa.large_string()),
                     ("topics", pa.list_(pa.large_string())),
                     ("places", pa.list_(pa.large_string()))])
BATCH_ARTICLES = 8192  # articles per record batch: bounds what building holds in memory


class ArticleStore(Mapping[str, Article]):
    """Articles by id (a ``Mapping``) and by number, read from a mapped Arrow file.

    Build one with :meth:`build`.
    """

    def __init__(self, batches: list[pa.RecordBatch], duplicates: list[Rejected]) -> None:
        self._batches = batches
        self.duplicates = duplicates  # later articles whose id was taken, as rejections
        # per batch: the text column's offsets and bytes, read without pyarrow scalars
        self._texts = [(np.frombuffer(b.column(1).buffers()[1], dtype=np.int64,
                                      count=len(b) + 1, offset=8 * b.column(1).offset),
                        b.column(1).buffers()[2]) for b in batches]
        self.ids: list[str] = [i for b in batches for i in b.column(0).to_pylist()]
        self._number = {article_id: k for k, article_id in enumerate(self.ids)}

    @classmethod
    def build(cls, articles: Iterable[Article], temp_dir: str | Path | None = None
              ) -> ArticleStore:
        """Write ``articles`` to a temporary Arrow file and map it.

        An article whose id was already taken, or whose text cannot be
        encoded (an unpaired surrogate), is left out and listed in
        ``duplicates`` (rejections).
        """
        if isinstance(articles, ArticleStore):
            return articles
        handle = tempfile.NamedTemporaryFile(prefix="wiretrace-articles-", suffix=".arrow",
                                             dir=temp_dir, delete=False)
        path = handle.name
        seen: set[str] = set()
        duplicates: list[Rejected] = []
        try:
            with handle, pa.ipc.new_file(handle, _SCHEMA) as writer:
                columns: list[list] = [[] for _ in _SCHEMA]
                for article in articles:
                    if article.id in seen:
                        duplicates.append(Rejected(article.read_from or "<api>", None, article.id,
                                                   f"duplicate id {article.id!r}"))
                        continue
                    if not article.text.isascii() and SURROGATE.search(article.text):
                        duplicates.append(Rejected(article.read_from or "<api>", None, article.id,
                                                   "invalid Unicode: unpaired surrogate in text"))
                        continue
                    seen.add(article.id)
                    for column, value in zip(columns, _row(article), strict=True):
                        column.append(value)
                    if len(columns[0]) == BATCH_ARTICLES:
                        writer.write_batch(pa.record_batch(columns, schema=_SCHEMA))
                        columns = [[] for _ in _SCHEMA]
                if columns[0]:
                    writer.write_batch(pa.record_batch(columns, schema=_SCHEMA))
            del seen
            reader = pa.ipc.open_file(pa.memory_map(path))
            batches = [reader.get_batch(k) for k in range(reader.num_record_batches)]
        finally:
            os.unlink(path)  # the mapping stays valid; nothing is left on disk
        return cls(batches, duplicates)

    # --- by number (input order)

    def encoded_text(self, number: int) -> bytes:
        """The text of article ``number``, UTF-8 encoded, as stored."""
        batch, row = divmod(number, BATCH_ARTICLES)
        offsets, data = self._texts[batch]
        return data[int(offsets[row]):int(offsets[row + 1])].to_pybytes()

    def text(self, number: int) -> str:
        """The text of article ``number``."""
        return self.encoded_text(number).decode("utf-8")

    def at(self, number: int) -> Article:
        """Article ``number``."""
        batch, row = divmod(number, BATCH_ARTICLES)
        record = self._batches[batch]
        return _article([record.column(k)[row].as_py() for k in range(len(_SCHEMA))])

    def lengths(self) -> np.ndarray:
        """Characters of every article's text, by number."""
        import pyarrow.compute as pc

        return np.concatenate([pc.utf8_length(b.column(1)).to_numpy(zero_copy_only=False)
                               for b in self._batches] or [np.zeros(0, dtype=np.int64)]
                              ).astype(np.int64)

    def published(self) -> list[str | None]:
        """Every article's ``published`` as stored (``isoformat()``, None when unknown)."""
        return [p for b in self._batches for p in b.column(5).to_pylist()]

    def values(self) -> Iterator[Article]:  # type: ignore[override]
        """Every article in input order, converted a batch at a time (fast)."""
        for batch in self._batches:
            yield from map(_article, zip(*(batch.column(k).to_pylist()
                                           for k in range(len(_SCHEMA))), strict=True))

    def items(self) -> Iterator[tuple[str, Article]]:  # type: ignore[override]
        for article in self.values():
            yield article.id, article

    def number(self, article_id: str) -> int:
        return self._number[article_id]

    # --- the Mapping

    def __getitem__(self, article_id: str) -> Article:
        return self.at(self._number[article_id])

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._number

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


def _article(values: list | tuple) -> Article:
    """An article from a stored row's values, in schema order."""
    published = values[5]
    return Article(id=values[0], text=values[1], title=values[2], outlet=values[3],
                   url=values[4],
                   published=datetime.fromisoformat(published) if published else None,
                   read_from=values[6], author=values[7], topics=tuple(values[8] or ()),
                   places=tuple(values[9] or ()))


def _row(article: Article) -> tuple:
    return (article.id, article.text, article.title, article.outlet, article.url,
            article.published.isoformat() if article.published else None, article.read_from,
            article.author, list(article.topics), list(article.places))


def as_store(articles: Iterable[Article] | Mapping[str, Article],
             temp_dir: str | Path | None = None) -> ArticleStore:
    """``articles`` as a store (built when it is not one already)."""
    if isinstance(articles, ArticleStore):
        return articles
    if isinstance(articles, Mapping):
        articles = articles.values()
    return ArticleStore.build(articles, temp_dir)
