"""``benchmarks/make_corpus.py``: a scale corpus with planted, recorded reuse.

Small corpora generated from the real BBC and Reuters archives: the same seed
writes the same bytes (whatever the number of processes), the mixture is the
configured one, every truth span points at the text it claims, unrelated
originals share no 8-word run, and ``wiretrace.trace`` groups every planted
verbatim copy with its source.
"""

from __future__ import annotations

import difflib
import importlib.util
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import wiretrace
from wiretrace.datasets import data_dir
from wiretrace.text import tokenize

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "make_corpus.py"
ARCHIVES = ("bbc-news.tar.xz", "reuters21578.tar.xz")
RUN = 8


@pytest.fixture(scope="module")
def mc():
    missing = [name for name in ARCHIVES if not (data_dir() / name).exists()]
    if missing:
        pytest.skip(f"corpus archives not found in {data_dir()}: {', '.join(missing)}")
    spec = importlib.util.spec_from_file_location("make_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(mc, tmp_path_factory):
    """300 articles, default mixture, seed 1."""
    out = tmp_path_factory.mktemp("corpus")
    mc.generate(mc.Config(articles=300, seed=1), out)
    return load(out)


def load(out: Path) -> dict:
    articles = pq.read_table(out / "articles.parquet").to_pylist()
    return {"dir": out,
            "articles": articles,
            "text": {a["id"]: a["text"] for a in articles},
            "truth": pq.read_table(out / "truth.parquet").to_pylist(),
            "stories": {r["id"]: r for r in pq.read_table(out / "stories.parquet").to_pylist()}}


def files(out: Path) -> dict[str, bytes]:
    return {name: (out / f"{name}.parquet").read_bytes()
            for name in ("articles", "truth", "stories")}


def test_same_seed_same_bytes_different_seed_different(mc, corpus, tmp_path):
    again, parallel, other = tmp_path / "again", tmp_path / "parallel", tmp_path / "other"
    mc.generate(mc.Config(articles=300, seed=1), again)
    assert files(again) == files(corpus["dir"])
    # more chunks built by two processes: still one result for one seed
    mc.generate(mc.Config(articles=300, seed=1, chunk_articles=100), parallel, jobs=2)
    mc.generate(mc.Config(articles=300, seed=1, chunk_articles=100), tmp_path / "serial")
    assert files(parallel) == files(tmp_path / "serial")
    mc.generate(mc.Config(articles=300, seed=2), other)
    theirs = files(other)
    assert all(theirs[name] != data for name, data in files(corpus["dir"]).items())
    assert {a["text"] for a in load(other)["articles"]} != {a["text"] for a in
                                                           corpus["articles"]}


def test_articles_look_like_news(corpus):
    articles = corpus["articles"]
    assert len(articles) == len({a["id"] for a in articles}) == 300
    for a in articles:
        paragraphs = a["text"].split("\n\n")
        assert a["title"] == paragraphs[0] and "\n" not in a["title"]
        assert len(paragraphs) >= 2 and all(p.strip() == p and p for p in paragraphs)
        assert a["outlet"] and a["published"] is not None


def test_mixture_is_the_configured_one(mc, corpus):
    roles = Counter(r["role"] for r in corpus["stories"].values())
    assert roles["derived"] == round(300 * mc.Config().derived_share)
    originals = {r["id"] for r in corpus["stories"].values() if r["role"] == "original"}
    sizes = Counter(r["story"] for r in corpus["stories"].values() if r["story"])
    assert set(sizes) == originals
    assert all(2 <= size <= 50 for size in sizes.values())
    assert np.median(list(sizes.values())) <= 3  # skewed: most stories are small
    assert roles["unrelated"] == 300 - roles["derived"] - len(originals)
    kinds = Counter(r["kind"] for r in corpus["stories"].values() if r["role"] == "derived")
    assert set(kinds) == set(mc.KINDS)
    weights = mc.DEFAULT_KIND_WEIGHTS
    for kind, weight in weights.items():
        assert abs(kinds[kind] / roles["derived"] - weight / sum(weights.values())) < 0.1, kinds


def test_shares_and_kinds_are_configurable(mc, tmp_path):
    mc.generate(mc.Config(articles=200, seed=3, derived_share=0.2,
                          kind_weights={"copy": 1.0, "reworded": 1.0}), tmp_path)
    got = load(tmp_path)
    roles = Counter(r["role"] for r in got["stories"].values())
    assert roles["derived"] == 40
    kinds = Counter(r["kind"] for r in got["stories"].values() if r["role"] == "derived")
    assert set(kinds) == {"copy", "reworded"} and min(kinds.values()) >= 10


def check_truth(got: dict, mc) -> None:
    text, stories = got["text"], got["stories"]
    sources = defaultdict(set)
    for row in got["truth"]:
        target, source = text[row["target"]], text[row["source"]]
        t0, t1, s0, s1 = (row[k] for k in ("target_start", "target_end", "source_start",
                                           "source_end"))
        assert 0 <= t0 < t1 <= len(target) and 0 <= s0 < s1 <= len(source), row
        # a stretch is whole paragraphs on both sides
        for doc, a, b in ((target, t0, t1), (source, s0, s1)):
            assert a == 0 or doc[a - 2:a] == "\n\n", row
            assert b == len(doc) or doc[b:b + 2] == "\n\n", row
        copied, original = target[t0:t1], source[s0:s1]
        if row["kind"] in mc.VERBATIM_KINDS:
            assert row["verbatim"], row
        assert (copied == original) == row["verbatim"], row
        if not row["verbatim"]:  # an edited stretch: the same paragraphs, lightly changed
            assert copied.count("\n\n") == original.count("\n\n")
            assert difflib.SequenceMatcher(None, copied.split(), original.split(),
                                           autojunk=False).ratio() > 0.8, row
        assert stories[row["target"]]["role"] == "derived"
        assert row["story"] == stories[row["target"]]["story"]
        assert row["kind"] == stories[row["target"]]["kind"]
        sources[row["target"]].add(row["source"])
    for r in stories.values():
        if r["role"] == "derived":
            assert r["source"] in sources[r["id"]]
            assert stories[r["source"]]["story"] == r["story"]
            assert (len(sources[r["id"]]) == 2) == (r["kind"] == "spliced")
        else:
            assert r["id"] not in sources
            assert r["story"] == (r["id"] if r["role"] == "original" else None)


def test_truth_spans_point_at_the_reused_text(mc, corpus):
    check_truth(corpus, mc)
    verbatim = Counter(row["verbatim"] for row in corpus["truth"])
    assert verbatim[True] > 0 and verbatim[False] > 0


def runs(text: str) -> set[int]:
    """Hashes of every run of RUN words, as wiretrace tokenises."""
    h = tokenize(text).hashes
    if len(h) < RUN:
        return set()
    with np.errstate(over="ignore"):
        acc = np.zeros(len(h) - RUN + 1, dtype=np.uint64)
        for k in range(RUN):
            acc = acc * np.uint64(1_000_003) + h[k:len(h) - RUN + 1 + k]
    return set(acc.tolist())


def shared_runs(got: dict) -> list[tuple[str, str]]:
    """Pairs of originals (of stories, or unrelated) that share a run of RUN words."""
    holder: dict[int, str] = {}
    clashes = []
    for article_id, r in sorted(got["stories"].items()):
        if r["role"] == "derived":
            continue
        for h in runs(got["text"][article_id]):
            if holder.setdefault(h, article_id) != article_id:
                clashes.append((holder[h], article_id))
    return clashes


def test_unrelated_originals_share_no_run_of_eight_words(mc, corpus):
    originals = [r for r in corpus["stories"].values() if r["role"] != "derived"]
    assert len(originals) == 180
    assert shared_runs(corpus) == []
    # the script's own check, over all articles: only related ones share runs
    check = mc.check_runs(corpus["dir"])
    assert check["pairs_sharing_a_run"] > 0 and check["unrelated_pairs_sharing_a_run"] == 0


def test_synthetic_originals_are_distinct_too(mc, tmp_path):
    """Past the real texts (forced here with max_real=0), originals are synthesised."""
    mc.generate(mc.Config(articles=200, seed=4, max_real=0), tmp_path)
    got = load(tmp_path)
    meta = (tmp_path / "meta.json").read_text()
    assert '"original:real"' not in meta and '"unrelated:real"' not in meta
    real = set(mc.material().par_text)
    for r in got["stories"].values():
        if r["role"] != "derived":
            assert not set(got["text"][r["id"]].split("\n\n")[1:]) & real
    assert shared_runs(got) == []
    check_truth(got, mc)


def test_trace_groups_every_planted_copy_with_its_source(corpus):
    articles, rejected = wiretrace.read_articles([corpus["dir"] / "articles.parquet"])
    assert not rejected and len(articles) == 300
    result = wiretrace.trace(articles)
    copies = [r for r in corpus["truth"] if r["kind"] == "copy"]
    assert copies
    for row in copies:
        story = result.story_of(row["target"])
        assert story is not None and row["source"] in story.members, row
    # unrelated articles (no 8-word run with anything) stay out of stories
    unrelated = [i for i, r in corpus["stories"].items() if r["role"] == "unrelated"]
    joined = [i for i in unrelated if result.story_of(i) is not None]
    assert len(joined) <= 0.02 * len(unrelated), joined
