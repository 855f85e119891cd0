"""The Spark driver against the local run: a real ``local[2]`` session, one per test
run, on the Java the machine has; the same passages, stories, origins and edges."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import wiretrace
from wiretrace.evaluate.corpora import bbc_articles, reuters_articles
from wiretrace.model import Article

ROOT = Path(__file__).resolve().parents[2]
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


def same_answers(spark, articles: list[Article], attribute: bool = False,
                 params: wiretrace.TraceParams | None = None) -> tuple[int, int]:
    """Passages, stories, origins, edges, diffs (and with ``attribute`` the
    attributions and provenance) of both runs compared; their counts."""
    from wiretrace.spark import trace

    local = wiretrace.trace(articles, attribute=attribute, workers=1, params=params)
    found = trace(spark, frame(spark, articles), params, attribute=attribute)
    return compared(local, found)


def compared(local, found) -> tuple[int, int]:
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
    for key in ("articles", "candidate_pairs", "boilerplate_ngrams", "aligned_pairs",
                "passages", "reuse_passages", "stories", "articles_in_stories", "diffs",
                "attributions"):
        assert found.stats[key] == local.stats[key], key
    if local.attributions is not None:
        assert result.attributions == local.attributions
        assert [p.to_dict() for p in result.provenance] == \
            [p.to_dict() for p in local.provenance]
        assert result.outlets == local.outlets
    return len(local.passages), len(local.stories)


def test_the_seed_pair_gives_the_local_answers_credits_included(spark, seed_articles):
    assert same_answers(spark, list(seed_articles), attribute=True) == (5, 1)


def test_the_bbc_corpus_gives_the_local_answers(spark):
    articles = list(bbc_articles())
    passages, stories = same_answers(spark, articles)
    assert passages > 700 and stories > 200


def test_the_real_archive_gives_the_local_answers(spark):
    """All of Reuters-21578 with its dates and BBC: the templates, the time rule
    and the stories that do not chain, on Spark as locally."""
    articles = list(reuters_articles()) + list(bbc_articles())
    passages, stories = same_answers(spark, articles)
    assert len(articles) > 21_000 and stories > 1_500


def test_a_generated_corpus_read_by_the_executors_gives_the_local_answers(spark, tmp_path):
    """10,000 generated articles as a Parquet dataset (part files, as Spark jobs
    write them, and a _SUCCESS marker), read by the executors' tasks."""
    import pyarrow.parquet as pq

    from wiretrace.spark import trace_files

    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"),
                          "--articles", "10000", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    table = pq.read_table(tmp_path / "articles.parquet")
    parts = tmp_path / "dataset"
    parts.mkdir()
    for k in range(4):
        pq.write_table(table.slice(k * 2_500, 2_500), parts / f"part-{k:05d}.parquet")
    (parts / "_SUCCESS").write_bytes(b"")
    local = wiretrace.trace(wiretrace.read_articles([parts])[0], attribute=False)
    found = trace_files(spark, [str(parts)], attribute=False)
    assert found.rejected == [] and found.stats["articles"] == 10_000
    passages, stories = compared(local, found)
    assert passages > 10_000 and stories > 1_000


def test_a_story_republished_many_times_aligns_each_with_its_earliest(spark, seed_articles):
    """Each of 120 copies aligned with its 20 earliest earlier ones, on Spark as
    locally: one story."""
    text = seed_articles[0].text
    versions = [Article(f"v{k:03d}", f"{text}\n\nPublished by outlet number {k} of many, "
                                     f"with its own closing line {k * 7919}.")
                for k in range(120)]
    params = wiretrace.TraceParams(max_earlier_candidates=20)
    assert same_answers(spark, versions, params=params)[1] == 1


def test_a_duplicate_id_is_left_out_as_the_local_run_rejects_it(spark, seed_articles):
    from wiretrace.spark import trace

    a, b = seed_articles
    rows = [a, Article(" ", "A text without an id."), b, Article("blank", "   "),
            Article(a.id, "Another text entirely.")]
    given = frame(spark, rows).union(spark.createDataFrame(
        [("no-text", None, None, None, None, None)],
        "id string, text string, title string, outlet string, url string, published string"))
    found = trace(spark, given, attribute=False)
    assert found.stats["articles"] == 2 and found.stats["rejected"] == 4
    assert [(r.location, r.reason) for r in found.rejected] == [
        ("row 2", "missing id"), ("row 4", "text is only whitespace"),
        ("row 5", f"duplicate id {a.id!r}, first seen at <api>"), ("row 6", "text is null")]
    assert [len(s.members) for s in found.stories] == [2]


