"""Unit tests of the aligner: sentence splitting, sentence similarity, seed
clustering and ``align_tokens`` end to end, on small hand-written news texts.

Every expected span or pairing below was worked out by reading the texts.
"""

from __future__ import annotations

import numpy as np
import pytest

from wiretrace.align import AlignedSpan, align_tokens
from wiretrace.align.chains import chain_passages
from wiretrace.align.clusters import cluster_seeds
from wiretrace.align.sentences import (
    STOP_WORDS,
    fragment_similarity,
    pair_vectors,
    similar_sentences,
    split_sentences,
    term_id,
)
from wiretrace.params import TraceParams
from wiretrace.text.tokens import sentence_spans, tokenize

# --------------------------------------------------------------------------
# Texts
# --------------------------------------------------------------------------

PORT_STRIKE = (
    "Dock workers at the port of Rotterdam walked off the job on Tuesday morning, halting the "
    "loading of container ships for the first time in more than thirty years. Union leaders "
    "said the strike would continue until the operator agreed to restore the night-shift bonus "
    "it scrapped in January. Shipping lines have already begun diverting vessels to Antwerp "
    "and Hamburg, where port officials warned that their own terminals were close to capacity."
)
LEEDS_BUDGET = (
    "The city council of Leeds approved a new budget on Monday that cuts funding for libraries "
    "and parks by a fifth. Councillors argued for hours over the plan before a narrow vote."
)
MADRID_COURT = (
    "Separately, a court in Madrid fined two energy companies for rigging electricity prices "
    "during last winter's cold snap."
)
CARMAKER = (
    "Germany's largest carmaker reported a sharp fall in quarterly profit as sales in China "
    "slowed and battery costs climbed."
)
FREIGHT = "Freight rates jumped overnight."
SNOW = (
    "Meanwhile, weather forecasters warned of heavy snow across Scandinavia later in the week, "
    "with flights likely to be disrupted."
)

RAIL_ORIGINAL = (
    "The government announced on Wednesday that it would spend four billion euros on new "
    "railway lines connecting the southern regions with the capital. Transport minister Elena "
    "Rossi told reporters that construction would begin next year and create thousands of jobs. "
    "Critics warned that the project had been promised by three previous governments and never "
    "delivered. Environmental groups welcomed the plan but demanded stricter protection for the "
    "wetlands along the proposed route. The opposition called the announcement an election "
    "stunt designed to win votes in the south."
)
# The same five sentences, words moved around inside each, a few swapped for
# synonyms (spend/invest, reporters/journalists, previous/earlier ...): no run
# of shared words long enough to make an exact passage.
RAIL_SHUFFLED = (
    "On Wednesday the government said it would invest four billion euros in railway lines to "
    "link the capital with regions in the south. Construction would start next year, creating "
    "thousands of jobs, Elena Rossi, the minister for transport, told journalists. Three "
    "earlier governments, critics warned, had promised the same project but never delivered "
    "it. Groups campaigning for the environment welcomed the plan, yet demanded that wetlands "
    "along the planned route get stricter protection. Designed to win southern votes, the "
    "announcement was an election stunt, the opposition said."
)
# A lighter rewording that keeps some runs of the original's words, so part
# of it (sentences 3 to 5, cut mid-sentence at both ends) is an exact chain.
RAIL_REWORDED = (
    "On Wednesday the government said four billion euros would be spent on railway lines "
    "linking the capital with new southern regions. Thousands of jobs would be created and "
    "construction would start next year, Elena Rossi, the transport minister, told journalists. "
    "Three previous governments had promised the project and never delivered it, critics "
    "warned. The plan was welcomed by environmental groups, who demanded protection for the "
    "wetlands stricter along the route proposed. An election stunt to win votes in the south "
    "was how the opposition described the announcement."
)

