"""The tagger's pieces: PolNeAR read and scored, tags and spans, a model made
twice from the same texts, the shipped model's files."""

from __future__ import annotations

from wiretrace.attribute import tagger
from wiretrace.attribute.features import quote_depth, tokenize
from wiretrace.attribute.train import learn_cue_words, train
from wiretrace.evaluate.polnear import AnnotatedText, SpanScore, read_brat, read_split, score_spans

ANN = """T1\tSource 0 9\tThe mayor
T2\tCue 10 14\tsaid
T3\tContent 15 24;31 40\tthe plan is dead
T4\tAttribution 10 14\tsaid
E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1
T5\tDiscuss 50 60\tx
#1\tAnnotatorNotes T1\ta note
"""


def test_brat_pieces_are_read_with_their_attribution_and_other_types_left_out():
    spans = read_brat(ANN)
    assert [(s.type, s.start, s.end, s.attribution) for s in spans] == [
        ("Source", 0, 9, 1), ("Cue", 10, 14, 1), ("Content", 15, 24, 1), ("Content", 31, 40, 1)]


def test_broken_brat_lines_are_skipped_not_fatal():
    assert read_brat("T1\tSource x y\tz\nE1\nT2\tCue 5 3\tbackwards\nnonsense\n") == []


def test_scores_count_exact_and_overlapping_spans():
    scores: dict[str, SpanScore] = {}
    gold = [("Source", 0, 2), ("Cue", 2, 3), ("Content", 3, 10)]
    predicted = [("Source", 0, 2), ("Cue", 2, 4), ("Content", 4, 10), ("Content", 12, 13)]
    score_spans(gold, predicted, scores)
    assert scores["Source"].exact_prf() == (1.0, 1.0, 1.0)
    assert scores["Cue"].exact_prf() == (0.0, 0.0, 0.0)
    assert scores["Cue"].overlap_prf() == (1.0, 1.0, 1.0)
    p, r, f = scores["Content"].overlap_prf()
    assert (p, r) == (0.5, 1.0) and abs(f - 2 / 3) < 1e-9


def test_tags_and_spans_round_trip():
    text = "The mayor said the plan is dead, he added."
    tokens = tokenize(text)
    spans = [("Source", 0, 9), ("Cue", 10, 14), ("Content", 15, 31)]
    tags = tagger.bio_tags(tokens, spans)
    assert tags[:4] == ["B-Source", "I-Source", "B-Cue", "B-Content"]
    back = tagger.spans_from_tags(tags)
    assert [(k, int(tokens.starts[s]), int(tokens.ends[e - 1])) for k, s, e in back] == spans
    # a B- right after a span of its own type opens a new span
    assert tagger.spans_from_tags(["B-Cue", "B-Cue", "I-Cue", "O"]) == [("Cue", 0, 1),
                                                                          ("Cue", 1, 3)]


def test_a_quote_left_open_ends_with_its_paragraph_unless_the_next_reopens():
    text = "“Open quote runs\n\nout here. Not quoted.\n\n“Again\n\n“and on,” he said."
    tokens = tokenize(text)
    inside = dict(zip((tokens.word(i) for i in range(len(tokens))), quote_depth(tokens),
                      strict=True))
    assert inside["Open"] == 1 and inside["Not"] == 0 and inside["and"] == 1
    assert inside["he"] == 0


def test_only_sentences_with_a_cue_or_a_quote_and_their_neighbours_are_tagged():
    text = ("Shares rose 5 pct. Volume was 3 mln. Profits were flat. The chairman said "
            "sales would grow. Revenue was 7 mln. Costs fell. Debt was 2 mln.")
    tokens = tokenize(text)
    runs = tagger.candidate_runs(tokens, frozenset({"said"}))
    tagged = " ".join(text[tokens.starts[s]:tokens.ends[e - 1]] for s, e in runs)
    assert tagged == "Profits were flat. The chairman said sales would grow. Revenue was 7 mln."


def test_the_same_texts_make_the_same_model(tmp_path):
    texts = read_split("train")[:6]
    for run in ("one", "two"):
        train(texts, tmp_path / run / "m.crfsuite", tmp_path / run / "cues.txt",
              max_iterations=15)
    assert (tmp_path / "one" / "m.crfsuite").read_bytes() == \
        (tmp_path / "two" / "m.crfsuite").read_bytes()
    assert (tmp_path / "one" / "cues.txt").read_text() == \
        (tmp_path / "two" / "cues.txt").read_text()


def test_cue_words_are_words_tagged_cue_more_often_than_a_third_of_the_time():
    text = "He said so. She said no. They said yes. It said."
    item = AnnotatedText("t", text, [])
    assert learn_cue_words([item]) == frozenset()
    item.spans = read_brat("".join(
        f"T{k}\tCue {text.index('said', i)} {text.index('said', i) + 4}\tsaid\n"
        for k, i in enumerate((0, 12, 25), 1)))
    assert learn_cue_words([item]) == {"said"}


def test_the_shipped_model_is_in_the_package_and_small():
    assert tagger.MODEL_FILE.exists() and tagger.CUE_WORDS_FILE.exists()
    assert tagger.MODEL_FILE.stat().st_size < 8_000_000
    assert {"said", "told", "according"} <= tagger.cue_words()
