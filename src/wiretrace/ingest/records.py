"""Turning one raw input record into an :class:`Article` or a :class:`Rejected`.

A record is a JSONL object, a CSV row or a Parquet row, already split into named
fields by its format's reader.  Here its id, text and publication time are validated
(binary content, control characters, size, unparseable dates) and the optional
metadata is cleaned.  Duplicate ids are not checked here: that needs every record of
a call, which only the package's top-level reader sees.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from wiretrace.ingest.decoding import SNIFF, FileRejected, undecodable
from wiretrace.model import Article, Rejected

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x20)) + b"\x7f"
SURROGATE = re.compile(r"[\ud800-\udfff]")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")


@dataclass(frozen=True, slots=True)
class FieldNames:
    """Which JSONL key or CSV/Parquet column holds each attribute of an article."""

    id: str = "id"
    text: str = "text"
    title: str = "title"
    outlet: str = "outlet"
    url: str = "url"
    published: str = "published"


@dataclass(frozen=True, slots=True)
class Options:
    """The caller's settings that every format reader needs."""

    fields: FieldNames
    max_chars: int  # longest text accepted
    encoding: str  # used unless the data starts with a byte-order mark


# Given a checked article (or a rejection, passed through) with its source file and
# location, returns it, or a rejection if its id was already taken earlier in the call.
Accept = Callable[[Article | Rejected, str, str | None], Article | Rejected]


def field_names(fields: FieldNames) -> list[str]:
    """The distinct field names, id and text first."""
    return list(dict.fromkeys((fields.id, fields.text, fields.title, fields.outlet,
                               fields.url, fields.published)))


def check_columns(columns: Sequence[str], fields: FieldNames) -> None:
    """Reject the whole file if its columns lack the id or the text."""
    missing = [repr(n) for n in (fields.id, fields.text) if n not in columns]
    if missing:
        raise FileRejected(f"missing required column {', '.join(missing)}"
                           f" (columns: {', '.join(columns)})")


def to_article(record: Mapping[str, Any], source: str, location: str,
               opts: Options) -> Article | Rejected:
    """Turn one JSONL object / CSV row / Parquet row into an article or a rejection."""
    f = opts.fields
    record = dict(record)
    for name, value in record.items():
        if isinstance(value, bytes):  # Parquet binary columns, or strings with bad UTF-8
            try:
                record[name] = value.decode(opts.encoding)
            except UnicodeDecodeError as exc:
                return Rejected(source, location, id_of(record, f)[0], f"field {name!r}: "
                                + undecodable(opts.encoding, exc.start, value[exc.start]))
    rid, why = id_of(record, f)
    if rid is None:
        return Rejected(source, location, None, why or "missing id")
    text = record.get(f.text)
    if text is None:
        problem = f"text field {f.text!r} {'is null' if f.text in record else 'is missing'}"
    elif not isinstance(text, str):
        problem = f"text field {f.text!r} is a {kind(text)}, not a string"
    else:
        problem = text_problem(text, opts.max_chars)
    try:
        published = None if problem else _published(record.get(f.published))
    except ValueError as exc:
        problem = str(exc)
    if problem:
        return Rejected(source, location, rid, problem)
    return Article(id=rid, text=text, title=_meta(record.get(f.title)),
                   outlet=_meta(record.get(f.outlet)), url=_meta(record.get(f.url)),
                   published=published, origin=f"{source}:{location}")


def is_binary(text: str | bytes) -> bool:
    """More than one NUL per thousand characters: not text.

    Real corpora carry the odd stray NUL in otherwise good text (14 documents
    of PAN 2013 do); such a text is kept as it is, offsets and all.
    """
    nul = "\x00" if isinstance(text, str) else b"\x00"
    return text.count(nul) * 1000 > len(text)


def text_problem(text: str, max_chars: int) -> str | None:
    """Why a text cannot be used, or None if it can."""
    if not text:
        return "empty text"
    if text.isspace():
        return "text is only whitespace"
    if len(text) > max_chars:
        return f"huge text: {len(text):,} characters, over the {max_chars:,} limit"
    if is_binary(text):
        return "binary content (NUL bytes)"
    sample = text[:SNIFF]
    if sample.isascii():  # most text: count controls on bytes, at C speed
        raw = sample.encode("ascii")
        controls = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
    else:
        controls = len(_CONTROL.findall(sample))
    if controls * 10 > 3 * len(sample):
        return "binary content (mostly control characters)"
    if not text.isascii() and SURROGATE.search(text):
        # Lone surrogates (e.g. from a JSON "\\ud800" escape) cannot be written out as UTF-8.
        return "invalid Unicode: unpaired surrogate in text"
    return None


def id_of(record: Mapping[str, Any], fields: FieldNames) -> tuple[str | None, str | None]:
    """The record's id, or None and why not."""
    value = record.get(fields.id)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, f"missing id field {fields.id!r}"
    if not isinstance(value, str):
        return None, f"id field {fields.id!r} is a {kind(value)}, not a string or integer"
    return value.strip(), None


def kind(value: Any) -> str:
    """The JSON name of a value's type, for messages."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
             float: "number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _meta(value: Any) -> str | None:
    """An optional metadata value as text; empty means absent."""
    # Metadata is not addressed by offsets, so unusable characters may be replaced.
    text = None if value is None else SURROGATE.sub("\ufffd", str(value)).strip()
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
