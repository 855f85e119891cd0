"""The shared real corpora, unpacked on demand into a git-ignored cache.

Tests and benchmarks read the compressed archives of ``shared/data`` (beside
the project) through these helpers; nothing is downloaded and nothing
unpacked is ever committed.  ``WIRETRACE_DATA`` overrides where the archives
are, ``WIRETRACE_CACHE`` where they are unpacked (default ``.cache/data``).
"""

from __future__ import annotations

import os
import shutil
import tarfile
from pathlib import Path

from wiretrace.model import Article

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def data_dir() -> Path:
    """Folder holding the shared archives and the seed articles."""
    return Path(os.environ.get("WIRETRACE_DATA", PROJECT_ROOT.parent / "shared" / "data"))


def cache_dir() -> Path:
    return Path(os.environ.get("WIRETRACE_CACHE", PROJECT_ROOT / ".cache" / "data"))


def unpack(archive_name: str) -> Path:
    """Unpack ``archive_name`` (e.g. ``bbc-news.tar.xz``) once; return its folder."""
    archive = data_dir() / archive_name
    target = cache_dir() / archive_name.split(".")[0]
    done_marker = target / ".unpacked"
    if done_marker.exists():
        return target
    if not archive.exists():
        raise FileNotFoundError(f"corpus archive not found: {archive}")
    # unpack beside the target and rename, so an interrupted run leaves no
    # half-unpacked folder that looks complete
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(partial, filter="data")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    done_marker.touch()
    return target


def bbc_articles() -> list[Article]:
    """The 2,225 BBC News articles; id ``topic/number``, title = first line."""
    root = unpack("bbc-news.tar.xz") / "bbc"
    articles = []
    for path in sorted(root.glob("*/*.txt")):
        text = path.read_bytes().decode("latin-1")
        title = text.split("\n", 1)[0].strip() or None
        articles.append(Article(id=f"{path.parent.name}/{path.stem}", text=text, title=title,
                                read_from=str(path.relative_to(root))))
    return articles


def reuters_articles() -> list[Article]:
    """The 19,043 Reuters-21578 items with a body; id ``reuters/NEWID``, outlet "Reuters".

    ``text`` is the ``<BODY>`` as filed (SGML entities unescaped, control characters
    dropped), ``published`` parsed from ``<DATE>`` (``26-FEB-1987 15:01:01.79``).
    """
    import html
    import re
    from datetime import datetime

    def field(name: str, item: str) -> str | None:
        found = re.search(rf"<{name}>(.*?)</{name}>", item, re.S)
        return html.unescape(found.group(1)) if found else None

    articles = []
    for path in sorted(unpack("reuters21578.tar.xz").rglob("reut2-*.sgm")):
        sgml = path.read_bytes().decode("latin-1")
        for item in re.findall(r"<REUTERS\b.*?</REUTERS>", sgml, re.S):
            newid = re.search(r'NEWID="(\d+)"', item)
            body = field("BODY", item)
            body = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", body or "").rstrip()
            if newid is None or not body.strip():
                continue
            title = " ".join((field("TITLE", item) or "").split()) or None
            stamp = re.search(r"\d+-[A-Za-z]+-\d+ \d+:\d+:\d+", field("DATE", item) or "")
            try:
                published = datetime.strptime(stamp.group(), "%d-%b-%Y %H:%M:%S")
            except (AttributeError, ValueError):
                published = None
            articles.append(Article(id=f"reuters/{newid.group(1)}", text=body, title=title,
                                    outlet="Reuters", published=published,
                                    read_from=f"{path.name}:NEWID={newid.group(1)}"))
    return articles
