"""The ``wiretrace index`` command: add to, query, describe and check a persistent index.

``add_parser(subparsers, parents)`` registers the subcommand on the main
parser (``wiretrace.cli.main``); the handlers follow the main command's
conventions: exit 0 done (also with rejected records, which are listed, and
with field warnings),
1 failure (no readable article, not an index, an unexpected error), 2 bad
usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import functools
import os
import queue
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from rich.console import Console

from wiretrace.attribute import attribute_text, credited_entities
from wiretrace.cli import common as cli_common
from wiretrace.index.core import Index
from wiretrace.index.integrity import QUICK_CHECK_MAX_BYTES, damage_hint, problems, safe_reason
from wiretrace.index.results import ADDED, NEW_VERSION, UNCHANGED
from wiretrace.index.schema import FORMAT, IndexFileError
from wiretrace.ingest import iter_articles, read_articles
from wiretrace.model import Article, FieldWarning, Rejected
from wiretrace.output.files import dumps, jsonl_writer, passage_row
from wiretrace.output.query_view import print_query, source_shares
from wiretrace.output.terminal import StageProgress, summary_table
from wiretrace.runtime.workers import default_workers

# the first batch of an add: small, so the alignment workers have work sooner
FIRST_BATCH = 1000
# field warnings printed one by one on stderr; the rest only counted (and in --warnings)
SHOWN_WARNINGS = 20

EPILOG = "exit codes: 0 done, 1 failed (no readable input, not an index, error), 2 bad usage, " \
         "130 interrupted"


def add_parser(subparsers: argparse._SubParsersAction,
               parents: list[argparse.ArgumentParser]) -> None:
    """Register ``wiretrace index add|query|stats|check``."""
    top = subparsers.add_parser(
        "index", parents=parents, epilog=EPILOG,
        help="a persistent, incremental index: add articles, query a new one, stats",
        description="A persistent index in one SQLite file.  Articles are added incrementally "
                    "(one at a time or in batches: the same passages and stories as a batch "
                    "'trace' over the same articles); a new article can be checked against "
                    "everything indexed without storing it.")
    sub = top.add_subparsers(dest="index_command", metavar="ACTION")
    top.set_defaults(func=lambda args, out, err: _usage(top), parser=top)

    p = sub.add_parser(
        "add", parents=parents, epilog=EPILOG, help="add articles to an index (created if missing)",
        description="Add articles to the index DB (created if missing).  An article whose id is "
                    "indexed with the same text is left alone; with another text it becomes a "
                    "new version (the old one is kept).  Each batch is one transaction: if the "
                    "command is killed, every article is fully indexed or absent, and running "
                    "it again completes the job.  Records without a usable id or text are "
                    "listed on stderr (and in --rejected FILE) and skipped; an unusable title, "
                    "outlet, url or date is left empty and reported as a warning (the first "
                    f"{SHOWN_WARNINGS} on stderr, all in --warnings FILE).")
    p.add_argument("db", metavar="DB", help="index file (SQLite)")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help=cli_common.INPUT_HELP)
    p.add_argument("--batch-size", type=cli_common.positive_int, default=5000, metavar="N",
                   help="articles per transaction (default: 5000); each batch is planned "
                        "while the one before is aligned")
    p.add_argument("--workers", type=cli_common.positive_int, default=None, metavar="N",
                   help="processes aligning a batch's pairs (default: one per core); the "
                        "results do not depend on it")
    p.add_argument("--rejected", type=Path, metavar="FILE",
                   help="also write the rejected records to FILE as JSONL")
    p.add_argument("--warnings", type=Path, metavar="FILE",
                   help="also write the field warnings to FILE as JSONL (source, location, "
                        "record_id, field, reason): articles kept with a field left empty")
    cli_common.add_input_options(p)
    cli_common.add_param_options(p)
    p.set_defaults(func=_sqlite_errors(cmd_add), parser=p)

    p = sub.add_parser(
        "query", parents=parents, epilog=EPILOG,
        help="what an article reuses from the index, without adding it",
        description="Check ARTICLE against the index without storing it: the articles it "
                    "reuses text from, with the share of it each explains, its reused "
                    "passages and the story it would join.  --json prints JSON instead (the "
                    "passages with both texts; a file holding several articles gives one "
                    "JSON object per line).")
    p.add_argument("db", metavar="DB", help="index file (must exist)")
    p.add_argument("article", metavar="ARTICLE",
                   help="a file (.txt, .jsonl, .csv, .parquet) or '-' for one plain-text "
                        "article on stdin")
    p.add_argument("--id", default="stdin", metavar="ID",
                   help="id of the article read from stdin (default: stdin)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    cli_common.add_input_options(p)
    p.set_defaults(func=_sqlite_errors(cmd_query), parser=p)

    p = sub.add_parser("stats", parents=parents, epilog=EPILOG,
                       help="counts, size on disk and parameters of an index",
                       description="Print the index's counts (articles, versions, pairs, "
                                   "stories), its size on disk per article and its parameters.")
    p.add_argument("db", metavar="DB", help="index file (must exist)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=_sqlite_errors(cmd_stats), parser=p)

    p = sub.add_parser(
        "check", parents=parents, epilog="exit codes: 0 the file is whole, 1 damaged (or not "
                                         "an index), 2 bad usage",
        help="check an index file for damaged pages and texts",
        description="Check the index file DB for damage: SQLite's full integrity_check (every "
                    "page, every index against its table) and every text decoded.  Prints one "
                    "line per problem (by table, row and column; never the text itself), or "
                    "'ok'.  Opening an index runs the quicker quick_check on files up to "
                    f"{QUICK_CHECK_MAX_BYTES // 2**20} MiB; this command checks any size, "
                    "and the texts too.")
    p.add_argument("db", metavar="DB", help="index file (must exist)")
    p.set_defaults(func=cmd_check, parser=p)


Command = Callable[[argparse.Namespace, Console, Console], int]


def _sqlite_errors(command: Command) -> Command:
    """``command`` with SQLite's errors as one line that quotes no article.

    A damaged text makes SQLite fail with the text around the damage in its
    message; the generic handler would print it whole.
    """
    @functools.wraps(command)
    def run(args: argparse.Namespace, out: Console, err: Console) -> int:
        try:
            return command(args, out, err)
        except sqlite3.DatabaseError as e:
            hint = (f"; 'wiretrace index check {args.db}' lists what is damaged"
                    if damage_hint(e) else "")
            raise cli_common.Failure(f"{args.db}: {safe_reason(e)}{hint}") from None

    return run


def cmd_check(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``wiretrace index check DB``: exit 0 whole, 1 damaged; one line per problem."""
    path = args.db
    if os.path.isdir(path):
        raise cli_common.Failure(f"{path}: is a folder, not an index file")
    if not os.path.exists(path):
        raise cli_common.Failure(f"{path}: no such index")
    try:
        conn = sqlite3.connect(path, timeout=60.0)
    except sqlite3.Error as e:
        raise cli_common.Failure(f"{path}: cannot open ({safe_reason(e)})") from None
    try:
        found = problems(conn, full=True)
        if not found:
            try:
                row = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            except sqlite3.DatabaseError as e:
                row = None
                found = [f"not a wiretrace index ({safe_reason(e)})"]
            if not found and (row is None or row[0] != FORMAT):
                found = [f"not a wiretrace index (format {row[0] if row else None!r}, "
                         f"expected {FORMAT!r})"]
    finally:
        conn.close()
    for problem in found:
        sys.stdout.write(f"{path}: {problem}\n")
    if not found:
        sys.stdout.write(f"{path}: ok\n")
    return 1 if found else 0


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _open(db: str, create: bool, params=None) -> Index:
    try:
        return Index.open(db, params=params, create=create)
    except IndexFileError as e:
        raise cli_common.Failure(str(e)) from None
    except ValueError as e:
        raise cli_common.Failure(str(e)) from None


