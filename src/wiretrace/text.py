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

import hashlib
import re
import unicodedata
from dataclasses import dataclass
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
_TOKEN_RE = re.compile(rf"[{_UNSPACED}]|[^\W_{_UNSPACED}]+")
_SENTENCE_END_RE = re.compile(r"[.!?。！？]")


@dataclass(frozen=True, slots=True)
class Tokens:
    """The words of one text: offsets into the original and normalised hashes."""

    starts: np.ndarray  # int64, character offset of each token
    ends: np.ndarray  # int64, exclusive end offset
    hashes: np.ndarray  # uint64, stable hash of the normalised token
    norms: tuple[str, ...]  # normalised token strings (for word-level diffs)

    def __len__(self) -> int:
        return len(self.norms)


@lru_cache(maxsize=1_000_000)
def normalise_word(word: str) -> str:
    """Case-folded, accent-free form of one token."""
    folded = word.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped) or folded


@lru_cache(maxsize=1_000_000)
def word_hash(norm: str) -> int:
    """Stable 64-bit hash (the same in every process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest(),
                          "little")


def tokenize(text: str) -> Tokens:
    """Split ``text`` into normalised tokens that remember where they came from."""
    starts: list[int] = []
    ends: list[int] = []
    norms: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        starts.append(match.start())
        ends.append(match.end())
        norms.append(normalise_word(match.group()))
    hashes = np.fromiter((word_hash(n) for n in norms), dtype=np.uint64, count=len(norms))
    return Tokens(np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64),
                  hashes, tuple(norms))


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
