"""The PAN text-alignment measures: precision, recall, granularity and plagdet.

Implements the measures of Potthast, Stein, Barrón-Cedeño and Rosso, "An
Evaluation Framework for Plagiarism Detection" (COLING 2010), as used for the
PAN 2013 text-alignment task, following the semantics of the official
``pan13-text-alignment-perfmeasures.py`` (webis.de, v1.3).

A case ``s`` (the truth) and a detection ``r`` are both :class:`Span4`: a
character range of a suspicious document and one of a source document.
``s ⊓ r`` is their overlap, and it is non-empty only when ``r`` overlaps ``s``
on *both* sides (same suspicious document, same source document, both ranges
intersecting); its size counts the characters of the suspicious side and of
the source side together.

Macro-averaged (PAN's official ranking measure)::

    prec = 1/|R| * sum_r |union_s (s ⊓ r)| / |r|
    rec  = 1/|S| * sum_s |union_r (s ⊓ r)| / |s|

Micro-averaged (character-pooled; per document and side, every character
counted once)::

    prec = |union (s ⊓ r)| / |union r|       rec = |union (s ⊓ r)| / |union s|

``gran`` is the mean, over the cases detected by at least one detection, of the
number of detections detecting each; ``plagdet = F1(prec, rec) / log2(1 + gran)``.

Edge cases, as in the official script:

* no cases and no detections: precision = recall = 1 (nothing to find, nothing
  wrongly found), granularity 1, plagdet 1;
* cases but no detections, or detections but no cases: precision = recall = 0
  (so plagdet 0); granularity 1;
* no case detected at all: granularity 1;
* plagdet is 0 when precision and recall are both 0.

Two details the official script leaves to chance are fixed here: identical
detections are counted once (the official reader collects them in a set), and
a span empty on both sides contributes 0 to the averages instead of dividing
by zero.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from wiretrace.model import Passage

Interval = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Span4:
    """``susp[susp_start:susp_end]`` reused from ``src[src_start:src_end]``."""

    susp: str
    susp_start: int
    susp_end: int
    src: str
    src_start: int
    src_end: int

    def __post_init__(self) -> None:
        if not 0 <= self.susp_start <= self.susp_end or not 0 <= self.src_start <= self.src_end:
            raise ValueError(f"bad character range in {self!r}")

    @property
    def size(self) -> int:
        """Characters on both sides together, the official ``|s|``."""
        return self.susp_end - self.susp_start + self.src_end - self.src_start

    @classmethod
    def from_passage(cls, passage: Passage) -> Span4:
        """A detection from an aligned passage whose ``a`` side is the suspicious text."""
        return cls(passage.a, passage.a_start, passage.a_end,
                   passage.b, passage.b_start, passage.b_end)


Case = Span4
Detection = Span4


@dataclass(frozen=True, slots=True)
class Scores:
    """Macro (official) and micro measures of detections against cases."""

    precision: float
    recall: float
    granularity: float
    plagdet: float
    micro_precision: float
    micro_recall: float
    micro_plagdet: float
    cases: int
    detections: int

    def to_dict(self) -> dict:
        return asdict(self)


def overlaps(case: Span4, det: Span4) -> bool:
    """Whether ``det`` detects ``case``: same documents, overlapping on both sides."""
    return (case.susp == det.susp and case.src == det.src
            and det.susp_end > case.susp_start and det.susp_start < case.susp_end
            and det.src_end > case.src_start and det.src_start < case.src_end)


def _union_length(intervals: Iterable[Interval]) -> int:
    total, cur_start, cur_end = 0, 0, -1
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if start > cur_end:
            total += max(0, cur_end - cur_start)
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    return total + max(0, cur_end - cur_start)


def _clip(inner: Interval, outer: Interval) -> Interval:
    return max(inner[0], outer[0]), min(inner[1], outer[1])


def coverage(span: Span4, others: Iterable[Span4]) -> float:
    """Share of ``span`` (both sides) covered by the ``others`` that overlap it.

    With a case and the detections this is the case's recall; with a
    detection and the cases it is the detection's precision.
    """
    hits = [o for o in others if overlaps(span, o)]
    if span.size == 0 or not hits:
        return 0.0
    susp = (span.susp_start, span.susp_end)
    src = (span.src_start, span.src_end)
    covered = (_union_length(_clip((o.susp_start, o.susp_end), susp) for o in hits)
               + _union_length(_clip((o.src_start, o.src_end), src) for o in hits))
    return covered / span.size


def _by_pair(spans: Iterable[Span4]) -> dict[tuple[str, str], list[Span4]]:
    index: dict[tuple[str, str], list[Span4]] = defaultdict(list)
    for span in spans:
        index[span.susp, span.src].append(span)
    return index


def _macro_recall(cases: Sequence[Span4], detections: Sequence[Span4]) -> float:
    """Official ``macro_avg_recall``; precision is the same with the roles swapped."""
    if not cases and not detections:
        return 1.0
    if not cases or not detections:
        return 0.0
    index = _by_pair(detections)
    return sum(coverage(c, index.get((c.susp, c.src), ())) for c in cases) / len(cases)


def granularity(cases: Sequence[Span4], detections: Sequence[Span4]) -> float:
    """Mean number of detections per detected case; 1 when no case is detected."""
    index = _by_pair(detections)
    counts = [sum(overlaps(c, d) for d in index.get((c.susp, c.src), ())) for c in cases]
    detected = [n for n in counts if n > 0]
    return sum(detected) / len(detected) if detected else 1.0


def plagdet(precision: float, recall: float, gran: float) -> float:
    """F1 of precision and recall, discounted by ``log2(1 + granularity)``."""
    if (precision == 0 and recall == 0) or precision < 0 or recall < 0 or gran < 1:
        return 0.0
    return 2 * precision * recall / (precision + recall) / math.log2(1 + gran)


def _pooled_chars(spans: Iterable[Span4]) -> int:
    """Characters covered, per document and side, each counted once."""
    sides: dict[tuple[str, str], list[Interval]] = defaultdict(list)
    for s in spans:
        sides["susp", s.susp].append((s.susp_start, s.susp_end))
        sides["src", s.src].append((s.src_start, s.src_end))
    return sum(_union_length(intervals) for intervals in sides.values())


def _true_detections(cases: Sequence[Span4], detections: Sequence[Span4]) -> list[Span4]:
    """Every ``s ⊓ r``: each detection cut down to each case it detects."""
    index = _by_pair(detections)
    out = []
    for c in cases:
        for d in index.get((c.susp, c.src), ()):
            if overlaps(c, d):
                out.append(Span4(c.susp, max(c.susp_start, d.susp_start),
                                 min(c.susp_end, d.susp_end), c.src,
                                 max(c.src_start, d.src_start), min(c.src_end, d.src_end)))
    return out


def micro_precision_recall(cases: Sequence[Span4],
                           detections: Sequence[Span4]) -> tuple[float, float]:
    """Character-pooled ``(precision, recall)``, with the official edge cases."""
    if not cases and not detections:
        return 1.0, 1.0
    if not cases or not detections:
        return 0.0, 0.0
    found = _pooled_chars(_true_detections(cases, detections))
    case_chars, det_chars = _pooled_chars(cases), _pooled_chars(detections)
    return (found / det_chars if det_chars else 0.0,
            found / case_chars if case_chars else 0.0)


def score(cases: Iterable[Span4], detections: Iterable[Span4]) -> Scores:
    """All measures of ``detections`` against ``cases`` (duplicates counted once)."""
    cases = list(dict.fromkeys(cases))
    detections = list(dict.fromkeys(detections))
    precision = _macro_recall(detections, cases)
    recall = _macro_recall(cases, detections)
    gran = granularity(cases, detections)
    micro_p, micro_r = micro_precision_recall(cases, detections)
    return Scores(precision, recall, gran, plagdet(precision, recall, gran),
                  micro_p, micro_r, plagdet(micro_p, micro_r, gran),
                  len(cases), len(detections))


def read_pan_xml(path: str | Path, name: str = "plagiarism") -> list[Span4]:
    """The ``<feature name="plagiarism" ...>`` annotations of one PAN XML file.

    The root's ``reference`` attribute names the suspicious document; each
    feature gives ``this_offset``/``this_length`` there and
    ``source_reference``/``source_offset``/``source_length`` in the source.
    ``name="detected-plagiarism"`` reads a detector's output file instead.
    """
    root = ET.parse(path).getroot()
    susp = root.get("reference")
    if susp is None:
        raise ValueError(f"{path}: the root element has no 'reference' attribute")
    spans = []
    for feature in root.iter("feature"):
        if feature.get("name") != name:
            continue
        try:
            t_off, t_len = int(feature.get("this_offset")), int(feature.get("this_length"))
            s_off, s_len = int(feature.get("source_offset")), int(feature.get("source_length"))
            src = feature.attrib["source_reference"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: incomplete or bad {name!r} feature "
                             f"{feature.attrib}") from exc
        spans.append(Span4(susp, t_off, t_off + t_len, src, s_off, s_off + s_len))
    return spans
