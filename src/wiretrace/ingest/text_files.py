"""Reading one ``.txt`` file as one article, its id being the file name without extension.

The whole file is the text, kept exactly as stored apart from a leading byte-order mark,
because every offset the later stages report points into it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from wiretrace.ingest.decoding import bom, splittable, undecodable
from wiretrace.ingest.records import Accept, Options, is_binary, text_problem
from wiretrace.model import Article, Rejected


def read_txt(source: str, opts: Options, accept: Accept) -> Iterator[Article | Rejected]:
    """Yield the file's article, or why it was rejected."""
    rid = os.path.splitext(os.path.basename(source))[0]
    size = os.path.getsize(source)
    # Even UTF-32 needs at most 4 bytes a character, so such a file is over the
    # limit for sure and need not be read at all.
    if size > 4 * opts.max_chars + 4:
        yield Rejected(source, None, rid, f"huge text: {size:,} bytes, over the "
                                          f"{opts.max_chars:,}-character limit")
        return
    with open(source, "rb") as fh:
        data = fh.read()
    codec, skip = bom(data, opts.encoding)
    problem = "binary content (NUL bytes)" if splittable(codec) and is_binary(data) else None
    try:
        text = "" if problem else data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        problem = undecodable(codec, skip + exc.start, data[skip + exc.start])
    problem = problem or text_problem(text, opts.max_chars)
    if problem:
        yield Rejected(source, None, rid, problem)
    else:
        yield accept(Article(id=rid, text=text, origin=source), source, None)
