"""Diagonal runs chained into passages, in one compiled pass (numba).

The middle of exact-match alignment (see :mod:`.chains`): runs of anchors are
chained greedily along the diagonal, chains are cut where one side has a
whole paragraph the other lacks, each piece grows over neighbouring words
that are equal or spelling variants, and the best pieces that do not
overlap are kept.  In Python this was a few dozen small steps per run (a
pair has tens of runs, most of them a single three-word anchor), which made
it a third of the cost of aligning a large corpus; here it is one call per
pair over plain arrays.

What the compiled code needs to know about the words of a text is computed
once per text (:func:`word_facts`) and kept with its tokens: the line each
word is on, whether it is a stop word, a number, or holds a letter, and the
case- and accent-folded characters for edit distances.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import njit

import wiretrace.kernels  # noqa: F401  (imports numba without its half-second BLAS check)
from wiretrace.align.anchors import anchor_runs
from wiretrace.align.passages import stable_order
from wiretrace.align.sentences import STOP_WORDS
from wiretrace.text import Tokens, code_points, folded_code_points, in_sorted, tokenize


@lru_cache(maxsize=1)
def _stop_word_hashes() -> np.ndarray:
    """Sorted token hashes of the stop words (each one token)."""
    tokens = tokenize(" ".join(sorted(STOP_WORDS)))
    assert len(tokens) == len(STOP_WORDS)
    return np.sort(tokens.hashes)


_DIGIT, _ALNUM = 1, 2


@lru_cache(maxsize=1)
def _char_kinds() -> np.ndarray:
    """``str.isdigit`` (bit 1) and ``str.isalnum`` (bit 2) of every Basic
    Multilingual Plane character (surrogates: neither)."""
    kinds = np.zeros(0x10000, dtype=np.uint8)
    for c in range(0x10000):
        ch = chr(c)
        kinds[c] = (_DIGIT if ch.isdigit() else 0) | (_ALNUM if ch.isalnum() else 0)
    return kinds


# punctuation a passage takes in at its start and at its end
OPENING = "\"'“‘«([¿¡"
CLOSING = "\"'”’»)].,;:!?…"


def word_facts(text: str, tokens: Tokens) -> tuple[np.ndarray, ...]:
    """Per word: line number, holds a letter or digit, stop word, all digits; the
    folded code points of the text; and per word, where a passage starting
    there starts and one ending there ends once they take in the punctuation
    glued to them (opening quotes before, closing quotes and stops after).
    Kept with the tokens."""
    if "word-facts" in tokens.derived:
        return tokens.derived["word-facts"]  # type: ignore[return-value]
    starts, ends = tokens.starts, tokens.ends
    codes = code_points(text)
    if len(codes) and int(codes.max()) >= 0x10000:  # rare: let Python judge
        newlines = np.concatenate([[0], np.cumsum(codes == 10)])
        line = newlines[starts].astype(np.int64)
        folded = folded_code_points(codes).astype(np.uint32)
        digit = np.array([n.isdigit() for n in tokens.norms], dtype=bool)
        alnum = np.array([any(ch.isalnum() for ch in text[s:e])
                          for s, e in zip(starts.tolist(), ends.tolist(), strict=True)],
                         dtype=bool)
        stop = in_sorted(tokens.hashes, _stop_word_hashes())
        opened, closed = _widened(codes, starts, ends, _marks(OPENING), _marks(CLOSING))
        facts = (line, alnum, stop, digit & (ends > starts), folded, opened, closed)
    else:
        facts = _bmp_word_facts(codes, starts, ends, tokens.hashes, _folded_table(),
                                _char_kinds(), _stop_word_hashes(), _marks(OPENING),
                                _marks(CLOSING))
    tokens.derived["word-facts"] = facts
    return facts


@lru_cache(maxsize=2)
def _marks(characters: str) -> np.ndarray:
    """A table over code points up to the largest of ``characters``: which are one."""
    table = np.zeros(max(map(ord, characters)) + 1, dtype=np.bool_)
    table[[ord(ch) for ch in characters]] = True
    return table


@njit(cache=True, nogil=True)
def _widened(codes, starts, ends, opening, closing):
    """Each word's start moved back over opening marks, its end on over closing ones."""
    opened, closed = starts.copy(), ends.copy()
    for k in range(len(starts)):
        s = starts[k]
        while s > 0 and codes[s - 1] < len(opening) and opening[codes[s - 1]]:
            s -= 1
        e = ends[k]
        while e < len(codes) and codes[e] < len(closing) and closing[codes[e]]:
            e += 1
        opened[k], closed[k] = s, e
    return opened, closed


