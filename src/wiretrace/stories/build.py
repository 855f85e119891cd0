"""Stories: articles that share reused text, their origin and derivations.

Which pairs of articles are *linked* (reuse passages only, and time as
evidence) and how links make stories without chaining is the subject of
:mod:`wiretrace.stories.links`; this module builds each story from its members.

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
origin".  And a version that shares no reused text with that base (its only
tie is a later version that took more from another member) is diffed
against the member it shares the most with (:func:`sharing_base`).

How (:func:`build_stories`): links and groups are found with NumPy over all
passages at once; the origin and order of each group's versions with NumPy
over many groups at once; the two loops that do the counting, the characters
covered by sorted spans and the greedy choice of sources, are compiled
(numba), as Python code they cost about a millisecond per story.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from wiretrace.model import KIND_CODE, Article, DerivationEdge, Passage, PassageTable, Story
from wiretrace.params import TraceParams
from wiretrace.runtime.workers import map_chunks, worker_state
from wiretrace.stories import kernels as story_kernels
from wiretrace.stories.links import (
    connected_components,
    epoch_seconds,
    link_strength,
    link_words,
    split_chains,
)
from wiretrace.text.tokens import tokenize

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


def sharing_base(story: Story, member: str, base: str,
                 reuse_words: Callable[[str, str], int]) -> str:
    """``member``'s diff base: ``base`` (:func:`diff_base`) when the two share reused
    text (``reuse_words(x, y)``: the words their reuse passages match), otherwise
    the member of the story it shares the most with.  A version whose only tie
    to its story is a later version that took more from another member has no
    derivation edge, yet shares text with that version."""
    if reuse_words(base, member):
        return base
    shared = {other: reuse_words(other, member) for other in story.members if other != member}
    best = max(shared, key=lambda other: (shared[other], other == base))
    return best if shared[best] else base



# The reasons an origin was chosen, by the codes :func:`_origins_and_order` gives.
ORIGIN_REASONS = ("earliest published", "least explained by others",
                  "input order (versions explain each other about equally)")


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """All that stories read of the articles, for callers without :class:`Article`
    objects at hand (the index reads these from its tables, not the texts).

    By article number: ``ids``, ``lengths`` (characters of each text) and
    ``published`` (``datetime.isoformat()``, None when unknown).
    """

    ids: Sequence[str]
    lengths: np.ndarray
    published: Sequence[str | None]


def build_stories(articles: Mapping[str, Article] | ArticleFacts, passages: Sequence[Passage],
                  params: TraceParams | None = None,
                  word_counts: Mapping[str, int] | np.ndarray | None = None,
                  workers: int = 1) -> list[Story]:
    """Group articles into stories with origin and derivation edges.

    ``passages`` is a list or a :class:`~wiretrace.model.PassageTable` whose
    article numbers follow the order of ``articles``; ``word_counts`` (tokens
    per article, by id or by number) is counted here when not given (not
    possible from :class:`ArticleFacts`).
    ``workers`` processes share the stories (the result does not depend on it).
    """
    params = params or TraceParams()
    facts = articles if isinstance(articles, ArticleFacts) else None
    ids = list(facts.ids) if facts else list(articles)
    n = len(ids)
    table = passages if isinstance(passages, PassageTable) else \
        PassageTable.from_passages(passages, ids)
    counts = _word_counts(articles, ids, word_counts)
    # only reuse joins stories: template matches (a frame with other names and
    # figures) and boilerplate stay in the passages for audit, nothing more
    rows = table.rows[table.rows["kind"] == KIND_CODE["reuse"]]
    if n < 2 or len(rows) == 0:
        return []
    # Matched words, not spans: a loosely paraphrased passage counts for the
    # words it really shares, so topical paraphrase does not make one story.
    low = np.minimum(rows["a"], rows["b"]).astype(np.int64)
    high = np.maximum(rows["a"], rows["b"]).astype(np.int64)
    pair_keys, inverse = np.unique(low * n + high, return_inverse=True)
    words = link_words(rows["kind"], rows["matched_words"], rows["slots_kept"],
                       rows["slots_changed"], inverse.ravel(), len(pair_keys))
    x, y = pair_keys // n, pair_keys % n
    seconds = epoch_seconds(_published(articles, ids))
    strength = link_strength(words.matched, words.agreeing, counts[x], counts[y], seconds[x],
                             seconds[y], params, words.unchanged)
    linked = strength >= params.story_min_share
    labels = connected_components(n, x[linked], y[linked])
    labels = split_chains(labels, x[linked], y[linked], strength[linked], params.story_cohesion,
                          params.max_earlier_candidates)
    # a story has two members at least: an article cut off alone joins none
    in_story = np.bincount(labels, minlength=n)[labels] >= 2
    # each passage inside one story, grouped by story
    row_label = np.where((labels[rows["a"]] == labels[rows["b"]]) & in_story[rows["a"]],
                         labels[rows["a"]], -1)
    by_label = np.argsort(row_label, kind="stable")
    bounds = np.searchsorted(row_label[by_label], np.arange(n + 1))
    member_order = np.argsort(labels, kind="stable")
    member_bounds = np.searchsorted(labels[member_order], np.arange(n + 1))
    state = _StoriesState(ids, None if facts else articles, facts, rows, by_label, bounds,
                          seconds, member_order, member_bounds, params)
    warm_up()  # before workers fork, so that they share the compiled kernels
    stories = [story for chunk in map_chunks(_stories_chunk, np.unique(labels[in_story]),
                                             workers, 1000, state)
               for story in chunk]
    stories.sort(key=lambda s: (-len(s.members), s.origin))
    for number, story in enumerate(stories, start=1):
        story.id = f"story-{number}"
    return stories


@dataclass(frozen=True)
class _StoriesState:
    """What the workers of :func:`build_stories` read: the reuse passages grouped
    by story label and the members of each label, in arrays by article number."""

    ids: list[str]
    articles: Mapping[str, Article] | None  # None when built from ArticleFacts
    facts: ArticleFacts | None
    rows: np.ndarray  # reuse passages (PASSAGE_DTYPE)
    by_label: np.ndarray  # rows in label order: label l's are by_label[bounds[l]:bounds[l + 1]]
    bounds: np.ndarray
    seconds: np.ndarray  # publication instants (NaN: unknown)
    member_order: np.ndarray  # articles in label order, bounded by member_bounds
    member_bounds: np.ndarray
    params: TraceParams


def _published(articles: Mapping[str, Article] | ArticleFacts, ids: list[str]
               ) -> Sequence[str | None]:
    """Every article's ``published`` as ``isoformat()`` gives it, by number."""
    if isinstance(articles, ArticleFacts):
        return articles.published
    if hasattr(articles, "published"):  # an ArticleStore: read from its column
        return articles.published()  # type: ignore[operator]
    return [None if articles[i].published is None else articles[i].published.isoformat()
            for i in ids]


