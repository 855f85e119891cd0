"""The parts that keep a large run's memory bounded give the same answers as
the plain, all-in-memory way: the spilled seed index, the passage table,
aligning each distinct pair of texts once, and streamed diffs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import wiretrace
from wiretrace.candidates.seed_index import SeedIndex
from wiretrace.model import Article, Passage, PassageTable
from wiretrace.output.files import jsonl_writer, shared_shares
from wiretrace.pipeline import align_articles
from wiretrace.stories.build import covered_chars
from wiretrace.text.tokens import tokenize


def _random_shingles(seed: int, n_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct shingles per document from a small vocabulary, so pairs share many."""
    rng = np.random.default_rng(seed)
    docs = [np.unique(rng.integers(0, 400, size=rng.integers(0, 60))) for _ in range(n_docs)]
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum([len(d) for d in docs], out=offsets[1:])
    # spread over the whole 40-bit range, as real shingles are
    flat = np.concatenate(docs).astype(np.uint64) * np.uint64(2_654_435_761) % np.uint64(1 << 40)
    return flat, offsets


def _brute_force(flat: np.ndarray, offsets: np.ndarray, max_df: int, min_shared: int):
    sets = [set(flat[offsets[k]:offsets[k + 1]].tolist()) for k in range(len(offsets) - 1)]
    df: dict[int, int] = {}
    for s in sets:
        for x in s:
            df[x] = df.get(x, 0) + 1
    usable = {x for x, c in df.items() if c <= max_df}
    pairs = {}
    for i, j in itertools.combinations(range(len(sets)), 2):
        shared = len(sets[i] & sets[j] & usable)
        if shared >= min_shared:
            pairs[(i, j)] = shared
    return pairs, sorted(x for x, c in df.items() if c > max_df)


@pytest.mark.parametrize("partitions,workers", [((1, 1), 1), ((4, 8), 2), ((16, 64), 1),
                                                ((16, 64), 2)])
def test_spilled_seed_index_equals_brute_force(tmp_path, partitions, workers):
    flat, offsets = _random_shingles(7, 60)
    expected, expected_boilerplate = _brute_force(flat, offsets, max_df=12, min_shared=3)
    index = SeedIndex(tmp_path / "seeds", *partitions)
    # added in uneven batches, as fingerprint chunks arrive
    for lo, hi in ((0, 7), (7, 8), (8, 41), (41, 60)):
        index.add(lo, flat[offsets[lo]:offsets[hi]], offsets[lo:hi + 1] - offsets[lo])
    left, right, shared, boilerplate = index.pairs(max_df=12, min_shared=3, workers=workers)
    found = zip(zip(left.tolist(), right.tolist(), strict=True), shared.tolist(), strict=True)
    assert dict(found) == expected
    assert expected, "the corpus must have candidate pairs for the test to mean anything"
    assert boilerplate.tolist() == expected_boilerplate and expected_boilerplate
    assert np.all(np.diff(left * 1000 + right) > 0), "pairs sorted and distinct"
    assert not list((tmp_path / "seeds").iterdir()), "spill files are removed once used"


def test_seed_index_refuses_too_many_articles(tmp_path):
    index = SeedIndex(tmp_path)
    with pytest.raises(ValueError, match="at most"):
        index.add(1 << 24, np.array([1], dtype=np.uint64), np.array([0, 1]))


def test_seed_index_partitions_must_be_powers_of_two(tmp_path):
    with pytest.raises(ValueError, match="power of two"):
        SeedIndex(tmp_path, shingle_partitions=6)


def test_passage_table_reads_like_a_list():
    ids = ["x", "y", "z"]
    passages = [Passage("x", 0, 10, "y", 5, 15, 1.0, 3), Passage("z", 2, 9, "x", 1, 8, 0.5, 2),
                Passage("x", 20, 30, "y", 25, 35, 0.75, 4)]
    table = PassageTable.from_passages(passages, ids)
    assert len(table) == 3 and table == passages and list(table) == passages
    assert table[1] == passages[1] and table[1:] == passages[1:]
    assert table.of_pair(0, 1) == [passages[0], passages[2]]
    assert table.of_pair(0, 2) == [passages[1]]  # found as (z, x): both orders are looked up
    assert table.of_pair(1, 2) == []
    assert PassageTable.concat([], ids) == []


