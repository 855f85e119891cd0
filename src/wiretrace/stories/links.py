"""Which pairs of articles link, and which links make one story.

Two articles are **linked** when the words their reuse passages match (in
order, on both sides) are at least ``story_min_share`` of the shorter one's.
Only ``reuse`` passages count: a template match (the same frame with other
names and figures, :mod:`wiretrace.align.templates`) or boilerplate never
links.  Time is evidence too: versions of one story are close in time, so
two dated articles further apart than ``close_in_time_days`` link only
through passages whose names and figures agree (:func:`agrees`: none
changed, or one among many kept, up to :data:`AGREEING_DAYS` apart; none
changed beyond): a follow-up weeks later reusing the background of one
episode keeps its names, next week's report in the same frame fills in
other figures.  Times
are compared as instants; a time without a UTC offset is taken as UTC.

Links do not **chain**: a connected group of linked articles is cut into
stories by average linkage (:func:`split_chains`): links taken strongest
first, two parts merging only when the links between them are at least
``story_cohesion`` of all the pairs they could form.  An article joins a
story through links to a good share of its members, not through a path;
a digest quoting one paragraph from each of ten items, or the one frame
sentence that next week's report shares, does not merge two groups.  An
article that draws on two stories keeps its passages with both (and a
derivation edge from each source inside its own story), and joins the one
it is tied to more closely.

Measured on the real Reuters + BBC archive (``benchmarks/real_stories.py``,
BENCHMARKS.md): the largest story went from 473 articles (SEC filing briefs
of different companies) to 11 (one day's prime-rate round); without the
time rule the daily U.K. money-market reports chained into one story of 67
across a month.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import NamedTuple

import numpy as np

from wiretrace.model import KIND_CODE, Passage
from wiretrace.params import TraceParams


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a time without a UTC offset is taken as UTC, so that times
    compare as instants (every view and rule of wiretrace reads times so)."""
    return moment.astimezone(timezone.utc) if moment.tzinfo else \
        moment.replace(tzinfo=timezone.utc)


def epoch_seconds(published: Sequence[str | None]) -> np.ndarray:
    """Seconds since the epoch of each ``isoformat()`` time (NaN when unknown),
    read by :func:`as_utc`."""
    out = np.full(len(published), np.nan)
    for k, value in enumerate(published):
        if value:
            out[k] = as_utc(datetime.fromisoformat(value)).timestamp()
    return out


# A passage keeping at least this many names and figures agrees when it changes
# one: the lead actor a follow-up opens on is counted as a changed slot of every
# passage, and a long background paragraph with its names intact is the same
# episode's.  Measured on the labelled pairs: recall of "in the same story"
# 0.648 -> 0.722 at precision 0.714 -> 0.709 (5 kept: 0.672 / 0.722; 12 kept:
# 0.706 / 0.667).
AGREEING_SLOTS = 8
# ... but only between texts at most this many days apart; further apart, only
# passages that change nothing count.  Without it, the same company's crude-oil
# posting raised in March, June and October (one figure changed in a long
# passage) made one story of 13; with it, recall and precision are unchanged
# (0.722 / 0.709) and the largest story holds 11 (30 days: 0.704 / 0.717).
AGREEING_DAYS = 60.0


def agrees(slots_kept: np.ndarray, slots_changed: np.ndarray) -> np.ndarray:
    """Whether each passage's names and figures agree, for the time rule: none
    changed, or one among at least :data:`AGREEING_SLOTS` kept (by arrays)."""
    changed = np.asarray(slots_changed)
    return (changed == 0) | ((changed == 1) & (np.asarray(slots_kept) >= AGREEING_SLOTS))


class LinkWords(NamedTuple):
    """The words of each pair's reuse passages that count as link evidence
    (float64, by pair): what :func:`link_strength` weighs."""

    matched: np.ndarray  # matched by its reuse passages
    agreeing: np.ndarray  # by those whose names and figures agree (:func:`agrees`)
    unchanged: np.ndarray  # by those that change no name or figure