def _word_counts(articles: Mapping[str, Article] | ArticleFacts, ids: list[str],
                 word_counts: Mapping[str, int] | np.ndarray | None) -> np.ndarray:
    if isinstance(word_counts, np.ndarray):
        return word_counts.astype(np.int64)
    if word_counts is not None:
        return np.array([word_counts[i] for i in ids], dtype=np.int64)
    if isinstance(articles, ArticleFacts):
        raise ValueError("word_counts must be given with ArticleFacts (they have no texts)")
    return np.array([len(tokenize(a.text)) for a in articles.values()], dtype=np.int64)


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``starts[k]:ends[k]`` for every k, concatenated."""
    sizes = ends - starts
    return np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(sizes.sum())


def _stories_chunk(labels: np.ndarray) -> list[Story]:
    """The stories of some groups of linked articles (in a worker, see runtime/workers.py).

    The members of all its groups are numbered together (story after story,
    in input order within one; ``members`` holds their article numbers), so
    that each step below is one pass over the chunk's arrays rather than a
    Python loop per story: that loop was most of the time of an index add's
    stories (the index rebuilds every story an add touches).
    """
    state = worker_state(_StoriesState)
    member_bounds, bounds = state.member_bounds, state.bounds
    members = state.member_order[_ranges(member_bounds[labels], member_bounds[labels + 1])]
    sizes = member_bounds[labels + 1] - member_bounds[labels]
    rows = state.rows[state.by_label[_ranges(bounds[labels], bounds[labels + 1])]]
    member_ids, lengths, published = _member_facts(state, members)
    spans = _chunk_spans(members, rows)
    explained = story_kernels.covered_runs(spans.owner_bounds, spans.owner_start,
                                           spans.owner_end) / lengths
    order, reasons = _origins_and_order(sizes, members, explained, published,
                                        _ranks(member_ids))
    rank = np.empty(len(members), dtype=np.int64)
    rank[order] = np.arange(len(members))  # comparable within one story
    chosen = story_kernels.derivation_edge_pairs(
        order, rank, spans.pair_owner_bounds, spans.pair_other, spans.pair_bounds,
        spans.pair_start, spans.pair_end, state.params.min_passage_chars)
    pair_chars = story_kernels.covered_runs(spans.pair_bounds, spans.pair_start, spans.pair_end)
    edges = _edges(chosen, spans, pair_chars, member_ids, lengths.tolist())
    story_of_edge = np.repeat(np.arange(len(sizes)), sizes)[spans.pair_owner[chosen]]
    edge_bounds = np.searchsorted(story_of_edge, np.arange(len(sizes) + 1)).tolist()
    in_order = [member_ids[k] for k in order.tolist()]
    starts = np.concatenate(([0], np.cumsum(sizes))).tolist()
    return [Story("", in_order[lo:hi], in_order[lo], ORIGIN_REASONS[reason],
                  edges[edge_bounds[s]:edge_bounds[s + 1]])
            for s, (lo, hi, reason) in enumerate(zip(starts[:-1], starts[1:], reasons.tolist(),
                                                     strict=True))]


def _member_facts(state: _StoriesState, members: np.ndarray
                  ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Ids, text lengths (at least 1) and rank of the publication time (-1: unknown;
    equal times, equal ranks) of the articles numbered ``members``."""
    ids, facts = state.ids, state.facts
    numbers = members.tolist()
    if facts is not None:
        lengths = facts.lengths[members].astype(np.int64)
    else:
        articles = state.articles
        assert articles is not None  # either facts or the articles
        lengths = np.array([len(articles[ids[k]].text) for k in numbers],
                           dtype=np.int64)
    # instants (build_stories read them once), not strings: 23:00-05:00 is after
    # 02:00+00:00 the next day
    seconds = state.seconds[members]
    known = ~np.isnan(seconds)
    ranks = np.full(len(numbers), -1, dtype=np.int64)
    ranks[known] = np.unique(seconds[known], return_inverse=True)[1].ravel()
    return [ids[k] for k in numbers], np.maximum(1, lengths), ranks