def _rejection(r: Rejected) -> str:
    where = f"{r.source}:{r.location}" if r.location else r.source
    return f"{where}: {r.record_id + ': ' if r.record_id else ''}{r.reason}"


def _warning(w: FieldWarning) -> str:
    where = f"{w.source}:{w.location}" if w.location else w.source
    return f"{where}: {w.record_id}: {w.field} left empty: {w.reason}"


def _batches(args: argparse.Namespace, rejected: list[Rejected], warnings: list[FieldWarning],
             log) -> Iterator[list[Article]]:
    """The valid articles in batches of ``--batch-size``, the first one smaller: the
    workers start aligning sooner (nothing else overlaps the first batch's planning)."""
    batch: list[Article] = []
    size = min(args.batch_size, FIRST_BATCH)
    shown = 0
    for item in iter_articles(args.inputs, **cli_common.read_options(args), warnings=warnings):
        if isinstance(item, Rejected):
            rejected.append(item)
            log(f"rejected: {_rejection(item)}")
            continue
        while shown < min(len(warnings), SHOWN_WARNINGS):
            log(f"warning: {_warning(warnings[shown])}")
            shown += 1
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch, size = [], args.batch_size
    if batch:
        yield batch


def _read_ahead(batches: Iterator[list[Article]], depth: int = 2) -> Iterator[list[Article]]:
    """The batches, read on a thread of their own up to ``depth`` ahead: reading and
    checking records then fills the time the index waits for its workers."""
    ready: queue.Queue = queue.Queue(depth)
    done = object()

    def read() -> None:
        try:
            for batch in batches:
                ready.put(batch)
            ready.put(done)
        except BaseException as error:  # handed to the reader of the batches
            ready.put(error)

    threading.Thread(target=read, name="wiretrace-read-input", daemon=True).start()
    while True:
        item = ready.get()
        if item is done:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def cmd_add(args: argparse.Namespace, out: Console, err: Console) -> int:
    started = time.perf_counter()
    given = {k for k in vars(args) if k.startswith("param_")}
    params = cli_common.make_params(args) if given else None
    cli_common.check_inputs(args.inputs)
    workers = args.workers or default_workers()
    counts = {ADDED: 0, NEW_VERSION: 0, UNCHANGED: 0}
    passages = 0
    rejected: list[Rejected] = []
    warnings: list[FieldWarning] = []
    with _open(args.db, create=True, params=params) as index, \
            StageProgress(err, enabled=not args.quiet) as progress:
        def log(message: str) -> None:
            progress.log(f"wiretrace: {message}", style="yellow")

        read = 0
        progress("index", 0, 0)
        for results in index.add_stream(_read_ahead(_batches(args, rejected, warnings, log)),
                                        workers=workers):
            for result in results:
                counts[result.status] += 1
                passages += result.passage_count
            read += len(results)
            progress("index", read, 0)
        stats = index.stats()
    for path, rows in ((args.rejected, rejected), (args.warnings, warnings)):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with jsonl_writer(path) as write:
                for row in rows:
                    write(row)
    wall = time.perf_counter() - started
    total = sum(counts.values())
    out.print(summary_table("wiretrace index add", [
        ("articles read", total, None),
        ("added", counts[ADDED], None),
        ("new versions", counts[NEW_VERSION], None),
        ("unchanged (already indexed)", counts[UNCHANGED], None),
        ("rejected", len(rejected), "yellow" if rejected else None),
        ("field warnings", len(warnings), "yellow" if warnings else None),
        ("passages found", passages, None),
        ("articles in the index", stats["articles"], None),
        ("stories in the index", stats["stories"], None),
        ("index size", size_text(stats["file_bytes"]), None),
        ("wall time", f"{wall:.1f} s", None),
        ("articles/s", f"{total / wall:.0f}" if wall > 0 else "-", None)]))
    if rejected:
        where = f"; listed in {args.rejected}" if args.rejected else " (listed above)"
        cli_common.say(out, f"{cli_common.plural(len(rejected), 'input record')} rejected "
                            f"and skipped{where}.", "yellow")
    if warnings:
        where = str(args.warnings) if args.warnings else "stderr above" \
            if len(warnings) <= SHOWN_WARNINGS else f"the first {SHOWN_WARNINGS} above, all " \
                                                    f"with --warnings FILE"
        cli_common.say(out, cli_common.warnings_line(warnings, where), "yellow")
    if not total:
        raise cli_common.Failure("no readable article in the input" if rejected else
                          "no article found in the input")
    return 0


