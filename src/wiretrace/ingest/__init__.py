"""Reading articles from disk: folders of ``.txt`` files, JSONL, CSV and Parquet.

Every input record becomes either an :class:`~wiretrace.model.Article` or a
:class:`~wiretrace.model.Rejected` saying where it was and why it could not be used;
one bad record or file never stops a run.  Text is kept exactly as stored (only a
file's leading byte-order mark is dropped; line endings stay), because every offset
the later stages report points into it.

Conventions:

* Encoding is ``encoding`` (UTF-8 by default) unless the data starts with a UTF-8,
  UTF-16 or UTF-32 byte-order mark, which wins.  Undecodable bytes reject the record
  (or ``.txt`` file), naming the byte offset.
* An empty ``.txt`` file is rejected as empty text; an empty JSONL, CSV or Parquet
  file, or a CSV with only a header, simply holds no records.  Blank lines are skipped.
* ``line N`` counts a JSONL file's physical lines from 1; ``row N`` counts CSV or
  Parquet data records from 1 (the CSV header is not a row).
* Ids lose surrounding whitespace; integer ids become strings.  The first accepted
  record with an id wins; later ones, in any file of the same call, are rejected.
* A folder is read in file-name order, not recursively; hidden files and sub-folders
  are skipped, files of other types are rejected.
* CSV is the stdlib "excel" dialect (comma separated, ``"`` quoting, strict);
  column names are matched exactly after stripping spaces.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import IO, Any

from wiretrace.model import Article, Rejected


@dataclass(frozen=True, slots=True)
class FieldNames:
    """Which JSONL key or CSV/Parquet column holds each attribute of an article."""

    id: str = "id"
    text: str = "text"
    title: str = "title"
    outlet: str = "outlet"
    url: str = "url"
    published: str = "published"


_SNIFF = 8192  # bytes / characters looked at to tell binary from text
_PARQUET_BATCH = 256  # rows per Parquet batch: bounds memory when texts are large
# UTF-32 marks first: the UTF-16 LE mark is a prefix of the UTF-32 LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")
_EXTENSIONS = ".txt, .jsonl, .ndjson, .csv or .parquet"
_Line = tuple[str, "tuple[int, int] | None"]  # text, (file offset, value) of a bad byte


def read_articles(paths: Sequence[str | os.PathLike], fields: FieldNames = FieldNames(),
                  max_chars: int = 2_000_000, encoding: str = "utf-8",
                  ) -> tuple[list[Article], list[Rejected]]:
    """Read every article under ``paths`` (files or folders).

    Returns the accepted articles and the rejected records, each in input order.
    ``max_chars`` is the longest text accepted; longer ones are rejected as huge.
    """
    articles: list[Article] = []
    rejected: list[Rejected] = []
    for item in iter_articles(paths, fields, max_chars, encoding):
        (articles if isinstance(item, Article) else rejected).append(item)
    return articles, rejected


def iter_articles(paths: Sequence[str | os.PathLike], fields: FieldNames = FieldNames(),
                  max_chars: int = 2_000_000, encoding: str = "utf-8",
                  ) -> Iterator[Article | Rejected]:
    """Like :func:`read_articles`, but yields articles and rejections one by one, in
    input order, so a big input never has to fit in memory at once."""
    codecs.lookup(encoding)  # a bad encoding name is the caller's error, not the data's
    if isinstance(paths, (str, bytes, os.PathLike)):  # one path, not a sequence of characters
        paths = [paths]
    reader = _Reader(fields, max_chars, encoding)
    for given in paths:
        source = os.fsdecode(given)
        if not os.path.isdir(source):
            yield from reader.file(source)
            continue
        try:
            names = sorted(os.listdir(source))
        except OSError as exc:
            yield Rejected(source, None, None, f"cannot list folder: {exc.strerror or exc}")
            continue
        for name in names:
            path = os.path.join(source, name)
            if not name.startswith(".") and not os.path.isdir(path):
                yield from reader.file(path)


class _FileRejected(Exception):
    """Raised by a reader to reject the whole file it is reading, with this reason."""


class _Reader:
    """Reads files of every format, remembering the ids accepted so far."""

    def __init__(self, fields: FieldNames, max_chars: int, encoding: str) -> None:
        self.fields = fields
        self.max_chars = max_chars
        self.encoding = encoding
        self.seen: dict[str, str] = {}  # id -> origin of the article that claimed it

    def file(self, source: str) -> Iterator[Article | Rejected]:
        ext = os.path.splitext(source)[1].lower()
        readers = {".txt": self._txt, ".jsonl": self._jsonl, ".ndjson": self._jsonl,
                   ".csv": self._csv, ".parquet": self._parquet}
        if not os.path.exists(source):
            yield Rejected(source, None, None, "no such file or folder")
        elif ext not in readers:
            kind = f"'{ext}'" if ext else "without extension"
            yield Rejected(source, None, None,
                           f"unsupported file type {kind}: expected {_EXTENSIONS}")
        else:
            try:
                yield from readers[ext](source)
            except _FileRejected as exc:
                yield Rejected(source, None, None, str(exc))
            except OSError as exc:
                yield Rejected(source, None, None, f"cannot read file: {exc.strerror or exc}")

    def _accept(self, article: Article, source: str, location: str | None) -> Article | Rejected:
        first = self.seen.get(article.id)
        if first is not None:
            return Rejected(source, location, article.id,
                            f"duplicate id {article.id!r}, first seen at {first}")
        self.seen[article.id] = article.origin or source
        return article

    def _check_columns(self, columns: Sequence[str]) -> None:
        missing = [repr(n) for n in (self.fields.id, self.fields.text) if n not in columns]
        if missing:
            raise _FileRejected(f"missing required column {', '.join(missing)}"
                                f" (columns: {', '.join(columns)})")

    def _txt(self, source: str) -> Iterator[Article | Rejected]:
        rid = os.path.splitext(os.path.basename(source))[0]
        size = os.path.getsize(source)
        # Even UTF-32 needs at most 4 bytes a character, so such a file is over the
        # limit for sure and need not be read at all.
        if size > 4 * self.max_chars + 4:
            yield Rejected(source, None, rid, f"huge text: {size:,} bytes, over the "
                                              f"{self.max_chars:,}-character limit")
            return
        with open(source, "rb") as fh:
            data = fh.read()
        codec, skip = _bom(data, self.encoding)
        problem = "binary content (NUL bytes)" if _splittable(codec) and b"\x00" in data else None
        try:
            text = "" if problem else data[skip:].decode(codec)
        except UnicodeDecodeError as exc:
            problem = _undecodable(codec, skip + exc.start, data[skip + exc.start])
        problem = problem or _text_problem(text, self.max_chars)
        if problem:
            yield Rejected(source, None, rid, problem)
        else:
            yield self._accept(Article(id=rid, text=text, origin=source), source, None)

    def _jsonl(self, source: str) -> Iterator[Article | Rejected]:
        with open(source, "rb") as fh:
            codec, lines = _open_text(fh, self.encoding)
            number = 0
            try:
                for number, (line, bad) in enumerate(lines, 1):
                    if line.strip():
                        yield self._json_line(line, bad, codec, source, f"line {number}")
            except UnicodeDecodeError:
                yield Rejected(source, f"line {number + 1}", None,
                               f"not valid {_label(codec)} text; rest of file skipped")

    def _json_line(self, line: str, bad: tuple[int, int] | None, codec: str, source: str,
                   location: str) -> Article | Rejected:
        if "\x00" in line:
            return Rejected(source, location, None, "binary content (NUL bytes)")
        try:
            obj = json.loads(line.rstrip("\r\n"))  # so errors point into this line
        except json.JSONDecodeError as exc:
            return Rejected(source, location, None,
                            f"malformed JSON: {exc.msg} at column {exc.colno}")
        except (ValueError, RecursionError) as exc:  # e.g. absurdly deep nesting
            return Rejected(source, location, None, f"malformed JSON: {type(exc).__name__}")
        if not isinstance(obj, dict):
            return Rejected(source, location, None,
                            f"JSON {_kind(obj)} where an object was expected")
        if bad is not None:
            return Rejected(source, location, _id_of(obj, self.fields)[0],
                            _undecodable(codec, *bad))
        return self._record(obj, source, location)

    def _csv(self, source: str) -> Iterator[Article | Rejected]:
        with open(source, "rb") as fh:
            codec, lines = _open_text(fh, self.encoding)
            bad: list[tuple[int, int]] = []  # first undecodable byte of the current row

            def feed() -> Iterator[str]:
                for line, line_bad in lines:
                    if line_bad and not bad:
                        bad.append(line_bad)
                    yield line

            old_limit = csv.field_size_limit()
            # Big enough for any text we would accept, yet bounded so that a stray
            # unclosed quote cannot swallow a whole multi-gigabyte file into one field.
            csv.field_size_limit(min(max(4 * self.max_chars, 1 << 20), 2**31 - 1))
            row = 0
            try:
                reader = csv.reader(feed(), strict=True)
                header = [name.strip() for name in next(reader, [])]
                if not header:
                    return
                if bad:
                    raise _FileRejected("header: " + _undecodable(codec, *bad[0]))
                self._check_columns(header)
                wanted = {n: header.index(n) for n in _names(self.fields) if n in header}
                while True:
                    bad.clear()
                    try:
                        cells = next(reader)
                    except StopIteration:
                        break
                    except csv.Error as exc:
                        row += 1
                        why = "unclosed quote runs to the end of the file" \
                            if "unexpected end of data" in str(exc) else str(exc)
                        yield Rejected(source, f"row {row}", None, f"malformed CSV: {why}")
                        continue
                    if not cells:
                        continue
                    row += 1
                    location = f"row {row}"
                    record = {name: cells[i] for name, i in wanted.items() if i < len(cells)}
                    rid = _id_of(record, self.fields)[0]
                    if len(cells) != len(header):
                        yield Rejected(source, location, rid, f"expected {len(header)} "
                                                              f"columns, found {len(cells)}")
                    elif bad:
                        yield Rejected(source, location, rid and _SURROGATE.sub("\ufffd", rid),
                                       _undecodable(codec, *bad[0]))
                    else:
                        yield self._record(record, source, location)
            except UnicodeDecodeError:
                yield Rejected(source, f"row {row + 1}", None,
                               f"not valid {_label(codec)} text; rest of file skipped")
            finally:
                csv.field_size_limit(old_limit)

    def _parquet(self, source: str) -> Iterator[Article | Rejected]:
        # Imported here so that reading text formats never pays for loading pyarrow.
        import pyarrow as pa
        import pyarrow.parquet as pq

        if os.path.getsize(source) == 0:
            return
        with open(source, "rb") as fh:
            try:
                pf = pq.ParquetFile(fh)
            except (pa.ArrowException, ValueError, OSError) as exc:
                raise _FileRejected(f"not a readable Parquet file: {exc}") from None
            self._check_columns(pf.schema_arrow.names)
            wanted = [n for n in _names(self.fields) if n in pf.schema_arrow.names]
            row = 0
            try:
                for batch in pf.iter_batches(batch_size=_PARQUET_BATCH, columns=wanted):
                    values = {}
                    for name in wanted:
                        col = batch.column(batch.schema.get_field_index(name))
                        # Nanosecond timestamps do not fit datetime; microseconds do.
                        if pa.types.is_timestamp(col.type) and col.type.unit == "ns":
                            col = col.cast(pa.timestamp("us", col.type.tz), safe=False)
                        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                            try:
                                col.validate(full=True)
                            except pa.ArrowInvalid:
                                # Invalid UTF-8 would make to_pylist fail the whole batch;
                                # as raw bytes, only the bad rows get rejected.
                                col = col.view(pa.large_binary() if pa.types.is_large_string(
                                    col.type) else pa.binary())
                        values[name] = col.to_pylist()
                    for i in range(batch.num_rows):
                        row += 1
                        record = {name: values[name][i] for name in wanted}
                        yield self._record(record, source, f"row {row}")
            except (pa.ArrowException, OSError) as exc:
                yield Rejected(source, f"row {row + 1}", None,
                               f"unreadable Parquet data, rest of file skipped: {exc}")

    def _record(self, record: Mapping[str, Any], source: str, location: str) -> Article | Rejected:
        """Turn one JSONL object / CSV row / Parquet row into an article or a rejection."""
        f = self.fields
        record = dict(record)
        for name, value in record.items():
            if isinstance(value, bytes):  # Parquet binary columns, or strings with bad UTF-8
                try:
                    record[name] = value.decode(self.encoding)
                except UnicodeDecodeError as exc:
                    return Rejected(source, location, _id_of(record, f)[0], f"field {name!r}: "
                                    + _undecodable(self.encoding, exc.start, value[exc.start]))
        rid, why = _id_of(record, f)
        if rid is None:
            return Rejected(source, location, None, why or "missing id")
        text = record.get(f.text)
        if text is None:
            problem = f"text field {f.text!r} {'is null' if f.text in record else 'is missing'}"
        elif not isinstance(text, str):
            problem = f"text field {f.text!r} is a {_kind(text)}, not a string"
        else:
            problem = _text_problem(text, self.max_chars)
        try:
            published = None if problem else _published(record.get(f.published))
        except ValueError as exc:
            problem = str(exc)
        if problem:
            return Rejected(source, location, rid, problem)
        article = Article(id=rid, text=text, title=_meta(record.get(f.title)),
                          outlet=_meta(record.get(f.outlet)), url=_meta(record.get(f.url)),
                          published=published, origin=f"{source}:{location}")
        return self._accept(article, source, location)


def _bom(head: bytes, encoding: str) -> tuple[str, int]:
    """The codec to decode with and how many leading bytes to skip."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            # The UTF-16/32 codecs read the mark themselves to learn the byte order.
            return codec, len(bom) if codec == "utf-8" else 0
    return encoding, 0


