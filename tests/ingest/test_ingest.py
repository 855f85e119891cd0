"""Tests of reading articles: every format, every kind of bad input, real files on disk."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from wiretrace.ingest import FieldNames, iter_articles, read_articles
from wiretrace.ingest.records import Options, to_article
from wiretrace.model import Article, FieldWarning, Rejected

# every kind of file the readers take, as the rejection of another kind lists them
KINDS = (".txt, .jsonl, .ndjson, .csv, .parquet, .html/.htm (.gz), .warc/.arc (.gz), "
         ".sgm (Reuters SGML) or a tar archive of .sgm files")

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "seeds"
CUSTOM = FieldNames(id="doc_id", text="body", title="headline", outlet="source", url="link",
                    published="date")
SCRIPTS = "خبر عاجل: النيجر تطلب المساعدة\n中文新闻：尼日尔军政府\nEmoji 🛰️🇳🇪 👍🏽 end"
BIG = ("The junta asked Wagner for help. " * 100_000)[:3_000_000]  # 3 MB of plain text
UTC = timezone.utc


def rows(rejected: list[Rejected]) -> list[tuple[str | None, str | None, str]]:
    return [(r.location, r.record_id, r.reason) for r in rejected]


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


# --- .txt files and folders ---------------------------------------------------------------


def test_txt_folder_reads_files_in_name_order_keeping_text_exact(tmp_path: Path) -> None:
    (tmp_path / "b-story.txt").write_bytes(b"Second\r\nline two\r\n")
    (tmp_path / "a-story.txt").write_bytes(b"  First story.\n\n")
    (tmp_path / ".hidden.txt").write_bytes(b"not read")
    (tmp_path / "_SUCCESS").write_bytes(b"")  # a Spark job's marker: not read, no rejection
    (tmp_path / "_committed_123").write_bytes(b"{}")
    (tmp_path / "_draft.txt").write_bytes(b"read: a reader takes it")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_bytes(b"not read either")
    write_jsonl(tmp_path / "more.jsonl", [{"id": "j1", "text": "from jsonl"}])
    (tmp_path / "notes.md").write_text("# notes")

    articles, rejected = read_articles([str(tmp_path)])

    assert [a.id for a in articles] == ["_draft", "a-story", "b-story", "j1"]
    a, b, j = articles[1:]
    assert a.text == "  First story.\n\n"  # not stripped
    assert b.text == "Second\r\nline two\r\n"  # line endings kept
    assert a.title is None and a.published is None
    assert a.read_from == str(tmp_path / "a-story.txt")
    assert j.read_from == f"{tmp_path / 'more.jsonl'}:line 1"
    assert rows(rejected) == [(None, None, f"unsupported file type '.md': expected {KINDS}")]
    assert rejected[0].source == str(tmp_path / "notes.md")


def test_txt_bad_files_are_rejected_and_good_ones_still_read(tmp_path: Path) -> None:
    (tmp_path / "1-good.txt").write_text("A fine article.", encoding="utf-8")
    (tmp_path / "2-empty.txt").write_bytes(b"")
    (tmp_path / "3-blank.txt").write_bytes(b" \n\t\r\n")
    (tmp_path / "4-binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "5-latin1.txt").write_bytes("Café au lait".encode("latin-1"))
    (tmp_path / "6-control.txt").write_bytes(bytes(range(1, 9)) * 2)
    (tmp_path / "7-huge.txt").write_text("x" * 30, encoding="utf-8")
    (tmp_path / "8-good.txt").write_text("Another fine one.", encoding="utf-8")

    articles, rejected = read_articles([tmp_path], max_chars=20)

    assert [a.id for a in articles] == ["1-good", "8-good"]
    assert rows(rejected) == [
        (None, "2-empty", "empty text"),
        (None, "3-blank", "text is only whitespace"),
        (None, "4-binary", "binary content (NUL bytes)"),
        (None, "5-latin1", "undecodable bytes: not valid UTF-8 at byte 3 (0xE9)"),
        (None, "6-control", "binary content (mostly control characters)"),
        (None, "7-huge", "huge text: 30 characters, over the 20 limit"),
    ]
    assert rejected[3].source == str(tmp_path / "5-latin1.txt")


def test_txt_huge_file_is_rejected_without_reading_it(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("y" * 1000, encoding="utf-8")
    _, rejected = read_articles([tmp_path / "big.txt"], max_chars=100)
    assert rows(rejected) == [(None, "big", "huge text: 1,000 bytes, over the "
                                            "100-character limit")]


def test_txt_multi_megabyte_text(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(BIG, encoding="utf-8")
    articles, rejected = read_articles([path])  # default limit: 2,000,000 characters
    assert articles == []
    assert rows(rejected) == [(None, "big", "huge text: 3,000,000 characters, "
                                            "over the 2,000,000 limit")]
    articles, rejected = read_articles([path], max_chars=5_000_000)
    assert rejected == [] and articles[0].text == BIG


def test_txt_byte_order_marks_and_non_latin_scripts(tmp_path: Path) -> None:
    (tmp_path / "utf8bom.txt").write_bytes(b"\xef\xbb\xbf" + SCRIPTS.encode("utf-8"))
    (tmp_path / "utf16le.txt").write_bytes(b"\xff\xfe" + SCRIPTS.encode("utf-16-le"))
    (tmp_path / "utf16be.txt").write_bytes(b"\xfe\xff" + SCRIPTS.encode("utf-16-be"))
    (tmp_path / "plain.txt").write_bytes(SCRIPTS.encode("utf-8"))
    articles, rejected = read_articles([tmp_path])
    assert rejected == []
    assert [a.id for a in articles] == ["plain", "utf16be", "utf16le", "utf8bom"]
    assert all(a.text == SCRIPTS for a in articles)


def test_txt_other_encoding_on_request(tmp_path: Path) -> None:
    (tmp_path / "fr.txt").write_bytes("Café au lait".encode("latin-1"))
    articles, rejected = read_articles([tmp_path], encoding="latin-1")
    assert rejected == [] and articles[0].text == "Café au lait"


def test_missing_path_and_unknown_extension_do_not_stop_the_run(tmp_path: Path) -> None:
    good = tmp_path / "ok.txt"
    good.write_text("Fine.", encoding="utf-8")
    (tmp_path / "data.xml").write_text("<a/>", encoding="utf-8")
    (tmp_path / "README").write_text("hi", encoding="utf-8")
    missing = str(tmp_path / "nope.jsonl")
    articles, rejected = read_articles(
        [missing, str(tmp_path / "data.xml"), str(tmp_path / "README"), str(good)])
    assert [a.id for a in articles] == ["ok"]
    assert [(r.source, r.location, r.reason) for r in rejected] == [
        (missing, None, "no such file or folder"),
        (str(tmp_path / "data.xml"), None,
         f"unsupported file type '.xml': expected {KINDS}"),
        (str(tmp_path / "README"), None,
         f"unsupported file type without extension: expected {KINDS}"),
    ]


def test_a_single_path_string_is_one_path(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("Text.", encoding="utf-8")
    articles, _ = read_articles(str(tmp_path / "one.txt"))  # type: ignore[arg-type]
    assert [a.id for a in articles] == ["one"]


def test_duplicate_ids_across_files_first_one_wins(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text("From the folder.", encoding="utf-8")
    jsonl = write_jsonl(tmp_path / "feed.jsonl", [
        {"id": "story", "text": "Same id again."},
        {"id": "other", "text": "New."},
        {"id": "other", "text": "Same id in the same file."},
    ])
    articles, rejected = read_articles([tmp_path / "story.txt", jsonl])
    assert [(a.id, a.text) for a in articles] == [("story", "From the folder."), ("other", "New.")]
    assert rows(rejected) == [
        ("line 1", "story", f"duplicate id 'story', first seen at {tmp_path / 'story.txt'}"),
        ("line 3", "other", f"duplicate id 'other', first seen at {jsonl}:line 2"),
    ]


def test_iter_articles_streams_in_input_order(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": 1, "text": "one"}, {"id": 2, "text": ""},
                                              {"id": 3, "text": "three"}])
    items = list(iter_articles([path]))
    assert [type(i) for i in items] == [Article, Rejected, Article]
    assert [getattr(i, "id", None) or i.record_id for i in items] == ["1", "2", "3"]


# --- JSONL ----------------------------------------------------------------------------------


def test_jsonl_good_records_with_custom_field_names(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "feed.jsonl", [
        {"doc_id": 17, "body": "Niger junta asks Wagner.\r\nSecond line.", "headline": "Niger",
         "source": "AP", "link": "https://example.org/a", "date": "2023-08-05T10:00:00Z",
         "id": "ignored", "text": "ignored"},
        {"doc_id": "b-2", "body": SCRIPTS, "date": "2023-08-05"},
        {"doc_id": "c", "body": "Epoch.", "date": 1691229600},
        {"doc_id": "d", "body": "Offset.", "date": "2023-08-05T12:00:00+02:00", "headline": ""},
    ])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n   \n")  # trailing blank lines are skipped silently
    articles, rejected = read_articles([path], fields=CUSTOM)
    assert rejected == []
    a, b, c, d = articles
    assert (a.id, a.title, a.outlet, a.url) == ("17", "Niger", "AP", "https://example.org/a")
    assert a.text == "Niger junta asks Wagner.\r\nSecond line."
    assert a.published == datetime(2023, 8, 5, 10, tzinfo=UTC)
    assert a.read_from == f"{path}:line 1"
    assert b.text == SCRIPTS and b.title is None
    assert b.published == datetime(2023, 8, 5) and b.published.tzinfo is None  # naive stays naive
    assert c.published == datetime(2023, 8, 5, 10, tzinfo=UTC)
    assert d.published == datetime(2023, 8, 5, 10, tzinfo=UTC)
    assert d.published.utcoffset() == timedelta(hours=2) and d.title is None


def test_jsonl_bad_lines_are_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    lines = [
        b'{"id": "ok1", "text": "First good."}',
        b'{"id": "broken", "text": "no closing brace"',
        b"",
        b'["an", "array"]',
        b'{"text": "no id"}',
        b'{"id": "t1"}',
        b'{"id": "t2", "text": null}',
        b'{"id": "t3", "text": 42}',
        b'{"id": "t4", "text": "   "}',
        b'{"id": "t5", "text": "' + b"z" * 50 + b'"}',
        b'{"id": "t6", "text": "a\\u0000b"}',
        b'{"id": "t7", "text": "caf\xe9"}',
        b'{"id": "ok1", "text": "again"}',
        b'{"id": "t8", "text": "fine", "published": "last Tuesday"}',
        b'{"id": [1], "text": "list id"}',
        b'{"id": "ok2", "text": "Last good."}',
    ]
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    bad_byte = sum(len(line) + 1 for line in lines[:11]) + lines[11].index(b"\xe9")

    warnings: list[FieldWarning] = []
    articles, rejected = read_articles([path], max_chars=40, warnings=warnings)

    assert [a.id for a in articles] == ["ok1", "t8", "ok2"]  # a bad date costs no article
    assert articles[1].published is None
    assert [(w.location, w.record_id, w.field, w.reason) for w in warnings] == [
        ("line 14", "t8", "published", "unreadable date 'last Tuesday': "
                                       "not a date form wiretrace reads")]
    assert rows(rejected) == [
        ("line 2", None, f"malformed JSON: ',' expected at column {len(lines[1]) + 1}"),
        ("line 4", None, "JSON array where an object was expected"),
        ("line 5", None, "missing id field 'id'"),
        ("line 6", "t1", "text field 'text' is missing"),
        ("line 7", "t2", "text field 'text' is null"),
        ("line 8", "t3", "text field 'text' is a number, not a string"),
        ("line 9", "t4", "text is only whitespace"),
        ("line 10", "t5", "huge text: 50 characters, over the 40 limit"),
        ("line 11", "t6", "binary content (NUL bytes)"),
        ("line 12", "t7", f"undecodable bytes: not valid UTF-8 at byte {bad_byte} (0xE9)"),
        ("line 13", "ok1", f"duplicate id 'ok1', first seen at {path}:line 1"),
        ("line 15", None, "id field 'id' is an array, not a string or integer"),
    ]
    assert {r.source for r in rejected} == {str(path)}


def test_jsonl_messages_say_what_is_wrong_in_words(tmp_path: Path) -> None:
    lines = [
        '{"id": "a", "text": "never ends',
        '{"id": "b", "text": 1' + "2" * 4999 + "}",
        "[" * 100_000 + "]" * 100_000,
        "\ufeff" + '{"id": "c", "text": "after a mark"}',
        '{"id": "d", "text": "x"} {"id": "e"}',
        '{"id": "f", "text": "tab\tinside"}',
        '{"id": {"x": 1}, "text": "object id"}',
        '{"id": "g", "text": [1, 2]}',
        '{"id": "h", "text": "bad \\q escape"}',
        '{"id" "i", "text": "no colon"}',
        '{id: "j"}',
        '{"id": "k", "text": }',
    ]
    path = tmp_path / "words.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert rows(read_articles([path])[1]) == [
        ("line 1", None, "malformed JSON: a string that never ends, starting at column 21"),
        ("line 2", None, "malformed JSON: a number of 5,000 digits at column 21, too long to "
                         "read"),
        ("line 3", None, "malformed JSON: nested too deeply to read"),
        ("line 4", None, "malformed JSON: a byte-order mark (U+FEFF) at column 1"),
        ("line 5", None, "malformed JSON: more text after the JSON value, at column 26"),
        ("line 6", None, "malformed JSON: a control character inside a string at column 25"),
        ("line 7", None, "id field 'id' is an object, not a string or integer"),
        ("line 8", "g", "text field 'text' is an array, not a string"),
        ("line 9", None, "malformed JSON: an invalid backslash escape at column 26"),
        ("line 10", None, "malformed JSON: ':' expected at column 7"),
        ("line 11", None, "malformed JSON: a key in double quotes expected at column 2"),
        ("line 12", None, "malformed JSON: a value expected at column 21"),
    ]


def test_jsonl_published_out_of_range_is_a_warning_naming_the_value(tmp_path: Path) -> None:
    record = {"id": "ms", "text": "x", "published": 1691229600000}
    path = write_jsonl(tmp_path / "f.jsonl", [record])
    warnings: list[FieldWarning] = []
    articles, rejected = read_articles([path], warnings=warnings)
    assert rejected == [] and [(a.id, a.published) for a in articles] == [("ms", None)]
    assert [w.to_dict() for w in warnings] == [{
        "source": str(path), "location": "line 1", "record_id": "ms", "field": "published",
        "reason": "unreadable date 1691229600000: out of range (milliseconds? expected seconds)"}]


def test_jsonl_empty_file_has_no_records(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blank.ndjson").write_bytes(b"\n\n  \n")
    assert read_articles([tmp_path]) == ([], [])


def test_jsonl_binary_file_is_one_rejection(tmp_path: Path) -> None:
    path = tmp_path / "image.jsonl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8\n" * 50)
    assert rows(read_articles([path])[1]) == [(None, None, "binary file, not text (NUL bytes)")]


def test_jsonl_byte_order_marks(tmp_path: Path) -> None:
    body = json.dumps({"id": "x", "text": SCRIPTS}, ensure_ascii=False) + "\n"
    body += '{"id": "y", "text": "two"}\r\n'  # CRLF line ends are fine too
    (tmp_path / "a.jsonl").write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    (tmp_path / "b.ndjson").write_bytes(body.replace('"x"', '"x2"').replace('"y"', '"y2"')
                                        .encode("utf-16"))
    articles, rejected = read_articles([tmp_path])
    assert rejected == []
    assert [a.id for a in articles] == ["x", "y", "x2", "y2"]
    assert articles[0].text == SCRIPTS == articles[2].text


def test_jsonl_multi_megabyte_text(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "big.jsonl", [{"id": "big", "text": BIG},
                                                {"id": "small", "text": "after"}])
    articles, rejected = read_articles([path])
    assert [a.id for a in articles] == ["small"]
    assert rows(rejected) == [("line 1", "big", "huge text: 3,000,000 characters, "
                                                "over the 2,000,000 limit")]
    articles, _ = read_articles([path], max_chars=3_000_000)
    assert articles[0].text == BIG


# --- CSV ------------------------------------------------------------------------------------


def test_csv_good_rows_with_custom_columns_bom_and_multiline_text(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    text = (
        "doc_id, body ,headline,source,link,date,extra\r\n"
        '1,"Line one,\r\nline ""two""",Niger,AP,https://e.org/1,2023-08-05T10:00:00Z,x\r\n'
        f'2,"{SCRIPTS}",,,,1691229600,y\r\n'
        "\r\n"
        "3,Plain.,T,,,,z\r\n"
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    articles, rejected = read_articles([path], fields=CUSTOM)
    assert rejected == []
    a, b, c = articles
    assert (a.id, a.text, a.title, a.outlet, a.url) == (
        "1", 'Line one,\r\nline "two"', "Niger", "AP", "https://e.org/1")
    assert a.published == datetime(2023, 8, 5, 10, tzinfo=UTC)
    assert (b.text, b.title, b.url, b.published) == (
        SCRIPTS, None, None, datetime(2023, 8, 5, 10, tzinfo=UTC))
    assert (c.id, c.read_from, c.published) == ("3", f"{path}:row 3", None)


