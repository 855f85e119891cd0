"""Whole-document near-duplicates: datasketch, rensa and wiretrace side by side.

The task: every pair of texts whose word-5-gram shingle sets have a Jaccard
similarity of at least 0.8, found with 128-permutation MinHash and LSH, over
the Reuters-21578 bodies and the BBC articles (``wiretrace.evaluate.corpora``; reading
them is not timed).  All three methods start from the same raw text, and every
timing includes the method's own tokenisation:

* ``datasketch``: ``MinHash.bulk`` (default scheme and SHA-1 hash) and
  ``MinHashLSH(threshold=0.8, num_perm=128)``, inserted in an insertion session,
  then each text queried;
* ``rensa``: ``RMinHash.from_token_sets`` and ``RMinHashLSH`` (``insert_pairs``,
  ``query_all``) with 8 bands of 16 rows, the banding rensa's own deduplicator
  picks at 0.8 (rensa needs a number of bands that divides ``num_perm``);
* ``wiretrace``: ``text.token_hashes_batch`` -> ``fingerprint.shingles_batch`` ->
  ``fingerprint.minhash_flat`` -> ``candidates.lsh_pairs`` (its own tokenizer and
  its own banding, ``candidates.lsh_bands``, at the same 0.8) ->
  ``fingerprint.jaccard_pairs``: each candidate's exact Jaccard, kept when
  >= 0.8 (the ``verify`` column; the other two report their LSH candidates).
  The word caches of ``wiretrace.text.tokens`` (if it has any) are cleared before
  each run, so that a repeat does not start with the corpus's vocabulary
  already normalised; tables built once per process stay built, so the first
  run pays for them.  wiretrace's compiled kernels (numba) are loaded before
  the timed runs, as the other two libraries are imported before theirs;
  what that costs once per process (import, compilation on a machine's first
  run, loading from the disk cache after) is measured in fresh processes and
  printed under the table (``--no-jit-costs`` skips it).

Runs are interleaved (``--repeat K`` runs every method K times in turn) and
the fastest run of each method, by total, is reported.

datasketch and rensa get the same tokenisation: ``re.findall(r"\\w+",
text.lower())``, and the same distinct shingles (the five words joined by a
space).  Texts with fewer than five words have no shingles and enter no index.
The pairs a method finds are its raw LSH candidates (``i < j``); a second
table keeps only those whose MinHash estimate (the share of equal signature
positions) is at least the threshold, a step none of the timings include.

Truth: exact Jaccard of the shingle sets of the shared tokenisation, >= 0.8
(an empty set is never a near-duplicate).  All such pairs are found exactly,
without LSH, by a prefix-filtered similarity join (Bayardo et al. 2007,
"Scaling up all pairs similarity search"): shingles ordered rarest first, a
set of ``L`` shingles can only reach ``t`` with another set if the two share
one of its first ``L - ceil(t * L) + 1`` shingles, so only the pairs sharing a
prefix shingle (and whose sizes are within a factor ``t``) are compared, with
exact set intersections.  The exact Jaccard of every candidate of every
method and of every pair of identical texts is computed as well, and the
script checks that the join found every true pair among them.

    python benchmarks/neardup.py                    # Reuters-21578 + BBC, ~21,268 texts
    python benchmarks/neardup.py --limit 2000 --repeat 3 --json neardup.json
    python benchmarks/neardup.py --methods wiretrace rensa --rensa-bands 16
    python benchmarks/neardup.py --methods wiretrace --wiretrace-lsh-threshold 0.7
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import numpy as np

from wiretrace.candidates.lsh import lsh_bands, lsh_pairs
from wiretrace.evaluate import corpora as datasets
from wiretrace.fingerprint.minhash import jaccard_pairs, minhash_flat, shingles, shingles_batch
from wiretrace.text import tokens as wtext

THRESHOLD = 0.8
NGRAM = 5
NUM_PERM = 128
RENSA_BANDS = 8  # rensa's RMinHashDeduplicator default for a threshold of 0.8
METHODS = ("datasketch", "rensa", "wiretrace")
PHASES = ("tokenise", "shingle", "minhash", "lsh", "verify")

WORD_RE = re.compile(r"\w+")
Pair = tuple[int, int]


# --------------------------------------------------------------------------- corpus

def load_corpus(limit: int | None) -> tuple[list[str], dict]:
    reuters = [a.text for a in datasets.reuters_articles()]
    bbc = [a.text for a in datasets.bbc_articles()]
    if limit is not None and limit < len(reuters) + len(bbc):
        n_bbc = round(limit * len(bbc) / (len(reuters) + len(bbc)))
        reuters, bbc = reuters[:limit - n_bbc], bbc[:n_bbc]
    info = {"texts": len(reuters) + len(bbc), "reuters": len(reuters), "bbc": len(bbc)}
    return reuters + bbc, info


# --------------------------------------------------------------------------- methods

def simple_words(text: str) -> list[str]:
    """The tokenisation datasketch and rensa share: lower-cased regex words."""
    return WORD_RE.findall(text.lower())


def simple_shingles(words: list[str]) -> list[str]:
    """Distinct word ``NGRAM``-grams, the words joined by a space."""
    return list(set(map(" ".join, zip(*(words[k:] for k in range(NGRAM)), strict=False))))


@dataclass
class Run:
    seconds: dict[str, float]
    pairs: set[Pair]
    signatures: np.ndarray  # one row per text, for the MinHash estimate of a pair
    bands: tuple[int, int]
    candidates: set[Pair] | None = None  # LSH candidates, where ``pairs`` are checked ones

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


class Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = now - self._last
        self._last = now


def run_datasketch(texts: list[str], bands: int | None) -> Run:
    from datasketch import MinHash, MinHashLSH

    clock = Timer()
    words = [simple_words(t) for t in texts]
    clock.lap("tokenise")
    grams = [simple_shingles(w) for w in words]
    clock.lap("shingle")
    sketches = MinHash.bulk(([g.encode("utf-8") for g in doc] for doc in grams),
                            num_perm=NUM_PERM)
    clock.lap("minhash")
    params = None if bands is None else (bands, NUM_PERM // bands)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=params)
    indexed = [i for i, doc in enumerate(grams) if doc]
    with lsh.insertion_session() as session:
        for i in indexed:
            session.insert(i, sketches[i], check_duplication=False)
    pairs = set()
    for i in indexed:
        for j in lsh.query(sketches[i]):
            if j != i:
                pairs.add((i, j) if i < j else (j, i))
    clock.lap("lsh")
    clock.seconds["verify"] = 0.0
    signatures = np.stack([m.hashvalues for m in sketches]) if sketches else np.empty((0, 0))
    return Run(clock.seconds, pairs, signatures, (lsh.b, lsh.r))


def run_rensa(texts: list[str], bands: int | None) -> Run:
    from rensa import RMinHash, RMinHashLSH

    bands = bands or RENSA_BANDS
    clock = Timer()
    words = [simple_words(t) for t in texts]
    clock.lap("tokenise")
    grams = [simple_shingles(w) for w in words]
    clock.lap("shingle")
    sketches = RMinHash.from_token_sets(grams, num_perm=NUM_PERM, seed=42)
    clock.lap("minhash")
    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=bands)
    indexed = [i for i, doc in enumerate(grams) if doc]
    lsh.insert_pairs([(i, sketches[i]) for i in indexed])
    pairs = set()
    for i, found in zip(indexed, lsh.query_all([sketches[i] for i in indexed]), strict=True):
        for j in found:
            if j != i:
                pairs.add((i, j) if i < j else (j, i))
    clock.lap("lsh")
    clock.seconds["verify"] = 0.0
    signatures = (np.array([m.digest() for m in sketches], dtype=np.uint32) if sketches
                  else np.empty((0, 0)))
    return Run(clock.seconds, pairs, signatures, (bands, NUM_PERM // bands))


def _clear_wiretrace_caches() -> None:
    """Forget the word caches of ``wiretrace.text.tokens`` so that no repeat starts warm."""
    for name in ("normalise_word", "word_hash"):
        clear = getattr(getattr(wtext, name, None), "cache_clear", None)
        if clear is not None:
            clear()


def run_wiretrace(texts: list[str], lsh_threshold: float | None = None) -> Run:
    """wiretrace's stages; ``lsh_threshold`` (default: the task's) sets its banding only."""
    lsh_threshold = lsh_threshold or THRESHOLD
    _clear_wiretrace_caches()
    clock = Timer()
    hashes, token_offsets = wtext.token_hashes_batch(texts)
    clock.lap("tokenise")
    flat, offsets = shingles_batch(hashes, token_offsets, NGRAM)
    clock.lap("shingle")
    signatures = minhash_flat(flat, offsets, NUM_PERM)
    clock.lap("minhash")
    non_empty = np.diff(offsets) > 0
    candidates = lsh_pairs(signatures, lsh_threshold, non_empty)
    clock.lap("lsh")
    listed = np.array(sorted(candidates), dtype=np.int64).reshape(-1, 2)
    similar = jaccard_pairs(flat, offsets, listed) >= THRESHOLD - 1e-12
    pairs = set(zip(listed[similar, 0].tolist(), listed[similar, 1].tolist(), strict=True))
    clock.lap("verify")
    return Run(clock.seconds, pairs, signatures, lsh_bands(NUM_PERM, lsh_threshold), candidates)


RUNNERS: dict[str, Callable[[list[str], Any], Run]] = {
    "datasketch": run_datasketch, "rensa": run_rensa, "wiretrace": run_wiretrace}


# --------------------------------------------------------------------------- truth

def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting (NumPy 2.4's hashing ``np.unique`` is ~80x slower here)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def interned_sets(docs: Iterable[Iterable]) -> list[np.ndarray]:
    """Each document's distinct shingles as sorted int ids, ids ordered rarest first."""
    ids: dict = {}
    raw = [sorted_distinct(np.fromiter((ids.setdefault(g, len(ids)) for g in doc), dtype=np.int64))
           for doc in docs]
    if not ids:
        return raw
    frequency = np.bincount(np.concatenate(raw), minlength=len(ids))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.lexsort((np.arange(len(ids)), frequency))] = np.arange(len(ids))
    return [np.sort(rank[s]) for s in raw]


