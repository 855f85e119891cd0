"""The index file under the service: read-only, or damaged.

A real SQLite index in tmp_path, made read-only (chmod, or for root, who writes
whatever the mode, the immutable attribute) or with damaged pages, then opened,
queried and served by a real ``wiretrace serve`` on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from wiretrace.cli.main import main
from wiretrace.index import Index, IndexFileError
from wiretrace.server.process import ServerProcess, free_port

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


def damage_pages(db: Path) -> None:
    """The docs table's root page overwritten: no b-tree page any more (a disk fault)."""
    conn = sqlite3.connect(db)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'docs'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\xff" * 16)


def damage_text(db: Path, text: str) -> None:
    """Eight bytes inside a stored text made invalid UTF-8; every page stays whole."""
    data = db.read_bytes()
    for start in range(400, len(text) - 40, 40):
        at = data.find(text[start:start + 40].encode("utf-8"))
        if at >= 0:
            db.write_bytes(data[:at + 16] + b"\xff" * 8 + data[at + 24:])
            return
    raise AssertionError("text not found in the file")


def quotes(output: str, text: str) -> bool:
    """Whether ``output`` holds five words in a row of ``text``."""
    words = text.split()
    return any(" ".join(words[k:k + 5]) in output for k in range(len(words) - 5))


def serve_error(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wiretrace", "serve", str(db), "--port",
                           str(free_port())], capture_output=True, text=True, timeout=60)


def test_damaged_pages_are_found_when_the_index_opens(small_index, capsys):
    damage_pages(small_index)
    with pytest.raises(IndexFileError, match="the index file is damaged: .*'wiretrace "
                                             "index check .*' lists every problem"):
        Index.open(small_index)
    assert main(["index", "stats", str(small_index)]) == 1
    assert "wiretrace index check" in capsys.readouterr().err
    done = serve_error(small_index)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"wiretrace: error: {small_index}: the index file is damaged")
    assert main(["index", "check", str(small_index)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines and all(x.startswith(f"{small_index}: ") for x in lines)
    assert any("btreeInitPage() returns error code 11" in x or "malformed" in x for x in lines)


def test_a_damaged_text_is_reported_without_quoting_it(small_index, seed_articles, capsys,
                                                       tmp_path):
    a, b = seed_articles
    damage_text(small_index, a.text)
    with Index.open(small_index) as index:  # quick_check: the pages are whole
        assert index.article(b.id).text == b.text
    asked = tmp_path / "asked.txt"
    asked.write_text(b.text, encoding="utf-8")
    assert main(["index", "query", str(small_index), str(asked)]) == 1
    err = capsys.readouterr().err
    assert "Could not decode to UTF-8 column 'text'" in err and "index check" in err
    assert not quotes(err, a.text)

    assert main(["index", "check", str(small_index)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{small_index}: docs row ") and "text is not valid UTF-8" in out
    assert not quotes(out, a.text)

    with ServerProcess(small_index, TOKEN) as s, httpx.Client(base_url=s.url) as c:
        for r in (c.get(f"/api/articles/{a.id}"), c.post("/api/query", json={"text": b.text})):
            assert r.status_code == 500
            assert r.json()["error"].endswith("the index file could not be used")
            assert not quotes(r.text, a.text)
        assert c.get(f"/api/articles/{b.id}").json()["text"] == b.text  # the rest reads
        log = s.log_tail(200_000)
    assert "Could not decode" in log and "index check" in log and not quotes(log, a.text)


def test_a_whole_index_checks_ok(small_index, capsys):
    assert main(["index", "check", str(small_index)]) == 0
    assert capsys.readouterr().out == f"{small_index}: ok\n"


def test_an_index_made_before_the_meta_column_reads_and_gains_it(tmp_path, seed_articles):
    """A file without ``docs.meta`` (author, topics, places) is not refused: read-only
    it reads with those fields empty, writable it gains the column and keeps them."""
    db = tmp_path / "old.db"
    first, second = list(seed_articles)
    with Index.open(db) as index:
        index.add([first])
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE docs DROP COLUMN meta")
    with read_only(db), Index.open(db, create=False) as index:
        article = index.article(first.id)
        assert article is not None and article.text == first.text
        assert (article.author, article.topics) == (None, ())
    with sqlite3.connect(db) as conn:
        assert "meta" not in {row[1] for row in conn.execute("PRAGMA table_info(docs)")}
    from dataclasses import replace
    with Index.open(db, create=False) as index:
        index.add([replace(second, author="Ann Lee", topics=("niger",), places=("ne", "fr"))])
        added = index.article(second.id)
        assert added is not None
        assert (added.author, added.topics, added.places) == ("Ann Lee", ("niger",), ("ne", "fr"))
        assert index.article(first.id).author is None