def test_csv_without_optional_columns(tmp_path: Path) -> None:
    path = tmp_path / "min.csv"
    path.write_text("text,id\nBody,x1\n", encoding="utf-8")
    articles, rejected = read_articles([path])
    assert rejected == [] and articles == [Article("x1", "Body", read_from=f"{path}:row 1")]


def test_csv_bad_rows_are_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    lines = [
        b"id,text,title",
        b"ok1,First good.,T",
        b"short,only two",
        b"long,a,b,c",
        b",no id,T",
        b"e1,,T",
        b"h1," + b"z" * 50 + b",T",
        b"l1,caf\xe9,T",
        b"ok1,again,T",
        b"ok2,Last good.,T",
        b'q1,"x" y,T',
        b'u1,"never closed,T',
        b"u2,swallowed,T",
    ]
    path = tmp_path / "feed.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    bad_byte = sum(len(line) + 1 for line in lines[:7]) + lines[7].index(b"\xe9")

    articles, rejected = read_articles([path], max_chars=40)

    assert [a.id for a in articles] == ["ok1", "ok2"]
    assert rows(rejected) == [
        ("row 2", "short", "expected 3 columns, found 2"),
        ("row 3", "long", "expected 3 columns, found 4"),
        ("row 4", None, "missing id field 'id'"),
        ("row 5", "e1", "empty text"),
        ("row 6", "h1", "huge text: 50 characters, over the 40 limit"),
        ("row 7", "l1", f"undecodable bytes: not valid UTF-8 at byte {bad_byte} (0xE9)"),
        ("row 8", "ok1", f"duplicate id 'ok1', first seen at {path}:row 1"),
        # Text after a closing quote: no later line can be known to start a record.
        ("row 10", "q1", "malformed CSV: text right after a closing quote (line 11); with the "
                         "quoting broken, no later line can be known to start a record, so "
                         "lines 11-13 (3 lines) were skipped, to the end of the file"),
    ]


