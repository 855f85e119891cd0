"""Web pages read as articles: their main text, their metadata, and pages built
to break the reader."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter

import pytest

from wiretrace.evaluate.corpora import data_dir, unpack
from wiretrace.ingest import read_articles
from wiretrace.model import FieldWarning

pytest.importorskip("trafilatura")
PAGES = data_dir() / "html-articles.tar.xz"
WORD = re.compile(r"\w+")

ARTICLE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Council approves the new budget | Springfield Gazette</title>
<meta property="og:site_name" content="Springfield Gazette">
<link rel="canonical" href="https://gazette.example/news/budget">
<meta property="article:published_time" content="2023-08-05T10:00:00Z">
<meta name="author" content="Jane Doe">
<meta name="keywords" content="budget,council, parks">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Council approves the new budget</h1>
<p>The city council approved the new budget on Tuesday by nine votes to two, after a debate
that lasted most of the evening and drew a crowd of residents to the town hall.</p>
<p>The budget raises spending on parks and pools by four percent, the mayor said, and keeps
the property tax rate where it was last year, which the opposition called a missed chance.</p>
<p>“We listened to every neighbourhood,” the mayor told reporters after the vote.</p>
</article><footer>Subscribe to our newsletter. Cookie settings. © Springfield Gazette</footer>
<div class="comments"><p>Great news for the pools! Posted by reader42</p></div>
</body></html>"""


def test_a_page_gives_its_main_text_and_its_metadata(tmp_path):
    path = tmp_path / "budget.html"
    path.write_text(ARTICLE_PAGE, encoding="utf-8")
    [article], rejected = read_articles([path])
    assert rejected == []
    assert article.id == "budget" and article.read_from == str(path)
    assert "approved the new budget on Tuesday" in article.text
    assert "We listened to every neighbourhood" in article.text
    for furniture in ("Subscribe to our newsletter", "Cookie settings", "reader42", "Sport"):
        assert furniture not in article.text
    assert article.title == "Council approves the new budget"
    assert article.outlet == "Springfield Gazette"
    assert article.url == "https://gazette.example/news/budget"
    assert article.published is not None and article.published.date().isoformat() == \
        "2023-08-05"
    assert article.author == "Jane Doe"
    assert article.topics == ("budget", "council", "parks")


def test_pages_built_to_break_it_are_rejected_records_and_nothing_else_is_lost(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "good.html").write_text(ARTICLE_PAGE, encoding="utf-8")
    (folder / "binary.html").write_bytes(b"\x00\x01\x02\xff" * 500)
    (folder / "index.htm").write_text("<html><body><ul><li><a href=/a>A</a></li>"
                                      "<li><a href=/b>B</a></li></ul></body></html>")
    (folder / "empty.html").write_bytes(b"")
    (folder / "broken.html.gz").write_bytes(b"\x1f\x8b\x08\x00not really gzip")
    bomb = gzip.compress(b"<p>" + b"a" * 30_000_000 + b"</p>")  # 30 MB from a few KB
    (folder / "bomb.html.gz").write_bytes(bomb)
    # a page in a legacy encoding, its charset not declared
    latin = ARTICLE_PAGE.replace('<meta charset="utf-8">', "").replace(
        "neighbourhood", "quartier de la Défense").encode("cp1252")
    (folder / "legacy.html").write_bytes(latin)
    articles, rejected = read_articles([folder], max_chars=100_000)
    assert sorted(a.id for a in articles) == ["good", "legacy"]
    legacy = next(a for a in articles if a.id == "legacy")
    assert "quartier de la Défense" in legacy.text  # decoded right, not mojibake
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in rejected}
    assert set(reasons) == {"binary.html", "index.htm", "empty.html", "broken.html.gz",
                            "bomb.html.gz"}
    assert "binary content" in reasons["binary.html"]
    assert "no article text" in reasons["index.htm"]
    assert "gzip" in reasons["broken.html.gz"]
    assert "huge page" in reasons["bomb.html.gz"]


@pytest.mark.skipif(not PAGES.exists(), reason="shared HTML pages not found")
def test_real_pages_give_their_hand_checked_main_text():
    root = unpack("html-articles.tar.xz") / "article-extraction-benchmark"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    names = sorted(truth)[:40]
    warnings: list[FieldWarning] = []
    articles, rejected = read_articles([root / "html" / f"{n}.html.gz" for n in names],
                                       warnings=warnings)
    assert rejected == [] and len(articles) == 40
    scores = []
    for article in articles:
        got = Counter(w.lower() for w in WORD.findall(article.text))
        want = Counter(w.lower() for w in WORD.findall(truth[article.id]["articleBody"]))
        common = sum((got & want).values())
        p, r = common / max(1, sum(got.values())), common / max(1, sum(want.values()))
        scores.append(2 * p * r / (p + r) if p + r else 0.0)
    assert sum(scores) / len(scores) > 0.93  # 0.965 over all 181 (benchmarks/html_extraction.py)
    assert sum(a.title is not None for a in articles) >= 38
    assert sum(a.url is not None for a in articles) >= 30


