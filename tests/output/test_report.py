"""The HTML report, checked as rendered by a real headless Chromium."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import wiretrace
from wiretrace.diff.changes import NO_SHARED_TEXT
from wiretrace.model import (
    Article,
    Change,
    DerivationEdge,
    Diff,
    Passage,
    Rejected,
    SpellingVariant,
    Story,
    TraceResult,
    WordChange,
)
from wiretrace.output.report import render_report, write_report
from wiretrace.output.report_data import unpacked

ORIGIN = ("MINSK (Wire) - Officials said on Monday that the Svislach bridge would reopen "
          "next week.\n\nThe mayor, Ivan Petrov, thanked the workers for their speed.\n\n"
          "Repairs cost an estimated 4 million roubles, the ministry said.")
VERSION = ("Officials said on Monday that the Svislach bridge would reopen next week.\n\n"
           "The mayor, Ivan Petrow, praised the workers for their speed.\n\n"
           "Local residents welcomed the news.")
THIRD = "Officials said on Monday that the Svislach bridge would reopen next week.\nMore soon."

LEAD = "Officials said on Monday that the Svislach bridge would reopen next week."
DROPPED = "Repairs cost an estimated 4 million roubles, the ministry said."
ADDED = "Local residents welcomed the news."


def at(text: str, sub: str, start: int = 0) -> tuple[int, int]:
    i = text.index(sub, start)
    return i, i + len(sub)


def passage(a: str, a_text: str, a_sub: str, b: str, b_text: str, b_sub: str,
            score: float = 1.0) -> Passage:
    return Passage(a, *at(a_text, a_sub), b, *at(b_text, b_sub), score, len(a_sub.split()))


def sample() -> TraceResult:
    t0 = datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc)
    arts = {
        "wire-1": Article("wire-1", ORIGIN, "Bridge to reopen", "Wire", None, t0),
        "paper-2": Article("paper-2", VERSION, "Svislach bridge reopens soon", "Paper",
                           "https://example.org/bridge", t0 + timedelta(hours=3)),
        "blog-3": Article("blog-3", THIRD, "Bridge news", "Blog", None, t0 + timedelta(hours=5)),
        "other-4": Article("other-4", "Unrelated weather report.", "Weather"),
    }
    para_a = "The mayor, Ivan Petrov, thanked the workers for their speed."
    para_b = "The mayor, Ivan Petrow, praised the workers for their speed."
    p_lead = passage("wire-1", ORIGIN, LEAD, "paper-2", VERSION, LEAD)
    p_para = passage("wire-1", ORIGIN, para_a, "paper-2", VERSION, para_b, 0.8)
    p_third = passage("wire-1", ORIGIN, LEAD, "blog-3", THIRD, LEAD)
    p_side = passage("paper-2", VERSION, LEAD, "blog-3", THIRD, LEAD)  # two non-origin members
    word = WordChange("replace", *at(ORIGIN, "thanked"), *at(VERSION, "praised"),
                      "thanked", "praised")
    diff = Diff(
        story="s1", a="wire-1", b="paper-2", a_shared=0.62, b_shared=0.81,
        changes=[
            Change("reworded", *at(ORIGIN, para_a), *at(VERSION, para_b), para_a, para_b,
                   [word]),
            Change("dropped", *at(ORIGIN, DROPPED), None, None, DROPPED, ""),
            Change("added", None, None, *at(VERSION, ADDED), "", ADDED),
        ],
        spelling_variants=[SpellingVariant("Petrov", "Petrow", *at(ORIGIN, "Petrov"),
                                           *at(VERSION, "Petrow"), 0.83)],
        summary="81% of this article is shared with wire-1; adds 1 paragraph",
        passages=[p_lead, p_para],
    )
    # No passages on this diff: the report falls back to result.passages.
    diff3 = Diff("s1", "wire-1", "blog-3", 0.3, 0.86, summary="86% shared with wire-1")
    story = Story("s1", ["wire-1", "paper-2", "blog-3"], "wire-1", "earliest published",
                  [DerivationEdge("wire-1", "paper-2", 0.81, 0.62, 133)])
    rejected = [Rejected("feed.jsonl", "7", None, "no text field")]
    return TraceResult(arts, [p_lead, p_para, p_third, p_side], [story], [diff, diff3], rejected)


class _Balance(HTMLParser):
    """Checks that every element is closed in the order it was opened."""

    VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def assert_balanced(html: str) -> None:
    checker = _Balance()
    checker.feed(html)
    checker.close()
    assert checker.errors == [] and checker.stack == []


def readable(html: str) -> str:
    """The page with the markup of its stories, which it holds packed (report_data)
    for its script to draw, put back after it: what the tests without a browser read."""
    found = re.search(r'<script id="report-data" type="application/octet-stream">(.*?)'
                      r"</script>", html, re.S)
    return html + "".join(row["html"] for row in unpacked(found.group(1))) if found else html


def open_page(browser, path: Path):
    """The report in Chromium, once its script has unpacked the stories and opened
    the first (or the one the address names)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=30_000)
    assert errors == []
    return page, requests


