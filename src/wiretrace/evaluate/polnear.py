"""PolNeAR, the attribution yardstick: its BRAT files read, and spans scored.

PolNeAR (political news, 2015-16) marks every attribution as a ``Source``, a
``Cue`` and a ``Content`` span tied by an ``E`` line.  Its annotation is
univocal (each token in at most one attribution), so it reads as a tag
sequence; a span cut in pieces ("the plan, he said, is dead") counts as one
span per piece, in the gold and in the prediction alike.

Some texts were annotated by several people; the first annotator in name
order is the one read, so each text counts once.

Scores are over tokens of :func:`wiretrace.attribute.features.tokenize`:
``exact`` when a predicted span covers the same tokens as a gold span of its
type, ``overlap`` when it shares at least one (each gold span matched once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wiretrace.evaluate.corpora import unpack

SPAN_TYPES = ("Source", "Cue", "Content")


@dataclass(frozen=True, slots=True)
class GoldSpan:
    type: str  # Source, Cue or Content
    start: int
    end: int
    attribution: int  # the E line it belongs to (0 when none ties it)


@dataclass(slots=True)
class AnnotatedText:
    name: str
    text: str
    spans: list[GoldSpan] = field(default_factory=list)


def polnear_root() -> Path:
    return unpack("polnear-train-dev.tar.xz") / "polnear"


def read_split(split: str, root: Path | None = None) -> list[AnnotatedText]:
    """The texts of ``train`` or ``dev``, each with its first annotator's spans."""
    root = root or polnear_root()
    texts = []
    annotations = sorted((root / split / "attributions").glob("*.ann"))
    seen: set[str] = set()
    for ann in annotations:
        name = ann.stem.rsplit("_", 1)[0]
        if name in seen:
            continue
        seen.add(name)
        text_path = root / split / "text" / f"{name}.txt"
        if not text_path.exists():
            continue
        text = text_path.read_text(encoding="utf-8")
        texts.append(AnnotatedText(name, text, read_brat(ann.read_text(encoding="utf-8"))))
    return texts


def read_brat(standoff: str) -> list[GoldSpan]:
    """Source, Cue and Content pieces of a BRAT ``.ann`` text, with their E line."""
    pieces: dict[str, list[tuple[str, int, int]]] = {}
    owner: dict[str, int] = {}
    for line in standoff.splitlines():
        cols = line.split("\t")
        if line.startswith("T") and len(cols) >= 2:
            kind, _, where = cols[1].partition(" ")
            if kind not in SPAN_TYPES:
                continue
            frags = []
            for frag in where.split(";"):
                start, _, end = frag.partition(" ")
                if start.isdigit() and end.isdigit() and int(end) > int(start):
                    frags.append((kind, int(start), int(end)))
            pieces[cols[0]] = frags
        elif line.startswith("E") and len(cols) >= 2:
            number = int(cols[0][1:]) if cols[0][1:].isdigit() else 0
            for arg in cols[1].split():
                owner[arg.partition(":")[2]] = number
    return sorted((GoldSpan(kind, start, end, owner.get(tid, 0))
                   for tid, frags in pieces.items() for kind, start, end in frags),
                  key=lambda s: (s.start, s.end))


@dataclass(slots=True)
class SpanScore:
    type: str
    gold: int = 0
    predicted: int = 0
    exact: int = 0  # predicted spans equal to a gold span
    overlap_predicted: int = 0  # predicted spans sharing a token with a gold span
    overlap_gold: int = 0  # gold spans sharing a token with a predicted span

    @staticmethod
    def _f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    def exact_prf(self) -> tuple[float, float, float]:
        p = self.exact / self.predicted if self.predicted else 0.0
        r = self.exact / self.gold if self.gold else 0.0
        return p, r, self._f1(p, r)

    def overlap_prf(self) -> tuple[float, float, float]:
        p = self.overlap_predicted / self.predicted if self.predicted else 0.0
        r = self.overlap_gold / self.gold if self.gold else 0.0
        return p, r, self._f1(p, r)


def score_spans(gold: list[tuple[str, int, int]], predicted: list[tuple[str, int, int]],
                scores: dict[str, SpanScore]) -> None:
    """Add one text's spans, as (type, first token, end token), to ``scores``."""
    for kind in SPAN_TYPES:
        g = {(s, e) for t, s, e in gold if t == kind}
        p = {(s, e) for t, s, e in predicted if t == kind}
        score = scores.setdefault(kind, SpanScore(kind))
        score.gold += len(g)
        score.predicted += len(p)
        score.exact += len(g & p)
        score.overlap_predicted += sum(any(ps < ge and gs < pe for gs, ge in g) for ps, pe in p)
        score.overlap_gold += sum(any(ps < ge and gs < pe for ps, pe in p) for gs, ge in g)
