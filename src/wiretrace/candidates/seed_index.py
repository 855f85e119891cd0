"""The seed index: which articles share enough word n-grams to be worth aligning.

An inverted index from shingle (hashed word n-gram) to the articles holding
it, built as a sort-and-group over files, so that its memory stays bounded
whatever the size of the corpus (a MapReduce with two shuffles):

1. **map**: each article's distinct shingles are packed with the article's
   number into one 64-bit key and appended to one of ``shingle_partitions``
   files, chosen by the shingle's top bits (:meth:`SeedIndex.add`);
2. **group**: each shingle file alone is sorted; a shingle held by 2 to
   ``max_df`` articles yields every pair of them (a *pair occurrence*),
   appended to one of ``pair_partitions`` files chosen by a hash of the pair.
   A shingle held by more than ``max_df`` articles is boilerplate ("Follow
   us on ...", agency slugs): it creates no pair, which also bounds the
   pairs any one shingle can create;
3. **count**: each pair file alone is sorted and counted; pairs sharing at
   least ``min_shared`` shingles are candidates.

Each worker process holds one partition in memory at a time and appends to
pair files of its own; the files live in a folder the caller provides (a
temporary one) and are deleted as they are used.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wiretrace.fingerprint.keys import DOC_BITS, DOC_MASK, MAX_DOCS
from wiretrace.runtime.workers import map_chunks, worker_state

# Article numbers live in the low DOC_BITS of a key beside a shingle (fingerprint.keys).
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # multiplicative hashing of pair keys
# Pair occurrences made and spilled at once: bounds the memory of a partition
# whose shingles are shared by many articles.
OCCURRENCES_PER_BATCH = 1 << 22


def _partition_bits(partitions: int) -> int:
    bits = partitions.bit_length() - 1
    if partitions < 1 or 1 << bits != partitions:
        raise ValueError(f"partitions must be a power of two, got {partitions}")
    return bits


def _append_by_partition(keys: np.ndarray, part: np.ndarray, files: list[Path]) -> None:
    """Append each key to the file of its partition number."""
    if len(keys) == 0:
        return
    order = np.argsort(part, kind="stable")  # radix sort on small integers
    bounds = np.searchsorted(part[order], np.arange(len(files) + 1))
    sorted_keys = keys[order]
    for k, path in enumerate(files):
        if bounds[k + 1] > bounds[k]:
            with path.open("ab") as handle:
                sorted_keys[bounds[k]:bounds[k + 1]].tofile(handle)


class SeedIndex:
    """Shingles of many articles spilled to disk, and the pairs they seed.

    ``add`` the articles' shingles in any number of batches, then call
    ``pairs`` once.
    """

    def __init__(self, folder: str | Path, shingle_partitions: int = 16,
                 pair_partitions: int = 64) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._shingle_bits = _partition_bits(shingle_partitions)
        self._pair_bits = _partition_bits(pair_partitions)
        self._shingle_files = [self.folder / f"shingles-{k:03d}.u64"
                               for k in range(shingle_partitions)]
        self._pair_partitions = pair_partitions
        for path in self._shingle_files + list(self.folder.glob("pairs-*.u64")):
            path.unlink(missing_ok=True)
        self.n_articles = 0
        self.n_shingles = 0

    def add(self, first_article: int, shingles: np.ndarray, offsets: np.ndarray) -> None:
        """Spill the shingles of articles ``first_article``, ``first_article + 1``, ...

        ``shingles[offsets[k]:offsets[k + 1]]`` are the distinct shingles of
        article ``first_article + k``.
        """
        n = len(offsets) - 1
        if first_article + n > MAX_DOCS:
            raise ValueError(f"the seed index takes at most {MAX_DOCS:,} articles per run")
        self.n_articles = max(self.n_articles, first_article + n)
        if len(shingles) == 0:
            return
        keys = np.repeat(np.arange(first_article, first_article + n, dtype=np.uint64),
                         np.diff(offsets))
        keys |= shingles.astype(np.uint64) << np.uint64(DOC_BITS)
        part = (keys >> np.uint64(64 - self._shingle_bits)).astype(np.uint16) \
            if self._shingle_bits else np.zeros(len(keys), dtype=np.uint16)
        _append_by_partition(keys, part, self._shingle_files)
        self.n_shingles += len(keys)

    def pairs(self, max_df: int, min_shared: int, workers: int = 1
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Candidate pairs ``(left, right, shared)`` with ``left < right``, sorted,
        sharing at least ``min_shared`` non-boilerplate shingles; and the
        sorted boilerplate shingles (held by more than ``max_df`` articles).

        ``workers`` processes take the partitions in turn (the result does not
        depend on it).
        """
        state = _PairsState(self.folder, self._pair_bits, max_df, min_shared)
        shingle_files = [path for path in self._shingle_files if path.exists()]
        boilerplate = [np.empty(0, dtype=np.uint64)]
        for found in map_chunks(_group_partitions, shingle_files, workers, 1, state):
            boilerplate += found
        lefts, rights, counts = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)], \
            [np.empty(0, dtype=np.int64)]
        for chunk in map_chunks(_count_partitions, range(self._pair_partitions), workers, 4,
                                state):
            for left, right, shared in chunk:
                lefts.append(left)
                rights.append(right)
                counts.append(shared)
        left, right, shared = np.concatenate(lefts), np.concatenate(rights), np.concatenate(counts)
        order = np.lexsort((right, left))
        return (left[order], right[order], shared[order],
                np.sort(np.concatenate(boilerplate)))


