"""The whole pipeline on one machine: the embedded default.

``trace`` runs the stages in order, each a plain function of its own module,
the per-article and per-pair ones on every core (``parallel.map_chunks``):

    text.tokenize -> fingerprint.shingles/minhash -> candidates (seed index +
    LSH) -> align.align_tokens -> stories.build_stories -> diff.diff_versions

``compare`` and ``diff_articles`` run alignment and diff on two given texts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import numpy as np

from wiretrace.align import align_tokens
from wiretrace.candidates import boilerplate_mask, lsh_pairs, seed_index_pairs
from wiretrace.diff import diff_versions
from wiretrace.fingerprint import minhash_flat, shingles_batch
from wiretrace.model import Article, Diff, Passage, Rejected, TraceResult, passages_by_pair
from wiretrace.parallel import STATE, default_workers, map_chunks
from wiretrace.params import TraceParams
from wiretrace.stories import build_stories
from wiretrace.text import Tokens, token_hashes_batch, tokenize

Progress = Callable[[str, int, int], None]
# Tokenised articles a worker keeps for their next pairs (pairs come sorted
# by their first article, so its tokens are reused right away).
TOKEN_CACHE_SIZE = 8192


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _as_article(item: Article | str, default_id: str) -> Article:
    return item if isinstance(item, Article) else Article(id=default_id, text=str(item))


def align_articles(a: Article, tokens_a: Tokens, b: Article, tokens_b: Tokens,
                   params: TraceParams, ignore_a: np.ndarray | None = None,
                   ignore_b: np.ndarray | None = None) -> list[Passage]:
    """Reused passages between two tokenised articles, as :class:`Passage` rows."""
    return [Passage(a.id, s.a_start, s.a_end, b.id, s.b_start, s.b_end, s.score,
                    s.matched_words)
            for s in align_tokens(a.text, tokens_a, b.text, tokens_b, params,
                                  ignore_a, ignore_b)]


def candidate_pairs(shingles: np.ndarray, offsets: np.ndarray, signatures: np.ndarray,
                    params: TraceParams) -> tuple[set[tuple[int, int]], np.ndarray]:
    """Index pairs worth aligning (seed index and LSH), and the boilerplate shingles.

    ``shingles[offsets[k]:offsets[k + 1]]`` are article ``k``'s shingles.
    """
    n_articles = len(offsets) - 1
    max_df = params.effective_max_df(n_articles)
    seed_pairs, boilerplate = seed_index_pairs(shingles, offsets, max_df,
                                               params.min_shared_seeds)
    non_empty = np.diff(offsets) > 0
    pairs = set(seed_pairs) | lsh_pairs(signatures, params.lsh_threshold, non_empty)
    return pairs, boilerplate


# --- work done per article or per pair, in worker processes (see parallel.py)

def _tokens(k: int) -> tuple[Tokens, np.ndarray | None]:
    """Tokens of article ``k`` and its boilerplate mask, kept for its next pairs."""
    cache = STATE["token_cache"]
    if k not in cache:
        if len(cache) >= TOKEN_CACHE_SIZE:
            cache.pop(next(iter(cache)))
        tokens = tokenize(STATE["articles"][k].text)
        cache[k] = (tokens, boilerplate_mask(tokens.hashes, STATE["params"].seed_ngram,
                                             STATE["boilerplate"]))
    return cache[k]


def _fingerprint_chunk(indices: list[int]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """Shingles (flat, with offsets), MinHash signatures and word counts of some articles."""
    params = STATE["params"]
    hashes, token_offsets = token_hashes_batch([STATE["articles"][k].text for k in indices])
    flat, offsets = shingles_batch(hashes, token_offsets, params.seed_ngram)
    return (flat, offsets, minhash_flat(flat, offsets, params.num_perm),
            np.diff(token_offsets).tolist())


def _align_chunk(pairs: list[tuple[int, int]]) -> list[list[Passage]]:
    articles, params = STATE["articles"], STATE["params"]
    out = []
    for i, j in pairs:
        (tokens_i, ignore_i), (tokens_j, ignore_j) = _tokens(i), _tokens(j)
        out.append(align_articles(articles[i], tokens_i, articles[j], tokens_j, params,
                                  ignore_i, ignore_j))
    return out


def _diff_chunk(jobs: list[tuple[str, int, int, list[Passage] | None]]) -> list[Diff]:
    articles, params = STATE["articles"], STATE["params"]
    out = []
    for story_id, origin, member, between in jobs:
        (tokens_o, ignore_o), (tokens_m, ignore_m) = _tokens(origin), _tokens(member)
        if between is None:  # linked only through other versions: align directly
            between = align_articles(articles[origin], tokens_o, articles[member], tokens_m,
                                     params, ignore_o, ignore_m)
        out.append(diff_versions(articles[origin], tokens_o, articles[member], tokens_m,
                                 between, params, story_id))
    return out


def trace(articles: Iterable[Article], params: TraceParams | None = None,
          rejected: list[Rejected] | None = None, progress: Progress | None = None,
          workers: int | None = None) -> TraceResult:
    """Find reused passages, stories and version diffs in a set of articles.

    ``rejected`` records from reading are carried into the result (and
    duplicate ids met here are added to them), so one object tells the whole
    story of a run.  ``workers`` processes share the per-article and per-pair
    work (default: one per core); the result does not depend on it.
    """
    params = params or TraceParams()
    progress = progress or _no_progress
    workers = default_workers() if workers is None else max(1, workers)
    started = time.perf_counter()
    rejected = list(rejected or [])
    by_id: dict[str, Article] = {}
    for article in articles:
        if article.id in by_id:
            rejected.append(Rejected(article.origin or "<api>", None, article.id,
                                     f"duplicate id {article.id!r}"))
            continue
        by_id[article.id] = article
    ids = list(by_id)
    state = {"articles": list(by_id.values()), "params": params, "token_cache": {},
             "boilerplate": np.empty(0, dtype=np.uint64)}

    flats: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    signatures: list[np.ndarray] = []
    word_counts: dict[str, int] = {}
    for chunk_flat, chunk_offsets, chunk_signatures, chunk_counts in map_chunks(
            _fingerprint_chunk, range(len(ids)), workers, 500, state):
        for n_words in chunk_counts:
            word_counts[ids[len(word_counts)]] = n_words
        flats.append(chunk_flat)
        sizes.append(np.diff(chunk_offsets))
        signatures.append(chunk_signatures)
        progress("fingerprint", len(word_counts), len(ids))
    offsets = np.zeros(len(ids) + 1, dtype=np.int64)
    if sizes:
        np.cumsum(np.concatenate(sizes), out=offsets[1:])
    shingle_flat = np.concatenate(flats) if flats else np.empty(0, dtype=np.uint64)
    signature_matrix = np.concatenate(signatures) if signatures else np.empty(
        (0, params.num_perm), dtype=np.uint32)
    del flats, signatures
    pair_set, boilerplate = candidate_pairs(shingle_flat, offsets, signature_matrix, params)
    del shingle_flat, signature_matrix
    pairs = sorted(pair_set)
    progress("candidates", len(pairs), len(pairs))

    state["boilerplate"] = boilerplate
    passages: list[Passage] = []
    aligned_pairs = done = 0
    for chunk in map_chunks(_align_chunk, pairs, workers, 200, state):
        for found in chunk:
            aligned_pairs += bool(found)
            passages += found
        done += len(chunk)
        progress("align", done, len(pairs))

    stories = build_stories(by_id, passages, params, word_counts)
    index_of = {article_id: k for k, article_id in enumerate(ids)}
    by_pair = passages_by_pair(passages)
    jobs = [(story.id, index_of[story.origin], index_of[member],
             by_pair.get((story.origin, member)) or by_pair.get((member, story.origin)))
            for story in stories for member in story.members if member != story.origin]
    diffs: list[Diff] = []
    for chunk in map_chunks(_diff_chunk, jobs, workers, 100, state):
        diffs += chunk
        progress("diff", len(diffs), len(jobs))

    stats = {
        "articles": len(by_id),
        "rejected": len(rejected),
        "candidate_pairs": len(pairs),
        "boilerplate_ngrams": len(boilerplate),
        "aligned_pairs": aligned_pairs,
        "passages": len(passages),
        "stories": len(stories),
        "articles_in_stories": sum(len(s.members) for s in stories),
        "workers": workers,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return TraceResult(by_id, passages, stories, diffs, rejected, stats)


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
