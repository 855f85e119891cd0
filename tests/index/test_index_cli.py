"""``wiretrace index add|query|stats`` as a user runs them: real subprocesses, real files.

Includes the crash test of issue 5: SIGKILL in the middle of a large
``index add`` leaves a consistent index, and the same command run again
completes it without duplicates.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import wiretrace
from index.test_index_support import (
    bbc_sample,
    consistency_problems,
    index_passages,
    passage_key,
    story_key,
)
from wiretrace.cli.main import main
from wiretrace.index import Index
from wiretrace.params import TraceParams


def wt(*args: str, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """The command in a process of its own, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "wiretrace", *map(str, args)], input=stdin,
                          capture_output=True, timeout=timeout)


@pytest.fixture
def run(capsys, monkeypatch):
    """The same command line in this process (``cli.main``): saves a second of start-up
    per call; returns ``(exit code, stdout, stderr)``."""
    def call(*args: str, stdin: bytes = b"") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err
    return call


def test_add_query_stats_on_the_seeds(tmp_path, seeds_dir):
    db = tmp_path / "i.db"
    done = wt("index", "add", db, seeds_dir, "-q")
    assert done.returncode == 0, done.stderr
    assert b"added" in done.stdout and b"Traceback" not in done.stderr
    again = wt("index", "add", db, seeds_dir, "-q")
    assert again.returncode == 0
    stats = json.loads(wt("index", "stats", db, "--json").stdout)
    assert (stats["articles"], stats["versions"], stats["stories"]) == (2, 2, 1)
    assert stats["params"]["max_df"] == 100 and stats["bytes_per_article"] > 0
    table = wt("index", "stats", db)
    assert table.returncode == 0 and b"bytes per article" in table.stdout

    query = wt("index", "query", db, seeds_dir / "niger-wagner-b.txt", "--json")
    assert query.returncode == 0, query.stderr
    doc = json.loads(query.stdout)
    assert doc["status"] == "unchanged" and doc["sources"] == ["niger-wagner-a"]
    assert doc["source_shares"]["niger-wagner-a"] == pytest.approx(0.87, abs=0.01)
    assert all(p["a_text"] and p["b_text"] for p in doc["passages"])
    # for a person: the source with its share, the passages, the story it is in
    shown = wt("index", "query", db, seeds_dir / "niger-wagner-b.txt").stdout.decode()
    assert "Sources (1), most shared first" in shown and "87%" in shown
    assert "Passages (5)" in shown and "Would join: story-1 (2 articles" in shown
    text = (seeds_dir / "niger-wagner-a.txt").read_bytes()
    piped = json.loads(wt("index", "query", db, "-", "--id", "new-one", "--json",
                          stdin=text).stdout)
    assert piped["status"] == "new" and piped["article_id"] == "new-one"
    assert piped["sources"][0] == "niger-wagner-a" and piped["stories"][0]["size"] == 2


def test_help_and_usage_errors(tmp_path, run):
    for args in (["index", "--help"], ["index", "add", "--help"], ["index", "query", "--help"],
                 ["index", "stats", "--help"]):
        code, out, _ = run(*args)
        assert code == 0 and "exit codes" in out
    assert run("index")[0] == 2
    assert run("index", "add", tmp_path / "x.db")[0] == 2  # no INPUT
    assert run("index", "add", tmp_path / "x.db", tmp_path, "--batch-size", "0")[0] == 2


def test_add_reports_rejected_records_and_goes_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("A perfectly good article with several words in it.")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    (folder / "huge.txt").write_text("word " * 5000)
    (folder / "rows.jsonl").write_text('{"id": "j1", "text": "fine text here"}\n'
                                       '{"id": "j2", "text": \n'
                                       '["not an object"]\n'
                                       '{"id": "j1", "text": "duplicate id"}\n')
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    db, rejected = tmp_path / "i.db", tmp_path / "rejected.jsonl"
    done = wt("index", "add", db, folder, "--max-chars", "10000", "--rejected", rejected)
    assert done.returncode == 0, done.stderr
    err = done.stderr.decode()
    assert "Traceback" not in err
    rows = [json.loads(line) for line in rejected.read_text().splitlines()]
    reasons = {Path(r["source"]).name: r for r in rows if r["location"] is None}
    assert set(reasons) >= {"empty.txt", "binary.txt", "latin1.txt", "huge.txt", "notes.pdf"}
    assert {r["location"] for r in rows if r["location"]} == {"line 2", "line 3", "line 4"}
    assert all(Path(r["source"]).name in err for r in rows)
    assert f"{len(rows)} input records rejected" in done.stdout.decode()
    stats = json.loads(wt("index", "stats", db, "--json").stdout)
    assert stats["articles"] == 2  # good, j1


