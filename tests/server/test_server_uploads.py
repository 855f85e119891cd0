"""Adding a file through the service (``POST /api/files``): every format the
readers take, read as ``wiretrace index add`` reads the file, on a real server on
127.0.0.1 over a real SQLite index."""

from __future__ import annotations

import json

import httpx
import pytest

from ingest.test_html_pages import ARTICLE_PAGE
from ingest.test_reuters_sgml import SGML
from wiretrace.ingest import read_articles
from wiretrace.server.process import ServerProcess

pytest.importorskip("trafilatura")
pytest.importorskip("warcio")
from ingest.test_warc_files import record  # noqa: E402

TOKEN = "upload-test-token-0123456789"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/octet-stream"}
BODY_LIMIT = 200_000
JSONL = (json.dumps({"id": "j1", "text": "The junta asked Wagner for help on Monday.",
                     "published": "26-FEB-1987 15:01:01.79", "topics": ["niger"]}) + "\n"
         + "not json\n"
         + json.dumps({"id": "j2", "text": "A second text.", "published": "the day after"})
         + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("uploads") / "index.db"
    with ServerProcess(db, TOKEN, "--max-body-bytes", str(BODY_LIMIT)) as running:
        yield running
        assert "Traceback" not in running.log_tail(100_000)


def upload(server, name: str, data: bytes, headers: dict | None = None) -> httpx.Response:
    return httpx.post(server.url + "/api/files", params={"name": name}, content=data,
                      headers=headers or HEADERS, timeout=120)


def same_as_read_from_disk(tmp_path, name: str, data: bytes, answer: dict) -> None:
    """The answer holds what reading the same file from disk gives, named as sent."""
    path = tmp_path / name
    path.write_bytes(data)
    warnings: list = []
    articles, rejected = read_articles([path], max_chars=500_000, warnings=warnings)
    assert [r["id"] for r in answer["results"]] == [a.id for a in articles]
    assert [(r["location"], r["record_id"], r["reason"]) for r in answer["rejected"]] == \
        [(r.location, r.record_id, r.reason.replace(str(path), name)) for r in rejected]
    assert [(w["record_id"], w["field"]) for w in answer["warnings"]] == \
        [(w.record_id, w.field) for w in warnings]
    assert all(r["source"].startswith(name) for r in answer["rejected"])


def test_every_format_is_added_as_index_add_reads_it(server, tmp_path):
    warc = record(None, "https://gazette.example/news/budget", ARTICLE_PAGE.encode("utf-8")) \
        + record(None, "https://gazette.example/logo.png", b"\x89PNG", kind="image/png")
    files = {"feed.jsonl": JSONL, "reut2-000.sgm": SGML.encode("latin-1"),
             "Crawl.WARC.GZ": warc, "budget.html": ARTICLE_PAGE.encode("utf-8"),
             "note.txt": b"A short note filed on its own."}
    for name, data in files.items():
        r = upload(server, name, data)
        assert r.status_code == 200, (name, r.text)
        answer = r.json()
        assert answer["file"] == name
        same_as_read_from_disk(tmp_path, name, data, answer)
    # the page's metadata and the wire's topics are kept and read back
    page = httpx.get(server.url + "/api/articles/budget", timeout=30).json()
    assert (page["author"], page["topics"]) == ("Jane Doe", ["budget", "council", "parks"])
    wire = httpx.get(server.url + "/api/articles/reuters-1", timeout=30).json()
    assert (wire["topics"], wire["places"]) == (["cocoa", "coffee"], ["el-salvador", "usa"])
    # the page and the same page in the archive: one story
    story = httpx.get(server.url + "/api/articles/budget/story", timeout=30).json()
    assert "https://gazette.example/news/budget" in story["members"]
    # the date nobody reads is a warning, the article is added
    jsonl = upload(server, "feed2.jsonl", JSONL.replace(b'"j', b'"k')).json()
    assert [w["record_id"] for w in jsonl["warnings"]] == ["k2"]
    assert [r["status"] for r in jsonl["results"]] == ["added", "added"]


@pytest.mark.parametrize("name,data,status,says", [
    ("feed.exe", b"{}", 415, "is not a kind of file wiretrace reads"),
    (".hidden.jsonl", b"{}", 422, "is not a file name"),
    ("a/../b.jsonl", b"{}", 422, "is not a file name"),
    ("x" * 70 + ".jsonl", b"{}", 422, "at most 63 characters"),
    ("huge.jsonl", b"x" * (BODY_LIMIT + 1), 413, "over the limit"),
])
def test_a_file_that_cannot_be_taken_is_refused_in_words(server, name, data, status, says):
    r = upload(server, name, data)
    assert r.status_code == status and says in r.json()["error"]


def test_bad_bytes_are_rejected_records_and_the_rest_is_added(server):
    binary = upload(server, "junk.jsonl", bytes(range(256)) * 50).json()
    assert binary["results"] == [] and len(binary["rejected"]) >= 1
    assert all(r["source"] == "junk.jsonl" for r in binary["rejected"])
    empty = upload(server, "empty.jsonl", b"")
    assert empty.status_code == 200 and empty.json()["results"] == []
    latin1 = upload(server, "latin.csv", "id,text\nl1,Comissária Smith said.\nl2,ok\n"
                    .encode("latin-1")).json()
    assert [r["id"] for r in latin1["results"]] == ["l2"]
    assert [(r["location"], r["record_id"]) for r in latin1["rejected"]] == [("row 1", "l1")]
    assert "not valid UTF-8" in latin1["rejected"][0]["reason"]
    bomb = upload(server, "bomb.html.gz", _gzip_bomb()).json()
    assert bomb["results"] == [] and "huge page" in bomb["rejected"][0]["reason"]


def test_no_token_no_upload_and_json_is_not_a_file(server):
    r = upload(server, "feed.jsonl", JSONL, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 401
    r = upload(server, "feed.jsonl", JSONL, headers={**HEADERS, "Content-Type": "application/json"})
    assert r.status_code == 415 and "application/octet-stream" in r.json()["error"]
    r = httpx.post(server.url + "/api/files", params={"name": "a.jsonl", "nmae": "b"},
                   content=JSONL, headers=HEADERS, timeout=30)
    assert r.status_code == 422 and "unknown query parameter 'nmae'" in r.json()["error"]


def _gzip_bomb() -> bytes:
    import gzip
    import io
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb") as fh:
        for _ in range(200):
            fh.write(b"\0" * 1_000_000)
    return out.getvalue()