def _query_articles(args: argparse.Namespace, warnings: list[FieldWarning],
                    ) -> tuple[list[Article], list[Rejected]]:
    if args.article != "-":
        cli_common.check_inputs([args.article])
        return read_articles([args.article], **cli_common.read_options(args), warnings=warnings)
    data = sys.stdin.buffer.read()
    name = args.id.strip() or "stdin"
    if os.sep in name or (os.altsep and os.altsep in name) or name.startswith("."):
        raise cli_common.Failure(f"--id {args.id!r}: an id cannot hold a path separator or start "
                          f"with a dot")
    # through the .txt reader, so stdin meets exactly the rules a file meets
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.txt"
        path.write_bytes(data)
        found, rejected = read_articles([path], **cli_common.read_options(args))
    rejected = [Rejected("<stdin>", r.location, r.record_id, r.reason) for r in rejected]
    return [Article(name, a.text, read_from="<stdin>") for a in found], rejected


def cmd_query(args: argparse.Namespace, out: Console, err: Console) -> int:
    warnings: list[FieldWarning] = []
    articles, rejected = _query_articles(args, warnings)
    for r in rejected:
        cli_common.say(err, f"wiretrace: rejected: {_rejection(r)}", "yellow")
    for w in warnings:
        cli_common.say(err, f"wiretrace: warning: {_warning(w)}", "yellow")
    if not articles:
        raise cli_common.Failure("no readable article in the input" if rejected else
                          "no article found in the input")
    with _open(args.db, create=False) as index:
        for article in articles:
            result = index.query(article)
            known = {article.id: article}
            for p in result.passages:
                if p.b not in known:
                    known[p.b] = index.article(p.b)
            if not args.json:
                print_query(out, article, result, known)
                continue
            doc = result.to_dict()
            doc["source_shares"] = source_shares(result, article)
            doc["passages"] = [passage_row(p, known) for p in result.passages]
            # who the article and each matched version credit (attribute/)
            doc["credits"] = credited_entities(attribute_text(article.text))
            doc["source_credits"] = {
                source: credited_entities(attribute_text(known[source].text))
                for source in result.sources if known.get(source) is not None}
            sys.stdout.write(dumps(doc, indent=None if len(articles) > 1 else 2) + "\n")
    return 0


def size_text(n: int) -> str:
    """A size on disk as every command writes it: ``14.3 MB (14,282,752 bytes)``."""
    return f"{n / 1e6:.1f} MB ({n:,} bytes)"


def cmd_stats(args: argparse.Namespace, out: Console, err: Console) -> int:
    with _open(args.db, create=False) as index:
        stats = index.stats()
    if args.json:
        sys.stdout.write(dumps(stats, indent=2) + "\n")
        return 0
    params = stats.pop("params")
    # the size as index add says it, in one form
    rows = [("index size", size_text(v), None) if k == "file_bytes" else
            (k.replace("_", " "), v if v is not None else "-", None) for k, v in stats.items()]
    out.print(summary_table(f"wiretrace index {args.db}", rows))
    cli_common.say(out, "parameters: " + ", ".join(f"{k}={v}" for k, v in params.items()))
    return 0