def test_mojibake_in_a_page_is_repaired_and_nothing_else_changed(tmp_path):
    pytest.importorskip("ftfy")
    page = ARTICLE_PAGE.replace("neighbourhood", "gÃ¼nlÃ¼k neighbourhood")
    path = tmp_path / "mojibake.html"
    path.write_text(page, encoding="utf-8")
    [article], _ = read_articles([path])
    assert "“We listened to every günlük neighbourhood,”" in article.text  # curly quotes kept
    plain = tmp_path / "plain.txt"
    plain.write_text("A plain text keeps gÃ¼nlÃ¼k as written.", encoding="utf-8")
    [kept], _ = read_articles([plain])
    assert "gÃ¼nlÃ¼k" in kept.text
    # on request: every format repaired, or none
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "s1", "text": "Bugün gÃ¼nlÃ¼k “haber”."}) + "\n",
                    encoding="utf-8")
    [fixed], _ = read_articles([feed], mojibake="repair")
    assert fixed.text == "Bugün günlük “haber”."
    [as_is], _ = read_articles([path], mojibake="keep")
    assert "gÃ¼nlÃ¼k" in as_is.text
    with pytest.raises(ValueError, match="unknown mojibake mode"):
        read_articles([feed], mojibake="fix")


@pytest.mark.parametrize("encoding,declared,meta,text", [
    # no label at all: detection among the web's legacy encodings
    ("cp1251", None, None, "Министр заявил прессе, что бюджет будет принят в декабре "
                           "после трёхдневных дебатов в парламенте страны."),
    ("shift_jis", None, None, "政府は月曜日、新しい予算案を国会に提出したと発表した。"
                              "野党は強く反対している。"),
    ("gb18030", None, None, "政府周一宣布，新的预算案已提交议会。反对党表示强烈反对。"),
    # a Latin-1 label read as browsers read it: Windows-1252, curly quotes and all
    ("cp1252", None, "iso-8859-1", "Le ministre a déclaré “à la presse” que le budget serait "
                                   "voté en décembre."),
    # the HTTP header wins over a meta tag that lies
    ("cp1253", "windows-1253", "utf-8", "Ο υπουργός δήλωσε ότι ο προϋπολογισμός θα "
                                        "ψηφιστεί τον Δεκέμβριο."),
    # a byte-order mark wins over everything
    ("utf-16", "iso-8859-1", "iso-8859-1", "Der Minister erklärte, der Haushalt komme."),
])
def test_a_page_is_decoded_as_a_browser_would(encoding, declared, meta, text):
    from wiretrace.ingest.charsets import decode_page

    head = f'<meta charset="{meta}">' if meta else ""
    page = f"<html><head>{head}</head><body><p>{text}</p></body></html>"
    decoded = decode_page(page.encode(encoding), declared)
    assert text in decoded.text, decoded
    expected = "bom" if encoding == "utf-16" else "http" if declared else \
        "meta" if meta else "detected"
    assert decoded.how == expected


@pytest.mark.skipif(not PAGES.exists(), reason="shared HTML pages not found")
def test_pages_of_one_site_share_furniture_not_stories():
    """Eight sites have two pages each among the real ones: what the extractor keeps
    of a site's furniture (bylines, promos, "Read more") must not join them."""
    from urllib.parse import urlparse

    import wiretrace

    root = unpack("html-articles.tar.xz") / "article-extraction-benchmark"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    by_site: dict[str, list[str]] = {}
    for key, item in sorted(truth.items()):
        by_site.setdefault(urlparse(item["url"]).netloc, []).append(key)
    pairs = {site: keys for site, keys in by_site.items() if len(keys) == 2}
    assert len(pairs) >= 8
    paths = [root / "html" / f"{key}.html.gz" for keys in pairs.values() for key in keys]
    articles, rejected = read_articles(paths)
    assert rejected == []
    result = wiretrace.trace(articles, workers=1, attribute=False)
    for keys in pairs.values():
        story = result.story_of(keys[0])
        assert story is None or keys[1] not in story.members, keys
