"""Broken CSV quoting: which records a reading can vouch for, and which it cannot.

A broken quote shows only later than it happened.  A quote that closes a field too
early, or one that goes missing, makes the rest of that field read as records
(valid-looking ones) until the quoting visibly breaks; from there on, each later quote
flips both possible readings of the file, which never meet again.  So no reader can
resume "at the next line": that line may well be inside a field.  The rule, and why:

* Quoting is read as RFC 4180 writes it: a ``"`` belongs only in a field that starts
  with one, doubled inside it.  Text right after a closing quote, a quote that never
  closes, or a quote inside a field that does not start with one, means the quoting
  is broken.
* What proves a reading in step: a field that starts with a quote followed by an
  ordinary character (not a comma, line break or quote).  Out of step, that quote
  would end a field or be half of a doubled quote, and the character after it could
  only be a comma, a line break or a quote.  Records before such a field are given
  out; those after it wait for the next proof, or for the end of the file: a file
  that ends cleanly has no broken quote, because one broken quote always shows.
  Records before the first quote of a file need no proof.  (A lost *opening* quote
  is the one slip this cannot see: its field reads as plain records up to its stray
  closing quote, which is then caught.)
* Text right after a closing quote, or a quote that never closes: the records not
  proven and the rest of the file are one rejected record naming its lines.
* Quotes inside fields that do not start with one (``5" screen``): each is a quote the
  reading took as text where the file (read by RFC 4180) meant quoting, or the stray
  itself; with one broken quote, an odd number of them in a record brings the reading
  back in step.  The records not proven, up to that one, are one rejected record
  naming its lines, and reading goes on.  An even number leaves the reading as unknown
  as it was: the rest of the file goes too.

This holds for one broken quote per file.  Two can cancel out into valid CSV with
another meaning, which no reader can tell from the bytes.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field

PASS, PROOF, HOLD = range(3)  # what Guard.see says of a record, short of a span
_BROKEN = {"',' expected after '\"'": "text right after a closing quote",
           "unexpected end of data": "a quote that never closes"}
_NOT_ORDINARY = frozenset(("", ",", "\r", "\n", '"'))  # after an opening quote
# Python 3.10's csv module refuses NUL: it is fed this stand-in, and given back.
NUL_STANDIN = "\ud800" if sys.version_info < (3, 11) else None


@dataclass(slots=True)
class Record:
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


@dataclass(slots=True)
class Span:
    """Records that cannot be known to be what the file says, rejected as one."""

    first: int  # record index of the first
    last: int | None  # of the last; None: to the end of the file
    rid: str | None  # the first one's id, when it could be read
    what: str  # what broke, and where
    first_line: int
    last_line: int  # for a span to the end of the file: 0 until known

    def reason(self) -> str:
        lines = (f"line {self.first_line} was" if self.first_line == self.last_line else
                 f"lines {self.first_line}-{self.last_line} "
                 f"({self.last_line - self.first_line + 1:,} lines) were")
        if self.last is None:
            return (f"malformed CSV: {self.what}; with the quoting broken, no later line "
                    f"can be known to start a record, so {lines} skipped, to the end of "
                    f"the file")
        return (f"malformed CSV: {self.what}; with the quoting broken, what lies between "
                f"could be pieces of one field, so {lines} skipped; reading goes on after "
                f"it")


class Guard:
    """The rule above, applied record by record in file order."""

    def __init__(self, id_at: int | None) -> None:
        self.id_at = id_at  # the id column, to name a span's first record
        self.sound: Record | None = None  # the first record not yet proven in step

    def see(self, rec: Record) -> Span | int:
        """A span when the quoting breaks at ``rec``; else PROOF when ``rec`` proves
        every record before it, PASS when it is proven itself, HOLD when not yet."""
        if rec.cells is None:  # the csv module stopped: the rest is unknown
            proof, _, _ = quoting(rec.text(), loose(rec.pieces))
            start = rec if proof or self.sound is None else self.sound
            error = rec.error or ""
            what = _BROKEN.get(error) or ("a field too long to read" if "field limit" in error
                                          else error)
            return Span(start.index, None, self._id(start), f"{what} (line {rec.last})",
                        start.first, rec.end)
        if not any('"' in piece for piece in rec.pieces):
            return PASS if self.sound is None else HOLD
        text = rec.text()
        proof, stray, strays = quoting(text, rec.cells)
        if stray is not None:
            start = rec if proof or self.sound is None else self.sound
            self.sound = None
            line = rec.first + text.count("\n", 0, stray)
            if strays % 2:
                return Span(start.index, rec.index, self._id(start),
                            f"a quote inside a field that does not start with one (line "
                            f"{line})", start.first, rec.last)
            return Span(start.index, None, self._id(start),
                        f"{strays} quotes inside fields that do not start with one, from "
                        f"line {line}", start.first, rec.last)
        if proof:
            self.sound = rec
            return PROOF
        if self.sound is None:
            self.sound = rec
        return HOLD

    def _id(self, rec: Record) -> str | None:
        """A record's id, when known: a broken record's only if read before the break."""
        cells = rec.cells if rec.cells is not None else loose(rec.pieces)[:-1]
        if self.id_at is None or self.id_at >= len(cells) or rec.huge:
            return None
        return restored(cells[self.id_at]).strip() or None


def quoting(text: str, cells: list[str]) -> tuple[bool, int | None, int]:
    """Of a record read from ``text`` into ``cells``: whether a field proves the reading
    in step before any quote inside a field that does not start with one; the offset
    of the first such quote (None if none); and how many there are.

    For a broken record the cells come from a lenient reading (:func:`loose`), so the
    walk stops at the first field it does not find written in the text.
    """
    proof, first, strays, at = False, None, 0, 0
    for cell in cells:
        if text.startswith('"', at):
            proof = proof or (first is None and text[at + 1:at + 2] not in _NOT_ORDINARY)
            written = '"' + cell.replace('"', '""') + '"'
        else:
            if '"' in cell:
                first = at + cell.index('"') if first is None else first
                strays += cell.count('"')
            written = cell
        if not text.startswith(written, at):
            break
        at += len(written) + 1
    return proof, first, strays


def loose(pieces: list[str]) -> list[str]:
    """A lenient reading of a broken record: right up to where the strict one failed."""
    try:
        return next(csv.reader(pieces, strict=False), [])
    except csv.Error:
        return []


def restored(cell: str) -> str:
    """A cell as the file holds it (NUL given back, see NUL_STANDIN)."""
    return cell.replace(NUL_STANDIN, "\x00") if NUL_STANDIN else cell
