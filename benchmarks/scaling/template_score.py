"""Scoring templated items: how many pairs of template siblings (items of one
template family, not planted copies of each other) a run puts in one story.

A template family (earnings tables, bond notices, one weekly statistic) shares
a sentence frame while every name and figure differs: its items are different
events, never one story.  Sibling pairs are counted per family, leaving out the
pairs inside one component of the truth's reuse graph (an item and its planted
copies or corrections, which are one story).  ``precision`` is the share of
sibling pairs the run keeps apart (1 - ``joined`` / ``sibling_pairs``); the
passages between siblings are counted by the kind wiretrace gave them
(``reuse`` links stories, ``template`` does not).
"""

from __future__ import annotations

import numpy as np


def _pairs_within(*labels: np.ndarray) -> int:
    """Pairs of items sharing every one of ``labels`` (each an int array)."""
    if not len(labels[0]):
        return 0
    keys = np.stack(labels, axis=1)
    _, counts = np.unique(keys, axis=0, return_counts=True)
    c = counts.astype(np.int64)
    return int((c * (c - 1) // 2).sum())


def sibling_scores(family: np.ndarray, component: np.ndarray, story: np.ndarray) -> dict:
    """Sibling pairs and those in one predicted story, over the items with a family
    (``family`` >= 0); ``component`` is the truth component, ``story`` the predicted
    story (unique for an article in none) of every article."""
    on = family >= 0
    f, c, s = family[on], component[on], story[on]
    siblings = _pairs_within(f) - _pairs_within(f, c)
    joined = _pairs_within(f, s) - _pairs_within(f, s, c)
    return {"items": int(on.sum()), "families": int(len(np.unique(f))),
            "sibling_pairs": siblings, "joined": joined,
            "joined_share": joined / siblings if siblings else 0.0,
            "precision": 1.0 - joined / siblings if siblings else 1.0}


def template_scores(family: np.ndarray, series: np.ndarray, component: np.ndarray,
                    story: np.ndarray, pair_lo: np.ndarray, pair_hi: np.ndarray,
                    pair_kind: np.ndarray) -> dict:
    """Template precision, over all families and for one-off templates and series
    apart, and the passages found between siblings by kind.

    ``family``: family code of each article (-1: none); ``series``: whether its family
    is a series; ``pair_lo``, ``pair_hi``, ``pair_kind``: the article pairs with a
    passage and the passage's kind ("reuse", "template", "boilerplate")."""
    out = sibling_scores(family, component, story)
    for name, mask in (("template", ~series), ("series", series)):
        out[name] = sibling_scores(np.where(mask, family, -1), component, story)
    between = (family[pair_lo] >= 0) & (family[pair_lo] == family[pair_hi]) \
        & (component[pair_lo] != component[pair_hi])
    out["passage_pairs"] = {kind: int(len(np.unique(
        pair_lo[between & (pair_kind == kind)] * len(family)
        + pair_hi[between & (pair_kind == kind)])))
        for kind in sorted(set(pair_kind[between].tolist()) | {"reuse", "template"})}
    return out
