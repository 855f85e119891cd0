"""The compiled sentence-stage logic (``align.similarity.sentence_seeds``,
``align.clusters``) against its definition.

The definition is the Python the compiled code replaced, kept here: seeds
from similar sentences and exact chains as sets, clusters cut in repeated
passes, clusters cut at paragraphs by a regular expression, fragments
validated recursively, summaries.  It uses the sentence similarity of
``align.sentences`` (tested against NumPy in ``test_sentence_kernels.py``).
Both must give the very same spans on real news texts built to have
reworded, partly copied and summarised passages, with and without
boilerplate flags.
"""

from __future__ import annotations

import numpy as np

from wiretrace.align import _sentence_fragments, _sentences, clusters
from wiretrace.align.chains import _overlap, chain_passages
from wiretrace.align.clusters import (
    SUMMARY_MAX_RATIO,
    SUMMARY_MIN_CHARS,
    SUMMARY_MIN_STRONGEST,
    SUMMARY_RATIO,
    cluster_seeds,
    paragraph_between,
)
from wiretrace.align.sentences import fragment_similarity, pair_vectors, similar_sentences
from wiretrace.align.similarity import SUMMARY_SEED_SHARE, chain_seeds
from wiretrace.align.splitting import text_classes
from wiretrace.params import TraceParams
from wiretrace.text.tokens import code_points, sentence_spans, tokenize

# --------------------------------------------------------------------------
# the definition
# --------------------------------------------------------------------------


def _cut(seeds, axis, max_gap):
    ordered = sorted(seeds, key=lambda seed: (seed[axis], seed[1 - axis]))
    pieces = [[ordered[0]]]
    for seed in ordered[1:]:
        if seed[axis] - pieces[-1][-1][axis] > max_gap + 1:
            pieces.append([])
        pieces[-1].append(seed)
    return pieces


def clusters_by_definition(seeds, max_gap, max_gap_b=None):
    if not seeds:
        return []
    gap_b = max_gap if max_gap_b is None else max_gap_b
    found = [list(seeds)]
    while True:
        refined = [piece_b for cluster in found for piece_a in _cut(cluster, 0, max_gap)
                   for piece_b in _cut(piece_a, 1, gap_b)]
        if len(refined) == len(found):
            return refined
        found = refined


def _extent(cluster):
    rows_a, rows_b = [i for i, _ in cluster], [j for _, j in cluster]
    return range(min(rows_a), max(rows_a) + 1), range(min(rows_b), max(rows_b) + 1)


def validated_by_definition(seeds, vectors, max_gap, min_similarity):
    fragments = []
    for cluster in clusters_by_definition(seeds, max_gap):
        rows_a, rows_b = _extent(cluster)
        if fragment_similarity(vectors, rows_a, rows_b) >= min_similarity:
            fragments.append((rows_a, rows_b))
        elif max_gap > 0 and len(cluster) > 1:
            fragments += validated_by_definition(cluster, vectors, max_gap - 1, min_similarity)
    return fragments


def split_by_definition(cluster, text_a, a, text_b, b):
    ordered = sorted(cluster)
    pieces = [[ordered[0]]]
    for (i0, j0), (i1, j1) in zip(ordered, ordered[1:], strict=False):
        block_a = i1 > i0 + 1 and clusters.unmatched_block(text_a, int(a.ends[i0]),
                                                           int(a.starts[i1]))
        block_b = j1 > j0 + 1 and clusters.unmatched_block(text_b, int(b.ends[j0]),
                                                           int(b.starts[j1]))
        if block_a or block_b:
            pieces.append([])
        pieces[-1].append((i1, j1))
    return pieces


def condensed_by_definition(cluster):
    rows_a = {i for i, _ in cluster}
    if len(rows_a) < 3 or len(cluster) > 2 * len(rows_a):
        return False
    if len(rows_a) < 0.6 * (max(rows_a) - min(rows_a) + 1):
        return False
    ordered = sorted(cluster)
    jumps = sum(abs(j1 - j0) >= 3 for (_, j0), (_, j1) in zip(ordered, ordered[1:], strict=False))
    return 2 * jumps >= len(ordered) - 1


