"""The Spark driver: the stages of :mod:`wiretrace.spark` as DataFrame steps."""

from __future__ import annotations

import os
import pickle
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np

from wiretrace.attribute.provenance import appearance_order, outlet_credits, story_provenance
from wiretrace.ingest.records import text_problem
from wiretrace.model import (
    KIND_CODE,
    PASSAGE_DTYPE,
    Attribution,
    OutletCredit,
    PassageTable,
    Provenance,
    Rejected,
    Story,
)
from wiretrace.params import TraceParams
from wiretrace.spark.result import SparkTrace, passage_table
from wiretrace.spark.stages import (
    ATTRIBUTION_SCHEMA,
    DIFF_SCHEMA,
    FINGERPRINT_SCHEMA,
    PASSAGE_SCHEMA,
    alignments,
    attribution_of,
    attributions,
    fingerprints,
)
from wiretrace.spark.stages import diffs as diff_stage
from wiretrace.stories.build import ArticleFacts, build_stories, diff_bases, sharing_base

ARTICLE_TYPES = {"id": "string", "text": "string", "title": "string", "outlet": "string",
                 "url": "string", "published": "string", "read_from": "string",
                 "author": "string", "topics": "array<string>", "places": "array<string>"}
ARTICLE_COLUMNS = tuple(ARTICLE_TYPES)
MAX_TEXT_CHARS = 2_000_000  # the readers' default limit, for a DataFrame's texts
ARTICLE_SCHEMA = ", ".join(f"{name} {kind}" for name, kind in ARTICLE_TYPES.items())
# Work per task: Spark's default of 200 shuffle partitions made 200 Python tasks of
# a few pairs each on a 10,000-article corpus (35 of its 89 s); a partition per
# this many pairs (or story versions), at least one per core, keeps each task's
# tokens warm and the tasks few.
PAIRS_PER_PARTITION = 20_000
DIFFS_PER_PARTITION = 5_000


def step(spark: Any, name: str | None) -> None:
    """Name the Spark jobs that follow after the step they compute (``wiretrace:
    align``), in Spark's UI and event log, where the stages would otherwise be
    named after a line of pyspark; ``None`` clears it."""
    for key in ("callSite.short", "callSite.long"):
        spark.sparkContext.setLocalProperty(key, None if name is None else f"wiretrace: {name}")


