"""The compiled sentence stage (``align.splitting``, ``align.terms``,
``align.similarity``) against its definition.

The definition is the plain Python and NumPy the compiled code replaced,
kept here: sentence ends by the regular expression of
:func:`wiretrace.text.tokens.sentence_spans`, terms by :func:`term_id` of each
normalised token, short sentences joined in a Python loop, postings by
``np.unique``, tf-idf vectors, cosines and Dice coefficients by NumPy.  Both
must give the very same sentences, terms, weights and seed strengths (to the
last bit) on real news texts and on texts built to hit each rule.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from wiretrace.align import similarity, splitting, terms
from wiretrace.align.chains import AlignedSpan, chain_passages
from wiretrace.align.sentences import (
    BEST_MATCH_SHARE,
    MIN_SENTENCE_TERMS,
    fragment_similarity,
    pair_vectors,
    similar_sentences,
    split_sentences,
    term_id,
)
from wiretrace.params import TraceParams
from wiretrace.text.tokens import WRAPPED_LINE_MIN, code_points, sentence_spans, tokenize

# --------------------------------------------------------------------------
# the definition
# --------------------------------------------------------------------------


def split_by_definition(text: str) -> dict:
    tokens = tokenize(text)
    token_terms = np.array([term_id(n) for n in tokens.norms], dtype=np.int64)
    merged: list[list] = []
    pending = None
    for start, end in sentence_spans(text):
        first = int(np.searchsorted(tokens.starts, start, side="left"))
        last = int(np.searchsorted(tokens.starts, end, side="left"))
        found = token_terms[first:last]
        if pending is not None:
            if "\n" in text[pending[1]:start]:
                merged.append(pending)
            else:
                start, first = pending[0], pending[3]
                found = np.concatenate([pending[2], found])
            pending = None
        current = [start, end, found[found >= 0], first, last]
        if len(current[2]) < MIN_SENTENCE_TERMS:
            pending = current
        else:
            merged.append(current)
    if pending is not None:
        merged.append(pending)
    sentence_terms = [m[2] for m in merged]
    rows = np.repeat(np.arange(len(merged)), [len(t) for t in sentence_terms]).astype(np.int64)
    flat = np.concatenate(sentence_terms) if merged else np.zeros(0, dtype=np.int64)
    keys, counts = np.unique(np.stack([rows, flat]), axis=1, return_counts=True)
    return {"starts": [m[0] for m in merged], "ends": [m[1] for m in merged],
            "token_first": [m[3] for m in merged], "token_end": [m[4] for m in merged],
            "terms": [t.tolist() for t in sentence_terms], "posting_rows": keys[0].tolist(),
            "posting_terms": keys[1].tolist(), "posting_counts": counts.tolist()}


def vectors_by_definition(a, b):
    vocabulary, local = np.unique(np.concatenate([a.posting_terms, b.posting_terms]),
                                  return_inverse=True)
    local_a, local_b = local[:len(a.posting_terms)], local[len(a.posting_terms):]
    df = np.bincount(local, minlength=len(vocabulary))
    idf = np.log((len(a) + len(b)) / np.maximum(df, 1))
    return (local_a, a.posting_counts * idf[local_a], local_b, b.posting_counts * idf[local_b],
            len(vocabulary))


def similar_by_definition(a, b, threshold: float) -> dict:
    local_a, weights_a, local_b, weights_b, _ = vectors_by_definition(a, b)
    order_b = np.argsort(local_b, kind="stable")
    left = np.searchsorted(local_b[order_b], local_a, side="left")
    counts = np.searchsorted(local_b[order_b], local_a, side="right") - left
    which_a = np.repeat(np.arange(len(local_a)), counts)
    offsets = np.arange(len(which_a)) - np.repeat(np.cumsum(counts) - counts, counts)
    which_b = order_b[np.repeat(left, counts) + offsets]
    row_a, row_b = a.posting_rows[which_a], b.posting_rows[which_b]
    if len(row_a) == 0:
        return {}
    keys, inverse, shared = np.unique(row_a * len(b) + row_b, return_inverse=True,
                                      return_counts=True)
    dots = np.bincount(inverse, weights=weights_a[which_a] * weights_b[which_b])
    norms_a = np.sqrt(np.bincount(a.posting_rows, weights=weights_a ** 2, minlength=len(a)))
    norms_b = np.sqrt(np.bincount(b.posting_rows, weights=weights_b ** 2, minlength=len(b)))
    sizes_a = np.bincount(a.posting_rows, minlength=len(a))
    sizes_b = np.bincount(b.posting_rows, minlength=len(b))
    i, j = keys // len(b), keys % len(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        cosine = np.nan_to_num(dots / (norms_a[i] * norms_b[j]))
    strength = np.minimum(cosine, 2 * shared / (sizes_a[i] + sizes_b[j]))
    keep = (shared >= 2) & (strength >= threshold)
    i, j, strength = i[keep], j[keep], strength[keep]
    best_a, best_b = np.zeros(len(a)), np.zeros(len(b))
    np.maximum.at(best_a, i, strength)
    np.maximum.at(best_b, j, strength)
    chosen = strength >= BEST_MATCH_SHARE * np.minimum(best_a[i], best_b[j])
    return {(int(x), int(y)): float(v)
            for x, y, v in zip(i[chosen], j[chosen], strength[chosen], strict=True)}


def fragment_by_definition(a, b, rows_a: range, rows_b: range) -> float:
    local_a, weights_a, local_b, weights_b, size = vectors_by_definition(a, b)
    in_a = (a.posting_rows >= rows_a.start) & (a.posting_rows < rows_a.stop)
    in_b = (b.posting_rows >= rows_b.start) & (b.posting_rows < rows_b.stop)
    summed_a = np.bincount(local_a[in_a], weights=weights_a[in_a], minlength=size)
    summed_b = np.bincount(local_b[in_b], weights=weights_b[in_b], minlength=size)
    norm = np.linalg.norm(summed_a) * np.linalg.norm(summed_b)
    return float(summed_a @ summed_b / norm) if norm else 0.0


def chain_seeds_by_definition(chains, a, b) -> set:
    seeds = set()
    for chain in chains:
        rows = [row for row in range(len(a))
                if 2 * max(0, min(chain.a_end, a.ends[row]) - max(chain.a_start, a.starts[row]))
                >= a.ends[row] - a.starts[row]]
        ratio = (chain.b_end - chain.b_start) / max(1, chain.a_end - chain.a_start)
        for i in range(rows[0], rows[-1] + 1) if rows else ():
            covered = max(chain.a_start, int(a.starts[i])), min(chain.a_end, int(a.ends[i]))
            middle_b = chain.b_start + (sum(covered) / 2 - chain.a_start) * ratio
            j = int(np.searchsorted(b.ends, middle_b, side="right"))
            if j < len(b) and b.starts[j] <= middle_b:
                seeds.add((i, j))
    return seeds


# --------------------------------------------------------------------------
# texts
# --------------------------------------------------------------------------

TRICKY = [
    "", "   \n\n  ", "No full stop at the end", "One. Two! Three? Four… five.",
    "U.S. officials met. e.g. the talks. He said \"Yes.\" Then 'no.' (Really.) [Fine.] Done",
    "She holds a degree from the study.Bachelor's programmes are popular.ab!Cd xy?Zz",
    "政府周一宣布新措施。市场反应积极！投资者表示欢迎」。？）好",
    "A heading\nA long line of wrapped prose that goes on and on for a while\nand "
    "continues here. Short\n\nBlank-line paragraph without stop\nlast: line;\nnext",
    "Quote ends here.” Next one.’ And »this.» too.)  x. y.\u00a0Z.\u2028Next\x1cline.\r\nCRLF",
    "End with stops...", "Tail spaces.   ", "A.B.C. d", "Mixed Ünïcödé. Ärger über Straße.",
    "Emoji after stop. \U0001F600 Then more. Ancient \U00010400 letters.",
]


def _reworded(text: str, rng: np.random.Generator) -> str:
    """Each sentence's words shuffled, some dropped: similar sentences, not copies."""
    out = []
    for start, end in sentence_spans(text):
        words = text[start:end].split()
        keep = [w for w in words if rng.random() > 0.25] or words
        out.append(" ".join(rng.permutation(keep).tolist()) + ".")
    return " ".join(out)