def test_csv_nul_bytes_reject_only_their_row(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"id,text\nn1,a\x00b\nok,fine\n")
    articles, rejected = read_articles([path])
    assert [a.id for a in articles] == ["ok"]
    assert [r.location for r in rejected] == ["row 1"]
    assert "NUL" in rejected[0].reason  # "binary content (NUL bytes)"; csv itself on 3.10


def test_csv_missing_required_column_rejects_file_once(tmp_path: Path) -> None:
    path = tmp_path / "nocol.csv"
    path.write_text("id,content\n1,a\n2,b\n3,c\n", encoding="utf-8")
    articles, rejected = read_articles([path])
    assert articles == []
    assert [(r.source, r.location, r.reason) for r in rejected] == [
        (str(path), None, "missing required column 'text' (columns: id, content)")]


def test_csv_empty_and_header_only_files_have_no_records(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "header.csv").write_bytes(b"id,text\r\n")
    assert read_articles([tmp_path]) == ([], [])


def test_csv_binary_file_is_one_rejection(tmp_path: Path) -> None:
    path = tmp_path / "archive.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xb7\x9c\xfa\n" * 40)
    assert rows(read_articles([path])[1]) == [(None, None, "binary file, not text (NUL bytes)")]


def test_csv_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(f'id,text\r\nar,"{SCRIPTS}"\r\n'.encode("utf-16"))
    articles, rejected = read_articles([path])
    assert rejected == [] and articles[0].text == SCRIPTS


