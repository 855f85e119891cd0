"""Reading web archives: ``.warc``, ``.warc.gz``, ``.arc``, ``.arc.gz``, streamed
record by record (warcio), never loaded whole.

Every ``response`` record with status 200 and an HTML (or plain-text) payload
is an article: id its ``WARC-Target-URI`` (or, with ``--warc-id record``, its
``WARC-Record-ID``, which tells two captures of one URL apart); decoded by the
charset of its HTTP header when it names one, else the page's meta tag or
detection (:mod:`.charsets`); its main text extracted as for a page file
(:func:`.html_pages.page_article`); ``url`` the page's canonical one, else the
target URI; ``published`` the page's date, else the record's ``WARC-Date``.
Other response records (a redirect, a 404, an image) are no articles: they
are counted, by reason, in one line per file, not rejected one by one;
request, metadata and warcinfo records are passed over.

A compressed file is read one gzip member (one record) at a time: a corrupt
or truncated member is a rejected record, and reading goes on at the next
member, so the rest of the file still reads.  An uncompressed file cannot be
cut so safely: its reading stops at a damaged record, which is rejected.  A
payload over the page bound (8x ``--max-chars``, at least 10 MB) is rejected
without being held.

warcio, not FastWARC: FastWARC read the same 10,000-record WARC 2.2 times as
fast (BENCHMARKS.md), but both are over 60 times faster than extracting the
pages' text, FastWARC does not read ARC files, and warcio also writes WARCs
(the tests build theirs with it).
"""

from __future__ import annotations

import io
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO

from wiretrace.ingest.charsets import decode_page
from wiretrace.ingest.decoding import FileRejected, open_regular
from wiretrace.ingest.html_pages import MARKUP_FACTOR, MIN_PAGE_BYTES, page_article
from wiretrace.ingest.records import Accept, Options, text_problem
from wiretrace.model import Article, Rejected

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
WARC_IDS = ("uri", "record")  # what a record's article id is (Options.warc_id)
GZIP_MEMBER = b"\x1f\x8b\x08"
CHARSET = re.compile(r"charset=([\w.-]+)", re.I)
SCAN_CHUNK = 1 << 20


def is_warc(source: str) -> bool:
    return source.lower().endswith(WARC_SUFFIXES)


def read_warc(source: str, opts: Options, accept: Accept) -> Iterator[Article | Rejected]:
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError:
        raise FileRejected("reading WARC needs warcio: pip install 'wiretrace[html]'") from None
    limit = max(MIN_PAGE_BYTES, MARKUP_FACTOR * opts.max_chars)
    skipped: Counter[str] = Counter()
    with open_regular(source) as fh:
        opening = fh.read(16)
        if opening and not opening.startswith((GZIP_MEMBER, b"WARC/", b"filedesc://")):
            # warcio would read any text as ARC lines, one junk record each
            raise FileRejected(f"not a WARC or ARC file: it opens with {opening[:16]!r}")
        fh.seek(0)
        number = 0
        if opening.startswith(GZIP_MEMBER):
            # one gzip member a record, decompressed here one at a time, so that a
            # damaged member costs itself only: reading goes on at the next member
            for offset, member in _gzip_members(fh, limit):
                if isinstance(member, Exception):
                    number += 1
                    yield Rejected(source, f"record {number} (byte {offset:,})", None,
                                   f"damaged record: {member}; reading goes on at the "
                                   "next record")
                    continue
                for record in ArchiveIterator(io.BytesIO(member), arc2warc=True):
                    number += 1
                    yield from _emit(record, source, f"record {number}", opts, limit,
                                     skipped, accept)
        else:
            try:
                for record in ArchiveIterator(fh, arc2warc=True):
                    number += 1
                    yield from _emit(record, source, f"record {number}", opts, limit,
                                     skipped, accept)
            except Exception as exc:  # warcio raises many kinds on damaged input
                yield Rejected(source, f"record {number + 1}", None,
                               f"damaged record ({type(exc).__name__}: {exc}); the rest of "
                               "an uncompressed archive cannot be told apart")
    if skipped:
        counted = ", ".join(f"{n:,} {why}" for why, n in skipped.most_common())
        yield Rejected(source, None, None, f"{sum(skipped.values()):,} response records are "
                                           f"not articles, skipped: {counted}")