def test_shared_shares_equal_a_union_per_article():
    texts = {"a": "x" * 100, "b": "y" * 50, "c": "z" * 80, "d": "w" * 10}
    passages = [Passage("a", 0, 40, "b", 0, 30, 1, 5), Passage("a", 30, 60, "c", 0, 20, 1, 5),
                Passage("c", 10, 80, "a", 90, 100, 1, 5), Passage("b", 10, 50, "c", 70, 80, 1, 5)]
    result = wiretrace.TraceResult({k: Article(k, t) for k, t in texts.items()}, passages, [],
                                   [], [])
    shares = shared_shares(result)
    for article_id, text in texts.items():
        spans = [(p.a_start, p.a_end) for p in passages if p.a == article_id] + \
                [(p.b_start, p.b_end) for p in passages if p.b == article_id]
        assert shares[article_id] == round(covered_chars(spans) / len(text), 4)
    assert shares["a"] == 0.7 and shares["d"] == 0.0



def test_copies_share_one_alignment_and_match_pairwise_alignment(bbc):
    """Verbatim copies are aligned once per distinct pair of texts; every pair
    still gets exactly the passages a direct alignment gives it."""
    source, other = bbc["politics/049"], bbc["tech/151"]
    trimmed = Article("trimmed", source.text[: len(source.text) * 2 // 3])
    copies = [Article(f"copy-{k}", source.text) for k in range(3)]
    spliced = Article("spliced", source.text[:900] + "\n\nA line of its own here.\n\n"
                      + other.text[:900])
    articles = [source, *copies, trimmed, spliced, other]
    result = wiretrace.trace(articles, workers=1)
    by_pair: dict[tuple[str, str], list[Passage]] = {}
    for p in result.passages:
        by_pair.setdefault((p.a, p.b), []).append(p)
    assert ("copy-0", "copy-1") in by_pair and ("copy-1", "trimmed") in by_pair
    for (a_id, b_id), found in by_pair.items():
        a, b = result.articles[a_id], result.articles[b_id]
        assert found == align_articles(a, tokenize(a.text), b, tokenize(b.text),
                                       wiretrace.TraceParams())
    assert len(result.stories) == 1 and len(result.stories[0].members) == len(articles)


def test_streamed_diffs_and_kept_diffs(bbc, tmp_path):
    articles = [bbc["politics/049"], Article("copy", bbc["politics/049"].text[:1500]),
                bbc["tech/151"], Article("copy2", bbc["tech/151"].text[200:])]
    streamed: list = []
    result = wiretrace.trace(articles, diff_sink=streamed.append, keep_diffs=1, workers=1)
    everything = wiretrace.trace(articles, workers=1)
    assert [d.to_dict() for d in streamed] == [d.to_dict() for d in everything.diffs]
    assert len(result.stories) == 2 and len(streamed) == 2
    # only the largest story's diffs stay in the result; the count says how many were made
    assert [d.story for d in result.diffs] == [result.stories[0].id]
    assert result.stats["diffs"] == 2


def test_jsonl_writer_appears_only_when_complete(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"old": true}\n')
    with pytest.raises(RuntimeError):
        with jsonl_writer(path) as write:
            write({"n": 1})
            raise RuntimeError("killed mid-run")
    assert path.read_text() == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["rows.jsonl"], "no temporary file left"
    with jsonl_writer(path) as write:
        write({"n": 1})
        write(Passage("a", 0, 1, "b", 0, 1, 1.0, 1))
    assert path.read_text().count("\n") == 2


def test_article_store_round_trips_every_field(tmp_path):
    from datetime import datetime, timedelta, timezone

    from wiretrace.runtime.article_store import BATCH_ARTICLES, ArticleStore

    when = datetime(2023, 8, 6, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=-5)))
    articles = [Article("é-1", "Texte «accentué» — 中文 and 😀\n\nSecond line.", title="T",
                        outlet="Outlet", url="https://example.org/a", published=when,
                        read_from="feed.jsonl:1"),
                Article("plain", "x" * 10, published=datetime(2020, 1, 1))]
    # enough to fill more than one record batch
    articles += [Article(f"n{k}", f"text number {k}") for k in range(BATCH_ARTICLES + 5)]
    articles += [Article("plain", "a later article reusing an id"),
                 Article("bad", "broken \ud800 surrogate")]
    store = ArticleStore.build(articles, tmp_path)
    assert not list(tmp_path.iterdir()), "the mapped file is unlinked at once"
    assert len(store) == len(articles) - 2 and list(store)[:2] == ["é-1", "plain"]
    assert store["é-1"] == articles[0] and store["plain"] == articles[1]
    assert store.at(BATCH_ARTICLES + 3) == articles[BATCH_ARTICLES + 3]
    assert store.text(0) == articles[0].text and store.number("n0") == 2
    assert "n5" in store and "missing" not in store and store.get("missing") is None
    assert [(r.record_id, r.reason.split(" ")[0]) for r in store.duplicates] == [
        ("plain", "duplicate"), ("bad", "invalid")]
    # whole-store reads, a batch at a time, give what single reads give
    kept = [store.at(k) for k in range(len(store))]
    assert list(store.values()) == kept and [a for _, a in store.items()] == kept
    assert [i for i, _ in store.items()] == store.ids
    assert store.lengths().tolist() == [len(a.text) for a in kept]
    assert len(ArticleStore.build([], tmp_path)) == 0
    assert ArticleStore.build([], tmp_path).lengths().tolist() == []