def link_words(kind: np.ndarray, matched_words: np.ndarray, slots_kept: np.ndarray,
               slots_changed: np.ndarray, pair: np.ndarray, n_pairs: int) -> LinkWords:
    """:class:`LinkWords` of ``n_pairs`` pairs from passages given by arrays (their
    ``kind`` codes, ``matched_words``, slots) and the ``pair`` each belongs to.

    Only ``reuse`` passages count; the one sum behind every link decision
    (:func:`~wiretrace.stories.build.build_stories`, the index's adds and queries).
    """
    words = np.where(np.asarray(kind) == KIND_CODE["reuse"], matched_words, 0)
    changed = np.asarray(slots_changed)
    pair = np.asarray(pair, dtype=np.int64)
    return LinkWords(
        np.bincount(pair, weights=words, minlength=n_pairs),
        np.bincount(pair, weights=np.where(agrees(slots_kept, changed), words, 0),
                    minlength=n_pairs),
        np.bincount(pair, weights=np.where(changed == 0, words, 0), minlength=n_pairs))


def passage_link_words(passages: Sequence[Passage]) -> LinkWords:
    """:func:`link_words` of the passages of one pair (a one-pair :class:`LinkWords`)."""
    return link_words(np.array([KIND_CODE[p.kind] for p in passages], dtype=np.int64),
                      np.array([p.matched_words for p in passages], dtype=np.int64),
                      np.array([p.slots_kept for p in passages], dtype=np.int64),
                      np.array([p.slots_changed for p in passages], dtype=np.int64),
                      np.zeros(len(passages), dtype=np.int64), 1)


def link_strength(matched: np.ndarray, matched_agreeing: np.ndarray, words_a: np.ndarray,
                  words_b: np.ndarray, seconds_a: np.ndarray, seconds_b: np.ndarray,
                  params: TraceParams, matched_unchanged: np.ndarray | None = None
                  ) -> np.ndarray:
    """The evidence that each pair tells one story, as a share of the shorter
    article's words (by arrays): a pair links when it reaches ``story_min_share``,
    and :func:`split_chains` takes the links strongest first.

    ``matched``: words matched by a pair's reuse passages; ``matched_agreeing``:
    by those of them whose names and figures agree (:func:`agrees`);
    ``matched_unchanged``: by those that change no slot at all (None: as
    agreeing); ``seconds_*``: the articles' times (NaN: unknown).  A pair
    further apart in time than ``close_in_time_days`` counts only its agreeing
    passages, and one further apart than :data:`AGREEING_DAYS` only those that
    change nothing.
    """
    with np.errstate(invalid="ignore"):
        gap = np.abs(np.asarray(seconds_a) - np.asarray(seconds_b))
        apart = gap > params.close_in_time_days * 86400.0
        far = gap > AGREEING_DAYS * 86400.0
    evidence = np.where(apart, matched_agreeing, matched)
    if matched_unchanged is not None:
        evidence = np.where(far, matched_unchanged, evidence)
    return evidence / np.maximum(1, np.minimum(words_a, words_b))


def links(matched: np.ndarray, matched_agreeing: np.ndarray, words_a: np.ndarray,
          words_b: np.ndarray, seconds_a: np.ndarray, seconds_b: np.ndarray,
          params: TraceParams, matched_unchanged: np.ndarray | None = None) -> np.ndarray:
    """Which pairs join one story (the rule of the module docstring), by arrays
    (the arguments of :func:`link_strength`)."""
    return link_strength(matched, matched_agreeing, words_a, words_b, seconds_a, seconds_b,
                         params, matched_unchanged) >= params.story_min_share