def _partitions(spark: Any, items: int, per_partition: int) -> int:
    cores = max(1, spark.sparkContext.defaultParallelism)
    return max(cores, -(-items // per_partition))


# Adaptive execution may coalesce the shuffle partitions of a plan that reads a
# cached table: without it every join after a cache ran Spark's 200 partitions
# (200 Python tasks of a few pairs each).  No join is broadcast on Spark's own
# estimate: the estimate of a cached table of the archive's 21,268 articles was
# small enough to broadcast and then filled a 1 GB driver ("Not enough memory to
# build and broadcast the table"); the one small table (the boilerplate n-grams)
# is broadcast by name.  Set for the run, then restored.
RUN_CONF = {"spark.sql.optimizer.canChangeCachedPlanOutputPartitioning": "true",
            "spark.sql.autoBroadcastJoinThreshold": "-1"}


def trace(spark: Any, articles: Any, params: TraceParams | None = None,
          attribute: bool = True) -> SparkTrace:
    """Passages, stories, diffs and (with ``attribute``, as the local run's
    default) attributions of the ``articles`` DataFrame (see :mod:`wiretrace.spark`)."""
    return _traced(spark, articles, None, params or TraceParams(), attribute)[0]


def _traced(spark: Any, articles: Any, files: list[str] | None, params: TraceParams,
            attribute: bool) -> tuple[SparkTrace, list[tuple[int, int, Rejected]]]:
    before = {key: spark.conf.get(key, None) for key in RUN_CONF}
    for key, value in RUN_CONF.items():
        spark.conf.set(key, value)
    try:
        started = time.perf_counter()
        step(spark, "number the articles")
        numbered, duplicates = number_articles(spark, articles, files)
        found = _trace(spark, numbered, params, attribute)
        found.rejected = [rejected for _, _, rejected in duplicates]
        found.stats["rejected"] = len(duplicates)
        found.stats["seconds"] = round(time.perf_counter() - started, 3)
        return found, duplicates
    finally:
        step(spark, None)
        for key, value in before.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def number_articles(spark: Any, articles: Any, files: list[str] | None = None
                    ) -> tuple[Any, list[tuple[int, int, Rejected]]]:
    """The articles numbered in input order (``number``, then ARTICLE_COLUMNS;
    cached), and a rejection for each later article of an id already taken, with
    its place (file, record).

    Input order is ``(file, record)`` when the DataFrame has them (read by
    :mod:`.reading`; ``files`` names them), else the DataFrame's own order."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    kinds = dict(articles.dtypes)

    def column(name: str) -> Any:
        if name not in articles.columns:
            return F.lit(None).cast(ARTICLE_TYPES[name]).alias(name)
        if name == "published" and kinds[name].startswith("timestamp"):
            # a Parquet timestamp, as ISO 8601 text with its offset (the instant kept)
            return F.date_format(name, "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX").alias(name)
        if kinds[name] != ARTICLE_TYPES[name]:
            return F.col(name).cast(ARTICLE_TYPES[name]).alias(name)
        return F.col(name)

    unusable: list[tuple[int, int, Rejected]] = []
    if "file" in articles.columns and "record" in articles.columns:
        ordered = articles.select(*map(column, ARTICLE_COLUMNS), "file", "record")
    else:  # the DataFrame's order: a file and record each, from its place
        given = articles.select(*map(column, ARTICLE_COLUMNS))
        checked = spark.createDataFrame(
            given.rdd.zipWithIndex().map(lambda row: (*row[0], 0, row[1],
                                                      _row_problem(row[0][0], row[0][1]))),
            f"{ARTICLE_SCHEMA}, file long, record long, problem string").cache()
        # a row without a usable id or text is rejected, as a reader rejects a record
        unusable = [(0, r["record"], Rejected("<api>", f"row {r['record'] + 1}", r["id"],
                                              r["problem"]))
                    for r in checked.filter("problem is not null")
                    .select("record", "id", "problem").orderBy("record").collect()]
        ordered = checked.filter("problem is null").drop("problem")
    by_id = Window.partitionBy("id").orderBy("file", "record")
    ranked = ordered.withColumn("nth", F.row_number().over(by_id)) \
        .withColumn("first_from", F.first("read_from").over(by_id)).cache()
    numbered = spark.createDataFrame(
        ranked.filter("nth = 1").orderBy("file", "record").rdd.zipWithIndex()
        .map(lambda row: (row[1], *row[0][:len(ARTICLE_COLUMNS)])),
        f"number long, {ARTICLE_SCHEMA}").cache()
    duplicates = []
    for r in ranked.filter("nth > 1").orderBy("file", "record").collect():
        source = files[r["file"]] if files else "<api>"
        where = r["read_from"] or source
        location = where[len(source) + 1:] if where.startswith(f"{source}:") \
            else None if files else f"row {r['record'] + 1}"
        duplicates.append((r["file"], r["record"], Rejected(
            source, location, r["id"], f"duplicate id {r['id']!r}, first seen at "
                                       f"{r['first_from'] or source}")))
    ranked.unpersist()
    return numbered, sorted(unusable + duplicates, key=lambda found: found[:2])


def _row_problem(article_id: Any, text: Any) -> str | None:
    """Why a DataFrame row cannot be an article (the readers' rules), or None."""
    if article_id is None or not str(article_id).strip():
        return "missing id"
    if text is None:
        return "text is null"
    return text_problem(text, MAX_TEXT_CHARS)


def _trace(spark: Any, numbered: Any, params: TraceParams, attribute: bool) -> SparkTrace:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    n = numbered.count()
    step(spark, "fingerprint, boilerplate n-grams")

    found = numbered.select("number", "text").mapInArrow(fingerprints(params),
                                                         FINGERPRINT_SCHEMA).cache()
    max_df = params.effective_max_df(n)
    postings = found.select("number", F.explode("shingles").alias("shingle"))
    held = postings.groupBy("shingle").agg(F.count("*").alias("df"))
    boilerplate = np.sort(np.array([r["shingle"] for r in held.filter(F.col("df") > max_df)
                                    .select("shingle").collect()], dtype=np.int64)
                          .view(np.uint64))
    # boilerplate n-grams left out before the postings are grouped by n-gram: a
    # paragraph in a fifth of the corpus would make one task of its postings
    common = spark.createDataFrame([(int(v),) for v in boilerplate.view(np.int64)],
                                   "shingle long")
    seeds = postings.join(F.broadcast(common), "shingle", "left_anti")
    seed_pairs = seeds.alias("x").join(seeds.alias("y"), "shingle") \
        .filter(F.col("x.number") < F.col("y.number")) \
        .groupBy(F.col("x.number").alias("i"), F.col("y.number").alias("j")).count() \
        .filter(F.col("count") >= params.min_shared_seeds).select("i", "j")
    bands = found.select("number", F.explode("bands").alias("band"))
    band_pairs = bands.alias("x").join(bands.alias("y"), "band") \
        .filter(F.col("x.number") < F.col("y.number")) \
        .select(F.col("x.number").alias("i"), F.col("y.number").alias("j"))
    # each article aligned with its earliest max_earlier_candidates earlier ones
    earliest = Window.partitionBy("j").orderBy("i")
    pairs = seed_pairs.union(band_pairs).distinct() \
        .withColumn("rank", F.row_number().over(earliest)) \
        .filter(F.col("rank") <= params.max_earlier_candidates).drop("rank")
    # each distinct pair of texts aligned once, as the first articles carrying them
    # (the local run's rule: copies share their alignment), given to every pair
    same = found.select("number", F.min("number").over(Window.partitionBy("digest"))
                        .alias("first"))
    pairs = pairs.join(same.withColumnRenamed("number", "i").withColumnRenamed("first", "si"),
                       "i") \
        .join(same.withColumnRenamed("number", "j").withColumnRenamed("first", "sj"), "j") \
        .cache()
    step(spark, "candidate pairs")
    n_pairs = pairs.count()
    text_pairs = pairs.select("si", "sj").distinct()

    # the texts are the largest table: joined by shuffle, never broadcast (Spark's
    # estimate of a cached table can be small enough to broadcast a corpus's texts)
    texts = numbered.select("number", "text").hint("merge")
    jobs = text_pairs.join(texts.withColumnRenamed("number", "si")
                           .withColumnRenamed("text", "text_i"), "si") \
        .join(texts.withColumnRenamed("number", "sj").withColumnRenamed("text", "text_j"), "sj") \
        .select(F.col("si").alias("i"), "text_i", F.col("sj").alias("j"), "text_j") \
        .repartition(_partitions(spark, n_pairs, PAIRS_PER_PARTITION), "j") \
        .sortWithinPartitions("j", "i")
    aligned = jobs.mapInArrow(alignments(params, boilerplate), PASSAGE_SCHEMA)
    # back to every pair of articles carrying the two texts
    columns = [c for c in PASSAGE_DTYPE.names if c not in ("a", "b")]
    passages = aligned.withColumnRenamed("a", "si").withColumnRenamed("b", "sj") \
        .join(pairs, ["si", "sj"]) \
        .select(F.col("i").cast("int").alias("a"), F.col("j").cast("int").alias("b"),
                *columns).cache()

    step(spark, "article facts to the driver")
    facts_rows = numbered.select("number", "id", "published", "outlet").join(
        found.select("number", "words", "chars"), "number").orderBy("number").collect()
    ids = [r["id"] for r in facts_rows]
    facts = ArticleFacts(ids, np.array([r["chars"] for r in facts_rows], dtype=np.int64),
                         [datetime.fromisoformat(r["published"]).isoformat()
                          if r["published"] else None for r in facts_rows])
    step(spark, "align, passages to the driver")
    table = passage_table(passages, ids)
    check_link_graph(len(table))
    stories = build_stories(facts, table, params,
                            np.array([r["words"] for r in facts_rows], dtype=np.int64))
    credits = Credits(None, 0, None, None, None)
    if attribute:
        credits = _credits(spark, numbered, stories, facts_rows)
    diffs = _diff_stories(spark, numbered, table, stories, params, boilerplate,
                          credits.of_members)
    aligned_pairs = len(np.unique(table.rows["a"].astype(np.int64) * max(n, 1)
                                  + table.rows["b"]))
    stats = {"articles": n, "rejected": 0, "candidate_pairs": n_pairs,
             "boilerplate_ngrams": len(boilerplate), "aligned_pairs": aligned_pairs,
             "passages": len(table),
             "reuse_passages": int(np.count_nonzero(table.rows["kind"] == KIND_CODE["reuse"])),
             "stories": len(stories), "articles_in_stories": sum(len(s.members) for s in stories),
             "diffs": sum(len(s.members) - 1 for s in stories), "attributions": credits.found,
             "workers": spark.sparkContext.defaultParallelism, "seconds": 0.0}
    return SparkTrace(numbered, passages, stories, diffs, stats, credits.table,
                      credits.provenance, credits.outlets, passage_rows=table)


# The passages come to the driver, where the stories are made (what the index
# does too): 40 bytes a passage, so 100 million passages (a 20-million-article
# archive at the generated corpora's rate) are 4 GB.  Past this the driver is
# the wrong place, and the run says so rather than dying of memory.
MAX_DRIVER_PASSAGES = 100_000_000


def check_link_graph(passages: int) -> None:
    if passages > MAX_DRIVER_PASSAGES:
        raise MemoryError(f"{passages:,} passages are too many to make stories on the driver "
                          f"(at most {MAX_DRIVER_PASSAGES:,}): split the corpus by time")


class Credits(NamedTuple):
    """What the attribution stage found: every attribution (a DataFrame), how many,
    the story members' credits (for the diffs), provenance and outlet credits."""

    table: Any
    found: int
    of_members: dict[str, list[Attribution]] | None
    provenance: list[Provenance] | None
    outlets: list[OutletCredit] | None


def _credits(spark: Any, numbered: Any, stories: list[Story], facts_rows: list) -> Credits:
    """Every article's attributions on the executors; the credits of the story
    members to the driver, where each story's provenance is read (as locally)."""
    step(spark, "attributions")
    table = numbered.select("number", "id", "text").mapInArrow(attributions(),
                                                                ATTRIBUTION_SCHEMA).cache()
    found = table.count()
    number = {r["id"]: r["number"] for r in facts_rows}
    in_story = sorted({number[m] for s in stories for m in s.members})
    members = spark.createDataFrame([(k,) for k in in_story], "number long")
    step(spark, "story members' credits to the driver")
    of_members: dict[str, list[Attribution]] = {}
    for row in table.filter("is_credit").join(members, "number").orderBy("number", "nth") \
            .collect():
        of_members.setdefault(row["article"], []).append(attribution_of(row))
    members_rows = [facts_rows[k] for k in in_story]  # rows are in number order
    published = {r["id"]: datetime.fromisoformat(r["published"]) if r["published"] else None
                 for r in members_rows}
    outlet = {r["id"]: r["outlet"] for r in members_rows}
    provenance = [story_provenance(s, appearance_order(s, [published[m] for m in s.members]),
                                   of_members) for s in stories]
    return Credits(table, found, of_members, provenance,
                   outlet_credits(stories, outlet.get, of_members))


def _diff_stories(spark: Any, numbered: Any, table: PassageTable, stories: list[Story],
                  params: TraceParams, boilerplate: np.ndarray,
                  credits: dict[str, list[Attribution]] | None) -> Any:
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
                             pickle.dumps(table.of_pair(number[base], number[member])),
                             None if credits is None else pickle.dumps(credits.get(base, [])),
                             None if credits is None else pickle.dumps(credits.get(member, []))))
    todo = spark.createDataFrame(jobs, "job long, story string, base string, member string, "
                                       "between binary, a_credits binary, m_credits binary")
    fields = [c for c in ARTICLE_COLUMNS]
    side_a = numbered.select(*[numbered[c].alias(f"a_{c}") for c in fields]).hint("merge")
    side_m = numbered.select(*[numbered[c].alias(f"m_{c}") for c in fields]).hint("merge")
    todo = todo.join(side_a, todo["base"] == side_a["a_id"]) \
        .join(side_m, todo["member"] == side_m["m_id"]) \
        .select("job", "story", "between", "a_credits", "m_credits",
                *[f"a_{c}" for c in fields],
                *[f"m_{c}" for c in fields]) \
        .repartition(_partitions(spark, len(jobs), DIFFS_PER_PARTITION), "story") \
        .sortWithinPartitions("story", "job")
    return todo.mapInArrow(diff_stage(params, boilerplate, credits is not None),
                           DIFF_SCHEMA).cache()


def trace_files(spark: Any, paths: Sequence[str | os.PathLike], options: dict | None = None,
                params: TraceParams | None = None, attribute: bool = True) -> SparkTrace:
    """The files or folders ``paths`` read on the executors by wiretrace's readers
    (:mod:`.reading`; ``options``: ``iter_articles``' keywords) and traced: the
    rejections and field warnings of the reading are the result's, as locally."""
    from wiretrace.spark.reading import problems, read_inputs

    params = params or TraceParams()
    step(spark, "read the input files")
    rows, unlisted, files = read_inputs(spark, paths, options or {})
    found, duplicates = _traced(spark, rows.filter("kind = 'article'"), files, params,
                                attribute)
    # a field warning of an article left out as a later copy of an id is no warning
    dropped = {(file, record) for file, record, _ in duplicates}
    found.warnings = [w for file, record, w in problems(rows, "warning")
                      if (file, record) not in dropped]
    # in reading order, as the local run lists them
    read = sorted(problems(rows, "rejected") + duplicates, key=lambda p: (p[0], p[1]))
    found.rejected = unlisted + [rejected for _, _, rejected in read]
    found.stats["rejected"] = len(found.rejected)
    rows.unpersist()
    return found


def spark_session(master: str) -> tuple[Any, bool]:
    """The running session, or a new one at ``master``; whether it was made here.
    The executors run this Python (it has wiretrace) unless PYSPARK_PYTHON says."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()  # a caller's session is used, and left running
    if running is not None:
        return running, False
    return (SparkSession.builder.master(master).appName("wiretrace")
            .config("spark.ui.showConsoleProgress", "false").getOrCreate()), True