@pytest.fixture(scope="module")
def news(bbc) -> list[str]:
    return [a.text for a in list(bbc.values())[:150]]


def _pairs(news: list[str]) -> list[tuple[str, str]]:
    rng = np.random.default_rng(3)
    pairs = [(news[k], _reworded(news[k], rng)) for k in range(40)]
    pairs += [(news[k], news[k + 1]) for k in range(40, 80)]
    pairs += [(news[k][len(news[k]) // 2:] + "\n" + _reworded(news[k + 1], rng), news[k])
              for k in range(80, 100)]
    # long texts: a sentence sharing terms with dozens of the other text's
    pairs += [(news[k] + " " + _reworded(news[k + 1], rng), " ".join(news[k:k + 5]))
              for k in range(100, 110)]
    return pairs


# --------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------

def test_character_table_space_is_the_regex_space():
    flags = splitting.char_flags()
    space = re.compile(r"\s")
    wrong = [code for code in range(0x10000)
             if bool(space.match(chr(code))) != bool(flags[code] & splitting._SPACE)]
    assert wrong == []


def test_sentence_bounds_equal_the_regular_expression(news):
    rng = np.random.default_rng(11)
    alphabet = list("abcxyzAQZ5é ") + [" ", " ", "\n", "\n\n", ".", "!", "?", "…", "\"", "'",
                                       "”", "’", "»", ")", "]", "。", "！", "」", "）", ":", ";",
                                       "\t", "\xa0", "\r", "\u2028", " word", "Word ",
                                       "ab.", "Cd", " the", " a long stretch of prose"]
    texts = TRICKY + news + ["".join(rng.choice(alphabet, size=int(rng.integers(1, 80))))
                             for _ in range(3000)]
    flags = splitting.char_flags()
    checked = 0
    for text in texts:
        codes = code_points(text)
        if codes.dtype != np.uint8 and int(codes.max()) >= 0x10000:
            continue  # split_sentences hands these to sentence_spans itself
        starts, ends = splitting.sentence_bounds(codes, flags, WRAPPED_LINE_MIN)
        assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == sentence_spans(text), \
            repr(text)
        checked += 1
    assert checked > 3000


def test_split_sentences_equals_its_definition(news):
    rng = np.random.default_rng(5)
    texts = TRICKY + news + [_reworded(t, rng) for t in news[:30]]
    for text in texts:
        expected = split_by_definition(text)
        found = split_sentences(text, tokenize(text))
        for name in ("starts", "ends", "token_first", "token_end", "posting_rows",
                     "posting_terms", "posting_counts"):
            assert getattr(found, name).tolist() == expected[name], (name, text[:60])
        assert [t.tolist() for t in found.terms] == expected["terms"]
        vocabulary, index, holding = np.unique(found.posting_terms, return_inverse=True,
                                               return_counts=True)
        assert found.vocabulary.tolist() == vocabulary.tolist()
        assert found.holding.tolist() == holding.tolist()
        assert found.posting_vocabulary.tolist() == index.tolist()


def test_token_terms_equal_term_id_of_each_norm(news, monkeypatch):
    texts = TRICKY + news[:60]
    expected = [[term_id(n) for n in tokenize(t).norms] for t in texts]
    assert [terms.token_terms(t, tokenize(t)).tolist() for t in texts] == expected
    # a table that must grow and be emptied again and again gives the same terms
    monkeypatch.setattr(terms, "MAX_ENTRIES", 300)
    monkeypatch.setattr(terms, "_table", terms._TermTable(4))
    assert [terms.token_terms(t, tokenize(t)).tolist() for t in texts] == expected
    assert 0 < terms._table.count <= 300


def test_terms_are_stems_named_alike_everywhere():
    assert term_id("running") == term_id("runs") == term_id("run") >= 0
    assert term_id("the") == term_id("x") == -1
    assert term_id("é") != -1  # one letter, but not ASCII
    assert term_id("naïve") != term_id("naiv")  # only ASCII words are stemmed
    # a hash of the stem, not a number handed out in order of appearance
    assert term_id("harbour") == 7071828321300970500


def test_pair_similarity_equals_its_definition(news):
    params = TraceParams()
    found_seeds = 0
    for text_a, text_b in _pairs(news):
        a, b = split_sentences(text_a, tokenize(text_a)), split_sentences(text_b, tokenize(text_b))
        vectors = pair_vectors(a, b)
        local_a, weights_a, local_b, weights_b, size = vectors_by_definition(a, b)
        assert vectors.vocabulary == size
        assert vectors.terms_a.tolist() == local_a.tolist()
        assert vectors.terms_b.tolist() == local_b.tolist()
        # to the last bit: weights decide thresholds
        assert vectors.weights_a.tolist() == weights_a.tolist()
        assert vectors.weights_b.tolist() == weights_b.tolist()
        # also a threshold met exactly by one pair's strength
        values = sorted(similar_by_definition(a, b, 1e-9).values())
        exactly = values[len(values) // 2] if values else 0.5
        for threshold in (0.75 * params.sentence_similarity, params.sentence_similarity, 1e-9,
                          exactly):
            expected = similar_by_definition(a, b, threshold)
            assert similar_sentences(a, b, vectors, threshold) == expected
            found_seeds += len(expected)
        for rows_a, rows_b in ((range(len(a)), range(len(b))), (range(1, 4), range(0, 6)),
                               (range(0), range(len(b))), (range(2, 3), range(2, 3))):
            assert fragment_similarity(vectors, rows_a, rows_b) == pytest.approx(
                fragment_by_definition(a, b, rows_a, rows_b), rel=1e-12, abs=1e-15)
    assert found_seeds > 1000, "the pairs must have similar sentences to test anything"


def test_chain_seeds_and_boilerplate_rows_equal_their_definition(news):
    params = TraceParams()
    rng = np.random.default_rng(9)
    seeded = 0
    copies = [(news[k][len(news[k]) // 3:] + "\n" + news[k + 1][:800], news[k])
              for k in range(100, 140)]
    for text_a, text_b in _pairs(news) + copies:
        tokens_a, tokens_b = tokenize(text_a), tokenize(text_b)
        a, b = split_sentences(text_a, tokens_a), split_sentences(text_b, tokens_b)
        chains = chain_passages(text_a, tokens_a, text_b, tokens_b, params)
        # and made-up chains, some ending exactly on a sentence's first character
        length = int(rng.integers(20, 400))
        chains += [AlignedSpan(x, x + length + int(rng.integers(0, 3)), y, y + length, 0.5, 10)
                   for x, y in zip(rng.integers(0, len(text_a), 30).tolist(),
                                   rng.integers(-100, len(text_b), 30).tolist(), strict=True)]
        expected = chain_seeds_by_definition(chains, a, b)
        spans = np.array([(c.a_start, c.a_end, c.b_start, c.b_end) for c in chains],
                         dtype=np.int64).reshape(-1, 4)
        found = similarity.chain_seeds(spans, a.starts, a.ends, b.starts, b.ends)
        assert set(map(tuple, found.tolist())) == expected
        seeded += len(expected)
        ignore = rng.random(len(tokens_a)) < rng.random()
        assert np.flatnonzero(similarity.mostly_ignored(a.token_first, a.token_end, ignore)
                              ).tolist() == [
            row for row in range(len(a)) if a.token_end[row] > a.token_first[row]
            and ignore[a.token_first[row]:a.token_end[row]].mean() > 0.5]
    assert seeded > 200


def test_kernels_handle_texts_without_sentences():
    empty = split_sentences("", tokenize(""))
    some = split_sentences("The port reopened on Friday after a long strike.",
                           tokenize("The port reopened on Friday after a long strike."))
    assert len(empty) == 0 and len(some) == 1
    assert similar_sentences(empty, some, pair_vectors(empty, some), 0.1) == {}
    assert similarity.mostly_ignored(some.token_first, some.token_end,
                                     np.ones(9, dtype=bool)).tolist() == [True]