def test_trace_engine_spark_writes_the_local_files(spark, seeds_dir, tmp_path):
    """``wiretrace trace --engine spark --jsonl``: the same result files as the local
    run, attributions and provenance included, beside the Parquet datasets; without
    ``--jsonl`` and the report, the datasets and the counts only."""
    import pyarrow.parquet as pq

    from wiretrace.cli.main import main

    assert main(["trace", str(seeds_dir), "--out", str(tmp_path / "spark"), "--engine",
                 "spark", "--jsonl", "--quiet"]) == 0
    assert main(["trace", str(seeds_dir), "--out", str(tmp_path / "local"), "--quiet"]) == 0
    for name in ("articles.jsonl", "passages.jsonl", "stories.jsonl", "diffs.jsonl",
                 "outlets.jsonl", "rejected.jsonl", "attributions.jsonl", "provenance.jsonl"):
        assert (tmp_path / "spark" / name).read_bytes() == \
            (tmp_path / "local" / name).read_bytes(), name
    assert (tmp_path / "spark" / "report.html").stat().st_size > 10_000
    passages = pq.read_table(tmp_path / "spark" / "passages.parquet")
    assert passages.num_rows == 5 and set(passages.column("a_id").to_pylist()) == {
        "niger-wagner-a"}
    diffs = pq.read_table(tmp_path / "spark" / "diffs.parquet").to_pylist()
    assert [json.loads(d["diff"])["b"] for d in diffs] == ["niger-wagner-b"]
    assert pq.read_table(tmp_path / "spark" / "attributions.parquet").num_rows > 10
    assert main(["trace", str(seeds_dir), "--out", str(tmp_path / "datasets"), "--engine",
                 "spark", "--no-report", "--quiet"]) == 0
    written = sorted(p.name for p in (tmp_path / "datasets").iterdir())
    assert written == ["articles.parquet", "attributions.parquet", "diffs.parquet",
                       "passages.parquet", "rejected.jsonl", "stories.parquet", "summary.json"]
    summary = json.loads((tmp_path / "datasets" / "summary.json").read_text(encoding="utf-8"))
    local = json.loads((tmp_path / "local" / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"] == local["counts"] and summary["outlets"] == local["outlets"]


def test_bad_input_is_rejected_and_reported_as_locally(spark, seeds_dir, tmp_path):
    """Each file read by an executor's task with the local readers: a broken
    line, a record without text, an unreadable date, a binary file, an id
    taken in another file, an empty file, a folder's _SUCCESS marker."""
    from wiretrace.cli.main import main

    inputs = tmp_path / "in"
    inputs.mkdir()
    a, b = (p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt")))
    (inputs / "1.jsonl").write_text(
        json.dumps({"id": "a", "text": a, "published": "26-FEB-1987 15:01:01.79"}) + "\n"
        + "{not json\n" + json.dumps({"id": "x"}) + "\n"
        + json.dumps({"id": "b", "text": b, "published": "the day after"}) + "\n",
        encoding="utf-8")
    (inputs / "2.jsonl").write_text(json.dumps({"id": "a", "text": b, "published": "never"})
                                    + "\n", encoding="utf-8")
    (inputs / "3.csv").write_bytes(b"")
    (inputs / "4.parquet").write_bytes(bytes(range(256)) * 4)
    (inputs / "_SUCCESS").write_bytes(b"")
    for engine in ("spark", "local"):
        assert main(["trace", str(inputs), str(tmp_path / "missing"), "--out",
                     str(tmp_path / engine), "--engine", engine, "--no-attributions",
                     "--jsonl", "--quiet"]) == 0
    for name in ("rejected.jsonl", "warnings.jsonl", "articles.jsonl", "stories.jsonl",
                 "diffs.jsonl"):
        assert (tmp_path / "spark" / name).read_bytes() == \
            (tmp_path / "local" / name).read_bytes(), name
    reasons = [json.loads(line)["reason"] for line in
               (tmp_path / "spark" / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(reasons) == 5 and any("duplicate id 'a'" in r for r in reasons), reasons
    warned = (tmp_path / "spark" / "warnings.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(warned) == 1 and "the day after" in warned[0]  # not the duplicate's "never"


def test_a_dataframe_spark_read_itself_keeps_the_publication_times(spark, seed_articles,
                                                                     tmp_path):
    """``trace(spark, spark.read.parquet(...))``: a timestamp column is the same
    instant the local reader reads from the file."""
    from datetime import datetime, timezone

    import pyarrow as pa
    import pyarrow.parquet as pq

    from wiretrace.spark import trace

    when = [datetime(2023, 7, 30, 9, 15, 0, 250_000, tzinfo=timezone.utc), None]
    pq.write_table(pa.table({"id": [a.id for a in seed_articles],
                             "text": [a.text for a in seed_articles],
                             "published": pa.array(when, pa.timestamp("us", tz="UTC"))}),
                   tmp_path / "seeds.parquet")
    local = wiretrace.read_articles([tmp_path / "seeds.parquet"])[0]
    found = trace(spark, spark.read.parquet(str(tmp_path / "seeds.parquet")), attribute=False)
    result = found.to_result()
    assert [a.published for a in result.articles.values()] == [a.published for a in local]
    assert local[0].published == when[0] and len(found.stories) == 1
