"""A text's sentences and their content terms, in two compiled passes (numba).

:func:`wiretrace.text.tokens.sentence_spans` finds sentence ends with a regular
expression and a few Python checks per match, and the sentences were then
joined (a sentence with too few content terms joins the next) and turned into
postings with a NumPy call or two per sentence: about a millisecond per news
article, spent again for every article a worker's token cache no longer
holds.  Here the same rules are one walk over the text's code points
(:func:`sentence_bounds`) and one over its sentences (:func:`assemble`).

Character classes come from tables of the Basic Multilingual Plane built
once per process with Python's own ``str`` predicates, which are also what
the regular expression's ``\\s`` uses; a text with a character beyond that
plane (rare: emoji, historic scripts) goes through ``sentence_spans`` itself.
:func:`text_classes` gives each character of a text the classes the
paragraph check of :mod:`.clusters` reads.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import njit

import wiretrace.runtime.compiled  # noqa: F401  (imports numba without its half-second BLAS check)
from wiretrace.align.clusters import ALNUM, BLANK, NEWLINE, SPACE
from wiretrace.text.tokens import WRAPPED_LINE_MIN

_SPACE, _LOWER, _ALNUM = 1, 2, 4


@lru_cache(maxsize=1)
def char_flags() -> np.ndarray:
    """``isspace``, ``islower`` and ``isalnum`` of every BMP character, as bits."""
    flags = np.zeros(0x10000, dtype=np.uint8)
    for code in range(0x10000):
        ch = chr(code)
        flags[code] = (_SPACE * ch.isspace()) | (_LOWER * ch.islower()) | (_ALNUM * ch.isalnum())
    return flags


@njit(cache=True, nogil=True, inline="always")
def _is_stop(c) -> bool:  # . ! ? …
    return c == 0x2E or c == 0x21 or c == 0x3F or c == 0x2026


@njit(cache=True, nogil=True, inline="always")
def _is_closer(c) -> bool:  # " ' ” ’ » ) ]
    return (c == 0x22 or c == 0x27 or c == 0x201D or c == 0x2019 or c == 0xBB or c == 0x29
            or c == 0x5D)


@njit(cache=True, nogil=True, inline="always")
def _is_cjk_stop(c) -> bool:  # 。！？
    return c == 0x3002 or c == 0xFF01 or c == 0xFF1F


@njit(cache=True, nogil=True, inline="always")
def _is_cjk_closer(c) -> bool:  # 」』”’）
    return c == 0x300D or c == 0x300F or c == 0x201D or c == 0x2019 or c == 0xFF09


@njit(cache=True, nogil=True, inline="always")
def _is_line_end(c) -> bool:  # what text._LINE_END_PUNCT holds: . ! ? : ; " ' ” ’ » ) ] …
    return _is_stop(c) or _is_closer(c) or c == 0x3A or c == 0x3B


@njit(cache=True, nogil=True, inline="always")
def _ascii_lower(c) -> bool:
    return 0x61 <= c <= 0x7A


@njit(cache=True, nogil=True)
def sentence_bounds(codes: np.ndarray, flags: np.ndarray, wrapped_line_min: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """``sentence_spans`` of a text of BMP code points ``codes``: ``(starts, ends)``.

    The walk visits the positions where the regular expression's scan would
    try to match and applies the same alternatives in the same order: a run
    of ``.!?…`` with closing quotes/brackets before a space (not when a
    lower-case letter follows within three characters), CJK full stops, a
    line break with the whitespace after it (a cut unless it ends a long
    line of wrapped prose), a full stop glued to a capitalised word.
    """
    n = len(codes)
    cuts = np.empty(n + 2, dtype=np.int64)
    cuts[0] = 0
    count = 1
    p = 0
    while p < n:
        c = codes[p]
        if _is_stop(c):
            q = p + 1
            while q < n and _is_stop(codes[q]):
                q += 1
            while q < n and _is_closer(codes[q]):
                q += 1
            # no match starts inside the run: every shorter one is followed by
            # a stop or closer, and the glued alternative needs a capital
            if q < n and flags[codes[q]] & _SPACE:
                k, limit = q, min(n, q + 3)
                while k < limit and flags[codes[k]] & _SPACE:
                    k += 1
                if not (k < limit and flags[codes[k]] & _LOWER):
                    cuts[count] = q
                    count += 1
            p = q
        elif _is_cjk_stop(c):
            q = p + 1
            while q < n and _is_cjk_stop(codes[q]):
                q += 1
            while q < n and _is_cjk_closer(codes[q]):
                q += 1
            cuts[count] = q
            count += 1
            p = q
        elif c == 0x0A:
            q, breaks = p + 1, 1
            while q < n and flags[codes[q]] & _SPACE:
                if codes[q] == 0x0A:
                    breaks += 1
                q += 1
            line_start = p - 1
            while line_start >= 0 and codes[line_start] != 0x0A:
                line_start -= 1
            first, last = line_start + 1, p
            while first < last and flags[codes[first]] & _SPACE:
                first += 1
            while last > first and flags[codes[last - 1]] & _SPACE:
                last -= 1
            # a long line ending without punctuation is prose wrapped at a fixed width
            if breaks >= 2 or last - first < wrapped_line_min or _is_line_end(codes[last - 1]):
                cuts[count] = p
                count += 1
            p = q
        else:
            if (0x41 <= c <= 0x5A and p >= 3 and p + 1 < n and _ascii_lower(codes[p + 1])
                    and _ascii_lower(codes[p - 3]) and _ascii_lower(codes[p - 2])
                    and (codes[p - 1] == 0x2E or codes[p - 1] == 0x21 or codes[p - 1] == 0x3F)):
                cuts[count] = p  # "study.Bachelor's": a lost space
                count += 1
            p += 1
    cuts[count] = n
    count += 1
    starts = np.empty(count, dtype=np.int64)
    ends = np.empty(count, dtype=np.int64)
    kept = 0
    for k in range(count - 1):
        start, end = cuts[k], cuts[k + 1]
        while start < end and flags[codes[start]] & _SPACE:
            start += 1
        while end > start and flags[codes[end - 1]] & _SPACE:
            end -= 1
        for x in range(start, end):
            if flags[codes[x]] & _ALNUM:
                starts[kept], ends[kept] = start, end
                kept += 1
                break
    return starts[:kept], ends[:kept]


@njit(cache=True, nogil=True)
def assemble(span_starts: np.ndarray, span_ends: np.ndarray, token_starts: np.ndarray,
             terms: np.ndarray, codes: np.ndarray, min_terms: int):
    """Sentences from spans, a short one joined to the next unless a line break parts them.

    ``terms`` is each token's term (``-1``: none).  Returns one array and the
    lengths of its parts (see :data:`PARTS`), ``(buffer, sentences, terms,
    postings, vocabulary)``: handing back one array instead of a dozen saves
    more time than the rest of the work takes.
    """
    n_spans = len(span_starts)
    starts = np.empty(n_spans, dtype=np.int64)
    ends = np.empty(n_spans, dtype=np.int64)
    token_first = np.empty(n_spans, dtype=np.int64)
    token_end = np.empty(n_spans, dtype=np.int64)
    term_offsets = np.zeros(n_spans + 1, dtype=np.int64)
    term_flat = np.empty(len(terms), dtype=np.int64)
    n_terms = 0
    count = 0
    pending = False
    pending_start = pending_end = pending_first = pending_last = 0
    sentence_terms_start = 0  # where in term_flat the sentence being built begins
    last = 0
    for s in range(n_spans):
        start, end = span_starts[s], span_ends[s]
        # spans are in order: their tokens are found walking forward
        first = last
        while first < len(token_starts) and token_starts[first] < start:
            first += 1
        last = first
        while last < len(token_starts) and token_starts[last] < end:
            last += 1
        own_first = first  # the span's own tokens: a pending sentence's are counted already
        if pending:
            line_break = False
            for x in range(pending_end, start):
                if codes[x] == 0x0A:
                    line_break = True
                    break
            if line_break:  # the short one stays alone
                starts[count], ends[count] = pending_start, pending_end
                token_first[count], token_end[count] = pending_first, pending_last
                count += 1
                term_offsets[count] = n_terms
                sentence_terms_start = n_terms
            else:
                start, first = pending_start, pending_first
            pending = False
        for t in range(own_first, last):
            if terms[t] >= 0:
                term_flat[n_terms] = terms[t]
                n_terms += 1
        if n_terms - sentence_terms_start < min_terms:
            pending = True
            pending_start, pending_end, pending_first, pending_last = start, end, first, last
        else:
            starts[count], ends[count] = start, end
            token_first[count], token_end[count] = first, last
            count += 1
            term_offsets[count] = n_terms
            sentence_terms_start = n_terms
    if pending:
        starts[count], ends[count] = pending_start, pending_end
        token_first[count], token_end[count] = pending_first, pending_last
        count += 1
        term_offsets[count] = n_terms
    # postings: each sentence's terms sorted (a few dozen: insertion sort), equal ones counted
    ordered = term_flat[:n_terms].copy()
    rows = np.empty(n_terms, dtype=np.int64)
    posting_terms = np.empty(n_terms, dtype=np.int64)
    counts = np.empty(n_terms, dtype=np.int64)
    n_postings = 0
    for row in range(count):
        begin, stop = term_offsets[row], term_offsets[row + 1]
        for x in range(begin + 1, stop):
            value = ordered[x]
            y = x - 1
            while y >= begin and ordered[y] > value:
                ordered[y + 1] = ordered[y]
                y -= 1
            ordered[y + 1] = value
        for x in range(begin, stop):
            if x > begin and ordered[x] == ordered[x - 1]:
                counts[n_postings - 1] += 1
            else:
                rows[n_postings], posting_terms[n_postings] = row, ordered[x]
                counts[n_postings] = 1
                n_postings += 1
    # the text's vocabulary: distinct terms ascending, the sentences holding each
    # (its postings), and each posting's place in it
    order = np.argsort(posting_terms[:n_postings])
    vocabulary = np.empty(n_postings, dtype=np.int64)
    holding = np.zeros(n_postings, dtype=np.int64)
    posting_vocabulary = np.empty(n_postings, dtype=np.int64)
    size = 0
    for k in range(n_postings):
        term = posting_terms[order[k]]
        if size == 0 or vocabulary[size - 1] != term:
            vocabulary[size] = term
            size += 1
        holding[size - 1] += 1
        posting_vocabulary[order[k]] = size - 1
    out = np.empty(5 * count + 1 + n_terms + 4 * n_postings + 2 * size, dtype=np.int64)
    at = 0
    for part, length in ((starts, count), (ends, count), (token_first, count),
                         (token_end, count), (term_offsets, count + 1), (term_flat, n_terms),
                         (rows, n_postings), (posting_terms, n_postings), (counts, n_postings),
                         (posting_vocabulary, n_postings), (vocabulary, size), (holding, size)):
        out[at:at + length] = part[:length]
        at += length
    return out, count, n_terms, n_postings, size


# The parts of :func:`assemble`'s array in order, each as long as the count of
# sentences (+1 for offsets), terms, postings or vocabulary named here.
PARTS = (("starts", "sentences"), ("ends", "sentences"), ("token_first", "sentences"),
         ("token_end", "sentences"), ("term_offsets", "offsets"), ("term_flat", "terms"),
         ("posting_rows", "postings"), ("posting_terms", "postings"),
         ("posting_counts", "postings"), ("posting_vocabulary", "postings"),
         ("vocabulary", "vocabulary"), ("holding", "vocabulary"))


@njit(cache=True, nogil=True)
def split(codes: np.ndarray, flags: np.ndarray, wrapped_line_min: int,
          token_starts: np.ndarray, terms: np.ndarray, min_terms: int):
    """:func:`sentence_bounds` and :func:`assemble` in one call."""
    starts, ends = sentence_bounds(codes, flags, wrapped_line_min)
    return assemble(starts, ends, token_starts, terms, codes, min_terms)


def unpack(assembled: tuple) -> dict[str, np.ndarray]:
    """:func:`assemble`'s array cut into its named parts (views)."""
    buffer, sentences, terms, postings, vocabulary = assembled
    lengths = {"sentences": sentences, "offsets": sentences + 1, "terms": terms,
               "postings": postings, "vocabulary": vocabulary}
    parts, at = {}, 0
    for name, length in PARTS:
        parts[name] = buffer[at:at + lengths[length]]
        at += lengths[length]
    return parts


