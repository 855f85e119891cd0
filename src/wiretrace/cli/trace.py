"""``wiretrace trace``: read articles, run the batch pipeline, write the result files."""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console

from wiretrace import __version__
from wiretrace.cli.common import (
    INPUT_HELP,
    Failure,
    add_input_options,
    add_param_options,
    check_inputs,
    make_params,
    plural,
    positive_int,
    read_options,
    say,
    warnings_line,
)
from wiretrace.ingest import iter_articles
from wiretrace.model import Article, FieldWarning, TraceResult
from wiretrace.output.files import (
    jsonl_writer,
    summary,
    write_json,
    write_jsonl,
    write_outputs,
)
from wiretrace.output.terminal import StageProgress, summary_table
from wiretrace.params import TraceParams
from wiretrace.pipeline import trace
from wiretrace.runtime.article_store import ArticleStore


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               epilog: str) -> argparse.ArgumentParser:
    """Add ``trace`` to the ``wiretrace`` command."""
    p = subparsers.add_parser(
        "trace", parents=parents, epilog=epilog,
        help="find reused passages and stories in a set of articles, write result files",
        description="Read articles, find reused passages, group them into stories, diff each "
                    "version against its story's origin and write into --out: articles.jsonl, "
                    "passages.jsonl, stories.jsonl, diffs.jsonl, attributions.jsonl, "
                    "rejected.jsonl, "
                    "summary.json, report.html (and *.parquet with --parquet; with --engine "
                    "spark Parquet datasets, and the JSONL files with --jsonl).  Records "
                    "without a usable id or text are skipped and listed in rejected.jsonl; "
                    "an unusable title, outlet, url or date is left empty and listed in "
                    "warnings.jsonl (written when there is one).")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help=INPUT_HELP)
    p.add_argument("--out", "-o", required=True, type=Path, metavar="DIR",
                   help="folder for the result files (created if missing; files are replaced)")
    p.add_argument("--parquet", action="store_true",
                   help="also write articles.parquet, passages.parquet, stories.parquet and "
                        "outlets.parquet (--engine spark always writes articles, passages, "
                        "stories, diffs and attributions as Parquet datasets, a folder each, "
                        "from the executors)")
    p.add_argument("--jsonl", action="store_true",
                   help="with --engine spark: also write the local run's JSONL files, "
                        "brought to this machine (the local engine always writes them)")
    p.add_argument("--no-report", action="store_true", help="do not write report.html")
    p.add_argument("--no-attributions", action="store_true",
                   help="do not look for who each article credits (attributions.jsonl and "
                        "the credits in diffs); the attribution tagger is the slowest stage "
                        "on short wire items")
    p.add_argument("--workers", type=positive_int, metavar="N", default=None,
                   help="processes for the per-article and per-pair work (default: one per "
                        "core); the results do not depend on it")
    p.add_argument("--engine", choices=("local", "spark"), default="local",
                   help="local: this machine's cores (the default); spark: the same stages "
                        "on Apache Spark at --master (pip install 'wiretrace[spark]'; the "
                        "inputs are read by its executors, a file per task)")
    p.add_argument("--master", default="local[2]", metavar="URL",
                   help="with --engine spark: the Spark master (local[N], spark://host:7077, "
                        "yarn ...; default: local[2])")
    p.add_argument("--temp-dir", type=Path, metavar="DIR", default=None,
                   help="where the articles are kept (a memory-mapped file) and the seed index "
                        "spills while it is built (default: the system's temporary folder; "
                        "needs about the input's size plus 8 bytes per word of input)")
    add_input_options(p)
    add_param_options(p)
    p.set_defaults(func=cmd_trace, parser=p)
    return p


def _on_spark(args: argparse.Namespace, params: TraceParams, attribute: bool,
              progress: StageProgress) -> TraceResult:
    """The run on Spark (``wiretrace.spark``): the inputs read on the executors by
    the same readers, the stages there, the tables written as Parquet datasets by
    the executors.  The result comes to this machine for the report and, with
    ``--jsonl``, the local run's files (diffs and attributions streamed to theirs);
    with neither, only the stories and counts do."""
    try:
        from wiretrace.spark.driver import spark_session, trace_files
    except ImportError:
        raise Failure("--engine spark needs pyspark: pip install 'wiretrace[spark]'") from None
    from wiretrace.output.report import MAX_STORIES

    spark, made_here = spark_session(args.master)
    try:
        progress("read", 0, 0)
        found = trace_files(spark, args.inputs, read_options(args), params, attribute)
        if found.stats["articles"] == 0:
            _nothing_read(found.rejected, args.out)
        found.write_parquet(str(args.out))
        if not args.jsonl:
            if args.no_report:
                return TraceResult({}, [], found.stories, [], found.rejected, found.stats,
                                   found.warnings, None, found.provenance, found.outlets)
            return found.to_result(MAX_STORIES, args.temp_dir)
        with jsonl_writer(args.out / "diffs.jsonl") as write_diff, \
                jsonl_writer(args.out / "attributions.jsonl") as write_attribution:
            return found.to_result(MAX_STORIES, args.temp_dir, write_diff,
                                   write_attribution if attribute else None)
    finally:
        if made_here:
            spark.stop()


def _nothing_read(rejected: list, out_dir: Path) -> NoReturn:
    """No article in the input: the rejections written, and the run stopped."""
    rejected_file = out_dir / "rejected.jsonl"
    write_jsonl(rejected, rejected_file)
    if rejected:
        raise Failure(f"no readable article in the input; "
                      f"{plural(len(rejected), 'record')} rejected, see {rejected_file}")
    raise Failure("no article found in the input")


