"""The per-partition work of the Spark driver: each function takes an iterator of
Arrow record batches (``DataFrame.mapInArrow``) and calls the same stage
functions as the local run, so that both give the same answers.

They run in the executors' Python workers.  The compiled kernels are numba's,
cached on disk by the first process that compiles them (``runtime.compiled``),
so a worker compiles once, not once per task; what a function needs from the
driver (the parameters, the boilerplate shingles) comes in its closure, which
Spark ships once per task.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import typing
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa

from wiretrace.align import align_tokens
from wiretrace.align.articles import align_articles
from wiretrace.attribute import attribute_text
from wiretrace.candidates.lsh import boilerplate_mask
from wiretrace.diff.changes import diff_versions
from wiretrace.fingerprint.batch import fingerprint
from wiretrace.model import KIND_CODE, PASSAGE_DTYPE, Article, Attribution
from wiretrace.params import TraceParams
from wiretrace.text.tokens import Tokens, tokenize

FINGERPRINT_SCHEMA = ("number long, words long, chars long, digest binary, "
                      "shingles array<long>, bands array<long>")


def _spark_type(kind: np.dtype) -> str:
    if kind.kind in "iu":
        return "int" if kind.itemsize <= 4 else "long"
    return "double"


PASSAGE_SCHEMA = ", ".join(f"{name} {_spark_type(kind)}"
                           for name, (kind, _) in PASSAGE_DTYPE.fields.items())
# the same columns as Arrow types: a batch must hold exactly the declared ones
PASSAGE_ARROW = pa.schema([(name, {"int": pa.int32(), "long": pa.int64(),
                                   "double": pa.float64()}[_spark_type(kind)])
                           for name, (kind, _) in PASSAGE_DTYPE.fields.items()])
# Tokens of the articles a worker aligned last: pairs come sorted by their later
# article, so each article is tokenised about once per partition.
TOKENS_KEPT = 512


def fingerprints(params: TraceParams) -> Callable[[Iterator[pa.RecordBatch]],
                                                   Iterator[pa.RecordBatch]]:
    """Per article (``number``, ``text``): its words, characters, a digest of its
    text, its distinct shingles and (when it has enough words to have shingles) its
    LSH band keys, all 64-bit values as signed longs, as Spark holds them."""
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            numbers = batch.column("number").to_numpy(zero_copy_only=False)
            texts = batch.column("text").to_pylist()
            found = fingerprint(texts, params, bands=True)
            assert found.bands is not None
            shingles = [found.shingles_of(k).view(np.int64).tolist() for k in range(len(texts))]
            bands = [found.bands[k].view(np.int64).tolist()
                     if found.words[k] >= params.seed_ngram else [] for k in range(len(texts))]
            yield pa.RecordBatch.from_pydict({
                "number": numbers.astype(np.int64), "words": found.words.astype(np.int64),
                "chars": [len(t) for t in texts],
                "digest": [hashlib.blake2b(t.encode("utf-8"), digest_size=16).digest()
                           for t in texts],
                "shingles": shingles, "bands": bands})
    return run


def alignments(params: TraceParams, boilerplate: np.ndarray
               ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """Per candidate pair (``i``, ``text_i``, ``j``, ``text_j``, ``i < j``): its passages,
    as rows of the local run's ``PassageTable``."""
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        kept: dict[int, tuple[Tokens, np.ndarray | None]] = {}

        def prepared(number: int, text: str) -> tuple[Tokens, np.ndarray | None]:
            if number not in kept:
                if len(kept) >= TOKENS_KEPT:
                    kept.pop(next(iter(kept)))
                tokens = tokenize(text)
                kept[number] = (tokens, boilerplate_mask(tokens.hashes, params.seed_ngram,
                                                         boilerplate))
            return kept[number]

        for batch in batches:
            rows = []
            for i, text_i, j, text_j in zip(*(batch.column(c).to_pylist()
                                              for c in ("i", "text_i", "j", "text_j")),
                                            strict=True):
                tokens_i, mask_i = prepared(i, text_i)
                tokens_j, mask_j = prepared(j, text_j)
                for s in align_tokens(text_i, tokens_i, text_j, tokens_j, params, mask_i,
                                      mask_j):
                    rows.append((i, j, s.a_start, s.a_end, s.b_start, s.b_end, s.score,
                                 s.matched_words, KIND_CODE[s.kind], s.slots_kept,
                                 s.slots_changed))
            table = np.array(rows, dtype=PASSAGE_DTYPE)
            yield pa.RecordBatch.from_arrays(
                [pa.array(table[f.name]).cast(f.type) for f in PASSAGE_ARROW],
                schema=PASSAGE_ARROW)
    return run


