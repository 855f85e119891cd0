"""The web page of ``wiretrace serve``, clicked through in a real headless Chromium.

The server is a real child process on 127.0.0.1 over a real SQLite index; what
the page highlights is checked against what the API returns, and every
request the page makes must stay on 127.0.0.1.  Waits use Playwright's
locator assertions: a ``wait_for_function`` string would be ``eval``-ed in the
page, which its Content-Security-Policy forbids.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import expect

from wiretrace.server.process import ServerProcess

TOKEN = "web-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# A title that would run script if the page ever rendered data as HTML.
EVIL_TITLE = '<img src="/x" onerror="window.pwned = 1">Alert <b>bold</b>'

# Every mark in a pane: its passage ids, code-point offsets, classes and text.
MARKS_JS = """(pane) => [...document.querySelectorAll(pane + ' mark')].map(m => ({
    ids: m.dataset.p ? m.dataset.p.split(' ').map(Number) : [],
    start: Number(m.dataset.start), end: Number(m.dataset.end),
    cls: m.className, text: m.textContent}))"""


def relay_articles(bbc) -> list[dict]:
    """A story whose last version is diffed against a source, not the origin:
    relay-a is the origin plus a paragraph, relay-b that paragraph plus new text
    (nothing of the origin)."""
    origin = bbc["politics/049"].text
    added = bbc["tech/151"].text.split("\n\n")[4]
    new = "\n\n".join(bbc["sport/100"].text.split("\n\n")[1:])
    return [
        {"id": "relay-o", "text": origin, "title": "Relay origin",
         "published": "2024-05-06T09:00:00Z"},
        {"id": "relay-a", "text": origin + "\n\n" + added, "title": "Relay copy",
         "published": "2024-05-06T10:00:00Z"},
        {"id": "relay-b", "text": added + "\n\n" + new, "title": "Relay copy of the copy",
         "published": "2024-05-06T11:00:00Z"},
    ]


def fact_articles(bbc) -> list[dict]:
    """A BBC article and a later copy whose profits fell instead of rising."""
    text = bbc["business/011"].text
    changed = text.replace("an unexpected increase in profits", "an unexpected decrease in "
                           "profits")
    assert changed != text
    return [{"id": "facts-a", "text": text, "title": "Profits up",
             "published": "2024-06-01T09:00:00Z"},
            {"id": "facts-b", "text": changed, "title": "Profits down",
             "published": "2024-06-01T12:00:00Z"}]


@pytest.fixture(scope="module")
def server(tmp_path_factory, seed_articles, bbc):
    a, b = seed_articles
    lead = a.text[: a.text.index("\n\n", 600)]
    emoji = "🚨📰 Breaking, from the wire 🚨\n\n" + lead + "\n\nMore soon 👍"
    db = tmp_path_factory.mktemp("web") / "index.db"
    with ServerProcess(db, TOKEN) as running, httpx.Client(base_url=running.url) as c:
        body = {"articles": [
            {"id": a.id, "text": a.text, "title": "Niger junta asks Wagner for help",
             "outlet": "AP", "published": "2023-08-05T10:00:00Z"},
            {"id": b.id, "text": b.text, "title": "Niger junta seeks Wagner's help",
             "outlet": "Vanguard", "published": "2023-08-06T08:00:00Z"},
            {"id": "wire-emoji", "text": emoji, "title": EVIL_TITLE,
             "published": "2023-08-07T08:00:00Z"}, *relay_articles(bbc),
            *fact_articles(bbc)]}
        r = c.post("/api/articles/batch", json=body, headers=AUTH, timeout=120)
        assert r.status_code == 200, r.text
        yield running


@pytest.fixture
def page(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.requests = []  # every URL the page asks for
    page.errors = []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(server.url + "/")
    yield page
    assert page.errors == []
    assert page.requests and all(u.startswith(server.url + "/") for u in page.requests), \
        [u for u in page.requests if not u.startswith(server.url + "/")]
    assert page.evaluate("window.pwned") is None
    page.close()


def api(server, method: str, path: str, **kwargs) -> dict:
    r = httpx.request(method, server.url + path, timeout=120, **kwargs)
    assert r.status_code == 200, r.text
    return r.json()


def spans_by_passage(marks: list[dict]) -> dict[int, tuple[int, int, str]]:
    """Passage id -> (first offset, last offset, text) as the page highlights it."""
    found: dict[int, list[dict]] = {}
    for m in marks:
        for i in m["ids"]:
            found.setdefault(i, []).append(m)
    out = {}
    for i, pieces in found.items():
        pieces.sort(key=lambda m: m["start"])
        for x, y in zip(pieces, pieces[1:], strict=False):
            assert x["end"] == y["start"], f"passage {i} highlighted with a gap"
        out[i] = (pieces[0]["start"], pieces[-1]["end"], "".join(m["text"] for m in pieces))
    return out


def assert_highlights(page, box: str, passages: list[dict]) -> None:
    """The two panes of ``box`` highlight exactly ``passages`` (ids = list positions)."""
    left = spans_by_passage(page.evaluate(MARKS_JS, f"{box} [data-side=a]"))
    right = spans_by_passage(page.evaluate(MARKS_JS, f"{box} [data-side=b]"))
    assert set(left) == set(right) == {p["index"] for p in passages}
    for p in passages:
        assert left[p["index"]] == (p["a_start"], p["a_end"], p["a_text"])
        assert right[p["index"]] == (p["b_start"], p["b_end"], p["b_text"])


def merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [tuple(r) for r in out]


def test_pasted_article_shows_its_sources_side_by_side(page, server, seed_articles, tmp_path):
    _, b = seed_articles
    text = "📰 Filed today.\n\n" + b.text  # an emoji first: offsets are code points
    page.fill("#check-text", text)
    page.click("#check-go")
    page.wait_for_selector("#check-compare mark.reused")
    expected = api(server, "POST", "/api/query", json={"text": text})
    for i, p in enumerate(expected["passages"]):
        p["index"] = i
    shown = page.eval_on_selector_all("#check-sources button", "bs => bs.map(b => b.dataset.id)")
    assert shown == [s["id"] for s in expected["sources"]]
    assert set(shown) == {"niger-wagner-a", "niger-wagner-b", "wire-emoji"}
    assert page.text_content("#check-summary").startswith(f"{round(expected['shared'] * 100)}%")
    for source in expected["sources"]:
        page.click(f"#check-sources button[data-id='{source['id']}']")
        page.wait_for_selector(f"#check-compare .pane h3 >> text={source['title']}")
        page.wait_for_selector("#check-changes li")
        # the source on the left, the pasted text on the right, as a version against its
        # base: the same passages as the API's comparison, and what the text changed
        diff = api(server, "POST", "/api/compare", json={"text": text, "source": source["id"]})
        diff = diff["diff"]
        for i, p in enumerate(diff["passages"]):
            p["index"] = i
        assert_highlights(page, "#check-compare", diff["passages"])
        added = [c for c in diff["changes"] if c["kind"] == "added"]
        assert page.locator("#check-compare [data-side=b] mark.added").count() >= len(added)
        words = sum(len(c["word_changes"]) for c in diff["changes"])
        if words:
            assert page.locator("#check-compare mark.word").count() > 0
            assert page.locator("#check-changes li.reworded").count() > 0
    # against niger-wagner-a, the seed pair's changes are marked and listed
    page.click("#check-sources button[data-id='niger-wagner-a']")
    first = next(s for s in expected["sources"] if s["id"] == "niger-wagner-a")
    page.wait_for_selector(f"#check-compare .pane h3 >> text={first['title'] or first['id']}")
    page.wait_for_selector("#check-changes li.reworded")
    listed = page.inner_text("#check-changes")
    diff = api(server, "POST", "/api/compare", json={"text": text, "source": "niger-wagner-a"})
    words = [w for c in diff["diff"]["changes"] for w in c["word_changes"]]
    assert words and all(w["b_text"] in listed and w["a_text"] in listed for w in words)
    assert "added paragraph Vanguard" in listed and "Nigerian Legislature" in listed
    assert page.locator("#check-compare [data-side=b] mark.variant").count() >= 1
    # hovering a passage lights up its other side
    page.hover("#check-compare [data-side=a] mark.reused")
    assert page.locator("#check-compare [data-side=b] mark.active").count() > 0
    page.screenshot(path=str(tmp_path / "check.png"), full_page=True)
    assert (tmp_path / "check.png").stat().st_size > 10_000


def test_stories_and_their_versions_with_diffs(page, server, tmp_path):
    page.click("nav a[data-tab=stories]")
    page.wait_for_selector("#story-table tbody a")
    listed = api(server, "GET", "/api/stories")["stories"]
    rows = page.eval_on_selector_all("#story-table tbody tr", "rs => rs.map(r => r.dataset.story)")
    assert rows == [s["story"] for s in listed]
    story_id = next(s["story"] for s in listed if "niger-wagner-b" in s["members"])
    # each row names its story by its origin's title, its id beside it
    row = page.locator(f"#story-table tbody tr[data-story='{story_id}']")
    title = next(s for s in listed if s["story"] == story_id)["title"]
    assert row.locator("a").text_content() == (title or story_id)
    assert story_id in row.text_content()
    row.locator("a").click()
    page.wait_for_selector("#story-compare mark.reused")
    story = api(server, "GET", f"/api/stories/{story_id}")
    members = page.eval_on_selector_all("#story-members button", "bs => bs.map(b => b.dataset.id)")
    assert members == story["members"] and story["origin"] == "niger-wagner-a"
    for diff in story["diffs"]:
        page.click(f"#story-members button[data-id='{diff['b']}']")
        expect(page.locator("#diff-summary")).to_have_text(diff["summary"])
        for i, p in enumerate(diff["passages"]):
            p["index"] = i
        assert_highlights(page, "#story-compare", diff["passages"])
        marks = page.evaluate(MARKS_JS, "#story-compare [data-side=b]")
        added = merged([(m["start"], m["end"]) for m in marks if "added" in m["cls"].split()])
        want = merged([(c["b_start"], c["b_end"]) for c in diff["changes"]
                       if c["kind"] == "added"])
        assert added == want and want
        dropped = merged([(m["start"], m["end"]) for m in
                          page.evaluate(MARKS_JS, "#story-compare [data-side=a]")
                          if "dropped" in m["cls"].split()])
        assert dropped == merged([(c["a_start"], c["a_end"]) for c in diff["changes"]
                                  if c["kind"] == "dropped"])
    page.screenshot(path=str(tmp_path / "story.png"), full_page=True)
    page.click(f"#story-members button[data-id='{story['origin']}']")
    page.wait_for_selector("#diff-summary >> text=The origin of the story")


def test_version_diffed_against_its_source_shows_that_source(page, server, bbc):
    story_id = api(server, "GET", "/api/articles/relay-b/story")["story"]
    story = api(server, "GET", f"/api/stories/{story_id}")
    assert story["origin"] == "relay-o" and story["members"] == ["relay-o", "relay-a", "relay-b"]
    diffs = {d["b"]: d for d in story["diffs"]}
    assert diffs["relay-a"]["a"] == "relay-o" and diffs["relay-b"]["a"] == "relay-a"
    assert diffs["relay-b"]["passages"]
    texts = {x["id"]: x["text"] for x in relay_articles(bbc)}
    page.goto(server.url + f"/#story/{story_id}")
    page.wait_for_selector("#story-compare mark.reused")
    share = "#story-members button[data-id='{}'] .share"
    expect(page.locator(share.format("relay-a"))).to_have_text(re.compile(
        r"shared with the origin$"))
    expect(page.locator(share.format("relay-b"))).to_have_text(re.compile(
        r"shared with its source relay-a$"))
    for member, base, role, title in (("relay-b", "relay-a", "source", "Relay copy"),
                                      ("relay-a", "relay-o", "origin", "Relay origin")):
        diff = diffs[member]
        page.click(f"#story-members button[data-id='{member}']")
        expect(page.locator("#diff-summary")).to_have_text(diff["summary"])
        expect(page.locator("#story-compare .pane h3").first).to_have_text(f"{title} ({role})")
        assert page.text_content("#story-compare [data-side=a]") == texts[base]
        assert page.text_content("#story-compare [data-side=b]") == texts[member]
        for i, p in enumerate(diff["passages"]):
            p["index"] = i
        assert_highlights(page, "#story-compare", diff["passages"])


def test_changed_facts_listed_first_and_marked(page, server, bbc):
    story_id = api(server, "GET", "/api/articles/facts-b/story")["story"]
    story = api(server, "GET", f"/api/stories/{story_id}")
    (diff,) = [d for d in story["diffs"] if d["b"] == "facts-b"]
    assert [(f["kind"], f["a_text"], f["b_text"]) for f in diff["changed_facts"]] == [
        ("opposite", "increase", "decrease")]
    assert "changes 1 fact: increase -> decrease" in diff["summary"]
    page.goto(server.url + f"/#story/{story_id}")
    page.click("#story-members button[data-id='facts-b']")
    expect(page.locator("#diff-summary")).to_have_text(diff["summary"])
    items = page.eval_on_selector_all("#diff-changes li", "ls => ls.map(l => l.className)")
    assert items and items[0] == "fact"  # listed before the other changes
    expect(page.locator("#diff-changes li.fact")).to_have_text(
        "opposite changed increase → decrease")
    fact = diff["changed_facts"][0]
    for side, start, end, text in (("a", fact["a_start"], fact["a_end"], "increase"),
                                   ("b", fact["b_start"], fact["b_end"], "decrease")):
        marks = [m for m in page.evaluate(MARKS_JS, f"#story-compare [data-side={side}]")
                 if "fact" in m["cls"].split()]
        assert [(m["start"], m["end"], m["text"]) for m in marks] == [(start, end, text)]
    assert page.locator("#view-story .legend mark.fact").is_visible()


def test_upload_add_with_token_and_see_the_version_history(page, server, tmp_path):
    first = tmp_path / "council-vote.txt"
    first.write_text("The city council met on Tuesday evening to discuss the new budget for "
                     "the parks, the pools and the libraries of the northern districts.\n\n"
                     "The mayor said the vote would come next month.", encoding="utf-8")
    page.set_input_files("#check-file", str(first))
    expect(page.locator("#check-text")).to_have_value(first.read_text(encoding="utf-8"))
    assert page.input_value("#check-id") == "council-vote"
    page.check("#check-add")
    page.click("#check-go")  # no token yet: refused, with the reason shown
    page.wait_for_selector("#error:not([hidden])")
    # said to a person, not to an API client
    assert page.text_content("#error") == ("This needs the server's token: enter it in the "
                                           "token box at the top right.")
    assert httpx.get(server.url + "/api/articles/council-vote").status_code == 404

    page.fill("#token", TOKEN)
    page.click("#check-go")
    page.wait_for_selector("#check-summary >> text=added (version 1)")
    second = tmp_path / "council-vote-2.txt"
    second.write_text(first.read_text(encoding="utf-8").replace("Tuesday", "Wednesday")
                      + "\n\nThe budget passed by nine votes to two.", encoding="utf-8")
    page.set_input_files("#check-file", str(second))
    expect(page.locator("#check-text")).to_have_value(re.compile("nine votes"))
    page.click("#check-go")
    page.wait_for_selector("#check-summary >> text=new version (version 2)")

    page.goto(server.url + "/#article/council-vote")
    page.wait_for_selector("#history-compare mark.added")
    diff = api(server, "GET", "/api/articles/council-vote/diff")["diff"]
    assert page.text_content("#history-summary") == diff["summary"]
    marks = page.evaluate(MARKS_JS, "#history-compare [data-side=b]")
    added = [m["text"] for m in marks if "added" in m["cls"].split()]
    assert "".join(added).strip() == "The budget passed by nine votes to two."
    # Tuesday -> Wednesday: a changed date, marked as a fact
    assert [(f["kind"], f["a_text"], f["b_text"]) for f in diff["changed_facts"]] == [
        ("number", "Tuesday", "Wednesday")]
    assert [m["text"] for m in marks if "fact" in m["cls"].split()] == ["Wednesday"]


def test_search_and_article_view_render_data_as_text(page, server):
    page.click("nav a[data-tab=search]")
    page.fill("#search-q", "Breaking, from the wire")  # too short for an n-gram: substring
    page.click("#search-form button")
    page.wait_for_selector("#search-results a")
    assert page.text_content("#search-results a") == EVIL_TITLE  # shown, never parsed
    page.click("#search-results a")
    page.wait_for_selector("#article-compare mark.reused")
    assert page.text_content("#article-title") == EVIL_TITLE
    chosen = page.get_attribute("#article-sources button.chosen", "data-id")
    assert chosen in {p["b"] for p in
                      api(server, "GET", "/api/articles/wire-emoji/passages")["passages"]}
    # the source on the left, this article on the right: what it changed against it
    text = api(server, "GET", "/api/articles/wire-emoji")["text"]
    diff = api(server, "POST", "/api/compare", json={"text": text, "source": chosen})["diff"]
    for i, p in enumerate(diff["passages"]):
        p["index"] = i
    page.wait_for_selector("#article-changes li")
    assert_highlights(page, "#article-compare", diff["passages"])


def test_api_docs_load_from_this_server_only(page, server, tmp_path):
    page.goto(server.url + "/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.eval_on_selector_all(".opblock-summary-path", "ps => ps.map(p => p.textContent)")
    assert "/api/query" in [p.replace("\u200b", "") for p in paths]
    page.screenshot(path=str(tmp_path / "docs.png"))


def share_line(rows: list[dict], chars: int) -> re.Pattern:
    """The start of the article view's summary for these passages."""
    covered = sum(e - s for s, e in merged([(p["a_start"], p["a_end"]) for p in rows]))
    n = len({p["b"] for p in rows})
    return re.compile(rf"^{round(covered / chars * 100)}% of the text appears in {n} indexed "
                      rf"articles?: {len(rows)} reused passage")


