"""Turning input bytes into text: regular files only, byte-order marks, codecs, bounded
lines and decode-error messages.

Shared by the readers of every format and by the record checks, which word an
undecodable field the same way.  This is the bottom layer of the ingest package and
imports nothing else from it, which is also why :class:`FileRejected` lives here:
every reader can raise it without import cycles.

Three rules protect a run from its input:

* Only regular files are opened (symbolic links to them are followed).  A device such
  as ``/dev/zero`` never ends and a named pipe blocks until someone writes to it, so
  either one, or a link to one, is a rejected file, not a hung or exhausted run.
* No line is ever held whole beyond a bound the caller derives from ``--max-chars``:
  a longer line is consumed in chunks and handed on as ``long`` (its text squeezed
  by the caller's function, or empty), so a record too big to accept never costs
  more memory than one that is just big enough.
* Every line is decoded on its own, so an undecodable byte costs only its line, and
  the line number and byte offset in the message are exact, UTF-16 and UTF-32
  included (their lines are found at whole code units, never inside one).
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, BinaryIO

SNIFF = 8192  # bytes / characters looked at to tell binary from text
CHUNK = 1 << 16  # bytes read at a time past a line's bound
MARGIN = 1 << 20  # characters allowed in a record beyond its text: the other fields
# UTF-32 marks first: the UTF-16 LE mark is a prefix of the UTF-32 LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_NOT_REGULAR = {stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
                stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket",
                stat.S_IFDIR: "a folder"}
# Opening must not block on a FIFO nor make a terminal ours; the fstat after it checks.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_NONBLOCK", 0))


class FileRejected(Exception):
    """Raised by a reader to reject the whole file it is reading, with this reason."""


@dataclass(slots=True)  # not frozen: made for every line, and frozen ones cost 3x as much
class Line:
    """One physical line of a text file, decoded."""

    text: str  # with its line ending; undecodable bytes replaced by U+FFFD
    number: int  # physical line number, from 1
    problem: str | None = None  # why its bytes are not valid text, with the byte offset
    long: bool = False  # over the bound: ``text`` is only what the squeeze function kept


def open_regular(source: str) -> BinaryIO:
    """Open ``source`` for binary reading if it is a regular file (links followed).

    Raises :class:`FileRejected` for anything else (device, named pipe, socket, a link
    loop or a link to nothing), and OSError when a regular file cannot be opened.
    """
    try:
        mode = os.stat(source).st_mode
    except OSError as exc:
        raise FileRejected(_stat_problem(source, exc)) from None
    _check_regular(mode)
    fd = os.open(source, _OPEN_FLAGS)
    try:
        _check_regular(os.fstat(fd).st_mode)  # it may have been swapped since the stat
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        what = _NOT_REGULAR.get(stat.S_IFMT(mode), "a special file")
        raise FileRejected(f"not a regular file but {what}; only regular files are read")


def _stat_problem(source: str, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop: the link never reaches a file"
    if exc.errno == errno.ENOENT and os.path.islink(source):
        return "broken symbolic link: its target does not exist"
    return f"cannot read file: {exc.strerror or exc}"


def bom(head: bytes, encoding: str) -> tuple[str, int]:
    """The codec to decode with and how many leading bytes to skip."""
    for mark, codec in _BOMS:
        if head.startswith(mark):
            # The UTF-16/32 codecs read the mark themselves to learn the byte order.
            return codec, len(mark) if codec == "utf-8" else 0
    return encoding, 0


def unit(codec: str) -> int:
    """Bytes per code unit: 2 for UTF-16, 4 for UTF-32, 1 for the byte-based codecs,
    whose lines can be found by splitting raw bytes at newline bytes."""
    name = codecs.lookup(codec).name
    return 2 if name.startswith("utf-16") else 4 if name.startswith("utf-32") else 1


def open_text(fh: IO[bytes], encoding: str) -> tuple[str, int]:
    """The codec of a line-based file and the offset of its first line, or reject a
    binary file.  The file is left at that offset.

    UTF-16/32 come back with their byte order spelled out (``utf-16-le``), since each
    line is decoded on its own and only the first one carries the mark.
    """
    head = fh.read(SNIFF)
    codec, skip = bom(head, encoding)
    width = unit(codec)
    if width == 1 and b"\x00" in head:
        # A stray NUL in a text file is one bad record; NULs in bytes that do not
        # even decode are an image, archive or the like: one rejection, not thousands.
        try:
            codecs.getincrementaldecoder(codec)().decode(head[skip:], final=False)
        except UnicodeDecodeError:
            raise FileRejected("binary file, not text (NUL bytes)") from None
    if width > 1:
        codec, skip = _byte_order(codec, head)
    fh.seek(skip)
    return codec, skip


def _byte_order(codec: str, head: bytes) -> tuple[str, int]:
    """A UTF-16/32 codec with its byte order, from the mark, else as the codec says (a
    plain ``utf-16`` without a mark reads in the machine's order, as Python does)."""
    name = codecs.lookup(codec).name
    base = name[:6]
    marks = ((codecs.BOM_UTF32_LE, "-le"), (codecs.BOM_UTF32_BE, "-be")) if base == "utf-32" \
        else ((codecs.BOM_UTF16_LE, "-le"), (codecs.BOM_UTF16_BE, "-be"))
    for mark, suffix in marks:
        if head.startswith(mark):
            return base + suffix, len(mark)
    if name in (base + "-le", base + "-be"):
        return name, 0
    return base + ("-le" if sys.byteorder == "little" else "-be"), 0


def read_lines(fh: IO[bytes], codec: str, offset: int, limit: int,
               squeeze: Callable[[str], str] | None = None) -> Iterator[Line]:
    """Yield the lines of ``fh`` from byte ``offset`` (where it stands), each decoded.

    A line of more than ``limit`` bytes is read in chunks and yielded with ``long``
    set; its text is ``squeeze`` applied to it piece by piece (empty without one),
    so that a reader can still follow its structure without holding it.
    """
    if unit(codec) == 1:
        return _byte_lines(fh, codec, offset, limit, squeeze)
    return _unit_lines(fh, codec, offset, limit, squeeze)


def _decode(raw: bytes, codec: str, offset: int) -> tuple[str, str | None]:
    try:
        return raw.decode(codec), None
    except UnicodeDecodeError as exc:
        width = unit(codec)
        bad = raw[exc.start:exc.start + width]
        value = int.from_bytes(bad, "big" if codec.endswith("be") else "little") \
            if len(bad) == width else raw[exc.start]  # a UTF-16/32 code unit, whole
        return raw.decode(codec, "replace"), undecodable(codec, offset + exc.start, value)


def _byte_lines(fh: IO[bytes], codec: str, offset: int, limit: int,
                squeeze: Callable[[str], str] | None) -> Iterator[Line]:
    number = 0
    readline = fh.readline
    while raw := readline(limit + 1):
        number += 1
        if len(raw) <= limit:
            try:  # _decode inlined: this runs for every line of every file
                line = Line(raw.decode(codec), number)
            except UnicodeDecodeError:
                text, problem = _decode(raw, codec, offset)
                line = Line(text, number, problem)
            offset += len(raw)
            yield line
            continue
        decoder = codecs.getincrementaldecoder(codec)("replace")
        parts: list[str] = []
        while raw:
            offset += len(raw)
            if squeeze is not None:
                parts.append(squeeze(decoder.decode(raw)))
            if raw.endswith(b"\n"):
                break
            raw = fh.readline(CHUNK)
        yield Line(_squeezed(parts, decoder, squeeze), number, None, long=True)


def _squeezed(parts: list[str], decoder: codecs.IncrementalDecoder,
              squeeze: Callable[[str], str] | None) -> str:
    if squeeze is None:
        return ""
    parts.append(decoder.decode(b"", final=True))
    return squeeze("".join(parts))


def _unit_lines(fh: IO[bytes], codec: str, offset: int, limit: int,
                squeeze: Callable[[str], str] | None) -> Iterator[Line]:
    """Lines of UTF-16/32 text: a newline counts only at a whole code unit.

    A byte missing or extra shifts every later unit, so a line that does not decode
    and holds a newline at a shifted position is cut there (that is where the
    damaged line really ends), and reading falls back into step after it.
    """
    width = unit(codec)
    newline = "\n".encode(codec)
    buf = bytearray()  # from the start of the current line
    seen = 0  # bytes of buf (whole units) known to hold no newline
    eof = False
    number = 0
    while True:
        end = _aligned(buf, newline, seen, width)
        if end < 0 and not eof and len(buf) <= limit:
            seen = len(buf) - len(buf) % width
            chunk = fh.read(CHUNK)
            eof = not chunk
            buf += chunk
            continue
        if not buf:
            return
        number += 1
        if end < 0 and not eof:  # over the bound with no newline in step
            end = _out_of_step(buf, newline, width, len(buf))
            if end is None:
                text, offset, eof = _long_units(fh, buf, codec, offset, squeeze)
                seen = 0
                yield Line(text, number, None, long=True)
                continue
        elif end < 0:
            end = len(buf)
        text, problem = _decode(bytes(buf[:end]), codec, offset)
        if problem is not None:
            cut = _out_of_step(buf, newline, width, end - 1)
            if cut is not None:
                end = cut
                text, problem = _decode(bytes(buf[:end]), codec, offset)
            if end % width:
                problem = (f"undecodable bytes: not valid {label(codec)}: the line from byte "
                           f"{offset} has {end:,} byte{'s' if end > 1 else ''}, not a whole "
                           f"number of {width}-byte code units (a byte missing or extra)")
        del buf[:end]
        offset += end
        seen = 0
        yield Line(text, number, problem)


def _aligned(buf: bytearray, newline: bytes, start: int, width: int) -> int:
    """The end of the first newline at a whole code unit from ``start``, or -1."""
    at = buf.find(newline, start)
    while at >= 0 and at % width:
        at = buf.find(newline, at + 1)
    return -1 if at < 0 else at + width


def _out_of_step(buf: bytearray, newline: bytes, width: int, stop: int) -> int | None:
    """The end of the first newline before ``stop`` that is out of step with the code
    units, or None."""
    at = buf.find(newline, 1, stop)
    while at >= 0 and not at % width:
        at = buf.find(newline, at + 1, stop)
    return None if at < 0 else at + width


def _long_units(fh: IO[bytes], buf: bytearray, codec: str, offset: int,
                squeeze: Callable[[str], str] | None) -> tuple[str, int, bool]:
    """Consume a UTF-16/32 line past its bound, up to its newline; return its squeezed
    text, the offset after it and whether the file ended.  ``buf`` keeps what was read
    beyond the line."""
    width = unit(codec)
    newline = "\n".encode(codec)
    decoder = codecs.getincrementaldecoder(codec)("replace")
    parts: list[str] = []
    while True:
        end = _aligned(buf, newline, 0, width)
        chunk = b"" if end >= 0 else fh.read(CHUNK)
        take = end if end >= 0 else len(buf) if not chunk else len(buf) - len(buf) % width
        if squeeze is not None:
            parts.append(squeeze(decoder.decode(bytes(buf[:take]))))
        del buf[:take]
        offset += take
        if end >= 0 or not chunk:
            return _squeezed(parts, decoder, squeeze), offset, end < 0
        buf += chunk


def label(codec: str) -> str:
    """The codec's canonical name, as messages show it."""
    return codecs.lookup(codec).name.upper()


def undecodable(codec: str, offset: int, value: int) -> str:
    """The rejection reason for a byte that ``codec`` cannot decode."""
    return f"undecodable bytes: not valid {label(codec)} at byte {offset} (0x{value:02X})"
