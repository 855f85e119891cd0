"""The compiled postings look-ups (``index.lookup_kernels``) against their definition.

Each kernel is compared with plain NumPy/Python on random runs (values
drawn from a small range, so that values have several holders, none, or
more than a cap), including empty inputs and the largest 40-bit value.
``Postings.lookup`` and ``engine.candidate_pairs`` are compared with the
NumPy code they replaced, kept here as the definition.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from wiretrace.index import engine, lookup_kernels, postings
from wiretrace.index.postings import BANDS, DOC_MASK, MAX_DOCS, SHINGLES, Postings, pack
from wiretrace.params import TraceParams

TOP_VALUE = (1 << 40) - 1
SHIFT = np.uint64(24)


def random_run(rng: np.random.Generator, n: int, values: int, docs: int) -> np.ndarray:
    """A sorted run of ``n`` distinct keys (some of the largest value, some of a doc
    past every ``alive`` mask)."""
    value = rng.integers(0, values, n).astype(np.uint64)
    value[rng.random(n) < 0.05] = TOP_VALUE
    doc = rng.integers(0, docs, n).astype(np.uint64)
    doc[rng.random(n) < 0.02] = MAX_DOCS - 1
    return np.unique(pack(value, doc))


def random_values(rng: np.random.Generator, n: int, values: int) -> np.ndarray:
    picked = rng.integers(0, values + 5, n).astype(np.uint64)
    if n:
        picked[0] = TOP_VALUE
    return np.unique(picked)


# --------------------------------------------------------------------------
# the definitions
# --------------------------------------------------------------------------


def presence_by_definition(keys: np.ndarray, bits: int) -> np.ndarray:
    words = np.zeros(max(1, (1 << bits) >> 6), np.uint64)
    for prefix in set((keys >> np.uint64(64 - bits)).tolist()):
        words[prefix >> 6] |= np.uint64(1 << (prefix & 63))
    return words


def live_count(keys: np.ndarray, alive: np.ndarray) -> int:
    docs = (keys & DOC_MASK).astype(np.int64)
    return int(sum(1 for d in docs if d < len(alive) and alive[d]))


def spans_by_definition(keys, values, alive, limit):
    low = values << SHIFT
    starts = np.searchsorted(keys, low, side="left")
    ends = np.searchsorted(keys, low | DOC_MASK, side="right")
    raw = ends - starts
    live = np.array([live_count(keys[s:e], alive) if e - s <= limit else 0
                     for s, e in zip(starts, ends, strict=True)], dtype=np.int64)
    hits = np.flatnonzero(raw > 0)
    return hits, starts[hits], ends[hits], raw, live


def pairs_by_definition(owners, values_of, holders_of, usable, in_work, threshold):
    counts: Counter = Counter()
    for owner, values in zip(owners, values_of, strict=True):
        for value in values:
            if not usable[value]:
                continue
            for other in holders_of[value]:
                if other != owner and not (in_work[other] and other < owner):
                    counts[(min(owner, other) << 24) | max(owner, other)] += 1
    return {key for key, count in counts.items() if count >= threshold}


def lookup_by_definition(view: Postings, kind: int, values: np.ndarray, cap: int | None):
    """``Postings.lookup`` as it was in NumPy: ``(df, which, docs)``."""
    values = np.asarray(values, dtype=np.uint64)
    low, high = values << SHIFT, (values << SHIFT) | DOC_MASK
    spans, raw = [], np.zeros(len(values), dtype=np.int64)
    for keys in view.runs[kind].values():
        lo, hi = np.searchsorted(keys, low), np.searchsorted(keys, high, side="right")
        raw += hi - lo
        spans.append((keys, lo, hi))
    expand = np.ones(len(values), dtype=bool) if cap is None else raw <= cap + view.dead_count
    which_parts, doc_parts = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for keys, lo, hi in spans:
        for i in np.flatnonzero(expand & (hi > lo)):
            which_parts.append(np.full(hi[i] - lo[i], i))
            doc_parts.append((keys[lo[i]:hi[i]] & DOC_MASK).astype(np.int64))
    which, docs = np.concatenate(which_parts), np.concatenate(doc_parts)
    live = np.array([d < len(view.alive) and view.alive[d] for d in docs], dtype=bool)
    which, docs = which[live], docs[live]
    df = np.where(expand, np.bincount(which, minlength=len(values)), raw)
    return df, which, docs


def candidate_pairs_by_definition(view, work, boilerplate, params):
    """``engine.candidate_pairs`` as it was in NumPy (``np.unique`` of every pair)."""
    work_docs = np.array([d.doc for d in work], dtype=np.int64)

    def pairs_from(kind, values, owners, cap, exclude):
        if len(values) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        distinct, inverse = np.unique(values, return_inverse=True)
        df, which, docs = lookup_by_definition(view, kind, distinct, cap)
        usable = np.ones(len(distinct), dtype=bool) if exclude is None else ~exclude(distinct, df)
        owner_rep, other = [], []
        for owner, i in zip(owners, inverse, strict=True):
            if usable[i]:
                held = docs[which == i]
                owner_rep.append(np.full(len(held), owner))
                other.append(held)
        owner_rep = np.concatenate([np.empty(0, np.int64), *owner_rep])
        other = np.concatenate([np.empty(0, np.int64), *other])
        keep = (other != owner_rep) & (~np.isin(other, work_docs) | (owner_rep < other))
        low = np.minimum(owner_rep[keep], other[keep])
        high = np.maximum(owner_rep[keep], other[keep])
        return np.unique((low << 24) | high, return_counts=True)

    max_df = params.max_df or 0
    values = np.concatenate([np.empty(0, np.uint64), *[d.shingles for d in work]])
    owners = np.repeat(work_docs, [len(d.shingles) for d in work])
    keys, counts = pairs_from(SHINGLES, values, owners, max_df,
                              lambda distinct, df: (df > max_df) | np.isin(distinct, boilerplate))
    chosen = set(keys[counts >= params.min_shared_seeds].tolist())
    banded = [d for d in work if d.bands is not None]
    if banded:
        keys, _ = pairs_from(BANDS, np.concatenate([d.bands for d in banded]),
                             np.repeat([d.doc for d in banded], [len(d.bands) for d in banded]),
                             None, None)
        chosen.update(keys.tolist())
    return {(k >> 24, k & (MAX_DOCS - 1)) for k in chosen}


# --------------------------------------------------------------------------
# the kernels
# --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_presence_bits_marks_the_value_prefixes_of_a_run(seed):
    rng = np.random.default_rng(seed)
    for n in (0, 1, 500):
        keys = random_run(rng, n, 1 << 40, 50)
        for bits in (6, 9, 14):
            assert np.array_equal(lookup_kernels.presence_bits(keys, bits),
                                  presence_by_definition(keys, bits))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("with_bits", [False, True])
def test_run_spans_match_searchsorted(seed, with_bits):
    rng = np.random.default_rng(seed)
    for n_keys, n_values, n_alive in ((0, 20, 10), (40, 0, 10), (0, 0, 0), (300, 80, 0),
                                      (2000, 300, 40), (5000, 30, 60)):
        keys = random_run(rng, n_keys, 200, 60)
        values = random_values(rng, n_values, 200)
        alive = rng.random(n_alive) < 0.7
        present, bits = (lookup_kernels.presence_bits(keys, 12), 12) if with_bits else \
            (np.zeros(0, np.uint64), 0)
        limit = int(rng.integers(0, 8))
        raw, live = np.zeros(len(values), np.int64), np.zeros(len(values), np.int64)
        found = lookup_kernels.run_spans(keys, present, bits, values, alive, limit, raw, live)
        hits, starts, ends, want_raw, want_live = spans_by_definition(keys, values, alive, limit)
        for got, want in zip((*found, raw, live), (hits, starts, ends, want_raw, want_live),
                             strict=True):
            assert np.array_equal(got, want)


def test_run_spans_accumulate_over_runs_and_take_repeated_values():
    rng = np.random.default_rng(7)
    values = np.sort(rng.integers(0, 50, 60).astype(np.uint64))  # repeats
    alive = rng.random(30) < 0.5
    raw, live = np.zeros(len(values), np.int64), np.zeros(len(values), np.int64)
    want_raw, want_live = np.zeros_like(raw), np.zeros_like(live)
    for _ in range(3):
        keys = random_run(rng, 400, 50, 30)
        lookup_kernels.run_spans(keys, np.zeros(0, np.uint64), 0, values, alive, 1000, raw, live)
        _, _, _, one_raw, one_live = spans_by_definition(keys, values, alive, 1000)
        want_raw += one_raw
        want_live += one_live
    assert np.array_equal(raw, want_raw) and np.array_equal(live, want_live)


@pytest.mark.parametrize("seed", range(4))
def test_gather_live_copies_the_live_docs_of_taken_values(seed):
    rng = np.random.default_rng(seed)
    for n_keys, n_values in ((0, 10), (500, 0), (800, 100)):
        keys = random_run(rng, n_keys, 120, 40)
        values = random_values(rng, n_values, 120)
        alive = rng.random(35) < 0.6
        raw, live = np.zeros(len(values), np.int64), np.zeros(len(values), np.int64)
        hits, starts, ends = lookup_kernels.run_spans(keys, np.zeros(0, np.uint64), 0, values,
                                                      alive, 10**9, raw, live)
        take = rng.random(len(values)) < 0.8
        offsets = np.concatenate([[0], np.cumsum(np.where(take, live, 0))]).astype(np.int64)
        docs = np.full(int(offsets[-1]), -1, np.int64)
        cursor = offsets[:-1].copy()
        lookup_kernels.gather_live(keys, hits, starts, ends, take, alive, cursor, docs)
        assert np.array_equal(cursor, offsets[1:])
        for i, value in enumerate(values):
            held = (keys[(keys >> SHIFT) == value] & DOC_MASK).astype(np.int64)
            held = [d for d in held if d < len(alive) and alive[d]] if take[i] else []
            assert docs[offsets[i]:offsets[i + 1]].tolist() == held


@pytest.mark.parametrize("seed", range(4))
def test_group_by_owner_lists_each_owners_distinct_value_indices(seed):
    rng = np.random.default_rng(seed)
    for n, n_owners in ((0, 0), (0, 3), (1, 1), (400, 7), (3000, 50)):
        values = rng.integers(0, 300, n).astype(np.uint64)
        owners = rng.integers(0, max(n_owners, 1), n).astype(np.uint64)
        packed = np.sort((values << SHIFT) | owners)
        distinct, offsets, items = lookup_kernels.group_by_owner(packed, n_owners)
        assert np.array_equal(distinct, np.unique(values))
        assert len(offsets) == n_owners + 1
        for owner in range(n_owners):
            mine = np.sort(values[owners == owner])
            assert distinct[items[offsets[owner]:offsets[owner + 1]]].tolist() == mine.tolist()


@pytest.mark.parametrize("seed", range(6))
def test_pair_keys_count_shared_values_per_pair(seed):
    rng = np.random.default_rng(seed)
    for n_owners, n_values, n_docs in ((0, 5, 10), (3, 0, 10), (6, 40, 30), (25, 200, 80)):
        owner_docs = np.sort(rng.choice(n_docs, n_owners, replace=False)).astype(np.int64)
        values_of = [np.sort(rng.choice(max(n_values, 1), rng.integers(0, 15)))
                     if n_values else np.empty(0, np.int64) for _ in owner_docs]
        holders_of = [rng.choice(n_docs, rng.integers(0, 6), replace=False).astype(np.int64)
                      for _ in range(n_values)]
        in_work = np.zeros(n_docs, dtype=bool)
        in_work[owner_docs] = True
        in_work[rng.choice(n_docs, 3)] = True  # work docs that own nothing here
        usable = rng.random(n_values) < 0.8
        owner_offsets = np.concatenate([[0], np.cumsum([len(v) for v in values_of])])
        items = np.concatenate([np.empty(0, np.int64), *values_of]).astype(np.int64)
        sizes = np.array([len(h) for h in holders_of], dtype=np.int64)
        ends = np.cumsum(sizes).astype(np.int64)
        docs = np.concatenate([np.empty(0, np.int64), *holders_of])
        for threshold in (1, 2, 3):
            got = lookup_kernels.pair_keys(owner_docs, owner_offsets.astype(np.int64), items,
                                           usable, ends - sizes, ends, docs, in_work, threshold)
            assert len(set(got.tolist())) == len(got)
            assert set(got.tolist()) == pairs_by_definition(
                owner_docs.tolist(), values_of, [h.tolist() for h in holders_of], usable,
                in_work, threshold)


def test_warm_up_runs():
    lookup_kernels.warm_up()


# --------------------------------------------------------------------------
# the look-ups built on them
# --------------------------------------------------------------------------


def random_postings(rng: np.random.Generator, n_runs: int, values: int, docs: int) -> Postings:
    runs = {SHINGLES: {}, BANDS: {}}
    for kind in (SHINGLES, BANDS):
        for r in range(n_runs):
            runs[kind][r] = random_run(rng, int(rng.integers(0, 3000)), values, docs)
    return Postings(runs, rng.random(docs) < 0.85, 0)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("bitmaps", [False, True])
def test_lookup_matches_its_numpy_definition(seed, bitmaps, monkeypatch):
    if bitmaps:
        monkeypatch.setattr(postings, "PRESENCE_MIN_KEYS", 1)
    rng = np.random.default_rng(seed)
    view = random_postings(rng, int(rng.integers(0, 5)), 400, 90)
    for values in (np.empty(0, np.uint64), random_values(rng, 150, 400),
                   rng.permutation(random_values(rng, 150, 400))):  # not in order
        for cap in (None, 0, 3, 12):
            found = view.lookup(SHINGLES, values, cap)
            df, which, docs = lookup_by_definition(view, SHINGLES, values, cap)
            order = np.argsort(which, kind="stable")
            assert np.array_equal(found.df, df)
            assert np.array_equal(found.which, which[order])
            assert np.array_equal(found.docs, docs[order])
            assert np.array_equal(found.values, values)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("reuse", ["none", "all", "some", "other cap", "not in order", "twice"])
def test_candidate_pairs_match_their_numpy_definition(seed, reuse):
    rng = np.random.default_rng(seed)
    view = random_postings(rng, 3, 300, 60)
    params = TraceParams(max_df=int(rng.integers(2, 12)), min_shared_seeds=int(rng.integers(1, 4)))
    boilerplate = np.sort(rng.choice(300, 10, replace=False)).astype(np.uint64)
    work = []
    for doc in rng.choice(70, int(rng.integers(0, 12)), replace=False):  # some past alive
        d = engine.Doc(int(doc), None, 0)
        d.shingles = np.unique(rng.integers(0, 300, rng.integers(0, 40))).astype(np.uint64)
        d.bands = None if rng.random() < 0.2 else rng.integers(0, 300, 5).astype(np.uint64)
        work.append(d)
    if reuse == "twice" and work:  # a doc listed twice counts its shingles twice
        work.append(work[0])
    distinct = np.unique(np.concatenate([np.empty(0, np.uint64), *[d.shingles for d in work]]))
    known = {"all": view.lookup(SHINGLES, distinct, params.max_df),
             "some": view.lookup(SHINGLES, distinct[::2], params.max_df),
             "other cap": view.lookup(SHINGLES, distinct, params.max_df + 1),
             "not in order": view.lookup(SHINGLES, distinct[::-1], params.max_df),
             }.get(reuse)
    assert engine.candidate_pairs(view, work, boilerplate, params, known) == \
        candidate_pairs_by_definition(view, work, boilerplate, params)


@pytest.mark.parametrize("seed", range(5))
def test_boilerplate_after_matches_np_unique_and_isin(seed):
    rng = np.random.default_rng(seed)
    view = random_postings(rng, 3, 200, 60)
    touched = rng.integers(0, 200, int(rng.integers(0, 400))).astype(np.uint64)
    current = np.sort(rng.choice(200, 8, replace=False)).astype(np.uint64)
    after, changed, found = engine.boilerplate_after(view, touched, current, 4)
    distinct = np.unique(touched)
    if len(distinct) == 0:
        assert found is None and len(changed) == 0 and after is current
        return
    df, _, _ = lookup_by_definition(view, SHINGLES, distinct, 4)
    now, before = df > 4, np.isin(distinct, current)
    assert np.array_equal(changed, distinct[now != before])
    assert np.array_equal(after, np.union1d(np.setdiff1d(current, distinct[before & ~now]),
                                            distinct[now & ~before]))
    assert after.dtype == changed.dtype == np.uint64


def test_presence_bitmap_is_built_once_per_run_and_forgotten_with_it():
    keys = random_run(np.random.default_rng(3), 2 * postings.PRESENCE_MIN_KEYS, 1 << 40, 50)
    assert len(keys) >= postings.PRESENCE_MIN_KEYS
    before = len(postings._presence_of)
    present, bits = postings._presence(keys)
    assert postings._presence(keys)[0] is present
    assert np.array_equal(present, presence_by_definition(keys, bits))
    assert len(postings._presence_of) == before + 1
    del keys
    assert len(postings._presence_of) == before
    small = random_run(np.random.default_rng(4), 100, 1 << 40, 50)
    assert len(postings._presence(small)[0]) == 0  # small runs are searched directly


def test_matched_words_sums_each_pairs_records_without_decoding():
    from wiretrace.align import AlignedSpan
    from wiretrace.index.store import encode_passages, matched_words

    rng = np.random.default_rng(3)
    kinds = ("reuse", "reuse", "template", "boilerplate")
    pairs = [[AlignedSpan(0, 10, 5, 15, 0.5, int(w), kinds[int(rng.integers(0, 4))],
                          int(rng.choice([3, 8, 12])), int(rng.integers(0, 3)))
              for w in rng.integers(1, 500, k)]
             for k in rng.integers(0, 4, 50)]
    blobs = [encode_passages(p) for p in pairs]
    matched, agreeing, unchanged = matched_words(blobs)
    assert matched.tolist() == [sum(s.matched_words for s in p if s.kind == "reuse")
                                for p in pairs]
    # agreeing: no slot changed, or one among at least AGREEING_SLOTS (8) kept
    assert agreeing.tolist() == [sum(s.matched_words for s in p if s.kind == "reuse" and (
        not s.slots_changed or (s.slots_changed == 1 and s.slots_kept >= 8)))
                                 for p in pairs]
    assert unchanged.tolist() == [sum(s.matched_words for s in p
                                      if s.kind == "reuse" and not s.slots_changed)
                                  for p in pairs]
    assert agreeing.tolist() != unchanged.tolist()  # the draw holds both kinds
    assert [t.tolist() for t in matched_words([])] == [[], [], []]
