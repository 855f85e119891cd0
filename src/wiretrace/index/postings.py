"""In-memory postings of the index: shingle -> articles and LSH band -> articles.

The postings live in SQLite as immutable sorted *runs* (one BLOB of packed
``uint64`` keys each, ``value << 24 | doc``), like the seed index of
:mod:`wiretrace.candidates.lsh` but persisted: an ``add`` writes one new run for
its batch (a NumPy sort and one BLOB insert, not hundreds of thousands of
B-tree inserts), and runs are merged in the background of later adds, LSM
style, so a lookup touches a few dozen sorted arrays at most.  A lookup walks
each run once from left to right with the values in order
(:mod:`wiretrace.index.lookup_kernels`): microseconds for an article's few
hundred shingles, tens of milliseconds for a batch's few hundred thousand,
most of which a large run's presence bitmap rules out without a search.

The view is immutable once published: a writer builds a new one
(:meth:`Postings.with_run`), so readers in other threads never see a batch
that is not committed.  ``alive`` marks the current version of each article;
superseded versions keep their keys in old runs until a merge drops them.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field, replace

import numpy as np

from wiretrace.candidates.lsh import band_keys as band_hashes
from wiretrace.fingerprint.keys import DOC_BITS, DOC_MASK, DOC_SHIFT, MAX_DOCS, pack

__all__ = ["BANDS", "DOC_BITS", "DOC_MASK", "MAX_DOCS", "SHINGLES", "Lookup", "Postings",
           "band_keys", "merged", "pack"]

SHINGLES, BANDS = 0, 1  # run kinds
TOP_LEVEL = 99  # runs too large to merge further


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """The stored value of each LSH band of each signature, an ``(n, bands)``
    array: the top bits of the batch run's band hash (``candidates.lsh.band_keys``),
    room left for the doc in a key (``fingerprint.keys``)."""
    return band_hashes(signatures, bands, rows) >> DOC_SHIFT


@dataclass(frozen=True)
class Lookup:
    """Holders of ``values`` (of run ``kind``): ``docs[offsets[i]:offsets[i + 1]]``,
    live articles, hold ``values[i]`` (in run order, ascending within a run).

    ``df[i]`` is the number of live holders of ``values[i]``.  Values with
    more than ``cap`` holders are not expanded (``df`` then counts keys,
    which is enough to know it is above the cap).  ``values``, ``kind`` and
    ``cap`` tell a later caller which look-ups this one can answer.
    """

    df: np.ndarray
    offsets: np.ndarray
    docs: np.ndarray
    values: np.ndarray
    kind: int
    cap: int | None = None

    @property
    def which(self) -> np.ndarray:
        """For each of ``docs``, the index of the value it holds."""
        return np.repeat(np.arange(len(self.df)), np.diff(self.offsets))

    def serves(self, kind: int, cap: int | None) -> bool:
        """Whether this look-up (in the caller's view) answers look-ups of ``kind``
        values with ``cap``, for its own values, found by binary search in them."""
        ascending = len(self.values) < 2 or bool((self.values[1:] > self.values[:-1]).all())
        return self.kind == kind and self.cap == cap and ascending


@dataclass(frozen=True)
class Postings:
    """The published, read-only view of all runs plus the live mask."""

    runs: dict[int, dict[int, np.ndarray]] = field(
        default_factory=lambda: {SHINGLES: {}, BANDS: {}})
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    generation: int = -1

    @property
    def dead_count(self) -> int:
        return int(len(self.alive) - np.count_nonzero(self.alive))

    def with_run(self, kind: int, run_id: int, keys: np.ndarray) -> Postings:
        runs = {k: dict(v) for k, v in self.runs.items()}
        runs[kind][run_id] = keys
        return replace(self, runs=runs)

    def with_alive(self, docs_alive: list[int], docs_dead: list[int]) -> Postings:
        top = max([len(self.alive) - 1, *docs_alive, *docs_dead])
        alive = np.zeros(top + 1, dtype=bool)
        alive[:len(self.alive)] = self.alive
        alive[np.asarray(docs_alive, dtype=np.int64)] = True
        alive[np.asarray(docs_dead, dtype=np.int64)] = False
        return replace(self, alive=alive)

    def n_keys(self, kind: int) -> int:
        return sum(len(k) for k in self.runs[kind].values())

    def lookup(self, kind: int, values: np.ndarray, cap: int | None = None) -> Lookup:
        """Live holders of each of ``values`` (distinct 40-bit values; fastest ascending).

        Two passes over the runs: one finds each value's keys and counts
        them and their live docs (so ``cap`` is known to be passed before
        anything is copied), one copies the live docs of values within it.
        """
        from wiretrace.index import lookup_kernels  # numba: imported on first use only

        values = np.ascontiguousarray(values, dtype=np.uint64)
        order = None
        if len(values) > 1 and not (values[1:] >= values[:-1]).all():
            # the kernels walk each run once, so they take the values in order
            order = np.argsort(values, kind="stable")
            values = values[order]
        n = len(values)
        raw, live = np.zeros(n, np.int64), np.zeros(n, np.int64)
        limit = np.iinfo(np.int64).max if cap is None else cap + self.dead_count
        spans = [(keys, *lookup_kernels.run_spans(keys, *_presence(keys), values, self.alive,
                                                  limit, raw, live))
                 for keys in self.runs[kind].values()]
        expand = raw <= limit
        offsets = np.zeros(n + 1, np.int64)
        np.cumsum(np.where(expand, live, 0), out=offsets[1:])
        docs = np.empty(int(offsets[-1]), np.int64)
        cursor = offsets[:-1].copy()
        for keys, hits, starts, ends in spans:
            lookup_kernels.gather_live(keys, hits, starts, ends, expand, self.alive, cursor, docs)
        found = Lookup(np.where(expand, live, raw), offsets, docs, values, kind, cap)
        return found if order is None else _unsorted(found, order)


# Runs of at least this many keys get a presence bitmap (see _presence).
PRESENCE_MIN_KEYS = 1 << 16
_NO_BITS = np.zeros(0, dtype=np.uint64)
_presence_of: dict[int, tuple[np.ndarray, int]] = {}


def _presence(keys: np.ndarray) -> tuple[np.ndarray, int]:
    """The presence bitmap of a large run and its prefix bits (``lookup_kernels``).

    A batch's values are nearly all absent from the older, larger runs; the
    bitmap skips them without a search (measured: 23 -> 9 ms for 330,000
    values in a 10-million-key run; 25 ms to build, once).  It costs 4-8
    bits per key, 6-12% of the run, and is built once per run array (runs
    never change in place) and dropped with it.
    """
    if len(keys) < PRESENCE_MIN_KEYS:
        return _NO_BITS, 0
    found = _presence_of.get(id(keys))
    if found is None:
        from wiretrace.index import lookup_kernels

        bits = min(len(keys).bit_length() + 2, 40)
        found = (lookup_kernels.presence_bits(keys, bits), bits)
        _presence_of[id(keys)] = found
        # the id is free for reuse only once the array is gone: forget it then
        weakref.finalize(keys, _presence_of.pop, id(keys), None)
    return found


def _unsorted(found: Lookup, order: np.ndarray) -> Lookup:
    """The look-up of ``found.values[inverse]``, ``order`` being the inverse's inverse."""
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    counts = np.diff(found.offsets)[inverse]
    offsets = np.zeros(len(order) + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    # each value's segment, copied from where the sorted look-up put it
    positions = np.arange(offsets[-1]) - np.repeat(offsets[:-1] - found.offsets[inverse], counts)
    return Lookup(found.df[inverse], offsets, found.docs[positions], found.values[inverse],
                  found.kind, found.cap)


def merged(parts: list[np.ndarray], alive: np.ndarray) -> np.ndarray:
    """One sorted run from several, without the keys of superseded versions."""
    keys = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)
    docs = (keys & DOC_MASK).astype(np.int64)
    keep = np.zeros(len(keys), dtype=bool)
    inside = docs < len(alive)
    keep[inside] = alive[docs[inside]]
    keys = keys[keep]
    keys.sort()
    return keys