def marks_by_passage(page, selector: str) -> dict[str, str]:
    found = page.eval_on_selector_all(
        selector, "els => els.map(e => [e.getAttribute('data-passage'), e.textContent])")
    joined: dict[str, str] = defaultdict(str)
    for key, text in found:
        joined[key] += text
    return dict(joined)


def test_report_in_chromium(browser, tmp_path: Path) -> None:
    result = sample()
    out = write_report(result, tmp_path / "report.html")
    html = out.read_text(encoding="utf-8")
    assert_balanced(html)
    assert re.findall(r"(?:src|href)=\"?[a-z]+:", html) == []  # nothing to load or follow
    page, requests = open_page(browser, out)

    pairs = page.eval_on_selector_all(".pair", "els => els.map(e => e.dataset.version)")
    assert pairs == ["paper-2", "blog-3"]  # N-1 pairs, ordered by time

    origin = result.articles["wire-1"].text
    for version in pairs:
        text = result.articles[version].text
        sel = f'.pair[data-version="{version}"]'
        left = marks_by_passage(page, f"{sel} .side-origin mark.reused")
        right = marks_by_passage(page, f"{sel} .side-version mark.reused")
        assert left.keys() == right.keys() and left
        expected = sorted((origin[p.a_start:p.a_end], text[p.b_start:p.b_end])
                          for p in result.passages_of("wire-1") if p.b == version)
        assert sorted((left[k], right[k]) for k in left) == expected
        # The texts are shown whole, line breaks kept.
        assert page.text_content(f"{sel} .side-origin .text") == origin
        assert page.text_content(f"{sel} .side-version .text") == text
        ws = page.eval_on_selector(f"{sel} .side-version .text",
                                   "e => getComputedStyle(e).whiteSpace")
        assert ws == "pre-wrap"

    pair = '.pair[data-version="paper-2"]'
    added = page.eval_on_selector_all(f"{pair} .side-version ins.added",
                                      "els => els.map(e => e.textContent).join('')")
    dropped = page.eval_on_selector_all(f"{pair} .side-origin del.dropped",
                                        "els => els.map(e => e.textContent).join('')")
    assert (added, dropped) == (ADDED, DROPPED)
    assert page.locator(f"{pair} .side-origin ins.added").count() == 0
    words = page.eval_on_selector_all(f"{pair} .word-change",
                                      "els => els.map(e => [e.textContent, e.title])")
    assert words == [["thanked", "this version: praised"], ["praised", "origin: thanked"]]
    assert "Petrov" in page.text_content(f"{pair} .note")
    assert page.locator(f"{pair} .side-version .variant").text_content() == "Petrow"
    assert "81% of this article is shared" in page.text_content(f"{pair} .summary")

    # Hovering one half of a passage lights up its partner.
    key = page.get_attribute(f"{pair} .side-version mark.reused", "data-passage")
    page.hover(f'{pair} .side-version mark.reused[data-passage="{key}"]')
    partner = page.get_attribute(f'{pair} .side-origin mark.reused[data-passage="{key}"]',
                                 "class")
    assert "linked" in partner

    # the stories table: one row, with the origin's title, opening the story
    row = page.locator("#story-rows tr")
    assert row.count() == 1 and "Bridge to reopen" in row.text_content()
    assert page.text_content("#story-count") == "1 of 1 story"
    row.click()
    assert page.url.endswith("#story-1-s1")
    assert page.eval_on_selector("#story-1-s1", "e => e.tagName + ' ' + e.className") == \
        "SECTION story"
    assert page.text_content("#story-1-s1 h2") == "Bridge to reopen"
    assert page.locator(".tl-dot").count() == 3
    # who took from whom, drawn from the story's edges
    nodes = page.eval_on_selector_all("#story-1-s1 svg.derivation g",
                                      "els => els.map(e => e.dataset.node)")
    assert sorted(nodes) == ["blog-3", "paper-2", "wire-1"]
    arrows = page.eval_on_selector_all("#story-1-s1 svg.derivation line",
                                       "els => els.map(e => [e.dataset.source, e.dataset.target])")
    assert arrows == [["wire-1", "paper-2"]]
    # the changes view: only what changed, every change of the diff listed
    page.click('[data-view="changes"]')
    assert not page.is_visible(f"{pair} .cols") and page.is_visible(f"{pair} .changes")
    listed = page.inner_text(f"{pair} .changes")
    assert ADDED in listed and DROPPED in listed and "Added (1 paragraph)" in listed
    assert page.inner_text(f"{pair} .changes .edits") .count("thanked") == 1
    page.click('[data-view="sides"]')
    assert page.is_visible(f"{pair} .cols")
    assert "other-4" in page.text_content("#unstoried")
    assert "no text field" in page.text_content("#rejected")

    page_marks = page.locator(".story mark.reused").count()
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.exists() and shot.stat().st_size > 0
    assert requests and all(u.startswith("file://") for u in requests), requests
    page.close()

    # every mark the story's markup holds is drawn
    drawn = readable(html)[len(html):]
    assert page_marks == drawn.count('<mark class="reused"') > 0

    # Without JavaScript the page says where the stories are instead.
    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    plain.goto(out.resolve().as_uri())
    assert "stories.jsonl and diffs.jsonl beside this report hold them" in \
        plain.inner_text("#stories")
    assert "other-4" in plain.text_content("#unstoried")
    context.close()