def prefix_join(sets: list[np.ndarray], threshold: float) -> set[Pair]:
    """Every pair with exact Jaccard >= ``threshold`` (prefix filtering, then exact check)."""
    lengths = np.array([len(s) for s in sets], dtype=np.int64)
    prefix = lengths - np.ceil(threshold * lengths - 1e-9).astype(np.int64) + 1
    prefix = np.where(lengths > 0, np.minimum(prefix, lengths), 0)
    if prefix.sum() == 0:
        return set()
    tokens = np.concatenate([s[:p] for s, p in zip(sets, prefix, strict=True)])
    docs = np.repeat(np.arange(len(sets), dtype=np.int64), prefix)
    order = np.lexsort((docs, tokens))
    tokens, docs = tokens[order], docs[order]
    starts = np.flatnonzero(np.r_[True, tokens[1:] != tokens[:-1]])
    sizes = np.diff(np.r_[starts, len(tokens)])
    n = np.int64(len(sets))
    keys = []
    for size in np.unique(sizes[sizes >= 2]):
        first = starts[sizes == size]
        members = docs[first[:, None] + np.arange(size)[None, :]]
        left, right = np.triu_indices(size, k=1)
        keys.append(members[:, left].ravel() * n + members[:, right].ravel())
    if not keys:
        return set()
    keys = sorted_distinct(np.concatenate(keys))
    a, b = keys // n, keys % n
    small, large = np.minimum(lengths[a], lengths[b]), np.maximum(lengths[a], lengths[b])
    fits = small >= threshold * large - 1e-9
    python_sets = {}
    found = set()
    for i, j in zip(a[fits].tolist(), b[fits].tolist(), strict=True):
        if jaccard_of(i, j, sets, python_sets) >= threshold - 1e-12:
            found.add((i, j))
    return found


