"""Every kind of change a diff reports, each from a hand-built pair of news texts.

Each case is read through the public entry point (``wiretrace.compare``) and
checked for its exact kind, the text on both sides at the reported offsets
and, where a reader sees it, the summary line.  The expected values are
concrete (offsets, words, percentages) so that a diff reporting another kind,
another span or another wording fails.
"""

from __future__ import annotations

import pytest

import wiretrace
from wiretrace import Article, Change, Diff

# A flood report in four paragraphs; versions of it below add, drop, move
# and reword paragraphs, and change one fact at a time.
FLOOD = [
    "Flooding across the northern provinces has forced more than 12,000 people from their "
    "homes, the national disaster agency said on Wednesday, as rivers burst their banks "
    "after a week of heavy rain.",
    "Rescue teams used boats to reach villages cut off by the water near the town of Kessel, "
    "where the main road to the regional capital has been closed since Monday night.",
    "The agriculture ministry set aside 40 million dollars for farmers in the worst-hit "
    "districts and said the harvest there would be delayed by several weeks, warning that "
    "prices for rice and vegetables could rise before the end of the month.",
    "Forecasters expect the rain to ease by the weekend, but officials urged residents of "
    "low-lying areas to stay alert and follow the instructions of the local emergency "
    "services.",
]
FLOOD_TEXT = "\n\n".join(FLOOD)
# The same report saying the harvest would not be delayed.
FLOOD_NOT = FLOOD_TEXT.replace("would be delayed", "would not be delayed")

# A report naming a head of state, for spelling variants of a name.
NIGER = [
    "President Mohamed Bazoum met the foreign minister of Chad in Niamey on Thursday to "
    "discuss security along the border, his office said in a statement.",
    "The two men agreed to finalise a joint plan to patrol the desert crossings, where armed "
    "groups have attacked convoys and kidnapped aid workers in recent months.",
    "Bazoum said the plan would be presented to the regional bloc at its summit next month, "
    "and that both countries will contribute troops and vehicles to the new force.",
    "Officials in Niamey said the patrols would begin before the rainy season, once funding "
    "from the European Union has been approved by its member states.",
]
NIGER_TEXT = "\n\n".join(NIGER)


def _diff(text_a: str, text_b: str) -> Diff:
    return wiretrace.compare(Article("a", text_a), Article("b", text_b))


def _assert_offsets(diff: Diff, text_a: str, text_b: str) -> None:
    """Every change, word change, fact and variant quotes its texts at its offsets."""
    for change in diff.changes:
        if change.a_start is None:
            assert change.a_end is None and change.a_text == ""
        else:
            assert text_a[change.a_start:change.a_end] == change.a_text
        if change.b_start is None:
            assert change.b_end is None and change.b_text == ""
        else:
            assert text_b[change.b_start:change.b_end] == change.b_text
        for word in change.word_changes:
            assert text_a[word.a_start:word.a_end] == word.a_text
            assert text_b[word.b_start:word.b_end] == word.b_text
    for fact in diff.changed_facts:
        assert text_a[fact.a_start:fact.a_end] == fact.a_text
        assert text_b[fact.b_start:fact.b_end] == fact.b_text
    for variant in diff.spelling_variants:
        assert text_a[variant.a_start:variant.a_end] == variant.a_form
        assert text_b[variant.b_start:variant.b_end] == variant.b_form


def _only(diff: Diff, kind: str) -> Change:
    """The diff's one change, which must be of ``kind``."""
    assert [c.kind for c in diff.changes] == [kind], diff.changes
    return diff.changes[0]


# ------------------------------------------------------------ no change

def test_identical_texts_have_no_changes():
    diff = _diff(FLOOD_TEXT, FLOOD_TEXT)
    assert [(p.a_start, p.a_end, p.b_start, p.b_end) for p in diff.passages] == [
        (0, len(FLOOD_TEXT), 0, len(FLOOD_TEXT))]
    assert diff.changes == [] and diff.changed_facts == [] and diff.spelling_variants == []
    assert diff.a_shared == diff.b_shared == 1.0
    assert diff.summary == "100% of b is shared with a"


# ------------------------------------------------------------ added, dropped