# 25 sentences in five paragraphs.
WILDFIRE_SOURCE = "\n\n".join([
    "A wildfire that broke out on Saturday near the village of Serra has burned more than "
    "twelve thousand hectares of pine forest in central Portugal. Strong winds carried embers "
    "across the valley overnight and the flames reached the outskirts of two small towns. "
    "Firefighters said the blaze had started in dry scrubland beside a farm track. Police are "
    "investigating whether it was caused by a discarded cigarette. Temperatures in the region "
    "have stayed above forty degrees for nine consecutive days.",
    "More than two thousand residents were evacuated from their homes during the night. Buses "
    "took elderly people to a sports hall in the district capital, where volunteers handed out "
    "blankets and water. Many farmers refused to leave and stayed behind to protect their "
    "livestock. Local officials said about forty houses had been destroyed and dozens more "
    "damaged. A shepherd was treated in hospital for burns to his arms and face.",
    "The civil protection agency deployed eight hundred firefighters and a dozen water-bombing "
    "aircraft. Spain and Italy each sent two planes under a European assistance programme. "
    "Crews worked through the night to cut firebreaks around the largest villages. By Monday "
    "afternoon commanders said half of the fire front had been brought under control. Smoke "
    "forced the closure of the main motorway between Lisbon and Porto for several hours.",
    "Scientists say that heatwaves in southern Europe are becoming longer and more intense. "
    "A study published last year found that the area burned in Portugal each summer has "
    "doubled since the nineteen eighties. Abandoned farmland, now covered in eucalyptus and "
    "scrub, provides ample fuel for fires. Forestry experts have long urged the government to "
    "pay landowners to clear undergrowth. Environmental groups also blame the spread of "
    "eucalyptus plantations grown for the paper industry.",
    "The prime minister visited the evacuation centre on Sunday evening and promised "
    "emergency aid for families who lost their homes. He said the government would declare a "
    "state of calamity in the affected districts. Opposition leaders accused the government "
    "of cutting the budget for forest management. Meteorologists expect cooler weather and "
    "light rain by Thursday. Until then, the authorities have banned all outdoor burning and "
    "the use of farm machinery in forests.",
])
# Four sentences, drawing on source sentences 1, 6, 11 and 22 in turn.
WILDFIRE_SUMMARY = (
    "A wildfire near the village of Serra has burned twelve thousand hectares of pine forest "
    "in central Portugal. More than two thousand residents were evacuated from their homes. "
    "The civil protection agency deployed eight hundred firefighters and water-bombing "
    "aircraft. The government will declare a state of calamity in the affected districts."
)
# Four sentences, each fusing two neighbouring source sentences (1+3, 6+9,
# 11+12+14, 21+22), as human summaries do.
WILDFIRE_FUSED_SUMMARY = (
    "A wildfire started in dry scrubland near Serra has burned twelve thousand hectares of "
    "forest in central Portugal during a heatwave. Two thousand residents were evacuated and "
    "forty houses destroyed. Eight hundred firefighters and water-bombing aircraft from Spain "
    "and Italy have brought half of the fire front under control. The prime minister promised "
    "emergency aid and a state of calamity for the affected districts."
)

FLOOD_1 = (
    "Heavy rain caused the river Severn to burst its banks on Friday, flooding hundreds of "
    "homes in Shrewsbury and forcing the closure of the town's railway station. The "
    "Environment Agency issued three severe flood warnings, meaning there is a danger to life."
)
FLOOD_2 = (
    "Soldiers were deployed to help residents build sandbag walls along the riverside streets. "
    "The agency said water levels were expected to peak late on Saturday before slowly falling "
    "during the first days of next week."
)
FLOOD_1_REWORDED = (
    "The river Severn burst its banks on Friday after heavy rain, and hundreds of homes in "
    "Shrewsbury were flooded while the railway station of the town had to close. Three severe "
    "flood warnings, which mean a danger to life, were issued by the Environment Agency."
)
FLOOD_2_REWORDED = (
    "Along the streets by the river, soldiers were sent in to help residents build walls of "
    "sandbags. Water levels should peak late on Saturday, the agency said, and then fall slowly "
    "during the first days of next week."
)
# Shorter than JOIN_GAP_CHARS, so only its being a whole paragraph keeps the
# passages on either side of it apart.
FLOOD_INSERT = (
    "Insurers estimate that the damage could cost them more than forty million pounds, "
    "according to an industry body."
)