def _article(record: object, source: str, location: str, opts: Options, limit: int,
             skipped: Counter[str]) -> Article | Rejected | None:
    """A response record's article, why it is rejected, or None (passed over/counted)."""
    if record.rec_type != "response" or record.http_headers is None:  # type: ignore[attr-defined]
        return None
    headers = record.http_headers  # type: ignore[attr-defined]
    target = record.rec_headers.get_header("WARC-Target-URI")  # type: ignore[attr-defined]
    uri = target or location
    if opts.warc_id == "record":
        uri = record.rec_headers.get_header("WARC-Record-ID") or uri  # type: ignore
    status = (headers.get_statuscode() or "").strip()
    kind = (headers.get_header("Content-Type") or "").lower()
    if status != "200":
        skipped[f"status {status or 'unknown'}"] += 1
        return None
    if "html" not in kind and "text/plain" not in kind:
        skipped[f"type {kind.split(';')[0] or 'unknown'}"] += 1
        return None
    data = record.content_stream().read(limit + 1)  # type: ignore[attr-defined]
    if len(data) > limit:
        return Rejected(source, location, uri, f"huge payload: over {limit:,} bytes")
    date = record.rec_headers.get_header("WARC-Date")  # type: ignore[attr-defined]
    charset = CHARSET.search(kind)
    if "html" in kind:  # the HTTP header's charset first (.charsets)
        page = decode_page(data, charset.group(1) if charset else None).text
        return page_article(page, uri, source, location, opts, url=target,
                            fallback_date=date)
    try:
        text = data.decode(charset.group(1) if charset else "utf-8")
    except (LookupError, UnicodeDecodeError) as exc:
        return Rejected(source, location, uri, f"undecodable text payload: {exc}")
    problem = text_problem(text, opts.max_chars)
    if problem:
        return Rejected(source, location, uri, problem)
    return Article(id=uri, text=text, url=target, read_from=f"{source}:{location}")


def _emit(record: object, source: str, where: str, opts: Options, limit: int,
          skipped: Counter[str], accept: Accept) -> Iterator[Article | Rejected]:
    found = _article(record, source, where, opts, limit, skipped)
    if found is not None:
        yield found if isinstance(found, Rejected) else accept(found, source, where)


def _gzip_members(fh: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | Exception]]:
    """Each gzip member of the file, decompressed (at most ``limit`` bytes), with the
    offset where it starts; a damaged, truncated or oversized one as an exception,
    after which the next member is looked for from the byte after its start."""
    position = 0  # file offset of pending[0]
    pending = b""
    while True:
        if not pending:
            fh.seek(position)
            pending = fh.read(SCAN_CHUNK)
            if not pending:
                return
        start = position
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        parts: list[bytes] = []
        size = 0
        data, read_to = pending, position + len(pending)
        try:
            while not inflate.eof:
                part = inflate.decompress(data, limit + 1 - size)
                parts.append(part)
                size += len(part)
                if size > limit:
                    raise ValueError(f"over {limit:,} bytes once decompressed")
                data = inflate.unconsumed_tail
                if not data and not inflate.eof:
                    data = fh.read(SCAN_CHUNK)
                    read_to += len(data)
                    if not data:
                        raise EOFError("the file ends inside this record (truncated)")
        except (zlib.error, ValueError, EOFError) as exc:
            yield start, exc
            found = _next_member(fh, start + 1)
            if found is None:
                return
            position, pending = found, b""
            continue
        yield start, b"".join(parts)
        pending = inflate.unused_data
        position = read_to - len(pending)


def _next_member(fh: BinaryIO, after: int) -> int | None:
    """Where the next gzip member starts at or after ``after``; None at the end."""
    fh.seek(after)
    position, tail = after, b""
    while True:
        chunk = fh.read(SCAN_CHUNK)
        if not chunk:
            return None
        window = tail + chunk
        found = window.find(GZIP_MEMBER)
        if found >= 0:
            return position - len(tail) + found
        tail = window[-2:]
        position += len(chunk)