@lru_cache(maxsize=1)
def _folded_table() -> np.ndarray:
    """Folded code point of every Basic Multilingual Plane character (``uint32``)."""
    return folded_code_points(np.arange(0x10000, dtype=np.uint32)).astype(np.uint32)


@njit(cache=True, nogil=True)
def _bmp_word_facts(codes, starts, ends, hashes, folded_table, char_kinds, stop_hashes,
                    opening, closing):
    """:func:`word_facts` of a text of Basic Multilingual Plane characters, in one
    pass over the characters and one over the words."""
    n_words = len(starts)
    folded = np.empty(len(codes), dtype=np.uint32)
    line = np.empty(n_words, dtype=np.int64)
    newlines = 0
    word = 0
    for c in range(len(codes)):
        if word < n_words and starts[word] == c:
            line[word] = newlines  # line breaks before the word
            word += 1
        folded[c] = folded_table[codes[c]]
        if codes[c] == 10:
            newlines += 1
    digit = np.empty(n_words, dtype=np.bool_)
    alnum = np.ones(n_words, dtype=np.bool_)
    stop = np.empty(n_words, dtype=np.bool_)
    opened, closed = _widened(codes, starts, ends, opening, closing)
    for word in range(n_words):
        all_digits = ends[word] > starts[word]
        for c in range(starts[word], ends[word]):
            if not char_kinds[folded[c]] & _DIGIT:
                all_digits = False
                break
        digit[word] = all_digits
        # a token is a run of letters and digits, or one character of a script
        # written without spaces (which may be a combining mark)
        if ends[word] - starts[word] == 1 and codes[starts[word]] >= 0x0E00:
            alnum[word] = char_kinds[codes[starts[word]]] & _ALNUM != 0
        at = np.searchsorted(stop_hashes, hashes[word])
        stop[word] = at < len(stop_hashes) and stop_hashes[at] == hashes[word]
    return line, alnum, stop, digit, folded, opened, closed


@njit(cache=True, nogil=True)
def _similar(hashes_a, starts_a, ends_a, digit_a, folded_a, i,
             hashes_b, starts_b, ends_b, digit_b, folded_b, j, min_similarity) -> bool:
    """Equal words, or spelling variants (see :func:`.chains.similar_words`)."""
    if hashes_a[i] == hashes_b[j]:
        return True
    la, lb = ends_a[i] - starts_a[i], ends_b[j] - starts_b[j]
    if min(la, lb) < 4 or digit_a[i] or digit_b[j]:
        return False
    if 1.0 - abs(la - lb) / max(la, lb) < min_similarity:
        return False  # the distance is at least the difference in length
    # Levenshtein distance, two rows
    previous = np.arange(lb + 1)
    current = np.empty(lb + 1, dtype=np.int64)
    for x in range(1, la + 1):
        current[0] = x
        ca = folded_a[starts_a[i] + x - 1]
        for y in range(1, lb + 1):
            cost = 0 if ca == folded_b[starts_b[j] + y - 1] else 1
            current[y] = min(previous[y] + 1, current[y - 1] + 1, previous[y - 1] + cost)
        previous, current = current, previous
    return 1.0 - previous[lb] / max(la, lb) >= min_similarity


@njit(cache=True, nogil=True)
def _whole_paragraph_between(line, alnum, end, start) -> bool:
    """Whether a full line of words lies between word ``end - 1`` and word ``start``."""
    for k in range(end, start):
        if line[k] >= line[start]:
            return False
        if line[k] > line[end - 1] and alnum[k]:
            return True
    return False