def _counts_and_problems(result: TraceResult, out_dir: Path, extra: dict) -> dict[str, Path]:
    """What the driver writes beside Spark's datasets: ``rejected.jsonl``,
    ``warnings.jsonl`` (when there are some) and ``summary.json`` (its counts the
    run's stats: the articles and passages stayed on Spark)."""
    write_jsonl(result.rejected, out_dir / "rejected.jsonl")
    if result.warnings:
        write_jsonl(result.warnings, out_dir / "warnings.jsonl")
    else:
        (out_dir / "warnings.jsonl").unlink(missing_ok=True)
    write_json(summary(result, extra), out_dir / "summary.json")
    return {name: out_dir / name for name in ("rejected.jsonl", "summary.json")}


def _on_this_machine(args: argparse.Namespace, params: TraceParams, attribute: bool,
                     progress: StageProgress) -> tuple[TraceResult, list[FieldWarning]]:
    """The local run: the inputs read here into the run's article store, the
    stages on this machine's cores, diffs and attributions streamed to their files."""
    progress("read", 0, 0)
    rejected: list = []
    warnings: list[FieldWarning] = []

    def accepted() -> Iterator[Article]:
        """Articles as they are read (into the run's store), rejections and field
        warnings aside."""
        count = 0
        for item in iter_articles(args.inputs, **read_options(args), warnings=warnings):
            if isinstance(item, Article):
                count += 1
                if count % 10_000 == 0:
                    progress("read", count, 0)
                yield item
            else:
                rejected.append(item)

    articles = ArticleStore.build(accepted(), args.temp_dir)
    progress("read", len(articles), len(articles))
    if not articles:
        _nothing_read(rejected, args.out)
    from wiretrace.output.report import MAX_STORIES

    # diffs go to their file as they are made; the result keeps those the report shows
    with jsonl_writer(args.out / "diffs.jsonl") as write_diff, \
            jsonl_writer(args.out / "attributions.jsonl") as write_attribution:
        result = trace(articles, params=params, rejected=rejected, progress=progress,
                       workers=args.workers, diff_sink=write_diff,
                       keep_diffs=MAX_STORIES, temp_dir=args.temp_dir,
                       warnings=warnings, attribute=attribute,
                       attribution_sink=write_attribution if attribute else None)
    return result, warnings


def cmd_trace(args: argparse.Namespace, out: Console, err: Console) -> int:
    started = time.perf_counter()
    params = make_params(args)
    check_inputs(args.inputs)
    if args.out.exists() and not args.out.is_dir():
        raise Failure(f"--out {args.out} exists and is not a folder")
    args.out.mkdir(parents=True, exist_ok=True)
    with StageProgress(err, enabled=not args.quiet) as progress:
        attribute = not args.no_attributions
        if args.engine == "spark":
            result = _on_spark(args, params, attribute, progress)
            warnings = result.warnings
        else:
            result, warnings = _on_this_machine(args, params, attribute, progress)
        if not attribute:
            (args.out / "attributions.jsonl").unlink(missing_ok=True)
        progress("write", 0, 1)
        extra = {"version": __version__, "inputs": list(args.inputs),
                 "params": dataclasses.asdict(params),
                 "wall_seconds": round(time.perf_counter() - started, 3)}
        if args.engine == "local" or args.jsonl:
            written = write_outputs(result, args.out,
                                    parquet=args.parquet and args.engine == "local", extra=extra,
                                    diffs_written=True,
                                    workers=result.stats["workers"] if args.engine == "local"
                                    else 1, attributions_written=attribute)
        else:
            written = _counts_and_problems(result, args.out, extra)
        if not args.no_report:
            from wiretrace.output.report import write_report

            written["report.html"] = Path(write_report(result, args.out / "report.html"))
        progress("write", 1, 1)
    wall = time.perf_counter() - started

    n_rej, pairs = len(result.rejected), (result.stats or {}).get("candidate_pairs")
    out.print(summary_table("wiretrace trace", [
        ("articles read", result.stats["articles"], None),
        ("rejected", n_rej, "yellow" if n_rej else None),
        ("field warnings", len(warnings), "yellow" if warnings else None),
        ("candidate pairs", pairs if isinstance(pairs, int) else "-", None),
        ("reused passages", (result.stats or {}).get("reuse_passages", "-"), None),
        ("template matches set aside", result.stats["passages"]
         - result.stats["reuse_passages"], None),
        ("stories", len(result.stories), None),
        ("attributions", (result.stats or {}).get("attributions", 0) if attribute else "off",
         None),
        ("articles in stories", sum(len(s.members) for s in result.stories), None),
        ("wall time", f"{wall:.1f} s", None)]))
    largest = max(result.stories, key=lambda s: len(s.members), default=None)
    if largest is not None:
        diff = next((d for d in result.diffs if d.story == largest.id), None)
        say(out, f"Largest story: {largest.id}, {plural(len(largest.members), 'article')}, "
                  f"origin {largest.origin}" + (f"; {diff.summary}" if diff else ""))
    if n_rej:
        say(out, f"{plural(n_rej, 'input record')} rejected and skipped; "
                  f"see {args.out / 'rejected.jsonl'} for where and why.", "yellow")
    if warnings:
        say(out, warnings_line(warnings, str(args.out / "warnings.jsonl")), "yellow")
    say(out, f"Results written to {args.out}{os.sep}")
    if "report.html" in written:
        say(out, f"Report: {written['report.html']}")
    return 0