def test_csv_multi_megabyte_text(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(f"id,text\nbig,{BIG}\nsmall,after\n", encoding="utf-8")
    articles, rejected = read_articles([path])
    assert [a.id for a in articles] == ["small"]
    assert rows(rejected) == [("row 1", "big", "huge text: 3,000,000 characters, "
                                               "over the 2,000,000 limit")]
    articles, rejected = read_articles([path], max_chars=3_000_000)
    assert rejected == [] and articles[0].text == BIG


def test_csv_broken_quote_invents_no_article_and_counts_what_it_skips(tmp_path: Path) -> None:
    # The reproduction: "bad" never closes its quote, so the csv module pairs it
    # with good-2's opening quote and breaks at "Line one".  Resuming at the next line
    # made an article of "Line two of it" (the inside of good-2's text) and lost good-2.
    path = tmp_path / "c.csv"
    path.write_bytes(b'id,text\ngood-1,"First good article text here."\nbad,"never closes\n'
                     b'good-2,"Line one, with a comma.\nLine two of it, also with a comma."\n'
                     b'good-3,"Third."\n')
    articles, rejected = read_articles([path])
    assert [(a.id, a.text) for a in articles] == [("good-1", "First good article text here.")]
    assert rows(rejected) == [(
        "row 2", "bad", "malformed CSV: text right after a closing quote (line 4); with the "
                        "quoting broken, no later line can be known to start a record, so "
                        "lines 3-6 (4 lines) were skipped, to the end of the file")]


def test_csv_unclosed_quote_at_the_end(tmp_path: Path) -> None:
    path = tmp_path / "end.csv"
    path.write_bytes(b'id,text\na,"one"\nb,"two\nthree\n')
    articles, rejected = read_articles([path])
    assert [a.id for a in articles] == ["a"]
    assert rows(rejected) == [(
        "row 2", "b", "malformed CSV: a quote that never closes (line 4); with the quoting "
                      "broken, no later line can be known to start a record, so lines 3-4 "
                      "(2 lines) were skipped, to the end of the file")]


def test_csv_quote_closing_a_field_too_early_takes_no_piece_of_it(tmp_path: Path) -> None:
    # The stray quote after "5" closes g1's field early, and a comma follows: valid CSV
    # that reads "w, eight" as a record, until the real closing quote turns up alone.
    path = tmp_path / "stray.csv"
    path.write_bytes(b'id,text\ng0,"plain"\ng1,"Size 5", weight\nw, eight\nzz"\ng2,"fine"\n')
    articles, rejected = read_articles([path])
    assert [(a.id, a.text) for a in articles] == [("g0", "plain"), ("g2", "fine")]
    assert rows(rejected) == [(
        "row 2", "g1", "malformed CSV: a quote inside a field that does not start with one "
                       "(line 5); with the quoting broken, what lies between could be pieces "
                       "of one field, so lines 3-5 (3 lines) were skipped; reading goes on "
                       "after it")]


def test_csv_records_not_proven_in_step_go_with_the_break(tmp_path: Path) -> None:
    # A field that starts with a quote and an ordinary character proves the reading in
    # step there: "y" proves the rows before "z", "z" those before the break... except
    # that "a" (a line break after its quote), "b" and "c" (a comma after its quote)
    # prove nothing, so the break takes them all back to "z".
    path = tmp_path / "wait.csv"
    path.write_bytes(b'id,text\ny,"why"\nz,"zero"\na,"\nx"\nb,plain\nc,",x"y\nd,after\n')
    articles, rejected = read_articles([path])
    assert [a.id for a in articles] == ["y"]
    assert [(r.location, r.record_id) for r in rejected] == [("row 2", "z")]
    assert "lines 3-8 (6 lines) were skipped" in rejected[0].reason


def test_csv_inch_mark_in_a_file_without_quotes_costs_its_row(tmp_path: Path) -> None:
    path = tmp_path / "inch.csv"
    path.write_bytes(b'id,text\na,one\nb,the 5" screen\nc,three\n')
    articles, rejected = read_articles([path])
    assert [a.id for a in articles] == ["a", "c"]
    assert [(r.location, r.record_id) for r in rejected] == [("row 2", "b")]
    assert "line 3 was skipped; reading goes on" in rejected[0].reason


def test_csv_many_unproven_rows_are_read_again_not_held(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import wiretrace.ingest.csv_files as csv_files

    # Rows after a field that proves nothing wait for proof; past a bound they are let
    # go and the file is read a second time, with the same result.
    def body(tail: list[str]) -> str:
        rows = ['id,text\r\n', 'p,"proves"\r\n', 'q,"quoted, so it proves"\r\n',
                'n,"\nproves nothing"\r\n']
        return "".join(rows + [f"r{i},plain {i}\r\n" for i in range(30)] + tail)

    broken, fine = tmp_path / "broken.csv", tmp_path / "fine.csv"
    broken.write_text(body(['s,",x"y\r\n', "t,after\r\n"]), encoding="utf-8", newline="")
    fine.write_text(body(['s,"proves"\r\n', "t,after\r\n"]), encoding="utf-8", newline="")
    expected = read_articles([broken]), read_articles([fine])
    monkeypatch.setattr(csv_files, "_HOLD_RECORDS", 5)
    assert (read_articles([broken]), read_articles([fine])) == expected
    (articles, rejected), (all_of_them, none) = expected
    assert [a.id for a in articles] == ["p"]
    assert [r.location for r in rejected] == ["row 2"]
    assert "lines 3-37 (35 lines) were skipped, to the end of the file" in rejected[0].reason
    assert len(all_of_them) == 35 and none == []


def test_csv_field_over_the_size_bound_is_one_rejection_not_thousands(tmp_path: Path) -> None:
    # 100,000 lines in one quoted field, far over --max-chars: the csv module's field
    # limit used to stop inside it and every line after became an "article".
    lines = "".join(f"line {i}, with a comma\n" for i in range(100_000))
    path = tmp_path / "huge.csv"
    path.write_text(f'id,text\ng1,ok\nhuge,"{lines}"\ng2,after\n', encoding="utf-8")
    articles, rejected = read_articles([path], max_chars=1000)
    assert [a.id for a in articles] == ["g1", "g2"]
    assert rows(rejected) == [("row 2", "huge", "huge record: over 1,052,576 characters on "
                                                "lines 3-100003 (100,001 lines), more than a "
                                                "text of 1,000 characters can take")]
    # Under the bound, the text is read whole and rejected for its length as usual.
    articles, rejected = read_articles([path], max_chars=600_000)
    assert [a.id for a in articles] == ["g1", "g2"]
    assert rows(rejected) == [("row 2", "huge", f"huge text: {len(lines):,} characters, "
                                                "over the 600,000 limit")]


def test_csv_line_ends_crlf_lf_and_bare_cr(tmp_path: Path) -> None:
    path = tmp_path / "ends.csv"
    path.write_bytes(b'id,text\ra,one\rb,"multi\rline"\r\nc,"x\r\ny"\nd,four\n')
    articles, rejected = read_articles([path])
    assert rejected == []
    assert [(a.id, a.text) for a in articles] == [
        ("a", "one"), ("b", "multi\rline"), ("c", "x\r\ny"), ("d", "four")]


def test_utf16_bad_code_unit_late_costs_only_its_line(tmp_path: Path) -> None:
    # The text wrapper decoded 8 KB at a time: a lone surrogate on line 300 lost the
    # good lines of its chunk and was reported on the chunk's first line.
    texts = [f"good line {i} " + "é" * 50 for i in range(400)]
    good = [json.dumps({"id": f"g{i}", "text": t}, ensure_ascii=False)
            for i, t in enumerate(texts)]
    lines = good[:299] + ['{"id": "bad", "text": "x\ud800y"}'] + good[300:]
    body = ("\n".join(lines) + "\n").encode("utf-16-le", "surrogatepass")
    path = tmp_path / "u16.jsonl"
    path.write_bytes(b"\xff\xfe" + body)
    before = ("\n".join(lines[:299]) + "\n").encode("utf-16-le")
    bad_byte = 2 + len(before) + 2 * lines[299].index("\ud800")
    articles, rejected = read_articles([path])
    assert [a.id for a in articles] == [f"g{i}" for i in range(400) if i != 299]
    assert rows(rejected) == [("line 300", "bad", "undecodable bytes: not valid UTF-16-LE at "
                                                  f"byte {bad_byte} (0xD800)")]

    # A byte too many shifts every later code unit: the damaged line ends at the first
    # newline out of step, and reading falls back into step after it.
    encoded = [line.encode("utf-16-be") for line in good]
    encoded[299] = encoded[299][:7] + b"!" + encoded[299][7:]
    path.write_bytes(b"\xfe\xff" + b"\x00\n".join(encoded) + b"\x00\n")
    articles, rejected = read_articles([path])
    assert [a.id for a in articles] == [f"g{i}" for i in range(400) if i != 299]
    assert articles[-1].text == texts[-1]
    assert [(r.location, r.record_id) for r in rejected] == [("line 300", None)]
    assert "not a whole number of 2-byte code units (a byte missing or extra)" in \
        rejected[0].reason

    csv_path = tmp_path / "u16.csv"
    rows_ = ["id,text"] + [f'g{i},"{t}, and more"' for i, t in enumerate(texts)]
    rows_[300] = 'bad,"x\ud800y"'
    csv_path.write_bytes(("\r\n".join(rows_) + "\r\n").encode("utf-16", "surrogatepass"))
    articles, rejected = read_articles([csv_path])
    assert len(articles) == 399 and articles[-1].text == texts[-1] + ", and more"
    assert [(r.location, r.record_id) for r in rejected] == [("row 300", "bad")]
    assert rejected[0].reason.startswith("undecodable bytes: not valid UTF-16-LE at byte ")


# --- Parquet --------------------------------------------------------------------------------


def test_parquet_good_rows_with_custom_columns_and_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "feed.parquet"
    table = pa.table({
        "doc_id": pa.array([101, 102, 103], pa.int64()),
        "body": [SCRIPTS, "Plain\r\ntext.", "Third."],
        "headline": ["Niger", None, "T"],
        "date": pa.array([datetime(2023, 8, 5, 10), None, datetime(2023, 8, 6)],
                         pa.timestamp("ns", tz="UTC")),
        "unused": [1, 2, 3],
    })
    pq.write_table(table, path)
    articles, rejected = read_articles([path], fields=CUSTOM)
    assert rejected == []
    a, b, c = articles
    assert (a.id, a.text, a.title, a.outlet) == ("101", SCRIPTS, "Niger", None)
    assert a.published == datetime(2023, 8, 5, 10, tzinfo=UTC)
    assert (b.text, b.title, b.published, b.read_from) == ("Plain\r\ntext.", None, None,
                                                        f"{path}:row 2")
    assert c.published == datetime(2023, 8, 6, tzinfo=UTC)


def test_parquet_naive_timestamps_and_string_dates(tmp_path: Path) -> None:
    path = tmp_path / "dates.parquet"
    pq.write_table(pa.table({
        "id": ["n", "s"], "text": ["naive", "string"],
        "published": pa.array([datetime(2023, 8, 5, 9, 30), None], pa.timestamp("us")),
    }), path)
    other = tmp_path / "strings.parquet"
    pq.write_table(pa.table({"id": ["z"], "text": ["iso"], "published": ["2023-08-05T10:00Z"]}),
                   other)
    articles, rejected = read_articles([path, other])
    assert rejected == []
    assert [a.published for a in articles] == [
        datetime(2023, 8, 5, 9, 30), None, datetime(2023, 8, 5, 10, tzinfo=UTC)]
    assert articles[0].published.tzinfo is None


def test_parquet_bad_rows_across_batches(tmp_path: Path) -> None:
    n = 600  # more than one read batch, so row numbers must carry across batches
    ids: list[str | None] = [f"r{i}" for i in range(1, n + 1)]
    texts: list[bytes | None] = [f"Text {i}.".encode() for i in range(1, n + 1)]
    ids[9] = None                      # row 10
    texts[99] = None                   # row 100
    texts[199] = b""                   # row 200
    texts[299] = b"z" * 50             # row 300
    texts[399] = "Café".encode("latin-1")  # row 400
    texts[449] = b"a\x00b"             # row 450
    ids[499] = "r1"                    # row 500
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"id": pa.array(ids, pa.string()),
                             "text": pa.array(texts, pa.binary())}), path, row_group_size=150)

    articles, rejected = read_articles([path], max_chars=40)

    assert len(articles) == n - 7
    assert articles[-1].id == "r600" and articles[-1].read_from == f"{path}:row 600"
    assert rows(rejected) == [
        ("row 10", None, "missing id field 'id'"),
        ("row 100", "r100", "text field 'text' is null"),
        ("row 200", "r200", "empty text"),
        ("row 300", "r300", "huge text: 50 characters, over the 40 limit"),
        ("row 400", "r400", "field 'text': undecodable bytes: not valid UTF-8 at byte 3 (0xE9)"),
        ("row 450", "r450", "binary content (NUL bytes)"),
        ("row 500", "r1", f"duplicate id 'r1', first seen at {path}:row 1"),
    ]


