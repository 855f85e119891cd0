"""The ``wiretrace`` command, run for real in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wiretrace.cli.main import build_parser, main
from wiretrace.evaluate.corpora import data_dir
from wiretrace.params import TraceParams

ROOT = Path(__file__).resolve().parents[2]
SEEDS = data_dir() / "seeds"  # ../shared/data/seeds unless WIRETRACE_DATA says otherwise
SEED_A, SEED_B = SEEDS / "niger-wagner-a.txt", SEEDS / "niger-wagner-b.txt"
needs_seeds = pytest.mark.skipif(not SEED_A.exists(), reason="shared seed articles not found")

PARAM_OPTIONS = [f"--{name.replace('_', '-')}" for name in TraceParams.names()]
INPUT_OPTIONS = ["--id-field", "--text-field", "--title-field", "--outlet-field", "--url-field",
                 "--published-field", "--date-format", "--encoding", "--max-chars"]
COMMON = ["--quiet", "--debug", "--help"]
OPTIONS = {
    "trace": ["--out", "--parquet", "--no-report", "--no-attributions", *INPUT_OPTIONS,
              *PARAM_OPTIONS, *COMMON],
    "compare": ["--json", "--pairs", "--out", "--passages", "--html", *INPUT_OPTIONS,
                "--anchor-ngram", "--max-gap", "--min-passage-words", "--sentence-similarity",
                *COMMON],
}
# what finds pairs across a corpus or groups stories does nothing for two texts
CORPUS_ONLY = ["--seed-ngram", "--max-df", "--min-shared-seeds", "--lsh-threshold",
               "--num-perm", "--story-min-share", "--close-in-time-days", "--story-cohesion"]


def run(*args: str | Path, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "160", **(env or {})}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env.pop("FORCE_COLOR", None)
    return subprocess.run([sys.executable, "-m", "wiretrace", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=600)


def _subparsers():
    parser = build_parser()
    (action,) = [a for a in parser._actions if a.choices and isinstance(a.choices, dict)]
    return action.choices


# --------------------------------------------------------------------------- usage


@pytest.mark.parametrize("command", ["trace", "compare"])
def test_help_lists_and_explains_every_option(command):
    proc = run(command, "--help")
    assert proc.returncode == 0, proc.stderr
    for option in OPTIONS[command]:
        assert option in proc.stdout, option
    if command == "compare":
        assert not [o for o in CORPUS_ONLY if o in proc.stdout]
    sub = _subparsers()[command]
    for action in sub._actions:
        assert action.help, f"{command} {action.option_strings or action.dest} has no help"
        for option in action.option_strings:
            assert option in proc.stdout
    assert "exit codes" in proc.stdout


def test_top_level_help_and_version():
    proc = run("--help")
    assert proc.returncode == 0
    assert "trace" in proc.stdout and "compare" in proc.stdout and "--version" in proc.stdout
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("wiretrace ")


def test_param_help_comes_from_the_docstring():
    proc = run("trace", "--help")
    assert "boilerplate" in proc.stdout  # --max-df
    assert "(default: 14)" in proc.stdout  # --min-passage-words


@pytest.mark.parametrize("args", [
    [],
    ["frobnicate"],
    ["trace", "x.txt"],  # no --out
    ["trace", "--out", "o"],  # no input
    ["trace", "x.txt", "--out", "o", "--bogus"],
    ["compare", "only-one.txt"],
    ["compare", "a.txt", "b.txt", "c.txt"],
    ["compare", "--pairs", "pairs.tsv"],  # no --out
    ["compare", "a.txt", "b.txt", "--out", "x.jsonl"],
    ["trace", "x.txt", "--out", "o", "--encoding", "no-such-codec"],
    ["trace", "x.txt", "--out", "o", "--max-chars", "0"],
    ["trace", "x.txt", "--out", "o", "--date-format", "%Q"],
    ["trace", "x.txt", "--out", "o", "--date-format", "%H:%M"],  # no date in it
])
def test_bad_usage_exits_2(args, tmp_path):
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
    assert "usage:" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("option,value", [
    ("--seed-ngram", "0"), ("--lsh-threshold", "1.5"), ("--max-df", "1"),
    ("--min-passage-words", "abc"), ("--story-min-share", "-0.1"), ("--max-gap", "-1"),
])
def test_invalid_parameter_exits_2_naming_it(option, value, tmp_path):
    (tmp_path / "a.txt").write_text("some text", encoding="utf-8")
    proc = run("trace", tmp_path / "a.txt", "--out", tmp_path / "out", option, value)
    assert proc.returncode == 2, proc.stderr
    assert option in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run("compare", tmp_path / "a.txt", tmp_path / "a.txt", option, value)
    assert proc.returncode == 2, proc.stderr


def test_max_df_accepts_auto(tmp_path):
    assert main(["trace", "--max-df", "auto", "--out", str(tmp_path / "o"),
                 str(tmp_path / "missing.txt")]) == 1


def test_nonexistent_input_exits_1_with_a_clear_message(tmp_path):
    missing = tmp_path / "no-such-folder"
    proc = run("trace", missing, "--out", tmp_path / "out")
    assert proc.returncode == 1
    assert "input not found" in proc.stderr and "no-such-folder" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()

    proc = run("compare", missing / "a.txt", missing / "b.txt")
    assert proc.returncode == 1 and "input not found" in proc.stderr


def test_no_readable_article_exits_1(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 not text \xff\xfe")
    proc = run("trace", folder, "--out", tmp_path / "out", "--quiet")
    assert proc.returncode == 1
    assert "no readable article" in proc.stderr and "rejected.jsonl" in proc.stderr
    rows = [json.loads(x) for x in (tmp_path / "out" / "rejected.jsonl").read_text().splitlines()]
    assert [Path(r["source"]).name for r in rows] == ["binary.txt"]

    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run("trace", empty, "--out", tmp_path / "out2")
    assert proc.returncode == 1 and "no article" in proc.stderr


def test_out_that_is_a_file_exits_1(tmp_path):
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    (tmp_path / "out").write_text("a file", encoding="utf-8")
    proc = run("trace", tmp_path / "a.txt", "--out", tmp_path / "out")
    assert proc.returncode == 1 and "not a folder" in proc.stderr


def test_pairs_with_no_usable_line_exits_1(tmp_path):
    (tmp_path / "pairs.tsv").write_text("# a comment\n\njust-one-path.txt\n"
                                        "missing-a.txt\tmissing-b.txt\n", encoding="utf-8")
    proc = run("compare", "--pairs", tmp_path / "pairs.tsv", "--out", tmp_path / "p.jsonl")
    assert proc.returncode == 1
    assert "pairs.tsv:3:" in proc.stderr and "two paths" in proc.stderr
    assert "pairs.tsv:4:" in proc.stderr and "missing-a.txt" in proc.stderr
    assert "no pair could be compared" in proc.stderr
    assert (tmp_path / "p.jsonl").read_text(encoding="utf-8") == ""


def test_missing_pairs_file_exits_1(tmp_path):
    proc = run("compare", "--pairs", tmp_path / "nope.tsv", "--out", tmp_path / "p.jsonl")
    assert proc.returncode == 1 and "cannot read pairs file" in proc.stderr


# --------------------------------------------------------------------------- end to end
# These need the real pipeline (wiretrace.pipeline.trace / compare).


@needs_seeds
def test_trace_seeds_writes_every_file(tmp_path):
    out = tmp_path / "out"
    proc = run("trace", SEEDS, "--out", out, "--parquet")
    assert proc.returncode == 0, proc.stderr
    for name in ("articles.jsonl", "passages.jsonl", "stories.jsonl", "diffs.jsonl",
                 "rejected.jsonl", "summary.json", "report.html", "articles.parquet",
                 "passages.parquet", "stories.parquet"):
        assert (out / name).is_file(), name
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left
    articles = [json.loads(x) for x in (out / "articles.jsonl").read_text().splitlines()]
    assert sorted(a["id"] for a in articles) == ["niger-wagner-a", "niger-wagner-b"]
    assert all(a["story"] is not None and a["shared"] > 0.3 for a in articles)
    passages = [json.loads(x) for x in (out / "passages.jsonl").read_text().splitlines()]
    assert passages and all(p["a_text"] and p["b_text"] for p in passages)
    stories = [json.loads(x) for x in (out / "stories.jsonl").read_text().splitlines()]
    assert len(stories) == 1 and stories[0]["size"] == 2
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"]["articles"] == 2 and summary["counts"]["rejected"] == 0
    assert summary["params"]["seed_ngram"] == TraceParams().seed_ngram
    assert "wall_seconds" in summary
    assert "articles read" in proc.stdout and "report.html" in proc.stdout


@needs_seeds
def test_trace_with_a_binary_file_reports_it_and_succeeds(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_A, folder)
    shutil.copy(SEED_B, folder)
    (folder / "broken.txt").write_bytes(bytes(range(256)) * 4)
    out = tmp_path / "out"
    proc = run("trace", folder, "--out", out, "--quiet", "--no-report")
    assert proc.returncode == 0, proc.stderr
    rejected = [json.loads(x) for x in (out / "rejected.jsonl").read_text().splitlines()]
    assert [Path(r["source"]).name for r in rejected] == ["broken.txt"]
    assert rejected[0]["reason"]
    assert "rejected" in proc.stdout and "rejected.jsonl" in proc.stdout
    assert not (out / "report.html").exists()
    assert proc.stderr == ""  # --quiet: no progress lines
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"] == {**summary["counts"], "articles": 2, "rejected": 1}


def test_trace_keeps_articles_with_unreadable_dates_and_lists_them(tmp_path):
    texts = ["Officials in Niamey said the junta had asked the Wagner group for help as "
             f"the deadline expired, report number {k}." for k in range(4)]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "reuters", "text": texts[0], "published": "26-FEB-1987 15:01:01.79\x05\x05\x05F"},
        {"id": "vague", "text": texts[1], "published": "last Tuesday"},
        {"id": "local", "text": texts[2], "published": "05/08/2023 10:30", "title": ["T"]},
        {"id": "iso", "text": texts[3], "published": "2023-08-05T10:00:00Z"},
    ]), encoding="utf-8")
    out = tmp_path / "out"
    proc = run("trace", feed, "--out", out, "--quiet", "--no-report", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    articles = {a["id"]: a for a in map(json.loads, (out / "articles.jsonl").open())}
    assert set(articles) == {"reuters", "vague", "local", "iso"}  # none rejected
    assert articles["reuters"]["published"] == "1987-02-26T15:01:01.790000"
    assert articles["vague"]["published"] is None and articles["local"]["published"] is None
    warnings = [json.loads(x) for x in (out / "warnings.jsonl").read_text().splitlines()]
    assert [(w["source"], w["location"], w["record_id"], w["field"]) for w in warnings] == [
        (str(feed), "line 2", "vague", "published"), (str(feed), "line 3", "local", "title"),
        (str(feed), "line 3", "local", "published")]
    assert "'last Tuesday'" in warnings[0]["reason"]
    assert "either way round" in warnings[2]["reason"]
    assert (out / "rejected.jsonl").read_text() == ""
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"]["articles"] == 4 and summary["stats"]["warnings"] == 3
    assert "3 warnings (2 unreadable dates, 1 unusable title)" in proc.stdout
    assert "warnings.jsonl" in proc.stdout

    # --date-format reads the local form; the other values still go to the automatic readers
    proc = run("trace", feed, "--out", out, "--quiet", "--no-report", "--workers", "1",
               "--date-format", "%d/%m/%Y %H:%M")
    assert proc.returncode == 0, proc.stderr
    articles = {a["id"]: a for a in map(json.loads, (out / "articles.jsonl").open())}
    assert articles["local"]["published"] == "2023-08-05T10:30:00"
    assert articles["iso"]["published"] == "2023-08-05T10:00:00+00:00"
    warnings = [json.loads(x) for x in (out / "warnings.jsonl").read_text().splitlines()]
    assert [(w["record_id"], w["field"]) for w in warnings] == [("vague", "published"),
                                                                ("local", "title")]
    assert "does not match the date format '%d/%m/%Y %H:%M'" in warnings[0]["reason"]

    # a run without warnings leaves no stale list from the run before
    clean = tmp_path / "clean.jsonl"
    clean.write_text(json.dumps({"id": "one", "text": texts[0]}) + "\n", encoding="utf-8")
    proc = run("trace", clean, "--out", out, "--quiet", "--no-report", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    assert not (out / "warnings.jsonl").exists() and "warnings.jsonl" not in proc.stdout
    assert json.loads((out / "summary.json").read_text())["stats"]["warnings"] == 0


@needs_seeds
def test_compare_seeds_shows_what_changed_in_a_screen(tmp_path):
    proc = run("compare", SEED_A, SEED_B, "--html", tmp_path / "pair.html", env={"COLUMNS": "100"})
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "niger-wagner-a" in out and "niger-wagner-b" in out
    assert len(out.splitlines()) < 60  # the seed pair at 100 columns
    assert "Added (2 paragraphs)" in out and "Dropped (1 paragraph, 3 headings)" in out
    assert "headings: Sunday deadline · 'New Libya' · Waving Russian flags" in out
    assert "+ Some residents rejected the junta’s claims." in out
    # each word edit in its context, in B's words
    assert "Niger [+Republic]’s new military junta" in out
    assert "[spokeswoman → spokesperson] Anne-Claire Legendre" in " ".join(out.split())
    assert "B credits Vanguard, VOA; A does not" in out
    assert "Spelling variants (5): Mohamed/Mohammed, Bazoum/Bozoum" in out
    html = (tmp_path / "pair.html").read_text(encoding="utf-8")
    assert "niger-wagner-b against niger-wagner-a" in html and "report-data" in html

    full = run("compare", SEED_A, SEED_B, "--passages").stdout
    assert "Reused passages (5)" in full and "Reworded words (20 in 6 passages)" in full

    proc = run("compare", SEED_A, SEED_B, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert {doc["a"], doc["b"]} == {"niger-wagner-a", "niger-wagner-b"}
    assert doc["passages"] and doc["a_shared"] > 0.3
    assert all(p["a_text"] and p["b_text"] for p in doc["passages"])


def test_compare_prints_changed_facts_before_reworded_words(tmp_path):
    text = ("The central bank reported an increase in lending to small businesses in the "
            "third quarter, according to figures published by the statistics office on "
            "Friday.\n\nThe bank said 1,500 firms had asked for loans since January.")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text.replace("an increase", "a decrease")
                                    .replace("1,500", "1,100"), encoding="utf-8")
    proc = run("compare", tmp_path / "a.txt", tmp_path / "b.txt")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Changed facts (2)" in out
    facts = out[out.index("Changed facts (2)"):out.index("Reworded")]
    assert "opposite" in facts and "increase" in facts and "decrease" in facts
    assert "number" in facts and "1,500" in facts and "1,100" in facts
    assert "changes 2 facts: increase -> decrease; 1,500 -> 1,100" in out

    proc = run("compare", tmp_path / "a.txt", tmp_path / "b.txt", "--json")
    doc = json.loads(proc.stdout)
    assert [(f["kind"], f["a_text"], f["b_text"]) for f in doc["changed_facts"]] == [
        ("opposite", "increase", "decrease"), ("number", "1,500", "1,100")]


def test_compare_says_which_passages_are_template_matches_and_why(tmp_path):
    """Magma's copper price on two days: one frame, other figures.  The view does
    not present the match as reuse, and gives the evidence."""
    frame = ("Magma Copper Co, a subsidiary of Newmont Mining Corp, said it is cutting its "
             "copper cathode price by {} cent to {} cents a lb, effective immediately.")
    (tmp_path / "a.txt").write_text(frame.format("0.75", "66.50"), encoding="utf-8")
    (tmp_path / "b.txt").write_text(frame.format("0.25", "65.50"), encoding="utf-8")
    proc = run("compare", tmp_path / "a.txt", tmp_path / "b.txt")
    assert proc.returncode == 0, proc.stderr
    out = " ".join(proc.stdout.split())
    assert "in 0 reused passages (1 template match set aside)" in out
    assert "The passage is set aside, not reuse" in out
    assert "#1 template:" in out and "the texts report other figures: 0.75, 66.50 / 0.25, " \
        "65.50" in out


@needs_seeds
def test_compare_pairs_streams_passages_and_reports_bad_lines(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEED_A, docs / "a.txt")
    shutil.copy(SEED_B, docs / "b.txt")
    (tmp_path / "pairs.tsv").write_text(
        "docs/a.txt\tdocs/b.txt\n"
        "docs/b.txt docs/a.txt\n"
        "docs/a.txt docs/b.txt docs/extra.txt\n"
        "docs/a.txt\tdocs/missing.txt\n", encoding="utf-8")
    out = tmp_path / "res" / "passages.jsonl"
    proc = run("compare", "--pairs", tmp_path / "pairs.tsv", "--out", out, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert {(r["a"], r["b"]) for r in rows} == {("docs/a.txt", "docs/b.txt"),
                                                ("docs/b.txt", "docs/a.txt")}
    texts = {"docs/a.txt": SEED_A.read_text(encoding="utf-8"),
             "docs/b.txt": SEED_B.read_text(encoding="utf-8")}
    for r in rows:
        for key in ("a_start", "a_end", "b_start", "b_end", "score"):
            assert key in r
        assert texts[r["a"]][r["a_start"]:r["a_end"]] == r["a_text"]
        assert texts[r["b"]][r["b_start"]:r["b_end"]] == r["b_text"]
    assert "pairs.tsv:3:" in proc.stderr and "pairs.tsv:4:" in proc.stderr
    assert "missing.txt" in proc.stderr
    assert "2 pairs skipped" in proc.stdout


@needs_seeds
def test_trace_writes_attributions_and_provenance_and_can_leave_them_out(tmp_path):
    out = tmp_path / "out"
    done = run("trace", SEEDS, "--out", out, "-q")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in (out / "attributions.jsonl").read_text().splitlines()]
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (SEED_A, SEED_B)}
    assert {r["article"] for r in rows} == set(texts)
    for r in rows:
        text = texts[r["article"]]
        assert text[r["cue_start"]:r["cue_end"]] == r["cue_text"]
        if r["source_start"] is not None:
            assert text[r["source_start"]:r["source_end"]] == r["source_text"]
    assert json.loads((out / "summary.json").read_text())["stats"]["attributions"] == len(rows)
    assert (out / "provenance.jsonl").exists()
    diff = json.loads((out / "diffs.jsonl").read_text())
    assert [c["entity"] for c in diff["credits_added"]] == ["Vanguard", "VOA"]
    again = run("trace", SEEDS, "--out", out, "-q", "--no-attributions")
    assert again.returncode == 0, again.stderr
    assert not (out / "attributions.jsonl").exists() and not (out / "provenance.jsonl").exists()
    diff = json.loads((out / "diffs.jsonl").read_text())
    assert diff["credits_added"] == [] and "credits" not in diff["summary"]


@needs_seeds
def test_attribute_lists_credits_as_a_table_or_json_and_reports_bad_input(tmp_path):
    table = run("attribute", SEED_B, "--credits-only")
    assert table.returncode == 0, table.stderr
    assert "Vanguard" in table.stdout and "Voice of America" in table.stdout
    rows = [json.loads(x) for x in run("attribute", SEED_B, "--json").stdout.splitlines()]
    assert rows and all(r["article"] == "niger-wagner-b" for r in rows)
    assert any(r["source_entity"] == "VOA" and r["kind"] == "reported_by" for r in rows)
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "binary.txt").write_bytes(b"\x00\xff\xfe\x00" * 50)
    (bad / "broken.jsonl").write_text('{"id": "x", "text": "He said so."}\n{nope\n')
    (bad / "latin1.txt").write_bytes("Le ministre a déclaré à l'AFP.".encode("latin-1"))
    out = tmp_path / "rows.jsonl"
    done = run("attribute", bad, "--out", out)
    assert done.returncode == 0, done.stderr
    assert "rejected" in done.stderr and "broken.jsonl" in done.stderr
    assert "attribution" in done.stderr and out.exists()
    missing = run("attribute", tmp_path / "nowhere.txt")
    assert missing.returncode == 1 and "input not found" in missing.stderr


def test_compare_of_unrelated_texts_says_no_shared_text(tmp_path):
    (tmp_path / "a.txt").write_text("The weather was fine on Monday in the hills above the "
                                    "town, and farmers cut hay.\n\nRain is due on Friday.",
                                    encoding="utf-8")
    (tmp_path / "b.txt").write_text("A parliament committee voted on a new budget for schools "
                                    "and roads.\n\nThe vote was close.", encoding="utf-8")
    proc = run("compare", tmp_path / "a.txt", tmp_path / "b.txt")
    assert proc.returncode == 0, proc.stderr
    assert "No shared text" in proc.stdout
    assert "Dropped" not in proc.stdout and "Added" not in proc.stdout
