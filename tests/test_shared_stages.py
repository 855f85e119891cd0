"""The stage functions both drivers (``pipeline.trace`` and the index) share:
each against its plain definition.

The fingerprint batch function, the one LSH band hash, the one sum behind a
story link, the pair scheduler (copies once, groups whole), the text cache,
the workers' typed state; and the index importing stages, never the batch shell.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import wiretrace
from wiretrace.candidates.lsh import band_keys, earliest_candidates, lsh_bands
from wiretrace.fingerprint.batch import fingerprint
from wiretrace.fingerprint.keys import DOC_BITS, VALUE_BITS, pack
from wiretrace.fingerprint.minhash import minhash_flat, shingles
from wiretrace.index import engine, postings
from wiretrace.model import KIND_CODE, Article, Passage
from wiretrace.params import TraceParams
from wiretrace.runtime.schedule import deal_groups, distinct_text_pairs, group_chunks, pair_groups
from wiretrace.runtime.workers import map_chunks, worker_state
from wiretrace.stories.links import agrees, link_words, passage_link_words
from wiretrace.text.cache import TextCache
from wiretrace.text.tokens import tokenize

TEXTS = [
    "The central bank raised interest rates by a quarter point on Tuesday, citing inflation.",
    "The central bank raised interest rates by a quarter point on Tuesday, citing prices.",
    "Too short",
    "",
    "Rain fell across the north of England overnight and more is expected tomorrow morning.",
]


def test_fingerprint_batch_equals_the_per_text_definitions():
    params = TraceParams()
    found = fingerprint(TEXTS, params, bands=True)
    per_text = [shingles(tokenize(t), params.seed_ngram) for t in TEXTS]
    assert found.words.tolist() == [len(tokenize(t)) for t in TEXTS]
    for k, expected in enumerate(per_text):
        assert found.shingles_of(k).tolist() == expected.tolist()
    offsets = np.cumsum([0] + [len(s) for s in per_text])
    flat = np.concatenate(per_text).astype(np.uint64)
    assert np.array_equal(found.signatures, minhash_flat(flat, offsets, params.num_perm))
    bands, rows = lsh_bands(params.num_perm, params.lsh_threshold)
    assert found.bands is not None and found.bands.shape == (len(TEXTS), bands)
    assert np.array_equal(found.bands, band_keys(found.signatures, bands, rows))
    assert fingerprint(TEXTS, params).bands is None


def test_index_fingerprints_are_the_batch_ones_in_the_postings_layout():
    params = TraceParams()
    docs = [engine.Doc(k, Article(str(k), t), k) for k, t in enumerate(TEXTS)]
    engine.fingerprint(docs, params)
    found = fingerprint(TEXTS, params, bands=True)
    assert found.bands is not None
    for k, d in enumerate(docs):
        assert d.words == found.words[k]
        assert d.shingles.tolist() == found.shingles_of(k).tolist()
        if len(d.shingles):
            assert d.bands is not None
            assert d.bands.tolist() == (found.bands[k] >> np.uint64(DOC_BITS)).tolist()
        else:
            assert d.bands is None


def _band_hash_by_definition(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """The band hash in NumPy (the formula index files were written with)."""
    mix1, mix2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)

    def mix(h: np.ndarray) -> np.ndarray:
        h ^= h >> np.uint64(30)
        h *= mix1
        h ^= h >> np.uint64(27)
        h *= mix2
        h ^= h >> np.uint64(31)
        return h

    n = len(signatures)
    block = signatures[:, :bands * rows].astype(np.uint64).reshape(n, bands, rows)
    with np.errstate(over="ignore"):
        h = np.broadcast_to(np.arange(bands, dtype=np.uint64) * mix2, (n, bands)).copy()
        for k in range(rows):
            h = mix(h ^ block[:, :, k] ^ np.uint64(k + 1))
    return h


@pytest.mark.parametrize("bands,rows", [(1, 1), (9, 13), (32, 4)])
def test_one_band_hash_for_the_batch_run_and_the_index(bands, rows):
    rng = np.random.default_rng(bands)
    signatures = rng.integers(0, 1 << 32, (50, bands * rows + 3), dtype=np.uint64
                              ).astype(np.uint32)
    expected = _band_hash_by_definition(signatures, bands, rows)
    assert np.array_equal(band_keys(signatures, bands, rows), expected)
    some = np.array([3, 0, 7], dtype=np.int64)
    assert np.array_equal(band_keys(signatures, bands, rows, some), expected[some])
    stored = postings.band_keys(signatures, bands, rows)
    assert np.array_equal(stored, expected >> np.uint64(DOC_BITS))
    assert int(stored.max()) < 1 << VALUE_BITS  # room for the doc: fingerprint.keys


def test_keys_pack_value_over_doc():
    keys = pack(np.array([5, 1], dtype=np.uint64), np.array([2, 9], dtype=np.uint64))
    assert keys.tolist() == [(1 << DOC_BITS) | 9, (5 << DOC_BITS) | 2]


def test_link_words_sum_reuse_passages_by_pair_as_defined():
    rng = np.random.default_rng(5)
    n = 300
    kind = rng.choice([KIND_CODE["reuse"], KIND_CODE["template"], KIND_CODE["boilerplate"]], n)
    words = rng.integers(1, 400, n)
    kept, changed = rng.integers(0, 12, n), rng.integers(0, 3, n)
    pair = rng.integers(0, 20, n)
    found = link_words(kind, words, kept, changed, pair, 21)
    for p in range(21):
        mine = (pair == p) & (kind == KIND_CODE["reuse"])
        assert found.matched[p] == words[mine].sum()
        assert found.agreeing[p] == sum(w for w, k, c in zip(words[mine], kept[mine],
                                                               changed[mine], strict=True)
                                        if c == 0 or (c == 1 and k >= 8))
        assert found.unchanged[p] == words[mine & (changed == 0)].sum()
    assert np.array_equal(agrees(kept, changed), (changed == 0) | ((changed == 1) & (kept >= 8)))


def test_the_index_links_a_pair_by_the_same_sum():
    passages = [Passage("a", 0, 10, "b", 0, 10, 1.0, 30, "reuse", 9, 1),
                Passage("a", 20, 30, "b", 20, 30, 1.0, 50, "template", 0, 4),
                Passage("a", 40, 50, "b", 40, 50, 1.0, 7, "reuse", 0, 2)]
    words = passage_link_words(passages)
    assert (words.matched.tolist(), words.agreeing.tolist(), words.unchanged.tolist()) == \
        ([37.0], [30.0], [0.0])
    params = TraceParams()
    a, b = engine.Doc(0, Article("a", "x"), 0, 60), engine.Doc(1, Article("b", "y"), 1, 100)
    assert engine.is_link(passages, a, b, params) == (37 / 60 >= params.story_min_share)
    assert not engine.is_link(passages[1:2], a, b, params)  # a template match never links


def test_distinct_text_pairs_name_each_by_its_first_pair():
    rng = np.random.default_rng(2)
    text = rng.integers(0, 6, 40)
    pairs = rng.integers(0, 40, (200, 2))
    found = distinct_text_pairs(pairs, text)
    first: dict[tuple[int, int], int] = {}
    for k, (x, y) in enumerate(pairs.tolist()):
        first.setdefault((int(text[x]), int(text[y])), k)
    assert found.first.tolist() == list(first.values())
    assert [found.first[m] for m in found.of_pair.tolist()] == \
        [first[(int(text[x]), int(text[y]))] for x, y in pairs.tolist()]
    empty = distinct_text_pairs(np.empty((0, 2), np.int64), text)
    assert len(empty.first) == len(empty.of_pair) == 0


def _groups_by_definition(pairs: list[tuple[int, int]]) -> list[int]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    for x, y in pairs:
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    return [find(x) for x, _ in pairs]


def test_pair_groups_and_chunks_keep_connected_groups_whole():
    rng = np.random.default_rng(7)
    pairs = np.unique(np.sort(rng.integers(0, 400, (300, 2)), axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    group = _groups_by_definition([tuple(p) for p in pairs.tolist()])
    assert pair_groups(pairs).tolist() == group
    chunks = group_chunks(pairs, 20)
    assert all(len(c) >= 20 for c in chunks[:-1])
    assert sorted(map(tuple, np.concatenate(chunks).tolist())) == \
        sorted(map(tuple, pairs.tolist()))
    seen: dict[int, int] = {}
    for k, chunk in enumerate(chunks):
        for g in pair_groups(chunk).tolist():
            assert seen.setdefault(g, k) == k  # no group in two chunks
    assert deal_groups([], 3) == [[], [], []]


def test_a_group_larger_than_a_chunk_is_cut_at_a_change_of_later_article():
    """The versions of a story re-published many times are one connected group;
    it is cut so that several workers align it, ordered and cut by the later
    article of each pair, and nothing is lost or repeated."""
    pairs = np.array([(i, j) for j in range(120) for i in range(j)], dtype=np.int64)
    chunks = group_chunks(pairs, 20, max_size=1_000)
    assert len(chunks) > 5 and all(len(c) < 2_000 for c in chunks)
    assert sorted(map(tuple, np.concatenate(chunks).tolist())) == \
        sorted(map(tuple, pairs.tolist()))
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert before[-1, 1] != after[0, 1]  # one later article's pairs stay together


def test_each_article_is_aligned_with_its_earliest_earlier_candidates():
    """``earliest_candidates`` against its definition: a pair (i, j) is kept when i
    is among the ``most`` smallest articles j pairs with below it."""
    rng = np.random.default_rng(3)
    pairs = np.unique(np.sort(rng.integers(0, 60, (1_500, 2)), axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    for most in (1, 5, 20, 1_000):
        kept = earliest_candidates(pairs, most)
        expected = [(i, j) for i, j in pairs.tolist()
                    if sorted(a for a, b in pairs.tolist() if b == j).index(i) < most]
        assert kept.tolist() == [list(p) for p in expected]


def _deal_by_definition(pairs: list[tuple[int, int]], workers: int
                        ) -> list[list[tuple[int, int]]]:
    """Groups found by union-find in plain Python, dealt largest first."""
    groups: dict[int, list[tuple[int, int]]] = {}
    for root, pair in zip(_groups_by_definition(pairs), pairs, strict=True):
        groups.setdefault(root, []).append(pair)
    share = 1.1 * len(pairs) / workers
    jobs: list[list[tuple[int, int]]] = [[] for _ in range(workers)]
    for root, group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        target = root % workers
        if jobs[target] and len(jobs[target]) + len(group) > share:
            target = min(range(workers), key=lambda k: len(jobs[k]))
        jobs[target] += group
    return jobs


@pytest.mark.parametrize("seed", range(4))
def test_worker_jobs_keep_groups_whole_as_their_definition_deals_them(seed):
    rng = np.random.default_rng(seed)
    docs = int(rng.integers(5, 3000))
    pairs = sorted({(int(x), int(y)) for x, y in rng.integers(0, docs, (docs, 2)) if x < y})
    for workers in (1, 2, 3):
        jobs = deal_groups(pairs, workers)
        assert jobs == _deal_by_definition(pairs, workers)
        assert sorted(p for job in jobs for p in job) == pairs
    assert deal_groups([], 2) == [[], []]


def test_text_cache_keeps_the_latest_used_and_tokens_as_tokenize_makes_them():
    cache = TextCache(2)
    one = cache.tokens("a", "one two three")
    assert one.hashes.tolist() == tokenize("one two three").hashes.tolist()
    assert cache.tokens("a") is one
    cache.tokens("b", lambda: "four five")
    cache.tokens("a")  # a used last: b goes first
    cache.hold("c", "six")
    assert "b" not in cache and "a" in cache and cache.text("c") == "six"
    assert cache.get("c") is None  # held, tokens made when asked for
    cache.tokens("a", touch=False)
    cache.hold("d", "seven")  # a was not touched: it goes
    assert "a" not in cache and len(cache) == 2
    with pytest.raises(KeyError):
        cache.tokens("missing")


@dataclass(frozen=True)
class _Offset:
    by: int


def _shifted(items: list[int]) -> list[int]:
    return [x + worker_state(_Offset).by for x in items]


def test_workers_read_a_typed_state():
    for workers in (1, 2):
        assert [x for chunk in map_chunks(_shifted, list(range(10)), workers, 3, _Offset(5))
                for x in chunk] == list(range(5, 15))
    with pytest.raises(RuntimeError):
        worker_state(_Offset)  # outside a map


def test_the_index_imports_stages_never_the_batch_shell():
    folder = Path(wiretrace.__file__).parent / "index"
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            assert not any(n == "wiretrace.pipeline" for n in names), path.name