def _attribution_type(hint: Any) -> str:
    if hint is bool:
        return "boolean"
    return "long" if int in typing.get_args(hint) or hint is int else "string"


_ATTRIBUTION_HINTS = typing.get_type_hints(Attribution)
# ``number`` (the article's) first, then the fields of ``Attribution.to_dict()``
ATTRIBUTION_SCHEMA = "number long, nth long, " + ", ".join(
    f"{f.name} {_attribution_type(_ATTRIBUTION_HINTS[f.name])}"
    for f in dataclasses.fields(Attribution))
_ATTRIBUTION_ARROW = pa.schema(
    [("number", pa.int64()), ("nth", pa.int64())]
    + [(f.name, {"boolean": pa.bool_(), "long": pa.int64(), "string": pa.string()}[
        _attribution_type(_ATTRIBUTION_HINTS[f.name])]) for f in dataclasses.fields(Attribution)])


def attributions() -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """Per article (``number``, ``id``, ``text``): who it credits for what
    (``attribute.attribute_text``, the local run's stage function), a row each,
    ``nth`` in the article's order."""
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            rows: dict[str, list] = {name: [] for name in _ATTRIBUTION_ARROW.names}
            for number, article, text in zip(*(batch.column(c).to_pylist()
                                               for c in ("number", "id", "text")), strict=True):
                for nth, found in enumerate(attribute_text(text, article)):
                    rows["number"].append(number)
                    rows["nth"].append(nth)
                    for name, value in found.to_dict().items():
                        rows[name].append(value)
            yield pa.RecordBatch.from_pydict(rows, schema=_ATTRIBUTION_ARROW)
    return run


def attribution_of(row: Any) -> Attribution:
    """An ``ATTRIBUTION_SCHEMA`` row (a Spark ``Row`` or a dict) as an Attribution."""
    return Attribution(**{f.name: row[f.name] for f in dataclasses.fields(Attribution)})


DIFF_SCHEMA = "job long, story string, a string, b string, diff string, pickled binary"
_ARTICLE_FIELDS = ("id", "text", "title", "outlet", "url", "published")


def _article(row: dict, side: str) -> Article:
    published = row[f"{side}_published"]
    return Article(*(row[f"{side}_{name}"] for name in _ARTICLE_FIELDS[:5]),
                   published=datetime.fromisoformat(published) if published else None)


def diffs(params: TraceParams, boilerplate: np.ndarray, credits: bool = False
          ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """Per story version (``job``, ``story``, the base's and the version's article
    fields as ``a_*`` and ``m_*``, ``between``: the pickled passages of the pair;
    with ``credits``, ``a_credits`` and ``m_credits``: each side's pickled credits,
    found by the attribution stage): its diff against its base
    (``diff.diff_versions``), as JSON (``Diff.to_dict()``) and pickled (for the
    driver's :class:`~wiretrace.model.TraceResult`)."""
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        tokens_of: dict[str, Tokens] = {}

        def tokens(article: Article) -> Tokens:
            if article.id not in tokens_of:
                if len(tokens_of) >= TOKENS_KEPT:
                    tokens_of.pop(next(iter(tokens_of)))
                tokens_of[article.id] = tokenize(article.text)
            return tokens_of[article.id]

        for batch in batches:
            out: dict[str, list] = {"job": [], "story": [], "a": [], "b": [], "diff": [],
                                    "pickled": []}
            for row in batch.to_pylist():
                base, member = _article(row, "a"), _article(row, "m")
                tokens_a, tokens_m = tokens(base), tokens(member)
                if credits:  # the stage found them: not tagged again, as locally
                    for side, side_tokens in (("a", tokens_a), ("m", tokens_m)):
                        if side_tokens.facts.attributions is None:
                            side_tokens.facts.attributions = pickle.loads(row[f"{side}_credits"])
                between = pickle.loads(row["between"])
                if not between:  # a version with no edge, diffed against its base: align
                    between = align_articles(
                        base, tokens_a, member, tokens_m, params,
                        boilerplate_mask(tokens_a.hashes, params.seed_ngram, boilerplate),
                        boilerplate_mask(tokens_m.hashes, params.seed_ngram, boilerplate))
                diff = diff_versions(base, tokens_a, member, tokens_m, between, params,
                                     row["story"], credits)
                for key, value in (("job", row["job"]), ("story", row["story"]),
                                   ("a", diff.a), ("b", diff.b),
                                   ("diff", json.dumps(diff.to_dict(), ensure_ascii=False)),
                                   ("pickled", pickle.dumps(diff))):
                    out[key].append(value)
            yield pa.RecordBatch.from_pydict(out, schema=pa.schema([
                ("job", pa.int64()), ("story", pa.string()), ("a", pa.string()),
                ("b", pa.string()), ("diff", pa.string()), ("pickled", pa.binary())]))
    return run
