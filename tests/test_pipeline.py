"""End-to-end behaviour of ``trace`` on small real corpora built from BBC text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import wiretrace
from wiretrace.model import Article
from wiretrace.text.tokens import paragraph_spans


def _paragraphs(article: Article) -> list[str]:
    return [article.text[s:e] for s, e in paragraph_spans(article.text)]


def test_spliced_article_finds_both_sources(bbc):
    politics, tech = bbc["politics/049"], bbc["tech/151"]
    p_paras, t_paras = _paragraphs(politics), _paragraphs(tech)
    own = "Our correspondent adds that nothing in this paragraph was written anywhere else."
    spliced_text = "\n\n".join(p_paras[1:4] + [own] + t_paras[2:5])
    spliced = Article("spliced", spliced_text)
    result = wiretrace.trace([politics, tech, spliced])

    assert len(result.stories) == 1
    story = result.stories[0]
    assert set(story.members) == {"politics/049", "tech/151", "spliced"}
    assert {(e.source, e.target) for e in story.edges} == {
        ("politics/049", "spliced"), ("tech/151", "spliced")}
    boundary = spliced_text.index(own)
    by_source = {"politics/049": [], "tech/151": []}
    for p in result.passages_of("spliced"):
        by_source[p.b].append(p)
    assert by_source["politics/049"] and by_source["tech/151"]
    assert all(p.a_end <= boundary for p in by_source["politics/049"])
    assert all(p.a_start > boundary for p in by_source["tech/151"])
    # each passage is the text it claims on both sides (offsets into originals)
    for p in result.passages_of("spliced"):
        source_text = result.articles[p.b].text[p.b_start:p.b_end]
        assert source_text.split() == spliced_text[p.a_start:p.a_end].split()
    diff = result.diff_of("spliced") or result.diff_of("tech/151")
    assert diff is not None


def test_version_linked_only_through_another_is_diffed_against_it(bbc):
    """B copies only the paragraph A added to the origin: B shares nothing with
    the origin, so it is diffed against A (its source), with their passages."""
    origin = bbc["politics/049"]
    added = _paragraphs(bbc["tech/151"])[4]
    new_text = "\n\n".join(_paragraphs(bbc["sport/100"])[1:])
    t0 = datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc)
    articles = [Article("O", origin.text, published=t0),
                Article("A", origin.text + "\n\n" + added, published=t0 + timedelta(hours=1)),
                Article("B", added + "\n\n" + new_text, published=t0 + timedelta(hours=2))]
    result = wiretrace.trace(articles, workers=1)
    [story] = result.stories
    assert (story.origin, story.members) == ("O", ["O", "A", "B"])
    assert [(e.source, e.target) for e in story.edges] == [("O", "A"), ("A", "B")]
    assert not any({p.a, p.b} == {"O", "B"} for p in result.passages)
    assert result.diff_of("A").a == "O"
    diff = result.diff_of("B")
    assert (diff.a, diff.b) == ("A", "B")
    assert diff.passages and all({p.a, p.b} == {"A", "B"} for p in diff.passages)
    text_a = result.articles["A"].text
    assert "".join(text_a[p.a_start:p.a_end] for p in diff.passages).split() \
        == added.split()
    assert diff.b_shared == pytest.approx(len(added) / len(result.articles["B"].text))
    assert "% of B is shared with A;" in diff.summary
    assert [c.b_text for c in diff.changes_of("added")] == _paragraphs(bbc["sport/100"])[1:]


def test_boilerplate_footer_creates_no_story(bbc):
    footer = ("\n\nFollow us on Twitter and Facebook for the latest news, and sign up to "
              "our daily newsletter for more stories like this one.")
    ids = [f"business/{n:03d}" for n in range(100, 130)]
    articles = [Article(i, bbc[i].text + footer) for i in ids]
    result = wiretrace.trace(articles)
    assert result.stories == []
    assert result.stats["boilerplate_ngrams"] > 0
    # business/100 and business/114 really share background sentences on
    # WorldCom; those are found, but no passage reaches into the footer
    assert {(p.a, p.b) for p in result.passages} <= {("business/100", "business/114"),
                                                     ("business/119", "business/121")}
    for p in result.passages:
        for article_id, end in ((p.a, p.a_end), (p.b, p.b_end)):
            text = result.articles[article_id].text
            assert end <= text.index("Follow us on Twitter")


def test_weak_links_do_not_chain_unrelated_stories(bbc):
    a, b = bbc["sport/100"], bbc["tech/200"]
    common = ("the prime minister said in a statement on Monday that the government "
              "would look at the matter again")
    long_a = Article("long-a", a.text + "\n\n" + common.capitalize() + ".")
    long_b = Article("long-b", b.text + "\n\n" + common.capitalize() + ".")
    copy_a = Article("copy-a", a.text)
    copy_b = Article("copy-b", b.text)
    result = wiretrace.trace([long_a, long_b, copy_a, copy_b])
    groups = sorted(sorted(s.members) for s in result.stories)
    assert groups == [["copy-a", "long-a"], ["copy-b", "long-b"]]
    # the shared sentence is still reported as a reused passage
    assert any({p.a, p.b} == {"long-a", "long-b"} for p in result.passages)


def test_unicode_scripts_and_chinese_reuse():
    chinese = ("中国国家统计局周一公布的数据显示，今年第三季度国内生产总值同比增长百分之四点六，"
               "低于市场预期，房地产市场持续低迷拖累了经济增长。")
    arabic = "قالت وزارة الخارجية إن المحادثات ستستمر الأسبوع المقبل في العاصمة 😀"
    articles = [
        Article("zh-1", chinese + "\n分析人士表示，政府可能会推出更多刺激措施。"),
        Article("zh-2", "北京电 " + chinese + "\n另一段完全不同的内容出现在这里。"),
        Article("ar-1", arabic),
        Article("emoji", "😀🎉🔥" * 50),
        Article("mixed", "Zoë Ça va? naïve café — “quotes” ‘single’ – dash"),
    ]
    result = wiretrace.trace(articles)
    assert [sorted(s.members) for s in result.stories] == [["zh-1", "zh-2"]]
    passage = result.passages[0]
    text_1 = result.articles[passage.a].text
    assert chinese[:20] in text_1[passage.a_start:passage.a_end]


def test_typographic_variants_do_not_break_a_copy():
    original = ("The minister said: \"We can't accept this\" -- adding that talks would "
                "resume on Monday in Geneva with all parties present, officials said. "
                "Protesters gathered outside the building for a third day.")
    retyped = original.replace('"', "“", 1).replace('"', "”", 1).replace("'", "’") \
        .replace("--", "—").upper().replace(" ", "\n", 3)
    result = wiretrace.trace([Article("x", original), Article("y", retyped)])
    assert len(result.stories) == 1
    assert sum(p.matched_words for p in result.passages) >= len(original.split()) - 3


def test_empty_and_tiny_inputs():
    assert wiretrace.trace([]).stories == []
    result = wiretrace.trace([Article("one", "Just one short article.")])
    assert result.passages == [] and result.stories == []
    duplicate = wiretrace.trace([Article("x", "a b c"), Article("x", "d e f")])
    assert [r.reason for r in duplicate.rejected] == ["duplicate id 'x'"]


def test_bad_parameters_fail_clearly():
    with pytest.raises(ValueError, match="min_passage_words"):
        wiretrace.TraceParams(min_passage_words=0)
    with pytest.raises(ValueError, match="story_min_share"):
        wiretrace.TraceParams(story_min_share=1.5)


def test_a_first_run_says_it_is_compiling_and_a_later_one_does_not(tmp_path):
    """With numba's disk cache empty, trace shows the compile as a stage of its own
    (most of a minute on two cores), so the run does not seem to hang; with the
    cache filled, it says nothing about it."""
    import os
    import subprocess
    import sys

    script = ("import wiretrace\n"
              "seen = []\n"
              "text = 'The harbour authority said the quay would close for repairs. ' * 4\n"
              "wiretrace.trace([wiretrace.Article('a', text), wiretrace.Article('b', text)],\n"
              "                workers=1, progress=lambda s, d, t: seen.append((s, d, t)))\n"
              "print(sorted({(s, t) for s, d, t in seen if s.startswith('compiling')}))\n")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, timeout=600) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert runs[0].stdout.strip() == "[('compiling (first run only)', 5)]"
    assert runs[1].stdout.strip() == "[]"
    # the first run left its stamp beside the cache it filled
    assert list((tmp_path / "numba").glob("wiretrace-kernels-*"))


def test_a_story_republished_by_many_outlets_aligns_each_with_its_earliest(seed_articles):
    """230 outlets re-publish one story, each with a line of its own: each version
    is aligned with at most ``max_earlier_candidates`` earlier ones (the earliest),
    not with every other version, and all are still one story; the index adds
    them by the same rule."""
    text = seed_articles[0].text
    versions = [Article(f"v{k:03d}", f"{text}\n\nPublished by outlet number {k} of many, "
                                     f"with its own closing line {k * 7919}.",
                        outlet=f"outlet-{k}") for k in range(230)]
    params = wiretrace.TraceParams(max_earlier_candidates=50)
    result = wiretrace.trace(versions, params=params, attribute=False, workers=2)
    earlier: dict[str, set[str]] = {}
    for p in result.passages:
        earlier.setdefault(p.b, set()).add(p.a)
    assert max(len(found) for found in earlier.values()) == 50
    assert earlier["v229"] == {f"v{k:03d}" for k in range(50)}
    assert [len(s.members) for s in result.stories] == [230]