def test_new_paragraph_is_added():
    extra = ("A spokesman for the Red Cross said its volunteers had set up three shelters in "
             "school buildings and were handing out blankets, drinking water and food.")
    text_b = "\n\n".join([FLOOD[0], FLOOD[1], extra, FLOOD[2], FLOOD[3]])
    diff = _diff(FLOOD_TEXT, text_b)
    added = _only(diff, "added")
    assert (added.a_start, added.a_end, added.a_text) == (None, None, "")
    assert added.b_text == extra and added.b_start == text_b.index(extra)
    assert added.word_changes == []
    _assert_offsets(diff, FLOOD_TEXT, text_b)
    # "three" is a figure, but in text a never had: no changed fact
    assert diff.changed_facts == [] and diff.spelling_variants == []
    # the new paragraph credits someone a never did (its spokesman): the summary says so
    assert diff.summary == "83% of b is shared with a; adds 1 paragraph; credits Red Cross, " \
        "not credited in a"


def test_paragraph_left_out_is_dropped():
    text_b = "\n\n".join([FLOOD[0], FLOOD[1], FLOOD[3]])
    diff = _diff(FLOOD_TEXT, text_b)
    dropped = _only(diff, "dropped")
    assert (dropped.b_start, dropped.b_end, dropped.b_text) == (None, None, "")
    assert dropped.a_text == FLOOD[2] and dropped.a_start == FLOOD_TEXT.index(FLOOD[2])
    _assert_offsets(diff, FLOOD_TEXT, text_b)
    # its figure (40 million) went with it: a dropped figure is no changed fact
    assert diff.changed_facts == [] and diff.spelling_variants == []
    assert diff.summary == "100% of b is shared with a; drops 1 paragraph"


# ------------------------------------------------------------ reworded

def test_words_replaced_inside_a_passage_are_reworded():
    text_b = FLOOD_TEXT.replace("heavy rain", "torrential rain").replace(
        "stay alert", "remain vigilant")
    diff = _diff(FLOOD_TEXT, text_b)
    reworded = _only(diff, "reworded")
    # the passage is the whole text: it is reported whole, with its word edits inside
    assert (reworded.a_start, reworded.a_end) == (0, len(FLOOD_TEXT))
    assert (reworded.b_start, reworded.b_end) == (0, len(text_b))
    assert [(w.op, w.a_text, w.b_text) for w in reworded.word_changes] == [
        ("replace", "heavy", "torrential"), ("replace", "stay alert", "remain vigilant")]
    first = reworded.word_changes[0]
    assert first.a_start == first.b_start == FLOOD_TEXT.index("heavy")
    _assert_offsets(diff, FLOOD_TEXT, text_b)
    assert diff.changed_facts == [] and diff.spelling_variants == []
    assert diff.summary == "100% of b is shared with a; rewords 1 paragraph"


def test_sentence_rewritten_around_a_reused_clause_is_reworded_not_added():
    core = ("the central bank will keep its main interest rate unchanged at 4.5 percent for "
            "at least another six months while inflation remains above its target, according "
            "to minutes of the meeting")
    text_a = ("Policymakers agreed at their meeting in the capital on Thursday that " + core
              + " published on Friday.")
    text_b = ("Most economists polled by the news agency last week had expected that " + core
              + ", which were released early on Friday morning.")
    diff = _diff(text_a, text_b)
    # the rewritten opening and ending are each a reworded stub, not a drop plus an addition
    assert [(c.kind, c.a_text, c.b_text) for c in diff.changes] == [
        ("reworded", "Policymakers agreed at their meeting in the capital on Thursday",
         "Most economists polled by the news agency last week had expected"),
        ("reworded", "published on Friday.", "which were released early on Friday morning."),
    ]
    opening, ending = diff.changes
    assert opening.a_start == opening.b_start == 0
    assert [(w.op, w.a_text, w.b_text) for w in opening.word_changes] == [
        ("insert", "", "Most"),
        ("replace", "Policymakers agreed at their meeting in the capital on Thursday",
         "economists polled by the news agency last week had expected")]
    assert ("insert", "", "which were released") in [
        (w.op, w.a_text, w.b_text) for w in ending.word_changes]
    _assert_offsets(diff, text_a, text_b)
    assert diff.changed_facts == [] and diff.spelling_variants == []
    assert diff.summary == "63% of b is shared with a; rewords 2 paragraphs"


