"""How the report of a real archive opens: size, first paint, ready, a search.

Traces the real archive (Reuters-21578 and BBC News, 21,268 articles, dates as
given, as ``benchmarks/real_stories.py`` feeds it), writes its report, then
opens it ``--runs`` times in headless Chromium (Debian's, through Playwright)
and prints, per run, the first contentful paint, the time until the stories
table is drawn and the first story open (``body[data-ready]``), the page's
element count, and the time from typing a title in the search box to its
story being drawn.

    python benchmarks/report_scale.py
    python benchmarks/report_scale.py --runs 9 --keep report.html
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import CHROMIUM_ARGS, chromium_path  # noqa: E402
from real_stories import archive_articles  # noqa: E402
from wiretrace.output.report import write_report  # noqa: E402
from wiretrace.pipeline import trace  # noqa: E402

SEARCH = "world bank loans turkey"  # one story's title, typed as a reader would


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", metavar="FILE", help="keep the report here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    result = trace(archive_articles())
    traced = time.perf_counter() - started
    folder = Path(tempfile.mkdtemp(prefix="wiretrace-report-"))
    try:
        started = time.perf_counter()
        out = write_report(result, folder / "report.html")
        written = time.perf_counter() - started
        print(f"{len(result.articles):,} articles, {len(result.stories):,} stories; traced in "
              f"{traced:.1f} s, report written in {written:.2f} s, "
              f"{out.stat().st_size / 1e6:.2f} MB\n")
        print("| run | first paint ms | ready ms | elements | search to story ms |")
        print("|---|---|---|---|---|")
        paints, readies, searches = [], [], []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            for run in range(1, args.runs + 1):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(out.resolve().as_uri())
                page.wait_for_selector("body[data-ready='1']", state="attached",
                                       timeout=60_000)
                paint = page.evaluate("performance.getEntriesByName("
                                      "'first-contentful-paint')[0].startTime")
                ready = page.evaluate("performance.now()")  # an upper bound: ready, then asked
                elements = page.evaluate("document.getElementsByTagName('*').length")
                before = page.evaluate("performance.now()")
                page.fill("#f-search", SEARCH)
                page.wait_for_selector(".story h2:text-is('WORLD BANK LOANS TURKEY 325 MLN DLRS')")
                search = page.evaluate("performance.now()") - before
                paints.append(paint)
                readies.append(ready)
                searches.append(search)
                print(f"| {run} | {paint:.0f} | {ready:.0f} | {elements:,} | {search:.0f} |")
                page.close()
            browser.close()
        print(f"| median | {statistics.median(paints):.0f} | {statistics.median(readies):.0f} "
              f"| | {statistics.median(searches):.0f} |")
        if args.keep:
            shutil.copy(out, args.keep)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