def _ranks(values: list[str]) -> np.ndarray:
    """Each of distinct ``values``' place in their sorted order."""
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[sorted(range(len(values)), key=values.__getitem__)] = np.arange(len(values))
    return ranks


class _Spans(NamedTuple):
    """A chunk's passages as spans, each passage one span in each of its two
    texts, by member (``owner``, the text the span is in) in local numbers.

    Sorted by owner, start, end (for what covers each member), and by owner,
    other member, start, end (the spans of each ordered pair: a *pair run*).
    A passage of an article with itself is left out: it explains nothing.
    """

    owner_bounds: np.ndarray  # spans of member k: owner_bounds[k]:owner_bounds[k + 1]
    owner_start: np.ndarray
    owner_end: np.ndarray
    pair_owner_bounds: np.ndarray  # pair runs of member k: ...[k]:...[k + 1]
    pair_owner: np.ndarray  # of each pair run
    pair_other: np.ndarray  # of each pair run
    pair_reverse: np.ndarray  # the run of the same pair the other way round
    pair_bounds: np.ndarray  # spans of run r: pair_bounds[r]:pair_bounds[r + 1]
    pair_start: np.ndarray
    pair_end: np.ndarray


def _chunk_spans(members: np.ndarray, rows: np.ndarray) -> _Spans:
    """The :class:`_Spans` of passages ``rows`` (PASSAGE_DTYPE) among ``members``."""
    size = len(members)
    sorter = np.argsort(members)
    a = sorter[np.searchsorted(members, rows["a"], sorter=sorter)]
    b = sorter[np.searchsorted(members, rows["b"], sorter=sorter)]
    keep = np.concatenate((a != b, a != b))
    owner, other = np.concatenate((a, b))[keep], np.concatenate((b, a))[keep]
    start = np.concatenate((rows["a_start"], rows["b_start"])).astype(np.int64)[keep]
    end = np.concatenate((rows["a_end"], rows["b_end"])).astype(np.int64)[keep]
    everyone = np.arange(size + 1)
    by_owner = _lexsort((owner, start, end))
    by_pair = _lexsort((owner, other, start, end))
    key = owner[by_pair] * size + other[by_pair]
    first = np.flatnonzero(np.diff(key, prepend=-1))
    pair_owner, pair_other = key[first] // size, key[first] % size
    return _Spans(np.searchsorted(owner[by_owner], everyone), start[by_owner], end[by_owner],
                  np.searchsorted(pair_owner, everyone), pair_owner, pair_other,
                  np.searchsorted(key[first], pair_other * size + pair_owner),
                  np.append(first, len(key)), start[by_pair], end[by_pair])