# ------------------------------------------------------------ moved

def test_paragraph_taken_to_the_end_is_moved():
    text_b = "\n\n".join([FLOOD[0], FLOOD[2], FLOOD[3], FLOOD[1]])
    diff = _diff(FLOOD_TEXT, text_b)
    moved = _only(diff, "moved")
    # the rescue paragraph is off the longest run in the same order: it moved,
    # word for word
    assert moved.a_text == moved.b_text == FLOOD[1]
    assert moved.a_start == FLOOD_TEXT.index(FLOOD[1])
    assert moved.b_start == text_b.index(FLOOD[1]) and moved.b_end == len(text_b)
    assert moved.word_changes == []
    assert len(diff.passages) == 3
    _assert_offsets(diff, FLOOD_TEXT, text_b)
    assert diff.changed_facts == [] and diff.spelling_variants == []
    assert diff.summary == "99% of b is shared with a; moves 1 paragraph"


def test_moved_and_edited_paragraphs_are_told_apart():
    # two middle paragraphs swapped, one of them also edited
    edited = NIGER[2].replace("at its summit next month", "at its summit in June")
    text_b = "\n\n".join([NIGER[0], edited, NIGER[1], NIGER[3]])
    diff = _diff(NIGER_TEXT, text_b)
    assert [c.kind for c in diff.changes] == ["reworded", "moved"]
    reworded, moved = diff.changes
    assert (reworded.a_text, reworded.b_text) == (NIGER[2], edited)
    assert [(w.op, w.a_text, w.b_text) for w in reworded.word_changes] == [
        ("replace", "next month", "in June")]
    assert moved.a_text == moved.b_text == NIGER[1] and moved.word_changes == []
    _assert_offsets(diff, NIGER_TEXT, text_b)
    # "next month" -> "in June" names no figure on a's side: no changed fact
    assert diff.changed_facts == []
    assert diff.summary == "99% of b is shared with a; rewords 1 paragraph; moves 1 paragraph"


def test_last_paragraph_brought_to_the_top_is_the_one_moved():
    # one passage each way (the three kept paragraphs, the last one moved up): the
    # text kept in place is the larger, so the one paragraph is what moved
    text_b = "\n\n".join([FLOOD[3], FLOOD[0], FLOOD[1], FLOOD[2]])
    diff = _diff(FLOOD_TEXT, text_b)
    moved = _only(diff, "moved")
    assert moved.a_text == moved.b_text == FLOOD[3]
    _assert_offsets(diff, FLOOD_TEXT, text_b)


# ------------------------------------------------------------ spelling variants

def test_british_and_american_spelling_is_a_variant_not_a_fact():
    text_b = NIGER_TEXT.replace("agreed to finalise", "agreed to finalize")
    diff = _diff(NIGER_TEXT, text_b)
    reworded = _only(diff, "reworded")
    assert [(w.op, w.a_text, w.b_text) for w in reworded.word_changes] == [
        ("replace", "finalise", "finalize")]
    [variant] = diff.spelling_variants
    assert (variant.a_form, variant.b_form) == ("finalise", "finalize")
    assert variant.a_start == variant.b_start == NIGER_TEXT.index("finalise")
    assert variant.similarity == 0.875
    _assert_offsets(diff, NIGER_TEXT, text_b)
    assert diff.changed_facts == []
    assert diff.summary == ("100% of b is shared with a; rewords 1 paragraph; "
                            "1 spelling variant (finalise/finalize)")


