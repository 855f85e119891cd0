"""How ``wiretrace serve`` performs over HTTP: sustained ingest and query latency.

For a generated corpus (``benchmarks/make_corpus.py``, ``.cache/corpus-<N>``):

1. a real ``wiretrace serve`` (child process, 127.0.0.1, new index file) is
   sent all but the last ``--queries`` articles as ``POST
   /api/articles/batch`` requests of ``--batch-size`` articles from
   ``--clients`` connections at once (each sends the next batch in order
   when its last one is answered), each answered with the reuse found for
   every article:
   ``ingest/s`` is articles over the wall time of all requests (JSON encoding,
   the socket, validation, indexing, the answer), and the slowest stretch of
   ``--window`` articles is reported too, so a rate that sinks as the index
   grows shows;
2. the held-out articles (new arrivals: unrelated ones, copies, trimmed,
   reworded and spliced versions of indexed ones, as the generator mixes them)
   are each sent as ``POST /api/query``, one at a time after one warm-up,
   timed in the client from request to parsed answer: p50, p90, p99, max;
   and, after each, the same query through ``Index.query`` in this process
   (no HTTP), so the share of the latency that is the service (HTTP, JSON,
   validation, the answer's texts) and the share that is the index show
   apart;
3. ``GET /api/articles/{id}/passages`` for as many indexed articles, timed
   the same way (a plain read).

``--db FILE`` keeps the index (and, if it already holds the articles, skips
step 1).  Prints one table; ``--json FILE`` writes the figures too.  Nothing
is downloaded; the corpus must exist.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import httpx
import pyarrow.parquet as pq

from wiretrace.server.process import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "benchmark-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def rows_of(corpus: Path, start: int, stop: int) -> list[dict]:
    """Articles ``start..stop`` of the corpus as API bodies."""
    table = pq.read_table(corpus).slice(start, stop - start)
    out = []
    for r in table.to_pylist():
        published = r.get("published")
        out.append({"id": r["id"], "text": r["text"], "title": r.get("title"),
                    "outlet": r.get("outlet"),
                    "published": published.isoformat() if isinstance(published, datetime)
                    else published})
    return out


def ingest(url: str, articles: list[dict], batch_size: int, window: int,
           clients: int) -> dict:
    """Send the articles in batches from ``clients`` connections at once (each takes
    the next batch in order when its last one is answered); the overall and the
    slowest-window rates."""
    bodies = [json.dumps({"articles": articles[i:i + batch_size]}).encode()
              for i in range(0, len(articles), batch_size)]
    lock = threading.Lock()
    next_body = 0
    done = 0
    reused = 0
    started = time.perf_counter()
    marks = [(0, started)]
    failures: list[str] = []

    def client() -> None:
        nonlocal next_body, done, reused
        with httpx.Client(base_url=url, timeout=600) as http:
            while not failures:
                with lock:
                    if next_body == len(bodies):
                        return
                    k, next_body = next_body, next_body + 1
                r = http.post("/api/articles/batch", content=bodies[k],
                              headers={**AUTH, "Content-Type": "application/json"})
                if r.status_code != 200:
                    failures.append(f"batch {k}: {r.status_code} {r.text[:500]}")
                    return
                found = r.json()["results"]
                with lock:
                    reused += sum(1 for x in found if x["passages"])
                    done += len(found)
                    marks.append((done, time.perf_counter()))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(failures[0])
    seconds = marks[-1][1] - started
    slowest = None
    for k, (n0, t0) in enumerate(marks):  # the slowest stretch of about `window` articles
        later = [(n, t) for n, t in marks[k + 1:] if n - n0 >= window]
        if later:
            n1, t1 = later[0]
            rate = (n1 - n0) / (t1 - t0)
            slowest = rate if slowest is None else min(slowest, rate)
    return {"ingested": len(articles), "clients": clients, "ingest_seconds": round(seconds, 1),
            "ingest_per_second": round(len(articles) / seconds),
            "slowest_window_per_second": round(slowest) if slowest else None,
            "ingested_with_reuse": reused}


def timed(http: httpx.Client, method: str, paths_or_bodies: list, path: str | None
          ) -> tuple[list[float], int]:
    """Latencies in ms of one request per item (a body for POST, a path for GET)."""
    latencies, with_reuse = [], 0
    for item in paths_or_bodies:
        t0 = time.perf_counter()
        if method == "POST":
            r = http.post(path, json=item)
        else:
            r = http.get(item)
        data = r.json()
        latencies.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"{method} {path or item}: {r.status_code} {r.text[:300]}")
        with_reuse += bool(data.get("passages"))
    return latencies, with_reuse


def time_queries(http: httpx.Client, db: Path, asked: list[dict]
            ) -> tuple[list[float], list[float], int]:
    """Each article through HTTP, then through ``Index.query`` in this process.

    Interleaved, so that both see the same load on a shared machine (and the
    same file cache); latencies in ms, and how many queries found reuse.
    """
    from wiretrace.index import Index
    from wiretrace.model import Article

    bodies = [{"text": a["text"], "title": a["title"]} for a in asked]
    articles = [Article(id="(query)", text=a["text"], title=a["title"]) for a in asked]
    over_http, direct, found = [], [], 0

    def through_http(body: dict) -> None:
        nonlocal found
        latency, reused = timed(http, "POST", [body], "/api/query")
        over_http.extend(latency)
        found += reused

    def through_index(article: Article) -> None:
        t0 = time.perf_counter()
        index.query(article)
        direct.append((time.perf_counter() - t0) * 1000)

    with Index.open(db, create=False) as index:
        timed(http, "POST", bodies[:1], "/api/query")  # warm-up: first-use costs
        index.query(articles[0])
        # Whichever goes second finds the candidates' pages in the OS cache:
        # take turns at going first.
        for k, (body, article) in enumerate(zip(bodies, articles, strict=True)):
            if k % 2:
                through_index(article)
                through_http(body)
            else:
                through_http(body)
                through_index(article)
    return over_http, direct, found


def run(corpus: Path, size: int, queries: int, batch_size: int, window: int | None,
        db: Path, clients: int = 2) -> dict:
    n = min(size, pq.ParquetFile(corpus).metadata.num_rows)
    held = min(queries, n // 10)
    window = window or max(batch_size, (n - held) // 10)
    figures: dict = {"corpus": str(corpus.parent.name), "batch_size": batch_size}
    extra = ("--max-batch", str(max(batch_size, 1000)), "--max-body-bytes", str(256 << 20))
    with ServerProcess(db, TOKEN, *extra, log=db.with_suffix(".log")) as server, \
            httpx.Client(base_url=server.url, timeout=600) as http:
        indexed = http.get("/api/stats").json()["articles"]
        if indexed == 0:
            figures.update(ingest(server.url, rows_of(corpus, 0, n - held), batch_size, window,
                                  clients))
        elif indexed != n - held:
            raise SystemExit(f"{db} holds {indexed} articles, not {n - held}: remove it")
        latencies, direct, found = time_queries(http, db, rows_of(corpus, n - held, n))
        ids = [a["id"] for a in rows_of(corpus, 0, min(held, n - held))]
        reads, _ = timed(http, "GET", [f"/api/articles/{i}/passages" for i in ids], None)
        stats = http.get("/api/stats").json()
    figures.update({
        "indexed": stats["articles"], "queries": len(latencies), "queries_with_reuse": found,
        "query_p50_ms": round(percentile(latencies, 0.50), 2),
        "query_p90_ms": round(percentile(latencies, 0.90), 2),
        "query_p99_ms": round(percentile(latencies, 0.99), 2),
        "query_max_ms": round(max(latencies), 2),
        "query_mean_ms": round(statistics.fmean(latencies), 2),
        "index_query_p50_ms": round(percentile(direct, 0.50), 2),
        "index_query_p99_ms": round(percentile(direct, 0.99), 2),
        "read_p50_ms": round(percentile(reads, 0.50), 2),
        "read_p99_ms": round(percentile(reads, 0.99), 2),
        "db_bytes": stats["file_bytes"], "bytes_per_article": stats["bytes_per_article"]})
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000,
                        help="corpus .cache/corpus-<N>: index all but --queries of it "
                             "(default: 10000)")
    parser.add_argument("--queries", type=int, default=500,
                        help="held-out articles sent to /api/query (default: 500)")
    parser.add_argument("--batch-size", type=int, default=500,
                        help="articles per POST /api/articles/batch (default: 500)")
    parser.add_argument("--clients", type=int, default=2,
                        help="connections sending batches at once, each waiting for its "
                             "answer before sending the next (default: 2)")
    parser.add_argument("--window", type=int, default=None,
                        help="articles per stretch for the slowest ingest rate (default: a "
                             "tenth of the articles ingested)")
    parser.add_argument("--db", type=Path, help="index file to build or reuse (default: a "
                        "temporary one, removed afterwards)")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get(
        "WIRETRACE_CACHE", ROOT / ".cache")), help="where corpora live (default: .cache)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)

    corpus = args.cache / f"corpus-{args.size}" / "articles.parquet"
    if not corpus.exists():
        raise SystemExit(f"no corpus at {corpus}: run benchmarks/make_corpus.py first")
    with tempfile.TemporaryDirectory(prefix="wiretrace-serve-bench-") as tmp:
        db = args.db or Path(tmp) / "index.db"
        r = run(corpus, args.size, args.queries, args.batch_size, args.window, db, args.clients)
    print(f"{'indexed':>9} {'ingest s':>9} {'ingest/s':>9} {'slowest/s':>10} {'queries':>8} "
          f"{'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7} {'index p50':>9} "
          f"{'index p99':>9} {'read p50':>9} {'read p99':>9} {'bytes/art':>10}")
    ingested = "ingest_seconds" in r  # not when the index was there already
    print(f"{r['indexed']:>9,} "
          + (f"{r['ingest_seconds']:>9.1f} {r['ingest_per_second']:>9,} "
             f"{r['slowest_window_per_second'] or 0:>10,} " if ingested
             else f"{'-':>9} {'-':>9} {'-':>10} ")
          + f"{r['queries']:>8} {r['query_p50_ms']:>7.2f} {r['query_p90_ms']:>7.2f} "
          f"{r['query_p99_ms']:>7.2f} {r['query_max_ms']:>7.2f} "
          f"{r['index_query_p50_ms']:>9.2f} {r['index_query_p99_ms']:>9.2f} "
          f"{r['read_p50_ms']:>9.2f} {r['read_p99_ms']:>9.2f} {r['bytes_per_article']:>10,}")
    print(f"ingest: POST /api/articles/batch, {args.batch_size} articles a request, from "
          f"{args.clients} clients at once; queries: POST /api/query, one at a time, timed in "
          f"the client "
          f"({r['queries_with_reuse']} of {r['queries']} found reuse); index p50/p99: the same "
          "queries through Index.query in one process, no HTTP")
    if args.json:
        args.json.write_text(json.dumps(r, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
