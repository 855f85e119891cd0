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
from each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from wiretrace.model import Article, DerivationEdge, Passage, Story
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


def _union_find(ids: list[str], links: Iterable[tuple[str, str]]) -> list[list[str]]:
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in links:
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    groups: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        groups[find(i)].append(i)
    return list(groups.values())


def _spans_by_pair(passages: list[Passage]) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """For each ordered pair ``(x, y)``: spans of x covered by passages with y."""
    spans: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for p in passages:
        spans[(p.a, p.b)].append((p.a_start, p.a_end))
        spans[(p.b, p.a)].append((p.b_start, p.b_end))
    return spans


def build_stories(articles: dict[str, Article], passages: list[Passage],
                  params: TraceParams | None = None,
                  word_counts: dict[str, int] | None = None) -> list[Story]:
    """Group articles into stories with origin and derivation edges.

    ``word_counts`` (tokens per article) is counted here when not given.
    """
    params = params or TraceParams()
    spans = _spans_by_pair(passages)
    length = {i: max(1, len(a.text)) for i, a in articles.items()}
    position = {article_id: k for k, article_id in enumerate(articles)}
    if word_counts is None:
        word_counts = {i: len(tokenize(a.text)) for i, a in articles.items()}
    matched: dict[tuple[str, str], int] = defaultdict(int)
    for p in passages:
        matched[(min(p.a, p.b), max(p.a, p.b))] += p.matched_words

    # Matched words, not spans: a loosely paraphrased passage counts for the
    # words it really shares, so topical paraphrase does not make one story.
    links = [(x, y) for (x, y), words in matched.items()
             if words >= params.story_min_share * max(1, min(word_counts[x], word_counts[y]))]
    linked_ids = sorted({i for pair in links for i in pair})
    groups = [g for g in _union_find(linked_ids, links) if len(g) > 1]

    stories = []
    for members in groups:
        explained = {
            m: covered_chars(s for other in members if other != m
                             for s in spans.get((m, other), ())) / length[m]
            for m in members
        }
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
        stories.append(Story("", order, origin, reason, edges))
    stories.sort(key=lambda s: (-len(s.members), s.origin))
    for number, story in enumerate(stories, start=1):
        story.id = f"story-{number}"
    return stories


def _sortable(article: Article) -> str:
    return article.published.isoformat() if article.published else ""


def _derivation_edges(order: list[str],
                      spans: dict[tuple[str, str], list[tuple[int, int]]],
                      length: dict[str, int], params: TraceParams) -> list[DerivationEdge]:
    edges = []
    for position, target in enumerate(order[1:], start=1):
        earlier = [m for m in order[:position] if (target, m) in spans]
        explained: list[tuple[int, int]] = []
        while earlier:
            already = covered_chars(explained)
            gains = {m: covered_chars(explained + spans[(target, m)]) - already
                     for m in earlier}
            best = max(earlier, key=lambda m: (gains[m], -order.index(m)))
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
