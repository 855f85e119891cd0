"""``wiretrace attribute``: who each article credits for what, without the rest
of a trace (no pairs, no stories)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from wiretrace.attribute import attribute_text
from wiretrace.cli.common import INPUT_HELP, add_input_options, plural, read_inputs, say
from wiretrace.model import Attribution
from wiretrace.output.files import dumps, jsonl_writer


def add_parser(sub: argparse._SubParsersAction, parents: list, epilog: str
               ) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "attribute", parents=parents, epilog=epilog,
        help="list who each article credits for what (source, cue, content)",
        description="Find the attributions of every article: the source credited (a person, "
                    "an outlet, an anonymous official), the cue (said, told, reports that, "
                    "according to), the content attributed, the kind of credit, the medium "
                    "named (told The Associated Press) and the normalised entities.  Prints a "
                    "table per article, or JSON lines with --json, or writes --out FILE.")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help=INPUT_HELP)
    p.add_argument("--json", action="store_true",
                   help="print one JSON object per attribution (the rows of attributions.jsonl)")
    p.add_argument("--out", type=Path, metavar="FILE", default=None,
                   help="write the rows to this JSONL file instead of printing them")
    p.add_argument("--credits-only", action="store_true",
                   help="only attributions that credit someone for information (is_credit)")
    add_input_options(p)
    p.set_defaults(func=cmd_attribute, parser=p)
    return p


def _short(text: str | None, width: int = 70) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _table(article: str, found: list[Attribution]) -> Table:
    table = Table(title=f"{article}: {plural(len(found), 'attribution')}", title_justify="left")
    for name in ("source", "entity", "medium", "cue", "kind", "content"):
        table.add_column(name, overflow="fold")
    for item in found:
        table.add_row(_short(item.source_text, 40), item.source_entity or "-",
                      item.medium_entity or "-", item.cue_text, item.kind,
                      _short(item.content_text))
    return table


def cmd_attribute(args: argparse.Namespace, out: Console, err: Console) -> int:
    articles, rejected = read_inputs(args, args.inputs)
    for record in rejected:
        say(err, f"{record.source}:{record.location}: {record.reason}", "yellow")
    count = 0
    with jsonl_writer(args.out) if args.out else _stdout_writer() as write:
        for article in articles:
            found = attribute_text(article.text, article.id)
            if args.credits_only:
                found = [a for a in found if a.is_credit]
            count += len(found)
            if args.json or args.out:
                for item in found:
                    write(item)
            else:
                out.print(_table(article.id, found))
    if args.out:
        say(err, f"{plural(count, 'attribution')} in {plural(len(articles), 'article')} "
                 f"written to {args.out}")
    if rejected:
        say(err, f"{plural(len(rejected), 'input record')} rejected and skipped", "yellow")
    return 0 if articles or not rejected else 1


class _stdout_writer:
    """JSON lines to standard output, with the ``jsonl_writer`` interface."""

    def __enter__(self):
        def write(row: Attribution) -> None:
            sys.stdout.write(dumps(row.to_dict()) + "\n")
        return write

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()