def jaccard_of(i: int, j: int, sets: list[np.ndarray], cache: dict[int, frozenset]) -> float:
    set_i = cache.get(i) or cache.setdefault(i, frozenset(sets[i].tolist()))
    set_j = cache.get(j) or cache.setdefault(j, frozenset(sets[j].tolist()))
    if not set_i or not set_j:
        return 0.0
    common = len(set_i & set_j)
    return common / (len(set_i) + len(set_j) - common)


def identical_pairs(texts: list[str]) -> set[Pair]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(texts):
        groups[t].append(i)
    return {(g[x], g[y]) for g in groups.values() for x in range(len(g))
            for y in range(x + 1, len(g))}


@dataclass
class Truth:
    positives: set[Pair]
    jaccard: dict[Pair, float] = field(default_factory=dict)  # of every pooled pair
    info: dict = field(default_factory=dict)


def ground_truth(texts: list[str], pools: list[set[Pair]]) -> Truth:
    started = time.perf_counter()
    sets = interned_sets(simple_shingles(simple_words(t)) for t in texts)
    positives = prefix_join(sets, THRESHOLD)
    identical = identical_pairs(texts)
    pooled = set().union(identical, *pools)
    cache: dict[int, frozenset] = {}
    jaccard = {p: jaccard_of(p[0], p[1], sets, cache) for p in pooled}
    pooled_positives = {p for p, j in jaccard.items() if j >= THRESHOLD - 1e-12}
    missed_by_join = pooled_positives - positives
    if missed_by_join:  # cannot happen: the join is exact
        print(f"warning: the join missed {len(missed_by_join)} true pairs", file=sys.stderr)
        positives |= missed_by_join
    info = {"positives": len(positives), "pooled_pairs": len(pooled),
            "pooled_positives": len(pooled_positives),
            "positives_outside_pool": len(positives - pooled),
            "identical_text_pairs": len(identical),
            "identical_text_pairs_with_shingles": len(identical & positives),
            "empty_texts": sum(len(s) == 0 for s in sets),
            "seconds": time.perf_counter() - started}
    # the same truth under wiretrace's own tokenizer, to show what the choice changes
    wt_sets = interned_sets(shingles(wtext.tokenize(t), NGRAM).tolist() for t in texts)
    wt_positives = prefix_join(wt_sets, THRESHOLD)
    info["positives_under_wiretrace_tokenizer"] = len(wt_positives)
    info["tokenizer_disagreements"] = len(wt_positives ^ positives)
    return Truth(positives, jaccard, info)


