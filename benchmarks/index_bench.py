"""How the persistent index performs: ingest rate, query latency, size on disk.

For a generated corpus (``benchmarks/make_corpus.py``, ``.cache/corpus-<N>``):

1. all but the last ``--queries`` articles are written to a Parquet file and
   added with the real command line, ``wiretrace index add DB FILE --quiet
   --batch-size B``, in a subprocess of its own (reading Parquet, interpreter
   start and imports included): ``ingest/s`` is articles over its wall time;
2. the held-out articles (new articles as they would arrive: unrelated ones,
   copies, trimmed, reworded and spliced versions of indexed ones, as the
   generator mixes them) are each checked with ``Index.query`` in this process,
   one at a time after one warm-up query: p50, p90, p99 and max latency in
   milliseconds (tokenising, candidates, alignment of every candidate pair,
   the stories it would join; nothing is stored);
3. the index file's size (write-ahead log included) per indexed article.

Prints one table; ``--json FILE`` writes the figures too.  Nothing is
downloaded; the corpus must exist (``make_corpus.py --articles N``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(size: int, corpus: Path, work: Path, queries: int, batch_size: int,
        workers: int, keep: bool = False, reuse: bool = False) -> dict:
    from wiretrace.index import Index
    from wiretrace.ingest import read_articles

    work.mkdir(parents=True, exist_ok=True)
    table = pq.read_table(corpus)
    n = min(size, table.num_rows)
    held = min(queries, n // 10)
    ingest_file, query_file = work / f"ingest-{n}.parquet", work / f"queries-{n}.parquet"
    pq.write_table(table.slice(0, n - held), ingest_file)
    pq.write_table(table.slice(n - held, held), query_file)
    db = work / f"index-{n}.db"
    timing = work / f"index-{n}.seconds"
    if not (reuse and db.exists() and timing.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        command = [sys.executable, "-m", "wiretrace", "index", "add", str(db), str(ingest_file),
                   "--quiet", "--batch-size", str(batch_size), "--workers", str(workers)]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        timing.write_text(f"{time.perf_counter() - started:.3f}\n")
        if done.returncode != 0:
            raise SystemExit(f"index add failed ({done.returncode}): {done.stderr[-2000:]}")
    ingest_seconds = float(timing.read_text())

    articles, _ = read_articles([query_file])
    latencies: list[float] = []
    found = 0
    with Index.open(db, create=False) as index:
        opened = time.perf_counter()
        index.query(articles[0])  # warm-up: first-use costs (tables, caches)
        warm_seconds = time.perf_counter() - opened
        for article in articles:
            t0 = time.perf_counter()
            result = index.query(article)
            latencies.append((time.perf_counter() - t0) * 1000)
            found += bool(result.passages)
        stats = index.stats()
    if not keep:
        for path in (ingest_file, query_file, timing,
                     *(Path(f"{db}{s}") for s in ("", "-wal", "-shm"))):
            path.unlink(missing_ok=True)
    return {
        "articles": n - held, "batch_size": batch_size, "workers": workers,
        "ingest_seconds": round(ingest_seconds, 1),
        "ingest_per_second": round((n - held) / ingest_seconds),
        "queries": len(latencies), "queries_with_reuse": found,
        "query_p50_ms": round(_percentile(latencies, 0.50), 2),
        "query_p90_ms": round(_percentile(latencies, 0.90), 2),
        "query_p99_ms": round(_percentile(latencies, 0.99), 2),
        "query_max_ms": round(max(latencies), 2),
        "query_mean_ms": round(statistics.fmean(latencies), 2),
        "first_query_s": round(warm_seconds, 2),
        "db_bytes": stats["file_bytes"], "bytes_per_article": stats["bytes_per_article"],
        "pairs": stats["pairs"], "stories": stats["stories"],
        "shingle_postings": stats["shingle_postings"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000],
                        help="indexed corpus sizes; corpus .cache/corpus-<N> (default: 10000)")
    parser.add_argument("--queries", type=int, default=500,
                        help="held-out articles queried (default: 500)")
    parser.add_argument("--batch-size", type=int, default=5000,
                        help="articles per add transaction (default: 5000, as index add)")
    parser.add_argument("--workers", type=int, default=2, help="alignment processes (default 2)")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get(
        "WIRETRACE_CACHE", ROOT / ".cache")), help="where corpora live (default: .cache)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the index files")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: query an index kept by an earlier run (its ingest "
                             "time is the one recorded then) instead of building it again")
    args = parser.parse_args(argv)

    rows = []
    for size in args.sizes:
        corpus = args.cache / f"corpus-{size}" / "articles.parquet"
        if not corpus.exists():
            raise SystemExit(f"no corpus at {corpus}: run benchmarks/make_corpus.py first")
        work = args.cache / "index-bench"
        rows.append(run(size, corpus, work, args.queries, args.batch_size, args.workers,
                        args.keep, args.reuse))
    header = (f"{'indexed':>9} {'ingest s':>9} {'ingest/s':>9} {'queries':>8} {'p50 ms':>8} "
              f"{'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'MB':>8} {'bytes/art':>10}")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['articles']:>9,} {r['ingest_seconds']:>9.1f} {r['ingest_per_second']:>9,} "
              f"{r['queries']:>8} {r['query_p50_ms']:>8.2f} {r['query_p90_ms']:>8.2f} "
              f"{r['query_p99_ms']:>8.2f} {r['query_max_ms']:>8.2f} "
              f"{r['db_bytes'] / 1e6:>8.1f} {r['bytes_per_article']:>10,}")
    print(f"ingest: 'wiretrace index add' (subprocess, batches of {args.batch_size}, "
          f"{args.workers} workers); queries: Index.query on held-out articles, one at a time")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
