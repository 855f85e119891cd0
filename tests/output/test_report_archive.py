"""The report of the real archive (Reuters-21578 and BBC News, 21,268 articles), as a
reader uses it in Chromium: its size, the stories table, a search, the filters, a
story opened.  Screenshots are kept under the test's temp folder; the timings
are measured by ``benchmarks/report_scale.py`` (BENCHMARKS.md), not here."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import wiretrace
from output.test_report import open_page
from wiretrace.evaluate.corpora import bbc_articles, data_dir, reuters_articles
from wiretrace.output.report import write_report

pytestmark = pytest.mark.skipif(not (data_dir() / "reuters21578.tar.xz").exists(),
                                reason="shared archive not found")


@pytest.fixture(scope="module")
def archive_report(tmp_path_factory) -> tuple[Path, wiretrace.TraceResult]:
    articles = list(reuters_articles())
    for a in bbc_articles():
        topic, number = a.id.split("/")
        articles.append(dataclasses.replace(a, id=f"bbc-{topic}-{number}", outlet="BBC News"))
    result = wiretrace.trace(articles)
    out = write_report(result, tmp_path_factory.mktemp("archive") / "report.html")
    return out, result


def test_the_archive_report_is_small_and_every_story_is_in_its_table(browser, archive_report,
                                                                     tmp_path):
    out, result = archive_report
    assert out.stat().st_size < 12_000_000
    page, requests = open_page(browser, out)
    total = len(result.stories)
    assert page.text_content("#story-count") == f"{total:,} of {total:,} stories"
    assert page.locator("#story-rows tr").count() == 100  # the first page of rows
    sizes = page.eval_on_selector_all("#story-rows tr td:nth-child(2)",
                                      "els => els.map(e => +e.textContent.replace(/,/g, ''))")
    assert sizes == sorted(sizes, reverse=True)  # largest first
    # the largest story is open below the table, titled, its versions side by side
    largest = max(result.stories, key=lambda s: len(s.members))
    assert page.locator(".story .pair").count() >= 1
    assert page.locator("body").evaluate("b => b.getElementsByTagName('*').length") < 20_000
    page.screenshot(path=str(tmp_path / "archive-open.png"))
    assert len(largest.members) == sizes[0]

    # a search by a title shows its story, and opens it when it is the only one
    page.fill("#f-search", "world bank loans turkey")
    assert page.locator("#story-rows tr").count() == 1
    assert page.text_content(".story h2") == "WORLD BANK LOANS TURKEY 325 MLN DLRS"
    assert "#story-" in page.url
    page.screenshot(path=str(tmp_path / "archive-search.png"), full_page=True)

    # filters: an outlet, a date range, changed facts; sorting by a column
    page.fill("#f-search", "")
    page.select_option("#f-outlet", "BBC News")
    bbc = int(page.text_content("#story-count").split(" of ")[0].replace(",", ""))
    assert 0 < bbc < total
    page.select_option("#f-outlet", "")
    page.fill("#f-from", "1987-04-01")
    page.fill("#f-to", "1987-04-01")
    firsts = page.eval_on_selector_all("#story-rows tr td:nth-child(4)",
                                       "els => els.map(e => e.textContent)")
    assert firsts and all(f <= "1987-04-01" for f in firsts)
    page.fill("#f-from", "")
    page.fill("#f-to", "")
    page.check("#f-facts")
    facts = page.eval_on_selector_all("#story-rows tr td:nth-child(6)",
                                      "els => els.map(e => e.textContent)")
    assert facts and all(f != "" for f in facts)
    page.uncheck("#f-facts")
    page.click("#story-table th[data-sort=shared]")
    shares = page.eval_on_selector_all("#story-rows tr td:nth-child(5)",
                                       "els => els.map(e => +e.textContent.replace('%', ''))")
    assert shares == sorted(shares, reverse=True)
    page.click("#story-more")
    assert page.locator("#story-rows tr").count() == 200
    # a row clicked opens its story, and the address names it
    row = page.locator("#story-rows tr").nth(3)
    story_id = row.get_attribute("data-story")
    row.click()
    assert page.text_content(".story .meta").startswith(f"{story_id} · ")
    page.screenshot(path=str(tmp_path / "archive-story.png"), full_page=True)
    assert all(u.startswith("file://") for u in requests)
    page.close()
