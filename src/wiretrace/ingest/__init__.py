"""Reading articles from disk: folders of ``.txt`` files, JSONL, CSV, Parquet, web
pages (their main text), web archives (WARC, ARC) and the Reuters wire's SGML
(``.sgm``, or a tar archive).

Every input record becomes either an :class:`~wiretrace.model.Article` or a
:class:`~wiretrace.model.Rejected` saying where it was and why it could not be used;
one bad record or file never stops a run.  Only a missing or unusable id or text
rejects a record: an optional field (title, outlet, url, published) that cannot be
used is left empty and reported as a :class:`~wiretrace.model.FieldWarning` in the
``warnings`` list the caller passes.  Text is kept exactly as stored (only a
file's leading byte-order mark is dropped; line endings stay), because every offset
the later stages report points into it.

This module is the public API: it walks folders, picks a reader by file type and
rejects duplicate ids.  Each format has its own module (:mod:`.text_files`,
:mod:`.jsonl`, :mod:`.csv_files`, :mod:`.parquet_files`, :mod:`.html_pages`,
:mod:`.warc_files`, :mod:`.reuters_sgml`);
:mod:`.records` checks one
record's fields, :mod:`.decoding` turns bytes into text and :mod:`.csv_quoting` says
which CSV rows broken quoting leaves in doubt.

Conventions:

* Mojibake ("gÃ¼nlÃ¼k") is repaired in web pages and archives, not in plain formats,
  unless the caller says otherwise (:mod:`.mojibake`); the repaired text is the text.
* Encoding is ``encoding`` (UTF-8 by default) unless the data starts with a UTF-8,
  UTF-16 or UTF-32 byte-order mark, which wins.  Undecodable bytes reject the record
  (or ``.txt`` file), naming the byte offset.
* An empty ``.txt`` file is rejected as empty text; an empty JSONL, CSV or Parquet
  file, or a CSV with only a header, simply holds no records.  Blank lines are skipped.
* ``line N`` counts a JSONL file's physical lines from 1; ``row N`` counts CSV or
  Parquet data records from 1 (the CSV header is not a row).
* ``published`` is read by :mod:`.dates` (ISO 8601, epoch seconds, RFC 2822, the
  Reuters form, day/month-name forms, or the caller's ``date_format`` first).
* Ids lose surrounding whitespace; integer ids become strings.  The first accepted
  record with an id wins; later ones, in any file of the same call, are rejected.
* A folder is read in file-name order, not recursively; hidden files and sub-folders
  are skipped, files of other types are rejected.
* CSV is the stdlib "excel" dialect (comma separated, ``"`` quoting, strict);
  column names are matched exactly after stripping spaces.  Broken quoting costs
  the rows it makes doubtful, together as one rejection naming their lines, never
  an invented row (:mod:`.csv_quoting`).
* Only regular files are read (links to them followed): a device, named pipe,
  socket, link loop or link to nothing is a rejected file, never a hang.  No record
  is held whole past a bound derived from ``max_chars``: a longer one is rejected.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from wiretrace.ingest.csv_files import read_csv
from wiretrace.ingest.dates import check_date_format
from wiretrace.ingest.decoding import FileRejected
from wiretrace.ingest.html_pages import HTML_SUFFIXES, is_html, read_html
from wiretrace.ingest.jsonl import read_jsonl
from wiretrace.ingest.mojibake import check_mode, repaired, repairs
from wiretrace.ingest.parquet_files import read_parquet
from wiretrace.ingest.records import Accept, FieldNames, Options
from wiretrace.ingest.reuters_sgml import ARCHIVE_SUFFIXES, is_archive, read_archive, read_sgml
from wiretrace.ingest.text_files import read_txt
from wiretrace.ingest.warc_files import WARC_IDS, WARC_SUFFIXES, is_warc, read_warc
from wiretrace.model import Article, FieldWarning, Rejected

__all__ = ["EXTENSIONS", "SUFFIXES", "FieldNames", "input_files", "iter_articles",
           "read_articles", "supported"]

_Format = Callable[[str, Options, Accept], Iterator[Article | Rejected]]
_READERS: dict[str, _Format] = {".txt": read_txt, ".jsonl": read_jsonl, ".ndjson": read_jsonl,
                                ".csv": read_csv, ".parquet": read_parquet, ".sgm": read_sgml}
EXTENSIONS = (".txt, .jsonl, .ndjson, .csv, .parquet, .html/.htm (.gz), .warc/.arc (.gz), "
               ".sgm (Reuters SGML) or a tar archive of .sgm files")
# FieldNames is frozen, so one shared default instance is safe; naming it here keeps
# ruff's B008 (call in a default) quiet now that the class lives in another module.
_DEFAULT_FIELDS = FieldNames()


# every file ending a reader takes, longest first
SUFFIXES = tuple(sorted({*_READERS, *HTML_SUFFIXES, *WARC_SUFFIXES, *ARCHIVE_SUFFIXES},
                        key=lambda s: (-len(s), s)))


def supported(name: str) -> bool:
    """Whether a file of this name has a reader (by its ending: :data:`EXTENSIONS`)."""
    return name.lower().endswith(SUFFIXES)


def read_articles(paths: Sequence[str | os.PathLike], fields: FieldNames = _DEFAULT_FIELDS,
                  max_chars: int = 2_000_000, encoding: str = "utf-8",
                  date_format: str | None = None, warnings: list[FieldWarning] | None = None,
                  mojibake: str = "auto", warc_id: str = "uri",
                  ) -> tuple[list[Article], list[Rejected]]:
    """Read every article under ``paths`` (files or folders).

    Returns the accepted articles and the rejected records, each in input order.
    ``max_chars`` is the longest text accepted; longer ones are rejected as huge.
    ``date_format`` (a ``strptime`` format such as ``%d/%m/%Y %H:%M``) is tried on
    ``published`` before the automatic readers; a format that cannot give a full
    date raises ValueError.  An optional field that cannot be used is left empty;
    ``warnings``, when given, receives a :class:`FieldWarning` for each.
    ``mojibake`` says which texts are repaired (:mod:`.mojibake`: ``auto``, web pages
    and archives only; ``repair``, all; ``keep``, none); ``warc_id`` what a web
    archive record's id is (``uri``, its target URI, or ``record``, its record id).
    """
    articles: list[Article] = []
    rejected: list[Rejected] = []
    for item in iter_articles(paths, fields, max_chars, encoding, date_format, warnings,
                              mojibake, warc_id):
        (articles if isinstance(item, Article) else rejected).append(item)
    return articles, rejected


def iter_articles(paths: Sequence[str | os.PathLike], fields: FieldNames = _DEFAULT_FIELDS,
                  max_chars: int = 2_000_000, encoding: str = "utf-8",
                  date_format: str | None = None, warnings: list[FieldWarning] | None = None,
                  mojibake: str = "auto", warc_id: str = "uri",
                  ) -> Iterator[Article | Rejected]:
    """Like :func:`read_articles`, but yields articles and rejections one by one, in
    input order, so a big input never has to fit in memory at once.  An article's
    warnings are in ``warnings`` by the time it is yielded."""
    codecs.lookup(encoding)  # a bad encoding name is the caller's error, not the data's
    if date_format is not None:
        check_date_format(date_format)  # so is a date format that cannot give a date
    if isinstance(paths, (str, bytes, os.PathLike)):  # one path, not a sequence of characters
        paths = [paths]
    check_mode(mojibake)  # and so is an unknown mode, or one needing ftfy without it
    if warc_id not in WARC_IDS:
        raise ValueError(f"unknown warc_id {warc_id!r}: expected one of {', '.join(WARC_IDS)}")
    reader = _Reader(Options(fields, max_chars, encoding, date_format, [], warc_id), warnings,
                     mojibake)
    for item in input_files(paths):
        if isinstance(item, Rejected):
            yield item
        else:
            yield from reader.file(item)


def input_files(paths: Sequence[str | os.PathLike]) -> Iterator[str | Rejected]:
    """The files ``paths`` name, in the order they are read: each path given, a
    folder's files by name (not sub-folders, hidden files, or markers such as
    ``_SUCCESS``); a folder that cannot be listed is a rejection."""
    for given in paths:
        source = os.fsdecode(given)
        if not os.path.isdir(source):
            yield source
            continue
        try:
            names = sorted(os.listdir(source))
        except OSError as exc:
            yield Rejected(source, None, None, f"cannot list folder: {exc.strerror or exc}")
            continue
        for name in names:
            path = os.path.join(source, name)
            # hidden files, and the markers Spark and Hadoop leave beside their
            # part files (_SUCCESS, _committed_...: "_" and no reader's ending),
            # are no input; "_draft.txt" is
            marker = name.startswith("_") and not supported(name)
            if not name.startswith(".") and not marker and not os.path.isdir(path):
                yield path


class _Reader:
    """Reads files of every format, remembering the ids accepted so far."""

    def __init__(self, opts: Options, warnings: list[FieldWarning] | None,
                 mojibake: str = "auto") -> None:
        self.opts = opts  # its warnings list holds those of the record just checked
        self.mojibake = mojibake
        self.repair = False  # whether the texts of the file being read are repaired
        self.warnings = warnings  # the caller's: those of the accepted articles
        self.seen: dict[str, str] = {}  # id -> origin of the article that claimed it

    def file(self, source: str) -> Iterator[Article | Rejected]:
        ext = os.path.splitext(source)[1].lower()
        reader = read_archive if is_archive(source) else read_html if is_html(source) \
            else read_warc if is_warc(source) else _READERS.get(ext)
        self.repair = repairs(self.mojibake, web=reader in (read_html, read_warc))
        if not os.path.lexists(source):  # a link to nowhere is named as such when read
            yield Rejected(source, None, None, "no such file or folder")
        elif reader is None:
            kind = f"'{ext}'" if ext else "without extension"
            yield Rejected(source, None, None,
                           f"unsupported file type {kind}: expected {EXTENSIONS}")
        else:
            try:
                yield from reader(source, self.opts, self._accept)
            except FileRejected as exc:
                yield Rejected(source, None, None, str(exc))
            except OSError as exc:
                yield Rejected(source, None, None, f"cannot read file: {exc.strerror or exc}")

    def _accept(self, item: Article | Rejected, source: str,
                location: str | None) -> Article | Rejected:
        """The item, or a rejection if it is an article whose id was accepted before.

        Only an accepted article's field warnings reach the caller: a rejected
        record's warnings would only be noise.
        """
        pending = self.opts.warnings
        try:
            # Format readers hand rejections here too, so they need not tell the two apart.
            if isinstance(item, Rejected):
                return item
            first = self.seen.get(item.id)
            if first is not None:
                return Rejected(source, location, item.id,
                                f"duplicate id {item.id!r}, first seen at {first}")
            self.seen[item.id] = item.read_from or source
            if pending and self.warnings is not None:
                self.warnings.extend(pending)
            if self.repair:
                fixed = repaired(item.text)
                if fixed != item.text:
                    item = replace(item, text=fixed)
            return item
        finally:
            if pending:
                pending.clear()