def test_article_view_says_the_share_and_opens_ids_ending_like_a_route(page, server, bbc):
    """The article view gives the share of the text in passages (it once said "NaN% of
    the text"), and an id ending in '/passages' opens as itself."""
    text = bbc["entertainment/010"].text
    original = {"id": "wire-original", "text": text, "published": "2024-07-01T09:00:00Z"}
    copy = {"id": "wire/passages", "title": "Copy with a route-like id",
            "text": "From the wire, lightly edited.\n\n" + text.split("\n\n", 1)[1]}
    api(server, "POST", "/api/articles/batch", json={"articles": [original, copy]}, headers=AUTH)
    for article, other in ((original, copy), (copy, original)):
        path = "/api/articles/" + quote(article["id"], safe="")
        rows = api(server, "GET", path + "/passages")["passages"]
        assert rows and {p["b"] for p in rows} == {other["id"]}
        page.goto(server.url + "/#article/" + quote(article["id"], safe=""))
        expect(page.locator("#article-title")).to_have_text(article.get("title", article["id"]))
        expect(page.locator("#article-summary")).to_have_text(
            share_line(rows, len(article["text"])))
        assert "NaN" not in page.text_content("#article-summary")
        # the pane is filled after the source is fetched: wait for its marks (the
        # new title came with the pane cleared, so these are this article's)
        page.wait_for_function("""() => ['a', 'b'].every(side => document.querySelector(
            `#article-compare [data-side=${side}] mark`))""")
        # the source on the left, this article on the right, as the API compares them
        diff = api(server, "POST", "/api/compare",
                   json={"text": article["text"], "source": other["id"]})["diff"]
        page.wait_for_selector("#article-changes li")
        for i, p in enumerate(diff["passages"]):
            p["index"] = i
        assert_highlights(page, "#article-compare", diff["passages"])
    page.click("#article-compare a >> text=open this article")  # the source, by its own id
    expect(page.locator("#article-title")).to_have_text(original["id"])


