"""The fingerprint stage over a batch of texts, for every driver.

``text.token_hashes_batch`` -> :func:`~wiretrace.fingerprint.minhash.shingles_batch`
-> :func:`~wiretrace.fingerprint.minhash.minhash_flat` -> LSH band hashes
(:func:`wiretrace.candidates.lsh.band_keys`): the batch run (``pipeline.trace``,
a chunk of articles per worker) and the index (``index/engine.py``, one add or
query) call this one function, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from wiretrace.candidates.lsh import band_keys, lsh_bands
from wiretrace.fingerprint.minhash import minhash_flat, shingles_batch
from wiretrace.params import TraceParams
from wiretrace.text.tokens import token_hashes_batch


class Fingerprints(NamedTuple):
    """The fingerprints of some texts, by their number in the batch."""

    words: np.ndarray  # tokens of each text (int64)
    shingles: np.ndarray  # text k's sorted distinct shingles: shingles[offsets[k]:offsets[k + 1]]
    offsets: np.ndarray
    signatures: np.ndarray  # MinHash, one uint32 row per text
    bands: np.ndarray | None  # 64-bit LSH band hashes, (texts, bands); None unless asked

    def shingles_of(self, k: int) -> np.ndarray:
        """Text ``k``'s sorted distinct shingles."""
        return self.shingles[self.offsets[k]:self.offsets[k + 1]]


def fingerprint(texts: Sequence[str], params: TraceParams, bands: bool = False) -> Fingerprints:
    """Word counts, shingles, MinHash signatures and (with ``bands``) LSH band
    hashes of ``texts``, each what the per-text definitions give
    (``len(tokenize(text))``, ``minhash.shingles``, ``minhash_flat`` of them).

    The batch run bands all signatures at once later (``lsh_pairs``); the
    index stores each text's band hashes, so it asks for them here.
    """
    hashes, token_offsets = token_hashes_batch(list(texts))
    flat, offsets = shingles_batch(hashes, token_offsets, params.seed_ngram)
    signatures = minhash_flat(flat, offsets, params.num_perm)
    band_hashes = band_keys(signatures, *lsh_bands(params.num_perm, params.lsh_threshold)) \
        if bands else None
    return Fingerprints(np.diff(token_offsets).astype(np.int64), flat, offsets, signatures,
                        band_hashes)