BYLINE = "By our business staff. This article is part of our coverage of the European economy."
NEWSLETTER = (
    "Sign up for our free morning newsletter to get the day's top business stories delivered "
    "straight to your inbox before breakfast."
)

BANK_BEFORE = (
    "Shares in Northgate Bank fell by almost a third on Wednesday after the lender revealed a "
    "loss of two hundred million pounds on loans to commercial property developers. The bank "
    "said it would suspend its dividend and cut around nine hundred jobs over the next two years."
)
BANK_MIDDLE = (
    "Chief executive Sarah Quinn told analysts that the bank had been too slow to react to "
    "falling office values."
)
# Shares only "had" with BANK_MIDDLE, and is longer than ``max_gap`` words.
BANK_MIDDLE_REWRITTEN = (
    "Asked on a call with investors why problems had gone unnoticed for so long, its boss "
    "admitted mistakes."
)
BANK_AFTER = (
    "Regulators at the Prudential Regulation Authority are understood to have asked Northgate "
    "to strengthen its capital buffers before the end of the year. Rival lenders saw their own "
    "shares drop as investors worried about wider exposure to the property market."
)


def _align(text_a: str, text_b: str, params: TraceParams | None = None,
           **kwargs) -> list[AlignedSpan]:
    return align_tokens(text_a, tokenize(text_a), text_b, tokenize(text_b), params, **kwargs)