def _splittable(codec: str) -> bool:
    """Whether lines can be found by splitting raw bytes at newline bytes (not UTF-16/32)."""
    return not codecs.lookup(codec).name.startswith(("utf-16", "utf-32"))


def _open_text(fh: IO[bytes], encoding: str) -> tuple[str, Iterator[_Line]]:
    """Pick the codec of a line-based file and iterate its lines, or reject a binary file."""
    head = fh.read(_SNIFF)
    codec, skip = _bom(head, encoding)
    if _splittable(codec) and b"\x00" in head:
        # A stray NUL in a text file is one bad record; NULs in bytes that do not
        # even decode are an image, archive or the like: one rejection, not thousands.
        try:
            codecs.getincrementaldecoder(codec)().decode(head[skip:], final=False)
        except UnicodeDecodeError:
            raise _FileRejected("binary file, not text (NUL bytes)") from None
    fh.seek(skip if _splittable(codec) else 0)
    return codec, _lines(fh, codec, skip)


def _lines(fh: IO[bytes], codec: str, offset: int) -> Iterator[_Line]:
    """Yield each line with its ending, and (file offset, value) of its first bad byte.

    Undecodable bytes become lone surrogates rather than stopping the file, so the
    caller can reject just the record holding them.  UTF-16/32 cannot be split on
    raw bytes, so those go through a text wrapper that raises on bad bytes instead.
    """
    if not _splittable(codec):
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


