"""The :class:`Index`: open, add, query and read a persistent wiretrace index.

See the package docstring (:mod:`wiretrace.index`) for the API and its
guarantees; :mod:`.writer` does the adds, :mod:`.engine` the per-batch
computation, :mod:`.reader` the read-only look-ups.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import chain

import numpy as np

from wiretrace.diff.articles import diff_articles
from wiretrace.index import engine, reader, writer
from wiretrace.index.engine import TokenCache
from wiretrace.index.integrity import check_on_open, safe_reason
from wiretrace.index.merges import Merger
from wiretrace.index.postings import BANDS, SHINGLES, Postings
from wiretrace.index.results import NEW_VERSION, AddResult, QueryResult, VersionInfo
from wiretrace.index.schema import (
    IndexFileError,
    add_meta_column,
    connect,
    file_bytes,
    initialise,
    write_transaction,
)
from wiretrace.index.workers import AlignWorkers
from wiretrace.index.writer import Snapshot
from wiretrace.model import Article, Diff, Passage, Story
from wiretrace.params import TraceParams

# An add this large starts the alignment workers at once (a smaller one starts
# them only if it finds enough pairs to align).
START_WORKERS_AT = 200


def _parts(articles: Iterable[Article]) -> list[list[Article]]:
    """Articles cut where an id repeats: each part is added as one batch, in order."""
    parts: list[list[Article]] = [[]]
    seen: set[str] = set()
    for article in articles:
        if not isinstance(article, Article):
            raise TypeError(f"expected an Article, got {type(article).__name__}")
        if article.id in seen:
            parts.append([])
            seen = set()
        seen.add(article.id)
        parts[-1].append(article)
    return [part for part in parts if part]


def _tagged_parts(batches: Iterable[Iterable[Article] | None]
                  ) -> Iterator[tuple[list[Article] | None, bool]]:
    """Each batch's parts (see :func:`_parts`), each with whether it ends its batch;
    an empty batch is one empty part, a ``None`` stays ``None``."""
    for batch in batches:
        if batch is None:
            yield None, True
            continue
        parts = _parts(batch) or [[]]
        for k, part in enumerate(parts):
            yield part, k == len(parts) - 1


class Index:
    """A persistent, incremental wiretrace index in one SQLite file (WAL mode).

    Open with :meth:`Index.open`; use as a context manager or call
    :meth:`close`.  One ``Index`` may be shared by many threads: each thread
    gets its own SQLite connection, adds are serialised by a lock (and by
    SQLite's write lock across processes), reads run concurrently with each
    other and with an add, and see only committed adds.
    """

    def __init__(self, path: str, params: TraceParams) -> None:
        self.path = path
        self.params = params
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._snapshot_lock = threading.Lock()
        self._snapshot = Snapshot(Postings(), np.empty(0, dtype=np.uint64))
        self._closed = False
        self._tokens = TokenCache()  # candidates' tokens, kept across queries
        self._pool: AlignWorkers | None = None  # started by the first add with workers > 1
        self._merger = Merger(self._refresh, self._publish)

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | os.PathLike, params: TraceParams | None = None,
             create: bool = True) -> Index:
        """Open the index at ``path``, creating it if missing (unless ``create`` is false).

        A new index stores ``params`` (default ``TraceParams()``, with
        ``max_df`` fixed at 100 when not given: a batch run derives it from the
        corpus size, an index cannot).  An existing index keeps the parameters
        it was built with: passing other ones raises ``ValueError``.  A path
        that is not a wiretrace index, or a small one whose pages are damaged
        (``PRAGMA quick_check``, see :mod:`.integrity`), raises :class:`IndexFileError`.
        """
        path = os.fspath(path)
        if os.path.isdir(path):
            raise IndexFileError(f"{path}: is a folder, not an index file")
        if not os.path.exists(path) and not create:
            raise IndexFileError(f"{path}: no such index")
        try:
            conn = connect(path)
        except sqlite3.Error as e:
            raise IndexFileError(f"{path}: cannot open ({safe_reason(e)})") from None
        try:
            damaged = check_on_open(conn, path)  # small files: see index/integrity.py
            if damaged:
                raise IndexFileError(damaged)
            stored = initialise(conn, path, params, create)
            _check_fingerprints(conn, path, stored)
        except BaseException:
            conn.close()
            raise
        index = cls(path, stored)
        index._local.conn = conn
        index._connections.append(conn)
        index._refresh()
        return index

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every connection this index opened (in any thread), stop its workers."""
        with self._write_lock:
            self._merger.close()
            if self._pool is not None:
                self._pool.close()
                self._pool = None
        with self._connections_lock:
            self._closed = True
            for conn in self._connections:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._connections.clear()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            with self._connections_lock:
                if self._closed:
                    raise RuntimeError("the index is closed")
                conn = connect(self.path)
                add_meta_column(conn)
                self._connections.append(conn)
            self._local.conn = conn
            # a server's short-lived threads must not leave their connections open
            weakref.finalize(threading.current_thread(), self._forget, conn)
        return conn

    def _forget(self, conn: sqlite3.Connection) -> None:
        with self._connections_lock:
            if conn in self._connections:
                self._connections.remove(conn)
                try:
                    conn.close()
                except sqlite3.Error:
                    pass

    @contextmanager
    def _read(self) -> Iterator[tuple[sqlite3.Connection, Snapshot]]:
        """A read transaction (one consistent snapshot) and the matching postings."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield conn, self._refresh(conn)
        finally:
            conn.execute("COMMIT")

    def _refresh(self, conn: sqlite3.Connection | None = None) -> Snapshot:
        """The postings snapshot as ``conn`` sees the index, reloaded if another
        connection committed since.

        A read that began before a commit sees an older generation than the
        one published: it gets a snapshot of its own, and the published one
        never goes back (the writer plans and merges on it).
        """
        conn = conn or self._conn()
        generation = int(conn.execute(
            "SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
        snap = self._snapshot
        if snap.postings.generation == generation:
            return snap
        with self._snapshot_lock:
            snap = self._snapshot
            if snap.postings.generation != generation:
                newer = generation > snap.postings.generation
                snap = reader.load_snapshot(conn, snap, generation)
                if newer:
                    self._snapshot = snap
            return snap

    # ------------------------------------------------------------------ writing

    def add(self, articles: Iterable[Article], workers: int = 1) -> list[AddResult]:
        """Add articles; one :class:`AddResult` per article, in order.

        The whole call is one transaction: after a crash, either all of it
        is in the index or none.  An id given twice in one call is handled as
        two adds in a row (the second is ``unchanged`` or a ``new_version``).
        ``workers`` > 1 aligns large batches in that many processes,
        started by the first such add and kept until :meth:`close` (the
        results do not depend on it; safe inside threaded servers).
        """
        parts = _parts(articles)
        results: list[AddResult] = []
        with self._write_lock:
            pool = self._workers(workers)
            if pool is not None and sum(map(len, parts)) >= START_WORKERS_AT:
                pool.start()  # they load the kernels while this process fingerprints
            conn = self._conn()
            try:
                with write_transaction(conn):
                    snap = self._refresh(conn)
                    for part in parts:
                        found, snap = writer.add_batch(conn, snap, self.params, part, pool,
                                                       self._tokens)
                        results += found
            except BaseException:
                if pool is not None:
                    pool.abandon()
                raise
            self._publish(snap)
            self._merge()
        self._diff_new_versions(results)
        return results

    def add_stream(self, batches: Iterable[Iterable[Article] | None], workers: int = 1
                   ) -> Iterator[list[AddResult]]:
        """Add batches one after the other; yields each batch's results, in order,
        once it is committed.

        The same results as :meth:`add` batch by batch, sooner: while one
        batch is aligned, the next one is fingerprinted and its pairs found,
        and while a batch is written, the next one is aligned.  A batch that
        repeats an id is cut where it repeats, and each part is a transaction
        of its own.  If another process writes to the index meanwhile, the
        batch planned before its write is planned again.  A ``None`` among
        the batches says "no batch ready yet": what is planned is written at
        once rather than after the next batch is read (for a caller feeding
        the stream from a queue).
        """
        with self._write_lock:
            pool = self._workers(workers)
            conn = self._conn()
            # what the next plan rests on: this stream's last commit (the published
            # snapshot can be newer, if another process wrote and a read saw it)
            current = self._refresh(conn)
            waiting: tuple[list[Article], writer.Plan, bool] | None = None
            finished: list[AddResult] = []  # the parts of a batch written so far
            replanned = False
            try:
                for part, last in chain(_tagged_parts(batches), [(None, True)]):
                    plan = None
                    if part is not None:
                        if pool is not None and len(part) >= START_WORKERS_AT:
                            pool.start()  # they load the kernels while this process plans
                        pending = waiting[1] if waiting and waiting[1].new else None
                        base = pending.snapshot if pending is not None else current
                        plan = writer.plan_batch(conn, base, self.params, part, pending)
                    if waiting is not None:
                        writer.wait_for_alignment(waiting[1])  # frees the workers for the next
                    if plan is not None:
                        writer.start_alignment(plan, self.params, pool, self._tokens)
                    if waiting is not None:
                        articles, planned, ends_batch = waiting
                        results, current, replanned = self._write_planned(
                            conn, articles, planned, current, replanned)
                        self._diff_new_versions(results)
                        finished += results
                        if ends_batch:
                            # answered before merging: what follows the commit cannot
                            # fail a batch that is in (a caller would add it again)
                            yield finished
                            finished = []
                        merged = self._merger.advance(conn, current)
                        if merged is not None:
                            # a merge commits once; more means another process wrote
                            replanned |= merged.postings.generation != \
                                current.postings.generation + 1
                            current = merged
                    waiting = (part, plan, last) if part is not None and plan is not None \
                        else None
                self._merge()  # the merge in flight, and any still due
            except BaseException:
                if pool is not None:
                    pool.abandon()
                raise

    def _write_planned(self, conn: sqlite3.Connection, articles: list[Article],
                       plan: writer.Plan, planned_on: Snapshot, stale: bool
                       ) -> tuple[list[AddResult], Snapshot, bool]:
        """Write and commit a batch planned ahead on ``planned_on``; its results, the
        snapshot after it, and whether it had to be planned again (``stale``: the
        batch before it was, so this plan rests on a wrong one)."""
        with write_transaction(conn):
            snap = self._refresh(conn)
            if stale or snap.postings.generation != planned_on.postings.generation:
                # another process wrote since the plan was made: plan again, and
                # align here (the workers already have the next batch)
                plan = writer.plan_batch(conn, snap, self.params, articles)
                writer.start_alignment(plan, self.params, None, self._tokens)
                stale = True
            results, snap = writer.write_batch(conn, snap, plan, self.params)
        self._publish(snap)
        return results, snap, stale

    def _diff_new_versions(self, results: list[AddResult]) -> None:
        for result in results:
            if result.status == NEW_VERSION:
                result.diff = self.version_diff(result.article_id, result.version)

    def _workers(self, workers: int) -> AlignWorkers | None:
        """The alignment processes for ``workers`` (inside the write lock)."""
        if workers <= 1:
            return None
        if self._pool is None or self._pool.processes != workers:
            if self._pool is not None:
                self._pool.close()
            self._pool = AlignWorkers(workers)
        return self._pool

    def _merge(self) -> None:
        """Merge postings runs while some level is full (each merge one transaction)."""
        self._merger.all_now(self._conn())

    def _publish(self, snapshot: Snapshot) -> None:
        """Make a snapshot this handle committed the one reads start from."""
        with self._snapshot_lock:
            if snapshot.postings.generation > self._snapshot.postings.generation:
                self._snapshot = snapshot

    # ------------------------------------------------------------------ reading

    def query(self, article: Article) -> QueryResult:
        """The reuse ``article`` holds and the stories it would join, without storing it."""
        with self._read() as (conn, snap):
            return reader.query(conn, snap, self.params, article, self._tokens)

    def article(self, article_id: str, version: int | None = None) -> Article | None:
        """The current (or the given) version of an article, or ``None``."""
        with self._read() as (conn, _):
            return reader.article(conn, article_id, version)

    def versions(self, article_id: str) -> list[VersionInfo]:
        """Every stored version of an article, oldest first (empty if unknown)."""
        with self._read() as (conn, _):
            return reader.versions(conn, article_id)

    def version_diff(self, article_id: str, version: int) -> Diff | None:
        """What ``version`` changed against the version before it (``None`` for the first)."""
        if version <= 1:
            return None
        before, after = self.article(article_id, version - 1), self.article(article_id, version)
        if before is None or after is None:
            return None
        return diff_articles(before, after, self.params)

    def passages(self, article_id: str) -> list[Passage]:
        """Reused passages of the article's current version, oriented so ``a`` is it."""
        with self._read() as (conn, _):
            return reader.passages(conn, article_id)

    def story_of(self, article_id: str) -> Story | None:
        """The story the article's current version belongs to, or ``None``."""
        with self._read() as (conn, _):
            return reader.story_of(conn, article_id)

    def story(self, story_id: str) -> tuple[Story, list[Diff]] | None:
        """A story and the diff of each version against its base (members' order):
        the origin, or its main source when the origin is not among its sources
        (:func:`wiretrace.stories.build.diff_base`)."""
        with self._read() as (conn, snap):
            return reader.story(conn, snap, self.params, story_id)

    def stories(self, limit: int = 50, offset: int = 0) -> list[Story]:
        """Stories, largest first."""
        with self._read() as (conn, _):
            return reader.stories(conn, limit, offset)

    def search(self, text: str, limit: int = 10) -> list[tuple[str, float]]:
        """Articles sharing text with ``text``: ``(article_id, score)``, best first.

        The score is the share of the text's word 5-grams (``seed_ngram``)
        found in the article.  A text too short for one n-gram is matched as
        a substring of titles and texts (case-insensitive for ASCII; score 1).
        """
        with self._read() as (conn, snap):
            return reader.search(conn, snap, self.params, text, max(0, int(limit)))

    def stats(self) -> dict:
        """Counts, sizes and the parameters of the index."""
        with self._read() as (conn, snap):
            found = reader.counts(conn)
        found["shingle_postings"] = snap.postings.n_keys(SHINGLES)
        found["band_postings"] = snap.postings.n_keys(BANDS)
        found["runs"] = len(snap.postings.runs[SHINGLES]) + len(snap.postings.runs[BANDS])
        found["boilerplate_ngrams"] = len(snap.boilerplate)
        found["file_bytes"] = file_bytes(self.path)
        found["bytes_per_article"] = (round(found["file_bytes"] / found["articles"])
                                      if found["articles"] else None)
        found["params"] = {k: getattr(self.params, k) for k in TraceParams.names()}
        return found


def _check_fingerprints(conn: sqlite3.Connection, path: str, params: TraceParams) -> None:
    """Refuse an index whose postings another version of the fingerprint code made."""
    probe = engine.probe(params)
    row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    if row is None:
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('fingerprint', ?)", (probe,))
    elif row[0] != probe:
        raise IndexFileError(f"{path}: built by a wiretrace whose tokeniser, shingles or MinHash "
                             f"differ from this one; build the index again")
