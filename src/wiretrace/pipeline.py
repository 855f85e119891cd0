"""The whole pipeline in one process: the embedded default.

``trace`` runs the stages in order, each a plain function of its own module:

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
from wiretrace.fingerprint import minhash, permutations, shingles
from wiretrace.model import Article, Diff, Passage, Rejected, TraceResult
from wiretrace.params import TraceParams
from wiretrace.stories import build_stories
from wiretrace.text import Tokens, tokenize

Progress = Callable[[str, int, int], None]


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


def candidate_pairs(tokens: list[Tokens], params: TraceParams,
                    progress: Progress = _no_progress
                    ) -> tuple[set[tuple[int, int]], np.ndarray]:
    """Index pairs worth aligning (seed index and LSH), and the boilerplate n-grams."""
    shingle_sets = []
    for done, toks in enumerate(tokens, start=1):
        shingle_sets.append(shingles(toks, params.seed_ngram))
        if done % 1000 == 0 or done == len(tokens):
            progress("fingerprint", done, len(tokens))
    max_df = params.effective_max_df(len(tokens))
    seed_pairs, boilerplate = seed_index_pairs(shingle_sets, max_df, params.min_shared_seeds)
    pairs = set(seed_pairs)
    perms = permutations(params.num_perm)
    signatures = np.stack([minhash(s, perms) for s in shingle_sets]) if shingle_sets \
        else np.empty((0, params.num_perm), dtype=np.uint64)
    non_empty = np.fromiter((len(s) > 0 for s in shingle_sets), dtype=bool,
                            count=len(shingle_sets))
    pairs |= lsh_pairs(signatures, params.lsh_threshold, non_empty)
    return pairs, boilerplate


def trace(articles: Iterable[Article], params: TraceParams | None = None,
          rejected: list[Rejected] | None = None,
          progress: Progress | None = None) -> TraceResult:
    """Find reused passages, stories and version diffs in a set of articles.

    ``rejected`` records from reading are carried into the result (and
    duplicate ids met here are added to them), so one object tells the whole
    story of a run.
    """
    params = params or TraceParams()
    progress = progress or _no_progress
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

    tokens = []
    for done, article_id in enumerate(ids, start=1):
        tokens.append(tokenize(by_id[article_id].text))
        if done % 1000 == 0 or done == len(ids):
            progress("tokenise", done, len(ids))
    pair_set, boilerplate = candidate_pairs(tokens, params, progress)
    pairs = sorted(pair_set)
    ignore = {k: boilerplate_mask(tokens[k].hashes, params.seed_ngram, boilerplate)
              for k in {k for pair in pairs for k in pair}}

    passages: list[Passage] = []
    aligned_pairs = 0
    for done, (i, j) in enumerate(pairs, start=1):
        found = align_articles(by_id[ids[i]], tokens[i], by_id[ids[j]], tokens[j], params,
                               ignore[i], ignore[j])
        aligned_pairs += bool(found)
        passages += found
        if done % 200 == 0 or done == len(pairs):
            progress("align", done, len(pairs))

    stories = build_stories(by_id, passages, params,
                            {article_id: len(tokens[k]) for k, article_id in enumerate(ids)})
    index_of = {article_id: k for k, article_id in enumerate(ids)}
    by_pair: dict[tuple[str, str], list[Passage]] = {}
    for p in passages:
        by_pair.setdefault((p.a, p.b), []).append(p)
    diffs: list[Diff] = []
    for story in stories:
        origin = by_id[story.origin]
        for member in story.members:
            if member == story.origin:
                continue
            between = by_pair.get((story.origin, member)) or by_pair.get((member, story.origin))
            if between is None:  # linked only through other versions: align directly
                between = align_articles(origin, tokens[index_of[story.origin]],
                                         by_id[member], tokens[index_of[member]], params)
            diffs.append(diff_versions(origin, tokens[index_of[story.origin]], by_id[member],
                                       tokens[index_of[member]], between, params, story.id))
        progress("diff", len(diffs), len(diffs))

    stats = {
        "articles": len(by_id),
        "rejected": len(rejected),
        "candidate_pairs": len(pairs),
        "boilerplate_ngrams": len(boilerplate),
        "aligned_pairs": aligned_pairs,
        "passages": len(passages),
        "stories": len(stories),
        "articles_in_stories": sum(len(s.members) for s in stories),
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
