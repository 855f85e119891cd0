"""Diffs of real sentences: spelling variants are orthographic only, changes of
meaning are changed facts of their own kind, with offsets into each text."""

from __future__ import annotations

import re

import pytest

import wiretrace
from wiretrace.diff.changes import NO_SHARED_TEXT, diff_versions, summarize
from wiretrace.diff.spelling import is_spelling_variant
from wiretrace.model import Article, Diff, Passage
from wiretrace.text.tokens import tokenize

# Pairs a real run reported as spelling variants, and other look-alikes that are
# other words: (a sentence, the word in it, its replacement, the fact kind or None).
LOOK_ALIKES = [
    ("The government said the new package includes fuel subsidies for farmers in the "
     "northern provinces, a spokesman told reporters in the capital on Tuesday.",
     "includes", "excludes", "opposite"),
    ("Investigators said they had found no indirect link between the explosion and the "
     "opposition party, which has denied any involvement in the violence.",
     "indirect", "direct", "opposite"),
    ("The central bank reported an increase in lending to small businesses in the third "
     "quarter, according to figures published by the statistics office on Friday.",
     "increase", "decrease", "opposite"),
    ("The minister said the bridge would reopen to traffic before the end of the year, once "
     "engineers have completed their inspection of the damaged pillars.",
     "would", "could", "modal"),
    ("A spokeswoman for the health ministry said the hospital had received more than two "
     "hundred patients since the weekend, most of them with minor injuries.",
     "spokeswoman", "spokesman", None),
    ("The plan was backed by Tory MPs on Tuesday evening after a long debate in the Commons "
     "about the future of the railways and the cost of new trains.",
     "Tory", "Tony", "name"),
    ("The Lawn Tennis Association said the tournament would go ahead despite the rain, with "
     "the final now scheduled for Sunday afternoon on the main court.",
     "Tennis", "Dennis", "name"),
    ("Health secretary Alan Johnson said the changes would be introduced gradually over the "
     "next two years across England, starting with the largest hospitals.",
     "Alan", "Plan", "name"),
    ("He said the company had no plans to close the factory, which employs about four "
     "hundred people in the town and supplies parts to carmakers in Germany.",
     "He", "She", None),
    ("Police said thirteen people had been arrested after the march through the city centre, "
     "and that most of them had since been released without charge.",
     "thirteen", "thirty", "number"),
    ("The talks between the two delegations will resume in Geneva on Monday, a diplomat "
     "familiar with the negotiations told the news agency by telephone.",
     "Monday", "Tuesday", "number"),
]

# The same word or name spelled another way.
SPELLINGS = [("Bazoum", "Bozoum"), ("finalised", "finalized"), ("neighboring", "neighbouring"),
             ("Abdourahmane", "Abdourahamane"), ("colour", "color"), ("Gaddafi", "Qaddafi"),
             ("Mohamed", "Mohammed"), ("centre", "center"), ("travelled", "traveled"),
             ("defence", "defense"), ("Organisation", "Organization"), ("Volcker", "Vocker")]


def _diff(text_a: str, text_b: str) -> Diff:
    return wiretrace.compare(Article("a", text_a), Article("b", text_b))


def _assert_offsets(diff: Diff, text_a: str, text_b: str) -> None:
    for f in diff.changed_facts:
        assert text_a[f.a_start:f.a_end] == f.a_text
        assert text_b[f.b_start:f.b_end] == f.b_text


@pytest.mark.parametrize(("sentence", "word", "other", "kind"), LOOK_ALIKES,
                         ids=[f"{w}/{o}" for _, w, o, _ in LOOK_ALIKES])
def test_look_alikes_are_not_spelling_variants(sentence, word, other, kind):
    assert not is_spelling_variant(word, other)
    text_b = sentence.replace(word, other, 1)
    diff = _diff(sentence, text_b)
    assert diff.passages and not diff.spelling_variants
    _assert_offsets(diff, sentence, text_b)
    if kind is None:
        assert diff.changed_facts == []
    else:
        assert [f.kind for f in diff.changed_facts] == [kind]
        fact = diff.changed_facts[0]
        assert word in fact.a_text and other in fact.b_text


@pytest.mark.parametrize(("word", "other"), SPELLINGS)
def test_spellings_of_one_word_are_variants(word, other):
    assert is_spelling_variant(word, other) and is_spelling_variant(other, word)


def test_spelling_variant_in_a_sentence_is_no_fact():
    sentence = ("Defence chiefs from the regional bloc finalised an intervention plan on Friday "
                "and urged member states to prepare troops and equipment.")
    diff = _diff(sentence, sentence.replace("finalised", "finalized"))
    assert [(v.a_form, v.b_form) for v in diff.spelling_variants] == [("finalised", "finalized")]
    assert diff.changed_facts == []


SENTENCE = ("Mr Smith, the head of the agency, said the army will send 1,500 soldiers to the "
            "border region and that the increase is needed to protect the crossings.")


