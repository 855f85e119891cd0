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


_PRIME_TOKEN = np.uint64(0x9E3779B97F4A7C15)  # odd, so invertible modulo 2**64
_powers = np.ones(1, dtype=np.uint64)
_inverse_powers = np.ones(1, dtype=np.uint64)


def _power_tables(length: int) -> tuple[np.ndarray, np.ndarray]:
    """``P**k`` and ``P**-k`` modulo 2**64 for ``k < length`` (grown on demand)."""
    global _powers, _inverse_powers
    if len(_powers) < length:
        size = max(length, 2 * len(_powers))
        inverse = _PRIME_TOKEN
        with np.errstate(over="ignore"):
            for _ in range(6):  # Newton's iteration doubles the correct bits each step
                inverse = inverse * (np.uint64(2) - _PRIME_TOKEN * inverse)
            steps = np.full(size - 1, _PRIME_TOKEN, dtype=np.uint64)
            _powers = np.concatenate(([np.uint64(1)], np.cumprod(steps)))
            steps[:] = inverse
            _inverse_powers = np.concatenate(([np.uint64(1)], np.cumprod(steps)))
    return _powers[:length], _inverse_powers[:length]


class Tokens:
    """The words of one text: offsets into the original and normalised hashes.

    ``norms`` (the normalised strings) are made only when asked for: most
    articles of a large corpus never reach the stages that read words.
    """

    __slots__ = ("starts", "ends", "hashes", "derived", "_text", "_norms")

    def __init__(self, starts: np.ndarray, ends: np.ndarray, hashes: np.ndarray,
                 text: str) -> None:
        self.starts = starts  # int64, character offset of each token
        self.ends = ends  # int64, exclusive end offset
        self.hashes = hashes  # uint64, stable hash of the normalised token
        # what later stages compute once per text (its sentences), living as
        # long as the tokens do
        self.derived: dict[str, object] = {}
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

    def within(self, start: int, end: int) -> tuple[int, int]:
        """Indices ``(first, last)`` of the tokens lying wholly inside ``[start, end)``."""
        return (int(np.searchsorted(self.starts, start, side="left")),
                int(np.searchsorted(self.ends, end, side="right")))

    def __len__(self) -> int:
        return len(self.starts)


def _scan(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token starts, ends and hashes of ``text`` (see :func:`tokenize`)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(codes) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy(), np.empty(0, dtype=np.uint64)
    table = _packed_table()
    if int(codes.max()) >= 0x10000:
        packed = np.zeros(len(codes), dtype=np.uint32)
        inside = codes < 0x10000
        packed[inside] = table[codes[inside]]
        for code in np.unique(codes[~inside]).tolist():
            packed[codes == code] = code | (_char_class(chr(code)) << int(_CLASS_SHIFT))
    else:
        packed = table[codes]
    classes = (packed >> _CLASS_SHIFT).astype(np.int8)
    word = classes == _WORD
    boundary = np.diff(word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(boundary == 1), np.flatnonzero(boundary == -1)
    single = np.flatnonzero(classes == _SINGLE)
    if len(single):
        starts = np.concatenate([starts, single])
        ends = np.concatenate([ends, single + 1])
        order = np.argsort(starts, kind="stable")
        starts, ends = starts[order], ends[order]
    powers, inverse_powers = _power_tables(len(codes) + 1)
    with np.errstate(over="ignore"):
        folded = (packed & _CODE_MASK).astype(np.uint64)
        prefix = np.empty(len(codes) + 1, dtype=np.uint64)
        prefix[0] = 0
        np.cumsum(folded * inverse_powers[:len(codes)], out=prefix[1:])
        raw = (prefix[ends] - prefix[starts]) * powers[ends - 1]
    return starts.astype(np.int64), ends.astype(np.int64), _mix64(raw)


def tokenize(text: str) -> Tokens:
    """Split ``text`` into normalised tokens that remember where they came from.

    Vectorised: the text becomes an array of code points, each classified
    and case/accent-folded by table look-up; tokens are runs of word
    characters (or single characters of unspaced scripts); each token's hash
    is a polynomial over its folded code points, taken from prefix sums, so
    it does not depend on where in the text the token stands.
    """
    return Tokens(*_scan(text), text)


def token_hashes_batch(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Token hashes of many texts in one pass: ``(hashes, offsets)``.

    Text ``k``'s token hashes are ``hashes[offsets[k]:offsets[k + 1]]``, the
    same values :func:`tokenize` gives.  One NumPy pass over all texts,
    joined by a separator no token can cross, costs far less than one pass
    per text when texts are short, as news articles are.
    """
    starts, _, hashes = _scan("\x00".join(texts))
    text_starts = np.cumsum([0] + [len(t) + 1 for t in texts], dtype=np.int64)
    return hashes, np.searchsorted(starts, text_starts, side="left")


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


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the non-blank lines/paragraphs of ``text``.

    A paragraph is a run of text between line breaks, trimmed of spaces;
    news copy uses one line per paragraph, so a single newline separates them.
    """
    spans = []
    for match in re.finditer(r"[^\r\n]+", text):
        start, end = match.span()
        segment = match.group()
        lead = len(segment) - len(segment.lstrip())
        trail = len(segment) - len(segment.rstrip())
        if end - trail > start + lead:
            spans.append((start + lead, end - trail))
    return spans


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
