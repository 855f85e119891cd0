"""The report of the real seed pair, as a journalist opens it: in Chromium."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from output.test_report import marks_by_passage


@pytest.fixture(scope="module")
def seed_run(seeds_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed-run")
    done = subprocess.run([sys.executable, "-m", "wiretrace", "trace", str(seeds_dir),
                           "--out", str(out), "--quiet"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return out


def test_seed_report_highlights_the_aligned_passages(browser, seed_run, seeds_dir, tmp_path):
    passages = [json.loads(line) for line in
                (seed_run / "passages.jsonl").read_text(encoding="utf-8").splitlines()]
    text_a = (seeds_dir / "niger-wagner-a.txt").read_text(encoding="utf-8")
    text_b = (seeds_dir / "niger-wagner-b.txt").read_text(encoding="utf-8")

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((seed_run / "report.html").resolve().as_uri())

    origin_side = marks_by_passage(page, ".side-origin mark.reused")
    version_side = marks_by_passage(page, ".side-version mark.reused")
    expected_a = sorted(text_a[p["a_start"]:p["a_end"]] for p in passages)
    expected_b = sorted(text_b[p["b_start"]:p["b_end"]] for p in passages)
    assert sorted(origin_side.values()) == expected_a
    assert sorted(version_side.values()) == expected_b

    added = " ".join(page.eval_on_selector_all("ins.added", "els => els.map(e => e.textContent)"))
    dropped = " ".join(page.eval_on_selector_all("del.dropped",
                                                 "els => els.map(e => e.textContent)"))
    assert "Vanguard" in added and "Some residents rejected the junta" in added
    assert "France has 1,500 soldiers in Niger" in dropped
    diff = json.loads((seed_run / "diffs.jsonl").read_text(encoding="utf-8"))
    assert diff["summary"] in page.inner_text("body")
    assert all(url.startswith("file://") for url in requests)

    shot = tmp_path / "seed-report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()


def test_seed_report_marks_credits_and_draws_who_told_whom(browser, seed_run, seeds_dir):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto((seed_run / "report.html").resolve().as_uri())
    new_here = page.eval_on_selector_all(".side-version .credit-new",
                                         "els => els.map(e => e.textContent)")
    assert new_here == ["Vanguard", "Voice of America"]  # credited in b only
    credited_a = page.eval_on_selector_all(".side-origin .credit",
                                           "els => els.map(e => e.textContent)")
    assert {"the AP news agency", "France 24", "The Associated Press", "broadcaster BFM"} <= \
        {c.strip() for c in credited_a}
    notes = page.inner_text(".credits")
    assert "credited here only: Vanguard, Voice of America" in notes
    assert "credit cut: AP's credit is gone" in notes
    # the graph: a self-contained SVG with the chain Nasr -> AP -> VOA -> version b
    labels = page.eval_on_selector_all("svg.provenance text",
                                       "els => els.map(e => e.firstChild.textContent)")
    assert {"Wassim Nasr", "AP", "VOA", "niger-wagner-b"} <= set(labels)
    steps = page.eval_on_selector_all("svg.provenance line title",
                                      "els => els.map(e => e.textContent)")
    assert any(s.startswith("AP relayed by VOA") for s in steps)
    assert any(s.startswith("Wassim Nasr told AP") for s in steps)
    box = page.eval_on_selector("svg.provenance", "e => e.getBoundingClientRect().height")
    assert box > 100
    page.close()
    rows = [json.loads(line) for line in
            (seed_run / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["story"] for r in rows] == ["story-1"]


def test_seed_changes_view_fits_a_screen_and_lists_every_change(browser, seed_run, tmp_path):
    """Changes only: the seed pair's changes on one 1400 x 2000 screen, each change of
    diffs.jsonl there (paragraphs added and dropped, every word edit, every variant)."""
    diff = json.loads((seed_run / "diffs.jsonl").read_text(encoding="utf-8"))
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto((seed_run / "report.html").resolve().as_uri())
    page.wait_for_selector("body[data-ready='1']", state="attached")
    page.click('[data-view="changes"]')
    box = page.eval_on_selector(".pair", "e => e.getBoundingClientRect().height")
    assert box <= 2000
    listed = page.inner_text(".pair .changes")
    for change in diff["changes"]:
        if change["kind"] == "added":
            assert change["b_text"].strip() in listed
        elif change["kind"] == "dropped":
            assert change["a_text"].strip() in listed
        for word in change["word_changes"]:
            assert word["a_text"] in listed and word["b_text"] in listed
    for variant in diff["spelling_variants"]:
        assert variant["a_form"] in listed and variant["b_form"] in listed
    assert "Dropped (1 paragraph, 3 headings)" in listed
    page.eval_on_selector(".pair", "e => e.scrollIntoView()")
    page.screenshot(path=str(tmp_path / "seed-changes.png"))
    page.close()


def test_compare_html_is_the_pair_as_a_report(browser, seeds_dir, tmp_path):
    out = tmp_path / "pair.html"
    done = subprocess.run([sys.executable, "-m", "wiretrace", "compare",
                           str(seeds_dir / "niger-wagner-a.txt"),
                           str(seeds_dir / "niger-wagner-b.txt"), "--html", str(out), "--quiet"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(out.resolve().as_uri())
    page.wait_for_selector("body[data-ready='1']", state="attached")
    assert page.title() == "niger-wagner-b against niger-wagner-a"
    assert page.locator(".pair").count() == 1
    assert page.get_attribute(".pair", "data-version") == "niger-wagner-b"
    assert page.locator(".pair .side-origin mark.reused").count() >= 5
    assert "Vanguard" in page.inner_text(".pair .side-version ins.added")
    page.click('[data-view="changes"]')
    assert "Added (2 paragraphs)" in page.inner_text(".pair .changes")
    page.screenshot(path=str(tmp_path / "compare-html.png"), full_page=True)
    page.close()
