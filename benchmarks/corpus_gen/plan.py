"""The plan of a corpus: story sizes, the chunks stories are built in, which
original gets which real text or which templated item, and the id of every
output position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import EPOCH_2024, Config
from .material import Material


@dataclass
class Plan:
    sizes: np.ndarray  # articles per story (original included)
    units: np.ndarray  # unit order: >= 0 story index, < 0 ~singleton index
    chunk_bounds: list[tuple[int, int]]  # [lo, hi) into units
    chunk_first: list[int]  # output position of each chunk's first article
    story_real: np.ndarray  # real text id per story, -1 synthetic or templated
    single_real: np.ndarray  # real text id per unrelated article, -1 synthetic or templated
    ids: np.ndarray  # id number of the article at each output position
    story_tmpl: np.ndarray  # templated item per story (index into tmpl_*), -1 none
    single_tmpl: np.ndarray  # templated item per unrelated article, -1 none
    tmpl_base: np.ndarray  # frame base of each templated item (Material.frames)
    tmpl_when: np.ndarray  # its publication time (a series issue's is set by the plan)
    tmpl_series: np.ndarray  # whether it is an item of a series


def _templated(cfg: Config, frames: dict, n_units: int, rng: np.random.Generator
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(unit keys, bases, times, series flags) of the templated items.  A family is
    drawn in proportion to its real items (earnings tables are the most common); a
    series issues its items one period apart from a random start, wrapping within the
    year."""
    n_one, n_series = (int(round(share * cfg.articles))
                       for share in (cfg.template_share, cfg.series_share))
    if n_one + n_series > n_units:
        raise ValueError("template_share + series_share too high for this many articles")
    keys = rng.permutation(n_units)[:n_one + n_series]
    family = np.asarray(frames["base_family"])
    info = frames["families"]
    series = np.array([f["series"] for f in info], dtype=bool)
    weight = np.array([f["real_items"] for f in info], dtype=float)
    bases = np.empty(n_one + n_series, dtype=np.int64)
    when = EPOCH_2024 + rng.integers(0, 366 * 86400, n_one + n_series)
    year = 366 * 86400
    start = rng.integers(0, year, len(info))
    issued = np.zeros(len(info), dtype=np.int64)
    by_family = [np.flatnonzero(family == f) for f in range(len(info))]
    for lo, hi, want in ((0, n_one, False), (n_one, n_one + n_series, True)):
        pick = np.flatnonzero(series == want)
        if hi == lo:
            continue
        if not len(pick):
            raise ValueError(f"no {'series' if want else 'one-off'} template families")
        fams = pick[rng.choice(len(pick), hi - lo, p=weight[pick] / weight[pick].sum())]
        for k, f in enumerate(fams.tolist(), lo):
            members = by_family[f]
            bases[k] = members[int(rng.integers(len(members)))]
            if want:
                at = start[f] + issued[f] * info[f]["period_days"] * 86400
                when[k] = EPOCH_2024 + at % year + int(rng.integers(6, 18)) * 3600
                issued[f] += 1
    is_series = np.arange(n_one + n_series) >= n_one
    return keys, bases, when, is_series


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

    keys, tmpl_base, tmpl_when, tmpl_series = _templated(cfg, mat.frames, n_units, rng)
    story_tmpl = np.full(len(sizes), -1, dtype=np.int64)
    single_tmpl = np.full(singles, -1, dtype=np.int64)
    in_story = keys < len(sizes)
    story_tmpl[keys[in_story]] = np.flatnonzero(in_story)
    single_tmpl[keys[~in_story] - len(sizes)] = np.flatnonzero(~in_story)

    cap = len(mat) if cfg.max_real is None else min(cfg.max_real, len(mat))
    long_texts = mat.long[rng.permutation(len(mat.long))]
    free = np.flatnonzero(story_tmpl < 0)  # stories whose original is not templated
    n_story_real = min(len(free), len(long_texts), cap)
    story_real = np.full(len(sizes), -1, dtype=np.int64)
    story_real[free[rng.permutation(len(free))[:n_story_real]]] = long_texts[:n_story_real]
    unused = np.setdiff1d(np.arange(len(mat)), story_real[story_real >= 0])
    unused = unused[rng.permutation(len(unused))]
    free = np.flatnonzero(single_tmpl < 0)
    n_single_real = min(len(free), len(unused), cap - n_story_real)
    single_real = np.full(singles, -1, dtype=np.int64)
    single_real[free[rng.permutation(len(free))[:n_single_real]]] = unused[:n_single_real]
    used = np.concatenate([story_real[story_real >= 0], single_real[single_real >= 0]])
    assert len(np.unique(used)) == len(used), "a real text used twice"
    return Plan(sizes, units, chunk_bounds, chunk_first, story_real, single_real,
                rng.permutation(cfg.articles), story_tmpl, single_tmpl, tmpl_base,
                tmpl_when, tmpl_series)