def test_trace_result_articles_read_like_a_dict(bbc):
    articles = [bbc["politics/049"], Article("copy", bbc["politics/049"].text[:1500])]
    result = wiretrace.trace(articles, workers=1)
    assert dict(result.articles) == {a.id: a for a in articles}
    assert result.articles["copy"].text == articles[1].text


def test_in_sorted_equals_isin():
    from wiretrace.text.tokens import in_sorted

    rng = np.random.default_rng(5)
    for size in (0, 1, 7, 500):
        known = np.unique(rng.integers(0, 1000, size=size).astype(np.uint64))
        values = rng.integers(0, 1100, size=300).astype(np.uint64)  # some above every known
        assert np.array_equal(in_sorted(values, known), np.isin(values, known))
    assert in_sorted(np.zeros(0, dtype=np.uint64), known).tolist() == []
    assert in_sorted(np.array([2**64 - 1], dtype=np.uint64),
                     np.array([3, 2**64 - 1], dtype=np.uint64)).tolist() == [True]


def test_chunks_are_cut_only_where_a_unit_starts():
    from wiretrace.runtime.workers import chunks_at

    items = list(range(10))
    # units: [0-2], [3], [4-8], [9]
    assert chunks_at(items, [3, 4, 9], 2) == [[0, 1, 2], [3, 4, 5, 6, 7, 8], [9]]
    assert chunks_at(items, [3, 4, 9], 100) == [items]
    assert chunks_at(items, [], 1) == [items]
    assert chunks_at([], [], 5) == []


# --------------------------------------------------------------------------- scale scoring

def _scoring():
    """``benchmarks/scaling/score.py`` (benchmarks/ is not a package on the path)."""
    import importlib
    import sys
    from pathlib import Path

    bench = str(Path(__file__).resolve().parents[2] / "benchmarks")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    return importlib.import_module("scaling.score")


