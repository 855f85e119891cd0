"""Stories: articles that share reused text, their origin and derivations.

Two articles are *linked* when the words their passages match (in order,
on both sides) are at least ``story_min_share`` of the shorter one.  Stories
are the connected groups of linked articles; a link too weak to count (a
common sentence inside two long, otherwise different articles) never joins
two stories, however many such links chain up.

The **origin** is the earliest ``published`` member when dates are known.
Without dates it is the member whose text is least covered by the other
versions: copies are explained by their source, while the source holds
material the copies lack.  When that evidence is close (shares within
``ORIGIN_MARGIN``, as when each version both adds and drops material), the
input order decides: list undated articles oldest first.

**Derivation edges** then run from earlier to later versions: each version
takes as sources, greedily, the earlier members that explain the most of its
still unexplained text, so an article spliced from two stories gets an edge
from each.  A version's edges are listed in the order they were chosen: its
first edge names its **main source**, the one that explains the most of it.

**Diff base** (:func:`diff_base`): each version other than the origin is
diffed against the origin when the origin is one of its sources, otherwise
against its main source.  A version with no source (an article that only
gave text to later ones, such as a second story's original joined by a
splice) is diffed against the version that took the most from it, and only
one with no edge at all against the origin (then the two may share no
passage, and are aligned directly).  A copy of a spliced version thus shows
what it changed against the version it copied, not "shares no text with the
origin".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from wiretrace.model import Article, DerivationEdge, Passage, PassageTable, Story
from wiretrace.parallel import STATE, map_chunks
from wiretrace.params import TraceParams
from wiretrace.text import tokenize

# Explained shares closer than this are no evidence of which version came first.
ORIGIN_MARGIN = 0.05


def covered_chars(spans: Iterable[tuple[int, int]]) -> int:
    """Characters covered by the union of ``(start, end)`` spans."""
    total, reach = 0, -1
    for start, end in sorted(spans):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def diff_base(story: Story, member: str) -> str:
    """The version ``member`` of ``story`` is diffed against (see the module docstring).

    The origin when an edge runs from it to ``member`` (and for the origin
    itself); otherwise the source of the first edge reaching ``member``, its
    main source (a version's edges are listed largest gain first); for a
    version no edge reaches, the target of its edge with the most shared
    characters; the origin for a version without any edge.
    """
    if member not in story.members:
        raise ValueError(f"{member!r} is not a member of {story.id or 'the story'}")
    return diff_bases(story).get(member, story.origin)


def diff_bases(story: Story) -> dict[str, str]:
    """:func:`diff_base` of every member but the origin, in one pass over the edges."""
    main: dict[str, str] = {}
    from_origin: set[str] = set()
    # for versions no edge reaches: the version that took the most from each
    largest_gift: dict[str, tuple[int, str]] = {}
    for edge in story.edges:
        main.setdefault(edge.target, edge.source)
        if edge.source == story.origin:
            from_origin.add(edge.target)
        if edge.shared_chars > largest_gift.get(edge.source, (-1, ""))[0]:
            largest_gift[edge.source] = (edge.shared_chars, edge.target)
    return {m: story.origin if m in from_origin
            else main.get(m) or largest_gift.get(m, (0, story.origin))[1]
            for m in story.members if m != story.origin}


def connected_components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes for edges (left, right)."""
    parent = list(range(n))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for x, y in zip(left.tolist(), right.tolist(), strict=True):
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    return np.array([find(x) for x in range(n)], dtype=np.int64)


def build_stories(articles: Mapping[str, Article], passages: Sequence[Passage],
                  params: TraceParams | None = None,
                  word_counts: Mapping[str, int] | np.ndarray | None = None,
                  workers: int = 1) -> list[Story]:
    """Group articles into stories with origin and derivation edges.

    ``passages`` is a list or a :class:`~wiretrace.model.PassageTable` whose
    article numbers follow the order of ``articles``; ``word_counts`` (tokens
    per article, by id or by number) is counted here when not given.
    ``workers`` processes share the stories (the result does not depend on it).
    """
    params = params or TraceParams()
    ids = list(articles)
    n = len(ids)
    table = passages if isinstance(passages, PassageTable) else \
        PassageTable.from_passages(passages, ids)
    if word_counts is None:
        counts = np.array([len(tokenize(a.text)) for a in articles.values()], dtype=np.int64)
    elif isinstance(word_counts, np.ndarray):
        counts = word_counts.astype(np.int64)
    else:
        counts = np.array([word_counts[i] for i in ids], dtype=np.int64)
    rows = table.rows
    if n < 2 or len(rows) == 0:
        return []
    # Matched words, not spans: a loosely paraphrased passage counts for the
    # words it really shares, so topical paraphrase does not make one story.
    low = np.minimum(rows["a"], rows["b"]).astype(np.int64)
    high = np.maximum(rows["a"], rows["b"]).astype(np.int64)
    pair_keys, inverse = np.unique(low * n + high, return_inverse=True)
    matched = np.bincount(inverse.ravel(), weights=rows["matched_words"])
    x, y = pair_keys // n, pair_keys % n
    linked = matched >= params.story_min_share * np.maximum(1, np.minimum(counts[x], counts[y]))
    labels = connected_components(n, x[linked], y[linked])
    in_story = np.zeros(n, dtype=bool)
    in_story[x[linked]] = in_story[y[linked]] = True
    # each passage inside one story, grouped by story
    row_label = np.where((labels[rows["a"]] == labels[rows["b"]]) & in_story[rows["a"]],
                         labels[rows["a"]], -1)
    by_label = np.argsort(row_label, kind="stable")
    bounds = np.searchsorted(row_label[by_label], np.arange(n + 1))
    member_order = np.argsort(labels, kind="stable")
    member_bounds = np.searchsorted(labels[member_order], np.arange(n + 1))
    state = {"ids": ids, "articles": articles, "rows": table.rows, "by_label": by_label,
             "bounds": bounds, "member_order": member_order, "member_bounds": member_bounds,
             "position": {article_id: k for k, article_id in enumerate(ids)},
             "params": params}
    stories = [story for chunk in map_chunks(_stories_chunk, np.unique(labels[in_story]),
                                             workers, 1000, state)
               for story in chunk]
    stories.sort(key=lambda s: (-len(s.members), s.origin))
    for number, story in enumerate(stories, start=1):
        story.id = f"story-{number}"
    return stories


def _stories_chunk(labels: np.ndarray) -> list[Story]:
    """The stories of some groups of linked articles (in a worker, see parallel.py)."""
    ids, rows, by_label, bounds = STATE["ids"], STATE["rows"], STATE["by_label"], STATE["bounds"]
    member_order, member_bounds = STATE["member_order"], STATE["member_bounds"]
    stories = []
    for label in labels.tolist():
        members = [ids[k] for k in member_order[member_bounds[label]:member_bounds[label + 1]]
                   .tolist()]
        spans: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        for p in rows[by_label[bounds[label]:bounds[label + 1]]].tolist():
            a, b = ids[p[0]], ids[p[1]]
            spans[(a, b)].append((p[2], p[3]))
            spans[(b, a)].append((p[4], p[5]))
        stories.append(_story(members, spans, STATE["articles"], STATE["position"],
                              STATE["params"]))
    return stories


def _story(members: list[str], spans: dict[tuple[str, str], list[tuple[int, int]]],
           articles: Mapping[str, Article], position: dict[str, int],
           params: TraceParams) -> Story:
    """The origin, version order and derivation edges of one group of linked articles."""
    articles = {m: articles[m] for m in members}  # each read once (a store builds them)
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
        m != origin,
        articles[m].published is None,
        _sortable(articles[m]) if articles[m].published else "",
        explained[m], position[m]))
    edges = _derivation_edges(order, spans, length, params)
    return Story("", order, origin, reason, edges)


def _sortable(article: Article) -> str:
    return article.published.isoformat() if article.published else ""


def _derivation_edges(order: list[str],
                      spans: dict[tuple[str, str], list[tuple[int, int]]],
                      length: dict[str, int], params: TraceParams) -> list[DerivationEdge]:
    """Edges of each version in ``order`` from earlier ones, a version's edges
    together and largest gain first (:func:`diff_base` relies on it)."""
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
            gains = {m: covered_chars(explained + spans[(target, m)]) - already
                     for m in earlier}
            best = max(earlier, key=lambda m: (gains[m], -rank[m]))
            new_chars = gains[best]
            if new_chars < params.min_passage_chars:
                break
            explained += spans[(target, best)]
            earlier.remove(best)
            shared = covered_chars(spans[(target, best)])
            edges.append(DerivationEdge(
                source=best, target=target,
                target_share=round(shared / length[target], 4),
                source_share=round(covered_chars(spans[(best, target)]) / length[best], 4),
                shared_chars=shared,
            ))
    return edges
