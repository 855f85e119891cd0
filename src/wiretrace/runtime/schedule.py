"""How pair work is cut for workers: copies aligned once, connected groups whole.

Both drivers align candidate pairs the same way (the batch run in forked
workers, the index in its long-lived alignment workers or in its own
process):

* **Copies are aligned once.**  Articles with the very same text (wire
  copies republished verbatim) align the same way with any partner, so each
  distinct pair of texts is aligned once, by the first pair carrying it
  (:func:`distinct_text_pairs`), and its passages given to every pair
  carrying those two texts.
* **A connected group is never split.**  The pairs of one connected group of
  articles go to one worker, one after the other (:func:`pair_groups`), so
  each article's tokens, sentences and anchors are prepared once: the batch
  run cuts the groups into chunks of a least size (:func:`group_chunks`),
  the index deals them to its workers (:func:`deal_groups`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from wiretrace.runtime.workers import chunks_at


class TextPairs(NamedTuple):
    """The distinct pairs of texts among some pairs of articles."""

    first: np.ndarray  # the first pair carrying each distinct pair of texts (indices, ascending)
    of_pair: np.ndarray  # for each pair, its distinct pair (index into ``first``)


def distinct_text_pairs(pairs: np.ndarray, text: np.ndarray) -> TextPairs:
    """The distinct pairs of texts of ``pairs`` (a ``(k, 2)`` array of article
    numbers), ``text[number]`` naming each article's text (equal numbers, equal
    texts), in the order they first appear."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(pairs) == 0:
        return TextPairs(np.empty(0, np.int64), np.empty(0, np.int64))
    text = np.asarray(text, dtype=np.int64)
    n = int(text.max()) + 1
    _, first, inverse = np.unique(text[pairs[:, 0]] * n + text[pairs[:, 1]],
                                  return_index=True, return_inverse=True)
    # in order of first appearance, not of the keys
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return TextPairs(first[order].astype(np.int64), rank[inverse.ravel()].astype(np.int64))


def pair_groups(pairs: np.ndarray) -> np.ndarray:
    """The connected group of each pair of ``pairs`` (a ``(k, 2)`` array of
    article numbers), named by the smallest article in it."""
    from wiretrace.stories.kernels import component_roots  # numba: imported on first use only

    ends = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(ends) == 0:
        return np.empty(0, np.int64)
    nodes, slots = np.unique(ends, return_inverse=True)
    slots = slots.reshape(-1, 2)
    return nodes[component_roots(len(nodes), slots[:, 0], slots[:, 1])[slots[:, 0]]]


# A connected group of more pairs than this is cut into chunks of about this
# many: the versions of a story re-published thousands of times made one chunk
# of millions of pairs, which one worker aligned while the others waited.  Such
# a group is cut by its later article, its pairs ordered by it: each version
# then meets its earlier partners (the same few hundred earliest versions, see
# ``max_earlier_candidates``) one after another, and every text stays in a
# worker's token cache, where ordered by the earlier article each version came
# round again once per partner, long after the cache had dropped it.
MAX_GROUP_CHUNK = 20_000


def group_chunks(pairs: np.ndarray, min_size: int,
                 max_size: int = MAX_GROUP_CHUNK) -> list[np.ndarray]:
    """``pairs`` sorted by connected group, then by their two ends, and cut into
    chunks of at least ``min_size`` pairs (the last may be smaller), a group
    never split between two unless it has more than ``max_size`` pairs; such a
    group is ordered by later article and cut where it changes, about every
    ``max_size`` pairs."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    group = pair_groups(pairs)
    order = np.lexsort((pairs[:, 1], pairs[:, 0], group))
    pairs, group = pairs[order], group[order]
    starts = np.flatnonzero(group[1:] != group[:-1]) + 1
    bounds = np.r_[0, starts, len(pairs)]
    cuts = [starts]
    for k in np.flatnonzero(np.diff(bounds) > max_size).tolist():  # the large groups only
        begin, end = int(bounds[k]), int(bounds[k + 1])
        inside = pairs[begin:end]
        pairs[begin:end] = inside[np.lexsort((inside[:, 0], inside[:, 1]))]
        later = pairs[begin:end, 1]
        changes = np.flatnonzero(later[1:] != later[:-1]) + 1 + begin
        if len(changes):
            every = np.searchsorted(changes, np.arange(begin + max_size, end, max_size))
            cuts.append(np.unique(changes[np.minimum(every, len(changes) - 1)]))
    starts = np.unique(np.concatenate(cuts)).astype(np.int64)
    return chunks_at(pairs, starts.tolist(), min_size)  # type: ignore[return-value]


def deal_groups(pairs: list[tuple[int, int]], workers: int) -> list[list[tuple[int, int]]]:
    """``pairs`` dealt to ``workers`` jobs, a connected group never split.

    A group goes to the worker its smallest article names (``number %
    workers``), so a story's members meet the worker that already holds their
    tokens, unless that worker already has more than its share; then to the
    least loaded.  Largest groups first; a group's pairs keep their order.
    """
    if not pairs:
        return [[] for _ in range(workers)]
    roots = pair_groups(np.array(pairs, dtype=np.int64))
    by_group = np.argsort(roots, kind="stable")  # a group's pairs keep their order
    names, firsts, sizes = np.unique(roots[by_group], return_index=True, return_counts=True)
    share = 1.1 * len(pairs) / workers
    jobs: list[list[tuple[int, int]]] = [[] for _ in range(workers)]
    for k in np.lexsort((names, -sizes)).tolist():  # largest groups first
        root, first, size = int(names[k]), int(firsts[k]), int(sizes[k])
        target = root % workers
        if jobs[target] and len(jobs[target]) + size > share:
            target = min(range(workers), key=lambda w: len(jobs[w]))
        jobs[target] += [pairs[i] for i in by_group[first:first + size].tolist()]
    return jobs
