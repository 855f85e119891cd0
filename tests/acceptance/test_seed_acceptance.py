"""The product's acceptance example: two real outlets' versions of one AP story."""

from __future__ import annotations

import pytest

import wiretrace
from wiretrace.stories.build import covered_chars


@pytest.fixture(scope="module")
def seed_result(seeds_dir):
    articles, rejected = wiretrace.read_articles([seeds_dir])
    assert rejected == []
    assert [a.id for a in articles] == ["niger-wagner-a", "niger-wagner-b"]
    return wiretrace.trace(articles)


def _coverage(result, article_id):
    spans = [(p.a_start, p.a_end) for p in result.passages_of(article_id)]
    return covered_chars(spans) / len(result.articles[article_id].text)


def test_one_story_with_both_articles(seed_result):
    assert len(seed_result.stories) == 1
    story = seed_result.stories[0]
    assert sorted(story.members) == ["niger-wagner-a", "niger-wagner-b"]
    # no dates and near-equal evidence: the input order (a before b) decides
    assert story.origin == "niger-wagner-a"
    assert [(e.source, e.target) for e in story.edges] == [("niger-wagner-a", "niger-wagner-b")]


def test_passages_cover_what_a_reader_sees_as_shared(seed_result):
    # Read by hand, A has about 10% of text with no counterpart in B (the AP
    # attribution clause, three subheadings, the troop-numbers paragraph) and
    # B about 15% (Vanguard paragraph, "Voice of America reports that ...",
    # the ousted-president clause, the closing line).
    cover_a, cover_b = _coverage(seed_result, "niger-wagner-a"), _coverage(seed_result,
                                                                            "niger-wagner-b")
    assert 0.85 <= cover_a <= 0.93
    assert 0.80 <= cover_b <= 0.90
    for p in seed_result.passages:
        assert p.a == "niger-wagner-a" and p.b == "niger-wagner-b"
        assert 0 <= p.a_start < p.a_end and 0 <= p.b_start < p.b_end
        assert 0 < p.score <= 1


def _in_passage(result, article_id, needle):
    text = result.articles[article_id].text
    start = text.index(needle)
    return any(p.a_start <= start and start + len(needle) <= p.a_end
               for p in result.passages_of(article_id))


def test_quotes_sit_inside_aligned_passages(seed_result):
    for article_id, quote in [
        ("niger-wagner-a", "They need (Wagner) because they will become their guarantee"),
        ("niger-wagner-b", "They need [Wagner] because they will become their guarantee"),
        ("niger-wagner-a", "recipe for chaos"),
        ("niger-wagner-b", "recipe for chaos"),
    ]:
        assert _in_passage(seed_result, article_id, quote), (article_id, quote)


def test_added_and_dropped_text(seed_result):
    diff = seed_result.diff_of("niger-wagner-b")
    assert diff.a == "niger-wagner-a"
    added = [c.b_text for c in diff.changes_of("added")]
    dropped = [c.a_text for c in diff.changes_of("dropped")]
    assert any(t.startswith("Vanguard") and "Nigerian Legislature" in t for t in added)
    assert "Some residents rejected the junta’s claims." in added
    assert any(t.startswith("France has 1,500 soldiers") and "1,100 military personnel" in t
               for t in dropped)
    for heading in ("Sunday deadline", "New Libya", "Waving Russian flags"):
        assert any(heading in t for t in dropped), heading
    # shared paragraphs are neither added nor dropped
    assert not any("Wassim Nasr" in t for t in added + dropped)


def test_spelling_variants(seed_result):
    diff = seed_result.diff_of("niger-wagner-b")
    pairs = {(v.a_form, v.b_form) for v in diff.spelling_variants}
    assert ("Bazoum", "Bozoum") in pairs
    assert ("Abdourahmane", "Abdourahamane") in pairs
    assert ("finalised", "finalized") in pairs
    text_a, text_b = (seed_result.articles[i].text for i in ("niger-wagner-a", "niger-wagner-b"))
    for v in diff.spelling_variants:
        assert text_a[v.a_start:v.a_end] == v.a_form
        assert text_b[v.b_start:v.b_end] == v.b_form


def test_reworded_passages_carry_word_changes(seed_result):
    diff = seed_result.diff_of("niger-wagner-b")
    reworded = diff.changes_of("reworded")
    edits = {(w.a_text, w.b_text) for c in reworded for w in c.word_changes}
    assert ("spokeswoman", "spokesperson") in edits
    assert ("turning", "turned") in edits
    text_a = seed_result.articles["niger-wagner-a"].text
    for change in reworded:
        for w in change.word_changes:
            assert text_a[w.a_start:w.a_end] == w.a_text
    assert diff.summary.startswith(
        f"{round(diff.b_shared * 100)}% of niger-wagner-b is shared with niger-wagner-a; adds 2")


def test_compare_gives_the_same_passages(seed_articles, seed_result):
    diff = wiretrace.compare(*seed_articles)
    assert [p.to_dict() for p in diff.passages] == [p.to_dict() for p in seed_result.passages]
