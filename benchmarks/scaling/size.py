"""One size of the scale benchmark: the resource check (memory estimate, disk),
the ``wiretrace trace`` command and its parameters, the run and its score.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import (
    BASE_BYTES,
    BYTES_PER_ARTICLE,
    ESTIMATE_FROM,
    MEMORY_FLOOR,
    OUTPUT_BYTES_PER_ARTICLE,
    ROOT,
    Refused,
    available_memory,
    human_bytes,
    log,
    rel,
)
from .corpus import ensure_corpus
from .run import run_trace
from .score import score


def estimate_peak(n: int, done: list[dict]) -> tuple[int, str]:
    """Bytes the trace of ``n`` articles needs at its peak, at least, and why: no
    margin, so that only a size that clearly cannot fit is refused (the run is stopped
    anyway if memory runs out)."""
    measured = [r for r in done if r.get("status") == "ok" and r.get("peak_total")
                and r["articles"] >= ESTIMATE_FROM]
    if measured:
        last = max(measured, key=lambda r: r["articles"])
        rate = max(0.0, (last["peak_total"] - BASE_BYTES) / last["articles"])
        return (int(BASE_BYTES + rate * n),
                f"{rate / 1000:.0f} kB per article, as measured at {last['articles']:,}")
    return BASE_BYTES + BYTES_PER_ARTICLE * n, \
        f"{BYTES_PER_ARTICLE / 1000:.0f} kB per article, as measured at 100,000"


def check_resources(n: int, done: list[dict], force: bool, folder: Path) -> dict:
    need, why = estimate_peak(n, done)
    available = available_memory()
    info = {"estimated_peak": need, "estimate_from": why, "available_memory": available}
    if available is not None and need > available and not force:
        raise Refused(f"{n:,} articles need at least {human_bytes(need)} of memory "
                      f"({why}) and {human_bytes(available)} is available; "
                      f"--force runs it anyway (it is stopped if memory runs out)")
    free = shutil.disk_usage(folder).free  # the result files go under it too
    if free < OUTPUT_BYTES_PER_ARTICLE * n and not force:
        raise Refused(f"the result files of {n:,} articles need about "
                      f"{human_bytes(OUTPUT_BYTES_PER_ARTICLE * n)} of disk; "
                      f"{human_bytes(free)} free")
    return info


def code_version() -> str | None:
    """The project's git commit (``+dirty`` when src/ has changes), if git can tell."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def wiretrace_command() -> list[str]:
    exe = Path(sys.executable).parent / "wiretrace"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "wiretrace"]


def param_options(params: list[str]) -> list[str]:
    """``NAME=VALUE`` -> ``--name value``; a bare ``NAME`` -> ``--name`` (a flag)."""
    out = []
    for item in params:
        name, eq, value = item.partition("=")
        out.append("--" + name.strip().lstrip("-").replace("_", "-"))
        if eq:
            out.append(value)
    return out


def param_value(params: list[str], name: str):
    """The value of a wiretrace parameter for this run (``--params`` or the default)."""
    from wiretrace.params import TraceParams

    default = getattr(TraceParams(), name)
    for item in params:
        key, _, value = item.partition("=")
        if key.strip().lstrip("-").replace("-", "_") == name and value:
            return type(default)(value)
    return default


def run_size(n: int, args: argparse.Namespace, done: list[dict]) -> dict:
    row: dict = {"articles": n, "status": "ok", "code": code_version()}
    try:
        # before making a corpus
        row["resources"] = check_resources(n, done, args.force, args.corpus_dir)
        corpus, meta, generated = ensure_corpus(n, args.seed, args.corpus_dir, args.jobs)
        row["corpus"] = {"path": rel(corpus), "generated": generated,
                         "seconds": meta.get("seconds") if generated else None,
                         "stories": meta.get("stories"), "counts": meta.get("counts")}
    except Refused as e:
        row["status"], row["message"] = "skipped", str(e)
        log(f"{n:,} articles: skipped: {e}")
        return row
    except RuntimeError as e:  # make_corpus.py failed
        row["status"], row["message"] = "failed", str(e)
        log(f"{n:,} articles: {e}")
        return row
    base = args.corpus_dir / "scale-runs"
    base.mkdir(parents=True, exist_ok=True)
    out_dir = Path(tempfile.mkdtemp(prefix=f"{n}-", dir=base))
    command = [*wiretrace_command(), "trace", rel(corpus / "articles.parquet"),
               "--out", rel(out_dir)]
    if not args.stages:
        command.append("--quiet")
    if args.parquet:
        command.append("--parquet")
    if args.no_attributions:
        command.append("--no-attributions")
    if args.workers:
        command += ["--workers", str(args.workers)]
    command += param_options(args.params)
    shown = ["wiretrace", *command[len(wiretrace_command()):]]
    row["command"] = " ".join(shown)
    log(f"{n:,} articles: {row['command']}")
    try:
        got = run_trace(command, args.timeout, args.stages)
        row.update({k: got[k] for k in ("returncode", "seconds", "max_rss", "tree_rss",
                                        "tree_pss", "max_processes", "cpu_seconds", "stages")})
        # what the machine must hold: the PSS sum, at least the largest process
        row["peak_total"] = max(got["tree_pss"] or got["tree_rss"] or 0, got["max_rss"])
        row["memory_samples"] = got["samples"][:: max(1, len(got["samples"]) // 400)]
        if got["stopped"] == "timeout":
            row["status"] = "timeout"
            row["message"] = f"stopped after {args.timeout:.0f} s (--timeout)"
            row["last_progress"] = [line for _, line in got["stderr"][-3:]]
        elif got["stopped"] == "memory":
            row["status"] = "out of memory"
            row["message"] = ("stopped: available memory fell under "
                              f"{human_bytes(MEMORY_FLOOR)} / 3 %")
        elif got["returncode"] != 0:
            row["status"] = "failed"
            row["message"] = " | ".join(line for _, line in got["stderr"][-5:])
        if row["status"] != "ok":
            log(f"{n:,} articles: {row['status']}: {row.get('message', '')}")
            return row
        summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
        stats = summary.get("stats", {})
        row["trace_stats"] = stats
        row["cli_wall_seconds"] = summary.get("wall_seconds")
        row["output_bytes"] = {p.name: p.stat().st_size for p in sorted(out_dir.iterdir())}
        started = time.perf_counter()
        row["scores"] = score(corpus, out_dir, args.parquet,
                              param_value(args.params, "min_passage_words"),
                              param_value(args.params, "story_min_share"))
        row["scoring_seconds"] = round(time.perf_counter() - started, 1)
    finally:
        if args.keep:
            row["output"] = rel(out_dir)
            log(f"{n:,} articles: results kept in {rel(out_dir)}")
        else:
            shutil.rmtree(out_dir, ignore_errors=True)
    return row
