"""The ``wiretrace`` command: a thin shell over the Python API.

Exit codes: 0 success (also when some input records were rejected: they are
listed in ``rejected.jsonl``; or kept with an unusable field left empty: listed
in ``warnings.jsonl``), 1 failure (no readable article, unreadable
input, an unexpected error), 2 bad usage (unknown option, invalid parameter
value), 130 interrupted.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console

from wiretrace import __version__
from wiretrace.cli import serve
from wiretrace.cli.common import (
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
from wiretrace.ingest import iter_articles, read_articles
from wiretrace.model import Article, FieldWarning
from wiretrace.output.files import dumps, jsonl_writer, passage_row, write_jsonl, write_outputs
from wiretrace.output.terminal import StageProgress, render_diff, summary_table
from wiretrace.params import TraceParams
from wiretrace.pipeline import align_articles, compare, trace
from wiretrace.runtime.article_store import ArticleStore
from wiretrace.text.cache import TextCache
from wiretrace.text.tokens import Tokens

# Source files ``compare --pairs`` keeps read and tokenised (sources recur across pairs).
SOURCES_KEPT = 256

EPILOG = "exit codes: 0 done, 1 failed (no readable input, error), 2 bad usage, 130 interrupted"




class Skipped(Exception):
    """A pair of ``compare --pairs`` that cannot be used (bad line, unreadable file)."""


# --------------------------------------------------------------------------- parser















def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress bars or progress lines")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback of an unexpected error")
    parser = argparse.ArgumentParser(
        prog="wiretrace", epilog=EPILOG,
        description="Find reused passages across news articles, group articles into "
                    "stories and show what each version changed.")
    parser.add_argument("--version", action="version", version=f"wiretrace {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bars or progress lines")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "trace", parents=[common], epilog=EPILOG,
        help="find reused passages and stories in a set of articles, write result files",
        description="Read articles, find reused passages, group them into stories, diff each "
                    "version against its story's origin and write into --out: articles.jsonl, "
                    "passages.jsonl, stories.jsonl, diffs.jsonl, rejected.jsonl, "
                    "summary.json, report.html (and *.parquet with --parquet).  Records "
                    "without a usable id or text are skipped and listed in rejected.jsonl; "
                    "an unusable title, outlet, url or date is left empty and listed in "
                    "warnings.jsonl (written when there is one).")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files or folders: .txt (one article per file), .jsonl, .csv, .parquet")
    p.add_argument("--out", "-o", required=True, type=Path, metavar="DIR",
                   help="folder for the result files (created if missing; files are replaced)")
    p.add_argument("--parquet", action="store_true",
                   help="also write articles.parquet, passages.parquet and stories.parquet")
    p.add_argument("--no-report", action="store_true", help="do not write report.html")
    p.add_argument("--workers", type=positive_int, metavar="N", default=None,
                   help="processes for the per-article and per-pair work (default: one per "
                        "core); the results do not depend on it")
    p.add_argument("--temp-dir", type=Path, metavar="DIR", default=None,
                   help="where the articles are kept (a memory-mapped file) and the seed index "
                        "spills while it is built (default: the system's temporary folder; "
                        "needs about the input's size plus 8 bytes per word of input)")
    add_input_options(p)
    add_param_options(p)
    p.set_defaults(func=cmd_trace, parser=p)

    p = sub.add_parser(
        "compare", parents=[common], epilog=EPILOG,
        help="compare two articles side by side, or align many pairs (--pairs)",
        description="Compare two articles A and B (text files or single-article inputs): "
                    "reused passages side by side with changes marked, shares, changed "
                    "facts (figures, negations, opposites, modal verbs, names), spelling "
                    "variants and a summary.  With --pairs, align every pair listed in a "
                    "file and stream the passages to --out as JSONL.")
    p.add_argument("articles", nargs="*", metavar="FILE",
                   help="A and B: the two articles to compare (not with --pairs)")
    p.add_argument("--json", action="store_true",
                   help="print the diff (with its passages) as JSON instead of tables")
    p.add_argument("--pairs", type=Path, metavar="FILE",
                   help="file with one pair of text files per line (tab or whitespace "
                        "separated, relative to the file's folder; '#' starts a comment)")
    p.add_argument("--out", "-o", type=Path, metavar="FILE",
                   help="with --pairs: JSONL file for the passages (one per line: a, a_start, "
                        "a_end, b, b_start, b_end, score, matched_words, a_text, b_text)")
    add_input_options(p)
    add_param_options(p)
    p.set_defaults(func=cmd_compare, parser=p)

    serve.add_parser(sub, [common], EPILOG)

    from wiretrace.cli.index import add_parser as add_index_parser  # imports this module

    add_index_parser(sub, [common])
    return parser










def _read(args: argparse.Namespace, paths: list[str]) -> tuple[list[Article], list]:
    check_inputs(paths)
    return read_articles(paths, **read_options(args))








# --------------------------------------------------------------------------- trace

def cmd_trace(args: argparse.Namespace, out: Console, err: Console) -> int:
    started = time.perf_counter()
    params = make_params(args)
    check_inputs(args.inputs)
    if args.out.exists() and not args.out.is_dir():
        raise Failure(f"--out {args.out} exists and is not a folder")
    args.out.mkdir(parents=True, exist_ok=True)
    with StageProgress(err, enabled=not args.quiet) as progress:
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
        rejected_file = args.out / "rejected.jsonl"
        if not articles:
            write_jsonl(rejected, rejected_file)
            if rejected:
                raise Failure(f"no readable article in the input; "
                              f"{plural(len(rejected), 'record')} rejected, see {rejected_file}")
            raise Failure("no article found in the input")
        from wiretrace.output.report import MAX_STORIES

        # diffs go to their file as they are made; the result keeps those the
        # report shows
        with jsonl_writer(args.out / "diffs.jsonl") as write_diff:
            result = trace(articles, params=params, rejected=rejected, progress=progress,
                           workers=args.workers, diff_sink=write_diff, keep_diffs=MAX_STORIES,
                           temp_dir=args.temp_dir, warnings=warnings)
        progress("write", 0, 1)
        extra = {"version": __version__, "inputs": list(args.inputs),
                 "params": dataclasses.asdict(params),
                 "wall_seconds": round(time.perf_counter() - started, 3)}
        written = write_outputs(result, args.out, parquet=args.parquet, extra=extra,
                                diffs_written=True, workers=result.stats["workers"])
        if not args.no_report:
            from wiretrace.output.report import write_report

            written["report.html"] = Path(write_report(result, args.out / "report.html"))
        progress("write", 1, 1)
    wall = time.perf_counter() - started

    n_rej, pairs = len(result.rejected), (result.stats or {}).get("candidate_pairs")
    out.print(summary_table("wiretrace trace", [
        ("articles read", len(result.articles), None),
        ("rejected", n_rej, "yellow" if n_rej else None),
        ("field warnings", len(warnings), "yellow" if warnings else None),
        ("candidate pairs", pairs if isinstance(pairs, int) else "-", None),
        ("reused passages", (result.stats or {}).get("reuse_passages", "-"), None),
        ("template matches set aside", len(result.passages)
         - (result.stats or {}).get("reuse_passages", len(result.passages)), None),
        ("stories", len(result.stories), None),
        ("articles in stories", sum(len(s.members) for s in result.stories), None),
        ("wall time", f"{wall:.1f} s", None)]))
    largest = max(result.stories, key=lambda s: len(s.members), default=None)
    if largest is not None:
        diff = next((d for d in result.diffs if d.story == largest.id), None)
        say(out, f"Largest story: {largest.id}, {plural(len(largest.members), 'article')}, "
                  f"origin {largest.origin}" + (f"; {diff.summary}" if diff else ""))
    if n_rej:
        say(out, f"{plural(n_rej, 'input record')} rejected and skipped; "
                  f"see {rejected_file} for where and why.", "yellow")
    if warnings:
        say(out, warnings_line(warnings, str(args.out / "warnings.jsonl")), "yellow")
    say(out, f"Results written to {args.out}{os.sep}")
    if "report.html" in written:
        say(out, f"Report: {written['report.html']}")
    return 0


# --------------------------------------------------------------------------- compare

def _one_article(args: argparse.Namespace, path: str) -> Article:
    articles, rejected = _read(args, [path])
    if not articles:
        why = "; ".join(r.reason for r in rejected[:3]) or "no article found"
        raise Failure(f"cannot read {path}: {why}")
    if len(articles) > 1:
        raise Failure(f"{path} holds {len(articles)} articles; compare needs exactly one each")
    return articles[0]


def _compile_first(args: argparse.Namespace, err: Console) -> None:
    """On a first run, compile the kernels in worker processes, saying so: one
    compare compiles most of them (48 s in one process, 2026-12), and would
    otherwise sit silent that long."""
    from wiretrace.runtime import compiled
    from wiretrace.runtime.workers import default_workers

    if compiled.needs_compiling():
        if not args.quiet:
            say(err, "compiling wiretrace's kernels (first run only, about half a minute)")
        compiled.compile_kernels(default_workers())


def cmd_compare(args: argparse.Namespace, out: Console, err: Console) -> int:
    if args.pairs is not None:
        if args.articles or args.out is None:
            args.parser.error("--pairs takes no A B arguments and needs --out FILE")
        params = make_params(args)
        return compare_pairs(args, params, out, err)
    if len(args.articles) != 2:
        args.parser.error("compare needs exactly two articles A B (or --pairs FILE --out FILE)")
    if args.out is not None:
        args.parser.error("--out is only used with --pairs")
    params = make_params(args)
    a, b = (_one_article(args, p) for p in args.articles)
    if a.id == b.id:  # two files with the same name in different folders
        a, b = (dataclasses.replace(x, id=p) for x, p in zip((a, b), args.articles, strict=True))
    _compile_first(args, err)
    diff = compare(a, b, params=params)
    articles = {a.id: a, b.id: b}
    if args.json:
        doc = diff.to_dict()
        doc["passages"] = [passage_row(p, articles) for p in diff.passages]
        sys.stdout.write(dumps(doc, indent=2) + "\n")
    else:
        render_diff(out, diff, articles)
    return 0


def compare_pairs(args: argparse.Namespace, params: TraceParams, out: Console,
                  err: Console) -> int:
    started = time.perf_counter()
    try:
        lines = args.pairs.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise Failure(f"cannot read pairs file {args.pairs}: {e}") from None
    base = args.pairs.parent
    counts = {"pairs": 0, "compared": 0, "failed": 0, "passages": 0}
    # sources recur across pairs: the last ones read, and tokenised, are kept
    texts = TextCache(SOURCES_KEPT)

    @functools.lru_cache(maxsize=SOURCES_KEPT)
    def read(name: str) -> Article | Skipped:
        found, rejected = read_articles([base / name], **read_options(args))
        if len(found) == 1:  # the id is the path as written in the pairs file
            return dataclasses.replace(found[0], id=name)
        why = "; ".join(r.reason for r in rejected[:2]) or f"{len(found)} articles"
        return Skipped(f"{name}: {why}")

    def article(name: str) -> tuple[Article, Tokens]:
        found = read(name)
        if isinstance(found, Skipped):
            raise found
        return found, texts.tokens(name, found.text)

    with StageProgress(err, enabled=not args.quiet) as progress:
        def rows() -> Iterator[dict]:
            todo = [(n, ln) for n, ln in enumerate(lines, 1)
                    if ln.strip() and not ln.lstrip().startswith("#")]
            for i, (number, line) in enumerate(todo, 1):
                progress("align", i - 1, len(todo))
                counts["pairs"] += 1
                parts = line.rstrip("\r\n").split("\t") if "\t" in line else line.split()
                parts = [p.strip() for p in parts if p.strip()]
                try:
                    if len(parts) != 2:
                        found = plural(len(parts), 'field')
                        raise Skipped(f"expected two paths, found {found}")
                    (a, tokens_a), (b, tokens_b) = article(parts[0]), article(parts[1])
                    passages = align_articles(a, tokens_a, b, tokens_b, params)
                except Skipped as e:
                    counts["failed"] += 1
                    progress.log(f"{args.pairs}:{number}: skipped: {e}", style="yellow")
                    continue
                except Exception as e:
                    if args.debug:
                        raise
                    counts["failed"] += 1
                    progress.log(f"{args.pairs}:{number}: failed: {_describe(e)}", style="red")
                    continue
                counts["compared"] += 1
                articles = {a.id: a, b.id: b}
                for p in passages:
                    counts["passages"] += 1
                    yield passage_row(p if p.a == a.id else p.swapped(), articles)
            progress("align", len(todo), len(todo))

        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_jsonl(rows(), args.out)

    out.print(summary_table("wiretrace compare --pairs", [
        ("pairs listed", counts["pairs"], None),
        ("pairs compared", counts["compared"], None),
        ("pairs skipped", counts["failed"], "yellow" if counts["failed"] else None),
        ("passages written", counts["passages"], None),
        ("wall time", f"{time.perf_counter() - started:.1f} s", None)]))
    if counts["failed"]:
        say(out, f"{plural(counts['failed'], 'pair')} skipped (bad line, unreadable file "
                  f"or error); the reasons are listed on stderr.", "yellow")
    say(out, f"Passages written to {args.out}")
    if not counts["compared"]:
        raise Failure("no pair could be compared" if counts["pairs"] else
                      f"no pairs listed in {args.pairs}")
    return 0


# --------------------------------------------------------------------------- main



def _describe(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        out, err = Console(), Console(stderr=True, soft_wrap=True)
        try:
            return args.func(args, out, err)
        except Failure as e:
            say(err, f"wiretrace: error: {e}", "red")
            return 1
        except KeyboardInterrupt:
            say(err, "wiretrace: interrupted", "red")
            return 130
        except Exception as e:
            if args.debug:
                raise
            say(err, f"wiretrace: error: {_describe(e)} (run with --debug for the traceback)",
                 "red")
            return 1
    except SystemExit as e:  # argparse: --help, --version, bad usage
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