def test_hostile_and_multilingual_text(browser, tmp_path: Path) -> None:
    text = ('Breaking <script>alert("x")</script> & more: مرحبا بالعالم 中文新闻 😀👍🏽\r\n'
            "line two &amp; </div> done")
    copy = "Reprint: " + text
    core = 'alert("x")</script> & more: مرحبا بالعالم 中文新闻 😀👍🏽'
    arts = {"a<1>": Article("a<1>", text, '<b>"Title"</b> & 😀'),
            "b&2": Article("b&2", copy, "中文 title")}
    p = passage("a<1>", text, core, "b&2", copy, core)
    story = Story('s"1', ["a<1>", "b&2"], "a<1>", "least explained by others")
    diff = Diff('s"1', "a<1>", "b&2", 0.5, 0.5, summary="<i>shared</i>", passages=[p])
    result = TraceResult(arts, [p], [story], [diff], [])
    html = readable(render_report(result, title="<script>bad()</script>"))
    assert "<script>alert" not in html and "<script>bad" not in html
    assert "&lt;script&gt;" in html and "&lt;/div&gt;" in html and "<b>\"Title\"" not in html
    assert_balanced(html)

    out = write_report(result, tmp_path / "hostile.html", title="<script>bad()</script>")
    page, requests = open_page(browser, out)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    assert page.title() == "<script>bad()</script>"
    # the app, and its data, which is no script a browser runs
    assert page.locator("script").count() == 2
    assert page.get_attribute("script#report-data", "type") == "application/octet-stream"
    assert page.text_content(".side-origin .text") == text
    assert page.text_content(".side-version .text") == copy
    left = marks_by_passage(page, ".side-origin mark.reused")
    right = marks_by_passage(page, ".side-version mark.reused")
    assert list(left.values()) == [core] and list(right.values()) == [core]
    assert "<i>shared</i>" in page.text_content(".summary")
    assert dialogs == [] and all(u.startswith("file://") for u in requests)
    page.close()