def connected_components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes for edges (left, right):
    the smallest node of its component (the groups :func:`split_chains` cuts)."""
    from wiretrace.stories import kernels  # numba: imported on first use only

    return kernels.component_roots(n, np.asarray(left, dtype=np.int64),
                                   np.asarray(right, dtype=np.int64))


def split_chains(labels: np.ndarray, x: np.ndarray, y: np.ndarray, strength: np.ndarray,
                 cohesion: float, most_earlier: int | None = None) -> np.ndarray:
    """Stories inside each connected group of linked articles: groups that do not chain.

    Links are taken strongest first; two parts merge when the links between
    them are at least ``cohesion`` of all the pairs they could form (average
    linkage): an article joins a story linked to a good share of its
    members, not through a path of one link after another, and a weak or
    bridging link (a digest quoting one paragraph of each of ten items, a
    frame shared by next week's report) does not merge two groups.
    An article no part took but linked to several joins the part it has the
    most links with (the larger on a tie), so a splice or a digest belongs to
    one story; one tied loosely to a single story stays out of it.
    ``labels``: the connected group of each article (its smallest member);
    the result labels each story by its smallest member of the part it
    started as (a part an article joined alone keeps its label).
    ``most_earlier``: each article was aligned with at most so many earlier
    ones (``max_earlier_candidates``), so the pairs two parts could form count
    at most that many members of each: 5,000 versions of one story, each
    aligned with the first 200, are one story, not the 666 that a share of 0.3
    of every pair would take.
    """
    labels = labels.copy()
    distinct = x != y  # an article's passages with itself link nothing
    # each link one way round, so that the order links are taken in is the same
    # however a caller gives them
    x, y = np.minimum(x, y)[distinct], np.maximum(x, y)[distinct]
    strength = strength[distinct]
    if not len(x):
        return labels
    group = labels[x]
    order = np.lexsort((y, x, -strength, group))
    x, y, group = x[order], y[order], group[order]
    starts = np.flatnonzero(np.diff(group, prepend=-1)).tolist() + [len(group)]
    x_list, y_list = x.tolist(), y.tolist()
    for lo, hi in zip(starts[:-1], starts[1:], strict=True):
        members = set(x_list[lo:hi]) | set(y_list[lo:hi])
        k = len(members)
        if k <= 2 or hi - lo == k * (k - 1) // 2:
            continue  # a pair, or every member linked to every other: one story
        for member, part in _cohesive_parts(x_list[lo:hi], y_list[lo:hi], cohesion,
                                            most_earlier or k).items():
            labels[member] = part
    return labels


def _cohesive_parts(left: list[int], right: list[int], cohesion: float,
                    most: int) -> dict[int, int]:
    """Average linkage over the links ``left[k]``-``right[k]`` (strongest first):
    the part of each article, named by its smallest member; a part counts at most
    ``most`` members in the pairs two parts could form."""
    members = set(left) | set(right)
    parent = {m: m for m in members}
    size = dict.fromkeys(members, 1)
    between: dict[int, dict[int, int]] = {m: {} for m in members}  # links between parts
    for u, v in zip(left, right, strict=True):
        between[u][v] = between[u].get(v, 0) + 1
        between[v][u] = between[v].get(u, 0) + 1

    def root(m: int) -> int:
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    for u, v in zip(left, right, strict=True):
        ru, rv = root(u), root(v)
        if ru == rv or between[ru].get(rv, 0) < cohesion * min(size[ru], most) \
                * min(size[rv], most):
            continue
        keep, gone = min(ru, rv), max(ru, rv)
        parent[gone] = keep
        size[keep] += size[gone]
        for other, count in between.pop(gone).items():
            if other == keep:
                continue
            between[keep][other] = between[keep].get(other, 0) + count
            del between[other][gone]
            between[other][keep] = between[keep][other]
        between[keep].pop(gone, None)
    part = {m: root(m) for m in members}
    # an article that no part took but that draws on several (a digest, a splice of
    # two stories) joins the one it has most links with, the larger on a tie: it
    # never merges two; one tied loosely to a single story (the end of a chain)
    # stays out
    size_of = {r: size[r] for r in set(part.values())}
    alone = {m: {} for m in members if size_of[part[m]] == 1}
    for u, v in zip(left, right, strict=True):
        for one, other in ((u, v), (v, u)):
            if one in alone and other not in alone:
                alone[one][part[other]] = alone[one].get(part[other], 0) + 1
    for m, counts in alone.items():
        if len(counts) > 1:
            part[m] = max(counts, key=lambda r: (counts[r], size_of[r], -r))
    return part