def test_parquet_string_column_with_invalid_utf8_rejects_only_that_row(tmp_path: Path) -> None:
    path = tmp_path / "latin.parquet"
    raw = pa.array([b"Fine.", "Caf\u00e9".encode("latin-1"), b"Also fine."], pa.binary())
    pq.write_table(pa.table({"id": ["a", "b", "c"], "text": raw.view(pa.string())}), path)
    articles, rejected = read_articles([path])
    assert [a.text for a in articles] == ["Fine.", "Also fine."]
    assert rows(rejected) == [
        ("row 2", "b", "field 'text': undecodable bytes: not valid UTF-8 at byte 3 (0xE9)")]


def test_parquet_corrupt_truncated_and_empty_files(tmp_path: Path) -> None:
    (tmp_path / "a-garbage.parquet").write_text("id,text\n1,not parquet\n", encoding="utf-8")
    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"id": ["g"], "text": ["Still read."]}), good)
    (tmp_path / "b-truncated.parquet").write_bytes(good.read_bytes()[:-30])
    (tmp_path / "c-empty.parquet").write_bytes(b"")
    articles, rejected = read_articles([tmp_path])
    assert [a.id for a in articles] == ["g"]
    assert [(Path(r.source).name, r.location) for r in rejected] == [
        ("a-garbage.parquet", None), ("b-truncated.parquet", None)]
    assert all(r.reason.startswith("not a readable Parquet file: ") for r in rejected)