def _pair_html(html: str, version: str) -> str:
    start = html.rindex('<article class="pair"', 0, html.index(f'data-version="{version}"'))
    return html[start:html.index("</article>", start)]


def _side_text(pair_html: str, side: str) -> str:
    """The text shown on one side of a pair, tags removed and entities decoded."""
    found = re.search(rf'data-side="{side}">.*?<div class="text">(.*?)</div>', pair_html, re.S)
    assert found is not None
    return unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def test_version_diffed_against_its_source_shows_that_source() -> None:
    """blog-3 took its text from paper-2 only: its diff is against paper-2, and
    the report shows paper-2 on the left, named a source, not the origin."""
    result = sample()
    story = result.stories[0]
    story.edges.append(DerivationEdge("paper-2", "blog-3", 0.86, 0.3, 73))
    p_side = result.passages[3]
    assert (p_side.a, p_side.b) == ("paper-2", "blog-3")
    more = "More soon."
    lead_end = at(VERSION, LEAD)[1]
    word = WordChange("insert", lead_end, lead_end, *at(THIRD, more), "", more)
    diff3 = Diff("s1", "paper-2", "blog-3", 0.3, 0.86, [
        Change("reworded", *at(VERSION, LEAD), *at(THIRD, LEAD), LEAD, LEAD, [word])],
        summary="86% of blog-3 is shared with paper-2", passages=[p_side])
    result.diffs[1] = diff3
    pair = _pair_html(readable(render_report(result)), "blog-3")
    assert 'data-base="paper-2"' in pair and 'data-origin="wire-1"' in pair
    assert "<h3>Source: " in pair and "Origin:" not in pair
    assert _side_text(pair, "origin") == VERSION and _side_text(pair, "version") == THIRD
    assert 'title="source: (not in source)"' in pair and "origin:" not in pair
    assert pair.count('class="reused"') == 2  # the one passage, once on each side
    # the origin's own diff is unchanged
    first = _pair_html(readable(render_report(result)), "paper-2")
    assert "<h3>Origin: " in first and _side_text(first, "origin") == ORIGIN

    # without its diff, the version is still shown against its base, with the
    # passages of the run
    result.diffs.pop(1)
    pair = _pair_html(readable(render_report(result)), "blog-3")
    assert "No diff was computed for blog-3 against the source paper-2." in pair
    assert _side_text(pair, "origin") == VERSION
    assert pair.count('class="reused"') == 2


def test_empty_result() -> None:
    html = render_report(TraceResult({}, [], [], [], []))
    assert "Nothing to show" in html and "<section" not in html
    assert_balanced(html)


def test_articles_but_no_story(tmp_path: Path) -> None:
    result = TraceResult({"x": Article("x", "alone")}, [], [], [], [])
    html = write_report(result, tmp_path / "sub" / "r.html").read_text(encoding="utf-8")
    assert "No stories found" in html
    assert not [p for p in (tmp_path / "sub").iterdir() if p.name != "r.html"]  # no temp left