def _span_of(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    assert text.count(part) == 1
    return start, start + len(part)


def _sentences(text: str):
    return split_sentences(text, tokenize(text))


def _pieces(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


# --------------------------------------------------------------------------
# sentence_spans
# --------------------------------------------------------------------------

def test_hard_wrapped_prose_stays_one_sentence():
    text = ("The ministry said the new rules would take effect next month and\n"
            "apply to all importers of steel and aluminium products from outside\n"
            "the European Union. Traders welcomed the move.\n")
    assert _pieces(text) == [
        "The ministry said the new rules would take effect next month and\n"
        "apply to all importers of steel and aluminium products from outside\n"
        "the European Union.",
        "Traders welcomed the move.",
    ]


def test_blank_line_ends_a_sentence_without_punctuation():
    text = ("Shares rose sharply on Monday as investors cheered the news from Washington\n"
            "\n"
            "Analysts expect further gains this week.")
    assert _pieces(text) == ["Shares rose sharply on Monday as investors cheered the news "
                             "from Washington", "Analysts expect further gains this week."]


def test_short_heading_line_is_its_own_sentence():
    text = "Markets rally\nShares rose sharply on Monday as investors cheered the news."
    assert _pieces(text) == ["Markets rally",
                             "Shares rose sharply on Monday as investors cheered the news."]


def test_abbreviations_before_lower_case_do_not_split():
    text = ("U.S. officials said the talks would resume in Geneva. Some goods, e.g. the steel "
            "pipes made in Ohio, are exempt from the tariffs.")
    assert _pieces(text) == ["U.S. officials said the talks would resume in Geneva.",
                             "Some goods, e.g. the steel pipes made in Ohio, are exempt from "
                             "the tariffs."]


def test_lost_space_after_full_stop_splits():
    text = "She holds a degree from the study.Bachelor's programmes are popular."
    assert _pieces(text) == ["She holds a degree from the study.",
                             "Bachelor's programmes are popular."]


def test_chinese_full_stops_split():
    text = "政府周一宣布新措施。市场反应积极！投资者表示欢迎。"
    assert _pieces(text) == ["政府周一宣布新措施。", "市场反应积极！", "投资者表示欢迎。"]


def test_spans_are_trimmed_offsets_into_the_original():
    text = "  First sentence here.   Second one follows.  \n"
    assert sentence_spans(text) == [(2, 22), (25, 44)]
    assert [text[s:e] for s, e in sentence_spans(text)] == ["First sentence here.",
                                                             "Second one follows."]


def test_text_without_letters_has_no_sentences():
    assert sentence_spans(" ... \n\n -- ") == []


# --------------------------------------------------------------------------
# split_sentences
# --------------------------------------------------------------------------

def test_short_sentence_joins_the_next():
    # "He agreed." has one content term: joined to the following sentence.
    text = "He agreed. The central bank raised interest rates by half a point on Thursday."
    sentences = _sentences(text)
    assert len(sentences) == 1
    assert (int(sentences.starts[0]), int(sentences.ends[0])) == (0, len(text))
    assert (int(sentences.token_first[0]), int(sentences.token_end[0])) == (0, 14)


def test_short_sentence_before_a_line_break_stays_alone():
    text = "He agreed.\nThe central bank raised interest rates by half a point on Thursday."
    sentences = _sentences(text)
    spans = [text[s:e] for s, e in zip(sentences.starts, sentences.ends, strict=True)]
    assert spans == ["He agreed.",
                     "The central bank raised interest rates by half a point on Thursday."]
    assert [len(t) for t in sentences.terms] == [1, 8]


def test_short_last_sentence_is_kept_on_its_own():
    text = "The central bank raised interest rates on Thursday. He agreed."
    sentences = _sentences(text)
    assert [text[s:e] for s, e in zip(sentences.starts, sentences.ends, strict=True)] == [
        "The central bank raised interest rates on Thursday.", "He agreed."]


def test_content_terms_leave_out_stop_words():
    text = "The company was running out of cash."
    sentences = _sentences(text)
    assert len(sentences) == 1
    assert sentences.terms[0].tolist() == [term_id("company"), term_id("running"),
                                           term_id("cash")]
    for word in ("the", "was", "out", "of", "said"):
        assert word in STOP_WORDS and term_id(word) == -1


def test_stems_unify_inflections():
    assert term_id("running") == term_id("runs") == term_id("run")
    assert term_id("officials") == term_id("official")
    assert term_id("running") != term_id("ruined")
    a = _sentences("The marathon runs through the old harbour district.")
    b = _sentences("Thousands were running through the harbour district of the old town.")
    assert term_id("runs") in set(a.terms[0].tolist()) & set(b.terms[0].tolist())


# --------------------------------------------------------------------------
# similar_sentences / pair_vectors / fragment_similarity
# --------------------------------------------------------------------------

FARMERS = "Farmers in the north reported the worst harvest in a decade after months of drought."
STADIUM = ("A new stadium for the city's football club will open in the spring after years of "
           "delays.")
RAIL_OTHER = FARMERS + " " + STADIUM


def _similar(text_a: str, text_b: str, threshold: float) -> dict[tuple[int, int], float]:
    a, b = _sentences(text_a), _sentences(text_b)
    return similar_sentences(a, b, pair_vectors(a, b), threshold)


def test_reworded_sentence_pairs_with_its_original():
    reworded = RAIL_SHUFFLED.split(". ")[0] + "."
    original = RAIL_ORIGINAL.split(". ")[0] + "."
    pairs = _similar(reworded, RAIL_OTHER + " " + original, 0.33)
    assert list(pairs) == [(0, 2)]
    assert 0.33 <= pairs[0, 2] < 1


def test_one_shared_name_is_no_evidence():
    a_text = ("Rossi also faces questions from parliament about the rising cost of a motorway "
              "bridge in Sicily.")
    b_text = RAIL_OTHER + " " + RAIL_ORIGINAL
    a, b = _sentences(a_text), _sentences(b_text)
    shared = [len(set(a.terms[0].tolist()) & set(t.tolist())) for t in b.terms]
    assert shared == [0, 0, 0, 1, 0, 0, 0]  # "Rossi", in the minister's sentence
    assert similar_sentences(a, b, pair_vectors(a, b), 1e-9) == {}


A0 = "The central bank raised interest rates by half a point to fight rising inflation."
A1 = "Economists expect the central bank to cut interest rates next year as inflation eases."
B0 = "To fight rising inflation, the central bank raised interest rates by half a point."
B1 = "Economists expect the central bank to cut interest rates again next year as inflation eases."


def test_best_match_filter_keeps_the_strongest_pairing():
    # A0 shares five terms with B1 (central, bank, interest, rates, inflation),
    # a weak pairing above the tiny threshold; B1's best partner is A1.
    pairs = _similar(" ".join([A0, A1, FARMERS]), " ".join([B0, B1, STADIUM]), 1e-9)
    assert set(pairs) == {(0, 0), (1, 1)}
    # A1 and B1 differ only by a stop word ("again"): the same terms
    assert pairs[0, 0] == pytest.approx(1.0) and pairs[1, 1] == pytest.approx(1.0)
    # Without A1, A0 is B1's best partner and the weak pairing stays.
    pairs = _similar(" ".join([A0, FARMERS]), " ".join([B0, B1, STADIUM]), 1e-9)
    assert set(pairs) == {(0, 0), (0, 1)}
    assert pairs[0, 1] < 0.33


def test_pair_vectors_weigh_terms_by_rarity_across_both_texts():
    a, b = _sentences(" ".join([A0, FARMERS])), _sentences(" ".join([B0, STADIUM]))
    vectors = pair_vectors(a, b)
    terms = {t for s in (a, b) for row in s.terms for t in row.tolist()}
    assert vectors.vocabulary == len(terms)
    # "bank" is in 2 of the 4 sentences (idf log 2), "drought" in 1 (idf log 4).
    bank = int(np.flatnonzero(a.posting_terms == term_id("bank"))[0])
    drought = int(np.flatnonzero(a.posting_terms == term_id("drought"))[0])
    assert vectors.weights_a[bank] == pytest.approx(np.log(2))
    assert vectors.weights_a[drought] == pytest.approx(np.log(4))


def test_fragment_similarity_of_reworded_and_unrelated_paragraphs():
    original, shuffled, port = (_sentences(t) for t in (RAIL_ORIGINAL, RAIL_SHUFFLED,
                                                        PORT_STRIKE))
    assert fragment_similarity(pair_vectors(original, original), range(5), range(5)) \
        == pytest.approx(1.0)
    assert fragment_similarity(pair_vectors(shuffled, original), range(5), range(5)) > 0.6
    assert fragment_similarity(pair_vectors(port, original), range(3), range(5)) < 0.05
    assert fragment_similarity(pair_vectors(shuffled, original), range(0), range(5)) == 0.0


# --------------------------------------------------------------------------
# cluster_seeds
# --------------------------------------------------------------------------

def test_seeds_within_the_gap_form_one_cluster():
    # one sentence without a seed (2) between seeds 1 and 3: within max_gap=1
    assert cluster_seeds([(0, 0), (1, 1), (3, 3)], 1) == [[(0, 0), (1, 1), (3, 3)]]
    # order inside a cluster is free: shuffled sentences stay together
    assert cluster_seeds([(0, 1), (1, 0), (2, 2)], 0) == [[(1, 0), (0, 1), (2, 2)]]


def test_far_seeds_split():
    assert cluster_seeds([(0, 0), (1, 1), (4, 4)], 1) == [[(0, 0), (1, 1)], [(4, 4)]]
    # far on side b only
    assert cluster_seeds([(0, 0), (1, 1), (2, 9)], 1) == [[(0, 0), (1, 1)], [(2, 9)]]
    # a cut on b separates (0, 0) from (3, 1) on a in the next round
    assert cluster_seeds([(0, 0), (3, 1), (1, 10)], 1) == [[(0, 0)], [(3, 1)], [(1, 10)]]
    assert cluster_seeds([], 4) == []


def test_asymmetric_gap_on_side_b():
    seeds = [(0, 0), (1, 8), (2, 16)]  # seven sentences without a seed between them on b
    assert cluster_seeds(seeds, 1) == [[(0, 0)], [(1, 8)], [(2, 16)]]
    assert cluster_seeds(seeds, 1, max_gap_b=7) == [seeds]
    assert cluster_seeds(seeds, 1, max_gap_b=6) == [[(0, 0)], [(1, 8)], [(2, 16)]]
    # the gap on side a is unchanged
    assert cluster_seeds([(0, 0), (3, 1)], 1, max_gap_b=30) == [[(0, 0)], [(3, 1)]]


# --------------------------------------------------------------------------
# align_tokens end to end
# --------------------------------------------------------------------------

def test_verbatim_paragraph_is_one_exact_passage():
    text_a = "\n\n".join([LEEDS_BUDGET, PORT_STRIKE, MADRID_COURT])
    text_b = "\n\n".join([CARMAKER, FREIGHT, PORT_STRIKE, SNOW])
    [passage] = _align(text_a, text_b)
    assert text_a[passage.a_start:passage.a_end] == PORT_STRIKE
    assert text_b[passage.b_start:passage.b_end] == PORT_STRIKE
    assert (passage.a_start, passage.a_end) == _span_of(text_a, PORT_STRIKE)
    assert (passage.b_start, passage.b_end) == _span_of(text_b, PORT_STRIKE)
    assert passage.score == 1.0
    assert passage.matched_words == len(tokenize(PORT_STRIKE)) == 73


def test_shuffled_paragraph_with_synonyms_is_one_passage():
    text_a = "\n\n".join([LEEDS_BUDGET, RAIL_SHUFFLED, MADRID_COURT])
    text_b = "\n\n".join([CARMAKER, FREIGHT, RAIL_ORIGINAL, SNOW])
    # no exact passage: it is found through its sentences alone
    assert chain_passages(text_a, tokenize(text_a), text_b, tokenize(text_b)) == []
    [passage] = _align(text_a, text_b)
    assert text_a[passage.a_start:passage.a_end] == RAIL_SHUFFLED
    assert text_b[passage.b_start:passage.b_end] == RAIL_ORIGINAL
    assert 0 < passage.score < 1
    assert passage.matched_words >= TraceParams().min_passage_words


def test_partly_exact_reworded_paragraph_is_covered_whole():
    # an exact chain starting and ending mid-sentence must seed the sentence
    # pairs it runs through (a4-b4 ... a6-b6), not pairs one row apart
    text_a = "\n\n".join([LEEDS_BUDGET, RAIL_REWORDED, MADRID_COURT])
    text_b = "\n\n".join([CARMAKER, FREIGHT, RAIL_ORIGINAL, SNOW])
    [passage] = _align(text_a, text_b)
    assert text_b[passage.b_start:passage.b_end] == RAIL_ORIGINAL
    assert 0 < passage.score < 1
    assert text_a[passage.a_start:passage.a_end] == RAIL_REWORDED


def test_summary_is_one_passage_over_the_whole_source():
    assert len(sentence_spans(WILDFIRE_SOURCE)) == 25
    assert len(sentence_spans(WILDFIRE_SUMMARY)) == 4
    [passage] = _align(WILDFIRE_SUMMARY, WILDFIRE_SOURCE)
    assert (passage.a_start, passage.a_end) == (0, len(WILDFIRE_SUMMARY))
    # the summary draws on sentences 1 to 22 of 25: more than half, so the
    # whole source is its counterpart
    assert (passage.b_start, passage.b_end) == (0, len(WILDFIRE_SOURCE))
    assert 0 < passage.score < 0.25


def test_summary_fusing_neighbouring_sentences_is_one_passage():
    # each summary sentence fuses two neighbouring source sentences: two
    # seeds per sentence is still a summary
    [passage] = _align(WILDFIRE_FUSED_SUMMARY, WILDFIRE_SOURCE)
    assert (passage.a_start, passage.a_end) == (0, len(WILDFIRE_FUSED_SUMMARY))
    assert (passage.b_start, passage.b_end) == (0, len(WILDFIRE_SOURCE))


@pytest.mark.parametrize("first, second", [(FLOOD_1, FLOOD_2),
                                           (FLOOD_1_REWORDED, FLOOD_2_REWORDED)],
                         ids=["verbatim", "reworded"])
def test_inserted_paragraph_is_in_no_passage(first, second):
    text_a = first + "\n\n" + second
    text_b = FLOOD_1 + "\n\n" + FLOOD_INSERT + "\n\n" + FLOOD_2
    passages = _align(text_a, text_b)
    assert [(p.a_start, p.a_end) for p in passages] == [_span_of(text_a, first),
                                                        _span_of(text_a, second)]
    assert [(p.b_start, p.b_end) for p in passages] == [_span_of(text_b, FLOOD_1),
                                                        _span_of(text_b, FLOOD_2)]
    insert_start, insert_end = _span_of(text_b, FLOOD_INSERT)
    assert all(p.b_end <= insert_start or p.b_start >= insert_end for p in passages)


def _flags(text: str, tokens, *parts: str) -> np.ndarray:
    flags = np.zeros(len(tokens), dtype=bool)
    for part in parts:
        start, end = _span_of(text, part)
        flags |= (tokens.starts >= start) & (tokens.ends <= end)
    return flags


def test_boilerplate_never_starts_a_passage():
    text_a = "\n\n".join([LEEDS_BUDGET, BYLINE + "\n" + PORT_STRIKE, MADRID_COURT, NEWSLETTER])
    text_b = "\n\n".join([CARMAKER, BYLINE + "\n" + PORT_STRIKE, SNOW, NEWSLETTER])
    tokens_a, tokens_b = tokenize(text_a), tokenize(text_b)
    # unflagged, the byline joins the passage and the newsletter line is one
    plain = align_tokens(text_a, tokens_a, text_b, tokens_b)
    assert [text_a[p.a_start:p.a_end] for p in plain] == [BYLINE + "\n" + PORT_STRIKE,
                                                          NEWSLETTER]
    ignore_a = _flags(text_a, tokens_a, BYLINE, NEWSLETTER)
    ignore_b = _flags(text_b, tokens_b, BYLINE, NEWSLETTER)
    [passage] = align_tokens(text_a, tokens_a, text_b, tokens_b, None, ignore_a, ignore_b)
    assert text_a[passage.a_start:passage.a_end] == PORT_STRIKE
    assert text_b[passage.b_start:passage.b_end] == PORT_STRIKE
    first_a = int(np.searchsorted(tokens_a.starts, passage.a_start))
    first_b = int(np.searchsorted(tokens_b.starts, passage.b_start))
    assert not ignore_a[first_a] and not ignore_b[first_b]


PHRASE = "the verdict of the match officials was final and binding"  # 10 words, 56 chars
REFEREE_A = (
    "Fans of the home side booed for several minutes after the penalty was awarded in "
    f"stoppage time. Club directors conceded on Sunday that {PHRASE}, and the team will now "
    "focus on Saturday's cup tie."
)
REFEREE_B = (
    "The league's disciplinary panel met on Thursday to review a complaint from the visiting "
    f"club. Its chairman told a news conference {PHRASE} under the current rules of the "
    "competition."
)


def test_shared_ten_word_phrase_is_below_the_minimum_passage():
    assert TraceParams().min_passage_words == 14
    assert len(tokenize(PHRASE)) == 10
    assert _align(REFEREE_A, REFEREE_B) == []
    assert _align(REFEREE_A, REFEREE_B, TraceParams(min_passage_words=11)) == []
    [passage] = _align(REFEREE_A, REFEREE_B, TraceParams(min_passage_words=10))
    assert REFEREE_A[passage.a_start:passage.a_end] == PHRASE + ","  # the comma is taken in
    assert REFEREE_B[passage.b_start:passage.b_end] == PHRASE
    assert (passage.score, passage.matched_words) == (1.0, 10)


@pytest.mark.parametrize("params", [TraceParams(), TraceParams(sentence_similarity=1.0)],
                         ids=["default", "exact-only"])
def test_passages_split_by_one_rewritten_sentence_are_joined(params):
    paragraph_a = " ".join([BANK_BEFORE, BANK_MIDDLE_REWRITTEN, BANK_AFTER])
    paragraph_b = " ".join([BANK_BEFORE, BANK_MIDDLE, BANK_AFTER])
    text_a, text_b = LEEDS_BUDGET + "\n\n" + paragraph_a, CARMAKER + "\n\n" + paragraph_b
    # the exact wording alone is two passages, either side of the rewritten sentence
    chains = chain_passages(text_a, tokenize(text_a), text_b, tokenize(text_b))
    assert [text_a[c.a_start:c.a_end] for c in chains] == [BANK_BEFORE, BANK_AFTER]
    [passage] = _align(text_a, text_b, params)
    assert text_a[passage.a_start:passage.a_end] == paragraph_a
    assert text_b[passage.b_start:passage.b_end] == paragraph_b
    # 47 + 40 words of exact wording, plus "had" shared by the middle sentences,
    # over the 47 + 19 + 40 words of side b
    assert passage.matched_words == 88
    assert passage.score == round(88 / 106, 4)


def test_alignment_is_deterministic():
    pairs = [
        ("\n\n".join([LEEDS_BUDGET, RAIL_SHUFFLED, MADRID_COURT]),
         "\n\n".join([CARMAKER, FREIGHT, RAIL_ORIGINAL, SNOW])),
        (WILDFIRE_SUMMARY, WILDFIRE_SOURCE),
        (FLOOD_1_REWORDED + "\n\n" + FLOOD_2_REWORDED,
         FLOOD_1 + "\n\n" + FLOOD_INSERT + "\n\n" + FLOOD_2),
    ]
    for text_a, text_b in pairs:
        tokens_a, tokens_b = tokenize(text_a), tokenize(text_b)
        first = align_tokens(text_a, tokens_a, text_b, tokens_b)
        assert first
        assert align_tokens(text_a, tokens_a, text_b, tokens_b) == first  # cached sentences
        assert _align(text_a, text_b) == first  # fresh tokens


def _runs_by_brute_force(grams_a, grams_b, ignore_a, ignore_b, n, max_gap, max_repeats):
    """Anchors and diagonal runs spelled out with plain loops: the definition."""
    from collections import Counter

    count_a, count_b = Counter(grams_a), Counter(grams_b)
    anchors = [(i, j) for i, g in enumerate(grams_a) for j, h in enumerate(grams_b)
               if g == h and count_a[g] <= max_repeats and count_b[g] <= max_repeats
               and not (ignore_a[i] or ignore_a[i + n - 1] or ignore_b[j] or ignore_b[j + n - 1])]
    anchors.sort(key=lambda ij: (ij[0] - ij[1], ij[0]))
    runs, current = [], []
    for i, j in anchors:
        last_i, last_j = current[-1] if current else (0, 0)
        if current and (i - j != last_i - last_j or i - last_i > max_gap + n):
            runs.append(current)
            current = []
        current.append((i, j))
    if current:
        runs.append(current)
    out = []
    for run in runs:
        covered = sum(min(nxt[0] - cur[0], n) for cur, nxt in zip(run, run[1:], strict=False)) + n
        out.append((run[0][0], run[-1][0] + n, run[0][1], run[-1][1] + n, covered))
    return sorted(out, key=lambda r: (r[0], r[2]))


def test_compiled_anchor_runs_equal_their_definition():
    import numpy as np

    from wiretrace.align.chaining import anchor_runs

    rng = np.random.default_rng(3)
    n, checked = 3, 0
    for _ in range(60):
        # small vocabularies make repeats, shared stretches and shifted diagonals
        vocabulary = int(rng.integers(3, 40))
        grams_a = rng.integers(0, vocabulary, size=int(rng.integers(0, 80))).astype(np.uint64)
        grams_b = np.concatenate([grams_a[int(rng.integers(0, 10)):],
                                  rng.integers(0, vocabulary, size=int(rng.integers(0, 30)))
                                  ]).astype(np.uint64)
        rng.shuffle(grams_b[: len(grams_b) // 4])
        ignore_a = rng.random(len(grams_a) + n - 1) < 0.05
        ignore_b = rng.random(len(grams_b) + n - 1) < 0.05
        order_a, order_b = np.argsort(grams_a, kind="stable"), np.argsort(grams_b, kind="stable")
        runs = anchor_runs(order_a, grams_a[order_a], order_b, grams_b[order_b],
                           ignore_a, ignore_b, n, 4, 3)
        expected = _runs_by_brute_force(grams_a.tolist(), grams_b.tolist(), ignore_a, ignore_b,
                                        n, 4, 3)
        assert [tuple(r) for r in runs.tolist()] == expected
        checked += len(expected)
    assert checked > 100, "the random texts must share enough to test anything"
