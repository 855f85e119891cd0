"""Shared fixtures: the real seed articles and corpora of ``shared/data``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from wiretrace.evaluate.corpora import data_dir
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


DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Flags for a closed network: no background fetches, no first-run, no QUIC.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def chromium_path() -> str | None:
    env = os.environ.get("WIRETRACE_CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return DEFAULT_CHROMIUM if Path(DEFAULT_CHROMIUM).exists() else None


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium (Debian's, installed by ``make test``)."""
    exe = chromium_path()
    if exe is None:
        message = "no chromium found (make test installs it; or set WIRETRACE_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI a missing browser is a broken setup, not a skip
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def bbc() -> dict[str, Article]:
    """The BBC articles by id (skipped where the shared data is missing)."""
    from wiretrace.evaluate.corpora import bbc_articles

    try:
        return {a.id: a for a in bbc_articles()}
    except FileNotFoundError as error:
        pytest.skip(str(error))