def test_transliterated_name_is_one_variant_not_a_fact():
    text_b = NIGER_TEXT.replace("Bazoum", "Bozoum")  # both mentions
    diff = _diff(NIGER_TEXT, text_b)
    reworded = _only(diff, "reworded")
    assert [(w.a_text, w.b_text) for w in reworded.word_changes] == [
        ("Bazoum", "Bozoum"), ("Bazoum", "Bozoum")]
    # one variant for the name, at its first mention
    [variant] = diff.spelling_variants
    assert (variant.a_form, variant.b_form) == ("Bazoum", "Bozoum")
    assert variant.a_start == variant.b_start == NIGER_TEXT.index("Bazoum")
    _assert_offsets(diff, NIGER_TEXT, text_b)
    assert diff.changed_facts == []
    assert diff.summary == ("100% of b is shared with a; rewords 1 paragraph; "
                            "1 spelling variant (Bazoum/Bozoum)")


def test_name_in_an_added_paragraph_spelled_like_a_name_of_a_is_a_variant():
    extra = ("Speaking to reporters after the meeting, Bozoum said the force would be ready by "
             "the end of the year and that talks with Mali were continuing.")
    text_b = "\n\n".join([*NIGER[:3], extra, NIGER[3]])
    diff = _diff(NIGER_TEXT, text_b)
    added = _only(diff, "added")
    assert added.b_text == extra
    [variant] = diff.spelling_variants
    assert (variant.a_form, variant.b_form) == ("Bazoum", "Bozoum")
    assert variant.a_start == NIGER_TEXT.index("Bazoum")  # a's first mention
    assert variant.b_start == text_b.index("Bozoum")  # inside the added paragraph
    assert added.b_start <= variant.b_start < variant.b_end <= added.b_end
    _assert_offsets(diff, NIGER_TEXT, text_b)
    assert diff.changed_facts == []
    assert diff.summary == ("81% of b is shared with a; adds 1 paragraph; "
                            "1 spelling variant (Bazoum/Bozoum)")


# ------------------------------------------------------------ changed facts

# (text, the words replaced, their replacement, the fact's kind, a_text, b_text);
# a_text/b_text are what the fact quotes, which may be wider or narrower than
# the replacement (a figure is widened to its separators, a negation on one
# side only has an empty span on the other).
FACTS = [
    (FLOOD_TEXT, "12,000", "15,000", "number", "12,000", "15,000"),
    (FLOOD_TEXT, "40 million", "45 million", "number", "40", "45"),
    (FLOOD_TEXT, "40 million", "40 billion", "number", "million", "billion"),
    (FLOOD_TEXT, "since Monday night", "since Tuesday night", "number", "Monday", "Tuesday"),
    (FLOOD_TEXT, "would be delayed", "would not be delayed", "negation", "", "not"),
    (FLOOD_NOT, "would not be delayed", "would be delayed", "negation", "not", ""),
    (FLOOD_TEXT, "could rise", "could fall", "opposite", "rise", "fall"),
    (FLOOD_TEXT, "could rise", "will rise", "modal", "could", "will"),
    (NIGER_TEXT, "countries will contribute", "countries would contribute", "modal", "will",
     "would"),
    (NIGER_TEXT, "minister of Chad", "minister of Mali", "name", "Chad", "Mali"),
    (NIGER_TEXT, "the European Union", "the African Union", "name", "European", "African"),
]


@pytest.mark.parametrize(("text_a", "old", "new", "kind", "a_text", "b_text"), FACTS,
                         ids=[f"{kind}:{old}->{new}" for _, old, new, kind, _, _ in FACTS])
def test_each_changed_fact_has_its_kind_and_offsets(text_a, old, new, kind, a_text, b_text):
    assert text_a.count(old) == 1
    text_b = text_a.replace(old, new)
    diff = _diff(text_a, text_b)
    reworded = _only(diff, "reworded")
    assert reworded.word_changes  # the fact comes from a word change of the passage
    [fact] = diff.changed_facts
    assert (fact.kind, fact.a_text, fact.b_text) == (kind, a_text, b_text)
    # the fact sits where the edit was, on both sides
    at = text_a.index(old)
    assert at <= fact.a_start <= fact.a_end <= at + len(old)
    assert at <= fact.b_start <= fact.b_end <= at + len(new)
    _assert_offsets(diff, text_a, text_b)
    # a change of meaning is never reported as a spelling
    assert diff.spelling_variants == []
    shown = (f'"{b_text}" added' if not a_text else f'"{a_text}" removed' if not b_text
             else f"{a_text} -> {b_text}")
    assert diff.summary == \
        f"100% of b is shared with a; changes 1 fact: {shown}; rewords 1 paragraph"


