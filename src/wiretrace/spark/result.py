"""What a Spark run found (:class:`SparkTrace`): DataFrames for the large tables,
the stories and credits on the driver, and the ways out of Spark: the local
run's :class:`~wiretrace.model.TraceResult` on the driver, or Parquet datasets
written by the executors."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from wiretrace.model import (
    PASSAGE_DTYPE,
    Article,
    Attribution,
    Diff,
    FieldWarning,
    OutletCredit,
    PassageTable,
    Provenance,
    Rejected,
    Story,
    TraceResult,
)
from wiretrace.runtime.article_store import ArticleStore
from wiretrace.spark.stages import attribution_of


@dataclass
class SparkTrace:
    """What a Spark run found: the numbered articles, the passages, the diffs and
    the attributions as DataFrames (articles by ``number``, input order), the
    stories and what the driver read from the credits, and the counts."""

    articles: Any  # DataFrame: number, then ARTICLE_COLUMNS
    passages: Any  # DataFrame: the local run's PassageTable columns
    stories: list[Story]
    diffs: Any  # DataFrame: job (the local run's order), story, a, b, diff (JSON), pickled
    stats: dict
    attributions: Any = None  # DataFrame: number, nth, Attribution's fields; None: not looked
    provenance: list[Provenance] | None = None  # one per story, in the stories' order
    outlets: list[OutletCredit] | None = None
    rejected: list[Rejected] = field(default_factory=list)  # records not used, and why
    warnings: list[FieldWarning] = field(default_factory=list)  # fields left empty
    # the passages as the driver collected them to make the stories (not fetched again)
    passage_rows: PassageTable | None = None

    def to_result(self, keep_stories: int | None = None, temp_dir: str | None = None,
                  diff_sink: Callable[[Diff], None] | None = None,
                  attribution_sink: Callable[[Attribution], None] | None = None
                  ) -> TraceResult:
        """The run as the local one returns it, on the driver (for the report and the
        output files).  The articles stream into an on-disk ``ArticleStore``, a
        partition at a time; every diff and attribution goes to its sink when one
        is given, and kept are all, or those of the ``keep_stories`` largest
        stories (what the local run's ``keep_diffs`` keeps)."""
        from pyspark.sql import functions as F

        from wiretrace.spark.driver import step

        spark = self.articles.sparkSession
        step(spark, "articles to the driver")
        ordered = self.articles.orderBy("number").toLocalIterator()
        store = ArticleStore.build((article_of(r) for r in ordered), temp_dir)
        kept = None if keep_stories is None else self.stories[:keep_stories]
        kept_ids = None if kept is None else {s.id for s in kept}
        kept_members = None if kept is None else {m for s in kept for m in s.members}
        diffs = []
        step(spark, "diffs")
        wanted = self.diffs.select("job", "story", "pickled")
        if diff_sink is None and kept_ids is not None:  # only those kept come over
            wanted = wanted.filter(F.col("story").isin(sorted(kept_ids)))
        for row in wanted.orderBy("job").toLocalIterator():
            diff = pickle.loads(row["pickled"])
            if diff_sink is not None:
                diff_sink(diff)
            if kept_ids is None or row["story"] in kept_ids:
                diffs.append(diff)
        attributions = None
        if self.attributions is not None:
            attributions = []
            step(spark, "attributions to the driver")
            rows = self.attributions
            if attribution_sink is None and kept_members is not None:
                rows = rows.filter(F.col("article").isin(sorted(kept_members)))
            for row in rows.orderBy("number", "nth").toLocalIterator():
                found = attribution_of(row)
                if attribution_sink is not None:
                    attribution_sink(found)
                if kept_members is None or found.article in kept_members:
                    attributions.append(found)
        table = self.passage_rows
        if table is None:
            step(spark, "passages to the driver")
            table = passage_table(self.passages, store.ids)
        step(spark, None)
        return TraceResult(store, table, self.stories, diffs,
                           list(self.rejected), dict(self.stats), list(self.warnings),
                           attributions, self.provenance, self.outlets)

    def write_parquet(self, folder: str) -> None:
        """The tables as Parquet datasets, a folder each, written by the executors:
        ``articles.parquet`` (without their texts), ``passages.parquet`` (with the
        articles' ids), ``diffs.parquet`` (each diff as JSON), ``attributions.parquet``
        and ``stories.parquet`` (from the driver): for a run too large to bring to
        the driver."""
        from pyspark.sql import functions as F

        from wiretrace.spark.driver import step

        step(self.articles.sparkSession, "write the Parquet datasets")
        ids = self.articles.select("number", "id")
        self.articles.withColumn("chars", F.length("text")).drop("text") \
            .write.mode("overwrite").parquet(f"{folder}/articles.parquet")
        self.passages.join(ids.withColumnRenamed("number", "a").withColumnRenamed("id", "a_id"),
                           "a") \
            .join(ids.withColumnRenamed("number", "b").withColumnRenamed("id", "b_id"), "b") \
            .write.mode("overwrite").parquet(f"{folder}/passages.parquet")
        self.diffs.drop("pickled").write.mode("overwrite").parquet(f"{folder}/diffs.parquet")
        if self.attributions is not None:
            self.attributions.write.mode("overwrite").parquet(f"{folder}/attributions.parquet")
        spark = self.articles.sparkSession
        spark.createDataFrame([(s.id, s.members, len(s.members), s.origin, s.origin_reason)
                               for s in self.stories],
                              "story string, members array<string>, size long, origin string, "
                              "origin_reason string") \
            .write.mode("overwrite").parquet(f"{folder}/stories.parquet")
        step(spark, None)


def article_of(row: Any) -> Article:
    """An ``ARTICLE_SCHEMA`` row as an Article."""
    published = row["published"]
    return Article(row["id"], row["text"], row["title"], row["outlet"], row["url"],
                   datetime.fromisoformat(published) if published else None, row["read_from"],
                   row["author"], tuple(row["topics"] or ()), tuple(row["places"] or ()))


def passage_table(passages: Any, ids: list[str]) -> PassageTable:
    """The passages DataFrame on the driver, in the local run's order: by pair, and
    within a pair in the order the aligner gave them (by position in ``a``)."""
    table = passages.toPandas()
    rows = np.zeros(len(table), dtype=PASSAGE_DTYPE)
    for name in PASSAGE_DTYPE.names:
        rows[name] = table[name].to_numpy()
    rows = rows[np.lexsort((rows["b_start"], rows["a_start"], rows["b"], rows["a"]))]
    return PassageTable(rows, ids)
