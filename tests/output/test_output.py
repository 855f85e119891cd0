"""Result files: every table parses, carries its fields, and is written atomically."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pyarrow.parquet as pq
import pytest

from wiretrace.model import (
    Article,
    Change,
    DerivationEdge,
    Diff,
    Passage,
    Rejected,
    SpellingVariant,
    Story,
    TraceResult,
    WordChange,
)
from wiretrace.output.files import atomic_path, write_jsonl, write_outputs
from wiretrace.params import TraceParams

A_TEXT = "Le président Bazoum a été renversé. Niger’s junta asked Wagner for help, AP says."
B_TEXT = "Niger’s junta asked Wagner for help, AP says. President Bozoum was ousted in July."
C_TEXT = "An unrelated article about football, with no reuse at all."


def _result() -> TraceResult:
    a = Article("a", A_TEXT, title="Niger – Wagner", outlet="Outlet A",
                published=datetime(2023, 8, 6, 9, 30, tzinfo=timezone.utc), read_from="a.txt")
    b = Article("b", B_TEXT, title="Niger asks Wagner", outlet="Outlet B", read_from="b.jsonl:3")
    c = Article("c", C_TEXT, read_from="c.txt")
    passage = Passage("a", 36, 81, "b", 0, 45, 1.0, 9)
    assert A_TEXT[36:81] == B_TEXT[0:45]
    story = Story("story-1", ["a", "b"], "a", "earliest published",
                  [DerivationEdge("a", "b", 0.55, 0.56, 45)])
    wc = WordChange("replace", 13, 19, 56, 62, "Bazoum", "Bozoum")
    diff = Diff("story-1", "a", "b", 0.5556, 0.5488,
                changes=[Change("dropped", 0, 36, None, None, A_TEXT[:36], "", [wc]),
                         Change("added", None, None, 45, 82, "", B_TEXT[45:])],
                spelling_variants=[SpellingVariant("Bazoum", "Bozoum", 13, 19, 56, 62, 0.83)],
                summary="B drops 1 paragraph and adds 1.", passages=[passage])
    rejected = [Rejected("broken.txt", None, "broken", "binary content (NUL bytes)"),
                Rejected("feed.jsonl", "line 4", None, "malformed JSON: Expecting value")]
    return TraceResult({"a": a, "b": b, "c": c}, [passage], [story], [diff], rejected,
                       stats={"candidate_pairs": 1, "seconds": {"align": 0.01},
                              "params": TraceParams(), "when": datetime(2024, 1, 1)})


def _jsonl(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_write_outputs_writes_every_table(tmp_path):
    written = write_outputs(_result(), tmp_path / "out", extra={"wall_seconds": 1.5})
    names = {"articles.jsonl", "passages.jsonl", "stories.jsonl", "diffs.jsonl",
             "rejected.jsonl", "outlets.jsonl", "summary.json"}
    assert set(written) == names
    assert {p.name for p in (tmp_path / "out").iterdir()} == names  # no temp files left

    articles = {r["id"]: r for r in _jsonl(written["articles.jsonl"])}
    assert list(articles) == ["a", "b", "c"]
    assert articles["a"]["story"] == "story-1" and articles["c"]["story"] is None
    assert articles["a"]["shared"] == pytest.approx(45 / len(A_TEXT), abs=1e-4)
    assert articles["c"]["shared"] == 0.0
    assert articles["a"]["published"].startswith("2023-08-06T09:30")
    assert {"title", "outlet", "url", "chars", "read_from"} <= set(articles["a"])

    (passage,) = _jsonl(written["passages.jsonl"])
    assert passage["a_text"] == passage["b_text"] == "Niger’s junta asked Wagner for help, AP says."
    for key in ("a", "a_start", "a_end", "b", "b_start", "b_end", "score", "matched_words"):
        assert key in passage

    (story,) = _jsonl(written["stories.jsonl"])
    assert story["members"] == ["a", "b"] and story["edges"][0]["target"] == "b"
    (diff,) = _jsonl(written["diffs.jsonl"])
    assert [c["kind"] for c in diff["changes"]] == ["dropped", "added"]
    assert diff["spelling_variants"][0]["b_form"] == "Bozoum"
    assert [r["source"] for r in _jsonl(written["rejected.jsonl"])] == ["broken.txt",
                                                                        "feed.jsonl"]

    summary = json.loads(written["summary.json"].read_text(encoding="utf-8"))
    assert summary["counts"] == {"articles": 3, "rejected": 2, "passages": 1, "stories": 1,
                                 "diffs": 1}
    assert summary["stats"]["candidate_pairs"] == 1
    assert summary["stats"]["params"]["seed_ngram"] == TraceParams().seed_ngram
    assert summary["wall_seconds"] == 1.5


def test_json_is_utf8_not_ascii_escaped(tmp_path):
    written = write_outputs(_result(), tmp_path)
    raw = written["passages.jsonl"].read_text(encoding="utf-8")
    assert "Niger’s" in raw and "\\u2019" not in raw
    assert len(raw.splitlines()) == 1


def test_parquet_tables_load(tmp_path):
    written = write_outputs(_result(), tmp_path, parquet=True)
    articles = pq.read_table(written["articles.parquet"]).to_pylist()
    assert [r["id"] for r in articles] == ["a", "b", "c"]
    assert articles[0]["story"] == "story-1" and articles[2]["story"] is None
    passages = pq.read_table(written["passages.parquet"]).to_pylist()
    assert passages[0]["a_text"].startswith("Niger’s") and passages[0]["b_start"] == 0
    stories = pq.read_table(written["stories.parquet"]).to_pylist()
    assert stories[0]["members"] == ["a", "b"]
    assert stories[0]["edges"][0]["shared_chars"] == 45


def test_parquet_of_an_empty_result_keeps_columns(tmp_path):
    empty = TraceResult({}, [], [], [], [])
    written = write_outputs(empty, tmp_path, parquet=True)
    table = pq.read_table(written["passages.parquet"])
    assert table.num_rows == 0 and "a_start" in table.column_names
    assert written["articles.jsonl"].read_text(encoding="utf-8") == ""


def test_write_jsonl_streams_and_counts(tmp_path):
    path = tmp_path / "rows.jsonl"
    assert write_jsonl(({"n": i} for i in range(1000)), path) == 1000
    assert [r["n"] for r in _jsonl(path)] == list(range(1000))
    # Records with to_dict are accepted too.
    assert write_jsonl([Rejected("x.txt", None, None, "empty")], path) == 1
    assert _jsonl(path)[0]["reason"] == "empty"


def test_failed_write_keeps_the_previous_file(tmp_path):
    path = tmp_path / "rows.jsonl"
    write_jsonl([{"n": 1}, {"n": 2}], path)
    before = path.read_bytes()

    def broken():
        yield {"n": 10}
        yield {"n": 11}
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        write_jsonl(broken(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["rows.jsonl"]  # temp file removed


def test_failed_first_write_leaves_no_file(tmp_path):
    path = tmp_path / "new.jsonl"
    with pytest.raises(TypeError):
        write_jsonl([{"ok": 1}, {"bad": object()}], path)
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_keeps_the_target_until_done(tmp_path):
    target = tmp_path / "table.parquet"
    target.write_text("old", encoding="utf-8")
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_text("new", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old"
    assert target.read_text(encoding="utf-8") == "new"
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["table.parquet"]


def test_write_outputs_replaces_an_earlier_run(tmp_path):
    write_outputs(_result(), tmp_path)
    empty = TraceResult({}, [], [], [], [])
    written = write_outputs(empty, tmp_path)
    assert _jsonl(written["stories.jsonl"]) == []


def test_passage_lines_equal_the_generic_rows_byte_for_byte():
    from wiretrace.model import PassageTable
    from wiretrace.output.files import dumps, passage_lines, passage_row

    texts = {"é-1": "Quote “here”\n\ttab é \u2028 end \\ back", "b": "x\"y\" Ω 0.1 " * 5}
    passages = [Passage("é-1", 0, 20, "b", 3, 30, 0.3333333333333333, 7),
                Passage("b", 1, 9, "é-1", 25, 38, 1.0, 2)]
    articles = {k: Article(k, t) for k, t in texts.items()}
    for table in (passages, PassageTable.from_passages(passages, list(articles))):
        result = TraceResult(articles, table, [], [], [])
        lines = list(passage_lines(result))
        assert lines == [dumps(passage_row(p, articles)) for p in passages]
        assert json.loads(lines[0])["a_text"] == texts["é-1"][:20]


def test_passages_written_by_several_workers_equal_the_lines(tmp_path, monkeypatch):
    import wiretrace.output.files as output
    from wiretrace.runtime.article_store import as_store

    articles = as_store([Article(f"art-{k}", f"Text number {k} “quoted” é\n" * (k + 1))
                         for k in range(30)])
    passages = [Passage(f"art-{k}", 0, 12 + k, f"art-{k + 1}", 2, 9, 0.5, k)
                for k in range(29)]
    result = TraceResult(articles, passages, [], [], [])
    expected = "".join(line + "\n" for line in output.passage_lines(result))
    monkeypatch.setattr(output, "PASSAGES_PER_BLOCK", 4)  # eight blocks over two workers
    for workers in (1, 2):
        output.write_passages(result, tmp_path / f"p{workers}.jsonl", workers)
        assert (tmp_path / f"p{workers}.jsonl").read_text(encoding="utf-8") == expected
    assert expected.count("\n") == 29 and "art-28" in expected
