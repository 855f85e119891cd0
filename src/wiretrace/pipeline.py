"""The whole pipeline on one machine: the embedded default.

``trace`` runs the stages in order, each a plain function of its own module,
the per-article and per-pair ones on every core (``parallel.map_chunks``):

    text.tokenize -> fingerprint.shingles/minhash -> candidates (seed index +
    LSH) -> align.align_tokens -> stories.build_stories -> diff.diff_versions

Each story version is diffed against its base (``stories.diff_base``): the
origin, or the version it took most of its text from when the origin is not
among its sources.

``compare`` and ``diff_articles`` run alignment and diff on two given texts.
"""

from __future__ import annotations

import hashlib
import itertools
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from wiretrace.align import WARM_UP_STEPS as ALIGN_WARM_UP_STEPS
from wiretrace.align import align_tokens
from wiretrace.align import warm_up as warm_up_alignment
from wiretrace.candidates.lsh import boilerplate_mask, lsh_pairs
from wiretrace.candidates.seed_index import SeedIndex
from wiretrace.diff.changes import diff_versions
from wiretrace.fingerprint.minhash import minhash_flat, shingles_batch
from wiretrace.model import (
    KIND_CODE,
    PASSAGE_DTYPE,
    Article,
    Diff,
    FieldWarning,
    Passage,
    PassageTable,
    Rejected,
    TraceResult,
)
from wiretrace.params import TraceParams
from wiretrace.runtime import compiled
from wiretrace.runtime.article_store import ArticleStore, as_store
from wiretrace.runtime.workers import STATE, chunks_at, default_workers, map_chunk_list, map_chunks
from wiretrace.stories.build import build_stories, connected_components, diff_bases, sharing_base
from wiretrace.text import kernels as text_kernels
from wiretrace.text.tokens import Tokens, token_hashes_batch, tokenize

Progress = Callable[[str, int, int], None]
# Tokenised articles a worker keeps for their next pairs (pairs come grouped
# by connected articles, so tokens are reused soon or not at all).
TOKEN_CACHE_SIZE = 2048
# Pairs aligned per chunk of work, at least (whole connected groups are kept together).
PAIRS_PER_CHUNK = 200
DIFFS_PER_CHUNK = 100  # story versions diffed per chunk of work, at least


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _as_article(item: Article | str, default_id: str) -> Article:
    return item if isinstance(item, Article) else Article(id=default_id, text=str(item))


def align_articles(a: Article, tokens_a: Tokens, b: Article, tokens_b: Tokens,
                   params: TraceParams, ignore_a: np.ndarray | None = None,
                   ignore_b: np.ndarray | None = None) -> list[Passage]:
    """Reused passages between two tokenised articles, as :class:`Passage` rows."""
    return [Passage(a.id, s.a_start, s.a_end, b.id, s.b_start, s.b_end, s.score,
                    s.matched_words, s.kind, s.slots_kept, s.slots_changed)
            for s in align_tokens(a.text, tokens_a, b.text, tokens_b, params,
                                  ignore_a, ignore_b)]


