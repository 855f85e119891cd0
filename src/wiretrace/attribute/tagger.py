"""The attribution tagger: a CRF over tokens, tags read back as spans.

Each token gets one tag: ``B-``/``I-`` of ``Source``, ``Cue`` or ``Content``,
or ``O``, PolNeAR's own univocal reading.  The model is a CRFsuite file
shipped in this package (``model/attribution.crfsuite``) with the cue words
it was trained with (``model/cue_words.txt``); ``train.py`` makes both from
PolNeAR's training texts.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pycrfsuite

from wiretrace.attribute.features import CLOSING_MARKS, OPENING_QUOTES, Tokens, token_features

QUOTE_MARKS = frozenset(OPENING_QUOTES) | CLOSING_MARKS

MODEL_DIR = Path(__file__).parent / "model"
MODEL_FILE = MODEL_DIR / "attribution.crfsuite"
CUE_WORDS_FILE = MODEL_DIR / "cue_words.txt"


def bio_tags(tokens: Tokens, spans: list[tuple[str, int, int]]) -> list[str]:
    """Tags of the tokens under character spans (type, start, end)."""
    tags = ["O"] * len(tokens)
    for kind, start, end in spans:
        first = True
        for i in range(len(tokens)):
            if tokens.starts[i] < end and tokens.ends[i] > start:
                tags[i] = ("B-" if first else "I-") + kind
                first = False
    return tags


def spans_from_tags(tags: list[str]) -> list[tuple[str, int, int]]:
    """Runs of one type as (type, first token, end token); a ``B-`` opens a new run."""
    spans = []
    open_kind, open_start = None, 0
    for i, tag in enumerate([*tags, "O"]):
        kind = tag[2:] if tag != "O" else None
        if open_kind is not None and (kind != open_kind or tag.startswith("B-")):
            spans.append((open_kind, open_start, i))
            open_kind = None
        if kind is not None and open_kind is None:
            open_kind, open_start = kind, i
    return spans


@lru_cache(maxsize=1)
def cue_words() -> frozenset[str]:
    return frozenset(CUE_WORDS_FILE.read_text(encoding="utf-8").split())


@lru_cache(maxsize=1)
def _tagger() -> pycrfsuite.Tagger:
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_FILE))
    return tagger


def tag(tokens: Tokens, crf: pycrfsuite.Tagger | None = None,
        cues: frozenset[str] | None = None) -> list[str]:
    """The tags for ``tokens`` of the shipped model (or of ``crf`` with its ``cues``).

    Only sentences that hold a cue word or a quotation mark are tagged (runs of
    them as one sequence); the rest are ``O``.  An attribution needs a cue, and
    a quote's own sentence holds its marks; on wire copy most sentences (tables,
    figures, plain statements) hold neither, and tagging them cost two thirds
    of the stage (BENCHMARKS.md, attribution)."""
    crf = crf or _tagger()
    cues = cue_words() if cues is None else cues
    tags = ["O"] * len(tokens)
    for start, end in candidate_runs(tokens, cues):
        tags[start:end] = crf.tag(token_features(tokens.slice(start, end), cues))
    return tags


def candidate_runs(tokens: Tokens, cues: frozenset[str]) -> list[tuple[int, int]]:
    """Token ranges of consecutive sentences that hold a cue word or a quote mark."""
    n = len(tokens)
    if not n:
        return []
    text, sentence = tokens.text, tokens.sentence.tolist()
    wanted = set()
    spans = zip(tokens.starts.tolist(), tokens.ends.tolist(), strict=True)
    for i, (start, end) in enumerate(spans):
        word = text[start:end]
        if word.lower() in cues or word in QUOTE_MARKS:
            wanted.add(sentence[i])
    # and the sentences either side: a content may run on into the next one,
    # or open in the one before ("... the plan is dead. So it is, he said.")
    wanted |= {s + 1 for s in wanted} | {s - 1 for s in wanted}
    runs: list[tuple[int, int]] = []
    for i in range(n):
        if sentence[i] in wanted:
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
    return runs