@njit(cache=True, nogil=True)
def chained_passages(runs, max_gap, min_words, min_similarity,
                     hashes_a, starts_a, ends_a, line_a, alnum_a, stop_a, digit_a, folded_a,
                     ignore_a,
                     hashes_b, starts_b, ends_b, line_b, alnum_b, digit_b, folded_b, ignore_b):
    """Accepted chains ``(a_first, a_end, b_first, b_end, matched)``, ``(k, 5)`` array.

    ``runs`` come from :func:`.anchors.anchor_runs`; ``ignore_a``/``ignore_b``
    are boilerplate flags (empty: none).
    """
    count = runs.shape[0]
    # 1. greedy chaining of runs sorted by start in a
    chain_of = np.empty(count, dtype=np.int64)
    reach_a = np.empty(count, dtype=np.int64)
    reach_b = np.empty(count, dtype=np.int64)
    last_i = np.empty(count, dtype=np.int64)
    last_j = np.empty(count, dtype=np.int64)
    active = np.empty(count, dtype=np.int64)
    closed = np.empty(count, dtype=np.int64)
    n_active = n_closed = n_chains = 0
    for r in range(count):
        i, i_end, j, j_end = runs[r, 0], runs[r, 1], runs[r, 2], runs[r, 3]
        kept = 0
        for t in range(n_active):
            c = active[t]
            if reach_a[c] + max_gap < i:
                closed[n_closed] = c
                n_closed += 1
            else:
                active[kept] = c
                kept += 1
        n_active = kept
        best, best_cost = -1, 0
        for t in range(n_active):
            c = active[t]
            step_a, step_b = i - last_i[c], j - last_j[c]
            if step_a <= 0 or step_b <= 0:
                continue
            gap_a, gap_b = i - reach_a[c], j - reach_b[c]
            if gap_a > max_gap or gap_b > max_gap or abs(step_a - step_b) > max_gap:
                continue
            cost = abs(step_a - step_b) + max(gap_a, 0) + max(gap_b, 0)
            if best == -1 or cost < best_cost:
                best, best_cost = c, cost
        if best == -1:
            best = n_chains
            n_chains += 1
            reach_a[best], reach_b[best] = i_end, j_end
            active[n_active] = best
            n_active += 1
        else:
            reach_a[best], reach_b[best] = max(reach_a[best], i_end), max(reach_b[best], j_end)
        last_i[best], last_j[best] = i, j
        chain_of[r] = best
    for t in range(n_active):
        closed[n_closed] = active[t]
        n_closed += 1
    # 2. each chain's runs in order, cut at whole paragraphs; 3. extents grown
    by_chain = np.argsort(chain_of, kind="mergesort")
    first_run = np.searchsorted(chain_of[by_chain], np.arange(n_chains + 1))
    use_ignore_a, use_ignore_b = len(ignore_a) > 0, len(ignore_b) > 0
    n_a, n_b = len(hashes_a), len(hashes_b)
    pieces = np.empty((count, 5), dtype=np.int64)
    n_pieces = 0
    for t in range(n_closed):
        c = closed[t]
        k = first_run[c]
        # how far the chain has reached so far, across its pieces
        reach_a_c, reach_b_c = runs[by_chain[k], 1], runs[by_chain[k], 3]
        while k < first_run[c + 1]:
            r = by_chain[k]
            a_first, a_end, b_first, b_end = runs[r, 0], runs[r, 1], runs[r, 2], runs[r, 3]
            matched = runs[r, 4]
            reach_a_c, reach_b_c = max(reach_a_c, a_end), max(reach_b_c, b_end)
            k += 1
            while k < first_run[c + 1]:
                r = by_chain[k]
                i, j = runs[r, 0], runs[r, 2]
                if (i > reach_a_c and _whole_paragraph_between(line_a, alnum_a, reach_a_c, i)) \
                        or (j > reach_b_c
                            and _whole_paragraph_between(line_b, alnum_b, reach_b_c, j)):
                    break
                a_end, b_end = max(a_end, runs[r, 1]), max(b_end, runs[r, 3])
                reach_a_c, reach_b_c = max(reach_a_c, runs[r, 1]), max(reach_b_c, runs[r, 3])
                matched += runs[r, 4]
                k += 1
            # grow over equal words and spelling variants at both ends
            while a_end < n_a and b_end < n_b and not (
                    (use_ignore_a and ignore_a[a_end]) or (use_ignore_b and ignore_b[b_end])
                    or stop_a[a_end]) and _similar(
                    hashes_a, starts_a, ends_a, digit_a, folded_a, a_end,
                    hashes_b, starts_b, ends_b, digit_b, folded_b, b_end, min_similarity):
                a_end, b_end, matched = a_end + 1, b_end + 1, matched + 1
            while a_first > 0 and b_first > 0 and not (
                    (use_ignore_a and ignore_a[a_first - 1])
                    or (use_ignore_b and ignore_b[b_first - 1]) or stop_a[a_first - 1]) \
                    and _similar(hashes_a, starts_a, ends_a, digit_a, folded_a, a_first - 1,
                                 hashes_b, starts_b, ends_b, digit_b, folded_b, b_first - 1,
                                 min_similarity):
                a_first, b_first, matched = a_first - 1, b_first - 1, matched + 1
            if matched >= min_words:
                pieces[n_pieces, 0], pieces[n_pieces, 1] = a_first, a_end
                pieces[n_pieces, 2], pieces[n_pieces, 3] = b_first, b_end
                pieces[n_pieces, 4] = matched
                n_pieces += 1
    # 4. the best pieces first; one overlapping a better one by half on either side goes
    pieces = pieces[:n_pieces]
    order = np.argsort(pieces[:, 2], kind="mergesort")
    order = order[np.argsort(pieces[order, 0], kind="mergesort")]
    order = order[np.argsort(-pieces[order, 4], kind="mergesort")]
    accepted = np.empty((n_pieces, 5), dtype=np.int64)
    n_accepted = 0
    for k in range(n_pieces):
        p = pieces[order[k]]
        span_a, span_b = p[1] - p[0], p[3] - p[2]
        clash = False
        for q in range(n_accepted):
            o = accepted[q]
            if max(0, min(p[1], o[1]) - max(p[0], o[0])) * 2 > span_a or \
                    max(0, min(p[3], o[3]) - max(p[2], o[2])) * 2 > span_b:
                clash = True
                break
        if not clash:
            accepted[n_accepted] = p
            n_accepted += 1
    return accepted[:n_accepted]


