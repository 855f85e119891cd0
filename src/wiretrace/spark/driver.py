"""The Spark driver: the stages of :mod:`wiretrace.spark` as DataFrame steps."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from wiretrace.model import KIND_CODE, PASSAGE_DTYPE, Article, PassageTable, Story, TraceResult
from wiretrace.params import TraceParams
from wiretrace.spark.stages import (
    DIFF_SCHEMA,
    FINGERPRINT_SCHEMA,
    PASSAGE_SCHEMA,
    alignments,
    fingerprints,
)
from wiretrace.spark.stages import diffs as diff_stage
from wiretrace.stories.build import ArticleFacts, build_stories, diff_bases, sharing_base

ARTICLE_COLUMNS = ("id", "text", "title", "outlet", "url", "published")
ARTICLE_SCHEMA = ", ".join(f"{c} string" for c in ARTICLE_COLUMNS)
# Work per task: Spark's default of 200 shuffle partitions made 200 Python tasks of
# a few pairs each on a 10,000-article corpus (35 of its 89 s); a partition per
# this many pairs (or story versions), at least one per core, keeps each task's
# tokens warm and the tasks few.
PAIRS_PER_PARTITION = 20_000
DIFFS_PER_PARTITION = 5_000


def _partitions(spark: Any, items: int, per_partition: int) -> int:
    cores = max(1, spark.sparkContext.defaultParallelism)
    return max(cores, -(-items // per_partition))


@dataclass
class SparkTrace:
    """What a Spark run found: the numbered articles and the passages as DataFrames
    (articles by ``number``, input order), the stories, and the counts."""

    articles: Any  # DataFrame: number, id, text, title, outlet, url, published
    passages: Any  # DataFrame: the local run's PassageTable columns
    stories: list[Story]
    diffs: Any  # DataFrame: job (the local run's order), story, a, b, diff (JSON), pickled
    stats: dict

    def to_result(self) -> TraceResult:
        """The run as the local one returns it, the articles collected to the driver
        (for the report and the output files; a large run writes its DataFrames)."""
        rows = self.articles.orderBy("number").collect()
        articles = {r["id"]: Article(r["id"], r["text"], r["title"], r["outlet"], r["url"],
                                     datetime.fromisoformat(r["published"])
                                     if r["published"] else None)
                    for r in rows}
        diffs = [pickle.loads(r["pickled"])
                 for r in self.diffs.select("job", "pickled").orderBy("job").collect()]
        return TraceResult(articles, passage_table(self.passages, [r["id"] for r in rows]),
                           self.stories, diffs, [], dict(self.stats))


def passage_table(passages: Any, ids: list[str]) -> PassageTable:
    """The passages DataFrame on the driver, in the local run's order: by pair, and
    within a pair in the order the aligner gave them (by position in ``a``)."""
    table = passages.toPandas()
    rows = np.zeros(len(table), dtype=PASSAGE_DTYPE)
    for name in PASSAGE_DTYPE.names:
        rows[name] = table[name].to_numpy()
    rows = rows[np.lexsort((rows["b_start"], rows["a_start"], rows["b"], rows["a"]))]
    return PassageTable(rows, ids)


# Adaptive execution may coalesce the shuffle partitions of a plan that reads a
# cached table: without it every join after a cache ran Spark's 200 partitions
# (200 Python tasks of a few pairs each).  Set for the run, then restored.
RUN_CONF = {"spark.sql.optimizer.canChangeCachedPlanOutputPartitioning": "true"}


def trace(spark: Any, articles: Any, params: TraceParams | None = None) -> SparkTrace:
    """Passages, stories and diffs of the ``articles`` DataFrame (see :mod:`wiretrace.spark`)."""
    before = {key: spark.conf.get(key, None) for key in RUN_CONF}
    for key, value in RUN_CONF.items():
        spark.conf.set(key, value)
    try:
        return _trace(spark, articles, params)
    finally:
        for key, value in before.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def _trace(spark: Any, articles: Any, params: TraceParams | None) -> SparkTrace:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    params = params or TraceParams()
    given = articles.select(*[F.col(c) if c in articles.columns else F.lit(None).cast("string")
                              .alias(c) for c in ARTICLE_COLUMNS])
    # input order, then the first article of each id (a later one is a duplicate id)
    ordered = spark.createDataFrame(given.rdd.zipWithIndex().map(lambda row: (*row[0], row[1])),
                                    f"{ARTICLE_SCHEMA}, order long")
    first = Window.partitionBy("id").orderBy("order")
    kept = ordered.withColumn("nth", F.row_number().over(first)).filter("nth = 1").drop("nth")
    numbered = spark.createDataFrame(
        kept.orderBy("order").rdd.zipWithIndex()
        .map(lambda row: (row[1], *row[0][:len(ARTICLE_COLUMNS)])),
        f"number long, {ARTICLE_SCHEMA}").cache()
    n = numbered.count()
    duplicates = ordered.count() - n

    found = numbered.select("number", "text").mapInArrow(fingerprints(params),
                                                         FINGERPRINT_SCHEMA).cache()
    max_df = params.effective_max_df(n)
    postings = found.select("number", F.explode("shingles").alias("shingle"))
    held = postings.groupBy("shingle").agg(F.count("*").alias("df"))
    boilerplate = np.sort(np.array([r["shingle"] for r in held.filter(F.col("df") > max_df)
                                    .select("shingle").collect()], dtype=np.int64)
                          .view(np.uint64))
    seeds = postings.join(held.filter(F.col("df") <= max_df).select("shingle"), "shingle")
    seed_pairs = seeds.alias("x").join(seeds.alias("y"), "shingle") \
        .filter(F.col("x.number") < F.col("y.number")) \
        .groupBy(F.col("x.number").alias("i"), F.col("y.number").alias("j")).count() \
        .filter(F.col("count") >= params.min_shared_seeds).select("i", "j")
    bands = found.select("number", F.explode("bands").alias("band"))
    band_pairs = bands.alias("x").join(bands.alias("y"), "band") \
        .filter(F.col("x.number") < F.col("y.number")) \
        .select(F.col("x.number").alias("i"), F.col("y.number").alias("j"))
    pairs = seed_pairs.union(band_pairs).distinct()
    # each distinct pair of texts aligned once, as the first articles carrying them
    # (the local run's rule: copies share their alignment), given to every pair
    same = found.select("number", F.min("number").over(Window.partitionBy("digest"))
                        .alias("first"))
    pairs = pairs.join(same.withColumnRenamed("number", "i").withColumnRenamed("first", "si"),
                       "i") \
        .join(same.withColumnRenamed("number", "j").withColumnRenamed("first", "sj"), "j") \
        .cache()
    n_pairs = pairs.count()
    text_pairs = pairs.select("si", "sj").distinct()

    # the texts are the largest table: joined by shuffle, never broadcast (Spark's
    # estimate of a cached table can be small enough to broadcast a corpus's texts)
    texts = numbered.select("number", "text").hint("merge")
    jobs = text_pairs.join(texts.withColumnRenamed("number", "si")
                           .withColumnRenamed("text", "text_i"), "si") \
        .join(texts.withColumnRenamed("number", "sj").withColumnRenamed("text", "text_j"), "sj") \
        .select(F.col("si").alias("i"), "text_i", F.col("sj").alias("j"), "text_j") \
        .repartition(_partitions(spark, n_pairs, PAIRS_PER_PARTITION), "i") \
        .sortWithinPartitions("i", "j")
    aligned = jobs.mapInArrow(alignments(params, boilerplate), PASSAGE_SCHEMA)
    # back to every pair of articles carrying the two texts
    columns = [c for c in PASSAGE_DTYPE.names if c not in ("a", "b")]
    passages = aligned.withColumnRenamed("a", "si").withColumnRenamed("b", "sj") \
        .join(pairs, ["si", "sj"]) \
        .select(F.col("i").cast("int").alias("a"), F.col("j").cast("int").alias("b"),
                *columns).cache()

    facts_rows = numbered.select("number", "id", "published").join(
        found.select("number", "words", "chars"), "number").orderBy("number").collect()
    ids = [r["id"] for r in facts_rows]
    facts = ArticleFacts(ids, np.array([r["chars"] for r in facts_rows], dtype=np.int64),
                         [datetime.fromisoformat(r["published"]).isoformat()
                          if r["published"] else None for r in facts_rows])
    table = passage_table(passages, ids)
    stories = build_stories(facts, table, params,
                            np.array([r["words"] for r in facts_rows], dtype=np.int64))
    diffs = _diff_stories(spark, numbered, table, stories, params, boilerplate)
    stats = {"articles": n, "duplicates": duplicates, "candidate_pairs": n_pairs,
             "boilerplate_ngrams": len(boilerplate), "passages": len(table),
             "reuse_passages": int(np.count_nonzero(table.rows["kind"] == KIND_CODE["reuse"])),
             "stories": len(stories), "diffs": sum(len(s.members) - 1 for s in stories),
             "workers": 1}
    return SparkTrace(numbered, passages, stories, diffs, stats)


def _diff_stories(spark: Any, numbered: Any, table: PassageTable, stories: list[Story],
                  params: TraceParams, boilerplate: np.ndarray) -> Any:
    """Each version against its base (``stories.diff_bases``, ``sharing_base``: chosen
    on the driver, as the local run chooses them), diffed on the executors with the
    pair's passages; a story's versions in one partition, so its articles are
    tokenised there once."""
    number = {article_id: k for k, article_id in enumerate(table.ids)}
    table.prepare_pair_lookup()

    def reuse_words(a: str, b: str) -> int:
        return sum(p.matched_words for p in table.of_pair(number[a], number[b])
                   if p.kind == "reuse")

    jobs = []
    for story in stories:
        bases = diff_bases(story)
        for member in story.members:
            if member != story.origin:
                base = sharing_base(story, member, bases[member], reuse_words)
                jobs.append((len(jobs), story.id, base, member,
                             pickle.dumps(table.of_pair(number[base], number[member]))))
    todo = spark.createDataFrame(jobs, "job long, story string, base string, member string, "
                                       "between binary")
    fields = [c for c in ARTICLE_COLUMNS]
    side_a = numbered.select(*[numbered[c].alias(f"a_{c}") for c in fields]).hint("merge")
    side_m = numbered.select(*[numbered[c].alias(f"m_{c}") for c in fields]).hint("merge")
    todo = todo.join(side_a, todo["base"] == side_a["a_id"]) \
        .join(side_m, todo["member"] == side_m["m_id"]) \
        .select("job", "story", "between", *[f"a_{c}" for c in fields],
                *[f"m_{c}" for c in fields]) \
        .repartition(_partitions(spark, len(jobs), DIFFS_PER_PARTITION), "story") \
        .sortWithinPartitions("story", "job")
    return todo.mapInArrow(diff_stage(params, boilerplate), DIFF_SCHEMA).cache()


def trace_articles(articles: list[Article], params: TraceParams, master: str) -> TraceResult:
    """``wiretrace trace --engine spark``: the articles (read on the driver, by the
    same readers and rules as the local run) traced on Spark at ``master``, and the
    result on the driver for the output files and the report."""
    import os
    import sys

    from pyspark.sql import SparkSession

    # the executors must run a Python that has wiretrace: this one, unless told
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    running = SparkSession.getActiveSession()  # a caller's session is used, and left running
    spark = running or (SparkSession.builder.master(master).appName("wiretrace")
                        .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    try:
        frame = spark.createDataFrame(
            [(a.id, a.text, a.title, a.outlet, a.url,
              a.published.isoformat() if a.published else None) for a in articles],
            ARTICLE_SCHEMA)
        return trace(spark, frame, params).to_result()
    finally:
        if running is None:
            spark.stop()
