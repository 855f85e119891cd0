"""The whole pipeline on one machine: the embedded default.

``trace`` runs the stages in order, each a plain function of its own module,
the per-article and per-pair ones on every core (``runtime.workers.map_chunks``):

    fingerprint.fingerprint -> candidates (seed index + LSH) ->
    align.align_tokens (runtime.schedule) -> stories.build_stories ->
    attribute.attribute_text -> diff.diff_versions

each a named result (``Candidates``, ``PassageTable``, stories, ``Diffs``,
attributions).

Each story version is diffed against its base (``stories.diff_base``): the
origin, or the version it took most of its text from when the origin is not
among its sources.

``compare`` and ``diff_articles`` (of :mod:`wiretrace.diff.articles`, re-exported
here) run alignment and diff on two given texts.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from wiretrace.align import align_tokens
from wiretrace.align.articles import align_articles
from wiretrace.attribute.batch import Attributions, attribute_store
from wiretrace.candidates.lsh import boilerplate_mask, earliest_candidates, lsh_pairs
from wiretrace.candidates.seed_index import SeedIndex
from wiretrace.diff.articles import compare, diff_articles
from wiretrace.diff.changes import diff_versions
from wiretrace.fingerprint.batch import Fingerprints, fingerprint
from wiretrace.model import (
    KIND_CODE,
    PASSAGE_DTYPE,
    Article,
    Attribution,
    Diff,
    FieldWarning,
    PassageTable,
    Rejected,
    Story,
    TraceResult,
)
from wiretrace.params import TraceParams
from wiretrace.runtime import compiled
from wiretrace.runtime.article_store import ArticleStore, as_store
from wiretrace.runtime.schedule import distinct_text_pairs, group_chunks
from wiretrace.runtime.workers import (
    chunks_at,
    default_workers,
    map_chunk_list,
    map_chunks,
    worker_state,
)
from wiretrace.stories.build import build_stories, diff_bases, sharing_base
from wiretrace.text.cache import TextCache
from wiretrace.text.tokens import Tokens

# the stage helpers this module long exported, for callers that import them from here
__all__ = ["align_articles", "candidate_pairs", "compare", "diff_articles", "trace"]

Progress = Callable[[str, int, int], None]
# Tokenised articles a worker keeps for their next pairs (pairs come grouped
# by connected articles, so tokens are reused soon or not at all).
TOKEN_CACHE_SIZE = 2048
# Pairs aligned per chunk of work, at least (whole connected groups are kept together).
PAIRS_PER_CHUNK = 200
DIFFS_PER_CHUNK = 100  # story versions diffed per chunk of work, at least
ARTICLES_PER_CHUNK = 500  # articles fingerprinted per chunk of work


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


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
    pairs = np.stack([keys // max(1, n_articles), keys % max(1, n_articles)], axis=1)
    return earliest_candidates(pairs, params.max_earlier_candidates), boilerplate


@dataclass
class _RunState:
    """What the workers of one ``trace`` read (a fork inherits it): the articles,
    the parameters, the tokens each worker keeps, and what the stages before
    found (the boilerplate shingles for alignment, the passages for diffs)."""

    articles: ArticleStore
    params: TraceParams
    tokens: TextCache = field(default_factory=lambda: TextCache(TOKEN_CACHE_SIZE))
    boilerplate: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    passages: PassageTable | None = None
    credits: bool = True  # whether diffs compare the versions' credits
    # the credits the attribution stage found in each story member, by article
    # id: the diffs read them rather than tag the texts a second time
    member_credits: dict[str, list[Attribution]] | None = None


class Candidates(NamedTuple):
    """What the fingerprint and candidate stages found."""

    pairs: np.ndarray  # article-number pairs worth aligning, ``(k, 2)``, sorted, i < j
    boilerplate: np.ndarray  # sorted boilerplate shingles
    word_counts: np.ndarray  # tokens per article
    same_text: np.ndarray  # per article, the first article with exactly its text


class Diffs(NamedTuple):
    """What the diff stage kept, and how many diffs it made."""

    kept: list[Diff]
    made: int


# --- work done per article or per pair, in worker processes (see runtime/workers.py)

def _tokens(k: int) -> Tokens:
    """Tokens of article ``k``, kept for its next pairs."""
    state = worker_state(_RunState)
    return state.tokens.tokens(k, lambda: state.articles.text(k))


# What ``TextFacts.boilerplate`` holds for a text without boilerplate (the mask is
# None then, the common case, and None is the slot's "not computed yet").
_NO_BOILERPLATE = np.zeros(0, dtype=bool)


def _boilerplate(tokens: Tokens) -> np.ndarray | None:
    """The article's boilerplate mask (see :func:`.candidates.boilerplate_mask`), kept
    with its tokens."""
    if tokens.facts.boilerplate is None:
        state = worker_state(_RunState)
        mask = boilerplate_mask(tokens.hashes, state.params.seed_ngram, state.boilerplate)
        tokens.facts.boilerplate = _NO_BOILERPLATE if mask is None else mask
    mask = tokens.facts.boilerplate
    return None if mask is _NO_BOILERPLATE else mask


def _fingerprint_chunk(indices: list[int]) -> tuple[Fingerprints, np.ndarray]:
    """The fingerprints and text digests (128 bits) of some articles."""
    state = worker_state(_RunState)
    encoded = [state.articles.encoded_text(k) for k in indices]
    digests = np.frombuffer(b"".join(hashlib.blake2b(text, digest_size=16).digest()
                                     for text in encoded), dtype=np.uint64).reshape(-1, 2)
    return fingerprint([text.decode("utf-8") for text in encoded], state.params), digests


def _align_chunk(pairs: np.ndarray) -> np.ndarray:
    """Passages of some pairs, as rows of a :class:`PassageTable`."""
    state = worker_state(_RunState)
    store, params = state.articles, state.params
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
    state = worker_state(_RunState)
    store, params, passages = state.articles, state.params, state.passages
    assert passages is not None  # set before the diff stage
    out = []
    bases: dict[int, Article] = {}  # a story's base serves many of its versions
    for story_id, base, member in jobs:
        tokens_a, tokens_m = _tokens(base), _tokens(member)
        if base not in bases:
            bases[base] = store.at(base)
        article_a, article_m = bases[base], store.at(member)
        if state.member_credits is not None:  # the stage found them: not tagged again
            for tokens, article in ((tokens_a, article_a), (tokens_m, article_m)):
                if tokens.facts.attributions is None:
                    tokens.facts.attributions = state.member_credits.get(article.id, [])
        between = passages.of_pair(base, member)
        if not between:  # a version with no edge, diffed against the origin: align directly
            between = align_articles(article_a, tokens_a, article_m, tokens_m, params,
                                     _boilerplate(tokens_a), _boilerplate(tokens_m))
        out.append(diff_versions(article_a, tokens_a, article_m, tokens_m,
                                 between, params, story_id, state.credits))
    return out


# --- the stages, in the order trace() calls them

def _same_text(digests: np.ndarray) -> np.ndarray:
    """For each article, the number of the first article with exactly its text
    (the same 128-bit digest)."""
    if len(digests) == 0:
        return np.empty(0, dtype=np.int64)
    _, first, inverse = np.unique(digests, axis=0, return_index=True, return_inverse=True)
    return first[inverse.ravel()].astype(np.int64)


def _find_candidates(state: _RunState, workers: int, temp_dir: str | Path | None,
                     progress: Progress) -> Candidates:
    """Fingerprint every article (on ``workers``), then the candidate pairs: the
    seed index (spilled to a temporary folder) and LSH."""
    params, n = state.params, len(state.articles)
    with tempfile.TemporaryDirectory(prefix="wiretrace-", dir=temp_dir) as spill:
        seeds = SeedIndex(spill)
        signatures = np.zeros((n, params.num_perm), dtype=np.uint32)
        word_counts = np.zeros(n, dtype=np.int64)
        digests = np.zeros((n, 2), dtype=np.uint64)
        done = 0
        for found, chunk_digests in map_chunks(_fingerprint_chunk, range(n), workers,
                                               ARTICLES_PER_CHUNK, state):
            size = len(found.words)
            seeds.add(done, found.shingles, found.offsets)
            signatures[done:done + size] = found.signatures
            word_counts[done:done + size] = found.words
            digests[done:done + size] = chunk_digests
            done += size
            progress("fingerprint", done, n)
        pairs, boilerplate = candidate_pairs(seeds, signatures, word_counts >= params.seed_ngram,
                                             params, workers)
    progress("candidates", len(pairs), len(pairs))
    return Candidates(pairs, boilerplate, word_counts, _same_text(digests))


def _align_pairs(pairs: np.ndarray, same_text: np.ndarray, state: _RunState, workers: int,
                 progress: Progress) -> PassageTable:
    """Passages of every candidate pair, in pair order.

    Each distinct pair of texts is aligned once, connected groups kept whole
    (``runtime.schedule``); its passages are given to every pair of articles
    carrying those two texts.
    """
    store = state.articles
    text_pairs = distinct_text_pairs(pairs, same_text)
    # each text aligned as the first article carrying it: copies then share one
    # article's tokens, sentences and anchors, and one connected group
    distinct = same_text[pairs[text_pairs.first]]
    chunks = group_chunks(distinct, PAIRS_PER_CHUNK)
    found: list[np.ndarray] = []
    done = 0
    for chunk, chunk_rows in zip(chunks, map_chunk_list(_align_chunk, chunks, workers, state),
                                 strict=True):
        found.append(chunk_rows)
        done += len(chunk)
        progress("align", done, len(distinct))
    rows = np.concatenate(found) if found else np.empty(0, dtype=PASSAGE_DTYPE)
    # back in distinct pair order (stable: a pair's passages keep their order), then
    # sliced per pair
    n = max(1, len(store))
    distinct_keys = distinct[:, 0] * n + distinct[:, 1]
    by_key = np.argsort(distinct_keys)
    row_text_pair = by_key[np.searchsorted(distinct_keys[by_key],
                                           rows["a"].astype(np.int64) * n + rows["b"])]
    by_text_pair = np.argsort(row_text_pair, kind="stable")
    rows, row_text_pair = rows[by_text_pair], row_text_pair[by_text_pair]
    first_row = np.searchsorted(row_text_pair, np.arange(len(distinct) + 1))
    pair_to_text = text_pairs.of_pair
    counts = np.diff(first_row)[pair_to_text]
    take = np.repeat(first_row[pair_to_text] - np.cumsum(counts) + counts, counts) \
        + np.arange(int(counts.sum()))
    expanded = rows[take]
    expanded["a"] = np.repeat(pairs[:, 0], counts)
    expanded["b"] = np.repeat(pairs[:, 1], counts)
    return PassageTable(expanded, store.ids)


def _diff_stories(stories: list[Story], passages: PassageTable, state: _RunState,
                  workers: int, progress: Progress, diff_sink: Callable[[Diff], None] | None,
                  keep_diffs: int | None, credits: bool = True) -> Diffs:
    """Each version against its base: the origin when the origin is one of its
    sources, else its main source (``stories.diff_base``); a story's versions in
    one chunk, so one worker prepares its articles.  Every diff goes to
    ``diff_sink``; kept are all, or (with a sink) those of the ``keep_diffs``
    largest stories."""
    store = state.articles
    kept_stories = {s.id for s in (stories if keep_diffs is None else stories[:keep_diffs])}
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
    state.passages = passages
    state.credits = credits
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
    return Diffs(diffs, done)


def trace(articles: Iterable[Article] | ArticleStore, params: TraceParams | None = None,
          rejected: list[Rejected] | None = None, progress: Progress | None = None,
          workers: int | None = None, diff_sink: Callable[[Diff], None] | None = None,
          keep_diffs: int | None = None, temp_dir: str | Path | None = None,
          warnings: list[FieldWarning] | None = None, attribute: bool = True,
          attribution_sink: Callable[[Attribution], None] | None = None) -> TraceResult:
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

    With ``attribute`` (the default), every article's attributions (who it
    credits for what) are found, and each diff says what b did to a's credits;
    ``attribution_sink`` takes them as they come, the result then keeping those
    of the ``keep_diffs`` largest stories' members.
    """
    params = params or TraceParams()
    progress = progress or _no_progress
    workers = default_workers() if workers is None else max(1, workers)
    started = time.perf_counter()
    store = as_store(articles, temp_dir)
    rejected = list(rejected or []) + store.duplicates
    if len(store):  # compiled once here, not once in every forked worker
        compiled.prepare_for_run(progress, workers)
    state = _RunState(store, params)

    candidates = _find_candidates(state, workers, temp_dir, progress)
    state.boilerplate = candidates.boilerplate
    passages = _align_pairs(candidates.pairs, candidates.same_text, state, workers, progress)
    stories = build_stories(store, passages, params, candidates.word_counts, workers)
    attributions = attribute_store(store, stories, workers, progress, attribution_sink,
                                   keep_diffs) if attribute else Attributions([], 0, [], {}, [])
    state.member_credits = attributions.member_credits if attribute else None
    diffs = _diff_stories(stories, passages, state, workers, progress, diff_sink, keep_diffs,
                          attribute)

    aligned_pairs = len(np.unique(passages.rows["a"].astype(np.int64) * len(store)
                                  + passages.rows["b"]))
    stats = {
        "articles": len(store),
        "rejected": len(rejected),
        "candidate_pairs": len(candidates.pairs),
        "boilerplate_ngrams": len(candidates.boilerplate),
        "aligned_pairs": aligned_pairs,
        "passages": len(passages),
        # of them reuse; the others are template matches and boilerplate, set aside
        "reuse_passages": int(np.count_nonzero(passages.rows["kind"] == KIND_CODE["reuse"])),
        "stories": len(stories),
        "articles_in_stories": sum(len(s.members) for s in stories),
        "diffs": diffs.made,
        "attributions": attributions.found,
        "workers": workers,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return TraceResult(store, passages, stories, diffs.kept, rejected, stats,
                       list(warnings or []), attributions.kept if attribute else None,
                       attributions.provenance if attribute else None,
                       attributions.outlets if attribute else None)
