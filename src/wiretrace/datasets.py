"""The shared real corpora, unpacked on demand into a git-ignored cache.

Tests and benchmarks read the compressed archives of ``shared/data`` (beside
the project) through these helpers; nothing is downloaded and nothing
unpacked is ever committed.  ``WIRETRACE_DATA`` overrides where the archives
are, ``WIRETRACE_CACHE`` where they are unpacked (default ``.cache/data``).
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

from wiretrace.model import Article

PROJECT_ROOT = Path(__file__).resolve().parents[2]


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
    partial = target.with_name(target.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        tar.extractall(partial, filter="data")
    partial.rename(target) if not target.exists() else None
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
                                origin=str(path.relative_to(root))))
    return articles
