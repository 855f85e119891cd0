"""Reading JSONL (``.jsonl`` / ``.ndjson``): one JSON object per line, one article each.

A bad line rejects only that line (``line N`` counts physical lines from 1), except
bytes that a UTF-16/32 file cannot decode, which end the file there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from wiretrace.ingest.decoding import label, open_text, undecodable
from wiretrace.ingest.records import Accept, Options, id_of, kind, to_article
from wiretrace.model import Article, Rejected


def read_jsonl(source: str, opts: Options, accept: Accept) -> Iterator[Article | Rejected]:
    """Yield an article or a rejection for each non-blank line of the file."""
    with open(source, "rb") as fh:
        codec, lines = open_text(fh, opts.encoding)
        number = 0
        try:
            for number, (line, bad) in enumerate(lines, 1):
                if line.strip():
                    location = f"line {number}"
                    item = _json_line(line, bad, codec, source, location, opts)
                    yield accept(item, source, location)
        except UnicodeDecodeError:
            yield Rejected(source, f"line {number + 1}", None,
                           f"not valid {label(codec)} text; rest of file skipped")


def _json_line(line: str, bad: tuple[int, int] | None, codec: str, source: str,
               location: str, opts: Options) -> Article | Rejected:
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
                        f"JSON {kind(obj)} where an object was expected")
    if bad is not None:
        return Rejected(source, location, id_of(obj, opts.fields)[0], undecodable(codec, *bad))
    return to_article(obj, source, location, opts)
