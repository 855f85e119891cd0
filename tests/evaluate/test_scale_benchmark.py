"""Smoke test of ``benchmarks/scale.py`` at 1,000 generated articles.

The script generates a corpus with ``benchmarks/make_corpus.py``, runs the real
``wiretrace trace`` command on it in a subprocess, measures it and scores the
result files against the planted truth; on the default mixture wiretrace finds
nearly every pair the truth relates and reports almost nothing else.  The
table has the template precision column (template siblings kept apart).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wiretrace.evaluate.corpora import data_dir

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "scale.py"
ARCHIVES = ("bbc-news.tar.xz", "reuters21578.tar.xz")
COLUMNS = ["articles", "status", "seconds", "art/s", "max RSS", "sum RSS", "sum PSS",
           "pair prec", "pair rec", "char rec v/e", "ARI plant/comp", "tmpl prec", "x size",
           "x time", "slope"]


def test_scale_benchmark_on_1000_articles(tmp_path):
    missing = [name for name in ARCHIVES if not (data_dir() / name).exists()]
    if missing:
        pytest.skip(f"corpus archives not found in {data_dir()}: {', '.join(missing)}")
    figures_path = tmp_path / "scale.json"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--sizes", "1000", "--json", str(figures_path),
         "--corpus-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr + run.stdout

    lines = run.stdout.splitlines()
    header = lines[0]
    positions = [header.find(c) for c in COLUMNS]
    assert -1 not in positions and positions == sorted(positions), header
    assert set(lines[1].replace(" ", "")) == {"-"}
    cells = lines[2].split()
    assert len(cells) == len(COLUMNS), lines[2]
    row = dict(zip(COLUMNS, cells, strict=True))
    assert row["articles"] == "1,000" and row["status"] == "ok"
    assert float(row["seconds"]) > 0 and float(row["art/s"]) > 0
    assert row["max RSS"][-1] in "KMG" and row["sum RSS"][-1] in "KMG"
    precision, recall = float(row["pair prec"]), float(row["pair rec"])
    assert precision >= 0.95 and recall >= 0.95, row
    verbatim, edited = (float(x) for x in row["char rec v/e"].split("/"))
    assert 0.9 <= verbatim <= 1.0 and 0.9 <= edited <= 1.0, row
    planted, components = (float(x) for x in row["ARI plant/comp"].split("/"))
    assert -1.0 <= planted <= 1.0 and -1.0 <= components <= 1.0, row
    assert 0.0 <= float(row["tmpl prec"]) <= 1.0, row
    assert row["x size"] == row["x time"] == row["slope"] == "-"  # one size: no growth

    figures = json.loads(figures_path.read_text(encoding="utf-8"))
    (size,) = figures["sizes"]
    assert size["status"] == "ok" and size["returncode"] == 0
    assert size["corpus"]["path"].endswith("corpus-1000")
    assert size["command"].startswith("wiretrace trace ") and "--quiet" in size["command"]
    assert size["max_rss"] > 10 << 20 and size["seconds"] > 0
    pairs = size["scores"]["pairs"]
    assert pairs["precision"] >= 0.95 and pairs["recall"] >= 0.95, pairs
    assert pairs["truth_rows"] > 100 and pairs["predicted"] > 100
    stories = size["scores"]["stories"]
    # stories are the planted ones: a story does not chain (links.split_chains) through
    # a splice or a template sibling into the components of all planted links
    assert stories["planted"]["ari"] >= 0.9, stories["planted"]
    for truth in ("planted", "components", "linked"):
        assert 0.0 <= stories[truth]["precision"] <= 1.0
        assert 0.0 <= stories[truth]["recall"] <= 1.0
    # the default mixture holds templated items: many sibling pairs to keep apart
    templates = size["scores"]["templates"]
    assert templates["items"] >= 100 and templates["sibling_pairs"] > 1000, templates
    assert templates["series"]["items"] > 0 and templates["template"]["items"] > 0
    assert templates["precision"] == 1 - templates["joined"] / templates["sibling_pairs"]
    # the result files are removed without --keep
    assert not any((tmp_path / "scale-runs").iterdir())