@dataclass(frozen=True)
class _PairsState:
    """What the workers of :meth:`SeedIndex.pairs` read."""

    folder: Path
    pair_bits: int
    max_df: int
    min_shared: int


def _pair_file(folder: Path, partition: int, writer: int) -> Path:
    return folder / f"pairs-{partition:03d}-{writer}.u64"


def _group_partitions(paths: list[Path]) -> list[np.ndarray]:
    """Sort shingle partitions, spill their pair occurrences; their boilerplate.

    Runs in a worker (see runtime/workers.py); each process appends to pair files of
    its own, so no two processes write one file.
    """
    state = worker_state(_PairsState)
    folder, max_df, pair_bits = state.folder, state.max_df, state.pair_bits
    pair_files = [_pair_file(folder, k, os.getpid()) for k in range(1 << pair_bits)]
    found = []
    for path in paths:
        keys = np.fromfile(path, dtype=np.uint64)
        path.unlink()
        found.append(_spill_pair_occurrences(keys, max_df, pair_bits, pair_files))
    return found


def _count_partitions(partitions: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Pairs of some pair partitions seen at least ``min_shared`` times, with their counts."""
    state = worker_state(_PairsState)
    folder, min_shared = state.folder, state.min_shared
    found = []
    for partition in partitions:
        paths = sorted(folder.glob(f"pairs-{partition:03d}-*.u64"))
        if not paths:
            continue
        occurrences = np.concatenate([np.fromfile(path, dtype=np.uint64) for path in paths])
        for path in paths:
            path.unlink()
        occurrences.sort()
        starts = np.concatenate(([0], np.flatnonzero(occurrences[1:] != occurrences[:-1]) + 1))
        shared = np.diff(np.append(starts, len(occurrences)))
        chosen = shared >= min_shared
        pair_keys = occurrences[starts[chosen]]
        del occurrences
        found.append(((pair_keys >> np.uint64(DOC_BITS)).astype(np.int64),
                      (pair_keys & DOC_MASK).astype(np.int64),
                      shared[chosen].astype(np.int64)))
    return found


def _spill_pair_occurrences(keys: np.ndarray, max_df: int, pair_bits: int,
                            pair_files: list[Path]) -> np.ndarray:
    """Sort one shingle partition, spill its pair occurrences; its boilerplate."""
    keys.sort()
    values = keys >> np.uint64(DOC_BITS)
    docs = keys & DOC_MASK  # ascending within a group of equal shingles
    starts = np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1))
    sizes = np.diff(np.append(starts, len(values)))
    keep = (sizes >= 2) & (sizes <= max_df)
    boilerplate = values[starts[sizes > max_df]]
    del values
    for size in np.unique(sizes[keep]).tolist():
        left, right = np.triu_indices(size, k=1)
        all_starts = starts[keep & (sizes == size)]
        step = max(1, OCCURRENCES_PER_BATCH // len(left))
        for batch in range(0, len(all_starts), step):
            group_starts = all_starts[batch:batch + step]
            members = docs[group_starts[:, None] + np.arange(size)[None, :]]  # (groups, size)
            occurrences = ((members[:, left] << np.uint64(DOC_BITS)) | members[:, right]).ravel()
            del members
            with np.errstate(over="ignore"):
                part = (occurrences * _GOLDEN) >> np.uint64(64 - pair_bits) \
                    if pair_bits else np.zeros(len(occurrences), dtype=np.uint64)
            _append_by_partition(occurrences, part.astype(np.uint16), pair_files)
    return boilerplate
