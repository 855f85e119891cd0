"""Normalisation and tokenisation that keep character offsets.

A :class:`Tokens` holds, for every word of an article, its ``start``/``end``
offsets into the original text and a stable 64-bit hash of its normalised
form.  Normalisation folds case, strips accents and ignores punctuation
entirely, so curly vs straight quotes, dashes, line breaks and spacing never
break a match, while offsets always point back into the untouched original.

Scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese)
are tokenised one character per token, so reuse in them is found through
character n-grams instead of whole lines.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

from wiretrace.text.facts import TextFacts

# Characters of scripts that do not separate words by spaces.
_UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\U00020000-\U0002fa1f"
)
# A token is one unspaced-script character, or a run of other letters/digits
# (``[^\W_...]`` = word characters minus underscore and the unspaced scripts).
_UNSPACED_RE = re.compile(rf"[{_UNSPACED}]")
_WORD_RE = re.compile(r"[^\W_]")
_SEPARATOR, _WORD, _SINGLE = 0, 1, 2


@lru_cache(maxsize=1_000_000)
def normalise_word(word: str) -> str:
    """Case-folded, accent-free form of one token."""
    folded = word.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped) or folded


def _char_class(ch: str) -> int:
    if _UNSPACED_RE.match(ch):
        return _SINGLE
    return _WORD if _WORD_RE.match(ch) else _SEPARATOR


def _folded_code(ch: str) -> int:
    """One code point standing for the character's normalised form.

    Folding is per character so that offsets survive: "É" becomes "e", and
    the rare character folding to two ("ß" to "ss") keeps the first.
    """
    norm = normalise_word(ch)
    return ord(norm[0]) if norm else ord(ch)


@lru_cache(maxsize=1)
def _bmp_tables() -> tuple[np.ndarray, np.ndarray]:
    """Class and folded code of every Basic Multilingual Plane character.

    Built once per process (a fraction of a second); tokenising is then
    table look-ups and NumPy run detection, no Python work per token.
    """
    classes = np.zeros(0x10000, dtype=np.uint8)
    folded = np.zeros(0x10000, dtype=np.uint64)
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        classes[code] = _char_class(ch)
        if classes[code]:
            folded[code] = _folded_code(ch)
    return classes, folded


@lru_cache(maxsize=1)
def _packed_table() -> np.ndarray:
    """Class (bits 21 and up) and folded code (bits 0-20) in one ``uint32``.

    One gather per character instead of two is most of what tokenising costs.
    """
    classes, folded = _bmp_tables()
    return folded.astype(np.uint32) | (classes.astype(np.uint32) << _CLASS_SHIFT)


_CLASS_SHIFT = np.uint32(21)
_CODE_MASK = np.uint32((1 << 21) - 1)


@lru_cache(maxsize=1)
def _fold_translation() -> dict[int, str]:
    """``str.translate`` table doing the per-character folding of the hashes."""
    classes, folded = _bmp_tables()
    changed = np.flatnonzero((classes > 0) & (folded != np.arange(0x10000, dtype=np.uint64)))
    return {int(code): chr(int(folded[code])) for code in changed}


class Tokens:
    """The words of one text: offsets into the original and normalised hashes.

    ``norms`` (the normalised strings) are made only when asked for: most
    articles of a large corpus never reach the stages that read words.
    ``facts`` holds what later stages compute once per text (its sentences,
    its slots, ...): every one of them is declared in :class:`TextFacts`.
    """

    __slots__ = ("starts", "ends", "hashes", "facts", "_text", "_norms")

    def __init__(self, starts: np.ndarray, ends: np.ndarray, hashes: np.ndarray,
                 text: str) -> None:
        self.starts = starts  # int64, character offset of each token
        self.ends = ends  # int64, exclusive end offset
        self.hashes = hashes  # uint64, stable hash of the normalised token
        # what later stages compute once per text, living as long as the tokens do
        self.facts = TextFacts()
        self._text = text
        self._norms: tuple[str, ...] | None = None

    @property
    def norms(self) -> tuple[str, ...]:
        """Normalised token strings: exactly what the hashes were computed from."""
        if self._norms is None:
            folded = self._text.translate(_fold_translation())
            self._norms = tuple(folded[s:e] for s, e in
                                zip(self.starts.tolist(), self.ends.tolist(), strict=True))
        return self._norms

    def norm(self, k: int) -> str:
        """Normalised form of token ``k`` alone (without making every token's)."""
        if self._norms is not None:
            return self._norms[k]
        return self._text[int(self.starts[k]):int(self.ends[k])].translate(_fold_translation())

    def within(self, start: int, end: int) -> tuple[int, int]:
        """Indices ``(first, last)`` of the tokens lying wholly inside ``[start, end)``."""
        return (int(np.searchsorted(self.starts, start, side="left")),
                int(np.searchsorted(self.ends, end, side="right")))

    def __len__(self) -> int:
        return len(self.starts)


def _codes(text: str) -> np.ndarray:
    """The code points of ``text`` as an array, one byte each where that suffices.

    Python stores a text of Latin-1 characters one byte per character, so
    encoding it as Latin-1 is a copy; news in Western languages mostly is.
    Other texts go through UTF-32 (lone surrogates kept as themselves).
    """
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    try:
        return np.frombuffer(text.encode("latin-1"), dtype=np.uint8)
    except UnicodeEncodeError:
        return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as an array (``uint8`` where every one fits)."""
    return _codes(text)


def folded_code_points(codes: np.ndarray) -> np.ndarray:
    """Each word character's case- and accent-folded code point, as in :attr:`Tokens.norms`.

    ``codes`` come from :func:`code_points`; characters that are not word
    characters become 0, those beyond the Basic Multilingual Plane stay as they are.
    """
    _, folded = _bmp_tables()
    if codes.dtype == np.uint8:
        return folded[codes]
    out = codes.astype(np.uint64)
    bmp = codes < 0x10000
    out[bmp] = folded[codes[bmp]]
    return out


def _astral(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted code points above the BMP in ``codes`` and their packed class/code.

    They are rare (emoji, historic scripts, CJK extensions), so they are
    classified here, once per distinct character, instead of in the table.
    Folding leaves them as they are.
    """
    if codes.dtype == np.uint8 or len(codes) == 0 or int(codes.max()) < 0x10000:
        return _NO_ASTRAL, _NO_ASTRAL
    astral = np.unique(codes[codes >= 0x10000])
    packed = np.array([code | (_char_class(chr(code)) << int(_CLASS_SHIFT))
                       for code in astral.tolist()], dtype=np.uint32)
    return astral.astype(np.uint32), packed


_NO_ASTRAL = np.empty(0, dtype=np.uint32)


def _scan(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token starts, ends and hashes of ``text`` (see :func:`tokenize`)."""
    from wiretrace.text import kernels  # numba: imported on first use only

    codes = _codes(text)
    starts, ends, hashes, _ = kernels.scan(codes, _packed_table(), *_astral(codes),
                                           np.array([len(codes)], dtype=np.int64), True)
    return starts, ends, hashes


def tokenize(text: str) -> Tokens:
    """Split ``text`` into normalised tokens that remember where they came from.

    The text becomes an array of code points, each classified and
    case/accent-folded by one table look-up; tokens are runs of word
    characters (or single characters of unspaced scripts); each token's hash
    is a polynomial over its folded code points, so it does not depend on
    where in the text the token stands.  One compiled pass
    (:func:`wiretrace.runtime.compiled.scan`), no Python work per token.
    """
    return Tokens(*_scan(text), text)


def token_hashes_batch(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Token hashes of many texts in one pass: ``(hashes, offsets)``.

    Text ``k``'s token hashes are ``hashes[offsets[k]:offsets[k + 1]]``, the
    same values :func:`tokenize` gives.  The texts are joined by a separator
    no token can cross and scanned once: per-call overhead is paid once per
    batch, not once per (short) news article.
    """
    from wiretrace.text import kernels

    codes = _codes("\x00".join(texts))
    text_ends = np.cumsum([len(t) + 1 for t in texts], dtype=np.int64) - 1
    _, _, hashes, offsets = kernels.scan(codes, _packed_table(), *_astral(codes), text_ends,
                                         False)
    return hashes, offsets


_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_PRIME = np.uint64(0x100000001B3)


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the bits of a combined hash."""
    with np.errstate(over="ignore"):
        values = (values ^ (values >> np.uint64(30))) * _MIX1
        values = (values ^ (values >> np.uint64(27))) * _MIX2
        return values ^ (values >> np.uint64(31))


def ngram_hashes(word_hashes: np.ndarray, n: int) -> np.ndarray:
    """Hash of every run of ``n`` consecutive tokens (``len - n + 1`` values).

    Vectorised polynomial combination; position ``i`` covers tokens
    ``i .. i + n - 1``.
    """
    count = len(word_hashes) - n + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    combined = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            combined = combined * _PRIME + word_hashes[k:k + count]
    return _mix64(combined)


def in_sorted(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """Which ``values`` occur in ``sorted_values`` (sorted ascending), as a bool array.

    ``np.isin`` sorts both arrays on every call, which for a few hundred
    hashes against a large set costs milliseconds; a binary search per value
    costs microseconds.
    """
    if len(sorted_values) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    found = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return sorted_values[found] == values


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the paragraphs of ``text``, trimmed of spaces.

    News copy mostly puts one paragraph on a line, so a line break separates
    paragraphs; but the wire hard-wraps its copy at a fixed width and marks a
    paragraph by indenting its first line (Reuters: "...operations.\n    The
    existing ...").  A single line break is a wrap, and the lines one
    paragraph, when the line before it ends no sentence and is long (at least
    :data:`WRAPPED_LINE_MIN` characters: the rule the sentence splitter reads
    wrapped lines by) or the next line goes on in lower case ("Cominco Ltd
    said it was\nin the second round ..."), and the next line is not
    indented.  A blank line always separates paragraphs.
    """
    lines = []
    for match in re.finditer(r"[^\r\n]+", text):
        start, end = match.span()
        segment = match.group()
        lead = len(segment) - len(segment.lstrip())
        trail = len(segment) - len(segment.rstrip())
        if end - trail > start + lead:
            lines.append((start, start + lead, end - trail))
    spans: list[tuple[int, int]] = []
    for k, (line_start, start, end) in enumerate(lines):
        if spans and k and _wrapped(text, lines[k - 1], line_start, start):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _wrapped(text: str, before: tuple[int, int, int], line_start: int, start: int) -> bool:
    """Whether the line at ``line_start`` (its text at ``start``) goes on the paragraph
    of the line ``before``: one line break between them, no indent, and a long line
    before that ends no sentence."""
    _, prev_start, prev_end = before
    gap = text[prev_end:line_start]
    return (gap.count("\n") + gap.count("\r") - gap.count("\r\n") == 1
            and start == line_start
            and (prev_end - prev_start >= WRAPPED_LINE_MIN or text[start].islower())
            and not text[prev_start:prev_end].endswith(_LINE_END_PUNCT))


# A sentence ends at . ! ? (with closing quotes/brackets) before a space, or
# at CJK full stops; a line break ends one only where it cannot be a wrapped line.
_BREAK_RE = re.compile(
    r"(?P<stop>[.!?…]+[\"'”’»)\]]*)(?=\s)|(?P<cjk>[。！？]+[」』”’）]*)|(?P<nl>\n\s*)"
    r"|(?<=[a-z]{2}[.!?])(?P<glued>)(?=[A-Z][a-z])")  # "study.Bachelor's": a lost space
_LINE_END_PUNCT = tuple(".!?:;\"'”’»)]…")
# Lines shorter than this that end without punctuation are headings or list
# items (a break); longer ones are text wrapped at a fixed width (no break).
WRAPPED_LINE_MIN = 40


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``, trimmed, each holding at least one letter or digit.

    Tolerant of hard-wrapped text: a single line break inside a long line of
    prose does not end a sentence, while a blank line, a heading line, or a
    line ending in punctuation does.  A full stop followed by a lower-case
    word ("e.g. the", "U.S. officials") does not end one either.
    """
    cuts = [0]
    for match in _BREAK_RE.finditer(text):
        if match.group("stop"):
            following = text[match.end():match.end() + 3].lstrip()
            if following[:1].islower():
                continue
            cuts.append(match.end())
        elif match.group("cjk") is not None or match.group("glued") is not None:
            cuts.append(match.end())
        else:
            blank = match.group("nl").count("\n") >= 2
            line_start = text.rfind("\n", 0, match.start()) + 1
            line = text[line_start:match.start()].strip()
            if not blank and len(line) >= WRAPPED_LINE_MIN and not line.endswith(_LINE_END_PUNCT):
                continue
            cuts.append(match.start())
    cuts.append(len(text))
    spans = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if any(ch.isalnum() for ch in text[start:end]):
            spans.append((start, end))
    return spans
