"""What every command of the command line shares: the input and parameter
options, reading the inputs, and the lines it prints.

``wiretrace trace`` and ``compare`` (:mod:`wiretrace.cli.trace`,
:mod:`wiretrace.cli.compare`) and ``wiretrace index`` (:mod:`wiretrace.cli.index`)
all import from here, so none imports another's
private helpers.
"""

from __future__ import annotations

import argparse
import codecs
import dataclasses
import inspect
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence

from rich.console import Console

from wiretrace.ingest import FieldNames, read_articles
from wiretrace.ingest.dates import check_date_format
from wiretrace.ingest.mojibake import MODES, check_mode
from wiretrace.ingest.warc_files import WARC_IDS
from wiretrace.model import Article, FieldWarning
from wiretrace.params import TraceParams

FIELDS = {"id": "id", "text": "text", "title": "title", "outlet": "outlet (publisher) name",
          "url": "URL", "published": "publication date/time", "author": "author (byline)",
          "topics": "topics (a list, or one text with ';' between them)",
          "places": "places (a list, or one text with ';' between them)"}


class Failure(Exception):
    """An expected failure: printed as one line, exit code 1."""


def param_help(name: str) -> str:
    """A parameter's help for ``--help``: its declared text, parameter names written
    as the options that set them."""
    options = {n: f"--{n.replace('_', '-')}" for n in TraceParams.names()}
    text = TraceParams.knob(name).help.replace("None (auto)", "auto").replace("%", "%%")
    return re.sub(r"\b(\w+)\b", lambda m: options.get(m.group(1), m.group(1)), text)


def int_or_auto(value: str) -> int | None:
    if value.lower() in ("auto", "none"):
        return None
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or 'auto', got {value!r}") from None


def encoding_name(value: str) -> str:
    try:
        codecs.lookup(value)
    except LookupError:
        raise argparse.ArgumentTypeError(f"unknown encoding {value!r}") from None
    return value