def test_odd_but_valid_results_do_not_crash() -> None:
    naive = datetime(2024, 1, 1, 8, 0)
    aware = datetime(2024, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=3)))
    arts = {"o": Article("o", "short origin text", published=naive),
            "v": Article("v", "short version", published=aware),
            "w": Article("w", "")}
    bad = [Passage("o", -5, 999, "v", 3, 3, 1.0, 2),       # out of range / zero length
           Passage("ghost", 0, 4, "v", 0, 4, 1.0, 1),     # unknown article
           Passage("v", 0, 5, "o", 0, 5, 1.0, 1)]         # reversed orientation
    changes = [Change("added", None, None, 10, 2, "", "x"),
               Change("dropped", 50, 80, None, None, "", ""),
               Change("reworded", 0, 5, 0, 5, "short", "short",
                      [WordChange("insert", 2, 2, -3, 400, "", "zz")]),
               Change("moved", 0, 0, 0, 0, "", "")]
    stories = [Story("s", ["o", "v", "v", "missing", "w"], "o", "earliest published"),
               Story("gone", ["nobody", "v"], "nobody", "least explained by others"),
               Story("solo", ["w"], "w", "earliest published")]
    diffs = [Diff("s", "o", "v", 2.0, -1.0, changes,
                  [SpellingVariant("a", "b", 900, 901, 0, 1, 0.5)], passages=bad)]
    page = render_report(TraceResult(arts, bad, stories, diffs, []))
    assert_balanced(page)
    html = readable(page)
    assert html.count('class="pair"') == 2  # o/v and o/w; "missing" is noted instead
    assert 'data-passage="1"' in html and "short origin text" in re.sub(r"<[^>]+>", "", html)


def test_large_results_show_the_largest_stories_only() -> None:
    articles = {f"x{k}": Article(f"x{k}", f"Text number {k} of a long series.") for k in range(12)}
    stories = [Story(f"story-{k}", [f"x{2 * k}", f"x{2 * k + 1}"], f"x{2 * k}", "input order")
               for k in range(6)]
    html = readable(render_report(TraceResult(articles, [], stories, [], []), max_stories=4))
    assert "The 4 largest of 6 stories are in this page" in html
    assert html.count('<section class="story"') == 4


def test_large_stories_show_their_first_versions_side_by_side(monkeypatch) -> None:
    import wiretrace.output.report as report

    articles = {f"x{k}": Article(f"x{k}", f"Text number {k} of a long series.") for k in range(6)}
    story = Story("story-1", list(articles), "x0", "input order")
    diffs = [Diff("story-1", "x0", f"x{k}", 0.5, 0.5, summary=f"summary of x{k}")
             for k in range(1, 6)]
    monkeypatch.setattr(report, "MAX_VERSIONS", 2)
    html = readable(render_report(TraceResult(articles, [], [story], diffs, [])))
    assert html.count('<article class="pair"') == 2
    assert "3 more versions" in html
    for k in (3, 4, 5):  # the rest, one line each with their diff's summary
        assert f"summary of x{k}" in html and f'data-version="x{k}"' not in html
    assert_balanced(html)


def _fact_result(published_version: datetime, reason: str = "earliest published"
                 ) -> TraceResult:
    """wire-1 and a version of it whose figure and negation changed, diffed for real."""
    t0 = datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc)
    version = ORIGIN.replace("4 million", "6 million").replace("would reopen",
                                                              "would not reopen")
    arts = {"wire-1": Article("wire-1", ORIGIN, "Bridge to reopen", "Wire", None, t0),
            "paper-2": Article("paper-2", version, "Bridge", "Paper", None, published_version)}
    diff = wiretrace.compare(arts["wire-1"], arts["paper-2"])
    diff.story = "s1"
    story = Story("s1", ["wire-1", "paper-2"], "wire-1", reason,
                  [DerivationEdge("wire-1", "paper-2", 0.9, 0.9, 150)])
    return TraceResult(arts, diff.passages, [story], [diff], [])