def test_add_keeps_articles_with_unreadable_fields_and_counts_the_warnings(tmp_path, run):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "r", "text": "A Reuters story with a dated line.", "published": "3-MAR-1987  "
                                                                              "13:04:18.47"},
        {"id": "v", "text": "A story dated only vaguely.", "published": "last Tuesday"},
        {"id": "t", "text": "A story with a list for a title.", "title": ["x"],
         "published": "2 March 1987"},
    ]), encoding="utf-8")
    db, warned = tmp_path / "i.db", tmp_path / "warnings.jsonl"
    code, out, err = run("index", "add", db, feed, "--workers", "1", "--warnings", warned)
    assert code == 0, err
    assert "2 warnings (1 unreadable date, 1 unusable title)" in out and str(warned) in out
    assert "line 2: v: published left empty: unreadable date 'last Tuesday'" in err
    rows = [json.loads(line) for line in warned.read_text().splitlines()]
    assert [(r["location"], r["record_id"], r["field"]) for r in rows] == [
        ("line 2", "v", "published"), ("line 3", "t", "title")]
    with Index.open(db, create=False) as index:
        assert index.stats()["articles"] == 3  # none rejected
        assert index.article("r").published.isoformat() == "1987-03-03T13:04:18.470000"
        assert index.article("v").published is None
    code, _, err = run("index", "add", db, feed, "--date-format", "%d.%m")
    assert code == 2 and "--date-format" in err


def test_add_with_nothing_readable_fails(tmp_path, run):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    code, _, err = run("index", "add", tmp_path / "i.db", bad)
    assert code == 1 and "no readable article" in err and "line 1" in err
    code, _, err = run("index", "add", tmp_path / "i.db", tmp_path / "missing.txt")
    assert code == 1 and "not found" in err


def test_query_bad_input(tmp_path, seeds_dir, run):
    db = tmp_path / "i.db"
    assert run("index", "add", db, seeds_dir, "-q")[0] == 0
    for data, why in ((b"", "empty"), (b"\x00\x01\x02\xff" * 300, "binary"),
                      ("caf\xe9".encode("latin-1"), "utf-8")):
        code, out, err = run("index", "query", db, "-", "--json", stdin=data)
        assert code == 1 and out == "" and why in err.lower()
    assert run("index", "query", db, "-", "--id", "../etc", stdin=b"text")[0] == 1
    assert run("index", "query", db, tmp_path / "missing.txt")[0] == 1
    lines = tmp_path / "two.jsonl"
    lines.write_text('{"id": "x", "text": "one article"}\n{"id": "y", "text": "another"}\n'
                     '{"broken\n')
    code, out, err = run("index", "query", db, lines, "--json")
    assert code == 0
    assert [json.loads(line)["article_id"] for line in out.splitlines()] == ["x", "y"]
    assert "line 3" in err
    code, _, err = run("index", "query", db, "-", "--max-chars", "100", stdin=b"word " * 100)
    assert code == 1 and "huge text" in err


def test_not_an_index_is_a_clear_error(tmp_path, seeds_dir, run):
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    for args in (["index", "stats", junk], ["index", "add", junk, seeds_dir],
                 ["index", "query", junk, seeds_dir / "niger-wagner-a.txt"]):
        code, _, err = run(*args)
        assert code == 1 and "not a wiretrace index" in err, args
    code, _, err = run("index", "stats", tmp_path / "nothing.db")
    assert code == 1 and "no such index" in err
    assert not (tmp_path / "nothing.db").exists()
    assert run("index", "add", tmp_path / "p.db", seeds_dir, "-q")[0] == 0
    code, _, err = run("index", "add", tmp_path / "p.db", seeds_dir, "--min-passage-words", "20")
    assert code == 1 and "other parameters" in err
    # and as a process of its own: one line, no traceback
    done = wt("index", "stats", junk)
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    assert done.stderr.decode().strip().startswith("wiretrace: error:")


