"""``benchmarks/make_corpus.py``: a scale corpus with planted, recorded reuse.

Small corpora generated from the real BBC and Reuters archives: the same seed
writes the same bytes (whatever the number of processes), the mixture is the
configured one, every truth span points at the text it claims, unrelated
originals share no 8-word run, templated items share their family's frame but
not its fillers and are recorded as their family (never as one story), series
items are re-issued (corrected or re-sent) as the same story, and
``wiretrace.trace`` groups every planted verbatim copy with its source.
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
from wiretrace.evaluate.corpora import data_dir
from wiretrace.text.tokens import tokenize

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "make_corpus.py"
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
    assert set(kinds) - set(mc.SERIES_KINDS) == set(mc.KINDS)
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
    assert set(kinds) - set(mc.SERIES_KINDS) == {"copy", "reworded"}
    assert min(kinds[k] for k in ("copy", "reworded")) >= 10


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
            # (by words; a short table line's respelt names, by characters)
            assert difflib.SequenceMatcher(None, copied.split(), original.split(),
                                           autojunk=False).ratio() > 0.8 \
                or difflib.SequenceMatcher(None, copied, original,
                                           autojunk=False).ratio() > 0.9, row
        assert stories[row["target"]]["role"] == "derived"
        assert row["story"] == stories[row["target"]]["story"]
        assert row["kind"] == stories[row["target"]]["kind"]
        sources[row["target"]].add(row["source"])
    for r in stories.values():
        if r["role"] == "derived":
            assert r["source"] in sources[r["id"]]
            assert stories[r["source"]]["story"] == r["story"]
            assert (len(sources[r["id"]]) == 2) == (r["kind"] == "spliced")
            # a version carries the frame of its source: the same family
            assert all(r[k] == stories[r["source"]][k]
                       for k in ("template", "template_kind", "frame")), r
            if r["kind"] in mc.SERIES_KINDS:  # the wire's re-issue of a series item
                assert r["template_kind"] == "series"
                assert stories[r["source"]]["role"] == "original"
        else:
            assert r["id"] not in sources
            assert r["story"] == (r["id"] if r["role"] == "original" else None)
        assert (r["template"] is None) == (r["template_kind"] is None) == (r["frame"] is None)


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
    """Pairs of originals (of stories, or unrelated) that share a run of RUN words,
    but for template siblings (one family: one frame)."""
    holder: dict[int, str] = {}
    clashes = []
    stories = got["stories"]
    for article_id, r in sorted(stories.items()):
        if r["role"] == "derived":
            continue
        for h in runs(got["text"][article_id]):
            first = holder.setdefault(h, article_id)
            if first != article_id and (r["template"] is None
                                        or stories[first]["template"] != r["template"]):
                clashes.append((first, article_id))
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
    # unrelated articles (no 8-word run with anything) stay out of stories; templated
    # ones share a frame with their siblings: scored by benchmarks/scale.py instead
    unrelated = [i for i, r in corpus["stories"].items()
                 if r["role"] == "unrelated" and r["template"] is None]
    joined = [i for i in unrelated if result.story_of(i) is not None]
    assert len(joined) <= 0.02 * len(unrelated), joined


# --------------------------------------------------------------------------- templates

def slot_shaped(token: str) -> bool:
    """A token a frame's slot can hold: a figure, a name, a ticker, a month."""
    return token[0].isdigit() or token[0].isupper() or token[0] == "<" \
        or token in ("of", "and", "de", "&")


def frame_of(text: str, token_re) -> list[str]:
    """The tokens of ``text`` with each run of slot-shaped tokens as one "#"."""
    out: list[str] = []
    for token in token_re.findall(text):
        if not slot_shaped(token):
            out.append(token)
        elif not out or out[-1] != "#":
            out.append("#")
    return out


def only_fillers_differ(a: str, b: str, token_re) -> bool:
    """``a`` and ``b`` have one frame (of a few words at least): they differ only
    in slot-shaped tokens."""
    frame = frame_of(a, token_re)
    return frame == frame_of(b, token_re) and sum(t != "#" for t in frame) >= 2


def test_template_families_come_from_recurring_reuters_frames(mc):
    frames = mc.material().frames
    families, bases = frames["families"], frames["bases"]
    assert len(families) >= 50 and len(bases) >= 500
    assert 10 <= sum(f["series"] for f in families) < len(families)
    sizes = Counter(frames["base_family"].tolist())
    assert all(sizes[f] >= 1 for f in range(len(families)))
    assert all(f["real_items"] >= 2 and f["period_days"] in (1, 7) for f in families)
    # the real items are kept out of the material (with every run they hold)
    real = set(mc.material().par_text)
    assert not {"".join(p[1] for p in par) for base in bases for par in base[1:]
                if len("".join(p[1] for p in par).split()) >= 8} & real