# --------------------------------------------------------------------------- scoring

def estimate(signatures: np.ndarray, pairs: set[Pair], chunk: int = 65536) -> dict[Pair, float]:
    """MinHash estimate (share of equal signature positions) of each pair."""
    listed = sorted(pairs)
    out: dict[Pair, float] = {}
    for begin in range(0, len(listed), chunk):
        block = np.array(listed[begin:begin + chunk], dtype=np.int64)
        same = (signatures[block[:, 0]] == signatures[block[:, 1]]).mean(axis=1)
        out.update(zip(listed[begin:begin + chunk], same.tolist(), strict=True))
    return out


def scores(found: set[Pair], positives: set[Pair]) -> dict:
    hits = len(found & positives)
    return {"pairs": len(found), "true": hits,
            "precision": hits / len(found) if found else None,
            "recall": hits / len(positives) if positives else None}


def fmt(value: float | None, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def table(rows: list[dict], verified: list[dict], raw: list[dict]) -> str:
    base = next((r["total"] for r in rows if r["method"] == "wiretrace"), None)
    head = (f"{'method':<12}{'bands':>7}" + "".join(f"{p:>9}" for p in PHASES)
            + f"{'total':>8}{'vs wt':>8}{'pairs':>7}{'prec':>7}{'rec':>7}")
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = None if not base else r["total"] / base
        lines.append(f"{r['method']:<12}{r['bands']:>7}"
                     + "".join(f"{r['seconds'][p]:>9.3f}" for p in PHASES)
                     + f"{r['total']:>8.3f}{fmt(ratio, '.2f') + 'x':>8}{r['pairs']:>7}"
                     f"{fmt(r['precision']):>7}{fmt(r['recall']):>7}")
    pad = 19 + 9 * len(PHASES) + 16
    for title, block in (("LSH candidates as the index returns them (wiretrace before its exact "
                          "check):", raw),
                         ("LSH candidates kept when their MinHash estimate >= threshold "
                          "(not timed):", verified)):
        lines += ["", title]
        lines += [f"{r['method']:<{pad}}{r['pairs']:>7}{fmt(r['precision']):>7}"
                  f"{fmt(r['recall']):>7}" for r in block]
    return "\n".join(lines)


def version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


# --------------------------------------------------------------------------- jit

_JIT_PROBE = """
import time
started = time.perf_counter()
import numba
imported = time.perf_counter()
from wiretrace.runtime import compiled
compiled.warm_up()
print(imported - started, time.perf_counter() - imported)
"""


def jit_costs() -> dict[str, float]:
    """Seconds a fresh process spends importing numba and getting wiretrace's kernels.

    ``cold``: with an empty disk cache (compilation, what a machine's first
    run pays); ``warm``: a second process loading what the first cached.
    """
    def probe(cache: str) -> tuple[float, float]:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        done = subprocess.run([sys.executable, "-c", _JIT_PROBE], env=env, check=True,
                              capture_output=True, text=True)
        imported, kernels = map(float, done.stdout.split())
        return imported, kernels

    with tempfile.TemporaryDirectory(prefix="wiretrace-numba-") as cache:
        _, cold = probe(cache)
        imported, warm = probe(cache)
    return {"import": imported, "cold": cold, "warm": warm}


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N texts (split across the corpora)")
    parser.add_argument("--repeat", type=int, default=1, metavar="K",
                        help="run each method K times, keep the fastest run")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--datasketch-bands", type=int, default=None,
                        help="bands for MinHashLSH (rows = 128 // bands); default: "
                             "datasketch's own optimum for the threshold")
    parser.add_argument("--rensa-bands", type=int, default=RENSA_BANDS,
                        help=f"bands for RMinHashLSH, a divisor of 128 (default {RENSA_BANDS})")
    parser.add_argument("--wiretrace-lsh-threshold", type=float, default=None, metavar="T",
                        help="banding of wiretrace's LSH (candidates.lsh_bands) for this "
                             "Jaccard instead of the task's; its exact check still keeps "
                             f"pairs >= {THRESHOLD}")
    parser.add_argument("--json", metavar="FILE", help="also write the figures here")
    parser.add_argument("--no-jit-costs", dest="jit_costs", action="store_false",
                        help="do not measure what loading wiretrace's compiled kernels "
                             "costs a fresh process (cold and warm disk cache)")
    args = parser.parse_args(argv)
    wall_start = time.perf_counter()
    if "wiretrace" in args.methods:
        from wiretrace.runtime import compiled
        compiled.warm_up()  # as the other libraries are imported before their runs

    texts, corpus = load_corpus(args.limit)
    band_args = {"datasketch": args.datasketch_bands, "rensa": args.rensa_bands,
                 "wiretrace": args.wiretrace_lsh_threshold}
    best: dict[str, Run] = {}
    for _ in range(max(1, args.repeat)):
        for name in args.methods:  # interleaved, so drift hits every method alike
            gc.collect()
            run = RUNNERS[name](texts, band_args[name])
            if name in best and run.pairs != best[name].pairs:
                print(f"warning: {name} found different pairs on a repeat", file=sys.stderr)
            if name not in best or run.total < best[name].total:
                best[name] = run

    candidates = {name: run.candidates if run.candidates is not None else run.pairs
                  for name, run in best.items()}
    truth = ground_truth(texts, list(candidates.values()))
    rows, verified, raw = [], [], []
    for name in args.methods:
        run = best[name]
        estimates = estimate(run.signatures, candidates[name])
        kept = {p for p, e in estimates.items() if e >= THRESHOLD}
        rows.append({"method": name, "bands": f"{run.bands[0]}x{run.bands[1]}",
                     "seconds": run.seconds, "total": run.total,
                     **scores(run.pairs, truth.positives)})
        raw.append({"method": name, **scores(candidates[name], truth.positives)})
        verified.append({"method": name, **scores(kept, truth.positives)})
    jit = jit_costs() if args.jit_costs and "wiretrace" in args.methods else None
    wall = time.perf_counter() - wall_start

    print(table(rows, verified, raw))
    print(f"\ncorpus: {corpus['texts']:,} texts ({corpus['reuters']:,} Reuters-21578 bodies, "
          f"{corpus['bbc']:,} BBC), via wiretrace.evaluate.corpora")
    print(f"task: Jaccard >= {THRESHOLD} of word {NGRAM}-gram shingle sets, {NUM_PERM} "
          f"permutations; seconds: best of {max(1, args.repeat)} (by total), tokenisation "
          f"included; 'vs wt' = total / wiretrace's total")
    info = truth.info
    print(f"truth: {info['positives']:,} pairs with exact Jaccard >= {THRESHOLD} (prefix-"
          f"filtered join, {info['seconds']:.1f} s); {info['pooled_positives']:,} of them among "
          f"the {info['pooled_pairs']:,} candidate + identical-text pairs, "
          f"{info['positives_outside_pool']:,} found by no method and not identical text")
    print(f"       {info['identical_text_pairs']:,} identical-text pairs "
          f"({info['identical_text_pairs_with_shingles']:,} with shingles); "
          f"{info['empty_texts']:,} texts under {NGRAM} words; under wiretrace's tokenizer "
          f"the truth has {info['positives_under_wiretrace_tokenizer']:,} pairs "
          f"({info['tokenizer_disagreements']:,} differ)")
    if jit is not None:
        print(f"jit: once per process, untimed above: import numba {jit['import']:.2f} s, then "
              f"wiretrace's kernels compiled {jit['cold']:.2f} s (a machine's first run) or "
              f"loaded from the disk cache {jit['warm']:.2f} s (every later process)")
    print(f"versions: python {platform.python_version()}, numpy {np.__version__}, "
          f"datasketch {version('datasketch')}, rensa {version('rensa')}, "
          f"numba {version('numba')}")
    print(f"wall time {wall:.1f} s")

    if args.json:
        figures = {"corpus": corpus, "threshold": THRESHOLD, "ngram": NGRAM,
                   "num_perm": NUM_PERM, "repeat": max(1, args.repeat),
                   "methods": {r["method"]: {**r, "verified": v, "candidates": c}
                               for r, v, c in zip(rows, verified, raw, strict=True)},
                   "truth": info, "wall_seconds": wall, "jit_seconds": jit,
                   "versions": {"python": platform.python_version(), "numpy": np.__version__,
                                "datasketch": version("datasketch"),
                                "rensa": version("rensa"), "numba": version("numba")}}
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
