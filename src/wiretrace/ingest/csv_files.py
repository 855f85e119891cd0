"""Reading CSV: a header row naming the columns, then one article per data row.

The dialect is the stdlib "excel" one (comma separated, ``"`` quoting, strict); column
names are matched exactly after stripping spaces; a line may end in CRLF, LF or a bare
CR, as the csv module reads them.  ``row N`` counts data records from 1 (the header is
not a row).  A bad row (wrong number of fields, undecodable bytes, a bad id or text)
rejects only itself.  A record longer than any within ``max_chars`` could be (4
characters of CSV a character of text, plus room for the other fields) is followed to
its true end in outline (:func:`outline`) and rejected whole, never cut into pieces.

Broken quoting leaves the csv module unable to tell the inside of a field from a
record, and it shows only later than it happened: :mod:`.csv_quoting` says which
records can still be vouched for.  Records wait until they are; past a bound, they
are let go and the file is read a second time instead, so memory stays bounded.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from wiretrace.ingest.csv_quoting import (
    NUL_STANDIN,
    PASS,
    PROOF,
    Guard,
    Record,
    Span,
    restored,
)
from wiretrace.ingest.decoding import (
    MARGIN,
    FileRejected,
    Line,
    open_regular,
    open_text,
    read_lines,
)
from wiretrace.ingest.records import Accept, Options, check_columns, field_names, id_of, to_article
from wiretrace.model import Article, Rejected

_OTHER = re.compile(r'[^",\r\n]+')
_AFTER_BARE_CR = re.compile(r"(?<=\r)(?!\n)")


def outline(text: str) -> str:
    """The text with each run of characters other than quotes, commas and line breaks
    made one ``x``: the csv module reads it into the same records, fields and quoting,
    so a record too big to keep can still be followed to its true end."""
    return _OTHER.sub("x", text)


# Records held back unproven, at most: past these, the file is read a second time
# instead (see _checked), so that memory stays bounded.
_HOLD_RECORDS, _HOLD_CHARS = 10_000, 1 << 23


def read_csv(source: str, opts: Options, accept: Accept) -> Iterator[Article | Rejected]:
    """Yield an article or a rejection for each non-blank data row of the file."""
    budget = 4 * opts.max_chars + MARGIN
    with open_regular(source) as fh, _field_limit(4 * budget):
        codec, start = open_text(fh, opts.encoding)

        def reread() -> Iterator[Record]:
            fh.seek(start)
            return _records(fh, codec, start, budget)

        records = _records(fh, codec, start, budget)
        header = next(records, None)
        if header is None:
            return
        names = [restored(name).strip() for name in header.cells or ()]
        guard = Guard(names.index(opts.fields.id) if opts.fields.id in names else None)
        verdict = guard.see(header)
        if isinstance(verdict, Span):
            raise FileRejected(f"malformed CSV header: {verdict.what}")
        if header.problem is not None:
            raise FileRejected(f"header: {header.problem}")
        if header.huge:
            raise FileRejected("header: too long to be a header")
        check_columns(names, opts.fields)
        wanted = {n: names.index(n) for n in field_names(opts.fields) if n in names}
        held = [] if verdict == PASS else [header]
        for item in _checked(records, guard, reread, held):
            if isinstance(item, Span):
                if item.first == 0:  # the header itself is in doubt, and so every column
                    raise FileRejected(f"malformed CSV header: {item.what}")
                yield Rejected(source, f"row {item.first}", item.rid, item.reason())
            elif item.index:
                yield _row(item, source, len(names), wanted, opts, accept)


def _records(fh: IO[bytes], codec: str, start: int, budget: int) -> Iterator[Record]:
    """The file's records from byte ``start``: the header first, blank lines skipped;
    after a csv error, that record (``cells`` None) is the last."""
    lines = read_lines(fh, codec, start, 4 * budget, squeeze=outline)
    current = Record(0)

    def feed() -> Iterator[str]:
        for line in lines:
            text = line.text
            rec = current
            size = rec.size + len(text)
            if size > budget or rec.huge or line.long or line.problem or "\r" in text and (
                    text.count("\r") > 1 or not text.endswith("\r\n")) or (
                    NUL_STANDIN and "\x00" in text):
                yield from pieces(line)
                continue
            if not rec.first:  # the common case, kept lean: every line passes here
                rec.first = line.number
            rec.last = line.number
            rec.size = size
            rec.pieces.append(text)
            yield text

    def pieces(line: Line) -> Iterator[str]:
        for piece in _pieces(line.text):
            rec = current  # the csv module may end a record at a bare CR
            if not rec.first:
                rec.first = line.number
            rec.last = line.number
            if line.problem and not rec.problem:
                rec.problem = line.problem
            if line.long or rec.huge or rec.size + len(piece) > budget:
                if not rec.huge:
                    rec.huge, rec.plain = True, rec.size
                piece = piece if line.long else outline(piece)
            elif NUL_STANDIN and "\x00" in piece:
                piece = piece.replace("\x00", NUL_STANDIN)
            rec.size += len(piece)
            rec.pieces.append(piece)
            yield piece

    reader = csv.reader(feed(), strict=True)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            current.error, current.end = str(exc), current.last
            for line in lines:  # how far the file goes, for the rejection
                current.end = line.number
            yield current
            return
        if cells:
            current.cells = cells
            yield current
            current = Record(current.index + 1)
        else:
            current = Record(current.index)


def _pieces(text: str) -> list[str]:
    """The line cut after each bare CR, which ends a record for the csv module too."""
    if "\r" not in text:
        return [text]
    return [piece for piece in _AFTER_BARE_CR.split(text) if piece]


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """The csv module's field size limit (process-wide), raised while a file is read:
    the records' own bound, in :func:`_records`, is what keeps memory in check."""
    old = csv.field_size_limit()
    csv.field_size_limit(min(limit, 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _row(rec: Record, source: str, columns: int, wanted: dict[str, int], opts: Options,
         accept: Accept) -> Article | Rejected:
    location = f"row {rec.index}"
    cells = [restored(cell) for cell in rec.cells or ()]
    record = {name: cells[i] for name, i in wanted.items() if i < len(cells)}
    rid = id_of(record, opts.fields)[0]
    if rec.huge:
        whole = opts.fields.id in wanted and _ends_by(rec, wanted[opts.fields.id], rec.plain)
        return Rejected(source, location, rid if whole else None,
                        f"huge record: over {4 * opts.max_chars + MARGIN:,} characters on "
                        f"{_span_of(rec.first, rec.last)}, more than a text of "
                        f"{opts.max_chars:,} characters can take")
    if len(cells) != columns:
        return Rejected(source, location, rid, f"expected {columns} columns, "
                                               f"found {len(cells)}")
    if rec.problem is not None:
        return Rejected(source, location, rid, rec.problem)
    return accept(to_article(record, source, location, opts), source, location)


def _checked(records: Iterator[Record], guard: Guard, reread: Callable[[], Iterator[Record]],
             held: list[Record]) -> Iterator[Record | Span]:
    """The records proven read in step, and the spans rejected, in file order.

    Records not yet proven wait in ``held``; when too many do, they are let go, the
    rest of the file is only checked, and it is read again from the first of them.
    """
    size = sum(rec.size for rec in held)
    for rec in records:
        verdict = guard.see(rec)
        if isinstance(verdict, Span):
            yield from (r for r in held if r.index < verdict.first)  # proven by rec
            if verdict.last is None:
                yield _to_the_end(verdict, records)
                return
            yield verdict
            held, size = [], 0
        elif verdict == PASS and not held:
            yield rec
        elif verdict == PROOF:
            yield from held
            held, size = [rec], rec.size
        else:
            held.append(rec)
            size += rec.size
            if len(held) > _HOLD_RECORDS or size > _HOLD_CHARS:
                yield from _read_again(held[0].index, records, guard, reread)
                return
    yield from held  # a clean end proves them all: one broken quote always shows


def _read_again(first: int, records: Iterator[Record], guard: Guard,
                reread: Callable[[], Iterator[Record]]) -> Iterator[Record | Span]:
    """Check the rest of ``records`` for spans, then give out the records of a new
    reading from the top (``reread``) from index ``first`` on, each span in its place."""
    spans = []
    for rec in records:
        verdict = guard.see(rec)
        if isinstance(verdict, Span):
            if verdict.last is None:
                spans.append(_to_the_end(verdict, records))
                break
            spans.append(verdict)
    todo = iter(spans)
    span = next(todo, None)
    for rec in reread():  # only now: it moves the file back to the top
        if rec.index < first:
            continue
        if span is not None and rec.index >= span.first:
            if rec.index == span.first:
                yield span
            if span.last is None:
                return
            if rec.index >= span.last:
                span = next(todo, None)
            continue
        yield rec


def _to_the_end(span: Span, records: Iterator[Record]) -> Span:
    """The span, with its last line found by reading to the end of the file."""
    for rec in records:
        span.last_line = rec.end or rec.last
    return span


def _ends_by(rec: Record, column: int, limit: int) -> bool:
    """Whether field ``column`` of the record lies wholly in its first ``limit``
    characters (those read before it went into outline)."""
    text, at = rec.text(), 0
    for cell in (rec.cells or ())[:column + 1]:
        at += len('"' + cell.replace('"', '""') + '"' if text.startswith('"', at) else cell)
        at += 1
    return at - 1 <= limit


def _span_of(first: int, last: int) -> str:
    return f"line {first}" if first == last else \
        f"lines {first}-{last} ({last - first + 1:,} lines)"