def test_parquet_missing_required_column_rejects_file_once(tmp_path: Path) -> None:
    path = tmp_path / "nocol.parquet"
    pq.write_table(pa.table({"id": ["1", "2"], "body": ["a", "b"]}), path)
    assert rows(read_articles([path])[1]) == [
        (None, None, "missing required column 'text' (columns: id, body)")]


def test_parquet_multi_megabyte_text(tmp_path: Path) -> None:
    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"id": ["big", "small"], "text": [BIG, "after"]}), path)
    articles, rejected = read_articles([path])
    assert [a.id for a in articles] == ["small"]
    assert rows(rejected) == [("row 1", "big", "huge text: 3,000,000 characters, "
                                               "over the 2,000,000 limit")]
    articles, _ = read_articles([path], max_chars=3_000_000)
    assert articles[0].text == BIG


# --- the real seed articles -----------------------------------------------------------------


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/data/seeds is not available")
def test_seed_articles() -> None:
    articles, rejected = read_articles([SEEDS])
    assert rejected == []
    assert [a.id for a in articles] == ["niger-wagner-a", "niger-wagner-b"]
    for article in articles:
        raw = (SEEDS / f"{article.id}.txt").read_bytes()
        assert article.text == raw.decode("utf-8").removeprefix("\ufeff")
        assert article.text.startswith("Niger")
        assert "Wagner" in article.text and "Bazoum" in article.text
        assert article.read_from == str(SEEDS / f"{article.id}.txt")


def test_a_stray_nul_in_long_text_is_kept(tmp_path):
    # PAN 2013 holds documents with a handful of NULs in thousands of characters
    text = "Real prose. " * 500 + "\x00" + " More prose." * 100
    (tmp_path / "stray.txt").write_text(text, encoding="utf-8")
    (tmp_path / "dense.txt").write_bytes(b"ab\x00" * 100)
    articles, rejected = read_articles([tmp_path])
    assert [a.id for a in articles] == ["stray"] and articles[0].text == text
    assert [(r.record_id, r.reason) for r in rejected] == [("dense", "binary content (NUL bytes)")]


# --- dates and optional fields never cost an article -----------------------------------------

CEST = timezone(timedelta(hours=2))
EST = timezone(timedelta(hours=-5))


def _published(tmp_path: Path, value: object, **options: object
               ) -> tuple[Article, list[FieldWarning], Path]:
    """Read one JSONL record whose published value is ``value``; it must be kept."""
    path = tmp_path / "one.jsonl"  # \u escapes: lone surrogates cannot be UTF-8
    path.write_text(json.dumps({"id": "x", "text": "Body.", "published": value}) + "\n")
    warnings: list[FieldWarning] = []
    articles, rejected = read_articles([path], warnings=warnings, **options)
    assert rejected == [] and [a.id for a in articles] == ["x"]
    return articles[0], warnings, path


