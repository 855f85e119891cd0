"""The PAN measures on small cases whose numbers are worked out by hand.

Notation: ``S(susp, a, b, src, c, d)`` is susp[a:b] taken from src[c:d]; a
span's size counts both sides, so S("s", 0, 100, "r", 0, 100) has 200 chars.
"""

from __future__ import annotations

import math

import pytest

from wiretrace.evaluate.pan import Span4 as S
from wiretrace.evaluate.pan import coverage, plagdet, read_pan_xml, score
from wiretrace.model import Passage

CASE = S("s1", 0, 100, "r1", 0, 100)


def check(result, p, r, g, pd, mp, mr, mpd, n_cases, n_dets):
    got = (result.precision, result.recall, result.granularity, result.plagdet,
           result.micro_precision, result.micro_recall, result.micro_plagdet)
    assert got == pytest.approx((p, r, g, pd, mp, mr, mpd), abs=1e-12)
    assert (result.cases, result.detections) == (n_cases, n_dets)


def test_perfect_detection():
    # The detection is the case: every measure is 1.
    check(score([CASE], [CASE]), 1, 1, 1, 1, 1, 1, 1, 1, 1)


def test_detection_overlapping_half_a_case():
    # det s1[50:150] r1[50:150]: 50 + 50 of the case's 200 chars are found
    # (recall 0.5) and 100 of the detection's 200 chars are in the case
    # (precision 0.5); gran 1; plagdet = F1 = 0.5.  Pooled: the same 100 / 200.
    det = S("s1", 50, 150, "r1", 50, 150)
    check(score([CASE], [det]), 0.5, 0.5, 1, 0.5, 0.5, 0.5, 0.5, 1, 1)


def test_detection_inside_case_on_one_side():
    # det s1[50:100] r1[0:100]: recall (50 + 100) / 200 = 0.75, precision
    # 150 / 150 = 1, F1 = 1.5 / 1.75 = 6/7.
    det = S("s1", 50, 100, "r1", 0, 100)
    check(score([CASE], [det]), 1, 0.75, 1, 6 / 7, 1, 0.75, 6 / 7, 1, 1)


def test_case_split_into_two_detections():
    # Two halves: recall 1, precision 1, but gran 2 -> plagdet 1 / log2(3).
    dets = [S("s1", 0, 50, "r1", 0, 50), S("s1", 50, 100, "r1", 50, 100)]
    pd = 1 / math.log2(3)  # 0.6309...
    check(score([CASE], dets), 1, 1, 2, pd, 1, 1, pd, 1, 2)


def test_overlapping_detections_count_each_char_once():
    # s1[0:60] r1[0:60] and s1[40:80] r1[40:80] cover 80 + 80 of 200 chars:
    # recall 0.8 (not 1.0); both lie inside the case, precision 1; gran 2.
    # plagdet = (1.6 / 1.8) / log2(3).
    dets = [S("s1", 0, 60, "r1", 0, 60), S("s1", 40, 80, "r1", 40, 80)]
    pd = (1.6 / 1.8) / math.log2(3)
    check(score([CASE], dets), 1, 0.8, 2, pd, 1, 0.8, pd, 1, 2)


def test_detection_with_no_case():
    # A perfect detection (precision 1) and one far away (precision 0):
    # macro precision (1 + 0) / 2 = 0.5, recall 1, F1 = 1 / 1.5 = 2/3.
    # Pooled: 200 of the detections' 400 chars are true, so also 0.5.
    dets = [CASE, S("s1", 500, 600, "r1", 500, 600)]
    check(score([CASE], dets), 0.5, 1, 1, 2 / 3, 0.5, 1, 2 / 3, 1, 2)


def test_case_with_no_detection():
    # Cases CASE (200 chars) and s2[0:300] r2[0:100] (400 chars); only CASE is
    # found.  Macro recall (1 + 0) / 2 = 0.5, precision 1, plagdet 2/3.
    # Micro recall 200 / 600 = 1/3, so micro plagdet = (2/3) / (4/3) = 0.5.
    cases = [CASE, S("s2", 0, 300, "r2", 0, 100)]
    check(score(cases, [CASE]), 1, 0.5, 1, 2 / 3, 1, 1 / 3, 0.5, 2, 1)