def _label(codec: str) -> str:
    return codecs.lookup(codec).name.upper()


def _undecodable(codec: str, offset: int, value: int) -> str:
    return f"undecodable bytes: not valid {_label(codec)} at byte {offset} (0x{value:02X})"


def _text_problem(text: str, max_chars: int) -> str | None:
    """Why a text cannot be used, or None if it can."""
    if not text:
        return "empty text"
    if text.isspace():
        return "text is only whitespace"
    if len(text) > max_chars:
        return f"huge text: {len(text):,} characters, over the {max_chars:,} limit"
    if "\x00" in text:
        return "binary content (NUL bytes)"
    sample = text[:_SNIFF]
    if len(_CONTROL.findall(sample)) * 10 > 3 * len(sample):
        return "binary content (mostly control characters)"
    if _SURROGATE.search(text):
        # Lone surrogates (e.g. from a JSON "\\ud800" escape) cannot be written out as UTF-8.
        return "invalid Unicode: unpaired surrogate in text"
    return None


def _id_of(record: Mapping[str, Any], fields: FieldNames) -> tuple[str | None, str | None]:
    """The record's id, or None and why not."""
    value = record.get(fields.id)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, f"missing id field {fields.id!r}"
    if not isinstance(value, str):
        return None, f"id field {fields.id!r} is a {_kind(value)}, not a string or integer"
    return value.strip(), None


