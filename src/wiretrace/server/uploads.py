"""Adding a file's articles through the service: any format ``wiretrace index add``
reads (JSONL, CSV, Parquet, .txt, web pages, WARC/ARC, Reuters SGML), sent as
the request body with the file's name.

The body is written to a private temporary folder under that name (the name's
ending picks the reader, as for a file on disk; a ``.txt`` or page file's id is
the name without its ending) and read by :func:`wiretrace.ingest.read_articles`
with the server's size rule, so a file added here gives the same articles,
rejections and warnings as ``wiretrace index add FILE``; they name the file as
the client named it.  The body's size is bounded by the server's
``max_body_bytes`` before any of this runs.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import replace

from wiretrace.ingest import EXTENSIONS, SUFFIXES, read_articles
from wiretrace.model import Article, FieldWarning, Rejected

# A name's characters: at most 4 bytes each in UTF-8, so that the name fits the
# 255 bytes a file name may have on disk.
MAX_NAME_CHARS = 63
_NOT_IN_NAME = r"/\\\x00-\x1f\x7f-\x9f"  # a path's separators, control characters


def _any_case(ending: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c)
                   for c in ending)


# The rule for a name, as the API description states it (OpenAPI's patterns have
# no flags, so the endings are spelt in either case): a file's own name, not
# hidden, ending as a file wiretrace reads does.
BARE_NAME = rf"^[^.{_NOT_IN_NAME}][^{_NOT_IN_NAME}]*$"
NAME_PATTERN = (rf"^[^.{_NOT_IN_NAME}][^{_NOT_IN_NAME}]*(?:"
                + "|".join(_any_case(ending) for ending in SUFFIXES) + ")$")


class UploadProblem(ValueError):
    """The file's name cannot be used (the status to answer, and why)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def check_name(name: str) -> str:
    """``name`` if it follows :data:`NAME_PATTERN`, else :class:`UploadProblem` saying
    why not: 422 for what is no file name, 415 for a kind of file no reader takes."""
    if len(name) > MAX_NAME_CHARS or not re.fullmatch(BARE_NAME, name):
        raise UploadProblem(422, f"name: {name[:80]!r} is not a file name: give the file's "
                                 f"own name (up to {MAX_NAME_CHARS} characters, no folder, "
                                 "not hidden), such as feed.jsonl or crawl.warc.gz")
    if not re.fullmatch(NAME_PATTERN, name):
        raise UploadProblem(415, f"name: {name!r} is not a kind of file wiretrace reads "
                                 f"(by its ending): expected {EXTENSIONS}")
    return name


def read_upload(data: bytes, name: str, max_chars: int
                ) -> tuple[list[Article], list[Rejected], list[FieldWarning]]:
    """The articles of a file's bytes, its rejected records and field warnings, each
    naming the file ``name`` (checked by :func:`check_name`)."""
    warnings: list[FieldWarning] = []
    with tempfile.TemporaryDirectory(prefix="wiretrace-upload-") as folder:
        path = os.path.join(folder, name)
        with open(path, "wb") as fh:
            fh.write(data)
        articles, rejected = read_articles([path], max_chars=max_chars, warnings=warnings)

    def named(where: str | None) -> str | None:
        return where.replace(path, name) if where else where

    return ([replace(a, read_from=named(a.read_from)) for a in articles],
            [replace(r, source=named(r.source) or name, reason=r.reason.replace(path, name))
             for r in rejected],
            [replace(w, source=named(w.source) or name) for w in warnings])
