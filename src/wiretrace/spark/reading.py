"""Reading the inputs on the executors: a file per task, by wiretrace's own readers.

Spark's JSON and CSV readers do not know wiretrace's rules (which fields are
needed, dates read as the local run reads them, a record with no id rejected
with its line, a broken CSV quote recovered, an encoding named), so each file
is read by :func:`wiretrace.ingest.iter_articles`, the local run's reader, in a
Python task of its own: every format the local run takes (JSONL, CSV,
Parquet, .txt, web pages, web archives, Reuters SGML) with the same
rejections and field warnings.  The parallelism is the files': a folder of
many part files (what Spark jobs write) reads on every core, one large file
reads in one task (split it, or give ``wiretrace.spark.trace`` a DataFrame
read by Spark itself).  On a cluster the paths must be readable by every
executor (a shared or mounted filesystem).

The local run numbers articles in reading order and rejects a later article
whose id was taken; here each file's reader does that within its file, and
the numbering step (``driver``) does it across files, by the order
``(file, record)``, with the local run's message.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pyarrow as pa

from wiretrace.ingest import input_files, iter_articles
from wiretrace.ingest.records import SURROGATE
from wiretrace.model import Article, FieldWarning, Rejected

# a row per article, rejected record or field warning, in reading order:
# ``file`` (its place among the input files), ``record`` (among the file's records;
# a warning has its article's), ``seq`` (among the file's rows)
READ_SCHEMA = ("kind string, file long, record long, seq long, id string, text string, "
               "title string, outlet string, url string, published string, read_from string, "
               "author string, topics array<string>, places array<string>, problem string")
_READ_ARROW = pa.schema([
    ("kind", pa.string()), ("file", pa.int64()), ("record", pa.int64()), ("seq", pa.int64()),
    ("id", pa.string()),
    ("text", pa.string()), ("title", pa.string()), ("outlet", pa.string()),
    ("url", pa.string()), ("published", pa.string()), ("read_from", pa.string()),
    ("author", pa.string()), ("topics", pa.list_(pa.string())),
    ("places", pa.list_(pa.string())), ("problem", pa.string())])
ROWS_PER_BATCH = 2_000


def reader(options: dict) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """Per input file (``file``, ``path``): its articles, rejections and warnings
    as ``READ_SCHEMA`` rows; ``options`` are ``iter_articles``' keywords."""
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for file, path in zip(batch.column("file").to_pylist(),
                                  batch.column("path").to_pylist(), strict=True):
                yield from _read_file(file, path, options)
    return run


def _read_file(file: int, path: str, options: dict) -> Iterator[pa.RecordBatch]:
    rows: dict[str, list] = {name: [] for name in _READ_ARROW.names}

    def add(kind: str, record: int, article: Article | None = None,
            problem: Rejected | FieldWarning | None = None) -> None:
        rows["kind"].append(kind)
        rows["file"].append(file)
        rows["record"].append(record)
        rows["seq"].append(len(rows["seq"]) + written)
        values = {} if article is None else {
            "id": article.id, "text": article.text, "title": article.title,
            "outlet": article.outlet, "url": article.url,
            "published": article.published.isoformat() if article.published else None,
            "read_from": article.read_from, "author": article.author,
            "topics": list(article.topics), "places": list(article.places)}
        for name in _READ_ARROW.names[4:-1]:
            rows[name].append(values.get(name))
        rows["problem"].append(None if problem is None
                               else json.dumps(problem.to_dict(), ensure_ascii=False))

    warnings: list[FieldWarning] = []
    written = 0  # rows of this file in batches already out
    for record, item in enumerate(iter_articles([path], warnings=warnings, **options)):
        if isinstance(item, Rejected):
            add("rejected", record, problem=item)
        elif not item.text.isascii() and SURROGATE.search(item.text):
            # the local run's store refuses it too (Arrow cannot hold it)
            add("rejected", record, problem=Rejected(item.read_from or path, None, item.id,
                                                     "invalid Unicode: unpaired surrogate "
                                                     "in text"))
        else:
            add("article", record, article=item)
            for warning in warnings:  # this article's, read before it was yielded
                add("warning", record, problem=warning)
        warnings.clear()
        if len(rows["kind"]) >= ROWS_PER_BATCH:
            written += len(rows["kind"])
            yield pa.RecordBatch.from_pydict(rows, schema=_READ_ARROW)
            rows = {name: [] for name in _READ_ARROW.names}
    if rows["kind"]:
        yield pa.RecordBatch.from_pydict(rows, schema=_READ_ARROW)


def read_inputs(spark: Any, paths: Sequence[str | os.PathLike], options: dict
                ) -> tuple[Any, list[Rejected], Any]:
    """The inputs read on the executors: a DataFrame of every row read
    (``READ_SCHEMA``, cached), the folders that could not be listed, and the
    files read (``file`` is a place in this list)."""
    files: list[str] = []
    unlisted: list[Rejected] = []
    for item in input_files(paths):
        if isinstance(item, Rejected):
            unlisted.append(item)
        else:
            files.append(item)  # as given: an article's read_from names it so, as locally
    if not files:
        return spark.createDataFrame([], READ_SCHEMA), unlisted, []
    listing = spark.createDataFrame(list(enumerate(files)), "file long, path string") \
        .repartition(min(len(files), 10_000), "file")
    rows = listing.mapInArrow(reader(options), READ_SCHEMA).cache()
    return rows, unlisted, files


def problems(rows: Any, kind: str) -> list[tuple[int, int, Any]]:
    """The rejections (``kind="rejected"``) or field warnings of the rows, in
    reading order, on the driver, each with its place (file, record)."""
    made = Rejected if kind == "rejected" else FieldWarning
    found = rows.filter(rows["kind"] == kind).select("file", "record", "seq", "problem") \
        .orderBy("file", "seq").collect()
    return [(r["file"], r["record"], made(**json.loads(r["problem"]))) for r in found]
