"""Smoke test of ``benchmarks/neardup.py`` on the first 300 texts of Reuters + BBC."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from wiretrace.evaluate.corpora import data_dir

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "neardup.py"
METHODS = ("datasketch", "rensa", "wiretrace")
ARCHIVES = ("reuters21578.tar.xz", "bbc-news.tar.xz")


def test_neardup_benchmark_on_300_texts(tmp_path):
    for module in ("datasketch", "rensa"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (pip install {module})")
    for name in ARCHIVES:
        if not (data_dir() / name).exists():
            pytest.skip(f"corpus archive not found: {data_dir() / name}")
    figures_path = tmp_path / "neardup.json"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--limit", "300", "--json", str(figures_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr

    lines = run.stdout.splitlines()
    assert lines[0].split() == ["method", "bands", "tokenise", "shingle", "minhash", "lsh",
                                "verify", "total", "vs", "wt", "pairs", "prec", "rec"]
    rows = {}
    for line in lines[2:]:
        if not line.strip():
            break
        cells = line.split()
        rows[cells[0]] = cells
    assert tuple(rows) == METHODS
    for name, cells in rows.items():
        seconds = [float(c) for c in cells[2:8]]
        assert all(s >= 0 for s in seconds), (name, cells)
        assert seconds[-1] == pytest.approx(sum(seconds[:-1]), abs=0.01), (name, cells)
        assert int(cells[9]) >= 0, (name, cells)
        precision, recall = float(cells[10]), float(cells[11])
        assert 0.0 <= precision <= 1.0 and 0.0 <= recall <= 1.0, (name, cells)
    assert rows["wiretrace"][8] == "1.00x"
    # wiretrace checks its candidates exactly: every pair it reports is true
    assert float(rows["wiretrace"][10]) == 1.0
    assert "corpus: 300 texts" in run.stdout
    assert "jit: once per process" in run.stdout

    figures = json.loads(figures_path.read_text(encoding="utf-8"))
    assert figures["corpus"]["texts"] == 300
    assert figures["truth"]["positives"] > 0  # the sample holds real duplicates
    for name in METHODS:
        method = figures["methods"][name]
        for scores in (method, method["verified"], method["candidates"]):
            for measure in ("precision", "recall"):
                assert 0.0 <= scores[measure] <= 1.0, (name, measure, scores[measure])
    wiretrace = figures["methods"]["wiretrace"]
    assert wiretrace["true"] == wiretrace["candidates"]["true"]  # the check drops no true pair
    assert set(figures["jit_seconds"]) == {"import", "cold", "warm"}
    assert all(seconds > 0 for seconds in figures["jit_seconds"].values())