@njit(cache=True, nogil=True)
def exact_passages(ignore_a, ignore_b, n, max_gap, max_repeats, min_words, min_similarity,
                   min_chars,
                   order_a, sorted_a, hashes_a, starts_a, ends_a, line_a, alnum_a, stop_a,
                   digit_a, folded_a, opened_a, closed_a,
                   order_b, sorted_b, hashes_b, starts_b, ends_b, line_b, alnum_b, stop_b,
                   digit_b, folded_b, opened_b, closed_b):
    """Passages of exact shared wording, ``(a_start, a_end, b_start, b_end, matched,
    words of the longer side)`` in characters, as a ``(k, 6)`` array sorted by
    their words' positions.

    The whole of :func:`.chains.chain_passages` in one call: anchors and runs
    (:func:`.anchors.anchor_runs`), chains (:func:`chained_passages`), then
    each chain's extent in characters with its glued punctuation; one
    shorter than ``min_chars`` on either side is no passage.  Each text's
    arrays come in the order :func:`.chains.exact_facts` keeps them (``stop_b``
    is not used: growth stops at stop words of a).
    """
    runs = anchor_runs(order_a, sorted_a, order_b, sorted_b, ignore_a, ignore_b, n, max_gap,
                       max_repeats)
    if len(runs) == 0:
        return np.empty((0, 6), dtype=np.int64)
    accepted = chained_passages(runs, max_gap, min_words, min_similarity, hashes_a, starts_a,
                                ends_a, line_a, alnum_a, stop_a, digit_a, folded_a, ignore_a,
                                hashes_b, starts_b, ends_b, line_b, alnum_b, digit_b,
                                folded_b, ignore_b)
    result = np.empty((len(accepted), 6), dtype=np.int64)
    count = 0
    for k in stable_order(accepted):
        a_first, a_end, b_first, b_end = accepted[k, 0], accepted[k, 1], accepted[k, 2], \
            accepted[k, 3]
        a0, a1 = opened_a[a_first], closed_a[a_end - 1]
        b0, b1 = opened_b[b_first], closed_b[b_end - 1]
        if min(a1 - a0, b1 - b0) < min_chars:
            continue
        result[count, 0], result[count, 1], result[count, 2], result[count, 3] = a0, a1, b0, b1
        result[count, 4] = accepted[k, 4]
        result[count, 5] = max(a_end - a_first, b_end - b_first)
        count += 1
    return result[:count]


def warm_up() -> None:
    """Compile (or load from the disk cache) the per-text kernels and build the tables
    (:func:`exact_passages` is compiled by a first alignment)."""
    for text in ("Alpha beta.", "Ωmega beta", "Emoji 😀 beta"):  # each width of code point
        word_facts(text, tokenize(text))
