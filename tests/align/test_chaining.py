"""The compiled chain stage (``align.chaining``) against its definition.

The definition is the plain-Python seed-and-chain the compiled code replaced,
kept here step by step: greedy chaining of runs, cuts at whole paragraphs,
growth over equal words and spelling variants, best non-overlapping chains.
Both must give the very same passages on real news texts, with and without
boilerplate flags, and on texts built to exercise each step.
"""

from __future__ import annotations

import numpy as np

from wiretrace.align.chaining import anchor_runs
from wiretrace.align.chains import (
    MAX_ANCHOR_REPEATS,
    AlignedSpan,
    _overlap,
    chain_passages,
    similar_words,
)
from wiretrace.align.sentences import STOP_WORDS
from wiretrace.fingerprint.kernels import gram_index
from wiretrace.params import TraceParams
from wiretrace.text.tokens import Tokens, tokenize


def _diagonal_runs(tokens_a: Tokens, tokens_b: Tokens, n: int, max_gap: int, ignore_a=None,
                   ignore_b=None) -> np.ndarray:
    """Anchors joined into runs along their diagonal (tested against its own
    definition in ``test_align``)."""
    nothing = np.zeros(0, dtype=bool)
    return anchor_runs(*gram_index(tokens_a.hashes, n), *gram_index(tokens_b.hashes, n),
                       nothing if ignore_a is None else ignore_a,
                       nothing if ignore_b is None else ignore_b, n, max_gap, MAX_ANCHOR_REPEATS)


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Take in punctuation glued to the span (opening/closing quotes, stops)."""
    while start > 0 and text[start - 1] in "\"'“‘«([¿¡":
        start -= 1
    while end < len(text) and text[end] in "\"'”’»)].,;:!?…":
        end += 1
    return start, end


def _chain_runs(runs: list, max_gap: int) -> list[list]:
    finished, active = [], []
    for run in runs:
        i, i_end, j, j_end, _ = run
        finished += [chain[4] for chain in active if chain[0] + max_gap < i]
        active = [chain for chain in active if chain[0] + max_gap >= i]
        best, best_cost = None, None
        for chain in active:
            step_a, step_b = i - chain[2], j - chain[3]
            if step_a <= 0 or step_b <= 0:
                continue
            gap_a, gap_b = i - chain[0], j - chain[1]
            if gap_a > max_gap or gap_b > max_gap or abs(step_a - step_b) > max_gap:
                continue
            cost = abs(step_a - step_b) + max(gap_a, 0) + max(gap_b, 0)
            if best_cost is None or cost < best_cost:
                best, best_cost = chain, cost
        if best is None:
            active.append([i_end, j_end, i, j, [run]])
            continue
        best[0], best[1] = max(best[0], i_end), max(best[1], j_end)
        best[2], best[3] = i, j
        best[4].append(run)
    return finished + [chain[4] for chain in active]


def _has_whole_paragraph(text: str, start: int, end: int) -> bool:
    gap = text[start:end]
    first, last = gap.find("\n"), gap.rfind("\n")
    return first != -1 and last > first and any(ch.isalnum() for ch in gap[first:last])


def _split_at_paragraphs(chain: list, text_a: str, tokens_a: Tokens, text_b: str,
                         tokens_b: Tokens) -> list[list]:
    pieces = [[chain[0]]]
    end_a, end_b = chain[0][1], chain[0][3]
    for run in chain[1:]:
        i, i_end, j, j_end, _ = run
        if i > end_a and _has_whole_paragraph(text_a, int(tokens_a.ends[end_a - 1]),
                                              int(tokens_a.starts[i])) \
                or j > end_b and _has_whole_paragraph(text_b, int(tokens_b.ends[end_b - 1]),
                                                      int(tokens_b.starts[j])):
            pieces.append([])
        pieces[-1].append(run)
        end_a, end_b = max(end_a, i_end), max(end_b, j_end)
    return pieces


def _extend(extent, tokens_a: Tokens, tokens_b: Tokens, min_similarity, ignore_a, ignore_b):
    a_first, a_end, b_first, b_end, matched = extent

    def usable(i: int, j: int) -> bool:
        return not ((ignore_a is not None and ignore_a[i]) or (ignore_b is not None and ignore_b[j])
                    or tokens_a.norms[i] in STOP_WORDS
                    ) and similar_words(tokens_a.norms[i], tokens_b.norms[j], min_similarity)

    while a_end < len(tokens_a) and b_end < len(tokens_b) and usable(a_end, b_end):
        a_end, b_end, matched = a_end + 1, b_end + 1, matched + 1
    while a_first > 0 and b_first > 0 and usable(a_first - 1, b_first - 1):
        a_first, b_first, matched = a_first - 1, b_first - 1, matched + 1
    return a_first, a_end, b_first, b_end, matched


def chain_passages_by_definition(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens,
                                 params: TraceParams, ignore_a=None, ignore_b=None
                                 ) -> list[AlignedSpan]:
    runs = [tuple(r) for r in _diagonal_runs(tokens_a, tokens_b, params.anchor_ngram,
                                             params.max_gap, ignore_a, ignore_b).tolist()]
    if not runs:
        return []
    chains = [
        _extend((piece[0][0], max(r[1] for r in piece), piece[0][2], max(r[3] for r in piece),
                 sum(r[4] for r in piece)), tokens_a, tokens_b,
                params.spelling_min_similarity, ignore_a, ignore_b)
        for chain in _chain_runs(runs, params.max_gap)
        for piece in _split_at_paragraphs(chain, text_a, tokens_a, text_b, tokens_b)]
    chains = [c for c in chains if c[4] >= params.min_passage_words]
    chains.sort(key=lambda c: (-c[4], c[0], c[2]))
    accepted: list = []
    for c in chains:
        if not any(_overlap(c[0], c[1], o[0], o[1]) * 2 > c[1] - c[0]
                   or _overlap(c[2], c[3], o[2], o[3]) * 2 > c[3] - c[2] for o in accepted):
            accepted.append(c)
    spans = []
    for a_first, a_end, b_first, b_end, matched in sorted(accepted):
        a0, a1 = _widen(text_a, int(tokens_a.starts[a_first]), int(tokens_a.ends[a_end - 1]))
        b0, b1 = _widen(text_b, int(tokens_b.starts[b_first]), int(tokens_b.ends[b_end - 1]))
        if min(a1 - a0, b1 - b0) < params.min_passage_chars:
            continue
        spans.append(AlignedSpan(a0, a1, b0, b1,
                                 round(min(matched / max(a_end - a_first, b_end - b_first), 1.0),
                                       4), int(matched)))
    return spans


def _edited(text: str, rng: np.random.Generator) -> str:
    """A copy with paragraphs dropped, inserted and reordered, words respelled."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    words = "\n".join(paragraphs).split(" ")
    for k in rng.choice(len(words), size=max(1, len(words) // 40), replace=False).tolist():
        word = words[k]
        if len(word) >= 5:  # a spelling variant: one letter changed
            middle = len(word) // 2
            words[k] = word[:middle] + ("a" if word[middle] != "a" else "e") + word[middle + 1:]
    paragraphs = " ".join(words).split("\n")
    if len(paragraphs) > 3:
        paragraphs.insert(int(rng.integers(1, len(paragraphs))), "An inserted paragraph "
                          "that only this version carries, written by its own reporter.")
        del paragraphs[int(rng.integers(0, len(paragraphs)))]
        k = int(rng.integers(0, len(paragraphs) - 1))
        paragraphs[k], paragraphs[k + 1] = paragraphs[k + 1], paragraphs[k]
    return "\n".join(paragraphs)


def test_compiled_chains_equal_their_definition(bbc):
    rng = np.random.default_rng(7)
    params = TraceParams()
    texts = [a.text for a in list(bbc.values())[:120]]
    pairs = [(texts[k], _edited(texts[k], rng)) for k in range(60)]
    # unrelated pairs share stock phrases only; neighbours in the sample often share a topic
    pairs += [(texts[k], texts[k + 1]) for k in range(60, 119)]
    pairs += [(texts[k], texts[k][len(texts[k]) // 3:] + "\n" + texts[k + 1][:800])
              for k in range(60)]
    found = 0
    for text_a, text_b in pairs:
        tokens_a, tokens_b = tokenize(text_a), tokenize(text_b)
        expected = chain_passages_by_definition(text_a, tokens_a, text_b, tokens_b, params)
        assert chain_passages(text_a, tokens_a, text_b, tokens_b, params) == expected
        found += len(expected)
        ignore_a = rng.random(len(tokens_a)) < 0.05
        ignore_b = rng.random(len(tokens_b)) < 0.05
        assert chain_passages(text_a, tokens_a, text_b, tokens_b, params, ignore_a, ignore_b) \
            == chain_passages_by_definition(text_a, tokens_a, text_b, tokens_b, params,
                                            ignore_a, ignore_b)
    assert found > 150, "the pairs must share enough text to test anything"


def test_compiled_chains_cut_paragraphs_and_grow_over_variants():
    params = TraceParams()
    story = ("President Mohamed Bazoum was detained by members of the presidential guard on "
             "Wednesday morning in the capital Niamey, officials said.")
    text_a = story + "\nA whole paragraph that only this version holds sits here.\n" + story
    text_b = story.replace("Bazoum", "Bozoum") + " " + story
    for a, b in ((text_a, text_b), (text_b, text_a), ("Ünïcödé " + text_a, "Unicode " + text_b)):
        tokens_a, tokens_b = tokenize(a), tokenize(b)
        expected = chain_passages_by_definition(a, tokens_a, b, tokens_b, params)
        assert expected
        assert chain_passages(a, tokens_a, b, tokens_b, params) == expected
    spans = chain_passages(text_a, tokenize(text_a), text_b, tokenize(text_b), params)
    assert len(spans) == 2  # cut at the paragraph only a has
    assert spans[0].a_start == 0  # grown back over Bazoum/Bozoum to the start


def test_word_facts_and_anchor_index_equal_their_definitions(bbc):
    from wiretrace.align.words import word_facts
    from wiretrace.text.tokens import ngram_hashes

    texts = [a.text for a in list(bbc.values())[:40]]
    texts += ["Ωmega 123 and ３４ ½ ²\nnew LINE\n\nÉcole ١٢٣", "", "one", "泰 ภาษาไทย 😀 x2\n9",
              "«Quoted» (text)… ¿qué? ¡sí! \"end.\"", "😀 «x»."]
    for text in texts:
        tokens = tokenize(text)
        line, alnum, stop, digit, folded, opened, closed = word_facts(text, tokens)
        spans = list(zip(tokens.starts.tolist(), tokens.ends.tolist(), strict=True))
        assert line.tolist() == [text.count("\n", 0, s) for s, _ in spans]
        assert alnum.tolist() == [any(ch.isalnum() for ch in text[s:e]) for s, e in spans]
        assert stop.tolist() == [n in STOP_WORDS for n in tokens.norms]
        assert digit.tolist() == [n.isdigit() for n in tokens.norms]
        assert ["".join(map(chr, folded[s:e])) for s, e in spans] == list(tokens.norms)
        widened = [_widen(text, s, e) for s, e in spans]
        assert opened.tolist() == [s for s, _ in widened]
        assert closed.tolist() == [e for _, e in widened]
        for n in (1, 3, 5):
            grams = ngram_hashes(tokens.hashes, n)
            order, ordered = gram_index(tokens.hashes, n)
            assert order.tolist() == np.argsort(grams, kind="stable").tolist()
            assert ordered.tolist() == grams[order].tolist()
