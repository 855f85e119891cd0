"""Stories' compiled and array code (``stories.build_stories``) against its definition.

The definition is the Python it replaced, kept here: per story, the spans
of each ordered pair of members in dicts, ``covered_chars`` of sorted span
lists, the origin and order by Python sort keys, and the greedy choice of
sources re-covering the explained spans for every candidate.  Both must
give the very same stories (members and their order, origin, reason, edges
and shares) on random groups built to tie in every key: equal dates, equal
explained shares, equal gains, spans that repeat, nest and touch.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

import wiretrace
from index.test_index_support import bbc_sample, story_key
from wiretrace.index import Index
from wiretrace.model import PASSAGE_DTYPE, Article, DerivationEdge, PassageTable, Story
from wiretrace.params import TraceParams
from wiretrace.stories.build import (
    ORIGIN_MARGIN,
    ArticleFacts,
    _lexsort,
    build_stories,
    connected_components,
    covered_chars,
)
from wiretrace.stories.kernels import covered_runs, derivation_edge_pairs


def _sortable(article: Article) -> str:
    return article.published.isoformat() if article.published else ""


def story_by_definition(members: list[str], spans: dict[tuple[str, str], list[tuple[int, int]]],
                        articles: Mapping[str, Article], position: dict[str, int],
                        params: TraceParams) -> Story:
    length = {m: max(1, len(articles[m].text)) for m in members}
    own_spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for (m, other), pair_spans in spans.items():
        if other != m:
            own_spans[m] += pair_spans
    explained = {m: covered_chars(own_spans[m]) / length[m] for m in members}
    dated = [m for m in members if articles[m].published is not None]
    if dated:
        origin = min(dated, key=lambda m: (_sortable(articles[m]), explained[m], m))
        reason = "earliest published"
    else:
        least = min(explained.values())
        close = [m for m in members if explained[m] <= least + ORIGIN_MARGIN]
        origin = min(close, key=lambda m: position[m])
        reason = ("least explained by others" if len(close) == 1
                  else "input order (versions explain each other about equally)")
    order = sorted(members, key=lambda m: (
        m != origin, articles[m].published is None,
        _sortable(articles[m]) if articles[m].published else "", explained[m], position[m]))
    return Story("", order, origin, reason, edges_by_definition(order, spans, length, params))


def edges_by_definition(order: list[str], spans: dict[tuple[str, str], list[tuple[int, int]]],
                        length: dict[str, int], params: TraceParams) -> list[DerivationEdge]:
    edges = []
    rank = {m: k for k, m in enumerate(order)}
    partners: dict[str, list[str]] = defaultdict(list)
    for target, m in spans:
        partners[target].append(m)
    for position, target in enumerate(order[1:], start=1):
        earlier = sorted((m for m in partners[target] if rank[m] < position), key=rank.__getitem__)
        explained: list[tuple[int, int]] = []
        while earlier:
            already = covered_chars(explained)
            gains = {m: covered_chars(explained + spans[(target, m)]) - already for m in earlier}
            best = max(earlier, key=lambda m: (gains[m], -rank[m]))
            if gains[best] < params.min_passage_chars:
                break
            explained += spans[(target, best)]
            earlier.remove(best)
            shared = covered_chars(spans[(target, best)])
            edges.append(DerivationEdge(
                source=best, target=target, target_share=round(shared / length[target], 4),
                source_share=round(covered_chars(spans[(best, target)]) / length[best], 4),
                shared_chars=shared))
    return edges


def stories_by_definition(articles: dict[str, Article], table: PassageTable,
                          counts: np.ndarray, params: TraceParams) -> list[Story]:
    """``build_stories`` as it was: the same links and groups, then one story at a time."""
    ids, rows, n = list(articles), table.rows, len(articles)
    low = np.minimum(rows["a"], rows["b"]).astype(np.int64)
    high = np.maximum(rows["a"], rows["b"]).astype(np.int64)
    pair_keys, inverse = np.unique(low * n + high, return_inverse=True)
    matched = np.bincount(inverse.ravel(), weights=rows["matched_words"])
    x, y = pair_keys // n, pair_keys % n
    strength = matched / np.maximum(1, np.minimum(counts[x], counts[y]))
    linked = strength >= params.story_min_share
    labels = connected_components(n, x[linked], y[linked])
    labels = cohesive_parts_by_definition(labels, x[linked].tolist(), y[linked].tolist(),
                                          strength[linked].tolist(), params.story_cohesion)
    in_story = np.array([np.count_nonzero(labels == labels[k]) >= 2 for k in range(n)],
                        dtype=bool)
    position = {article_id: k for k, article_id in enumerate(ids)}
    rows_of = defaultdict(list)
    for p in rows.tolist():
        if labels[p[0]] == labels[p[1]]:
            rows_of[labels[p[0]]].append(p)
    stories = []
    for label in np.unique(labels[in_story]).tolist():
        members = [ids[k] for k in np.flatnonzero(labels == label).tolist()]
        spans: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        for p in rows_of[label]:
            a, b = ids[p[0]], ids[p[1]]
            spans[(a, b)].append((p[2], p[3]))
            spans[(b, a)].append((p[4], p[5]))
        stories.append(story_by_definition(members, spans, articles, position, params))
    stories.sort(key=lambda s: (-len(s.members), s.origin))
    for number, story in enumerate(stories, start=1):
        story.id = f"story-{number}"
    return stories


def cohesive_parts_by_definition(labels: np.ndarray, x: list[int], y: list[int],
                                 strength: list[float], cohesion: float) -> np.ndarray:
    """``links.split_chains`` as its docstring says it, by brute force: in each
    connected group, links strongest first (then by ends); two parts merge when
    the links between them are at least ``cohesion`` of the pairs they could form;
    an article left alone but linked to several parts joins the one it has the most
    links with."""
    labels = labels.copy()
    links = sorted((labels[u], -s, u, v) for u, v, s in zip(x, y, strength, strict=True)
                   if u != v)
    part = {m: m for link in links for m in link[2:]}
    for _, _, u, v in links:
        pu, pv = part[u], part[v]
        if pu == pv:
            continue
        members_u = [m for m in part if part[m] == pu]
        members_v = [m for m in part if part[m] == pv]
        between = sum(1 for _, _, a, b in links
                      if (part[a], part[b]) in ((pu, pv), (pv, pu)))
        if between >= cohesion * len(members_u) * len(members_v):
            for m in members_u + members_v:
                part[m] = min(pu, pv)
    # an article left alone but linked to several parts joins the one it has most
    # links with, the larger on a tie
    size = {r: sum(1 for q in part.values() if q == r) for r in part.values()}
    joined = dict(part)
    for m in part:
        if size[part[m]] > 1:
            continue
        counts: dict[int, int] = {}
        for _, _, a, b in links:
            if m in (a, b):
                other = b if a == m else a
                if size[part[other]] > 1:
                    counts[part[other]] = counts.get(part[other], 0) + 1
        if len(counts) > 1:  # it draws on several parts: it joins one
            joined[m] = min(counts, key=lambda r: (-counts[r], -size[r], r))
    part = joined
    for m, root in part.items():
        labels[m] = root
    return labels


def random_case(seed: int, n: int = 60) -> tuple[dict[str, Article], PassageTable, np.ndarray]:
    """Articles (some undated, dates and lengths from small sets) and passages among
    them on a coarse grid, so that keys tie; some passages of an article with itself."""
    rng = random.Random(seed)
    t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    dated = rng.random() < 0.6  # whole runs without dates test the other origin rule
    articles = {}
    for k in range(n):  # ids not in input order: the last tie-break of dated origins
        key = f"a{rng.randrange(10 ** 6):06d}-{k}"
        published = t0 + timedelta(hours=rng.randrange(4)) if dated and rng.random() < 0.7 \
            else None
        articles[key] = Article(key, "x" * rng.choice([0, 80, 200, 200, 400]),
                                published=published)
    ids = list(articles)
    lengths = [max(1, len(articles[i].text)) for i in ids]
    rows = []
    for _ in range(n * 2):
        a = rng.randrange(n)
        low = a - a % 7  # groups of up to 7 articles, joined at random by weak passages
        weak = rng.random() < 0.05
        b = rng.randrange(n) if weak else rng.randrange(low, min(n, low + 7))
        for _ in range(rng.randrange(1, 4)):
            spans = []
            for length in (lengths[a], lengths[b]):
                start = rng.randrange(0, length, 20) if length > 20 else 0
                spans.append((start, min(length, start + rng.choice([10, 20, 40, 60, 100]))))
            matched = 0 if weak else rng.randrange(1, 30)
            rows.append((a, b, *spans[0], *spans[1], 1.0, matched, 0, 0, 0))
    table = PassageTable(np.array(rows, dtype=PASSAGE_DTYPE), ids)
    counts = np.array([rng.randrange(5, 60) for _ in ids], dtype=np.int64)
    return articles, table, counts


@pytest.mark.parametrize("seed", range(40))
def test_build_stories_matches_its_definition(seed):
    articles, table, counts = random_case(seed)
    params = TraceParams(min_passage_chars=[1, 20, 40][seed % 3], story_min_share=0.1)
    expected = stories_by_definition(articles, table, counts, params)
    assert expected  # the case makes stories
    assert build_stories(articles, table, params, counts) == expected
    # from facts, as the index calls it, and from a list of passages
    facts = ArticleFacts(list(articles), np.array([len(a.text) for a in articles.values()]),
                         [a.published.isoformat() if a.published else None
                          for a in articles.values()])
    assert build_stories(facts, table, params, counts) == expected
    assert build_stories(articles, list(table), params, counts) == expected


def test_build_stories_in_workers_matches_its_definition():
    articles, table, counts = random_case(7, n=7500)
    params = TraceParams(min_passage_chars=20, story_min_share=0.1)
    expected = stories_by_definition(articles, table, counts, params)
    assert len(expected) > 1000  # more than one chunk of stories
    assert build_stories(articles, table, params, counts, workers=2) == expected


def test_facts_need_word_counts():
    facts = ArticleFacts(["a", "b"], np.array([10, 10]), [None, None])
    with pytest.raises(ValueError, match="word_counts"):
        build_stories(facts, [], None)


def test_covered_runs_is_covered_chars():
    rng = random.Random(3)
    runs = [sorted((s, s + rng.choice([-3, 0, 1, 5, 20])) for s in
                   (rng.randrange(50) for _ in range(rng.randrange(0, 12))))
            for _ in range(300)]
    flat = [span for run in runs for span in run]
    got = covered_runs(np.cumsum([0] + [len(run) for run in runs]),
                       np.array([s for s, _ in flat], dtype=np.int64),
                       np.array([e for _, e in flat], dtype=np.int64))
    assert got.tolist() == [covered_chars(run) for run in runs]


def components_by_definition(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    parent = list(range(n))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for x, y in zip(left.tolist(), right.tolist(), strict=True):
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    return np.array([find(x) for x in range(n)], dtype=np.int64)


@pytest.mark.parametrize("n", [1, 10, 300])
def test_connected_components_matches_its_definition(n):
    rng = np.random.default_rng(n)
    for edges in (0, n // 3, n, 3 * n):
        left, right = rng.integers(0, n, edges), rng.integers(0, n, edges).astype(np.int32)
        assert connected_components(n, left, right).tolist() == \
            components_by_definition(n, left, right).tolist()


def test_derivation_edge_pairs_compiled_is_its_python():
    """The kernel, compiled and as plain Python (``py_func``), on one random story."""
    rng = random.Random(5)
    members = 12
    runs = [(t, s) for t in range(members) for s in range(members) if t != s and rng.random() < .5]
    spans = [sorted((x, x + rng.choice([10, 30, 60])) for x in
                    (rng.randrange(0, 300, 10) for _ in range(rng.randrange(1, 5))))
             for _ in runs]
    owner = np.array([t for t, _ in runs], dtype=np.int64)
    args = (np.arange(members, dtype=np.int64), np.arange(members, dtype=np.int64),
            np.searchsorted(owner, np.arange(members + 1)),
            np.array([s for _, s in runs], dtype=np.int64),
            np.cumsum([0] + [len(s) for s in spans]),
            np.array([x for run in spans for x, _ in run], dtype=np.int64),
            np.array([y for run in spans for _, y in run], dtype=np.int64), 20)
    compiled = derivation_edge_pairs(*args)
    assert len(compiled) > members // 2
    assert compiled.tolist() == derivation_edge_pairs.py_func(*args).tolist()


@pytest.mark.parametrize("high", [50, 2 ** 40])
def test_lexsort_sorts_by_every_key(high):
    """Packed into one int64, or by ``np.lexsort`` when the keys do not fit."""
    rng = np.random.default_rng(high)
    keys = tuple(rng.integers(0, high, 5000) for _ in range(3))
    order = _lexsort(keys)
    rows = list(zip(*(key[order].tolist() for key in keys), strict=True))
    assert rows == sorted(rows)


def test_index_stories_of_dated_articles_match_trace(tmp_path):
    """The index reads dates and lengths from its tables (``ArticleFacts``), not
    from Articles: with dates (equal ones, missing ones, other time zones) its
    stories are still those of a batch run."""
    t0 = datetime(2024, 3, 1, 8, tzinfo=timezone.utc)
    zones = [timezone.utc, timezone(timedelta(hours=2))]
    sample = [Article(a.id, a.text, published=None if k % 5 == 0 else
                      (t0 + timedelta(hours=k % 4)).astimezone(zones[k % 2]))
              for k, a in enumerate(bbc_sample(120))]
    result = wiretrace.trace(sample, params=TraceParams(max_df=4), workers=1)
    assert len(result.stories) >= 5
    assert any(s.origin_reason == "earliest published" for s in result.stories)
    with Index.open(tmp_path / "dated.db", TraceParams(max_df=4)) as index:
        index.add(sample[:70])
        index.add(sample[70:])
        stories = index.stories(limit=10_000)
    assert sorted(map(story_key, stories)) == sorted(map(story_key, result.stories))