def checked_by(check: Callable[[str], object]) -> Callable[[str], str]:
    """An argparse type from a check that raises ValueError: the value as given, or
    the check's message as the usage error."""
    def convert(value: str) -> str:
        try:
            check(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return value

    return convert


date_format = checked_by(check_date_format)
mojibake_mode = checked_by(check_mode)


def positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return int(value)


def add_param_options(parser: argparse.ArgumentParser,
                      only: Sequence[str] | None = None) -> None:
    """An option for each of :class:`TraceParams` (those in ``only``, when given: a
    command offers only the parameters that act on what it does)."""
    group = parser.add_argument_group("trace parameters (see wiretrace.TraceParams)")
    for f in dataclasses.fields(TraceParams):
        if only is not None and f.name not in only:
            continue
        knob, default = TraceParams.knob(f.name), f.default
        if knob.auto:
            conv, metavar, default = int_or_auto, "N|auto", "auto" if default is None else default
        elif knob.kind is float:
            conv, metavar = float, "X"
        else:
            conv, metavar = int, "N"
        group.add_argument(f"--{f.name.replace('_', '-')}", dest=f"param_{f.name}", type=conv,
                           metavar=metavar, default=argparse.SUPPRESS,
                           help=f"{param_help(f.name)} (default: {default})")


def add_input_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("input options")
    for name, what in FIELDS.items():
        group.add_argument(f"--{name}-field", metavar="NAME", default=name,
                           help=f"JSONL key or CSV/Parquet column holding the article's {what} "
                                f"(default: {name})")
    group.add_argument("--date-format", type=date_format, metavar="FORMAT", default=None,
                       help="strptime format of the publication dates, e.g. '%%d/%%m/%%Y "
                            "%%H:%%M', tried before the automatic readers (ISO 8601, epoch "
                            "seconds, RFC 2822, 26-FEB-1987 15:01:01.79, '5 August 2023', "
                            "'August 5, 2023 10:30'); it must give the year, month and day.  "
                            "A date that no reader understands leaves the article without "
                            "one and is reported as a warning (trace: warnings.jsonl)")
    group.add_argument("--encoding", default="utf-8", type=encoding_name,
                       help="text encoding of .txt, JSONL and CSV inputs; a byte-order mark "
                            "in the file wins (default: utf-8)")
    group.add_argument("--mojibake", choices=MODES, default="auto",
                       type=mojibake_mode,
                       help="repair mojibake such as 'gÃ¼nlÃ¼k' for 'günlük' (ftfy, nothing "
                            "else changed; the repaired text is the text offsets point "
                            "into): auto repairs web pages and archives only, repair every "
                            "format, keep none (default: auto)")
    group.add_argument("--warc-id", choices=WARC_IDS, default="uri",
                       help="a web archive record's article id: uri, its WARC-Target-URI, "
                            "or record, its WARC-Record-ID (two captures of one URL are "
                            "then two articles, not a duplicate id) (default: uri)")
    default = inspect.signature(read_articles).parameters["max_chars"].default
    group.add_argument("--max-chars", type=positive_int, metavar="N", default=default,
                       help=f"reject articles longer than N characters (default: {default})")


def make_params(args: argparse.Namespace) -> TraceParams:
    given = {k[len("param_"):]: v for k, v in vars(args).items() if k.startswith("param_")}
    try:
        return TraceParams(**given)
    except ValueError as e:
        msg = str(e)
        name = msg.split(" ", 1)[0]
        if name in given:
            msg = f"--{name.replace('_', '-')}: {msg}"
        args.parser.error(msg)
        raise  # not reached: error() exits


def field_names(args: argparse.Namespace) -> FieldNames:
    return FieldNames(**{name: getattr(args, f"{name}_field") for name in FIELDS})


# what an INPUT argument may be, for every command that reads articles
INPUT_HELP = ("files or folders: .txt (one article per file), .jsonl, .csv, .parquet, "
              ".html/.htm (.gz) pages, .warc/.arc (.gz) web archives, .sgm (Reuters SGML) "
              "or a tar archive of .sgm files")


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def check_inputs(paths: list[str]) -> None:
    """Fail only when no input exists at all: a missing path among others is a
    rejected record (the readers say so) and the run goes on, as the README says."""
    missing = [str(p) for p in paths if not os.path.lexists(p)]
    if missing and len(missing) == len(paths):
        raise Failure(f"input not found: {', '.join(missing)}")


def read_options(args: argparse.Namespace) -> dict:
    return {"fields": field_names(args), "encoding": args.encoding, "max_chars": args.max_chars,
            "date_format": args.date_format, "mojibake": args.mojibake,
            "warc_id": args.warc_id}


# what a warning cost, per field, for the end-of-run line
WARNED = {"published": "unreadable date", "title": "unusable title",
           "outlet": "unusable outlet", "url": "unusable url", "author": "unusable author",
           "topics": "unusable topics", "places": "unusable places"}


def warnings_line(warnings: Sequence[FieldWarning], where: str) -> str:
    """The end-of-run line about field warnings, e.g. "3 warnings (3 unreadable dates):
    the articles were kept with those fields empty; see out/warnings.jsonl"."""
    kinds = Counter(w.field for w in warnings)
    detail = ", ".join(plural(n, WARNED.get(name, name)) for name, n in kinds.most_common())
    return (f"{plural(len(warnings), 'warning')} ({detail}): the articles were kept with "
            f"those fields empty; see {where}")


def say(console: Console, message: str, style: str | None = None) -> None:
    """One plain line (no markup, never wrapped)."""
    console.print(message, style=style, markup=False, highlight=False, soft_wrap=True)


def read_inputs(args: argparse.Namespace, paths: list[str]) -> tuple[list[Article], list]:
    """The articles of ``paths`` read with the command's input options, and the
    records rejected."""
    check_inputs(paths)
    return read_articles(paths, **read_options(args))


def describe_error(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
