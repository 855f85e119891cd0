"""Result files of a trace: JSONL tables, a summary and optional Parquet.

Every file is written atomically: rows go to a hidden temporary file in the
same folder, which is flushed, synced and then renamed over the target with
``os.replace``.  A crash, an exception or a kill in the middle of writing
therefore leaves either the previous complete file or the new complete file,
never a truncated one.  ``summary.json`` is written last, so its presence
means the run finished writing everything else.

Files written by :func:`write_outputs` (one JSON object per line):

``articles.jsonl``   ``Article.to_dict()`` + ``story`` (id or null) +
                     ``shared`` (share of the article's characters covered by
                     reused passages, 0-1)
``passages.jsonl``   ``Passage.to_dict()`` + ``evidence`` + ``a_text`` / ``b_text``
                     (the passage text on each side): ``model.PASSAGE_FIELDS``
``stories.jsonl``    ``Story.to_dict()``
``diffs.jsonl``      ``Diff.to_dict()``
``outlets.jsonl``    which outlet took text from which: edges, characters, credited
``attributions.jsonl`` ``Attribution.to_dict()``: who each article credits for
                     what (when the run looked for attributions)
``provenance.jsonl`` ``Provenance.to_dict()``: per story, who told whom and who
                     first carried each quote (with the attributions)
``rejected.jsonl``   ``Rejected.to_dict()``
``warnings.jsonl``   ``FieldWarning.to_dict()``: articles kept with a field left empty
                     (only when there are some; an old one is removed otherwise)
``summary.json``     counts, ``stats`` (the pipeline's statistics) and any
                     extra keys the caller passes (parameters, wall time ...)
``*.parquet``        articles, passages and stories tables, when asked
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np

from wiretrace.align.evidence import passage_evidence
from wiretrace.model import (
    PASSAGE_FIELDS,
    PASSAGE_KINDS,
    Article,
    Passage,
    PassageTable,
    TraceResult,
)
from wiretrace.runtime.article_store import ArticleStore
from wiretrace.runtime.workers import map_chunks, worker_state

__all__ = [
    "article_rows", "atomic_open", "atomic_path", "passage_lines", "passage_row", "passage_rows",
    "write_json", "write_jsonl", "write_outputs",
]


# --------------------------------------------------------------------------- atomic files

@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success rename it over ``path``.

    On any exception (or interrupt) the temporary file is removed and ``path``
    is left as it was.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_dir(target.parent)


@contextmanager
def atomic_open(path: str | os.PathLike) -> Iterator[IO[str]]:
    """Open a UTF-8 text file for writing that appears at ``path`` only when complete."""
    with atomic_path(path) as tmp, open(tmp, "x", encoding="utf-8", newline="\n") as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def _sync_dir(folder: Path) -> None:
    """Make a rename durable (best effort; not every platform can open folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- JSON

def _default(value: Any) -> Any:
    """JSON fallback for the odd types found in stats and params."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


PASSAGES_PER_BLOCK = 20_000  # lines a worker formats at a time
_quote = json.encoder.encode_basestring  # a JSON string, as dumps writes it (not ASCII-escaped)


def dumps(obj: Any, indent: int | None = None) -> str:
    """JSON text as written to every output file (UTF-8, not ASCII-escaped)."""
    return json.dumps(obj, ensure_ascii=False, default=_default, indent=indent)


@contextmanager
def jsonl_writer(path: str | os.PathLike) -> Iterator[Callable[[Any], None]]:
    """A function appending rows (dicts, or records with ``to_dict``) to ``path``.

    For rows produced over a long run (the diffs, as they are made): the file
    appears at ``path`` only once the ``with`` block completes, so a crash or
    a kill never leaves a truncated file in place of a previous one.
    """
    with atomic_open(path) as fh:
        def write(row: Mapping[str, Any] | Any) -> None:
            if not isinstance(row, Mapping) and hasattr(row, "to_dict"):
                row = row.to_dict()
            fh.write(dumps(row))
            fh.write("\n")

        yield write


def write_jsonl(rows: Iterable[Mapping[str, Any] | Any], path: str | os.PathLike) -> int:
    """Write ``rows`` (dicts, or records with ``to_dict``) to ``path``, one per line.

    Rows are streamed, so ``rows`` may be a generator of any length.  Returns
    the number of rows written.  Atomic: if iterating ``rows`` raises, the
    previous file at ``path`` (if any) is left untouched.
    """
    count = 0
    with jsonl_writer(path) as write:
        for row in rows:
            write(row)
            count += 1
    return count


def write_json(obj: Any, path: str | os.PathLike) -> None:
    """Write one JSON document (indented), atomically."""
    with atomic_open(path) as fh:
        fh.write(dumps(obj, indent=2))
        fh.write("\n")


# --------------------------------------------------------------------------- rows

def passage_row(passage: Passage, articles: Mapping[str, Article]) -> dict:
    """``Passage.to_dict()`` plus the passage text on both sides (None if unknown)."""
    row = passage.to_dict()
    a, b = articles.get(passage.a), articles.get(passage.b)
    row["evidence"] = passage_evidence(passage.kind, a.text, passage.a_start, passage.a_end,
                                       b.text, passage.b_start, passage.b_end) \
        if a is not None and b is not None else None
    row["a_text"] = a.text[passage.a_start:passage.a_end] if a is not None else None
    row["b_text"] = b.text[passage.b_start:passage.b_end] if b is not None else None
    return row


def passage_rows(result: TraceResult) -> Iterator[dict]:
    for passage in result.passages:
        yield passage_row(passage, result.articles)


def passage_lines(result: TraceResult) -> Iterator[str]:
    """The JSON lines of :func:`passage_rows`, byte for byte, made from the table directly.

    A large run has millions of passages: formatting each line from the
    table's plain values, without a row object or a generic encoder per
    row, is what keeps writing them from taking longer than finding them.
    """
    table, text_of = _passage_table(result), _text_reader(result.articles)
    yield from _lines(table.rows, [_quote(article_id) for article_id in table.ids], text_of)


def _passage_table(result: TraceResult) -> PassageTable:
    return result.passages if isinstance(result.passages, PassageTable) else \
        PassageTable.from_passages(result.passages, list(result.articles))


def _text_reader(articles: Mapping[str, Article]) -> Callable[[int], str]:
    """Text of article number ``k``; from a store, decoded a few at a time."""
    if isinstance(articles, ArticleStore):
        return functools.lru_cache(maxsize=4096)(articles.text)
    return [article.text for article in articles.values()].__getitem__


def _lines(rows: np.ndarray, quoted_ids: list[str], text_of: Callable[[int], str]
           ) -> Iterator[str]:
    # The keys of PASSAGE_FIELDS in its order, spelled out: an f-string takes two
    # thirds of the time of a format string made from the list, and writing the
    # lines is a large run's last long step (tests/test_passage_fields.py holds
    # the two together).
    for a, b, a0, a1, b0, b1, score, matched, kind, kept, changed in rows.tolist():
        evidence = "null" if kind == 0 else _quote(passage_evidence(
            PASSAGE_KINDS[kind], text_of(a), a0, a1, text_of(b), b0, b1))
        yield (f'{{"a": {quoted_ids[a]}, "a_start": {a0}, "a_end": {a1}, '
               f'"b": {quoted_ids[b]}, "b_start": {b0}, "b_end": {b1}, '
               f'"score": {score!r}, "matched_words": {matched}, '
               f'"kind": "{PASSAGE_KINDS[kind]}", "slots_kept": {kept}, '
               f'"slots_changed": {changed}, "evidence": {evidence}, '
               f'"a_text": {_quote(text_of(a)[a0:a1])}, '
               f'"b_text": {_quote(text_of(b)[b0:b1])}}}')


@dataclasses.dataclass
class _PassageLineState:
    """What the workers formatting ``passages.jsonl`` read (:func:`worker_state`)."""

    articles: Mapping[str, Article]
    quoted_ids: list[str]  # each article id of the table, as a JSON string
    text_of: Callable[[str], str] | None = None  # made in each worker, on first use


def _passage_block(rows: np.ndarray) -> list[str]:
    """The lines of some passage rows, as one string (in a worker, see runtime/workers.py)."""
    state = worker_state(_PassageLineState)
    if state.text_of is None:
        state.text_of = _text_reader(state.articles)
    return ["".join(line + "\n" for line in _lines(rows, state.quoted_ids, state.text_of))]


def write_passages(result: TraceResult, path: str | os.PathLike, workers: int = 1) -> None:
    """``passages.jsonl`` (the lines of :func:`passage_lines`), formatted on ``workers``
    processes: at a million articles there are millions of lines to format."""
    table = _passage_table(result)
    state = _PassageLineState(result.articles,
                              [_quote(article_id) for article_id in table.ids])
    with atomic_open(path) as fh:
        for block in map_chunks(_passage_block, table.rows, workers, PASSAGES_PER_BLOCK, state):
            fh.write(block[0])


def shared_shares(result: TraceResult) -> dict[str, float]:
    """Share of each article's characters covered by any reused passage."""
    ids = list(result.articles)
    table = result.passages if isinstance(result.passages, PassageTable) else \
        PassageTable.from_passages(result.passages, ids)
    rows = table.rows
    article = np.concatenate([rows["a"], rows["b"]]).astype(np.int64)
    # spans of all articles in one sorted line: article k's offsets shifted
    # past every earlier article's, so one running maximum serves them all
    shift = int(max(rows["a_end"].max(initial=0), rows["b_end"].max(initial=0))) + 1
    starts = article * shift + np.concatenate([rows["a_start"], rows["b_start"]])
    ends = article * shift + np.concatenate([rows["a_end"], rows["b_end"]])
    order = np.lexsort((ends, starts))
    starts, ends, article = starts[order], ends[order], article[order]
    reach = np.concatenate([[np.iinfo(np.int64).min], np.maximum.accumulate(ends)[:-1]])
    gained = np.maximum(0, ends - np.maximum(starts, reach))
    covered = np.bincount(article, weights=gained, minlength=len(ids))
    if isinstance(result.articles, ArticleStore):
        lengths = result.articles.lengths().tolist()
    else:
        lengths = [len(article.text) for article in result.articles.values()]
    return {article_id: round(min(1.0, covered[k] / length), 4) if length else 0.0
            for k, (article_id, length) in enumerate(zip(ids, lengths, strict=True))}


def outlet_rows(result: TraceResult) -> Iterator[dict]:
    """``outlets.jsonl``: which outlet took text from which (``outlet``,
    ``source_outlet``, ``edges``, ``chars``) and, when the run looked for credits,
    in how many of those edges the taking article credits the source outlet
    (``credited``; null for an outlet's own re-sends, or when not looked for)."""
    from wiretrace.output.pictures import outlet_flows

    credited = {(o.outlet, o.source_outlet): o.credited for o in result.outlets or []}
    for flow in outlet_flows(result.stories, result.articles):
        row = flow.to_dict()
        row["credited"] = credited.get((flow.outlet, flow.source_outlet), 0) \
            if result.outlets is not None and flow.outlet != flow.source_outlet else None
        yield row


def article_rows(result: TraceResult) -> Iterator[dict]:
    """``Article.to_dict()`` + ``story`` (id or None) + ``shared`` (0-1)."""
    story_of = {m: s.id for s in result.stories for m in s.members}
    shares = shared_shares(result)
    for article_id, article in result.articles.items():
        row = article.to_dict()
        row["story"] = story_of.get(article_id)
        row["shared"] = shares.get(article_id, 0.0)
        yield row


# --------------------------------------------------------------------------- parquet

def _schemas() -> dict[str, Any]:
    import pyarrow as pa

    edge = pa.struct([("source", pa.string()), ("target", pa.string()),
                      ("target_share", pa.float64()), ("source_share", pa.float64()),
                      ("shared_chars", pa.int64())])
    return {
        "articles": pa.schema([
            ("id", pa.string()), ("title", pa.string()), ("outlet", pa.string()),
            ("url", pa.string()), ("published", pa.string()), ("chars", pa.int64()),
            ("read_from", pa.string()), ("author", pa.string()),
            ("topics", pa.list_(pa.string())), ("places", pa.list_(pa.string())),
            ("story", pa.string()), ("shared", pa.float64())]),
        "passages": pa.schema([(f.name, getattr(pa, f.arrow)()) for f in PASSAGE_FIELDS]),
        "stories": pa.schema([
            ("story", pa.string()), ("members", pa.list_(pa.string())), ("size", pa.int64()),
            ("origin", pa.string()), ("origin_reason", pa.string()),
            ("edges", pa.list_(edge))]),
        "outlets": pa.schema([
            ("outlet", pa.string()), ("source_outlet", pa.string()), ("edges", pa.int64()),
            ("chars", pa.int64()), ("credited", pa.int64())]),
    }


def _table(rows: list[dict], known: Any) -> Any:
    """A pyarrow table with the known column types; unknown keys are inferred and kept."""
    import pyarrow as pa

    names = [f.name for f in known]
    for row in rows:
        names.extend(k for k in row if k not in names)
    fields = []
    for name in names:
        if name in known.names:
            fields.append(known.field(name))
        else:
            fields.append(pa.field(name, pa.array([r.get(name) for r in rows]).type))
    return pa.Table.from_pylist(rows, schema=pa.schema(fields))


def write_parquet(rows: list[dict], path: str | os.PathLike, table: str) -> None:
    """Write rows of ``table`` ("articles", "passages", "stories" or "outlets") as Parquet,
    atomically."""
    import pyarrow.parquet as pq

    data = _table(rows, _schemas()[table])
    with atomic_path(path) as tmp:
        pq.write_table(data, tmp)


# --------------------------------------------------------------------------- all files

def summary(result: TraceResult, extra: Mapping[str, Any] | None = None) -> dict:
    """The ``summary.json`` document: counts, the pipeline's stats, extra keys."""
    # the run's own counts where it kept them: a Spark run's result may hold only
    # its stories, its articles and passages left in Spark's datasets
    stats = result.stats
    doc: dict[str, Any] = {
        "counts": {
            "articles": stats.get("articles", len(result.articles)),
            "rejected": len(result.rejected),
            "passages": stats.get("passages", len(result.passages)),
            "stories": len(result.stories),
            "diffs": stats.get("diffs", len(result.diffs)),
        },
        "stats": {**result.stats, "warnings": len(result.warnings)},
    }
    if result.outlets is not None:  # which outlet takes from which, and credits it
        doc["outlets"] = [o.to_dict() for o in result.outlets]
    doc.update(extra or {})
    return doc


def write_outputs(result: TraceResult, out_dir: str | os.PathLike, parquet: bool = False,
                  extra: Mapping[str, Any] | None = None,
                  diffs_written: bool = False, workers: int = 1,
                  attributions_written: bool = False) -> dict[str, Path]:
    """Write the result files of ``result`` into ``out_dir`` (created if needed).

    ``extra`` keys (e.g. parameters, wall time, inputs) are added to
    ``summary.json``.  ``diffs_written`` says ``diffs.jsonl`` was written as
    the diffs were made (``trace(diff_sink=...)``), ``attributions_written`` the
    same of ``attributions.jsonl``; ``workers`` processes
    format the passages.  Returns ``{file name: path}`` of every file written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}

    def jsonl(name: str, rows: Iterable[Any]) -> None:
        write_jsonl(rows, out / name)
        written[name] = out / name

    articles = list(article_rows(result))
    jsonl("articles.jsonl", articles)
    write_passages(result, out / "passages.jsonl", workers)
    written["passages.jsonl"] = out / "passages.jsonl"
    jsonl("stories.jsonl", (s.to_dict() for s in result.stories))
    if diffs_written:
        written["diffs.jsonl"] = out / "diffs.jsonl"
    else:
        jsonl("diffs.jsonl", (d.to_dict() for d in result.diffs))
    if attributions_written:
        written["attributions.jsonl"] = out / "attributions.jsonl"
    elif result.attributions is not None:
        jsonl("attributions.jsonl", (a.to_dict() for a in result.attributions))
    else:  # a previous run's file would describe other input
        (out / "attributions.jsonl").unlink(missing_ok=True)
    jsonl("outlets.jsonl", outlet_rows(result))
    if result.provenance is not None:
        jsonl("provenance.jsonl", (p.to_dict() for p in result.provenance))
    else:
        (out / "provenance.jsonl").unlink(missing_ok=True)
    jsonl("rejected.jsonl", (r.to_dict() for r in result.rejected))
    if result.warnings:
        jsonl("warnings.jsonl", (w.to_dict() for w in result.warnings))
    else:  # a previous run's list would describe other input
        (out / "warnings.jsonl").unlink(missing_ok=True)
    if parquet:
        tables = {"articles": articles, "passages": list(passage_rows(result)),
                  "stories": [s.to_dict() for s in result.stories],
                  "outlets": list(outlet_rows(result))}
        for table, rows in tables.items():
            path = out / f"{table}.parquet"
            write_parquet(rows, path, table)
            written[path.name] = path
    write_json(summary(result, extra), out / "summary.json")
    written["summary.json"] = out / "summary.json"
    return written
