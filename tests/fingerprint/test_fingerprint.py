"""Shingles, MinHash signatures, exact Jaccard and LSH banding against plain references."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from wiretrace.candidates.lsh import boilerplate_mask, lsh_bands, lsh_pairs
from wiretrace.fingerprint.minhash import (
    SHINGLE_BITS,
    jaccard_pairs,
    minhash_flat,
    shingles,
    shingles_batch,
)
from wiretrace.text.tokens import in_sorted, ngram_hashes, token_hashes_batch, tokenize

TEXTS = [
    "The central bank raised interest rates by a quarter point on Tuesday, citing inflation.",
    "The central bank raised interest rates by a quarter point on Tuesday, citing prices.",
    "Too short to shingle",
    "",
    "Rain fell across the north of England overnight and more is expected tomorrow morning.",
    "The central bank raised interest rates by a quarter point on Tuesday, citing inflation.",
]


def flat_sets(sets: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.cumsum([0] + [len(s) for s in sets]).astype(np.int64)
    flat = np.concatenate(sets).astype(np.uint64) if sets else np.empty(0, np.uint64)
    return flat, offsets


def test_shingles_batch_equals_shingles_per_text():
    hashes, token_offsets = token_hashes_batch(TEXTS)
    flat, offsets = shingles_batch(hashes, token_offsets, 5)
    assert len(offsets) == len(TEXTS) + 1
    for k, text in enumerate(TEXTS):
        expected = shingles(tokenize(text), 5)
        assert flat[offsets[k]:offsets[k + 1]].tolist() == expected.tolist(), k
    assert offsets[3] == offsets[4] and offsets[4] - offsets[3] == 0  # "" has none
    assert offsets[3] - offsets[2] == 0  # four words: no 5-gram


def _boilerplate_mask_by_definition(word_hashes: np.ndarray, n: int, boilerplate: np.ndarray,
                                    max_share: float = 0.5) -> np.ndarray | None:
    if len(boilerplate) == 0:
        return None
    grams = ngram_hashes(word_hashes, n) >> np.uint64(64 - SHINGLE_BITS)  # as shingles
    hits = np.flatnonzero(in_sorted(grams, boilerplate))
    if len(hits) == 0:
        return None
    mask = np.zeros(len(word_hashes), dtype=bool)
    for k in range(n):
        mask[hits + k] = True
    return None if mask.mean() > max_share else mask


def test_boilerplate_mask_equals_its_definition(bbc):
    rng = np.random.default_rng(5)
    texts = [a.text for a in list(bbc.values())[:60]] + TEXTS
    footer = " Sign up for our newsletter to get the news first every morning."
    texts += [text + footer for text in texts[:20]] + [footer.strip()]
    for n in (3, 5):
        every = np.unique(np.concatenate([shingles(tokenize(t), n) for t in texts]))
        footer_shingles = shingles(tokenize(footer), n)
        for boilerplate in (np.empty(0, np.uint64), footer_shingles,
                            np.union1d(footer_shingles, rng.choice(every, 40, replace=False))):
            boilerplate = np.sort(boilerplate).astype(np.uint64)
            masked = 0
            for text in texts:
                hashes = tokenize(text).hashes
                expected = _boilerplate_mask_by_definition(hashes, n, boilerplate)
                found = boilerplate_mask(hashes, n, boilerplate)
                assert (found is None) == (expected is None)
                if expected is not None:
                    assert found.tolist() == expected.tolist()
                    masked += 1
            assert masked > 10 or len(boilerplate) == 0


def test_minhash_of_identical_sets_is_identical_and_ignores_order_and_repeats():
    rng = np.random.default_rng(7)
    base = np.unique(rng.integers(0, 1 << 40, size=300, dtype=np.uint64))
    shuffled = rng.permutation(np.concatenate([base, base[:50]]))
    flat, offsets = flat_sets([base, shuffled, np.empty(0, np.uint64)])
    signatures = minhash_flat(flat, offsets, 128)
    assert signatures.shape == (3, 128) and signatures.dtype == np.uint32
    assert signatures[0].tolist() == signatures[1].tolist()
    assert (signatures[2] == 0xFFFFFFFF).all()


@pytest.mark.parametrize("size", [3, 40, 500])
def test_minhash_estimates_jaccard(size):
    # pairs of sets of known Jaccard similarity, small (mostly borrowed bins)
    # and large; the mean estimate must be near the truth, each within noise
    rng = np.random.default_rng(size)
    sets, truth = [], []
    for similarity in (0.2, 0.5, 0.8) * 30:
        universe = rng.choice(1 << 40, size=4 * size, replace=False).astype(np.uint64)
        common = round(similarity * size)
        a = universe[:size]
        b = np.concatenate([universe[:common], universe[size:2 * size - common]])
        sets += [a, b]
        truth.append(common / (2 * size - common))
    signatures = minhash_flat(*flat_sets(sets), 128)
    estimates = (signatures[0::2] == signatures[1::2]).mean(axis=1)
    truth = np.array(truth)
    assert abs(float(np.mean(estimates - truth))) < 0.03
    assert float(np.max(np.abs(estimates - truth))) < 0.25


def test_minhash_seed_changes_signatures():
    flat, offsets = flat_sets([np.arange(100, dtype=np.uint64)])
    one, two = minhash_flat(flat, offsets, 64, seed=1), minhash_flat(flat, offsets, 64, seed=2)
    assert (one != two).any()


def test_jaccard_pairs_is_exact():
    rng = np.random.default_rng(3)
    sets = [np.unique(rng.integers(0, 60, size=n, dtype=np.uint64)) for n in (0, 5, 30, 30, 45)]
    flat, offsets = flat_sets(sets)
    pairs = np.array(list(itertools.combinations(range(len(sets)), 2)))
    got = jaccard_pairs(flat, offsets, pairs)
    for (i, j), value in zip(pairs.tolist(), got.tolist(), strict=True):
        a, b = set(sets[i].tolist()), set(sets[j].tolist())
        expected = len(a & b) / len(a | b) if a and b else 0.0
        assert value == pytest.approx(expected), (i, j)


def brute_force_lsh(signatures: np.ndarray, threshold: float, non_empty: np.ndarray
                    ) -> set[tuple[int, int]]:
    bands, rows = lsh_bands(signatures.shape[1], threshold)
    found = set()
    for i, j in itertools.combinations(np.flatnonzero(non_empty).tolist(), 2):
        for band in range(bands):
            part = slice(band * rows, (band + 1) * rows)
            if (signatures[i, part] == signatures[j, part]).all():
                found.add((i, j))
                break
    return found


@pytest.mark.parametrize("threshold", [0.5, 0.8])
def test_lsh_pairs_equal_a_brute_force_band_comparison(threshold):
    # few distinct values per position: many bands collide, some rows fully equal
    rng = np.random.default_rng(11)
    signatures = rng.integers(0, 2, size=(60, 32), dtype=np.uint32)
    signatures[5] = signatures[9]
    non_empty = np.ones(60, dtype=bool)
    non_empty[[3, 9]] = False
    expected = brute_force_lsh(signatures, threshold, non_empty)
    assert expected  # the input does make pairs
    assert lsh_pairs(signatures, threshold, non_empty) == expected
    everyone = brute_force_lsh(signatures, threshold, np.ones(60, dtype=bool))
    assert lsh_pairs(signatures, threshold) == everyone
    assert (5, 9) in everyone


def test_lsh_pairs_on_text_signatures_finds_the_copies():
    hashes, token_offsets = token_hashes_batch(TEXTS)
    flat, offsets = shingles_batch(hashes, token_offsets, 5)
    signatures = minhash_flat(flat, offsets, 128)
    pairs = lsh_pairs(signatures, 0.8, np.diff(offsets) > 0)
    assert (0, 5) in pairs  # identical texts
    assert all(j not in (2, 3) for pair in pairs for j in pair)  # no shingles, no pairs
    assert lsh_pairs(signatures[:1], 0.8) == set()


def test_kernels_load_without_scipy_linear_algebra():
    # numba would import scipy.linalg to look for a BLAS (0.6-1 s a process);
    # wiretrace.runtime.compiled tells it there is none, and SciPy still imports after
    import subprocess
    import sys

    pytest.importorskip("scipy")
    probe = ("import sys; from wiretrace.runtime import compiled; compiled.warm_up(); "
             "print('scipy.linalg' in sys.modules); import scipy.linalg; print('ok')")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, timeout=300)
    assert done.stdout.split() == ["False", "ok"]
