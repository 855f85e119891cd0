"""Reading web pages: one article per ``.html`` / ``.htm`` file (or ``.html.gz``),
its main text extracted from the page's furniture by trafilatura.

The extracted text is the article's text: every offset wiretrace reports, and
what ``articles.jsonl`` and the report show, refer to it.  The page's own
metadata fills the other fields: ``title``, ``author`` (the byline),
``outlet`` (the site's name, else its host), ``url`` (the canonical one),
``published`` (trafilatura's reading of the page's dates, through
:mod:`.dates`) and ``topics`` (the page's categories, then its tags; one
comma-separated keywords string is split at its commas).  The id is the file name
without its extension, as for ``.txt``.

Measured on the 181 real pages of the article-extraction benchmark
(BENCHMARKS.md): comments left out and precision favoured give word F1 0.965
(macro) / 0.983 (micro) against the hand-checked main text; the defaults keep
comments (0.948).

The page's bytes are decoded by :mod:`.charsets` (a byte-order mark, the
HTTP header's charset, the meta tag, UTF-8, detection).  Mojibake in the
extracted text (UTF-8 read as Latin-1 somewhere upstream, "gÃ¼nlÃ¼k") is
repaired by default, as the package's reader decides (:mod:`.mojibake`).

A page with no extractable article (an index, an error page), a binary file,
or one over the size bound (raw or decompressed) is a rejected record with
the reason.  trafilatura is an optional dependency (``wiretrace[html]``).
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator

from wiretrace.ingest.charsets import decode_page
from wiretrace.ingest.dates import parse_published, shown
from wiretrace.ingest.decoding import FileRejected, open_regular
from wiretrace.ingest.records import Accept, Options, is_binary, text_problem
from wiretrace.model import Article, FieldWarning, Rejected

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
# A page holds several times its text in markup: the bound on a page's bytes
# (raw, or once decompressed) is this many times --max-chars, and at least 10 MB.
MARKUP_FACTOR = 8
MIN_PAGE_BYTES = 10 * 1024 * 1024
# trafilatura's settings, chosen by measurement (module docstring)
EXTRACTION = {"include_comments": False, "favor_precision": True, "with_metadata": True}


def is_html(source: str) -> bool:
    return source.lower().endswith(HTML_SUFFIXES)


def _page_id(source: str) -> str:
    name = os.path.basename(source)
    for suffix in sorted(HTML_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[:-len(suffix)]
    return name


def _page_bytes(source: str, limit: int) -> bytes:
    with open_regular(source) as fh:
        data = fh.read(limit + 1)
    if source.lower().endswith(".gz"):
        try:  # at most limit + 1 bytes decompressed: a gzip bomb stops there
            data = gzip.GzipFile(fileobj=io.BytesIO(data)).read(limit + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise FileRejected(f"not a readable gzip file: {exc}") from None
    if len(data) > limit:
        raise FileRejected(f"huge page: over {limit:,} bytes (raw or decompressed), the "
                           f"bound for --max-chars")
    return data


def read_html(source: str, opts: Options, accept: Accept) -> Iterator[Article | Rejected]:
    """The page's article, or why there is none."""
    rid = _page_id(source)
    data = _page_bytes(source, max(MIN_PAGE_BYTES, MARKUP_FACTOR * opts.max_chars))
    found = page_article(data, rid, source, None, opts)
    yield found if isinstance(found, Rejected) else accept(found, source, None)


def page_article(data: bytes | str, rid: str, source: str, location: str | None, opts: Options,
                 url: str | None = None, fallback_date: str | None = None
                 ) -> Article | Rejected:
    """The article of one page's bytes (from a file or a WARC record), or why there is
    none; ``url`` and ``fallback_date`` when the page's own metadata has none."""
    try:
        import trafilatura
    except ImportError:
        raise FileRejected("reading HTML needs trafilatura: pip install 'wiretrace[html]'"
                           ) from None
    if isinstance(data, bytes):
        data = decode_page(data).text
    if is_binary(data[:65536]):
        return Rejected(source, location, rid, "binary content (NUL bytes), not a web page")
    page = trafilatura.bare_extraction(data, **EXTRACTION)
    text = (page.text or "") if page is not None else ""
    if not text.strip():
        return Rejected(source, location, rid, "no article text found in the page (an index "
                                               "page, an error page or an empty one?)")
    problem = text_problem(text, opts.max_chars)
    if problem:
        return Rejected(source, location, rid, problem)
    published = None
    date = page.date or fallback_date
    if date:
        try:
            published = parse_published(date, opts.date_format)
        except ValueError as exc:
            if opts.warnings is not None:
                opts.warnings.append(FieldWarning(source, location, rid, "published",
                                                  f"unreadable date {shown(date)}: {exc}"))
    where = f"{source}:{location}" if location else source
    return Article(id=rid, text=text, title=page.title or None,
                   outlet=page.sitename or page.hostname or None, url=page.url or url,
                   published=published, read_from=where, author=page.author or None,
                   topics=_page_topics(page.categories, page.tags))


def _page_topics(categories: list[str] | None, tags: list[str] | None) -> tuple[str, ...]:
    """A page's categories, then its tags, once each.  A page's keywords meta tag
    arrives as one string with commas between them; a list of several labels
    keeps its commas ("Trump, Donald J" is one tag)."""
    found: list[str] = []
    for group in (categories or [], tags or []):
        items = group[0].split(",") if len(group) == 1 else group
        found.extend(label.strip() for label in items if label and label.strip())
    return tuple(dict.fromkeys(found))
