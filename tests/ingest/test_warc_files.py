"""Web archives read as articles: a WARC built here from real pages, with records
that are no articles and a damaged member."""

from __future__ import annotations

import gzip
import io
import json

import pytest

from wiretrace.evaluate.corpora import data_dir, unpack
from wiretrace.ingest import read_articles

pytest.importorskip("trafilatura")
warcwriter = pytest.importorskip("warcio.warcwriter")
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402

PAGES = data_dir() / "html-articles.tar.xz"


def record(writer, uri: str, body: bytes, status: str = "200 OK",
           kind: str = "text/html; charset=utf-8", rec_type: str = "response") -> bytes:
    out = io.BytesIO()
    member = warcwriter.WARCWriter(out, gzip=True)
    headers = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
    member.write_record(member.create_warc_record(uri, rec_type, payload=io.BytesIO(body),
                                                  http_headers=headers))
    return out.getvalue()


@pytest.mark.skipif(not PAGES.exists(), reason="shared HTML pages not found")
def test_a_warc_gives_each_page_once_counts_the_rest_and_survives_a_damaged_member(tmp_path):
    root = unpack("html-articles.tar.xz") / "article-extraction-benchmark"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[:12]
    members = []
    for k, key in enumerate(keys):
        body = gzip.open(root / "html" / f"{key}.html.gz").read()
        members.append(record(None, f"https://page.example/{k}", body))
        if k == 3:
            members.append(record(None, "https://page.example/moved", b"", "302 Found"))
            members.append(record(None, "https://page.example/logo.png", b"\x89PNG....",
                                  kind="image/png"))
            members.append(record(None, "https://page.example/gone", b"<p>no</p>",
                                  "404 Not Found"))
            members.append(record(None, "https://page.example/robots.txt",
                                  b"User-agent: *\nDisallow: /private/\n" * 3,
                                  kind="text/plain"))
        if k == 6:  # a member cut in its middle: rejected, the rest still read
            damaged = record(None, "https://page.example/cut", body)
            members.append(damaged[: len(damaged) // 2])
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(b"".join(members))
    articles, rejected = read_articles([path])
    pages = [a for a in articles if a.id.startswith("https://page.example/")
             and a.id[-1].isdigit()]
    assert sorted(a.id for a in pages) == sorted(f"https://page.example/{k}"
                                                  for k in range(len(keys)))
    assert {a.id for a in articles} - {a.id for a in pages} == {
        "https://page.example/robots.txt"}  # plain text is an article too
    reasons = [r.reason for r in rejected]
    assert sum("damaged record" in r for r in reasons) == 1
    [counted] = [r for r in reasons if "not articles, skipped" in r]
    assert "3 response records" in counted and "status 302" in counted \
        and "status 404" in counted and "type image/png" in counted
    first = next(a for a in pages if a.id.endswith("/0"))
    assert first.read_from.endswith(":record 1") and first.text


def test_a_warc_that_is_plain_text_or_empty_is_a_clear_rejection(tmp_path):
    plain = tmp_path / "notes.warc"
    plain.write_text("this is not a web archive\n" * 20)
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    articles, rejected = read_articles([plain, empty])
    assert articles == []
    assert [r.source for r in rejected] == [str(plain)]
    assert "not a WARC or ARC file" in rejected[0].reason


def test_the_http_headers_charset_decodes_a_page_that_declares_none(tmp_path):
    body = ("<html><body><article><p>Le ministre a déclaré à la presse que le budget de "
            "l'État serait voté en décembre, après un débat de trois jours à l'Assemblée "
            "nationale, où l'opposition a promis de défendre ses amendements.</p>"
            "</article></body></html>").encode("cp1252")
    path = tmp_path / "fr.warc.gz"
    path.write_bytes(record(None, "https://journal.example/budget", body,
                            kind="text/html; charset=windows-1252"))
    [article], rejected = read_articles([path])
    assert rejected == [] and "déclaré à la presse" in article.text


def arc_record(url: str, body: bytes, kind: str = "text/html") -> bytes:
    return f"{url} 127.0.0.1 20050101120000 {kind} {len(body)}\n".encode() + body + b"\n"


@pytest.mark.parametrize("compressed", [False, True])
def test_an_arc_file_is_read_as_its_records(tmp_path, compressed):
    page = (b"<html><body><article><p>" + b"The harbour authority said on Monday that the "
            b"new pier would open in June, two months later than planned, because of storm "
            b"damage to its foundations last winter. " * 3 + b"</p></article></body></html>")
    described = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
    data = (f"filedesc://test.arc 0.0.0.0 20050101120000 text/plain {len(described)}\n"
            .encode() + described + b"\n"
            + arc_record("http://harbour.example/pier",
                         b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + page)
            + arc_record("http://harbour.example/logo.gif",
                         b"HTTP/1.0 200 OK\r\nContent-Type: image/gif\r\n\r\nGIF89a",
                         "image/gif"))
    path = tmp_path / ("old.arc.gz" if compressed else "old.arc")
    path.write_bytes(gzip.compress(data) if compressed else data)
    [article], rejected = read_articles([path])
    assert article.id == "http://harbour.example/pier"
    assert article.text.startswith("The harbour authority said on Monday")
    assert article.published is not None and article.published.year == 2005  # the ARC date
    assert [r.reason for r in rejected] == [
        "1 response records are not articles, skipped: 1 type image/gif"]


def test_two_captures_of_one_url_are_two_articles_by_record_id(tmp_path):
    page = (b"<html><body><article><p>The council approved the new budget on Tuesday by nine "
            b"votes to two, after a debate that lasted most of the evening.</p><p>The mayor "
            b"said spending on parks would rise by four percent next year.</p></article>"
            b"</body></html>")
    path = tmp_path / "twice.warc.gz"
    uri = "https://gazette.example/budget"
    path.write_bytes(record(None, uri, page) + record(None, uri, page.replace(b"four", b"five")))
    by_uri, rejected = read_articles([path])
    assert [a.id for a in by_uri] == [uri]
    assert [r.reason.split(",")[0] for r in rejected] == [f"duplicate id {uri!r}"]
    by_record, rejected = read_articles([path], warc_id="record")
    assert rejected == [] and len(by_record) == 2
    assert all(a.id.startswith("<urn:uuid:") and a.url == uri for a in by_record)
    assert "five percent" in by_record[1].text
    with pytest.raises(ValueError, match="unknown warc_id"):
        read_articles([path], warc_id="digest")
