"""In-memory postings of the index: shingle -> articles and LSH band -> articles.

The postings live in SQLite as immutable sorted *runs* (one BLOB of packed
``uint64`` keys each, ``value << 24 | doc``), like the seed index of
:mod:`wiretrace.candidates` but persisted: an ``add`` writes one new run for
its batch (a NumPy sort and one BLOB insert, not hundreds of thousands of
B-tree inserts), and runs are merged in the background of later adds, LSM
style, so a lookup touches a few dozen sorted arrays at most.  A lookup is a
pair of ``searchsorted`` calls per run: microseconds for an article's few
hundred shingles.

The view is immutable once published: a writer builds a new one
(:meth:`Postings.with_run`), so readers in other threads never see a batch
that is not committed.  ``alive`` marks the current version of each article;
superseded versions keep their keys in old runs until a merge drops them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

DOC_BITS = 24
MAX_DOCS = 1 << DOC_BITS
DOC_MASK = np.uint64(MAX_DOCS - 1)
_SHIFT = np.uint64(DOC_BITS)
SHINGLES, BANDS = 0, 1  # run kinds
TOP_LEVEL = 99  # runs too large to merge further
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def pack(values: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Sorted keys ``value << 24 | doc`` of parallel arrays of 40-bit values and docs."""
    keys = (values.astype(np.uint64) << _SHIFT) | docs.astype(np.uint64)
    keys.sort()
    return keys


def _mix(h: np.ndarray) -> np.ndarray:
    # splitmix64 finaliser: every input bit reaches every output bit
    h ^= h >> np.uint64(30)
    h *= _MIX1
    h ^= h >> np.uint64(27)
    h *= _MIX2
    h ^= h >> np.uint64(31)
    return h


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """40-bit hash of each LSH band of each signature: an ``(n, bands)`` array.

    Two signatures collide in a band exactly when the band's values are
    equal, up to a 2**-40 hash collision (which costs one useless alignment,
    never a missed pair).
    """
    n = len(signatures)
    block = signatures[:, :bands * rows].astype(np.uint64).reshape(n, bands, rows)
    with np.errstate(over="ignore"):
        h = np.broadcast_to(np.arange(bands, dtype=np.uint64) * _MIX2, (n, bands)).copy()
        for k in range(rows):
            h = _mix(h ^ block[:, :, k] ^ np.uint64(k + 1))
    return h >> _SHIFT


# Holders of a value looked at one by one before a second binary search.
_PEEK = 4


def _ends(keys: np.ndarray, starts: np.ndarray, high: np.ndarray) -> np.ndarray:
    """``np.searchsorted(keys, high, side="right")``, given the starts of the ranges.

    Most values have no or few holders in a run, and the keys after a
    start sit in the cache line the search just read: stepping over them is
    cheaper than a second binary search over the whole run (measured: the
    look-up of a query's shingles in a 100,000-article index takes half the
    time).  Values with more holders get the binary search.
    """
    ends = starts.copy()
    if len(keys) == 0:
        return ends
    last = len(keys) - 1
    for _ in range(_PEEK):
        ends += (ends <= last) & (keys[np.minimum(ends, last)] <= high)
    more = (ends <= last) & (keys[np.minimum(ends, last)] <= high)
    if more.any():
        ends[more] = np.searchsorted(keys, high[more], side="right")
    return ends


@dataclass(frozen=True)
class Lookup:
    """Holders of some values: ``docs[k]`` (a live article) holds ``values[which[k]]``.

    ``df[i]`` is the number of live holders of ``values[i]``.  Values with
    more than ``cap`` holders are not expanded (``df`` then counts keys,
    which is enough to know it is above the cap).
    """

    df: np.ndarray
    which: np.ndarray
    docs: np.ndarray


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
        """Live holders of each of ``values`` (distinct 40-bit values)."""
        values = np.asarray(values, dtype=np.uint64)
        low, high = values << _SHIFT, (values << _SHIFT) | DOC_MASK
        spans = []
        raw = np.zeros(len(values), dtype=np.int64)
        for keys in self.runs[kind].values():
            lo = np.searchsorted(keys, low, side="left")
            hi = _ends(keys, lo, high)
            raw += hi - lo
            spans.append((keys, lo, hi))
        expand = np.ones(len(values), dtype=bool) if cap is None else raw <= cap + self.dead_count
        which_parts, doc_parts = [], []
        for keys, lo, hi in spans:
            counts = np.where(expand, hi - lo, 0)
            total = int(counts.sum())
            if total == 0:
                continue
            which = np.repeat(np.arange(len(values)), counts)
            starts = np.cumsum(counts) - counts
            positions = np.arange(total) - np.repeat(starts - lo, counts)
            which_parts.append(which)
            doc_parts.append((keys[positions] & DOC_MASK).astype(np.int64))
        if not doc_parts:
            return Lookup(np.where(expand, 0, raw), np.empty(0, np.int64), np.empty(0, np.int64))
        which, docs = np.concatenate(which_parts), np.concatenate(doc_parts)
        live = self.alive[docs] if len(self.alive) else np.zeros(len(docs), dtype=bool)
        which, docs = which[live], docs[live]
        df = np.where(expand, np.bincount(which, minlength=len(values)), raw)
        return Lookup(df, which, docs)


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
