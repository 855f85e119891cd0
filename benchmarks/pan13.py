"""PAN 2013 text-alignment benchmark of wiretrace's pairwise aligner.

Reads every pair listed in the ``pairs`` files of the PAN 2013 training corpus
(``pan13-train.tar.xz`` among the shared archives, see
``wiretrace.evaluate.corpora``), aligns each suspicious document (side ``a``) with its
source (side ``b``) exactly as ``wiretrace compare --pairs`` does, with the
default ``TraceParams()``, and scores the passages against the truth with the
PAN measures of ``wiretrace.evaluate.pan``, per folder (obfuscation type) and over
the whole corpus.  ``01-no-plagiarism`` has no cases: its detections are all
false and count against the overall precision.

    python benchmarks/pan13.py                       # all 5,185 pairs
    python benchmarks/pan13.py --folders 02 03 --limit 100 --jobs 4
    python benchmarks/pan13.py --errors --json pan13.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from wiretrace.evaluate.corpora import unpack
from wiretrace.evaluate.pan import Scores, Span4, coverage, overlaps, read_pan_xml, score
from wiretrace.model import Article
from wiretrace.params import TraceParams
from wiretrace.pipeline import align_articles
from wiretrace.text.tokens import Tokens, tokenize

ARCHIVE = "pan13-train.tar.xz"
Pair = tuple[str, str, str]  # folder, suspicious file, source file
LENGTH_BUCKETS = (0, 250, 500, 1000, 2000)
COVER_BUCKETS = ((0.0, 0.0, "0"), (0.0, 0.25, "(0, .25)"), (0.25, 0.5, "[.25, .5)"),
                 (0.5, 0.75, "[.5, .75)"), (0.75, 1.0, "[.75, 1)"), (1.0, 1.0, "1"))

_root: Path = Path()
_params = TraceParams()


def corpus_root() -> Path:
    return unpack(ARCHIVE) / "train_corpus"


def read_text(root: Path, kind: str, name: str) -> str:
    # Decode the bytes: read_text() would translate newlines and shift offsets.
    return (root / kind / name).read_bytes().decode("utf-8")


def list_pairs(root: Path, folders: list[str] | None, limit: int | None) -> list[Pair]:
    names = sorted(p.name for p in root.iterdir() if (p / "pairs").is_file())
    if folders:
        unknown = [f for f in folders if not any(n.startswith(f) for n in names)]
        if unknown:
            sys.exit(f"unknown folder(s) {unknown}; corpus folders are {names}")
        names = [n for n in names if any(n.startswith(f) for f in folders)]
    pairs: list[Pair] = []
    for name in names:
        lines = (root / name / "pairs").read_text(encoding="utf-8").split("\n")
        rows = [line.split() for line in lines if line.strip()]
        pairs.extend((name, susp, src) for susp, src in rows[:limit])
    return pairs


def truth_file(root: Path, pair: Pair) -> Path:
    folder, susp, src = pair
    return root / folder / f"{Path(susp).stem}-{Path(src).stem}.xml"


def _init_worker(root: Path, params: TraceParams | None = None) -> None:
    global _root, _params
    _root = root
    _params = params or TraceParams()
    _load.cache_clear()


@lru_cache(maxsize=32)
def _load(kind: str, name: str) -> tuple[Article, Tokens]:
    text = read_text(_root, kind, name)
    return Article(id=name, text=text), tokenize(text)


def _align(pair: Pair) -> list[tuple[int, int, int, int, str]]:
    _, susp, src = pair
    a, tokens_a = _load("susp", susp)
    b, tokens_b = _load("src", src)
    return [(p.a_start, p.a_end, p.b_start, p.b_end, p.kind)
            for p in align_articles(a, tokens_a, b, tokens_b, _params)]


# The kinds of the passages of the last ``align_all``, pair by pair.  PAN scores
# every passage (it has no templated text): a passage called ``template`` or
# ``boilerplate`` there is a rule misfiring on real reuse, counted as a diagnostic.
last_kinds: list[list[str]] = []


def align_all(root: Path, pairs: list[Pair], jobs: int,
              params: TraceParams | None = None) -> list[list[Span4]]:
    if jobs <= 1:
        _init_worker(root, params)
        raw = [_align(p) for p in pairs]
    else:
        chunk = max(1, min(32, len(pairs) // (jobs * 8) or 1))
        with multiprocessing.Pool(jobs, _init_worker, (root, params)) as pool:
            raw = list(pool.imap(_align, pairs, chunksize=chunk))
    last_kinds[:] = [[kind for *_, kind in spans] for spans in raw]
    return [[Span4(susp, s0, s1, src, r0, r1) for s0, s1, r0, r1, _ in spans]
            for (_, susp, src), spans in zip(pairs, raw, strict=True)]


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def table(rows: list[tuple[str, int, Scores]]) -> str:
    head = ("folder", "pairs", "cases", "dets", "prec", "rec", "gran", "plagdet",
            "m-prec", "m-rec", "m-plagdet")
    lines = [f"{head[0]:<28}" + "".join(f"{h:>7}" for h in head[1:4])
             + "".join(f"{h:>10}" for h in head[4:])]
    lines.append("-" * len(lines[0]))
    for name, n_pairs, s in rows:
        no_cases = s.cases == 0  # recall and plagdet are meaningless without cases
        values = (s.precision, None if no_cases else s.recall, s.granularity,
                  None if no_cases else s.plagdet, s.micro_precision,
                  None if no_cases else s.micro_recall, None if no_cases else s.micro_plagdet)
        if name == "overall":
            lines.append("-" * len(lines[0]))
        lines.append(f"{name:<28}{n_pairs:>7}{s.cases:>7}{s.detections:>7}"
                     + "".join(f"{fmt(v):>10}" for v in values))
    return "\n".join(lines)


def error_analysis(root: Path, cases: list[Span4], dets: list[Span4], examples: int) -> dict:
    """How well each case was covered, by case length, and the worst misses."""
    by_pair: dict[tuple[str, str], list[Span4]] = defaultdict(list)
    for d in dets:
        by_pair[d.susp, d.src].append(d)
    covered = [(c, coverage(c, by_pair[c.susp, c.src])) for c in cases]
    length_rows = []
    for lo, hi in zip(LENGTH_BUCKETS, LENGTH_BUCKETS[1:] + (None,), strict=True):
        group = [cov for c, cov in covered
                 if lo <= c.susp_end - c.susp_start < (hi or sys.maxsize)]
        length_rows.append({"chars": f"{lo}-{hi - 1}" if hi else f">={lo}", "cases": len(group),
                            "missed": sum(cov == 0 for cov in group),
                            "partial": sum(0 < cov < 1 for cov in group),
                            "mean_coverage": sum(group) / len(group) if group else None})
    cover_rows = {label: sum((lo < cov < hi) or (lo == hi == cov) for _, cov in covered)
                  for lo, hi, label in COVER_BUCKETS}
    missed = sorted((c for c, cov in covered if cov == 0),
                    key=lambda c: c.susp_start - c.susp_end)[:examples]
    texts = {name: read_text(root, "susp", name) for name in {c.susp for c in missed}}
    false_dets = [d for d in dets if not any(overlaps(c, d) for c in cases)]
    return {
        "by_length": length_rows,
        "by_coverage": cover_rows,
        "false_detections": len(false_dets),
        "false_detection_chars": sum(d.size for d in false_dets),
        "missed_examples": [
            {"susp": c.susp, "susp_range": [c.susp_start, c.susp_end], "src": c.src,
             "src_range": [c.src_start, c.src_end],
             "text": " ".join(texts[c.susp][c.susp_start:c.susp_end].split())[:80]}
            for c in missed],
    }


def print_errors(name: str, err: dict) -> None:
    print(f"\n== {name}: cases by suspicious-side length (coverage = share of the case's"
          " chars, both sides, found by detections of it)")
    print(f"  {'chars':<10}{'cases':>7}{'missed':>8}{'partial':>9}{'mean cov':>10}")
    for row in err["by_length"]:
        print(f"  {row['chars']:<10}{row['cases']:>7}{row['missed']:>8}{row['partial']:>9}"
              f"{fmt(row['mean_coverage']):>10}")
    print("  by coverage: " + ", ".join(f"{k}: {v}" for k, v in err["by_coverage"].items()))
    print(f"  detections matching no case: {err['false_detections']}"
          f" ({err['false_detection_chars']} chars)")
    for ex in err["missed_examples"]:
        s0, s1 = ex["susp_range"]
        r0, r1 = ex["src_range"]
        print(f"  missed {ex['susp']}[{s0}:{s1}] <- {ex['src']}[{r0}:{r1}] ({s1 - s0} chars)"
              f"\n    {ex['text']!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folders", nargs="+", metavar="NAME",
                        help="folders (or name prefixes such as 02) to run; default all")
    parser.add_argument("--limit", type=int, metavar="N", help="first N pairs per folder")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures here")
    parser.add_argument("--errors", action="store_true", help="per-folder error analysis")
    parser.add_argument("--examples", type=int, default=5,
                        help="missed cases listed per folder with --errors (default 5)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a TraceParams default, for studies (figures in "
                             "BENCHMARKS.md use the defaults)")
    args = parser.parse_args(argv)
    overrides = {}
    for item in args.set:
        name, _, value = item.partition("=")
        default = getattr(TraceParams(), name)
        overrides[name] = type(default)(value) if default is not None else int(value)
    params = TraceParams(**overrides)

    started = time.perf_counter()
    root = corpus_root()
    folders_arg = [f for arg in args.folders or () for f in arg.split(",") if f]
    pairs = list_pairs(root, folders_arg or None, args.limit)
    truth = [read_pan_xml(truth_file(root, p)) for p in pairs]
    align_start = time.perf_counter()
    detections = align_all(root, pairs, args.jobs, params)
    align_s = time.perf_counter() - align_start

    folders: dict[str, list[int]] = defaultdict(list)
    for i, (folder, _, _) in enumerate(pairs):
        folders[folder].append(i)
    rows, errors = [], {}
    for name, idx in folders.items():
        cases = [c for i in idx for c in truth[i]]
        dets = [d for i in idx for d in detections[i]]
        rows.append((name, len(idx), score(cases, dets)))
        if args.errors and cases:
            errors[name] = error_analysis(root, cases, dets, args.examples)
    rows.append(("overall", len(pairs), score([c for t in truth for c in t],
                                              [d for ds in detections for d in ds])))
    wall_s = time.perf_counter() - started

    print(table(rows))
    print("prec/rec/plagdet: macro-averaged (PAN official); m-: micro-averaged (pooled chars)."
          "\n'-': a folder with no cases has no recall; its detections count in the overall"
          " precision.")
    print(f"wall time {wall_s:.1f} s (alignment {align_s:.1f} s, {args.jobs} jobs),"
          f" {len(pairs) / align_s:.1f} pairs/s")
    for name, idx in folders.items():
        kinds = Counter(kind for i in idx for kind in last_kinds[i])
        print(f"passages by kind, {name}: " + ", ".join(f"{k} {n}" for k, n in
                                                        sorted(kinds.items())))
    for name, err in errors.items():
        print_errors(name, err)
    if args.json:
        figures = {"corpus": ARCHIVE, "params": asdict(params), "jobs": args.jobs,
                   "limit": args.limit, "wall_s": wall_s, "align_s": align_s,
                   "pairs_per_s": len(pairs) / align_s,
                   "folders": {n: {"pairs": k, **s.to_dict()} for n, k, s in rows},
                   "errors": errors}
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
