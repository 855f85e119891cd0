"""The plan of a corpus: story sizes, the chunks stories are built in, which
original gets which real text, and the id of every output position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import Config
from .material import Material


@dataclass
class Plan:
    sizes: np.ndarray  # articles per story (original included)
    units: np.ndarray  # unit order: >= 0 story index, < 0 ~singleton index
    chunk_bounds: list[tuple[int, int]]  # [lo, hi) into units
    chunk_first: list[int]  # output position of each chunk's first article
    story_real: np.ndarray  # real text id per story, -1 synthetic
    single_real: np.ndarray  # real text id per unrelated article, -1 synthetic
    ids: np.ndarray  # id number of the article at each output position


def make_plan(cfg: Config, mat: Material) -> Plan:
    rng = np.random.default_rng([cfg.seed, 0])
    n_derived = int(round(cfg.articles * cfg.derived_share))
    s = np.arange(cfg.story_min, cfg.story_max + 1)
    p = s.astype(float) ** -cfg.story_exponent
    draws = rng.choice(s, size=n_derived // (cfg.story_min - 1) + 1, p=p / p.sum())
    covered = np.cumsum(draws - 1)
    k = int(np.searchsorted(covered, n_derived)) + 1 if n_derived else 0
    sizes = draws[:k].copy()
    if k:
        sizes[-1] -= covered[k - 1] - n_derived
        if sizes[-1] < 2:
            sizes = sizes[:-1]
    singles = cfg.articles - int(sizes.sum())
    if singles < 0:
        raise ValueError("derived_share too high for this many articles")
    n_units = len(sizes) + singles
    units = np.concatenate([np.arange(len(sizes)), ~np.arange(singles)])[rng.permutation(n_units)]
    unit_size = np.where(units >= 0, sizes[np.maximum(units, 0)], 1)
    ends = np.cumsum(unit_size)
    cuts = np.searchsorted(ends, np.arange(cfg.chunk_articles, cfg.articles, cfg.chunk_articles),
                           "left") + 1
    cuts = np.unique(np.concatenate([[0], cuts, [n_units]]))
    chunk_bounds = [(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]
    chunk_first = [int(ends[a - 1]) if a else 0 for a, _ in chunk_bounds]

    cap = len(mat) if cfg.max_real is None else min(cfg.max_real, len(mat))
    long_texts = mat.long[rng.permutation(len(mat.long))]
    n_story_real = min(len(sizes), len(long_texts), cap)
    story_real = np.full(len(sizes), -1, dtype=np.int64)
    story_real[rng.permutation(len(sizes))[:n_story_real]] = long_texts[:n_story_real]
    unused = np.setdiff1d(np.arange(len(mat)), story_real[story_real >= 0])
    unused = unused[rng.permutation(len(unused))]
    n_single_real = min(singles, len(unused), cap - n_story_real)
    single_real = np.full(singles, -1, dtype=np.int64)
    single_real[rng.permutation(singles)[:n_single_real]] = unused[:n_single_real]
    used = np.concatenate([story_real[story_real >= 0], single_real[single_real >= 0]])
    assert len(np.unique(used)) == len(used), "a real text used twice"
    return Plan(sizes, units, chunk_bounds, chunk_first, story_real, single_real,
                rng.permutation(cfg.articles))