def test_changed_facts_marked_in_chromium(browser, tmp_path: Path) -> None:
    result = _fact_result(datetime(2024, 5, 6, 12, 0, tzinfo=timezone.utc))
    diff = result.diffs[0]
    assert [(f.kind, f.a_text, f.b_text) for f in diff.changed_facts] == [
        ("negation", "", "not"), ("number", "4", "6")]
    out = write_report(result, tmp_path / "facts.html")
    assert_balanced(out.read_text(encoding="utf-8"))
    page, requests = open_page(browser, out)
    texts = "els => els.map(e => [e.textContent, e.dataset.kind])"
    assert page.eval_on_selector_all(".side-origin .fact", texts) == [["4", "number"]]
    assert page.eval_on_selector_all(".side-version .fact", texts) == [
        ["not", "negation"], ["6", "number"]]
    # a colour of its own, not the word change's
    fact_bg = page.eval_on_selector(".side-version .fact", "e => getComputedStyle(e)"
                                    ".backgroundColor")
    word_bg = page.eval_on_selector(".side-version .word-change", "e => getComputedStyle(e)"
                                    ".backgroundColor")
    assert fact_bg != word_bg and fact_bg != "rgba(0, 0, 0, 0)"
    assert "changed fact" in page.text_content(".legend")
    listed = page.text_content(".pair .facts")
    assert "“not” added here" in listed and "“4” in the origin → “6” here" in listed
    assert 'changes 2 facts: "not" added; 4 -> 6' in page.text_content(".pair .summary")
    assert all(u.startswith("file://") for u in requests)
    page.close()


def test_base_published_after_its_version_is_a_later_copy() -> None:
    """Only the input order made wire-1 the origin, and paper-2 is dated before it:
    wire-1 is shown as a later copy, never as paper-2's origin or source."""
    early = datetime(2024, 5, 6, 7, 0, tzinfo=timezone.utc)
    reason = "input order (versions explain each other about equally)"
    html = readable(render_report(_fact_result(early, reason)))
    pair = _pair_html(html, "paper-2")
    assert "<h3>Compared with a later copy: " in pair
    assert "Compared with a later copy, wire-1: " in pair
    assert "Origin:" not in pair and "Source:" not in pair and "in the origin" not in pair
    assert "in the later copy → “6” here" in pair
    assert "origin: first in input order, <b>wire-1</b>" in html
    assert "no evidence which came first" in html


def test_origin_by_input_order_is_said_plainly() -> None:
    reason = "input order (versions explain each other about equally)"
    html = readable(render_report(_fact_result(
        datetime(2024, 5, 6, 12, 0, tzinfo=timezone.utc), reason)))
    pair = _pair_html(html, "paper-2")
    assert "<h3>First in input order: " in pair and "Origin:" not in pair
    assert html.count("no evidence which came first") == 1  # the story's line


def test_versions_sharing_no_text_are_not_summarised_as_versions() -> None:
    result = sample()
    result.diffs[1] = Diff("s1", "wire-1", "blog-3", 0.0, 0.0, summary=NO_SHARED_TEXT)
    pair = _pair_html(readable(render_report(result, title="t")), "blog-3")
    summary = re.search(r'<p class="summary">(.*?)</p>', pair).group(1)
    assert summary == "blog-3 and wire-1 have no text in common."


def test_a_template_match_is_not_shown_as_reuse() -> None:
    """A passage set aside as a template match is marked as such (grey, its kind
    and slots in its title), not highlighted as reused text."""
    result = sample()
    diff = result.diffs[0]
    before = _pair_html(readable(render_report(result)), diff.b)
    lead, para = diff.passages
    diff.passages = [lead, dataclasses.replace(para, kind="template", slots_kept=3,
                                               slots_changed=2)]
    pair = _pair_html(readable(render_report(result)), diff.b)
    assert 'class="reused set-aside"' not in before
    # the paragraph, on each side (split where a word change sits inside it)
    assert pair.count('class="reused set-aside" data-kind="template"') >= 2
    assert pair.count('class="reused"') == 2 < before.count('class="reused"')  # the lead
    assert "template match: the same frame, other names or figures (2 changed, 3 kept)" in pair
    assert "template match" in render_report(result).split('<section class="panel"')[0]


def test_counts_tell_reuse_from_template_matches() -> None:
    result = sample()
    html = render_report(result)
    assert "<b>4</b>reused passages" in html and "<b>0</b>template matches set aside" in html
    result.passages[3] = dataclasses.replace(result.passages[3], kind="template")
    html = render_report(result)
    assert "<b>3</b>reused passages" in html and "<b>1</b>template match set aside" in html
