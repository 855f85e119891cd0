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
    """The 19,043 Reuters-21578 items with a body, read from the shared archive as
    it ships by the SGML reader (:mod:`wiretrace.ingest.reuters_sgml`): id
    ``reuters-NEWID``, outlet Reuters, ``published`` from ``<DATE>``."""
    from wiretrace.ingest import read_articles

    archive = data_dir() / "reuters21578.tar.xz"
    if not archive.exists():
        raise FileNotFoundError(f"corpus archive not found: {archive}")
    articles, _ = read_articles([archive])
    return articles
