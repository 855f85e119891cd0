"""Reading JSONL (``.jsonl`` / ``.ndjson``): one JSON object per line, one article each.

A bad line rejects only that line; ``line N`` counts physical lines from 1.  Each line
is decoded on its own, so undecodable bytes (UTF-16 and UTF-32 included) cost only
their line.  A line longer than any record within ``max_chars`` could be (12 bytes a
character, an escaped surrogate pair, per code unit, plus room for the other fields)
is rejected as huge without ever being held whole.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator

from wiretrace.ingest.decoding import MARGIN, Line, open_regular, open_text, read_lines, unit
from wiretrace.ingest.records import Accept, Options, id_of, kind, to_article
from wiretrace.model import Article, Rejected

_ESCAPED = 12  # code units a JSON string may spend on one character: "\ud83d\ude00"
# The json module's messages, in words for the person reading rejected.jsonl.
_JSON_WORDS = {
    "Expecting value": "a value expected at column {col}",
    "Expecting property name enclosed in double quotes":
        "a key in double quotes expected at column {col}",
    "Expecting ':' delimiter": "':' expected at column {col}",
    "Expecting ',' delimiter": "',' expected at column {col}",
    "Unterminated string starting at": "a string that never ends, starting at column {col}",
    "Invalid control character at": "a control character inside a string at column {col}",
    "Invalid \\escape": "an invalid backslash escape at column {col}",
    "Invalid \\uXXXX escape": "an invalid \\uXXXX escape at column {col}",
    "Unexpected UTF-8 BOM (decode using utf-8-sig)": "a byte-order mark (U+FEFF) at column {col}",
    "Extra data": "more text after the JSON value, at column {col}",
}


def read_jsonl(source: str, opts: Options, accept: Accept) -> Iterator[Article | Rejected]:
    """Yield an article or a rejection for each non-blank line of the file."""
    with open_regular(source) as fh:
        codec, start = open_text(fh, opts.encoding)
        limit = (_ESCAPED * opts.max_chars + MARGIN) * unit(codec)
        for line in read_lines(fh, codec, start, limit):
            location = f"line {line.number}"
            if line.long:
                yield Rejected(source, location, None,
                               f"huge record: the line is over {limit:,} bytes, more than "
                               f"a text of {opts.max_chars:,} characters can take")
            elif line.text.strip():
                yield accept(_json_line(line, source, location, opts), source, location)


def _json_line(line: Line, source: str, location: str, opts: Options) -> Article | Rejected:
    if line.problem is None and "\x00" in line.text:
        return Rejected(source, location, None, "binary content (NUL bytes)")
    obj, why = _parse(line.text.rstrip("\r\n"))  # so errors point into this line
    if line.problem is not None:  # the bytes are wrong: say so, naming the id if readable
        rid = id_of(obj, opts.fields)[0] if isinstance(obj, dict) else None
        return Rejected(source, location, rid, line.problem)
    if why is not None:
        return Rejected(source, location, None, f"malformed JSON: {why}")
    if not isinstance(obj, dict):
        return Rejected(source, location, None,
                        f"JSON {kind(obj)} where an object was expected")
    return to_article(obj, source, location, opts)


def _parse(text: str) -> tuple[object, str | None]:
    """The JSON value of one line, or None and what is wrong with it, in words."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        template = _JSON_WORDS.get(exc.msg)  # else a message of a later Python's, as it is
        return None, (template.format(col=exc.colno) if template
                      else f"{exc.msg[:1].lower()}{exc.msg[1:]} at column {exc.colno}")
    except RecursionError:
        return None, "nested too deeply to read"
    except ValueError as exc:  # Python's limit on the digits of an integer
        digits = getattr(sys, "get_int_max_str_digits", lambda: 0)()
        long = re.search(rf"\d{{{digits + 1},}}", text) if digits else None
        if long is not None:
            return None, (f"a number of {len(long.group()):,} digits at column "
                          f"{long.start() + 1}, too long to read")
        return None, str(exc)
