"""Main-text extraction from real web pages, scored against hand-checked text.

Reads the 181 pages of the article-extraction benchmark (``html-articles.tar.xz``
among the shared archives) with wiretrace's HTML reader (``ingest/html_pages.py``,
trafilatura with comments left out and precision favoured) and scores each
extracted text against the page's ``articleBody``: word-level precision, recall
and F1 (bags of lowercased words), averaged over pages (macro) and pooled
(micro), with the pages that fail most.

    python benchmarks/html_extraction.py
    python benchmarks/html_extraction.py --worst 10
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter

from wiretrace.evaluate.corpora import unpack
from wiretrace.ingest import read_articles

WORD = re.compile(r"\w+")


def words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in WORD.findall(text))


def prf(got: Counter[str], want: Counter[str]) -> tuple[float, float, float]:
    common = sum((got & want).values())
    p = common / max(1, sum(got.values()))
    r = common / max(1, sum(want.values()))
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worst", type=int, default=5, help="pages that fail most, shown")
    args = parser.parse_args()
    root = unpack("html-articles.tar.xz") / "article-extraction-benchmark"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    articles, rejected = read_articles([root / "html"])
    seconds = time.perf_counter() - started
    found = {a.id: a.text for a in articles}
    rows = []
    pooled_got: Counter[str] = Counter()
    pooled_want: Counter[str] = Counter()
    for key, item in truth.items():
        got, want = words(found.get(key, "")), words(item["articleBody"])
        pooled_got += got
        pooled_want += want
        rows.append((*prf(got, want), item["url"]))
    n = len(rows)
    macro = [sum(r[k] for r in rows) / n for k in range(3)]
    micro = prf(pooled_got, pooled_want)
    print(f"{n} pages, {len(articles)} read, {len(rejected)} rejected, in {seconds:.1f} s "
          f"({n / seconds:.0f} pages/s, one process)")
    print("            precision  recall  F1")
    print(f"macro        {macro[0]:.3f}    {macro[1]:.3f}   {macro[2]:.3f}")
    print(f"micro        {micro[0]:.3f}    {micro[1]:.3f}   {micro[2]:.3f}")
    print(f"\nthe {args.worst} pages that fail most (F1, precision, recall):")
    for p, r, f, url in sorted(rows, key=lambda row: row[2])[:args.worst]:
        print(f"  {f:.2f}  {p:.2f}  {r:.2f}  {url}")


if __name__ == "__main__":
    main()