def test_overlap_on_suspicious_side_only_is_no_detection():
    # Same suspicious chars, but the source range (or source document) misses
    # the case: not a detection of it, so every measure is 0 and gran 1.
    for det in (S("s1", 0, 100, "r1", 200, 300), S("s1", 0, 100, "r9", 0, 100)):
        check(score([CASE], [det]), 0, 0, 1, 0, 0, 0, 0, 1, 1)
        assert coverage(CASE, [det]) == 0


def test_multiple_documents():
    # A = s1[0:100] r1[0:100], B = s2[0:100] r2[0:100].
    # d1 = A (detects A fully); d2 = s2[0:50] r2[0:50] (half of B);
    # d3 = s2[50:100] r1[50:100] -- wrong source for B, wrong suspect for A.
    # Macro: recall (1 + 0.5) / 2 = 0.75; precision (1 + 1 + 0) / 3 = 2/3;
    # gran 1; plagdet = 2 * 0.75 * 2/3 / (0.75 + 2/3) = 12/17.
    # Micro: true chars 200 (A) + 100 (B) = 300 of 400 case chars -> 0.75.
    # Detection chars per document: s1 100, s2 100 (d2 and d3 abut),
    # r1 100 (d3 inside d1), r2 50 -> 350, precision 300/350 = 6/7;
    # micro plagdet = 2 * 0.75 * 6/7 / (0.75 + 6/7) = 0.8.
    a, b = CASE, S("s2", 0, 100, "r2", 0, 100)
    dets = [a, S("s2", 0, 50, "r2", 0, 50), S("s2", 50, 100, "r1", 50, 100)]
    check(score([a, b], dets), 2 / 3, 0.75, 1, 12 / 17, 6 / 7, 0.75, 0.8, 2, 3)


def test_empty_inputs():
    # Official convention: nothing to find and nothing found is perfect;
    # cases without detections, or detections without cases, score 0.
    check(score([], []), 1, 1, 1, 1, 1, 1, 1, 0, 0)
    check(score([CASE], []), 0, 0, 1, 0, 0, 0, 0, 1, 0)
    check(score([], [CASE]), 0, 0, 1, 0, 0, 0, 0, 0, 1)


def test_duplicate_detections_count_once():
    # The official reader keeps detections in a set: gran stays 1.
    check(score([CASE], [CASE, CASE]), 1, 1, 1, 1, 1, 1, 1, 1, 1)


def test_plagdet_formula():
    # Values of the official unit tests.
    assert plagdet(1, 0.5, 1) == pytest.approx(2 / 3)
    assert plagdet(0.75, 0.25, 2) == pytest.approx(0.23659865)
    assert plagdet(0, 0, 1) == 0
    assert plagdet(1, 1, 0.5) == 0


def test_span_from_passage_and_validation():
    passage = Passage("susp.txt", 5, 50, "src.txt", 7, 70, 0.9, 10)
    assert S.from_passage(passage) == S("susp.txt", 5, 50, "src.txt", 7, 70)
    with pytest.raises(ValueError):
        S("s", 10, 5, "r", 0, 1)


def test_read_pan_xml(tmp_path):
    path = tmp_path / "suspicious-document00001-source-document00002.xml"
    path.write_text(
        '<document reference="suspicious-document00001.txt">\n'
        '<feature name="about" authors="x" title="y" language="en" />\n'
        '<feature name="plagiarism" obfuscation="none" source_length="698" '
        'source_offset="1300" source_reference="source-document00002.txt" '
        'this_length="690" this_offset="3593" type="artificial" />\n'
        '<feature name="plagiarism" source_length="10" source_offset="0" '
        'source_reference="source-document00002.txt" this_length="12" this_offset="0" />\n'
        "</document>\n", encoding="utf-8")
    cases = read_pan_xml(path)
    assert cases == [
        S("suspicious-document00001.txt", 3593, 4283, "source-document00002.txt", 1300, 1998),
        S("suspicious-document00001.txt", 0, 12, "source-document00002.txt", 0, 10),
    ]
    assert read_pan_xml(path, name="detected-plagiarism") == []
    empty = tmp_path / "empty.xml"
    empty.write_text('<document reference="suspicious-document00009.txt">\n</document>\n')
    assert read_pan_xml(empty) == []
    bad = tmp_path / "bad.xml"
    bad.write_text('<document reference="a.txt"><feature name="plagiarism" '
                   'this_offset="1" this_length="2" /></document>')
    with pytest.raises(ValueError, match="source_reference|feature"):
        read_pan_xml(bad)