def candidate_pairs(seeds: SeedIndex, signatures: np.ndarray, non_empty: np.ndarray,
                    params: TraceParams, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Article-number pairs worth aligning (seed index and LSH), as a sorted
    ``(k, 2)`` array with ``i < j``, and the boilerplate shingles."""
    n_articles = len(signatures)
    left, right, _, boilerplate = seeds.pairs(params.effective_max_df(n_articles),
                                              params.min_shared_seeds, workers)
    near_duplicates = lsh_pairs(signatures, params.lsh_threshold, non_empty)
    if near_duplicates:
        extra = np.array(sorted(near_duplicates), dtype=np.int64).reshape(-1, 2)
        left, right = np.concatenate([left, extra[:, 0]]), np.concatenate([right, extra[:, 1]])
    keys = np.unique(left.astype(np.int64) * max(1, n_articles) + right)
    return np.stack([keys // max(1, n_articles), keys % max(1, n_articles)], axis=1), boilerplate


# --- work done per article or per pair, in worker processes (see parallel.py)

def _tokens(k: int) -> Tokens:
    """Tokens of article ``k``, kept for its next pairs."""
    cache = STATE["token_cache"]
    if k not in cache:
        if len(cache) >= TOKEN_CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[k] = tokenize(STATE["articles"].text(k))
    return cache[k]


def _boilerplate(tokens: Tokens) -> np.ndarray | None:
    """The article's boilerplate mask (see :func:`.candidates.boilerplate_mask`), kept
    with its tokens."""
    if "boilerplate" not in tokens.derived:
        tokens.derived["boilerplate"] = boilerplate_mask(
            tokens.hashes, STATE["params"].seed_ngram, STATE["boilerplate"])
    return tokens.derived["boilerplate"]  # type: ignore[return-value]


def _fingerprint_chunk(indices: list[int]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int], np.ndarray]:
    """Shingles (flat, with offsets), MinHash signatures, word counts and text
    digests (128 bits) of some articles."""
    params, store = STATE["params"], STATE["articles"]
    encoded = [store.encoded_text(k) for k in indices]
    digests = np.frombuffer(b"".join(hashlib.blake2b(text, digest_size=16).digest()
                                     for text in encoded), dtype=np.uint64).reshape(-1, 2)
    hashes, token_offsets = token_hashes_batch([text.decode("utf-8") for text in encoded])
    flat, offsets = shingles_batch(hashes, token_offsets, params.seed_ngram)
    return (flat, offsets, minhash_flat(flat, offsets, params.num_perm),
            np.diff(token_offsets).tolist(), digests)


def _align_chunk(pairs: np.ndarray) -> np.ndarray:
    """Passages of some pairs, as rows of a :class:`PassageTable`."""
    store, params = STATE["articles"], STATE["params"]
    rows = []
    for i, j in pairs.tolist():
        tokens_i, tokens_j = _tokens(i), _tokens(j)
        for s in align_tokens(store.text(i), tokens_i, store.text(j), tokens_j, params,
                              _boilerplate(tokens_i), _boilerplate(tokens_j)):
            rows.append((i, j, s.a_start, s.a_end, s.b_start, s.b_end, s.score,
                         s.matched_words, KIND_CODE[s.kind], s.slots_kept, s.slots_changed))
    return np.array(rows, dtype=PASSAGE_DTYPE)


def _diff_chunk(jobs: list[tuple[str, int, int]]) -> list[Diff]:
    """Diffs of some story versions, each ``(story id, base, member)`` (numbers;
    the base is :func:`~wiretrace.stories.build.diff_base`)."""
    store, params, passages = STATE["articles"], STATE["params"], STATE["passages"]
    out = []
    bases: dict[int, Article] = {}  # a story's base serves many of its versions
    for story_id, base, member in jobs:
        tokens_a, tokens_m = _tokens(base), _tokens(member)
        if base not in bases:
            bases[base] = store.at(base)
        article_a, article_m = bases[base], store.at(member)
        between = passages.of_pair(base, member)
        if not between:  # a version with no edge, diffed against the origin: align directly
            between = align_articles(article_a, tokens_a, article_m, tokens_m, params,
                                     _boilerplate(tokens_a), _boilerplate(tokens_m))
        out.append(diff_versions(article_a, tokens_a, article_m, tokens_m,
                                 between, params, story_id))
    return out


def _same_text(digests: np.ndarray) -> np.ndarray:
    """For each article, the number of the first article with exactly its text
    (the same 128-bit digest)."""
    if len(digests) == 0:
        return np.empty(0, dtype=np.int64)
    _, first, inverse = np.unique(digests, axis=0, return_index=True, return_inverse=True)
    return first[inverse.ravel()].astype(np.int64)


def _align_pairs(pairs: np.ndarray, representative: np.ndarray, state: dict, workers: int,
                 progress: Progress) -> PassageTable:
    """Passages of every candidate pair, in pair order.

    Articles with the very same text (wire copies republished verbatim) align
    the same way with any partner: each distinct pair of texts is aligned
    once, and its passages are given to every pair of articles carrying
    those two texts.
    """
    store = state["articles"]
    n = max(1, len(store))
    text_pairs, pair_to_text = np.unique(representative[pairs[:, 0]] * n
                                         + representative[pairs[:, 1]], return_inverse=True)
    distinct = np.stack([text_pairs // n, text_pairs % n], axis=1)
    # pairs of one connected group one after the other, and a group never
    # split between chunks: one worker then prepares each article's tokens,
    # sentences and anchors once
    group = connected_components(n, distinct[:, 0], distinct[:, 1])
    distinct = distinct[np.lexsort((distinct[:, 1], distinct[:, 0], group[distinct[:, 0]]))]
    group_of_pair = group[distinct[:, 0]]
    group_starts = np.flatnonzero(group_of_pair[1:] != group_of_pair[:-1]) + 1
    chunks = chunks_at(distinct, group_starts.tolist(), PAIRS_PER_CHUNK)
    found: list[np.ndarray] = []
    done = 0
    for chunk, chunk_rows in zip(chunks, map_chunk_list(_align_chunk, chunks, workers, state),
                                 strict=True):
        found.append(chunk_rows)
        done += len(chunk)
        progress("align", done, len(distinct))
    rows = np.concatenate(found) if found else np.empty(0, dtype=PASSAGE_DTYPE)
    # back in text pair order (stable: a pair's passages keep their order), then
    # sliced per pair
    row_text_pair = np.searchsorted(text_pairs, rows["a"].astype(np.int64) * n + rows["b"])
    by_text_pair = np.argsort(row_text_pair, kind="stable")
    rows, row_text_pair = rows[by_text_pair], row_text_pair[by_text_pair]
    first_row = np.searchsorted(row_text_pair, np.arange(len(text_pairs) + 1))
    counts = np.diff(first_row)[pair_to_text.ravel()]
    take = np.repeat(first_row[pair_to_text.ravel()] - np.cumsum(counts) + counts, counts) \
        + np.arange(int(counts.sum()))
    expanded = rows[take]
    expanded["a"] = np.repeat(pairs[:, 0], counts)
    expanded["b"] = np.repeat(pairs[:, 1], counts)
    return PassageTable(expanded, store.ids)


# The stage a first run shows while numba compiles the kernels into its disk cache.
COMPILE_STAGE = "compiling (first run only)"


def _compile_kernels(progress: Progress) -> None:
    """Compile (or load from numba's disk cache) the kernels, before workers fork, so
    that they share them.  Loading takes about a second; compiling, on a first run
    with an empty cache, most of a minute, so a first run shows it as a stage of its
    own: without it the run would seem to hang before its first article."""
    compiled.warm_up()
    if not text_kernels.scan.stats.cache_misses:  # loaded from the cache: nothing to say
        warm_up_alignment()
        return
    total = 1 + ALIGN_WARM_UP_STEPS
    progress(COMPILE_STAGE, 1, total)
    done = itertools.count(2)
    warm_up_alignment(lambda: progress(COMPILE_STAGE, next(done), total))


def trace(articles: Iterable[Article] | ArticleStore, params: TraceParams | None = None,
          rejected: list[Rejected] | None = None, progress: Progress | None = None,
          workers: int | None = None, diff_sink: Callable[[Diff], None] | None = None,
          keep_diffs: int | None = None, temp_dir: str | Path | None = None,
          warnings: list[FieldWarning] | None = None) -> TraceResult:
    """Find reused passages, stories and version diffs in a set of articles.

    ``rejected`` records from reading are carried into the result (and
    duplicate ids met here are added to them), so one object tells the whole
    story of a run; so are the reader's ``warnings`` (optional fields left empty).
    ``workers`` processes share the per-article and per-pair
    work (default: one per core); the result does not depend on it.

    For runs larger than memory: the articles are kept in a memory-mapped
    :class:`~wiretrace.runtime.article_store.ArticleStore` (``articles`` may already be one)
    and the seed index spills to a temporary folder (both in ``temp_dir``,
    default the system's); passages are kept as a :class:`PassageTable`, and
    every diff can go to ``diff_sink`` as it is made, the result keeping only
    those of the ``keep_diffs`` largest stories (all when ``None``).
    """
    params = params or TraceParams()
    progress = progress or _no_progress
    workers = default_workers() if workers is None else max(1, workers)
    started = time.perf_counter()
    store = as_store(articles, temp_dir)
    rejected = list(rejected or []) + store.duplicates
    ids = store.ids
    if ids:  # compiled once here, not once in every forked worker
        _compile_kernels(progress)
    state = {"articles": store, "params": params, "token_cache": {},
             "boilerplate": np.empty(0, dtype=np.uint64)}

    with tempfile.TemporaryDirectory(prefix="wiretrace-", dir=temp_dir) as spill:
        seeds = SeedIndex(spill)
        signatures = np.zeros((len(ids), params.num_perm), dtype=np.uint32)
        word_counts = np.zeros(len(ids), dtype=np.int64)
        digests = np.zeros((len(ids), 2), dtype=np.uint64)
        done = 0
        for chunk_flat, chunk_offsets, chunk_signatures, chunk_counts, chunk_digests in \
                map_chunks(_fingerprint_chunk, range(len(ids)), workers, 500, state):
            seeds.add(done, chunk_flat, chunk_offsets)
            signatures[done:done + len(chunk_counts)] = chunk_signatures
            word_counts[done:done + len(chunk_counts)] = chunk_counts
            digests[done:done + len(chunk_counts)] = chunk_digests
            done += len(chunk_counts)
            progress("fingerprint", done, len(ids))
        pairs, boilerplate = candidate_pairs(seeds, signatures, word_counts >= params.seed_ngram,
                                             params, workers)
    del signatures
    progress("candidates", len(pairs), len(pairs))

    state["boilerplate"] = boilerplate
    passages = _align_pairs(pairs, _same_text(digests), state, workers, progress)
    del digests
    aligned_pairs = len(np.unique(passages.rows["a"].astype(np.int64) * len(ids)
                                  + passages.rows["b"]))

    stories = build_stories(store, passages, params, word_counts, workers)
    kept_stories = {s.id for s in (stories if keep_diffs is None else stories[:keep_diffs])}
    # each version against its base: the origin when the origin is one of its
    # sources, else its main source (stories.diff_base); a story's versions in
    # one chunk, so one worker prepares its articles
    jobs: list[tuple[str, int, int]] = []
    story_starts = []
    passages.prepare_pair_lookup()  # once, before the workers start

    def reuse_words(a: str, b: str) -> int:
        return sum(p.matched_words for p in passages.of_pair(store.number(a), store.number(b))
                   if p.kind == "reuse")

    for story in stories:
        story_starts.append(len(jobs))
        bases = diff_bases(story)
        jobs += [(story.id, store.number(sharing_base(story, member, bases[member], reuse_words)),
                  store.number(member))
                 for member in story.members if member != story.origin]
    state["passages"] = passages
    diffs: list[Diff] = []
    done = 0
    for chunk in map_chunk_list(_diff_chunk, chunks_at(jobs, story_starts, DIFFS_PER_CHUNK),
                                workers, state):
        for diff in chunk:
            if diff_sink is not None:
                diff_sink(diff)
            if diff_sink is None or diff.story in kept_stories:
                diffs.append(diff)
        done += len(chunk)
        progress("diff", done, len(jobs))

    stats = {
        "articles": len(store),
        "rejected": len(rejected),
        "candidate_pairs": len(pairs),
        "boilerplate_ngrams": len(boilerplate),
        "aligned_pairs": aligned_pairs,
        "passages": len(passages),
        # of them reuse; the others are template matches and boilerplate, set aside
        "reuse_passages": int(np.count_nonzero(passages.rows["kind"] == KIND_CODE["reuse"])),
        "stories": len(stories),
        "articles_in_stories": sum(len(s.members) for s in stories),
        "diffs": done,
        "workers": workers,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return TraceResult(store, passages, stories, diffs, rejected, stats, list(warnings or []))


def diff_articles(a: Article, b: Article, params: TraceParams | None = None,
                  story: str | None = None) -> Diff:
    """Align two articles and diff b against a (the diff carries the passages)."""
    params = params or TraceParams()
    tokens_a, tokens_b = tokenize(a.text), tokenize(b.text)
    passages = align_articles(a, tokens_a, b, tokens_b, params)
    return diff_versions(a, tokens_a, b, tokens_b, passages, params, story)


def compare(a: Article | str, b: Article | str, params: TraceParams | None = None) -> Diff:
    """Reused passages and changes between two texts or articles."""
    return diff_articles(_as_article(a, "a"), _as_article(b, "b"), params)