@pytest.mark.parametrize("value,expected", [
    ("2023-08-05T10:00:00Z", datetime(2023, 8, 5, 10, tzinfo=UTC)),
    ("2023-08-05T12:00:00+02:00", datetime(2023, 8, 5, 12, tzinfo=CEST)),
    ("2023-08-05 10:30", datetime(2023, 8, 5, 10, 30)),
    ("20230805", datetime(2023, 8, 5)),
    (1691229600, datetime(2023, 8, 5, 10, tzinfo=UTC)),
    (1691229600.25, datetime(2023, 8, 5, 10, 0, 0, 250000, tzinfo=UTC)),
    ("1691229600", datetime(2023, 8, 5, 10, tzinfo=UTC)),
    (" 1691229600.5 ", datetime(2023, 8, 5, 10, 0, 0, 500000, tzinfo=UTC)),
    ("Sat, 05 Aug 2023 10:00:00 +0200", datetime(2023, 8, 5, 10, tzinfo=CEST)),
    ("Sat, 05 Aug 2023 10:00:00 GMT", datetime(2023, 8, 5, 10, tzinfo=UTC)),
    ("Sat, 5 Aug 2023 10:00:00 EST", datetime(2023, 8, 5, 10, tzinfo=EST)),
    ("05 Aug 2023 10:00 -0500", datetime(2023, 8, 5, 10, tzinfo=EST)),
    ("26-FEB-1987 15:01:01.79", datetime(1987, 2, 26, 15, 1, 1, 790000)),
    (" 5-MAR-1987 09:23:17.01", datetime(1987, 3, 5, 9, 23, 17, 10000)),
    ("3-MAR-1987  13:04:18.47", datetime(1987, 3, 3, 13, 4, 18, 470000)),
    # the junk the Reuters archive appends: control characters, then topic letters
    ("26-FEB-1987 15:01:01.79\x05\x05\x05F", datetime(1987, 2, 26, 15, 1, 1, 790000)),
    ("26-FEB-1987 15:01:01.79\x05\x05\x05E F", datetime(1987, 2, 26, 15, 1, 1, 790000)),
    ("26-FEB-1987 15:01:01.79\x05\x0f   ", datetime(1987, 2, 26, 15, 1, 1, 790000)),
    ("26-FEB-1987 15:01:01.79\t\t\tRM", datetime(1987, 2, 26, 15, 1, 1, 790000)),
    # ... as a converter may leave it: without the control characters, or not unescaped
    ("27-MAR-1987 02:17:09.88T C", datetime(1987, 3, 27, 2, 17, 9, 880000)),
    ("27-MAR-1987 02:17:09.88&#5;&#5;&#5;T C", datetime(1987, 3, 27, 2, 17, 9, 880000)),
    ("5 August 2023", datetime(2023, 8, 5)),
    ("1 January 2023", datetime(2023, 1, 1)),
    ("August 5, 2023 10:30", datetime(2023, 8, 5, 10, 30)),
    ("Saturday, August 5, 2023", datetime(2023, 8, 5)),
    ("05-Aug-2023", datetime(2023, 8, 5)),
    ("5 Aug 2023 10:00 CEST", datetime(2023, 8, 5, 10, tzinfo=CEST)),
    ("13/08/2023", datetime(2023, 8, 13)),  # no day/month doubt: 13 is no month
    ("2023/08/05", datetime(2023, 8, 5)),  # year first: year, month, day
])
def test_published_forms(tmp_path: Path, value: object, expected: datetime) -> None:
    article, warnings, _ = _published(tmp_path, value)
    assert warnings == []
    assert article.published == expected
    # aware stays aware with its own offset, naive stays naive (== would not tell)
    assert article.published.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("value,why", [
    ("last Tuesday", "'last Tuesday': not a date form wiretrace reads"),
    ("12", "'12': a bare number is not a date"),
    (12, "12: a bare number is not a date"),
    ("2023", "'2023': a bare number is not a date"),
    ("Tuesday", "'Tuesday': not a full date (no year, month or day)"),
    ("10:30", "'10:30': not a full date (no year, month or day)"),
    ("Aug 2023", "'Aug 2023': not a full date (no day)"),
    ("August 5", "'August 5': not a full date (no year)"),
    ("05/08/2023", "'05/08/2023': day and month could be either way round"),
    ("31-FEB-1987 10:00:00.00", "day is out of range for month"),
    ("31-MAR-1987 605:12:19.12", "not a date form wiretrace reads"),  # in the archive
    ("Sat, 05 Aug 2023 10:00:00 +2400", "not a date form wiretrace reads"),
    ("\x00\x05\x0f\x7f", "control characters, no date"),
    ("\udcff\udcfe junk", "not a date form wiretrace reads"),
    ("2023-08-05" * 100_000, "1,000,000 characters, too long for a date"),
    (1691229600000, "1691229600000: out of range (milliseconds? expected seconds)"),
    ("1691229600000", "out of range (milliseconds? expected seconds)"),
    (1e300, "out of range"),
    (float("inf"), "not a finite number"),
    ("0001-01-01T00:00:00", "year 1 is out of range (1000-2999)"),
    ("9999-12-31", "year 9999 is out of range"),
    (True, "True: a boolean, not a date"),
    ([2023, 8, 5], "[2023, 8, 5]: an array, not a date"),
    ({"year": 2023}, "an object, not a date"),
])
def test_unreadable_published_keeps_the_article_with_a_warning(tmp_path: Path, value: object,
                                                                why: str) -> None:
    article, warnings, path = _published(tmp_path, value)
    assert article.published is None and article.text == "Body."
    (warning,) = warnings
    assert (warning.source, warning.location, warning.record_id, warning.field) == (
        str(path), "line 1", "x", "published")
    assert warning.reason.startswith("unreadable date ") and why in warning.reason
    assert len(warning.reason) < 200  # a huge value is cut, not copied


@pytest.mark.parametrize("value", [None, "", "   ", "\t\r\n"])
def test_missing_published_is_no_warning(tmp_path: Path, value: object) -> None:
    # an empty value is how CSV says "no date": nothing was lost, nothing to report
    article, warnings, _ = _published(tmp_path, value)
    assert article.published is None and warnings == []


def test_date_format_is_tried_first_then_the_automatic_readers(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "f.jsonl", [
        {"id": "a", "text": "t", "published": "05/08/2023 10:30"},
        {"id": "b", "text": "t", "published": "2023-08-06T09:00:00Z"},
        {"id": "c", "text": "t", "published": "last Tuesday"},
    ])
    warnings: list[FieldWarning] = []
    articles, rejected = read_articles([path], date_format="%d/%m/%Y %H:%M", warnings=warnings)
    assert rejected == []
    assert [a.published for a in articles] == [datetime(2023, 8, 5, 10, 30),
                                               datetime(2023, 8, 6, 9, tzinfo=UTC), None]
    assert [(w.record_id, w.reason) for w in warnings] == [
        ("c", "unreadable date 'last Tuesday': does not match the date format "
              "'%d/%m/%Y %H:%M' (not a date form wiretrace reads)")]
    # a format that reads the digits of a number
    article, warnings, _ = _published(tmp_path, 20230805, date_format="%Y%m%d")
    assert article.published == datetime(2023, 8, 5) and warnings == []
    # without it, 05/08/2023 is not guessed
    article, warnings, _ = _published(tmp_path, "05/08/2023 10:30")
    assert article.published is None and "either way round" in warnings[0].reason


@pytest.mark.parametrize("date_format,why", [
    ("%Q", "not a strptime format"), ("%d/%m/%Y %", "not a strptime format"),
    ("%H:%M", "does not give a full date"), ("%d/%m", "does not give a full date"),
])
def test_a_bad_date_format_is_the_callers_error(tmp_path: Path, date_format: str,
                                                 why: str) -> None:
    path = write_jsonl(tmp_path / "f.jsonl", [{"id": "a", "text": "t"}])
    with pytest.raises(ValueError, match=why):
        read_articles([path], date_format=date_format)


def test_optional_fields_of_a_wrong_type_are_left_empty_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "meta.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "n", "text": "t", "title": 1984, "outlet": 3.5, "url": 7.0},
        {"id": "l", "text": "t", "title": ["a", "b"], "outlet": {"name": "AP"}, "url": False},
        {"id": "b", "text": "t", "title": "\u0000\u0001\u0002junk", "outlet": "\x05\x06\x07A",
         "url": "https://e.org/\ud800"},
    ]))
    warnings: list[FieldWarning] = []
    articles, rejected = read_articles([path], warnings=warnings)
    assert rejected == [] and [a.id for a in articles] == ["n", "l", "b"]
    n, lst, b = articles
    assert (n.title, n.outlet, n.url) == ("1984", "3.5", "7")  # numbers are kept as text
    assert (lst.title, lst.outlet, lst.url) == (None, None, None)
    assert (b.title, b.outlet, b.url) == (None, None, "https://e.org/\ufffd")
    assert [(w.location, w.record_id, w.field, w.reason) for w in warnings] == [
        ("line 2", "l", "title", "an array where text was expected: ['a', 'b']"),
        ("line 2", "l", "outlet", "an object where text was expected: {'name': 'AP'}"),
        ("line 2", "l", "url", "a boolean where text was expected: False"),
        ("line 3", "b", "title", "binary content, not text: '\\x00\\x01\\x02junk'"),
        ("line 3", "b", "outlet", "binary content, not text: '\\x05\\x06\\x07A'"),
    ]