@lru_cache(maxsize=1)
def _class_table() -> np.ndarray:
    """Classes (see :mod:`.clusters`) of every BMP character, from ``str`` predicates."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for code in range(0x10000):
        ch = chr(code)
        table[code] = (NEWLINE * (ch == "\n") | BLANK * (ch in " \t\xa0")
                       | SPACE * ch.isspace() | ALNUM * ch.isalnum())
    return table


def text_classes(codes: np.ndarray) -> np.ndarray:
    """The class of each character of a text given as its code points."""
    table = _class_table()
    if codes.dtype == np.uint8 or not len(codes) or int(codes.max()) < 0x10000:
        return table[codes]
    classes = table[np.minimum(codes, 0xFFFF)]
    astral = codes >= 0x10000
    for code in np.unique(codes[astral]).tolist():  # rare: emoji, historic scripts
        ch = chr(code)
        classes[codes == code] = SPACE * ch.isspace() | ALNUM * ch.isalnum()
    return classes


def warm_up() -> None:
    """Build the character tables; compile (or load) the kernels for both code widths."""
    flags = char_flags()
    _class_table()
    wide_read_only = np.array([0x41, 0x2E, 0x20, 0x42], dtype=np.uint32)
    wide_read_only.setflags(write=False)  # as texts read from the run's article store
    for codes in (np.frombuffer(b"One. Two\n", dtype=np.uint8),
                  np.array([0x41, 0x2E, 0x20, 0x42], dtype=np.uint32), wide_read_only):
        tokens = np.zeros(1, dtype=np.int64)
        starts, ends = sentence_bounds(codes, flags, WRAPPED_LINE_MIN)
        assemble(starts, ends, tokens, tokens, codes, 3)
        split(codes, flags, WRAPPED_LINE_MIN, tokens, tokens, 3)