def fragments_by_definition(text_a, tokens_a, text_b, tokens_b, chains, params, ignore_a,
                            ignore_b):
    """``(fragments, summaries)`` as the Python sentence stage found them."""
    a, b = _sentences(text_a, tokens_a), _sentences(text_b, tokens_b)
    if not len(a) or not len(b):
        return [], []
    vectors = pair_vectors(a, b)
    exact = set(map(tuple, chain_seeds(chains, a.starts, a.ends, b.starts, b.ends).tolist()))
    exact_a, exact_b = {i for i, _ in exact}, {j for _, j in exact}

    def boilerplate(s, ignore):
        return set() if ignore is None else {
            row for row in range(len(s)) if s.token_end[row] > s.token_first[row]
            and ignore[s.token_first[row]:s.token_end[row]].mean() > 0.5}

    skip_a, skip_b = boilerplate(a, ignore_a), boilerplate(b, ignore_b)
    strength = {(i, j): value for (i, j), value in similar_sentences(
        a, b, vectors, SUMMARY_SEED_SHARE * params.sentence_similarity).items()
        if i not in skip_a and j not in skip_b and i not in exact_a and j not in exact_b}
    seeds = exact | {pair for pair, value in strength.items()
                     if value >= params.sentence_similarity}
    loose = exact | set(strength)

    def span_of(rows_a, rows_b):
        return (int(a.starts[rows_a.start]), int(a.ends[rows_a.stop - 1]),
                int(b.starts[rows_b.start]), int(b.ends[rows_b.stop - 1]))

    fragments = []
    for cluster in clusters_by_definition(sorted(seeds), params.max_sentence_gap):
        for piece in split_by_definition(cluster, text_a, a, text_b, b):
            for rows_a, rows_b in validated_by_definition(piece, vectors, params.max_sentence_gap,
                                                          params.sentence_similarity):
                fragments.append(span_of(rows_a, rows_b))
    summaries = []
    for cluster in clusters_by_definition(sorted(loose), params.max_sentence_gap, len(b)):
        rows_a, rows_b = _extent(cluster)
        span = span_of(rows_a, rows_b)
        a_length = span[1] - span[0]
        strongest = max(strength.get(seed, 1.0) for seed in cluster)
        if (len({j for _, j in cluster}) >= 3 and condensed_by_definition(cluster)
                and a_length >= SUMMARY_MIN_CHARS and strongest >= SUMMARY_MIN_STRONGEST
                and SUMMARY_RATIO * a_length <= span[3] - span[2] <= SUMMARY_MAX_RATIO * a_length
                and fragment_similarity(vectors, rows_a, rows_b) >= params.sentence_similarity):
            if 2 * len(rows_b) >= len(b):
                span = span_of(rows_a, range(len(b)))
            summaries.append(span)
    fragments = [f for f in fragments
                 if not any(_overlap(f[0], f[1], s[0], s[1]) and s[2] <= f[2] and f[3] <= s[3]
                            for s in summaries)]
    return fragments, summaries


# --------------------------------------------------------------------------
# texts
# --------------------------------------------------------------------------