def _articles_in(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_sigkill_mid_add_leaves_a_consistent_index_and_a_rerun_completes(tmp_path):
    articles = bbc_sample(300)
    source = tmp_path / "big.jsonl"
    with source.open("w", encoding="utf-8") as f:
        for a in articles:
            f.write(json.dumps({"id": a.id, "text": a.text}) + "\n")
    db = tmp_path / "crash.db"
    command = [sys.executable, "-m", "wiretrace", "index", "add", str(db), str(source), "-q",
               "--batch-size", "10", "--workers", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _articles_in(db) < 30 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the add finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial = _articles_in(db)
    assert 30 <= partial < len(articles)
    with Index.open(db, create=False) as index:
        assert consistency_problems(db, index) == []
        assert index.stats()["articles"] % 10 == 0  # whole batches only

    done = subprocess.run(command, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with Index.open(db, create=False) as index:
        assert consistency_problems(db, index) == []
        stats = index.stats()
        assert stats["articles"] == stats["versions"] == len(articles)
        params = index.params
        result = wiretrace.trace(articles, params=params, workers=1)
        assert index_passages(index, [a.id for a in articles]) == \
            {passage_key(p) for p in result.passages}
        assert len(index.stories(limit=10_000)) == len(result.stories)
    assert params == TraceParams(max_df=100)


def test_sigkill_at_random_moments_ends_in_the_index_an_uninterrupted_add_builds(tmp_path):
    """Killed three times at random moments of a multi-batch add (creating the file,
    mid-batch, inside story rebuilds: wherever the moment falls), each time consistent;
    the rerun that completes gives the same passages, stories, origins and edges as
    one add never interrupted."""
    import random

    seed = int(os.environ.get("WIRETRACE_KILL_SEED", "13"))
    moments = random.Random(seed)
    articles = bbc_sample(240)
    source = tmp_path / "many.jsonl"
    source.write_text("".join(json.dumps({"id": a.id, "text": a.text, "title": a.title}) + "\n"
                              for a in articles), encoding="utf-8")
    killed, whole = tmp_path / "killed.db", tmp_path / "whole.db"

    def command(db: Path) -> list[str]:
        return [sys.executable, "-m", "wiretrace", "index", "add", str(db), str(source), "-q",
                "--batch-size", "20", "--workers", "1"]

    counts = []
    # three moments: when the add has written 0-3 more batches, plus a random
    # fraction of a batch's time, so that kills land inside writes and rebuilds too
    for _ in range(3):
        target = _articles_in(killed) + 20 * moments.randrange(0, 4)
        process = subprocess.Popen(command(killed), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        # the time one batch takes on this machine now, from the counts seen
        # change: the kill lands a random fraction of a batch after the target,
        # never so late that the add has finished
        # (the first change a run shows includes its start-up, so it is not timed)
        seen, changed_at, batch_time = _articles_in(killed), None, 0.05
        while seen < target and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
            now_seen = _articles_in(killed)
            if now_seen != seen:
                now = time.monotonic()
                if changed_at is not None:
                    batch_time = (now - changed_at) / max(1, (now_seen - seen) // 20)
                seen, changed_at = now_seen, now
        time.sleep(moments.uniform(0.0, 0.9) * batch_time)
        if process.poll() is not None:
            break  # done before this moment: the runs below compare the result
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        counts.append(_articles_in(killed))
        if killed.exists():
            with Index.open(killed, create=False) as index:
                assert consistency_problems(killed, index) == []
                held = index.stats()["articles"]
                assert held % 20 == 0 or held == len(articles)  # whole batches only
    # the kills landed inside the add, not after it (the rerun below has work to do)
    assert len(counts) >= 2 and min(counts) < len(articles), (seed, counts)
    for db in (killed, whole):
        done = subprocess.run(command(db), capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr
    ids = [a.id for a in articles]
    with Index.open(killed, create=False) as a, Index.open(whole, create=False) as b:
        assert consistency_problems(killed, a) == []
        assert a.stats()["articles"] == b.stats()["articles"] == len(articles)
        assert index_passages(a, ids) == index_passages(b, ids)
        assert sorted(map(story_key, a.stories(limit=10_000))) == \
            sorted(map(story_key, b.stories(limit=10_000)))


def test_index_check_lists_damage_one_line_each(tmp_path, seed_articles, run):
    """``index check``: exit 0 and 'ok' for a whole file; exit 1 and one line per
    problem for damaged pages, a missing file or a file that is not an index."""
    db = tmp_path / "i.db"
    with Index.open(db) as index:
        index.add(list(seed_articles))
    assert run("index", "check", db) == (0, f"{db}: ok\n", "")
    conn = sqlite3.connect(db)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = "
                        "'sqlite_autoindex_docs_1'").fetchone()[0]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as f:  # an index's page overwritten: the table still reads
        f.seek((root - 1) * page)
        f.write(b"\xff" * 16)
    code, out, _ = run("index", "check", db)
    assert code == 1 and out.splitlines()[0] == \
        f"{db}: Page {root}: btreeInitPage() returns error code 11"
    assert all(line.startswith(f"{db}: ") for line in out.splitlines())
    notes = tmp_path / "notes.db"
    notes.write_text("not an index", encoding="utf-8")
    for path, message in ((tmp_path / "none.db", "no such index"), (notes, "not a")):
        code, out, err = run("index", "check", path)
        assert code == 1 and message in out + err and "Traceback" not in err
