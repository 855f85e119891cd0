"""Turning one raw input record into an :class:`Article` or a :class:`Rejected`.

A record is a JSONL object, a CSV row or a Parquet row, already split into named
fields by its format's reader.  Only its id and text can reject it (missing, wrong
type, binary content, control characters, size).  The optional fields never cost an
article: a title, outlet, url, author, publication date, topics or places that cannot
be used (wrong type, binary junk, undecodable bytes, an unreadable date:
:mod:`.dates`) is left empty and reported as a :class:`~wiretrace.model.FieldWarning`.
Numbers given as a title, outlet or url are kept as text (``1984`` is a fine title),
without a warning.  Topics and places are lists of labels (:func:`labels`).
Duplicate ids are not checked here: that needs every record of a call, which only
the package's top-level reader sees.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wiretrace.ingest.dates import UnreadableDate, parse_published, shown
from wiretrace.ingest.decoding import SNIFF, FileRejected, undecodable
from wiretrace.model import Article, FieldWarning, Rejected

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x20)) + b"\x7f"
SURROGATE = re.compile(r"[\ud800-\udfff]")
# the fields that never reject
OPTIONAL = ("title", "outlet", "url", "published", "author", "topics", "places")
LABELS = ("topics", "places")  # lists of labels; a string holds them separated by ";"


@dataclass(frozen=True, slots=True)
class FieldNames:
    """Which JSONL key or CSV/Parquet column holds each attribute of an article."""

    id: str = "id"
    text: str = "text"
    title: str = "title"
    outlet: str = "outlet"
    url: str = "url"
    published: str = "published"
    author: str = "author"
    topics: str = "topics"
    places: str = "places"


@dataclass(frozen=True, slots=True)
class Options:
    """The caller's settings that every format reader needs."""

    fields: FieldNames
    max_chars: int  # longest text accepted
    encoding: str  # used unless the data starts with a byte-order mark
    date_format: str | None = None  # strptime format tried before the automatic readers
    # Where to_article puts the warnings of the article it returns.  None: there is no
    # one to tell, so an unreadable date rejects the record instead (the HTTP API
    # answers 422, and its client can resend).
    warnings: list[FieldWarning] | None = None
    # a web archive record's id: "uri" (its WARC-Target-URI) or "record" (its
    # WARC-Record-ID, which tells apart two captures of one URL)
    warc_id: str = "uri"


# Given a checked article (or a rejection, passed through) with its source file and
# location, returns it, or a rejection if its id was already taken earlier in the call.
Accept = Callable[[Article | Rejected, str, str | None], Article | Rejected]


def field_names(fields: FieldNames) -> list[str]:
    """The distinct field names, id and text first."""
    return list(dict.fromkeys((fields.id, fields.text, fields.title, fields.outlet,
                               fields.url, fields.published, fields.author, fields.topics,
                               fields.places)))


def check_columns(columns: Sequence[str], fields: FieldNames) -> None:
    """Reject the whole file if its columns lack the id or the text."""
    missing = [repr(n) for n in (fields.id, fields.text) if n not in columns]
    if missing:
        raise FileRejected(f"missing required column {', '.join(missing)}"
                           f" (columns: {', '.join(columns)})")


def to_article(record: Mapping[str, Any], source: str, location: str,
               opts: Options) -> Article | Rejected:
    """Turn one JSONL object / CSV row / Parquet row into an article or a rejection.

    The warnings about the optional fields of a returned article are appended to
    ``opts.warnings`` (see :class:`Options` for when it is None).
    """
    f = opts.fields
    record = dict(record)
    for name in (f.id, f.text):
        value = record.get(name)
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
        problem = f"text field {f.text!r} is {a_kind(text)}, not a string"
    else:
        problem = text_problem(text, opts.max_chars)
    if problem:
        return Rejected(source, location, rid, problem)
    values: dict[str, Any] = {}
    found: list[FieldWarning] = []
    for name in OPTIONAL:
        value = record.get(getattr(f, name))
        try:
            if isinstance(value, bytes):
                value = _decoded(value, opts.encoding)
            values[name] = parse_published(value, opts.date_format) if name == "published" \
                else labels(value) if name in LABELS else _meta(value)
        except UnreadableDate as exc:
            if opts.warnings is None:
                return Rejected(source, location, rid,
                                f"unparseable published date {shown(value)}: {exc}")
            found.append(FieldWarning(source, location, rid, name,
                                      f"unreadable date {shown(value)}: {exc}"))
            values[name] = None
        except ValueError as exc:
            found.append(FieldWarning(source, location, rid, name, str(exc)))
            values[name] = () if name in LABELS else None
    if opts.warnings is not None:
        opts.warnings.extend(found)
    return Article(id=rid, text=text, read_from=f"{source}:{location}", **values)


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
    if isinstance(value, float) and math.isfinite(value):
        return None, f"id field {fields.id!r} is {value!r}, a number with a fraction, not a " \
                     f"string or integer"
    if not isinstance(value, str):
        return None, f"id field {fields.id!r} is {a_kind(value)}, not a string or integer"
    return value.strip(), None


def kind(value: Any) -> str:
    """The JSON name of a value's type, for messages."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
             float: "number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def a_kind(value: Any) -> str:
    """The JSON name of a value's type with its article, for messages: "an array"."""
    name = kind(value)
    return name if name == "null" else f"an {name}" if name[0] in "aeiou" else f"a {name}"


def _decoded(value: bytes, encoding: str) -> str:
    """An optional field's bytes as text, or ValueError saying why not."""
    try:
        return value.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValueError(undecodable(encoding, exc.start, value[exc.start])) from None


def labels(value: Any) -> tuple[str, ...]:
    """Topics or places as a tuple of labels: from a list (a JSON array, a Parquet
    list column) or one string holding them separated by ``;`` (a CSV cell);
    empty ones dropped, the order and the first of repeated ones kept.

    Raises ValueError, saying why, for anything else (an object, a label that is
    not text)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    items = value.split(";") if isinstance(value, str) else value
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, (list, tuple)) \
            and not hasattr(items, "tolist"):
        raise ValueError(f"{a_kind(value)} where a list of labels was expected: "
                         f"{shown(value)}")
    if hasattr(items, "tolist"):  # a numpy array from a Parquet list column
        items = items.tolist()
    found = []
    for item in items:
        label = _meta(item)
        if label is not None:
            found.append(label)
    return tuple(dict.fromkeys(found))


def _meta(value: Any) -> str | None:
    """An optional metadata value as text; empty means absent.

    Raises ValueError, saying why, for a value that is not text: a list, an object,
    a boolean, binary content.  Numbers become text.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None  # NaN: pandas' marker for a missing value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return str(int(value) if isinstance(value, float) and value.is_integer() else value)
    if not isinstance(value, str):
        raise ValueError(f"{a_kind(value)} where text was expected: {shown(value)}")
    if value.isprintable():  # most values: no control character, no surrogate
        return value.strip() or None
    if "\x00" in value or len(_CONTROL.findall(value[:SNIFF])) * 10 > 3 * min(len(value), SNIFF):
        raise ValueError(f"binary content, not text: {shown(value)}")
    # Metadata is not addressed by offsets, so unusable characters may be replaced.
    return SURROGATE.sub("\ufffd", value).strip() or None