def test_only_accepted_articles_carry_warnings(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "dup.jsonl", [
        {"id": "a", "text": "first", "published": "soon"},
        {"id": "a", "text": "duplicate", "published": "later"},  # rejected: no warning
        {"id": "e", "text": "", "published": "never"},  # rejected for its text
    ])
    warnings: list[FieldWarning] = []
    items = iter_articles([path], warnings=warnings)
    first = next(items)
    assert first.id == "a" and [w.record_id for w in warnings] == ["a"]  # there when yielded
    assert [type(i) for i in items] == [Rejected, Rejected]
    assert [(w.record_id, w.reason) for w in warnings] == [
        ("a", "unreadable date 'soon': not a date form wiretrace reads")]
    # without a list to fill, the articles are still kept
    articles, rejected = read_articles([path])
    assert [a.id for a in articles] == ["a"] and len(rejected) == 2


def test_without_a_warnings_list_to_article_rejects_a_bad_date() -> None:
    # the HTTP API's path: no one to warn, so the client gets a 422 it can act on
    opts = Options(FieldNames(), 100, "utf-8")
    found = to_article({"id": "x", "text": "t", "published": "soon"}, "request", "body", opts)
    assert isinstance(found, Rejected)
    assert found.reason == "unparseable published date 'soon': not a date form wiretrace reads"
    opts = Options(FieldNames(), 100, "utf-8", warnings=[])
    found = to_article({"id": "x", "text": "t", "published": "soon"}, "request", "body", opts)
    assert isinstance(found, Article) and found.published is None and len(opts.warnings) == 1


def test_csv_dates_and_fields_follow_the_rule(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_bytes(b"id,text,published,title\n"
                     b"r,Reuters.,26-FEB-1987 15:01:01.79\x05\x05\x05F,T\n"
                     b"s,Soon.,soon,T\n"
                     b"e,Empty.,,\n"
                     b"m,Month.,\"August 5, 2023 10:30\",T\n")
    warnings: list[FieldWarning] = []
    articles, rejected = read_articles([path], warnings=warnings)
    assert rejected == []
    assert [(a.id, a.published) for a in articles] == [
        ("r", datetime(1987, 2, 26, 15, 1, 1, 790000)), ("s", None), ("e", None),
        ("m", datetime(2023, 8, 5, 10, 30))]
    assert [(w.source, w.location, w.record_id, w.field) for w in warnings] == [
        (str(path), "row 2", "s", "published")]


def test_parquet_dates_and_fields_follow_the_rule(tmp_path: Path) -> None:
    path = tmp_path / "feed.parquet"
    pq.write_table(pa.table({
        "id": ["a", "b", "c", "d"],
        "text": ["A.", "B.", "C.", "D."],
        "published": ["Sat, 05 Aug 2023 10:00:00 +0200", "last Tuesday", None, "12"],
        "title": pa.array([b"Fine", "Caf\u00e9".encode("latin-1"), None, b"T"], pa.binary()),
        "outlet": pa.array([1.0, float("nan"), None, 2.5], pa.float64()),
    }), path)
    other = tmp_path / "epoch.parquet"
    pq.write_table(pa.table({"id": ["e", "f"], "text": ["E.", "F."],
                             "published": pa.array([1691229600, 1691229600000], pa.int64())}),
                   other)
    warnings: list[FieldWarning] = []
    articles, rejected = read_articles([path, other], warnings=warnings)
    assert rejected == [] and [a.id for a in articles] == ["a", "b", "c", "d", "e", "f"]
    a, b, c, d, e, f = articles
    assert a.published == datetime(2023, 8, 5, 10, tzinfo=CEST)
    assert (a.title, a.outlet) == ("Fine", "1")
    assert (b.published, b.title, b.outlet) == (None, None, None)  # NaN is pandas' "missing"
    assert (d.published, d.outlet) == (None, "2.5")
    assert (e.published, f.published) == (datetime(2023, 8, 5, 10, tzinfo=UTC), None)
    assert [(Path(w.source).name, w.location, w.record_id, w.field, w.reason.split(":")[0])
            for w in warnings] == [
        ("feed.parquet", "row 2", "b", "title", "undecodable bytes"),
        ("feed.parquet", "row 2", "b", "published", "unreadable date 'last Tuesday'"),
        ("feed.parquet", "row 4", "d", "published", "unreadable date '12'"),
        ("epoch.parquet", "row 2", "f", "published", "unreadable date 1691229600000"),
    ]


# --- author, topics and places ------------------------------------------------------------


def test_author_topics_and_places_in_every_format_and_bad_ones_cost_only_the_field(
        tmp_path: Path) -> None:
    """A list in JSONL and Parquet, one text with ';' between labels in CSV; a value
    that is no list of labels is a warning and the article keeps the rest."""
    write_jsonl(tmp_path / "a.jsonl", [
        {"id": "j1", "text": "One.", "author": "Ann Lee", "topics": ["earn", " ", "acq", "earn"],
         "places": "usa; canada"},
        {"id": "j2", "text": "Two.", "topics": {"not": "a list"}, "places": [1987, None],
         "author": ["Ann", "Bo"]},
    ])
    (tmp_path / "b.csv").write_text("id,text,author,topics,places\n"
                                    "c1,Three.,Bo Ek,grain;wheat,\n", encoding="utf-8")
    pq.write_table(pa.table({"id": ["p1"], "text": ["Four."],
                             "topics": pa.array([["crude", "nat-gas"]]),
                             "places": pa.array([None], pa.list_(pa.string()))}),
                   tmp_path / "c.parquet")
    warnings: list[FieldWarning] = []
    articles, rejected = read_articles([tmp_path], warnings=warnings)
    assert rejected == []
    got = {a.id: (a.author, a.topics, a.places) for a in articles}
    assert got == {"j1": ("Ann Lee", ("earn", "acq"), ("usa", "canada")),
                   "j2": (None, (), ("1987",)),
                   "c1": ("Bo Ek", ("grain", "wheat"), ()),
                   "p1": (None, ("crude", "nat-gas"), ())}
    assert sorted((w.record_id, w.field) for w in warnings) == [("j2", "author"),
                                                                ("j2", "topics")]
    assert "where a list of labels was expected" in \
        next(w.reason for w in warnings if w.field == "topics")
    row = next(a for a in articles if a.id == "j1").to_dict()
    assert (row["author"], row["topics"], row["places"]) == ("Ann Lee", ["earn", "acq"],
                                                              ["usa", "canada"])
