"""wiretrace from a notebook: named texts, rich displays, tables for pandas."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import wiretrace
from wiretrace.model import Article

WIRE = ("Officials said on Monday that the Svislach bridge would reopen next week.\n\n"
        "The mayor, Ivan Petrov, thanked the workers for their speed.\n\n"
        "Repairs cost an estimated 4 million roubles, the ministry said.")
PAPER = ("Officials said on Monday that the Svislach bridge would reopen next week.\n\n"
         "The mayor, Ivan Petrov, praised the workers for their speed.\n\n"
         "Repairs cost an estimated 6 million roubles, the ministry said.\n\n"
         "Local residents welcomed the news.")


def test_compare_names_the_texts_and_shows_what_changed():
    diff = wiretrace.compare(WIRE, PAPER, a_id="wire", b_id="paper")
    assert (diff.a, diff.b) == ("wire", "paper")
    html = diff._repr_html_()
    assert "<b>paper</b> against <b>wire</b>" in html
    assert "Added (1 paragraph)" in html and "Local residents welcomed the news." in html
    assert '<del class="was">thanked</del><ins class="now">praised</ins>' in html
    assert "Changed facts (1)" in html and '<span class="fact">4</span>' in html
    # articles keep their own ids
    named = wiretrace.compare(Article("w1", WIRE), Article("p1", PAPER), a_id="x")
    assert (named.a, named.b) == ("w1", "p1")


def test_a_run_shows_its_stories_and_gives_its_tables():
    paper = PAPER.replace("6 million", "4 million").replace("would reopen", "would not reopen")
    morning = datetime(2024, 5, 6, 9, tzinfo=timezone.utc)
    result = wiretrace.trace([Article("wire", WIRE, "Bridge to reopen", published=morning),
                              Article("paper", paper, "Bridge reopens",
                                      published=morning + timedelta(hours=3)),
                              Article("other", "Unrelated weather report for the hills.")])
    html = result._repr_html_()
    assert "3 articles, 1 story" in html and "Bridge to reopen" in html
    story_html = result.stories[0]._repr_html_()
    assert "2 articles, origin <b>wire</b>" in story_html
    tables = result.to_arrow()
    assert tables["articles"].num_rows == 3 and tables["stories"].num_rows == 1
    assert tables["diffs"].column("b").to_pylist() == ["paper"]
    assert tables["changed_facts"].column("b_text").to_pylist() == ["not"]
    assert set(tables["passages"].column_names) >= {"a", "b", "a_start", "kind"}
    pytest.importorskip("pandas")
    frames = result.to_pandas()
    articles = frames["articles"].set_index("id")
    assert articles.loc["paper", "story"] == articles.loc["wire", "story"] == "story-1"
    assert articles.loc["other", "story"] is None
    assert list(frames["diffs"]["added"]) == [1]


def test_a_long_rewritten_stretch_is_shown_by_its_ends():
    from wiretrace.output.changes_view import one_line, shortened

    assert shortened("a few words\n  kept") == "a few words kept"
    long = " ".join(f"w{k}" for k in range(40))
    assert shortened(long) == ("w0 w1 w2 w3 w4 w5 w6 w7 w8 … (26 words) … w35 w36 w37 w38 w39")
    assert one_line("Vanguard\u00a0reports\n    that") == "Vanguard\u00a0reports that"
