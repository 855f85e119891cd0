"""Reading one ``.txt`` file as one article, its id being the file name without extension.

The whole file is the text, kept exactly as stored apart from a leading byte-order mark,
because every offset the later stages report points into it.  At most enough bytes for
``max_chars`` characters are read: a file that holds more is rejected as huge without
being read, and one that grows while it is read (or claims a size of 0, as some
special files do) is cut off at that bound rather than read to its end.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from wiretrace.ingest.decoding import bom, open_regular, undecodable, unit
from wiretrace.ingest.records import Accept, Options, is_binary, text_problem
from wiretrace.model import Article, Rejected


def read_txt(source: str, opts: Options, accept: Accept) -> Iterator[Article | Rejected]:
    """Yield the file's article, or why it was rejected."""
    rid = os.path.splitext(os.path.basename(source))[0]
    # Even UTF-32 needs at most 4 bytes a character (and 4 for its mark), so more than
    # this is over the limit for sure.
    limit = 4 * opts.max_chars + 4
    with open_regular(source) as fh:
        size = os.fstat(fh.fileno()).st_size
        data = b"" if size > limit else fh.read(limit + 1)
    if size > limit or len(data) > limit:
        held = f"{size:,} bytes" if size > limit else f"over {limit:,} bytes"
        yield Rejected(source, None, rid, f"huge text: {held}, over the "
                                          f"{opts.max_chars:,}-character limit")
        return
    codec, skip = bom(data, opts.encoding)
    problem = "binary content (NUL bytes)" if unit(codec) == 1 and is_binary(data) else None
    try:
        text = "" if problem else data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        problem = undecodable(codec, skip + exc.start, data[skip + exc.start])
    problem = problem or text_problem(text, opts.max_chars)
    if problem:
        yield Rejected(source, None, rid, problem)
    else:
        yield accept(Article(id=rid, text=text, read_from=source), source, None)
