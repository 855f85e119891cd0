"""``wiretrace compare``: two articles side by side, or the passages of many pairs."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console

from wiretrace.cli.common import (
    Failure,
    add_input_options,
    add_param_options,
    describe_error,
    make_params,
    plural,
    read_inputs,
    read_options,
    say,
)
from wiretrace.ingest import read_articles
from wiretrace.model import Article, Diff, Story, TraceResult
from wiretrace.output.compare_view import render_diff, render_passages
from wiretrace.output.files import dumps, passage_row, write_jsonl
from wiretrace.output.report import write_report
from wiretrace.output.terminal import StageProgress, summary_table
from wiretrace.params import TraceParams
from wiretrace.pipeline import align_articles, compare
from wiretrace.text.cache import TextCache
from wiretrace.text.tokens import Tokens

# Source files ``compare --pairs`` keeps read and tokenised (sources recur across pairs).
SOURCES_KEPT = 256
# The parameters that act on one pair: how it is aligned and diffed (the others
# find candidate pairs across a corpus and group stories).
PAIR_PARAMS = ("anchor_ngram", "max_gap", "min_passage_words", "min_passage_chars",
               "sentence_similarity", "max_sentence_gap", "min_reworded_chars",
               "spelling_min_similarity")


class Skipped(Exception):
    """A pair of ``compare --pairs`` that cannot be used (bad line, unreadable file)."""


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               epilog: str) -> argparse.ArgumentParser:
    """Add ``compare`` to the ``wiretrace`` command."""
    p = subparsers.add_parser(
        "compare", parents=parents, epilog=epilog,
        help="compare two articles side by side, or align many pairs (--pairs)",
        description="Compare two articles A and B (text files or single-article inputs): "
                    "reused passages side by side with changes marked, shares, changed "
                    "facts (figures, negations, opposites, modal verbs, names), spelling "
                    "variants and a summary.  With --pairs, align every pair listed in a "
                    "file and stream the passages to --out as JSONL.")
    p.add_argument("--passages", action="store_true",
                   help="show every reused passage side by side with its marks, and each "
                        "change in full (the default shows only what changed)")
    p.add_argument("--html", type=Path, metavar="FILE",
                   help="also write the pair as an HTML report (side by side and changes "
                        "only), as trace's report shows a story")
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
    add_param_options(p, PAIR_PARAMS)
    p.set_defaults(func=cmd_compare, parser=p)
    return p


def _one_article(args: argparse.Namespace, path: str) -> Article:
    articles, rejected = read_inputs(args, [path])
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
    elif args.passages:
        render_passages(out, diff, articles)
    else:
        render_diff(out, diff, articles)
    if args.html is not None:
        written = write_report(pair_result(a, b, diff), args.html,
                               title=f"{b.id} against {a.id}")
        if not args.json:
            say(out, f"Report: {written}")
    return 0


def pair_result(a: Article, b: Article, diff: Diff) -> TraceResult:
    """Two compared articles as a run's result, so that the report shows them as it
    shows a story: B against A, with the credits of each."""
    from wiretrace.attribute import attribute_text

    story = Story("compared", [a.id, b.id], a.id, "given as A")
    diff = dataclasses.replace(diff, story=story.id)
    return TraceResult({a.id: a, b.id: b}, list(diff.passages), [story], [diff], [],
                       attributions=attribute_text(a.text, a.id) + attribute_text(b.text, b.id))


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
                    progress.log(f"{args.pairs}:{number}: failed: {describe_error(e)}", style="red")
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
