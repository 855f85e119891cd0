"""Compiled inner loops of the index's postings look-ups (numba).

An ``add`` looks up a batch's few hundred thousand distinct shingles (and
LSH band keys) in every sorted run of the postings, then turns the holders
into candidate doc pairs.  In NumPy that was a ``searchsorted`` per run for
the starts, a second pass for the ends, a ``bincount`` of live holders, and
``np.unique`` over every (owner, holder) pair: 3.8 s per 10,000 articles
added to a 90,000-article index, the largest serial cost of ``index add``.

Here the batch's values are sorted, so each run is walked once from left to
right: the next value's range starts at or after the previous one's, and
an exponential (galloping) search from there finds it in a few steps, in
memory just read; the end of the range, and its live holders, come in the
same pass.  A large run's presence bitmap (:func:`presence_bits`, kept by
:mod:`~wiretrace.index.postings`) rules out most values without a search.
Pairs are counted owner by owner in a dense counter over docs, not by
sorting every pair occurrence.  Measured on the same batches (the 10,000
articles after the first 90,000 of the 100,000-article corpus, batches of
2,000): the look-ups and pairs of an add took 4.5-6 times less time.

Keys are ``value << 24 | doc`` (:mod:`wiretrace.index.postings`).  Compiled
code is cached on disk (``cache=True``); :func:`warm_up` loads it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)
from wiretrace.fingerprint.keys import DOC_MASK as _DOC_MASK
from wiretrace.fingerprint.keys import DOC_SHIFT as _SHIFT

_TOP = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, nogil=True, inline="always")
def _first_at_least(keys: np.ndarray, start: int, bound: np.uint64) -> int:
    """First index ``>= start`` whose key is ``>= bound`` (``len(keys)`` if none).

    Galloping: probes ``start``, ``start + 1``, ``+ 3``, ``+ 7``... then a
    binary search in the last step, so a bound ``d`` keys ahead costs about
    ``2 log2 d`` probes, all near ``start``.
    """
    n = len(keys)
    if start >= n or keys[start] >= bound:
        return start
    low, step = start, 1  # keys[low] < bound
    high = low + 1
    while high < n and keys[high] < bound:
        low = high
        step *= 2
        high = low + step
    if high > n:
        high = n
    while high - low > 1:  # keys[low] < bound; high == n or keys[high] >= bound
        middle = (low + high) // 2
        if keys[middle] < bound:
            low = middle
        else:
            high = middle
    return high


@njit(cache=True, nogil=True)
def presence_bits(keys: np.ndarray, bits: int) -> np.ndarray:
    """A bitmap of the ``bits``-bit prefixes of the values in a sorted run.

    Bit ``p`` (of ``2 ** bits``, packed in ``uint64`` words) is set when
    some key's value starts with ``p``.  Values are 40-bit hashes, so with
    4-8 bits per key most values of a batch that are not in the run (nearly
    all of them, in an old run) find their bit clear, and are skipped with
    one read of a bitmap walked in order instead of a search in the run.
    """
    words = np.zeros(max(1, (1 << bits) >> 6), np.uint64)
    shift = np.uint64(64 - bits)
    for k in range(len(keys)):
        prefix = keys[k] >> shift
        words[prefix >> np.uint64(6)] |= np.uint64(1) << (prefix & np.uint64(63))
    return words


@njit(cache=True, nogil=True, inline="always")
def _maybe_in(present: np.ndarray, bits: int, low: np.uint64) -> bool:
    """Whether the run of bitmap ``present`` may have keys from ``low`` (a value's first)."""
    if len(present) == 0:
        return True
    prefix = low >> np.uint64(64 - bits)
    return (present[prefix >> np.uint64(6)] >> (prefix & np.uint64(63))) & np.uint64(1) != 0


@njit(cache=True, nogil=True)
def run_spans(keys: np.ndarray, present: np.ndarray, bits: int, values: np.ndarray,
              alive: np.ndarray, limit: int, raw: np.ndarray, live: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the sorted ``values`` lie in one sorted run ``keys``.

    Returns ``(hits, starts, ends)``: ``keys[starts[j]:ends[j]]`` are the
    keys of ``values[hits[j]]``, for each value with keys in the run (most
    values of a batch are in none of the older runs: only those are kept).
    Adds each value's number of keys to ``raw`` and of live docs among them
    (``alive[doc]``; docs past its end are dead) to ``live``.  A range of
    more than ``limit`` keys is not counted one by one: its value is over
    the cap anyway.  ``values`` must be ascending (repeats allowed).
    ``present``: the run's :func:`presence_bits` with ``bits``, or empty.
    """
    n, n_alive = len(keys), len(alive)
    hits = np.empty(len(values), np.int64)
    starts, ends = np.empty(len(values), np.int64), np.empty(len(values), np.int64)
    n_hits = 0
    position = 0
    for i in range(len(values)):
        low = values[i] << _SHIFT
        if not _maybe_in(present, bits, low):
            continue
        high = low | _DOC_MASK
        start = _first_at_least(keys, position, low)
        position = start
        if start == n or keys[start] > high:
            continue
        end = n if high == _TOP else _first_at_least(keys, start, high + np.uint64(1))
        hits[n_hits], starts[n_hits], ends[n_hits] = i, start, end
        n_hits += 1
        raw[i] += end - start
        if end - start <= limit:
            count = 0
            for k in range(start, end):
                doc = np.int64(keys[k] & _DOC_MASK)
                if doc < n_alive and alive[doc]:
                    count += 1
            live[i] += count
    return hits[:n_hits].copy(), starts[:n_hits].copy(), ends[:n_hits].copy()


@njit(cache=True, nogil=True)
def gather_live(keys: np.ndarray, hits: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                take: np.ndarray, alive: np.ndarray, cursor: np.ndarray,
                docs: np.ndarray) -> None:
    """Copy the live docs of the ranges :func:`run_spans` found to ``docs``.

    Value ``i = hits[j]``'s docs (if ``take[i]``) go to ``docs[cursor[i]]``
    onward and ``cursor[i]`` moves past them, so calling this run after run
    fills each value's segment in run order.
    """
    n_alive = len(alive)
    for j in range(len(hits)):
        i = hits[j]
        if not take[i]:
            continue
        at = cursor[i]
        for k in range(starts[j], ends[j]):
            doc = np.int64(keys[k] & _DOC_MASK)
            if doc < n_alive and alive[doc]:
                docs[at] = doc
                at += 1
        cursor[i] = at


@njit(cache=True, nogil=True)
def group_by_owner(packed: np.ndarray, n_owners: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct values and, per owner, the indices of its values among them.

    ``packed``: sorted keys ``value << 24 | owner`` (owner < ``n_owners``).
    Returns ``(distinct, offsets, items)``: owner ``g`` holds
    ``distinct[items[offsets[g]:offsets[g + 1]]]`` (ascending; a value the
    owner has twice is listed twice).  One pass, then a counting sort by owner.
    """
    n = len(packed)
    index = np.empty(n, np.int64)  # position of each key's value in distinct
    distinct = np.empty(n, np.uint64)
    counts = np.zeros(n_owners + 1, np.int64)
    n_distinct = 0
    for k in range(n):
        value = packed[k] >> _SHIFT
        if n_distinct == 0 or distinct[n_distinct - 1] != value:
            distinct[n_distinct] = value
            n_distinct += 1
        index[k] = n_distinct - 1
        counts[np.int64(packed[k] & _DOC_MASK) + 1] += 1
    offsets = np.cumsum(counts)
    cursor = offsets[:-1].copy()
    items = np.empty(n, np.int64)
    for k in range(n):
        owner = np.int64(packed[k] & _DOC_MASK)
        items[cursor[owner]] = index[k]
        cursor[owner] += 1
    return distinct[:n_distinct].copy(), offsets, items


@njit(cache=True, nogil=True)
def _grown(keys: np.ndarray, size: int) -> np.ndarray:
    if size < len(keys):
        return keys
    bigger = np.empty(2 * len(keys), np.uint64)
    bigger[:size] = keys[:size]
    return bigger


@njit(cache=True, nogil=True)
def pair_keys(owners: np.ndarray, owner_offsets: np.ndarray, items: np.ndarray,
              usable: np.ndarray, starts: np.ndarray, ends: np.ndarray, docs: np.ndarray,
              in_work: np.ndarray, threshold: int) -> np.ndarray:
    """Keys ``min << 24 | max`` of the (owner, holder) pairs sharing ``threshold`` values.

    Owner ``g`` (doc ``owners[g]``, all distinct) holds the values
    ``items[owner_offsets[g]:owner_offsets[g + 1]]``; value ``i``'s holders
    are ``docs[starts[i]:ends[i]]``.  Values not ``usable`` are
    skipped.  A pair of two ``in_work`` docs is counted from its smaller
    doc only (it is seen from both sides).  Each key comes from one owner,
    so counting owner by owner in a counter over docs gives each pair's
    total without sorting the occurrences.
    """
    counter = np.zeros(len(in_work), np.int32)
    seen = np.empty(len(in_work), np.int64)
    out = np.empty(1024, np.uint64)
    n_out = 0
    for g in range(len(owners)):
        owner = owners[g]
        n_seen = 0
        for t in range(owner_offsets[g], owner_offsets[g + 1]):
            i = items[t]
            if not usable[i]:
                continue
            for k in range(starts[i], ends[i]):
                other = docs[k]
                if other == owner or (in_work[other] and other < owner):
                    continue
                if counter[other] == 0:
                    seen[n_seen] = other
                    n_seen += 1
                counter[other] += 1
        for s in range(n_seen):
            other = seen[s]
            if counter[other] >= threshold:
                out = _grown(out, n_out)
                low, high = min(owner, other), max(owner, other)
                out[n_out] = (np.uint64(low) << _SHIFT) | np.uint64(high)
                n_out += 1
            counter[other] = 0
    return out[:n_out].copy()


def _read_only(keys: np.ndarray) -> np.ndarray:
    view = keys.view()
    view.flags.writeable = False
    return view


def warm_up() -> None:
    """Compile (or load from the disk cache) every kernel for the types used."""
    keys = np.array([1 << 24, (1 << 24) | 1], np.uint64)
    values = np.array([1], np.uint64)
    alive = np.ones(2, np.bool_)
    raw, live = np.zeros(1, np.int64), np.zeros(1, np.int64)
    docs = np.empty(2, np.int64)
    for run in (keys, _read_only(keys)):  # runs loaded from SQLite are read-only
        present = presence_bits(run, 6)
        hits, starts, ends = run_spans(run, present, 6, values, alive, 10, raw, live)
        gather_live(run, hits, starts, ends, np.ones(1, np.bool_), alive,
                    np.zeros(1, np.int64), docs)
    distinct, owner_offsets, items = group_by_owner(keys, 2)
    pair_keys(np.arange(2, dtype=np.int64), owner_offsets, items, np.ones(1, np.bool_),
              np.zeros(1, np.int64), np.array([2], np.int64), docs, alive, 1)
