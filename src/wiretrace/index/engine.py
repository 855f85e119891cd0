"""The per-batch work of the index, on the pipeline's own stage functions.

For the articles of one ``add`` (or one ``query``) this computes what a
batch ``trace`` over the whole index would compute for them, and no more:

* fingerprints: ``fingerprint.batch.fingerprint`` (the batch run's own), the
  band hashes cut to the postings' key layout;
* boilerplate: shingles held by more than ``max_df`` current versions;
  when an add pushes a shingle over (or, replacing a version, under) the
  bar, every article holding it is *affected*: its masks and candidate
  pairs change, so its pairs are computed again (as a batch run over the
  final corpus would have them);
* candidate pairs: the seed rule of ``candidates.seed_index_pairs`` (at
  least ``min_shared_seeds`` shared non-boilerplate shingles) and LSH band
  collisions, looked up in the postings instead of a corpus-wide sort;
* passages: ``align.align_tokens`` with ``candidates.boilerplate_mask``,
  each pair oriented like the batch run (the earlier position first), each
  distinct pair of texts aligned once and connected groups kept whole
  (``runtime.schedule``, as the batch run schedules them);
* links: ``stories.links`` (the rule and the sum of ``build_stories``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from wiretrace.candidates.lsh import boilerplate_mask, earliest_candidates
from wiretrace.fingerprint.batch import fingerprint as fingerprint_texts
from wiretrace.fingerprint.keys import DOC_SHIFT
from wiretrace.index.postings import BANDS, MAX_DOCS, SHINGLES, Lookup, Postings
from wiretrace.index.store import decode_passages
from wiretrace.index.workers import AlignWorkers, aligned_records
from wiretrace.model import Article, Passage
from wiretrace.params import TraceParams
from wiretrace.runtime.schedule import deal_groups, distinct_text_pairs
from wiretrace.stories.links import epoch_seconds, links, passage_link_words
from wiretrace.text.cache import TextCache
from wiretrace.text.tokens import Tokens, in_sorted, tokenize

# Below this many pairs, sending them to the worker processes costs more than it saves.
PARALLEL_MIN_PAIRS = 64
_NO_KEYS = np.empty(0, dtype=np.uint64)


@dataclass(slots=True)
class Doc:
    """One version of an article while the engine works on it."""

    doc: int
    article: Article
    seq: int  # position: the order its article was first added in
    words: int = 0
    shingles: np.ndarray = field(default_factory=lambda: _NO_KEYS)
    bands: np.ndarray | None = None  # LSH band keys; None for a text without shingles


def fingerprint(docs: list[Doc], params: TraceParams) -> None:
    """Fill in word counts, shingles and band keys (as ``trace``'s fingerprint stage)."""
    if not docs:
        return
    found = fingerprint_texts([d.article.text for d in docs], params, bands=True)
    assert found.bands is not None
    keys = found.bands >> DOC_SHIFT  # the postings keep the top bits (fingerprint.keys)
    for k, d in enumerate(docs):
        d.words = int(found.words[k])
        d.shingles = found.shingles_of(k)
        d.bands = keys[k] if len(d.shingles) else None


_PROBE = ("Fingerprints of this fixed text tell whether the index was built by the same "
          "tokeniser, shingles and MinHash as the running code: 1 2 3, Über, 東京, naïve.")


def probe(params: TraceParams) -> str:
    """A digest of the fingerprint functions' output on a fixed text.

    Stored postings are only comparable with new ones made by the same
    functions; a wiretrace whose tokeniser or MinHash changed must not
    silently mix them (its candidates would be wrong).
    """
    doc = Doc(0, Article("probe", _PROBE), 0)
    fingerprint([doc], params)
    digest = hashlib.sha1(doc.shingles.astype("<u8").tobytes())
    digest.update(np.asarray(doc.bands, dtype="<u8").tobytes())
    return digest.hexdigest()


def postings_of(docs: list[Doc]) -> tuple[np.ndarray, np.ndarray]:
    """Shingle and band ``(values, docs)`` arrays of some docs, for one run each."""
    if any(d.doc >= MAX_DOCS for d in docs):
        raise ValueError(f"the index holds at most {MAX_DOCS - 1:,} article versions")
    shingle_values = np.concatenate([d.shingles for d in docs]) if docs else _NO_KEYS
    shingle_docs = np.repeat([d.doc for d in docs], [len(d.shingles) for d in docs])
    banded = [d for d in docs if d.bands is not None]
    band_values = np.concatenate([d.bands for d in banded]) if banded else _NO_KEYS
    band_docs = np.repeat([d.doc for d in banded], [len(d.bands) for d in banded])
    return (np.stack([shingle_values, shingle_docs.astype(np.uint64)]),
            np.stack([band_values, band_docs.astype(np.uint64)]))


def _distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for a large array, by one sort.

    NumPy 2's ``np.unique`` hashes first and sorts the distinct values
    after: measured 0.23 s for 500,000 shingles, against 0.01 s here.
    """
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def boilerplate_after(view: Postings, touched: np.ndarray, current: np.ndarray,
                      max_df: int) -> tuple[np.ndarray, np.ndarray, Lookup | None]:
    """The boilerplate set once ``view`` is the corpus, and the shingles that changed.

    Only ``touched`` shingles (those of added or superseded versions) can
    change; ``current`` is the sorted boilerplate set before.  Also returns
    the look-up of the distinct touched shingles (reusable by
    :func:`candidate_pairs` when they are exactly the work's shingles).
    """
    touched = _distinct(np.asarray(touched, dtype=np.uint64))
    if len(touched) == 0:
        return current, _NO_KEYS, None
    found = view.lookup(SHINGLES, touched, cap=max_df)
    now = found.df > max_df
    before = in_sorted(touched, current)
    changed = touched[now != before]
    if len(changed) == 0:
        return current, changed, found
    after = np.union1d(np.setdiff1d(current, touched[before & ~now]), touched[now & ~before])
    return after.astype(np.uint64), changed, found


def holders(view: Postings, shingles: np.ndarray) -> set[int]:
    """Current versions holding any of ``shingles``."""
    return set(view.lookup(SHINGLES, shingles).docs.tolist())


def _holders_of(view: Postings, kind: int, distinct: np.ndarray, cap: int | None,
                known: Lookup | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(df, starts, ends, docs)``: ``docs[starts[i]:ends[i]]`` hold ``distinct[i]``.

    Taken from ``known`` (a look-up in ``view``) for the values it has,
    looked up for the others: an add's boilerplate step has just looked up
    all or most of its work's shingles.
    """
    if known is None or len(known.values) == 0 or not known.serves(kind, cap):
        found = view.lookup(kind, distinct, cap)
        return found.df, found.offsets[:-1], found.offsets[1:], found.docs
    at = np.minimum(np.searchsorted(known.values, distinct), len(known.values) - 1)
    have = known.values[at] == distinct
    if have.all():
        return known.df[at], known.offsets[at], known.offsets[at + 1], known.docs
    fresh = view.lookup(kind, distinct[~have], cap)
    df, starts, ends = (np.empty(len(distinct), np.int64) for _ in range(3))
    at = at[have]
    df[have], starts[have], ends[have] = known.df[at], known.offsets[at], known.offsets[at + 1]
    df[~have] = fresh.df
    starts[~have] = fresh.offsets[:-1] + len(known.docs)
    ends[~have] = fresh.offsets[1:] + len(known.docs)
    return df, starts, ends, np.concatenate([known.docs, fresh.docs])


def _pairs_from(view: Postings, kind: int, owners: list[Doc], values: list[np.ndarray],
                in_work: np.ndarray, cap: int | None, exclude: Callable | None,
                threshold: int, known: Lookup | None = None) -> np.ndarray:
    """Pair keys ``min << 24 | max`` of owners and holders sharing ``threshold`` values.

    ``values[k]`` are the values of ``owners[k]``; ``in_work`` marks the
    docs whose own pairs are being made (a pair of two of them is seen from
    both sides and counted once).  ``exclude(distinct, df)`` marks values
    that make no pair.  ``known``: a look-up in ``view`` the caller has.
    """
    from wiretrace.index import lookup_kernels  # numba: imported on first use only

    sizes = np.array([len(v) for v in values], dtype=np.int64)
    if sizes.sum() == 0:
        return np.empty(0, np.uint64)
    # an owner listed twice counts its values twice, as one owner
    owner_docs, slot = np.unique(np.array([d.doc for d in owners], np.int64),
                                 return_inverse=True)
    # one sort of (value, owner) keys gives the distinct values and each owner's
    # (np.unique(..., return_inverse=True) sorts indices: twice the time)
    packed = np.concatenate(values).astype(np.uint64) << np.uint64(24)
    packed |= np.repeat(slot.astype(np.uint64), sizes)
    packed.sort()
    distinct, owner_offsets, items = lookup_kernels.group_by_owner(packed, len(owner_docs))
    df, starts, ends, docs = _holders_of(view, kind, distinct, cap, known)
    usable = np.ones(len(distinct), dtype=bool) if exclude is None else ~exclude(distinct, df)
    return lookup_kernels.pair_keys(owner_docs, owner_offsets, items, usable, starts, ends,
                                    docs, in_work, threshold)


def candidate_pairs(view: Postings, work: list[Doc], boilerplate: np.ndarray,
                    params: TraceParams, known: Lookup | None = None) -> set[tuple[int, int]]:
    """Doc pairs (smaller doc first) with a doc of ``work`` worth aligning.

    ``known``: a look-up of shingles in ``view`` with cap ``max_df`` (as
    :func:`boilerplate_after` makes), used for those of the work's shingles
    it has.
    """
    work_docs = np.array([d.doc for d in work], dtype=np.int64)
    size = max(len(view.alive), int(work_docs.max()) + 1 if len(work) else 0)
    in_work = np.zeros(size, dtype=bool)
    in_work[work_docs] = True
    max_df = params.max_df or 0

    def is_boilerplate(distinct: np.ndarray, df: np.ndarray) -> np.ndarray:
        return (df > max_df) | in_sorted(distinct, boilerplate)

    keys = _pairs_from(view, SHINGLES, work, [d.shingles for d in work], in_work, max_df,
                       is_boilerplate, params.min_shared_seeds, known)
    chosen = set(keys.tolist())
    banded = [d for d in work if d.bands is not None]
    if banded:
        keys = _pairs_from(view, BANDS, banded, [d.bands for d in banded], in_work, None, None, 1)
        chosen.update(keys.tolist())
    found = np.array(sorted(chosen), dtype=np.int64)
    pairs = np.stack([found >> 24, found & (MAX_DOCS - 1)], axis=1)
    # each new doc aligned with at most so many earlier docs (the batch run's rule)
    kept = earliest_candidates(pairs, params.max_earlier_candidates)
    return set(zip(kept[:, 0].tolist(), kept[:, 1].tolist(), strict=True))


# --------------------------------------------------------------------------- alignment

class TokenCache(TextCache):
    """Tokens of stored versions, kept across queries (least recently used out).

    A stored version's text never changes, so its tokens (and the sentences
    the aligner derives from them, cached on the tokens) stay valid; the
    members of a popular story are candidates of query after query.
    Boilerplate masks are not kept: the boilerplate set can change.
    """

    def __init__(self, size: int = 1024) -> None:
        super().__init__(size)


@dataclass
class PreparedDocs:
    """Each doc's tokens and boilerplate mask, made once per batch: from the
    index's shared token cache for stored versions (not for ``fresh`` ones,
    being added), the mask against ``boilerplate`` (which can change)."""

    docs: dict[int, Doc]
    params: TraceParams
    boilerplate: np.ndarray
    shared: TokenCache | None = None
    fresh: frozenset[int] = frozenset()
    made: dict[int, tuple[Tokens, np.ndarray | None]] = field(default_factory=dict)

    def tokens(self, doc: int) -> tuple[Tokens, np.ndarray | None]:
        """Tokens of a doc and its boilerplate mask."""
        if doc not in self.made:
            text = self.docs[doc].article.text
            stored = self.shared is not None and doc not in self.fresh
            tokens = self.shared.tokens(doc, text) if stored else tokenize(text)  # type: ignore[union-attr]
            self.made[doc] = (tokens, boilerplate_mask(tokens.hashes, self.params.seed_ngram,
                                                       self.boilerplate))
        return self.made[doc]


class PairAlignment:
    """The passages of some pairs, being found (by ``pool`` when there are many).

    Pairs are oriented as the batch run orients them (earlier position =
    a), and each distinct pair of texts is aligned once (wire copies align
    the same way with any partner, as in ``trace``).  Made, it has sent its
    work to the pool's processes; :meth:`result` waits for it.  ``shared``
    keeps stored versions' tokens across calls in this process; ``fresh``
    docs (not stored: a query) never go into it.
    """

    def __init__(self, pairs: list[tuple[int, int]], docs: dict[int, Doc],
                 boilerplate: np.ndarray, params: TraceParams, pool: AlignWorkers | None = None,
                 shared: TokenCache | None = None, fresh: frozenset[int] = frozenset()) -> None:
        self.docs, self.boilerplate, self.params = docs, boilerplate, params
        self.shared, self.fresh = shared, fresh
        self.oriented = sorted((x, y) if docs[x].seq < docs[y].seq else (y, x) for x, y in pairs)
        # each doc's text by number (equal texts, equal numbers), for the scheduler
        text_number: dict[str, int] = {}
        ends = np.array(self.oriented, dtype=np.int64).reshape(-1, 2)
        slots, local = np.unique(ends, return_inverse=True)
        texts = np.array([text_number.setdefault(docs[d].article.text, len(text_number))
                          for d in slots.tolist()], dtype=np.int64)
        text_pairs = distinct_text_pairs(local.reshape(-1, 2), texts)
        self.distinct = [self.oriented[k] for k in text_pairs.first.tolist()]
        self.of_pair: list[int] = text_pairs.of_pair.tolist()
        self.pool: AlignWorkers | None = None
        self.jobs: list[list[tuple[int, int]]] = []
        self._records: dict[tuple[int, int], bytes] | None = None
        if pool is not None and len(self.distinct) >= PARALLEL_MIN_PAIRS:
            self.jobs = deal_groups(self.distinct, pool.processes)
            articles = {d: docs[d].article for job in self.jobs for pair in job for d in pair}
            if pool.send(self.jobs, articles, boilerplate, params, fresh):
                self.pool = pool

    def records(self) -> dict[tuple[int, int], bytes]:
        """Passages by ``(a, b)`` doc pair, packed as the index stores them
        (``store.encode_passages``); pairs without a passage are left out."""
        if self._records is not None:
            return self._records
        docs = self.docs
        answers = self.pool.receive() if self.pool is not None else None
        if answers is not None:
            aligned = {pair: blob for job, blobs in zip(self.jobs, answers, strict=True)
                       for pair, blob in zip(job, blobs, strict=True)}
        else:
            # not through a worker state: readers in other threads align at the same time
            prepared = PreparedDocs(docs, self.params, self.boilerplate, self.shared,
                                    self.fresh)

            def prepare(doc: int) -> tuple[str, Tokens, np.ndarray | None]:
                return (docs[doc].article.text, *prepared.tokens(doc))

            aligned = dict(zip(self.distinct, aligned_records(self.distinct, prepare,
                                                              self.params), strict=True))
        found: dict[tuple[int, int], bytes] = {}
        for (x, y), distinct in zip(self.oriented, self.of_pair, strict=True):
            # a copy's passages are its original's: ids come with the pair
            blob = aligned[self.distinct[distinct]]
            if blob:
                found[(x, y)] = blob
        self._records = found
        return found

    def result(self) -> dict[tuple[int, int], list[Passage]]:
        """Passages by ``(a, b)`` doc pair; pairs without a passage are left out."""
        docs = self.docs
        return {(x, y): decode_passages(blob, docs[x].article.id, docs[y].article.id)
                for (x, y), blob in self.records().items()}


def align_pairs(pairs: list[tuple[int, int]], docs: dict[int, Doc], boilerplate: np.ndarray,
                params: TraceParams, pool: AlignWorkers | None = None,
                shared: TokenCache | None = None,
                fresh: frozenset[int] = frozenset()) -> dict[tuple[int, int], list[Passage]]:
    """Passages of each pair (see :class:`PairAlignment`), waiting for them."""
    return PairAlignment(pairs, docs, boilerplate, params, pool, shared, fresh).result()


def is_link(passages: list[Passage], a: Doc, b: Doc, params: TraceParams) -> bool:
    """Whether a pair joins one story (``stories.links``, the rule of ``build_stories``)."""
    words = passage_link_words(passages)
    return bool(pair_links(words.matched, words.agreeing, [(a.doc, b.doc)],
                           {a.doc: a, b.doc: b}, params, words.unchanged)[0])


def _isoformat(article: Article) -> str | None:
    return article.published.isoformat() if article.published else None


def pair_links(matched: np.ndarray, matched_agreeing: np.ndarray, ends: list[tuple[int, int]],
               docs: dict[int, Doc], params: TraceParams,
               matched_unchanged: np.ndarray | None = None) -> np.ndarray:
    """``stories.links`` of pairs of docs ``ends`` (their reuse words as ``matched_words``
    gives them)."""
    seconds = epoch_seconds([_isoformat(docs[d].article) for pair in ends for d in pair])
    return links(matched, matched_agreeing,
                 np.array([docs[a].words for a, _ in ends], dtype=np.int64),
                 np.array([docs[b].words for _, b in ends], dtype=np.int64),
                 seconds[0::2], seconds[1::2], params, matched_unchanged)