def test_a_whole_file_is_added_from_the_page(page, server, tmp_path):
    """Any format the readers take, through POST /api/files: what was added, and every
    rejected record with where and why."""
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "file-1", "text": "A council in the north voted on "
                                "Monday to close two libraries and a pool next spring."})
                    + "\nnot json\n", encoding="utf-8")
    page.set_input_files("#add-file", str(feed))
    page.click("#add-file-go")  # no token yet
    page.wait_for_selector("#error:not([hidden])")
    assert "enter it in the token box" in page.text_content("#error")
    page.fill("#token", TOKEN)
    page.click("#add-file-go")
    page.wait_for_selector("#file-result .summary")
    assert page.text_content("#file-result .summary") == (
        "feed.jsonl: 1 article read, 1 added or changed, 1 record rejected, 0 fields left empty.")
    assert "feed.jsonl, line 2: malformed JSON" in page.text_content("#file-result .rejected")
    assert api(server, "GET", "/api/articles/file-1")["id"] == "file-1"
    stats = api(server, "GET", "/api/stats")
    expect(page.locator("#stats")).to_have_text(
        f"{stats['articles']:,} articles · {stats['stories']:,} "
        f"{'story' if stats['stories'] == 1 else 'stories'}")


def test_changes_only_hides_the_texts(page, server, seed_articles):
    _, b = seed_articles
    page.fill("#check-text", b.text + "\n\nA closing line the paper added today.")
    page.click("#check-go")
    page.wait_for_selector("#check-changes li.added")
    assert page.is_visible("#check-compare")
    page.check("#changes-only")
    assert not page.is_visible("#check-compare") and page.is_visible("#check-changes")
