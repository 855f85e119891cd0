"""The Reuters wire's own format: SGML files, alone or in the archive as it ships."""

from __future__ import annotations

import io
import re
import tarfile

import pytest

from wiretrace.evaluate.corpora import data_dir
from wiretrace.ingest import read_articles
from wiretrace.model import FieldWarning

ARCHIVE = data_dir() / "reuters21578.tar.xz"

SGML = (
    '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'
    '<REUTERS TOPICS="YES" NEWID="1">\n<DATE>26-FEB-1987 15:01:01.79</DATE>\n'
    "<TOPICS><D>cocoa</D><D>coffee</D></TOPICS>\n<PLACES><D>el-salvador</D><D>usa</D>"
    "</PLACES>\n<PEOPLE></PEOPLE>\n<TEXT>&#2;\n<TITLE>BAHIA COCOA REVIEW</TITLE>\n"
    "<AUTHOR>    By Janie Gabbett, Reuters</AUTHOR>\n"
    "<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued throughout\n"
    "the week in the Bahia cocoa zone &lt;and> Comissária Smith said.\n Reuter\n&#3;"
    "</BODY></TEXT>\n</REUTERS>\n"
    '<REUTERS NEWID="2">\n<DATE>26-FEB-1987 15:02:20.00</DATE>\n'
    "<TEXT TYPE=\"BRIEF\">&#2;\n<TITLE>******TITLE ONLY BRIEF</TITLE>\n&#3;</TEXT>\n"
    "</REUTERS>\n"
    '<REUTERS NEWID="3">\n<DATE>31-MAR-1987 605:12:19.12</DATE>\n<TEXT>&#2;\n'
    "<BODY>A body whose date is broken.\n&#3;</BODY></TEXT>\n</REUTERS>\n"
    '<REUTERS NEWID="1">\n<DATE>26-FEB-1987 15:03:00.00</DATE>\n<TEXT>&#2;\n'
    "<BODY>The same NEWID again.\n&#3;</BODY></TEXT>\n</REUTERS>\n"
    '<REUTERS OLDID="9">\n<TEXT><BODY>No NEWID at all.</BODY></TEXT>\n</REUTERS>\n'
)


def test_an_sgml_file_gives_an_article_per_item_with_a_body(tmp_path):
    path = tmp_path / "reut2-000.sgm"
    path.write_bytes(SGML.encode("latin-1"))
    warnings: list[FieldWarning] = []
    articles, rejected = read_articles([path], warnings=warnings)
    assert [a.id for a in articles] == ["reuters-1", "reuters-3"]
    first = articles[0]
    assert first.text == ("Showers continued throughout\nthe week in the Bahia cocoa zone "
                          "<and> Comissária Smith said.\n Reuter")
    assert (first.title, first.outlet) == ("BAHIA COCOA REVIEW", "Reuters")
    assert first.published is not None and first.published.isoformat() == \
        "1987-02-26T15:01:01.790000"
    assert first.read_from == f"{path}:NEWID=1"
    assert (first.topics, first.places) == (("cocoa", "coffee"), ("el-salvador", "usa"))
    assert first.author == "Janie Gabbett, Reuters"
    assert (articles[1].author, articles[1].topics, articles[1].places) == (None, (), ())
    # the broken date costs the date, not the article
    assert articles[1].published is None
    assert [(w.record_id, w.field) for w in warnings] == [("reuters-3", "published")]
    reasons = [r.reason for r in rejected]
    assert any(r.startswith("duplicate id 'reuters-1'") for r in reasons)
    assert "a <REUTERS> item without a NEWID" in reasons
    assert any(r.startswith("1 items without a <BODY>") and "NEWID 2" in r for r in reasons)


def test_a_tar_archive_is_read_member_by_member_and_a_damaged_one_keeps_what_came_first(
        tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in (("reut2-000.sgm", SGML.encode("latin-1")),
                           ("README.txt", b"read me")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    whole = tmp_path / "reuters.tar.gz"
    whole.write_bytes(buffer.getvalue())
    articles, rejected = read_articles([whole])
    assert [a.id for a in articles] == ["reuters-1", "reuters-3"]
    assert any(r.source.endswith(":README.txt") and "unsupported" in r.reason for r in rejected)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    articles, rejected = read_articles([cut])
    assert any("damaged or unreadable archive" in r.reason for r in rejected)
    not_a_tar = tmp_path / "plain.tar.xz"
    not_a_tar.write_bytes(b"this is no archive at all")
    articles, rejected = read_articles([not_a_tar])
    assert articles == [] and "damaged or unreadable archive" in rejected[0].reason


@pytest.mark.skipif(not ARCHIVE.exists(), reason="shared Reuters archive not found")
def test_the_archive_as_it_ships_gives_every_item_with_a_body():
    warnings: list[FieldWarning] = []
    articles, rejected = read_articles([ARCHIVE], warnings=warnings)
    assert len(articles) == 19_043
    without_body = sum(int(re.match(r"(\d+) items without a <BODY>", r.reason).group(1))
                       for r in rejected if "without a <BODY>" in r.reason)
    assert len(articles) + without_body == 21_578
    assert sum(a.published is not None for a in articles) == 19_042
    assert [w.reason for w in warnings if "605:12:19" in w.reason]  # the one broken date
    assert all(a.id.startswith("reuters-") and a.outlet == "Reuters" for a in articles)
    assert not any(re.search(r"[\x00-\x08\x0b-\x1f\x7f]", a.text) for a in articles)
    assert not any("&lt;" in a.text or "&#" in a.text for a in articles)