def test_negation_added_has_an_empty_span_on_a_where_it_goes():
    text_b = FLOOD_TEXT.replace("would be delayed", "would not be delayed")
    [fact] = _diff(FLOOD_TEXT, text_b).changed_facts
    # empty on a, just before "be", which is where b put "not"
    assert fact.a_start == fact.a_end == FLOOD_TEXT.index("be delayed")
    assert fact.b_start == text_b.index("not be delayed")


def test_same_amount_written_another_way_is_no_fact():
    text_b = FLOOD_TEXT.replace("40 million", "40 mln")
    diff = _diff(FLOOD_TEXT, text_b)
    reworded = _only(diff, "reworded")
    assert [(w.a_text, w.b_text) for w in reworded.word_changes] == [("million", "mln")]
    assert diff.changed_facts == [] and diff.spelling_variants == []


def test_similar_looking_surname_is_another_person_not_a_spelling():
    # Hansen/Jansen differ by one letter, but at the start of a short name:
    # another person named, in both mentions
    text_a = ("Police chief Erik Hansen said on Sunday that officers had arrested two men after "
              "the attack on the bus station, and that a third suspect was still being sought. "
              "Hansen said the motive was not yet clear.")
    text_b = text_a.replace("Hansen", "Jansen")
    diff = _diff(text_a, text_b)
    assert [(f.kind, f.a_text, f.b_text, f.a_start) for f in diff.changed_facts] == [
        ("name", "Hansen", "Jansen", 18), ("name", "Hansen", "Jansen", 161)]
    assert diff.spelling_variants == []
    _assert_offsets(diff, text_a, text_b)
    # and the person credited is another: the credits say so too
    assert diff.summary == ("100% of b is shared with a; changes 2 facts: Hansen -> Jansen; "
                            "Hansen -> Jansen; rewords 1 paragraph; credits Erik Jansen, not "
                            "credited in a; no longer credits Erik Hansen")


def test_spelling_and_fact_in_one_version_are_kept_apart():
    text_b = NIGER_TEXT.replace("Bazoum", "Bozoum").replace("minister of Chad",
                                                            "minister of Mali")
    diff = _diff(NIGER_TEXT, text_b)
    assert [(f.kind, f.a_text, f.b_text) for f in diff.changed_facts] == [
        ("name", "Chad", "Mali")]
    assert [(v.a_form, v.b_form) for v in diff.spelling_variants] == [("Bazoum", "Bozoum")]
    _assert_offsets(diff, NIGER_TEXT, text_b)
    assert diff.summary == ("100% of b is shared with a; changes 1 fact: Chad -> Mali; "
                            "rewords 1 paragraph; 1 spelling variant (Bazoum/Bozoum)")


# ------------------------------------------------------------ another language

FRENCH = "\n\n".join([
    "Le gouvernement a annoncé mercredi le déblocage de 250 millions d'euros pour venir en "
    "aide aux agriculteurs touchés par les inondations dans le sud-ouest du pays.",
    "Selon le ministère de l'Agriculture, plus de 3 000 exploitations ont subi des dégâts "
    "importants, notamment dans les départements du Gers et des Landes.",
    "Les premières indemnisations seront versées avant la fin du mois, a précisé le ministre "
    "lors d'une conférence de presse à Paris.",
])


def test_figure_changed_in_a_french_text_is_a_fact():
    text_b = FRENCH.replace("250 millions", "300 millions")
    diff = _diff(FRENCH, text_b)
    reworded = _only(diff, "reworded")
    assert [(w.a_text, w.b_text) for w in reworded.word_changes] == [("250", "300")]
    [fact] = diff.changed_facts
    assert (fact.kind, fact.a_text, fact.b_text) == ("number", "250", "300")
    assert fact.a_start == fact.b_start == FRENCH.index("250")
    _assert_offsets(diff, FRENCH, text_b)
    assert diff.spelling_variants == []
    assert diff.summary == ("100% of b is shared with a; changes 1 fact: 250 -> 300; "
                            "rewords 1 paragraph")