@pytest.mark.parametrize(("old", "new", "kind", "a_text", "b_text"), [
    ("1,500 soldiers", "1,100 soldiers", "number", "1,500", "1,100"),
    ("the increase is needed", "the increase is not needed", "negation", "", "not"),
    ("the increase is", "the decrease is", "opposite", "increase", "decrease"),
    ("the army will send", "the army would send", "modal", "will", "would"),
    ("Mr Smith,", "Mr Jones,", "name", "Smith", "Jones"),
])
def test_each_change_of_meaning_is_one_fact_with_offsets(old, new, kind, a_text, b_text):
    text_b = SENTENCE.replace(old, new)
    diff = _diff(SENTENCE, text_b)
    assert len(diff.changed_facts) == 1, diff.changed_facts
    fact = diff.changed_facts[0]
    assert (fact.kind, fact.a_text, fact.b_text) == (kind, a_text, b_text)
    assert SENTENCE[fact.a_start:fact.a_end] == a_text
    assert text_b[fact.b_start:fact.b_end] == b_text
    if kind == "negation":  # nothing on a's side: an empty span where "not" would be
        assert fact.a_start == fact.a_end == SENTENCE.index("needed")
    assert re.match(r"\d+% of b is shared with a; changes 1 fact: ", diff.summary)


def test_summary_counts_facts_first():
    text_b = SENTENCE.replace("1,500", "1,100").replace("increase", "decrease")
    summary = _diff(SENTENCE, text_b).summary
    assert summary == ("100% of b is shared with a; changes 2 facts: 1,500 -> 1,100; "
                       "increase -> decrease; rewords 1 paragraph")


def test_figure_in_a_paragraph_aligned_nowhere_is_a_fact():
    first = ("Niger's junta asked the Wagner group for help as a deadline set by the regional "
             "bloc neared, officials said on Saturday.")
    last = ("The regional bloc said its defence chiefs had agreed on a plan for a possible "
            "intervention at a meeting in Abuja.")
    text_a = f"{first}\n\nFrance has 1,500 soldiers in Niger.\n\n{last}"
    text_b = f"{first}\n\nFrance has 1,100 soldiers in Niger.\n\n{last}"
    passages = [Passage("a", 0, len(first), "b", 0, len(first), 1.0, 20),
                Passage("a", text_a.index(last), len(text_a), "b", text_b.index(last),
                        len(text_b), 1.0, 20)]
    diff = diff_versions(Article("a", text_a), tokenize(text_a), Article("b", text_b),
                         tokenize(text_b), passages)
    assert [c.kind for c in diff.changes] == ["dropped", "added"]
    assert [(f.kind, f.a_text, f.b_text) for f in diff.changed_facts] == [
        ("number", "1,500", "1,100")]
    _assert_offsets(diff, text_a, text_b)


@pytest.mark.parametrize(("old", "new"), [("13,555,000", "13.5 mln"), ("5 pct", "5 percent"),
                                          ("1.2 bn", "1.2 billion"), ("one", "1")])
def test_same_amount_written_another_way_is_no_fact(old, new):
    sentence = ("The company said it had sold 13,555,000 shares to institutional investors "
                "in Europe and Asia during the offering, which closed on Thursday, and that "
                "sales rose 5 pct to 1.2 bn dlrs in one quarter.")
    diff = _diff(sentence, sentence.replace(old, new))
    assert diff.passages and diff.changed_facts == []


def test_seed_pair_keeps_its_variants_and_has_no_changed_fact(seed_articles):
    diff = wiretrace.compare(*seed_articles)
    pairs = {(v.a_form, v.b_form) for v in diff.spelling_variants}
    assert {("Bazoum", "Bozoum"), ("Abdourahmane", "Abdourahamane"),
            ("finalised", "finalized")} <= pairs
    for a_form, b_form in pairs:
        assert is_spelling_variant(a_form, b_form)
    # Read by hand: the shared text of B says what A says (Gen. -> General,
    # made contact with -> contacted, spokeswoman -> spokesperson); the one figure
    # that differs, A's troop numbers, is in a paragraph B dropped.
    assert diff.changed_facts == []
    assert "fact" not in diff.summary


def test_passages_in_another_order_are_moved(seed_articles):
    a, _ = seed_articles
    paragraphs = a.text.split("\n\n")
    reordered = "\n\n".join([paragraphs[0], paragraphs[5], *paragraphs[1:5], *paragraphs[6:]])
    diff = _diff(a.text, reordered)
    moved = diff.changes_of("moved")
    # the paragraph brought up is what moved, not the four (more text) it jumped over
    assert len(moved) == 1 and moved[0].a_text == paragraphs[5]
    assert moved[0].b_text == moved[0].a_text
    assert diff.changed_facts == [] and "moves 1 paragraph" in diff.summary


def test_texts_sharing_nothing_say_so_plainly():
    diff = _diff("The council approved the budget for the new swimming pool on Monday night.",
                 "Heavy snow closed the mountain pass and stranded dozens of lorries overnight.")
    assert diff.passages == [] and summarize(diff) == NO_SHARED_TEXT == diff.summary
