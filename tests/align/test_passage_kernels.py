"""The compiled scoring of passages (``align.passages``) against its definition.

The definition is the Python the compiled code replaced, kept here: spans
overlapping on both sides merged in repeated passes, each scored by
RapidFuzz's LCS of the two sides' word hashes, one-sided overlaps dropped.
Both must give the very same passages, on spans laid over real news texts
so that they overlap, nest and touch in every way.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz.distance import LCSseq

from wiretrace.align import EXACT_DOMINANT, align_tokens
from wiretrace.align.chains import _overlap
from wiretrace.align.passages import lcs_length, scored_passages
from wiretrace.params import TraceParams
from wiretrace.text.tokens import Tokens, tokenize


def _union(x, y):
    if x is None or y is None:
        return x or y
    return (min(x[0], y[0]), max(x[1], y[1]), min(x[2], y[2]), max(x[3], y[3]))


def merge_by_definition(spans: list) -> list:
    groups = [(span, span if exact else None, span[1] - span[0] if exact else 0)
              for span, exact in spans]
    while True:
        merged: list = []
        for whole, exact_span, exact_chars in sorted(groups, key=lambda g: g[0]):
            for k, (other, other_exact, other_chars) in enumerate(merged):
                if _overlap(whole[0], whole[1], other[0], other[1]) and \
                        _overlap(whole[2], whole[3], other[2], other[3]):
                    merged[k] = (_union(whole, other), _union(exact_span, other_exact),
                                 exact_chars + other_chars)
                    break
            else:
                merged.append((whole, exact_span, exact_chars))
        if len(merged) == len(groups):
            break
        groups = merged
    return [(exact_span if exact_span is not None and exact_chars >= EXACT_DOMINANT * (
        whole[1] - whole[0]) else whole, exact_span is not None)
        for whole, exact_span, exact_chars in merged]


def _words(tokens: Tokens, start: int, end: int) -> list[int]:
    first = int(np.searchsorted(tokens.starts, start, side="left"))
    last = int(np.searchsorted(tokens.ends, end, side="right"))
    return tokens.hashes[first:last].tolist()


def passages_by_definition(spans: list, tokens_a: Tokens, tokens_b: Tokens,
                           params: TraceParams) -> list:
    passages = []
    for (a0, a1, b0, b1), exact in merge_by_definition(spans):
        if not exact and min(a1 - a0, b1 - b0) < params.min_reworded_chars:
            continue
        words_a, words_b = _words(tokens_a, a0, a1), _words(tokens_b, b0, b1)
        matched = LCSseq.similarity(words_a, words_b)
        if matched >= params.min_passage_words:
            passages.append((a0, a1, b0, b1, matched, max(len(words_a), len(words_b))))
    accepted: list = []
    for p in sorted(passages, key=lambda p: (-p[4], p[0], p[2])):
        if not any(_overlap(p[0], p[1], q[0], q[1]) * 2 > p[1] - p[0]
                   or _overlap(p[2], p[3], q[2], q[3]) * 2 > p[3] - p[2] for q in accepted):
            accepted.append(p)
    return sorted(accepted, key=lambda p: (p[0], p[2]))


def test_lcs_equals_rapidfuzz():
    rng = np.random.default_rng(2)
    lengths = [0, 1, 2, 5, 63, 64, 65, 127, 128, 129, 200, 700]
    checked = 0
    for alphabet in (2, 5, 40, 10_000):
        symbols = rng.integers(0, 2**63, alphabet, dtype=np.int64).astype(np.uint64)
        for n in lengths:
            for m in lengths:
                a, b = rng.choice(symbols, n), rng.choice(symbols, m)
                assert lcs_length(a, b) == LCSseq.similarity(a.tolist(), b.tolist()), (n, m)
                checked += 1
    # a text against its edited copy: long common subsequences, carries across words
    text = " ".join(f"w{k % 97}" for k in range(900))
    words = tokenize(text).hashes
    edited = np.delete(words, rng.choice(len(words), 60, replace=False))
    edited = np.insert(edited, rng.choice(len(edited), 40), words[:40])
    assert lcs_length(words, edited) == LCSseq.similarity(words.tolist(), edited.tolist())
    assert checked == 4 * len(lengths) ** 2
    # copies sharing a start and an end, the middle edited or not (or all of one)
    for middle in (edited[:0], edited[100:101], edited[300:420], words[:300]):
        for cut in (0, 1, 64, 300):
            a = np.concatenate([words[:cut], words[cut:cut + 200], words[-cut:][:cut]])
            b = np.concatenate([words[:cut], middle, words[-cut:][:cut]])
            for x, y in ((a, b), (b, a), (a, a[:cut])):
                assert lcs_length(x, y) == LCSseq.similarity(x.tolist(), y.tolist())


def _spans_over(text_a: str, text_b: str, rng: np.random.Generator) -> list:
    """Spans in clusters around a few places: overlapping on one side or both,
    nested, touching, apart.

    On a grid of 20 characters, so that ties (equal starts, an overlap of
    exactly half, exact chains of exactly ``EXACT_DOMINANT`` of a merged
    span, a span exactly ``min_reworded_chars`` long) come up often.
    """
    spans = []
    for _ in range(int(rng.integers(1, 5))):
        a, b = int(rng.integers(0, len(text_a) // 20)), int(rng.integers(0, len(text_b) // 20))
        for _ in range(int(rng.integers(1, 8))):
            a0, b0 = max(0, a + int(rng.integers(-10, 10))), max(0, b + int(rng.integers(-10, 10)))
            if rng.random() < 0.5:  # overlapping others on side a only
                b0 = int(rng.integers(0, len(text_b) // 20))
            length = int(rng.integers(0, 30))
            spans.append(((20 * a0, 20 * (a0 + length), 20 * b0,
                           20 * (b0 + length + int(rng.integers(-2, 3)))),
                          bool(rng.random() < 0.5)))
    # copies of one span, exact and not
    spans += [spans[0], (spans[0][0], not spans[0][1])]
    return spans


def test_scored_passages_equal_their_definition(bbc):
    rng = np.random.default_rng(4)
    params = TraceParams(min_passage_words=5, min_reworded_chars=200)
    texts = [a.text for a in list(bbc.values())[:200]]
    found = 0
    for k in range(0, 200, 2):
        text_a, text_b = texts[k], texts[k][:len(texts[k]) // 2] + texts[k + 1]
        tokens_a, tokens_b = tokenize(text_a), tokenize(text_b)
        for _ in range(5):
            spans = _spans_over(text_a, text_b, rng)
            # the aligner hands over the exact spans, then the reworded ones
            spans = [s for s in spans if s[1]] + [s for s in spans if not s[1]]
            expected = passages_by_definition(spans, tokens_a, tokens_b, params)
            exact = np.array([span for span, exact in spans if exact], np.int64).reshape(-1, 4)
            reworded = np.array([span for span, exact in spans if not exact],
                                np.int64).reshape(-1, 4)
            assert [tuple(p) for p in scored_passages(
                exact, reworded, EXACT_DOMINANT, params.min_reworded_chars,
                params.min_passage_words, tokens_a.starts, tokens_a.ends, tokens_a.hashes,
                tokens_b.starts, tokens_b.ends, tokens_b.hashes).tolist()] == expected
            found += len(expected)
    assert found > 500


def test_no_spans_no_passages():
    tokens = tokenize("Nothing to see here")
    none = np.zeros((0, 4), dtype=np.int64)
    assert scored_passages(none, none, EXACT_DOMINANT, 1, 1, tokens.starts, tokens.ends,
                           tokens.hashes, tokens.starts, tokens.ends, tokens.hashes).shape == (0, 6)
    assert align_tokens("", tokenize(""), "Nothing to see here", tokens) == []


def test_passages_starting_together_are_ordered_by_their_start_in_b():
    # a short span matching ten words, and a four times longer one starting at the
    # same place in a, matching six words of another part of b: both are kept
    # (they overlap by a quarter of the longer one), the longer first (it starts
    # earlier in b) though it was accepted second
    words = [f"word{k}" for k in range(40)]
    text_a = " ".join(words)
    text_b = " ".join(["other"] * 5 + words[0:36:6] + ["other"] * 5 + words[:10])
    tokens_a, tokens_b = tokenize(text_a), tokenize(text_b)
    short_a, long_b = len(" ".join(words[:10])), text_b.index("word0 word1")
    spans = np.array([(0, short_a, long_b, len(text_b)), (0, len(text_a), 0, long_b - 1)],
                     dtype=np.int64)
    found = scored_passages(spans[:0], spans, EXACT_DOMINANT, 1, 5, tokens_a.starts, tokens_a.ends,
                            tokens_a.hashes, tokens_b.starts, tokens_b.ends, tokens_b.hashes)
    assert found.tolist() == [[0, len(text_a), 0, long_b - 1, 6, 40],
                              [0, short_a, long_b, len(text_b), 10, 10]]
