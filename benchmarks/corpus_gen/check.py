"""Checking a written corpus: pairs of articles sharing a run of ``RUN`` words
that the truth does not relate (template siblings, which share a frame by
design, counted apart).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .material import _run_hashes
from .words import WORD_RE


def check_runs(out_dir: str | os.PathLike, fmt: str = "parquet", examples: int = 5) -> dict:
    """Pairs of articles sharing a run of ``RUN`` words that the truth does not relate
    (not linked by any chain of truth rows), those of one template family apart.
    About 2 minutes per 100,000 articles."""
    import pyarrow.parquet as pq
    from pyarrow import json as pa_json

    out = Path(out_dir)

    def table(name: str, columns: list[str]):
        path = out / f"{name}.{fmt}"
        got = pq.read_table(path, columns=columns) if fmt == "parquet" \
            else pa_json.read_json(path).select(columns)
        return [got.column(c).to_pylist() for c in columns]

    ids, texts = table("articles", ["id", "text"])
    parent = list(range(len(ids)))
    index = {a: k for k, a in enumerate(ids)}

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for target, source in zip(*table("truth", ["target", "source"]), strict=True):
        parent[root(index[target])] = root(index[source])
    # the template families of each truth component (a splice can carry a templated
    # paragraph into another story)
    families: dict[int, set[str]] = {}
    for article, name in zip(*table("stories", ["id", "template"]), strict=True):
        if name is not None:
            families.setdefault(root(index[article]), set()).add(name)
    vocab: dict[str, int] = {}
    hashes, owners = [], []
    for k, text in enumerate(texts):
        words = WORD_RE.findall(text.lower())
        h = np.unique(_run_hashes(np.array([vocab.setdefault(w, len(vocab)) for w in words],
                                           dtype=np.int64)))
        hashes.append(h)
        owners.append(np.full(len(h), k, dtype=np.int64))
    del texts
    h, owner = np.concatenate(hashes), np.concatenate(owners)
    order = np.argsort(h, kind="stable")
    h, owner = h[order], owner[order]
    starts = np.flatnonzero(np.concatenate([[True], h[1:] != h[:-1]]))
    sizes = np.diff(np.append(starts, len(h)))
    shared: set[tuple[int, int]] = set()
    siblings: set[tuple[int, int]] = set()
    unrelated: dict[tuple[int, int], int] = {}
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        group = owner[start:start + size].tolist()
        for i in range(size):
            for j in range(i + 1, size):
                a, b = min(group[i], group[j]), max(group[i], group[j])
                shared.add((a, b))
                if root(a) == root(b):
                    continue
                if families.get(root(a), set()) & families.get(root(b), set()):
                    siblings.add((a, b))
                else:
                    unrelated[(a, b)] = unrelated.get((a, b), 0) + 1
    worst = sorted(unrelated.items(), key=lambda item: (-item[1], item[0]))[:examples]
    return {"pairs_sharing_a_run": len(shared), "template_pairs_sharing_a_run": len(siblings),
            "unrelated_pairs_sharing_a_run": len(unrelated),
            "unrelated_pairs_by_runs": {n: sum(1 for v in unrelated.values() if v == n)
                                        for n in sorted(set(unrelated.values()))},
            "examples": [[ids[a], ids[b], n] for (a, b), n in worst]}
