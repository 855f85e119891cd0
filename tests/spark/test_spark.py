"""The Spark driver against the local run: a real ``local[2]`` session, one per test
run, on the Java the machine has; the same passages, stories, origins and edges."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

import wiretrace
from wiretrace.evaluate.corpora import bbc_articles
from wiretrace.model import Article

pyspark = pytest.importorskip("pyspark")
pytestmark = pytest.mark.skipif(shutil.which("java") is None and not os.environ.get("CI"),
                                reason="no java for Spark (make test installs it)")


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the executors run this venv's Python
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("wiretrace-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
               .config("spark.driver.memory", "1g").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def frame(spark, articles: list[Article]):
    return spark.createDataFrame(
        [(a.id, a.text, a.title, a.outlet, a.url,
          a.published.isoformat() if a.published else None) for a in articles],
        "id string, text string, title string, outlet string, url string, published string")


def same_answers(spark, articles: list[Article]) -> tuple[int, int]:
    """Passages, stories, origins and edges of both runs compared; their counts."""
    from wiretrace.spark import trace

    local = wiretrace.trace(articles, attribute=False, workers=1)
    found = trace(spark, frame(spark, articles))
    result = found.to_result()

    def passages(r):
        return sorted((p.a, p.b, p.a_start, p.a_end, p.b_start, p.b_end, p.kind,
                       p.matched_words, round(p.score, 6), p.slots_kept, p.slots_changed)
                      for p in r.passages)

    def stories(stories):
        return sorted((tuple(sorted(s.members)), s.origin, s.origin_reason,
                       tuple(sorted((e.source, e.target, round(e.target_share, 6))
                                    for e in s.edges))) for s in stories)

    assert passages(result) == passages(local)
    # each version against the same base, with the same changes, summary and all
    assert [d.to_dict() for d in result.diffs] == [d.to_dict() for d in local.diffs]
    assert stories(found.stories) == stories(local.stories)  # ids may be numbered otherwise
    assert found.stats["candidate_pairs"] == local.stats["candidate_pairs"]
    assert found.stats["boilerplate_ngrams"] == local.stats["boilerplate_ngrams"]
    return len(local.passages), len(local.stories)


def test_the_seed_pair_gives_the_local_answers(spark, seed_articles):
    assert same_answers(spark, list(seed_articles)) == (5, 1)


def test_the_bbc_corpus_gives_the_local_answers(spark):
    articles = list(bbc_articles())
    passages, stories = same_answers(spark, articles)
    assert passages > 700 and stories > 200


def test_a_duplicate_id_is_left_out_as_the_local_run_rejects_it(spark, seed_articles):
    from wiretrace.spark import trace

    a, b = seed_articles
    found = trace(spark, frame(spark, [a, b, Article(a.id, "Another text entirely.")]))
    assert found.stats["duplicates"] == 1 and found.stats["articles"] == 2
    assert [len(s.members) for s in found.stories] == [2]


def test_trace_engine_spark_writes_the_local_files(spark, seeds_dir, tmp_path):
    """``wiretrace trace --engine spark``: the same result files as the local run
    (without attributions, which the Spark driver does not make yet)."""
    from wiretrace.cli.main import main

    assert main(["trace", str(seeds_dir), "--out", str(tmp_path / "spark"), "--engine",
                 "spark", "--quiet"]) == 0
    assert main(["trace", str(seeds_dir), "--out", str(tmp_path / "local"),
                 "--no-attributions", "--quiet"]) == 0
    for name in ("articles.jsonl", "passages.jsonl", "stories.jsonl", "diffs.jsonl",
                 "outlets.jsonl", "rejected.jsonl"):
        assert (tmp_path / "spark" / name).read_bytes() == \
            (tmp_path / "local" / name).read_bytes(), name
    assert (tmp_path / "spark" / "report.html").stat().st_size > 10_000
    assert not (tmp_path / "spark" / "attributions.jsonl").exists()