def _reworded(sentences: list[str], rng: np.random.Generator, drop: float = 0.3,
              others: tuple[str, ...] = ()) -> list[str]:
    """Sentences with words dropped (and some from ``others`` added), shuffled."""
    out = []
    for sentence in sentences:
        words = sentence.split()
        keep = [w for w in words if rng.random() > drop] or words
        if others:
            keep += rng.choice(others, size=len(words) // 3).tolist()
        out.append(" ".join(rng.permutation(keep).tolist()) + ".")
    return out


def _pieces(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def _pairs(news: list[str]) -> list[tuple[str, str]]:
    """Reworded copies (some with a paragraph or sentences spliced in), partial copies,
    neighbours."""
    rng = np.random.default_rng(8)
    pairs = []
    for k, text in enumerate(news):
        pieces = _pieces(text)
        if k % 4 == 3 and len(pieces) >= 8:
            # two reworded runs with unrelated sentences between them, on one side or both:
            # fragments that hold only as two
            other, third = _pieces(news[k - 1]), _pieces(news[k - 2])
            run = int(rng.integers(1, 4))
            a = _reworded(pieces[:run], rng, 0.45) + other[:int(rng.integers(1, 5))] + _reworded(
                pieces[run:2 * run], rng, 0.45)
            b = pieces[:run] + third[:int(rng.integers(0, 4))] + pieces[run:]
            pairs.append((" ".join(a), " ".join(b)))
        elif k % 3 == 0:
            reworded = _reworded(pieces, rng)
            if len(reworded) > 6:  # a paragraph only a has, between reworded ones
                reworded[3] += "\n\nAn inserted paragraph about something else entirely.\n\n"
            pairs.append((" ".join(reworded), text))
        elif k % 3 == 1:
            half = len(pieces) // 2
            pairs.append(("\n".join(pieces[:half] + _reworded(pieces[half:], rng)), text))
        else:
            pairs.append((text, news[k - 1]))
    return pairs


def _summaries(news: list[str]) -> list[tuple[str, str]]:
    """A few sentences spread over a source, more or less reworded, some so loosely
    that only some of their clusters still qualify as summaries."""
    rng = np.random.default_rng(10)
    pairs = []
    for k, text in enumerate(news):
        pieces = _pieces(text)
        if len(pieces) < 12:
            continue
        for drop, others in ((0.2, ()), (0.45, ()), (0.6, tuple(news[k - 1].split()))):
            step, first = int(rng.integers(3, 6)), int(rng.integers(0, 3))
            chosen = [pieces[x] for x in range(first, len(pieces), step)]
            summary = _reworded(chosen[:int(rng.integers(3, 7))], rng, drop, others)
            pairs.append((" ".join(summary), text))
    return pairs


# --------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------

def test_paragraph_check_equals_the_regular_expression(bbc):
    rng = np.random.default_rng(6)
    alphabet = ["\n", "\n", "\n\n", " ", "\t", "\xa0", "\r", "\u2028", "a", "*", "-", "é",
                "x y", ". ", "\U0001F600"]
    texts = ["".join(rng.choice(alphabet, size=int(rng.integers(1, 60)))) for _ in range(4000)]
    texts += [a.text for a in list(bbc.values())[:40]]
    checked = blocks = 0
    for text in texts:
        classes = text_classes(code_points(text))
        for _ in range(10):
            start, end = sorted(rng.integers(0, len(text) + 1, 2).tolist())
            expected = clusters.unmatched_block(text, start, end)
            assert paragraph_between(classes, start, end) == expected, (repr(text), start, end)
            checked += 1
            blocks += expected
    assert checked > 40_000 and blocks > 2000


def test_compiled_clusters_equal_their_definition():
    rng = np.random.default_rng(1)
    for _ in range(2000):
        n = int(rng.integers(0, 30))
        seeds = sorted({(int(i), int(j)) for i, j in rng.integers(0, 40, (n, 2))})
        max_gap = int(rng.integers(0, 5))
        max_gap_b = None if rng.random() < 0.5 else int(rng.integers(0, 40))
        assert cluster_seeds(seeds, max_gap, max_gap_b) == clusters_by_definition(
            seeds, max_gap, max_gap_b)


def test_sentence_fragments_equal_their_definition(bbc):
    params = TraceParams()
    rng = np.random.default_rng(12)
    news = [a.text for a in list(bbc.values())[200:800]]
    fragments = summaries = 0
    for text_a, text_b in _pairs(news[:300]) + _summaries(news):
        tokens_a, tokens_b = tokenize(text_a), tokenize(text_b)
        chains = np.array([(c.a_start, c.a_end, c.b_start, c.b_end) for c in chain_passages(
            text_a, tokens_a, text_b, tokens_b, params)], dtype=np.int64).reshape(-1, 4)
        for ignore_a, ignore_b in ((None, None), (rng.random(len(tokens_a)) < 0.3,
                                                  rng.random(len(tokens_b)) < 0.3)):
            found, condensed = fragments_by_definition(text_a, tokens_a, text_b, tokens_b,
                                                       chains, params, ignore_a, ignore_b)
            assert [tuple(s) for s in _sentence_fragments(
                text_a, tokens_a, text_b, tokens_b, chains, params, ignore_a, ignore_b
            ).tolist()] == found + condensed
            fragments, summaries = fragments + len(found), summaries + len(condensed)
    print(fragments, summaries)
    assert fragments > 800 and summaries >= 10, (fragments, summaries)


def test_compiled_functions_call_only_their_own_module():
    # numba's disk cache notices a change to the file a function is in, not to
    # the files of the functions it calls: a call across modules would keep
    # running the old code of the callee after an edit
    import importlib

    from numba.core.registry import CPUDispatcher

    checked = 0
    for name in ("passages", "similarity", "clusters", "splitting", "terms"):
        module = importlib.import_module(f"wiretrace.align.{name}")
        for function in vars(module).values():
            if not isinstance(function, CPUDispatcher) or function.__module__ != module.__name__:
                continue
            called = [function.py_func.__globals__.get(n) for n in
                      function.py_func.__code__.co_names]
            assert all(c.__module__ == module.__name__ for c in called
                       if isinstance(c, CPUDispatcher)), (name, function.__name__)
            checked += 1
    assert checked > 25
