"""Attribution on the seed pair and on text built to break it."""

from __future__ import annotations

import pytest

from wiretrace import compare
from wiretrace.attribute import attribute_text
from wiretrace.attribute.entities import EntityResolver, outlet_of
from wiretrace.attribute.provenance import story_provenance
from wiretrace.evaluate.corpora import data_dir
from wiretrace.model import Article, Attribution, DerivationEdge, Story


def seed(name: str) -> Article:
    path = data_dir() / "seeds" / f"{name}.txt"
    return Article(id=name, text=path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pair() -> tuple[Article, Article]:
    return seed("niger-wagner-a"), seed("niger-wagner-b")


def credited(found: list[Attribution]) -> set[str]:
    return {e for item in found for e in item.credited}


def assert_spans_inside(text: str, found: list[Attribution]) -> None:
    for item in found:
        for start, end, words in ((item.source_start, item.source_end, item.source_text),
                                  (item.cue_start, item.cue_end, item.cue_text),
                                  (item.content_start, item.content_end, item.content_text)):
            if start is None:
                assert end is None and words is None
                continue
            assert 0 <= start < end <= len(text)
            assert text[start:end] == words
        if item.medium_start is not None:
            assert 0 <= item.medium_start < item.medium_end <= len(text)


def test_version_a_credits_the_ap_nasr_france_24_state_tv_and_legendre(pair):
    a, _ = pair
    found = attribute_text(a.text, a.id)
    assert_spans_inside(a.text, found)
    assert {"AP", "Wassim Nasr", "France 24", "Niger’s state television",
            "Anne-Claire Legendre", "BFM"} <= credited(found)
    legendre = next(x for x in found if x.source_entity == "Anne-Claire Legendre"
                    and x.medium_entity)
    assert legendre.medium_entity == "BFM" and legendre.cue_text == "told"
    ap_lead = next(x for x in found if x.source_entity == "AP" and x.kind == "reported_by")
    assert ap_lead.source_text == "the AP news agency"
    assert ap_lead.content_text.startswith("Niger’s new military junta has asked for help")


def test_version_b_credits_vanguard_voa_the_ap_as_nasrs_medium_and_france_24(pair):
    _, b = pair
    found = attribute_text(b.text, b.id)
    assert_spans_inside(b.text, found)
    assert {"Vanguard", "VOA", "AP", "Wassim Nasr", "France 24"} <= credited(found)
    nasr = next(x for x in found if x.source_entity == "Wassim Nasr" and x.medium_entity)
    assert nasr.medium_entity == "AP"
    assert b.text[nasr.medium_start:nasr.medium_end] == "The Associated Press"
    voa = next(x for x in found if x.source_entity == "VOA")
    assert voa.source_text == "Voice of America" and voa.kind == "reported_by"
    assert voa.content_text.startswith("the request for Wagner’s help came during a visit")


def test_the_wagner_quote_is_nasrs_in_both_versions(pair):
    for article in pair:
        quote = next(x for x in attribute_text(article.text) if x.kind == "direct_quote"
                     and x.content_text.startswith("“They need"))
        assert quote.source_text == "he" and quote.source_entity == "Wassim Nasr"


def test_diff_of_b_against_a_lists_the_credits_it_adds_and_the_credit_it_cuts(pair):
    a, b = pair
    diff = compare(a, b)
    assert [c.entity for c in diff.credits_added] == ["Vanguard", "VOA"]
    assert [b.text[c.start:c.end] for c in diff.credits_added] == ["Vanguard", "Voice of America"]
    assert diff.credits_dropped == []  # every named credit of a is still in b
    cut = [c for c in diff.credits_changed if c.kind == "credit_cut"]
    assert [c.a_entity for c in cut] == ["AP"]  # the lead kept, "the AP news agency reports" cut
    assert "credits Vanguard and Voice of America, not credited in niger-wagner-a" in diff.summary
    assert "cuts the credit to AP" in diff.summary
    # "(Wagner)" and "[Wagner]": the same words, so no altered quote
    assert not [c for c in diff.credits_changed if c.kind == "quote_altered"]
    row = diff.to_dict()
    assert row["credits_added"][0] == {"entity": "Vanguard", "start": c_start(b, "Vanguard"),
                                       "end": c_start(b, "Vanguard") + 8, "text": "Vanguard"}


def c_start(article: Article, word: str) -> int:
    return article.text.index(word)


def test_an_altered_quote_and_a_changed_credit_are_changes_of_their_own():
    a = ("The minister spoke on Monday. “We will never raise taxes on families,” "
         "Finance Minister Jane Doe said in Paris.\n\nShe added that the budget was balanced.")
    b = a.replace("never raise taxes on families", "not raise taxes on most families")
    diff = compare(a, b)
    altered = [c for c in diff.credits_changed if c.kind == "quote_altered"]
    assert len(altered) == 1 and altered[0].a_entity == altered[0].b_entity == "Jane Doe"
    assert "alters 1 quote" in diff.summary


def test_provenance_reads_nasr_to_ap_to_voa_to_version_b(pair):
    a, b = pair
    story = Story("s", [a.id, b.id], a.id, "earliest published",
                  [DerivationEdge(a.id, b.id, 0.87, 0.8, 2000)])
    found = {x.id: attribute_text(x.text, x.id) for x in pair}
    graph = story_provenance(story, [a.id, b.id], found)
    steps = {(e.source, e.target, e.relation) for e in graph.edges}
    assert {("Wassim Nasr", "AP", "told"), ("AP", "VOA", "relayed"),
            ("VOA", b.id, "credited_by"), (a.id, b.id, "derived")} <= steps
    quote = next(q for q in graph.quotes if q.text.startswith("“They need"))
    assert quote.speaker == "Wassim Nasr" and quote.first_version == a.id
    assert quote.versions == (a.id, b.id) and quote.altered_in == ()


@pytest.mark.parametrize("text", [
    "",
    "   \n\n  ",
    "He said “this quote never closes and runs on to the end",
    "“First paragraph of a quote that runs on.\n\n“And goes on in the next,” she said.",
    "“He told me ‘never again’ twice,” the witness said. “Nested ‘quotes’ inside.”",
    "Plain text without any quotation marks or any source at all.",
    "Der Sprecher sagte, die Regierung werde „keine Steuern erhöhen“, berichtete die dpa.",
    "新华社报道，警方表示“调查正在进行”。",
    "”Backwards” marks“ and ” stray ones “ everywhere, said Ann Lee.",
    "said said said told told according to according to reports that",
    "\x00\x01 control \x7f characters, the AP reported \ufffd.",
    "A" * 5000 + " said the official.",
])
def test_text_built_to_break_it_gives_spans_inside_the_text(text):
    found = attribute_text(text, "x")
    assert_spans_inside(text, found)
    assert all(x.kind in ("direct_quote", "indirect", "reported_by", "according_to")
               for x in found)


def test_outlets_go_by_one_name():
    assert outlet_of("The Associated Press") == outlet_of("the AP news agency") == "AP"
    assert outlet_of("Voice of America") == outlet_of("VOA") == "VOA"
    assert outlet_of("broadcaster BFM") == "BFM"
    assert outlet_of("a Western military official") is None


def test_pronouns_surnames_and_roles_resolve_to_the_person_named_before():
    resolver = EntityResolver("Gen. Salifou Mody met them.")
    assert resolver.resolve("Mody") == "Salifou Mody"
    assert resolver.resolve("French ministry spokeswoman Anne-Claire Legendre") == \
        "Anne-Claire Legendre"
    assert resolver.resolve("The spokeswoman") == "Anne-Claire Legendre"
    assert resolver.resolve("she") == "Anne-Claire Legendre"
    assert resolver.resolve("a Western military official") == "Western military official"
    assert resolver.resolve("who") is None


def test_outlets_that_take_text_and_whether_they_credit_it(pair):
    from wiretrace.attribute.provenance import outlet_credits

    a, b = pair
    outlets = {a.id: "The Associated Press", b.id: "Vanguard", "c": "Vanguard", "d": "Punch"}
    stories = [Story("s1", [a.id, b.id], a.id, "earliest published",
                     [DerivationEdge(a.id, b.id, 0.87, 0.8, 2000)]),
               Story("s2", ["c", "d"], "c", "earliest published",
                     [DerivationEdge("c", "d", 0.5, 0.5, 900)])]
    credits = {b.id: [x for x in attribute_text(b.text, b.id) if x.is_credit]}
    rows = outlet_credits(stories, outlets.get, credits)
    assert [(r.outlet, r.source_outlet, r.taken, r.credited) for r in rows] == [
        ("Vanguard", "The Associated Press", 1, 1),  # b credits AP (told The Associated Press)
        ("Punch", "Vanguard", 1, 0)]
