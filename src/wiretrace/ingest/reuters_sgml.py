"""Reading the wire's own format: Reuters-21578 SGML (``.sgm``), alone or inside a
tar archive (``.tar``, ``.tar.gz``, ``.tgz``, ``.tar.xz``, as the collection ships).

One article per ``<REUTERS>`` item with a ``<BODY>``: id ``reuters-<NEWID>``,
``title`` from ``<TITLE>`` (white space folded), ``outlet`` Reuters,
``published`` from ``<DATE>`` (``26-FEB-1987 15:01:01.79``, trailing junk
tolerated, by :mod:`.dates`), ``topics`` and ``places`` from the ``<D>``
entries of ``<TOPICS>`` and ``<PLACES>`` (``earn``, ``usa``), ``author``
from ``<AUTHOR>`` (its "By" dropped), ``read_from`` ``file:NEWID=N``.  The text is
the body as filed: SGML character references unescaped, the control
characters the wire used as markers (``&#3;`` closing a body, ``&#5;`` ...)
dropped, trailing white space cut; its lines are kept as wrapped.

The files are Latin-1.  An item without a body (a headline-only brief) is no
article: the items of a file that have none are counted in one line for the
file, with their NEWIDs, so that nothing goes unseen.  A file is held whole
(each is about 1.3 MB; the collection 27 MB), bounded by ``MAX_FILE_BYTES``;
an archive's members are read in name order, so all of them are held first
(``MAX_ARCHIVE_BYTES``).
"""

from __future__ import annotations

import html
import os
import re
import tarfile
from collections.abc import Iterator

from wiretrace.ingest.dates import parse_published, shown
from wiretrace.ingest.decoding import FileRejected, open_regular
from wiretrace.ingest.records import Accept, Options, text_problem
from wiretrace.model import Article, FieldWarning, Rejected

# a bound on one .sgm file or archive member held whole (the largest real one is 1.4 MB)
MAX_FILE_BYTES = 64 * 1024 * 1024
# the .sgm members of one archive held at once, to be read in name order
MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2")
ITEM = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
NEWID = re.compile(r'NEWID="(\d+)"')
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ENTRY = re.compile(r"<D>(.*?)</D>", re.S)


def _entries(name: str, item: str) -> tuple[str, ...]:
    """The ``<D>`` entries of a list field (``<TOPICS><D>earn</D></TOPICS>``)."""
    found = _field(name, item)
    return tuple(x.strip() for x in ENTRY.findall(found)) if found else ()


def _author(item: str) -> str | None:
    found = " ".join(CONTROL.sub(" ", _field("AUTHOR", item) or "").split())
    found = re.sub(r"^by\s+", "", found, flags=re.I).rstrip(",").strip()
    return found or None


def _field(name: str, item: str) -> str | None:
    found = re.search(rf"<{name}>(.*?)</{name}>", item, re.S)
    return html.unescape(found.group(1)) if found else None


def sgml_articles(data: bytes, source: str, opts: Options, accept: Accept
                  ) -> Iterator[Article | Rejected]:
    """The articles of one SGML file's bytes, and one line for its items without a body."""
    text = data.decode("latin-1")
    no_body: list[str] = []
    for attributes, item in ITEM.findall(text):
        newid = NEWID.search(attributes)
        if newid is None:
            yield Rejected(source, None, None, "a <REUTERS> item without a NEWID")
            continue
        rid = f"reuters-{newid.group(1)}"
        where = f"NEWID={newid.group(1)}"
        body = CONTROL.sub("", _field("BODY", item) or "").rstrip()
        if not body.strip():
            no_body.append(newid.group(1))
            continue
        problem = text_problem(body, opts.max_chars)
        if problem:
            yield Rejected(source, where, rid, problem)
            continue
        title = " ".join(CONTROL.sub(" ", _field("TITLE", item) or "").split()) or None
        published = None
        stamp = CONTROL.sub("", _field("DATE", item) or "").strip()
        if stamp:
            try:
                published = parse_published(stamp, opts.date_format)
            except ValueError as exc:
                if opts.warnings is not None:
                    opts.warnings.append(FieldWarning(
                        source, where, rid, "published",
                        f"unreadable date {shown(stamp)}: {exc}"))
        yield accept(Article(id=rid, text=body, title=title, outlet="Reuters",
                             published=published, read_from=f"{source}:{where}",
                             author=_author(item), topics=_entries("TOPICS", item),
                             places=_entries("PLACES", item)),
                     source, where)
    if no_body:
        listed = ", ".join(no_body[:10]) + (" ..." if len(no_body) > 10 else "")
        yield Rejected(source, None, None,
                       f"{len(no_body)} items without a <BODY> (headline-only briefs, not "
                       f"articles) skipped: NEWID {listed}")


def read_sgml(source: str, opts: Options, accept: Accept) -> Iterator[Article | Rejected]:
    """A ``.sgm`` file's articles."""
    with open_regular(source) as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise FileRejected(f"huge file: over {MAX_FILE_BYTES:,} bytes for one SGML file")
    yield from sgml_articles(data, source, opts, accept)


def is_archive(source: str) -> bool:
    return source.lower().endswith(ARCHIVE_SUFFIXES)


def read_archive(source: str, opts: Options, accept: Accept) -> Iterator[Article | Rejected]:
    """The articles of every ``.sgm`` member of a tar archive, in member-name order
    (as a folder is read, whatever order the archive holds them in); a member of
    another kind is a rejected record, and a damaged archive keeps the members
    read before the damage."""
    members: list[tuple[str, bytes]] = []
    held = 0
    problems: list[Rejected] = []
    with open_regular(source) as fh:
        try:
            with tarfile.open(fileobj=fh, mode="r:*") as archive:
                for member in archive:
                    where = f"{source}:{member.name}"
                    if not member.isfile() or os.path.basename(member.name).startswith("."):
                        continue
                    if not member.name.lower().endswith(".sgm"):
                        problems.append(Rejected(where, None, None, "unsupported file type in "
                                                 "the archive: only Reuters SGML (.sgm) is "
                                                 "read there"))
                    elif member.size > MAX_FILE_BYTES or held + member.size > MAX_ARCHIVE_BYTES:
                        problems.append(Rejected(where, None, None, f"huge member: "
                                                 f"{member.size:,} bytes, over the bound of "
                                                 f"{MAX_FILE_BYTES:,} (or the archive's "
                                                 f"{MAX_ARCHIVE_BYTES:,}); unpack it"))
                    else:
                        extracted = archive.extractfile(member)
                        if extracted is not None:
                            members.append((where, extracted.read()))
                            held += member.size
        except (tarfile.TarError, EOFError, OSError) as exc:
            problems.append(Rejected(source, None, None,
                                     f"damaged or unreadable archive: {exc}"))
    for where, data in sorted(members):
        yield from sgml_articles(data, where, opts, accept)
    yield from problems
