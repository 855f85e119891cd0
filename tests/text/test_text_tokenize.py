"""The tokeniser: boundaries, folding, hashes, and the batch path against the per-text one.

``reference_scan`` is the NumPy tokeniser wiretrace used before the compiled
kernel (prefix sums of ``code * P**-i`` instead of Horner's rule): the
compiled one must give the same boundaries and the same hashes, so that
everything built on hashes (shingles, seeds, alignment) is unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest

from wiretrace.text.tokens import (
    _CLASS_SHIFT,
    _CODE_MASK,
    _char_class,
    _mix64,
    _packed_table,
    token_hashes_batch,
    tokenize,
)

_P = np.uint64(0x9E3779B97F4A7C15)


def reference_scan(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Starts, ends and hashes as the NumPy tokeniser computed them."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(codes) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.uint64)
    table = _packed_table()
    packed = np.zeros(len(codes), dtype=np.uint32)
    inside = codes < 0x10000
    packed[inside] = table[codes[inside]]
    for code in np.unique(codes[~inside]).tolist():
        packed[codes == code] = code | (_char_class(chr(code)) << int(_CLASS_SHIFT))
    classes = (packed >> _CLASS_SHIFT).astype(np.int8)
    boundary = np.diff((classes == 1).view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(boundary == 1), np.flatnonzero(boundary == -1)
    single = np.flatnonzero(classes == 2)
    starts, ends = np.concatenate([starts, single]), np.concatenate([ends, single + 1])
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    with np.errstate(over="ignore"):
        inverse = _P
        for _ in range(6):  # Newton's iteration: the inverse of P modulo 2**64
            inverse = inverse * (np.uint64(2) - _P * inverse)
        n = len(codes)
        powers = np.concatenate(([np.uint64(1)], np.cumprod(np.full(n, _P, np.uint64))))
        inverses = np.concatenate(([np.uint64(1)], np.cumprod(np.full(n, inverse, np.uint64))))
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum((packed & _CODE_MASK).astype(np.uint64) * inverses[:n], out=prefix[1:])
        raw = (prefix[ends] - prefix[starts]) * powers[ends - 1]
    return starts.astype(np.int64), ends.astype(np.int64), _mix64(raw)


# Every path of the tokeniser: ASCII, Latin-1 (one byte per character),
# other BMP scripts, unspaced scripts (one token per character), characters
# above the BMP (emoji are separators, mathematical letters are word
# characters, CJK extension B is unspaced), folding to another script
# ("µ" -> "μ"), a lone surrogate, and a NUL inside a text.
MIXED = [
    "",
    "   \n\t ",
    "The U.S. economy grew 3.2% in 2004, officials said.",
    "Café naïve façade — “quoted” Straße ÉCOLE µm",
    "Москва заявила: «нет». Ελληνικά κείμενα.",
    "東京で会議が開かれた。北京も参加した。",
    "ภาษาไทย ไม่มีช่องว่าง",
    "emoji 😀 between words, 𝐁𝐨𝐥𝐝 mathematical letters, 𠀋𠀌 extension B",
    "half\ud800surrogate and NUL\x00inside",
    "ﬁnance ligature and full-width ＡＢＣ１２３",
]


@pytest.mark.parametrize("text", MIXED)
def test_tokenize_matches_the_reference_tokeniser(text):
    tokens = tokenize(text)
    starts, ends, hashes = reference_scan(text)
    assert tokens.starts.tolist() == starts.tolist()
    assert tokens.ends.tolist() == ends.tolist()
    assert tokens.hashes.tolist() == hashes.tolist()
    assert tokens.starts.dtype == np.int64 and tokens.hashes.dtype == np.uint64


def test_token_boundaries_and_folding():
    text = "Café CAFE cafe, 東京 😀 𝐁x"
    tokens = tokenize(text)
    words = [text[s:e] for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist(),
                                       strict=True)]
    assert words == ["Café", "CAFE", "cafe", "東", "京", "𝐁x"]
    assert tokens.norms[:3] == ("cafe", "cafe", "cafe")
    assert len(set(tokens.hashes[:3].tolist())) == 1  # folded alike
    assert tokens.hashes[3] != tokens.hashes[4]


def test_batch_equals_per_text_on_real_and_mixed_text(bbc_texts):
    texts = bbc_texts[:300] + MIXED + [MIXED[5] + " " + bbc_texts[0], "a", "", "b c"]
    hashes, offsets = token_hashes_batch(texts)
    assert len(offsets) == len(texts) + 1 and offsets[0] == 0
    assert offsets[-1] == len(hashes)
    for k, text in enumerate(texts):
        assert hashes[offsets[k]:offsets[k + 1]].tolist() == tokenize(text).hashes.tolist(), k


def test_batch_of_latin1_texts_equals_per_text(bbc_texts):
    # BBC text is Latin-1 throughout: the one-byte path of the batch
    texts = bbc_texts[300:600]
    hashes, offsets = token_hashes_batch(texts)
    for k, text in enumerate(texts):
        assert hashes[offsets[k]:offsets[k + 1]].tolist() == tokenize(text).hashes.tolist()


def test_batch_edge_cases():
    hashes, offsets = token_hashes_batch([])
    assert len(hashes) == 0 and offsets.tolist() == [0]
    hashes, offsets = token_hashes_batch(["", "", "one two", ""])
    assert offsets.tolist() == [0, 0, 0, 2, 2]
    assert hashes.tolist() == tokenize("one two").hashes.tolist()


@pytest.fixture(scope="module")
def bbc_texts() -> list[str]:
    from wiretrace.evaluate.corpora import bbc_articles, data_dir

    if not (data_dir() / "bbc-news.tar.xz").exists():
        pytest.skip("BBC archive not found")
    return [a.text for a in bbc_articles()]


def test_paragraphs_of_hard_wrapped_wire_copy_are_its_indented_paragraphs():
    """The wire wraps its copy at a fixed width and indents each paragraph: lines are
    joined into the paragraphs they wrap; one paragraph a line stays one a line."""
    from wiretrace.text.tokens import paragraph_spans

    wire = ("Cominco Ltd said it was\nin the second round of two-week-old negotiations with "
            "about\n3,200 unionized workers at its Trail and Kimberley, British\nColumbia "
            "zinc-lead operations.\n    The existing two-year contracts expire April 30. The"
            "\nworkers are represented by the United Steelworkers of America.\n Reuter")
    found = [wire[s:e] for s, e in paragraph_spans(wire)]
    assert [p.split()[:3] for p in found] == [["Cominco", "Ltd", "said"],
                                               ["The", "existing", "two-year"], ["Reuter"]]
    assert found[0].endswith("zinc-lead operations.")
    # one paragraph a line, a headline over its first paragraph, blank lines: as before
    lines = ("Niger junta asks Wagner for help\nNiger's new military junta has asked for help "
             "from the Russian mercenary group Wagner.\nThe request came during a visit.\n\n"
             "Some residents rejected the junta's claims.")
    assert len(paragraph_spans(lines)) == 4
