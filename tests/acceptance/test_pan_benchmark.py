"""Smoke test of ``benchmarks/pan13.py`` on a few pairs of the real PAN 2013 corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wiretrace.evaluate.corpora import data_dir

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "pan13.py"
FOLDERS = ("02-no-obfuscation", "05-summary-obfuscation")


def test_pan13_benchmark_on_two_folders(tmp_path):
    archive = data_dir() / "pan13-train.tar.xz"
    if not archive.exists():
        pytest.skip(f"corpus archive not found: {archive}")
    figures_path = tmp_path / "pan.json"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--folders", "02", "05", "--limit", "3", "--jobs", "1",
         "--json", str(figures_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr

    lines = run.stdout.splitlines()
    assert lines[0].split() == ["folder", "pairs", "cases", "dets", "prec", "rec", "gran",
                                "plagdet", "m-prec", "m-rec", "m-plagdet"]
    rows = {line.split()[0]: line.split() for line in lines
            if line.split() and line.split()[0] in (*FOLDERS, "overall")}
    assert set(rows) == {*FOLDERS, "overall"}
    assert [rows[name][1] for name in (*FOLDERS, "overall")] == ["3", "3", "6"]

    figures = json.loads(figures_path.read_text(encoding="utf-8"))
    assert set(figures["folders"]) == {*FOLDERS, "overall"}
    for name, scores in figures["folders"].items():
        for measure in ("precision", "recall", "plagdet"):
            value = scores[measure]
            assert isinstance(value, (int, float)), (name, measure, value)
            assert 0.0 <= value <= 1.0, (name, measure, value)
    no_obfuscation = figures["folders"]["02-no-obfuscation"]
    assert no_obfuscation["pairs"] == 3 and no_obfuscation["cases"] > 0
    # verbatim copies: nearly every copied character is found
    assert no_obfuscation["recall"] > 0.9