def _templated_corpus(folder, with_templates: bool = True):
    """A tiny corpus: a story (o1 and its copy d1), four earnings tables of one
    template family (t4 also copied, by c4) and two issues of a series."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = "Shr {} cts vs {} cts\n\nNet {} vs {} and revs of {} mln dlrs vs {} mln dlrs"
    texts = {
        "o1": "Title one\n\nalpha beta gamma delta epsilon zeta eta theta iota kappa lambda",
        "t1": "Acme Corp 4th Qtr Net\n\n" + table.format(28, 32, "2,585,000", "2,885,000", 10, 9),
        "t2": "Bolt Inc Year Net\n\n" + table.format(11, 7, "1,120,000", "930,000", 45, 41),
        "t3": "Crane Co 1st Qtr Net\n\n" + table.format(5, 9, "310,000", "402,000", 3, 4),
        "t4": "Dyna Ltd Year Loss\n\n" + table.format(61, 40, "7,700,000", "5,100,000", 88, 71),
        "s1": "Rig Count Up\n\nThe number of working rigs rose by 12 to 801 this week, "
              "against 1,248 a year ago, Hughes Tool said.",
        "s2": "Rig Count Down\n\nThe number of working rigs fell by 35 to 766 this week, "
              "against 1,212 a year ago, Hughes Tool said.",
    }
    texts["d1"], texts["c4"] = texts["o1"], texts["t4"]
    ids = sorted(texts)
    pq.write_table(pa.table({"id": ids, "text": [texts[i] for i in ids]}),
                   folder / "articles.parquet")
    story = {"o1": "o1", "d1": "o1", "t4": "t4", "c4": "t4"}
    family = {"t1": "tpl001", "t2": "tpl001", "t3": "tpl001", "t4": "tpl001", "c4": "tpl001",
              "s1": "tpl002", "s2": "tpl002"}
    columns = {"id": ids, "story": [story.get(i) for i in ids]}
    if with_templates:
        columns["template"] = [family.get(i) for i in ids]
        columns["template_kind"] = [{"tpl001": "template", "tpl002": "series"}.get(
            family.get(i)) for i in ids]
    pq.write_table(pa.table(columns), folder / "stories.parquet")
    rows = [("d1", "o1"), ("c4", "t4")]
    pq.write_table(pa.table({
        "target": [t for t, _ in rows], "source": [s for _, s in rows],
        "kind": ["copy", "copy"], "target_start": [0, 0],
        "target_end": [len(texts[t]) for t, _ in rows], "source_start": [0, 0],
        "source_end": [len(texts[s]) for _, s in rows], "verbatim": [True, True],
        "story": ["o1", "t4"]}), folder / "truth.parquet")
    return texts


def _result(folder, texts, stories: list[list[str]], passages: list[tuple[str, str, str]]):
    import json

    folder.mkdir()
    with open(folder / "stories.jsonl", "w") as fh:
        for k, members in enumerate(stories):
            fh.write(json.dumps({"story": f"s{k}", "members": members}) + "\n")
    with open(folder / "passages.jsonl", "w") as fh:
        for a, b, kind in passages:
            fh.write(json.dumps({"a": a, "a_start": 0, "a_end": len(texts[a]), "b": b,
                                 "b_start": 0, "b_end": len(texts[b]), "kind": kind}) + "\n")


def test_template_siblings_in_one_story_count_against_template_precision(tmp_path):
    score = _scoring().score
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = _templated_corpus(corpus)
    copies = [("o1", "d1", "reuse"), ("t4", "c4", "reuse")]
    # right: each copy with its original; the siblings' common frame labelled template
    _result(tmp_path / "good", texts, [["o1", "d1"], ["t4", "c4"]],
            [*copies, ("t1", "t2", "template"), ("s1", "s2", "template")])
    good = score(corpus, tmp_path / "good", False, 5, 0.2)
    t = good["templates"]
    # tpl001: 5 items, 10 pairs less t4-c4 (a planted copy); tpl002: 1 pair
    assert (t["items"], t["families"], t["sibling_pairs"], t["joined"]) == (7, 2, 10, 0)
    assert t["precision"] == 1.0 and t["series"]["sibling_pairs"] == 1
    assert t["passage_pairs"] == {"reuse": 0, "template": 2}
    assert good["pairs"]["precision"] == good["pairs"]["recall"] == 1.0
    assert good["passages_by_kind"] == {"reuse": 2, "template": 2}
    assert good["stories"]["planted"]["ari"] == 1.0

    # wrong: siblings aligned as reuse and chained into one story with t4 and its copy
    _result(tmp_path / "bad", texts, [["o1", "d1"], ["t1", "t2", "t4", "c4"]],
            [*copies, ("t1", "t2", "reuse"), ("t2", "t4", "reuse")])
    bad = score(corpus, tmp_path / "bad", False, 5, 0.2)
    t = bad["templates"]
    # in the story: t1, t2, t4, c4 -> 6 pairs, less t4-c4
    assert (t["sibling_pairs"], t["joined"]) == (10, 5)
    assert t["precision"] == 0.5 and t["template"]["precision"] == 1 - 5 / 9
    assert t["series"]["precision"] == 1.0
    assert t["passage_pairs"]["reuse"] == 2
    assert bad["pairs"]["precision"] == 0.5 and bad["pairs"]["recall"] == 1.0
    assert bad["stories"]["planted"]["precision"] < 1.0


def test_scoring_reads_corpora_and_results_without_templates(tmp_path):
    score = _scoring().score
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = _templated_corpus(corpus, with_templates=False)
    # a result written before passages had a kind: every passage is reuse
    _result(tmp_path / "old", texts, [["o1", "d1"], ["t1", "t2"]],
            [("o1", "d1", "reuse"), ("t1", "t2", "reuse")])
    lines = (tmp_path / "old" / "passages.jsonl").read_text().replace(', "kind": "reuse"', "")
    (tmp_path / "old" / "passages.jsonl").write_text(lines)
    got = score(corpus, tmp_path / "old", False, 5, 0.2)
    assert got["templates"]["items"] == 0 and got["templates"]["precision"] == 1.0
    assert got["passages_by_kind"] == {"reuse": 2} and got["pairs"]["precision"] == 0.5
