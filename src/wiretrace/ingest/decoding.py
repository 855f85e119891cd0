"""Turning input bytes into text: byte-order marks, codecs, lines and decode-error messages.

Shared by the line-based readers (``.txt``, JSONL, CSV) and by the record checks, which
word an undecodable field the same way.  This is the bottom layer of the ingest package
and imports nothing else from it, which is also why :class:`FileRejected` lives here:
every reader can raise it without import cycles.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import IO

SNIFF = 8192  # bytes / characters looked at to tell binary from text
# UTF-32 marks first: the UTF-16 LE mark is a prefix of the UTF-32 LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
Line = tuple[str, "tuple[int, int] | None"]  # text, (file offset, value) of a bad byte


class FileRejected(Exception):
    """Raised by a reader to reject the whole file it is reading, with this reason."""


def bom(head: bytes, encoding: str) -> tuple[str, int]:
    """The codec to decode with and how many leading bytes to skip."""
    for mark, codec in _BOMS:
        if head.startswith(mark):
            # The UTF-16/32 codecs read the mark themselves to learn the byte order.
            return codec, len(mark) if codec == "utf-8" else 0
    return encoding, 0


def splittable(codec: str) -> bool:
    """Whether lines can be found by splitting raw bytes at newline bytes (not UTF-16/32)."""
    return not codecs.lookup(codec).name.startswith(("utf-16", "utf-32"))


def open_text(fh: IO[bytes], encoding: str) -> tuple[str, Iterator[Line]]:
    """Pick the codec of a line-based file and iterate its lines, or reject a binary file."""
    head = fh.read(SNIFF)
    codec, skip = bom(head, encoding)
    if splittable(codec) and b"\x00" in head:
        # A stray NUL in a text file is one bad record; NULs in bytes that do not
        # even decode are an image, archive or the like: one rejection, not thousands.
        try:
            codecs.getincrementaldecoder(codec)().decode(head[skip:], final=False)
        except UnicodeDecodeError:
            raise FileRejected("binary file, not text (NUL bytes)") from None
    fh.seek(skip if splittable(codec) else 0)
    return codec, _lines(fh, codec, skip)


def _lines(fh: IO[bytes], codec: str, offset: int) -> Iterator[Line]:
    """Yield each line with its ending, and (file offset, value) of its first bad byte.

    Undecodable bytes become lone surrogates rather than stopping the file, so the
    caller can reject just the record holding them.  UTF-16/32 cannot be split on
    raw bytes, so those go through a text wrapper that raises on bad bytes instead.
    """
    if not splittable(codec):
        wrapper = io.TextIOWrapper(fh, encoding=codec, newline="\n")
        try:
            yield from ((line, None) for line in wrapper)
        finally:
            wrapper.detach()  # the caller owns and closes the binary file
        return
    for raw in fh:
        try:
            yield raw.decode(codec), None
        except UnicodeDecodeError as exc:
            yield raw.decode(codec, "surrogateescape"), (offset + exc.start, raw[exc.start])
        offset += len(raw)


def label(codec: str) -> str:
    """The codec's canonical name, as messages show it."""
    return codecs.lookup(codec).name.upper()


def undecodable(codec: str, offset: int, value: int) -> str:
    """The rejection reason for a byte that ``codec`` cannot decode."""
    return f"undecodable bytes: not valid {label(codec)} at byte {offset} (0x{value:02X})"
