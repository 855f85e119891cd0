"""Shared fixtures: the real seed articles and corpora of ``shared/data``."""

from __future__ import annotations

from pathlib import Path

import pytest

from wiretrace.datasets import data_dir
from wiretrace.model import Article


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    folder = data_dir() / "seeds"
    if not folder.is_dir():
        pytest.skip(f"seed articles not found in {folder}")
    return folder


@pytest.fixture(scope="session")
def seed_articles(seeds_dir: Path) -> tuple[Article, Article]:
    a = (seeds_dir / "niger-wagner-a.txt").read_text(encoding="utf-8")
    b = (seeds_dir / "niger-wagner-b.txt").read_text(encoding="utf-8")
    return Article("niger-wagner-a", a), Article("niger-wagner-b", b)
