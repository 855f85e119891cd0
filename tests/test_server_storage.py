"""The index file under the service: read-only, or damaged.

A real SQLite index in tmp_path, made read-only (chmod, or for root, who writes
whatever the mode, the immutable attribute) or with damaged pages, then opened,
queried and served by a real ``wiretrace serve`` on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from wiretrace.index import Index
from wiretrace.model import Article
from wiretrace.server.process import ServerProcess

TOKEN = "storage-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` unwritable for this process and its children while inside."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)],
                                        capture_output=True).returncode != 0:
        pytest.skip("running as root where files cannot be made immutable")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


@pytest.fixture
def small_index(tmp_path, seed_articles) -> Path:
    db = tmp_path / "index.db"
    with Index.open(db) as index:
        index.add(list(seed_articles))
    return db


def test_a_read_only_index_is_served_read_only(small_index, seed_articles):
    a, b = seed_articles
    with read_only(small_index), ServerProcess(small_index, TOKEN) as s, \
            httpx.Client(base_url=s.url, timeout=60) as c:
        assert c.get("/api/health").json()["writes"] is False
        for path, body in (("/api/articles", {"id": "new", "text": "A new article to add."}),
                           ("/api/articles/batch", {"articles": [{"id": "n", "text": "Text."}]})):
            r = c.post(path, json=body, headers=AUTH)
            assert r.status_code == 503, r.text
            assert r.json()["error"].startswith("this server takes no adds: its index file "
                                                "cannot be written (attempt to write a "
                                                "readonly database)")
        assert c.get(f"/api/articles/{a.id}").json()["text"] == a.text  # reads work
        assert c.post("/api/query", json={"text": b.text}).json()["sources"]
        assert "is read-only: serving it read-only" in s.log_tail()
        assert "Traceback" not in s.log_tail(100_000)
