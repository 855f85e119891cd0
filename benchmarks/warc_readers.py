"""warcio and FastWARC side by side: reading a WARC of real pages, records/s and memory.

Builds (once, in ``.cache/warc``) a gzipped WARC of ``--records`` response
records made from the 181 real pages of ``html-articles.tar.xz`` (repeated,
each with its own URI), one in ten a non-HTML or non-200 record, then reads
it with each library in a fresh process, in turns, iterating every record and
reading its payload (what wiretrace's WARC reader needs), and prints records/s
and the process's peak memory.

    python benchmarks/warc_readers.py                 # 10,000 records, 3 turns
    python benchmarks/warc_readers.py --records 2000 --turns 2
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from wiretrace.evaluate.corpora import PROJECT_ROOT, unpack


def build(path: Path, records: int) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    root = unpack("html-articles.tar.xz") / "article-extraction-benchmark"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [(item["url"], gzip.open(root / "html" / f"{key}.html.gz").read())
             for key, item in sorted(truth.items())]
    partial = path.with_suffix(".partial")
    with open(partial, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for k in range(records):
            url, body = pages[k % len(pages)]
            uri = f"{url}?copy={k}"
            status, kind = "200 OK", "text/html; charset=utf-8"
            if k % 10 == 9:
                status, kind, body = (("404 Not Found", "text/html", b"<p>gone</p>")
                                      if k % 20 == 9 else ("200 OK", "image/png", b"\x89PNG"))
            headers = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response",
                                                         payload=io.BytesIO(body),
                                                         http_headers=headers))
    partial.rename(path)


def read_with(library: str, path: Path) -> None:
    started = time.perf_counter()
    count = payload = 0
    with open(path, "rb") as fh:
        if library == "warcio":
            from warcio.archiveiterator import ArchiveIterator

            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    payload += len(record.content_stream().read())
                    count += 1
        else:
            from fastwarc.warc import ArchiveIterator, WarcRecordType

            for record in ArchiveIterator(fh, record_types=WarcRecordType.response):
                payload += len(record.reader.read())
                count += 1
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"library": library, "records": count, "payload_mb": payload / 1e6,
                      "seconds": seconds, "peak_mb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--read", choices=["warcio", "fastwarc"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        read_with(args.read, args.path)
        return
    path = PROJECT_ROOT / ".cache" / "warc" / f"pages-{args.records}.warc.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        build(path, args.records)
    print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB, {args.records:,} records")
    print("turn  library    records/s   peak MB")
    for turn in range(1, args.turns + 1):
        for library in ("warcio", "fastwarc"):
            done = subprocess.run([sys.executable, __file__, "--read", library, "--path",
                                   str(path)], capture_output=True, text=True, check=True)
            row = json.loads(done.stdout)
            print(f"{turn:4}  {library:9} {row['records'] / row['seconds']:10,.0f} "
                  f"{row['peak_mb']:9.0f}")


if __name__ == "__main__":
    main()
