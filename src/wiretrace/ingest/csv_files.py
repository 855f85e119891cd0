"""Reading CSV: a header row naming the columns, then one article per data row.

The dialect is the stdlib "excel" one (comma separated, ``"`` quoting, strict); column
names are matched exactly after stripping spaces; a line may end in CRLF, LF or a bare
CR, as the csv module reads them.  ``row N`` counts data records from 1 (the header is
not a row).  A bad row (wrong number of fields, undecodable bytes, a bad id or text)
rejects only itself.  A record longer than any within ``max_chars`` could be (4
characters of CSV a character of text, plus room for the other fields) is followed to
its true end in outline (:func:`outline`) and rejected whole, never cut into pieces.

Broken quoting is another matter: it leaves the csv module unable to tell the inside
of a field from a record, and it shows only later than it happened.  A quote that
closes a field too early, or one that goes missing, makes the rest of that field read
as records, valid-looking ones, until the quoting visibly breaks.  This module's rule,
and why:

* Quoting is read as RFC 4180 writes it: a ``"`` belongs only in a field that starts
  with one, doubled inside it.  Text right after a closing quote, a quote that never
  closes, or a quote inside a field that does not start with one means the quoting is
  broken.
* So each file is read twice: first to find where the quoting breaks, then to give
  out only the records that certainly are what the file says.
* What proves the reading in step: a field that starts with a quote followed by an
  ordinary character (not a comma, line break or quote).  Out of step, that quote
  would end a field or be half of a doubled quote, and the character after it could
  only be a comma, a line break or a quote.  The records before the last such field
  ahead of a break are given out, and so are those before the first quote of the
  file.  (A lost *opening* quote is the one slip this cannot see: its field then
  reads as plain records up to its stray closing quote.)
* Text right after a closing quote, or a quote that never closes: from there no later
  line can be known to start a record (each later quote flips both possible readings,
  which never meet again).  The records not proven in step and the rest of the file
  are one rejected record naming its lines: nothing after it is read.
* A quote inside a field that does not start with one (``5" screen``): with one
  broken quote, the reading is back in step after it (that quote was the stray, or it
  closed a field that a stray had closed too early).  The records not proven in step,
  up to that one, are one rejected record naming its lines, and reading goes on.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

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
_BROKEN = {"',' expected after '\"'": "text right after a closing quote",
           "unexpected end of data": "a quote that never closes"}
_ORDINARY_AFTER_QUOTE = frozenset(("", ",", "\r", "\n", '"'))  # i.e. not ordinary
# Python 3.10's csv module refuses NUL; such a row must be rejected as binary, alone.
_NUL_STANDIN = "\ud800" if sys.version_info < (3, 11) else None


def outline(text: str) -> str:
    """The text with each run of characters other than quotes, commas and line breaks
    made one ``x``: the csv module reads it into the same records, fields and quoting,
    so a record too big to keep can still be followed to its true end."""
    return _OTHER.sub("x", text)


@dataclass(slots=True)
class _Record:
    """One record as the csv module read it, and where it lies in the file."""

    index: int  # 0: the header, then the data rows
    first: int = 0  # its first and last physical lines
    last: int = 0
    size: int = 0  # characters fed to the csv module
    plain: int = 0  # of them, those before it went over the bound (in outline after)
    huge: bool = False
    problem: str | None = None  # undecodable bytes in its lines
    pieces: list[str] = field(default_factory=list)  # exactly what the csv module read
    cells: list[str] | None = None  # None: the csv module found the quoting broken
    error: str | None = None  # what it said then
    end: int = 0  # after an error: the last line of the file

    def text(self) -> str:
        return "".join(self.pieces)


@dataclass(frozen=True, slots=True)
class _Span:
    """Records that cannot be known to be what the file says, rejected as one."""

    first: int  # record index of the first
    last: int | None  # of the last; None: to the end of the file
    rid: str | None  # the first one's id, when it could be read
    why: str


_PASS, _PROOF, _HOLD = range(3)  # what _Guard.see says of a record, short of a span
# Records held back unproven, at most: past these, the file is read a second time
# instead (see _checked), so that memory stays bounded.
_HOLD_RECORDS, _HOLD_CHARS = 10_000, 1 << 23


def read_csv(source: str, opts: Options, accept: Accept) -> Iterator[Article | Rejected]:
    """Yield an article or a rejection for each non-blank data row of the file."""
    budget = 4 * opts.max_chars + MARGIN
    with open_regular(source) as fh, _field_limit(4 * budget):
        codec, start = open_text(fh, opts.encoding)

        def reread() -> Iterator[_Record]:
            fh.seek(start)
            return _records(fh, codec, start, budget)

        records = _records(fh, codec, start, budget)
        header = next(records, None)
        if header is None:
            return
        names = [_restored(name).strip() for name in header.cells or ()]
        guard = _Guard(names.index(opts.fields.id) if opts.fields.id in names else None)
        verdict = guard.see(header)
        if isinstance(verdict, _Span):
            raise FileRejected(f"header: {verdict.why}")
        if header.problem is not None:
            raise FileRejected(f"header: {header.problem}")
        if header.huge:
            raise FileRejected("header: too long to be a header")
        check_columns(names, opts.fields)
        wanted = {n: names.index(n) for n in field_names(opts.fields) if n in names}
        held = [] if verdict == _PASS else [header]
        for item in _checked(records, guard, reread, held):
            if isinstance(item, _Span):
                if item.first == 0:  # the header itself is in doubt, and so every column
                    raise FileRejected(f"header: {item.why}")
                yield Rejected(source, f"row {item.first}", item.rid, item.why)
            elif item.index:
                yield _row(item, source, len(names), wanted, opts, accept)


def _records(fh: IO[bytes], codec: str, start: int, budget: int) -> Iterator[_Record]:
    """The file's records from byte ``start``: the header first, blank lines skipped;
    after a csv error, that record (``cells`` None) is the last."""
    lines = read_lines(fh, codec, start, 4 * budget, squeeze=outline)
    current = _Record(0)

    def feed() -> Iterator[str]:
        for line in lines:
            text = line.text
            rec = current
            size = rec.size + len(text)
            if size > budget or rec.huge or line.long or line.problem or "\r" in text and (
                    text.count("\r") > 1 or not text.endswith("\r\n")) or (
                    _NUL_STANDIN and "\x00" in text):
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
            elif _NUL_STANDIN and "\x00" in piece:
                piece = piece.replace("\x00", _NUL_STANDIN)
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
            current = _Record(current.index + 1)
        else:
            current = _Record(current.index)


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


def _row(rec: _Record, source: str, columns: int, wanted: dict[str, int], opts: Options,
         accept: Accept) -> Article | Rejected:
    location = f"row {rec.index}"
    cells = [_restored(cell) for cell in rec.cells or ()]
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


def _restored(cell: str) -> str:
    return cell.replace(_NUL_STANDIN, "\x00") if _NUL_STANDIN else cell


# --------------------------------------------------------------------- broken quoting


def _checked(records: Iterator[_Record], guard: _Guard, reread: Callable[[], Iterator[_Record]],
             held: list[_Record]) -> Iterator[_Record | _Span]:
    """The records proven read in step, and the spans rejected, in file order.

    Records not yet proven wait in ``held``; when too many do, they are let go, the
    rest of the file is only checked, and it is read again from the first of them.
    """
    size = sum(rec.size for rec in held)
    for rec in records:
        verdict = guard.see(rec)
        if isinstance(verdict, _Span):
            yield from (r for r in held if r.index < verdict.first)  # proven by rec
            yield verdict
            if verdict.last is None:
                return
            held, size = [], 0
        elif verdict == _PASS and not held:
            yield rec
        elif verdict == _PROOF:
            yield from held
            held, size = [rec], rec.size
        else:
            held.append(rec)
            size += rec.size
            if len(held) > _HOLD_RECORDS or size > _HOLD_CHARS:
                yield from _read_again(held[0].index, records, guard, reread)
                return
    yield from held  # a clean end proves them all: one broken quote always shows


def _read_again(first: int, records: Iterator[_Record], guard: _Guard,
                reread: Callable[[], Iterator[_Record]]) -> Iterator[_Record | _Span]:
    """Check the rest of ``records`` for spans, then give out the records of a new
    reading from the top (``reread``) from index ``first`` on, each span in its place."""
    spans = []
    for rec in records:
        verdict = guard.see(rec)
        if isinstance(verdict, _Span):
            spans.append(verdict)
            if verdict.last is None:
                break
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


class _Guard:
    """The rule on broken quoting (see the module's docstring), record by record."""

    def __init__(self, id_at: int | None) -> None:
        self.id_at = id_at  # the id column, to name a span's first record
        self.sound: _Record | None = None  # the first record not yet proven in step

    def see(self, rec: _Record) -> _Span | int:
        """A span, when the quoting breaks at ``rec``; else _PROOF when ``rec`` proves
        every record before it, _PASS when it is proven itself, _HOLD when not yet."""
        if rec.cells is None:  # the csv module stopped: the rest is unknown
            proof, _ = _quoting(rec.text(), _loose(rec.pieces))
            start = rec if proof or self.sound is None else self.sound
            error = rec.error or ""
            what = _BROKEN.get(error) or ("a field too long to read"
                                          if "field limit" in error else error)
            return _Span(start.index, None, _id(start, self.id_at), (
                f"malformed CSV: {what} (line {rec.last}); with the quoting broken, "
                f"no later line can be known to start a record, so "
                f"{_skipped(start.first, rec.end)}, to the end of the file"))
        if not any('"' in piece for piece in rec.pieces):
            return _PASS if self.sound is None else _HOLD
        text = rec.text()
        proof, stray = _quoting(text, rec.cells)
        if stray is not None:
            start = rec if proof or self.sound is None else self.sound
            self.sound = None
            line = rec.first + text.count("\n", 0, stray)
            return _Span(start.index, rec.index, _id(start, self.id_at), (
                f"malformed CSV: a quote inside a field that does not start with one "
                f"(line {line}); with the quoting broken, what lies between could be "
                f"pieces of one field, so {_skipped(start.first, rec.last)}; reading "
                f"goes on after it"))
        if proof:
            self.sound = rec
            return _PROOF
        if self.sound is None:
            self.sound = rec
        return _HOLD


def _quoting(text: str, cells: list[str]) -> tuple[bool, int | None]:
    """Whether a field of the record proves the reading in step (it starts with a quote
    and an ordinary character), before any quote inside a field that does not start
    with one, whose offset comes second (None if there is none).

    ``cells`` were read from ``text``; for a broken record they come from a lenient
    reading, so the walk stops at the first field it does not find written there.
    """
    proof = False
    at = 0
    for cell in cells:
        if text.startswith('"', at):
            proof = proof or text[at + 1:at + 2] not in _ORDINARY_AFTER_QUOTE
            written = '"' + cell.replace('"', '""') + '"'
        elif '"' in cell:
            return proof, at + cell.index('"')
        else:
            written = cell
        if not text.startswith(written, at):
            break
        at += len(written) + 1
    return proof, None


def _loose(pieces: list[str]) -> list[str]:
    """A lenient reading of a broken record: right up to where the strict one failed."""
    try:
        return next(csv.reader(pieces, strict=False), [])
    except csv.Error:
        return []


def _ends_by(rec: _Record, column: int, limit: int) -> bool:
    """Whether field ``column`` of the record lies wholly in its first ``limit``
    characters (those read before it went into outline)."""
    text, at = rec.text(), 0
    for cell in (rec.cells or ())[:column + 1]:
        at += len('"' + cell.replace('"', '""') + '"' if text.startswith('"', at) else cell)
        at += 1
    return at - 1 <= limit


def _id(rec: _Record, id_at: int | None) -> str | None:
    """A record's id, if it is known: a broken record's only if read before the break."""
    cells = rec.cells if rec.cells is not None else _loose(rec.pieces)[:-1]
    if id_at is None or id_at >= len(cells) or rec.huge:
        return None
    return _restored(cells[id_at]).strip() or None


def _skipped(first: int, last: int) -> str:
    return f"{_span_of(first, last)} {'was' if first == last else 'were'} skipped"


def _span_of(first: int, last: int) -> str:
    return f"line {first}" if first == last else \
        f"lines {first}-{last} ({last - first + 1:,} lines)"