def test_templated_siblings_share_a_frame_and_differ_in_fillers(mc):
    from corpus_gen.fill import fill
    from corpus_gen.frames import TOKEN

    frames = mc.material().frames
    rng = np.random.default_rng(5)
    picked = rng.choice(len(frames["bases"]), 60, replace=False)
    for base in picked.tolist():
        a, b = (fill(frames, base, rng, 1_710_000_000 + k * 86400) for k in range(2))
        assert a != b and len(a) == len(b) == len(frames["bases"][base])
        assert all(p and p.strip() == p and "\n" not in p for p in a + b)
        text_a, text_b = "\n\n".join(a), "\n\n".join(b)
        assert only_fillers_differ(text_a, text_b, TOKEN), (text_a, text_b)
        real = "\n\n".join("".join(p[1] for p in par) for par in frames["bases"][base])
        assert only_fillers_differ(real, text_a, TOKEN) and real != text_a
    # one item fills a value the same way everywhere (a dividend "35 cts vs 35 cts")
    again = fill(frames, int(picked[0]), np.random.default_rng(9), 1_710_000_000)
    assert again == fill(frames, int(picked[0]), np.random.default_rng(9), 1_710_000_000)


@pytest.fixture(scope="module")
def series_corpus(mc, tmp_path_factory):
    """400 articles, many of them templated and series items."""
    out = tmp_path_factory.mktemp("series")
    mc.generate(mc.Config(articles=400, seed=6, template_share=0.2, series_share=0.3), out)
    return load(out)


def test_templated_items_are_recorded_as_families_not_stories(mc, corpus, series_corpus):
    for got, config in ((corpus, mc.Config()), (series_corpus, mc.Config(template_share=0.2,
                                                                         series_share=0.3))):
        check_truth(got, mc)
        rows = [r for r in got["stories"].values() if r["role"] != "derived"]
        made = Counter(r["template_kind"] for r in rows)
        n = len(got["articles"])
        assert made["template"] == round(n * config.template_share)
        assert made["series"] == round(n * config.series_share)
        for r in rows:  # a templated original is its own story, or in none
            assert r["story"] in (None, r["id"])
            assert (r["template"] or "tpl").startswith("tpl")
        # same family: one frame, other fillers; never one story unless planted so
        by_family = defaultdict(list)
        for r in rows:
            if r["template"]:
                by_family[r["template"]].append(r["id"])
        pairs = [(a, b) for ids in by_family.values() for a in ids for b in ids if a < b]
        assert pairs
        for a, b in pairs:
            assert got["text"][a] != got["text"][b]
            assert got["stories"][a]["story"] is None or \
                got["stories"][a]["story"] != got["stories"][b]["story"]
    # items made from one real item's frame differ in their fillers only
    from corpus_gen.frames import TOKEN

    rows = series_corpus["stories"]
    same_frame = [(a, b) for a in rows for b in rows if a < b and rows[a]["role"] != "derived"
                  and rows[b]["role"] != "derived" and rows[a]["frame"] is not None
                  and rows[a]["frame"] == rows[b]["frame"]]
    assert len(same_frame) >= 5
    for a, b in same_frame:
        assert only_fillers_differ(series_corpus["text"][a], series_corpus["text"][b], TOKEN)
    # series items share their frame runs with their siblings, never with another article
    check = mc.check_runs(series_corpus["dir"])
    assert check["template_pairs_sharing_a_run"] > 0
    assert check["unrelated_pairs_sharing_a_run"] == 0, check
    assert shared_runs(series_corpus) == []


def test_series_items_are_corrected_or_resent_as_one_story(mc, series_corpus):
    from corpus_gen.frames import TOKEN

    got = series_corpus
    stories, text = got["stories"], got["text"]
    outlet = {a["id"]: a["outlet"] for a in got["articles"]}
    published = {a["id"]: a["published"] for a in got["articles"]}
    reissued = [r for r in stories.values() if r["kind"] in mc.SERIES_KINDS]
    kinds = Counter(r["kind"] for r in reissued)
    assert kinds["corrected"] >= 3 and kinds["resent"] >= 3, kinds
    for r in reissued:
        source = r["source"]
        assert r["story"] == source and outlet[r["id"]] == outlet[source]
        assert published[r["id"]] > published[source]
        rows = [t for t in got["truth"] if t["target"] == r["id"]]
        if r["kind"] == "resent":
            assert text[r["id"]] == text[source] and all(t["verbatim"] for t in rows)
            continue
        # one figure put right, in one paragraph; the rest verbatim
        a, b = TOKEN.findall(text[source]), TOKEN.findall(text[r["id"]])
        assert len(a) == len(b)
        changed = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        assert len(changed) == 1 and changed[0][0][0].isdigit(), changed
        assert sum(not t["verbatim"] for t in rows) == 1
    # the issues of one series are spread over the year, one period apart at most
    series = defaultdict(list)
    for r in stories.values():
        if r["template_kind"] == "series" and r["role"] != "derived":
            series[r["template"]].append(published[r["id"]])
    assert any(len(set(d.date() for d in days)) >= 3 for days in series.values())


def test_template_shares_can_be_zero_and_are_checked(mc, tmp_path):
    mc.generate(mc.Config(articles=120, seed=2, template_share=0.0, series_share=0.0), tmp_path)
    got = load(tmp_path)
    assert all(r["template"] is None and r["kind"] not in mc.SERIES_KINDS
               for r in got["stories"].values())
    check_truth(got, mc)
    for bad in ({"template_share": -0.1}, {"template_share": 0.5, "series_share": 0.2}):
        with pytest.raises(ValueError, match="template_share"):
            mc.Config(**bad).check()