def _lexsort(keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """An order that sorts by ``keys`` (integers, the first most significant).

    One argsort of the keys packed into one ``int64`` when they fit, five
    times faster than ``np.lexsort``.  Not stable: rows equal in every key
    here are the same span, whichever comes first.
    """
    widths = [int(key.max()).bit_length() if len(key) else 0 for key in keys]
    if sum(widths) > 63 or any(len(key) and key.min() < 0 for key in keys):
        return np.lexsort(keys[::-1])
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    for key, width in zip(keys, widths, strict=True):
        packed = (packed << width) | key
    return np.argsort(packed)


def _origins_and_order(sizes: np.ndarray, members: np.ndarray, explained: np.ndarray,
                       published: np.ndarray, id_rank: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """The versions of each story in order, origin first, and the reason for each
    origin (a code into ``ORIGIN_REASONS``); the rules of the module docstring.

    ``members`` are the numbers (input order) of the stories' members, story
    after story (``sizes``); ``explained`` the share of each covered by the
    others, ``published`` and ``id_rank`` ranks of their dates (-1: none) and
    ids.  The order is of indices into ``members``.
    """
    starts = np.cumsum(sizes) - sizes
    story = np.repeat(np.arange(len(sizes)), sizes)
    dated = published >= 0
    # with dates: the earliest, then the least explained, then the smallest id
    earliest = np.lexsort((id_rank, explained, published, ~dated, story))[starts]
    # without: the least explained, or the first in input order of those close to it
    least = np.minimum.reduceat(explained, starts)
    close = explained <= least[story] + ORIGIN_MARGIN
    first_close = np.lexsort((members, ~close, story))[starts]
    has_dates = dated[earliest]
    origin = np.where(has_dates, earliest, first_close)
    reasons = np.where(has_dates, 0,
                       np.where(np.add.reduceat(close.astype(np.int64), starts) == 1, 1, 2))
    not_origin = np.ones(len(members), dtype=bool)
    not_origin[origin] = False
    # all undated versions rank -1 in ``published``: equal, as their missing date
    order = np.lexsort((members, explained, published, ~dated, not_origin, story))
    return order, reasons


def _edges(chosen: np.ndarray, spans: _Spans, pair_chars: np.ndarray, member_ids: list[str],
           lengths: list[int]) -> list[DerivationEdge]:
    """The derivation edge of each chosen pair run (target = owner, source = other)."""
    return [DerivationEdge(source=member_ids[source], target=member_ids[target],
                           target_share=round(shared / lengths[target], 4),
                           source_share=round(given / lengths[source], 4),
                           shared_chars=shared)
            for target, source, shared, given in zip(
                spans.pair_owner[chosen].tolist(), spans.pair_other[chosen].tolist(),
                pair_chars[chosen].tolist(), pair_chars[spans.pair_reverse[chosen]].tolist(),
                strict=True)]


def warm_up() -> None:
    """Compile (or load from the disk cache) the kernels, e.g. before forking workers."""
    story_kernels.warm_up()