def _kind(value: Any) -> str:
    """The JSON name of a value's type, for messages."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
             float: "number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _names(fields: FieldNames) -> list[str]:
    """The distinct field names, id and text first."""
    return list(dict.fromkeys((fields.id, fields.text, fields.title, fields.outlet,
                               fields.url, fields.published)))


def _meta(value: Any) -> str | None:
    """An optional metadata value as text; empty means absent."""
    # Metadata is not addressed by offsets, so unusable characters may be replaced.
    text = None if value is None else _SURROGATE.sub("\ufffd", str(value)).strip()
    return text or None


def _published(value: Any) -> datetime | None:
    """Parse a publication time: ISO 8601 text, epoch seconds, or a datetime/date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _epoch(value)
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER.fullmatch(text):
            return _epoch(float(text) if "." in text else int(text))
        # datetime.fromisoformat only learnt the "Z" suffix in Python 3.11.
        iso = text[:-1] + "+00:00" if text[-1] in "Zz" else text
        try:
            return datetime.fromisoformat(iso)
        except ValueError:
            pass
    shown = repr(value)
    raise ValueError(f"unparseable published date {shown[:60]}{'...' if len(shown) > 60 else ''}")


def _epoch(seconds: float) -> datetime:
    """Epoch seconds as an aware UTC datetime."""
    try:
        if not math.isfinite(seconds):
            raise ValueError
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        # A common mix-up is milliseconds, which lands tens of millennia ahead.
        hint = " (milliseconds? expected seconds)" if abs(seconds) > 1e11 else ""
        raise ValueError(f"unparseable published date {seconds!r}: out of range{hint}") from None
