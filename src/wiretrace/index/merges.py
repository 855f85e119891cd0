"""Merging the index's postings runs, LSM style: at once, or on a thread while adds go on.

Every add writes one sorted run per kind; once a level holds ``writer.FANOUT``
runs they are merged into one run of the next level, so a look-up visits a
few dozen runs at most.  A merge late in a large ``index add`` sorts tens of
millions of keys; computed on a thread (NumPy's sort releases the GIL), it
overlaps the next batches instead of stalling them, and only putting the
merged run in place (one short transaction) waits for the write lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from wiretrace.index import writer
from wiretrace.index.schema import write_transaction
from wiretrace.index.writer import Merge, Snapshot


class Merger:
    """Runs merges for one ``Index`` (its writer's thread calls it, under the write lock).

    ``refresh`` gives the committed snapshot inside a transaction; ``publish``
    makes a new snapshot the one readers see.
    """

    def __init__(self, refresh: Callable[[sqlite3.Connection], Snapshot],
                 publish: Callable[[Snapshot], None]) -> None:
        self._refresh, self._publish = refresh, publish
        self._thread: ThreadPoolExecutor | None = None
        self._pending: tuple[Merge, Future[np.ndarray]] | None = None

    def all_now(self, conn: sqlite3.Connection) -> None:
        """Merge while some level is full (each merge one transaction)."""
        self._wait(conn)
        while True:
            merged = self._transaction(conn, lambda snap: writer.merge_runs(conn, snap))
            if merged is None:
                return

    def advance(self, conn: sqlite3.Connection, snapshot: Snapshot) -> Snapshot | None:
        """Put a merge finished on the thread in place, and start the next one due
        (on ``snapshot``, the caller's latest); the snapshot after the merge put in
        place, if any."""
        merged = None
        if self._pending is not None and self._pending[1].done():
            merged = self._wait(conn)
            snapshot = merged or snapshot
        if self._pending is None:
            merge = writer.next_merge(conn)
            # a run ``snapshot`` lacks is another process's: left to a later merge
            runs = snapshot.postings.runs.get(merge.kind, {}) if merge else {}
            if merge is not None and all(i in runs for i in merge.ids):
                if self._thread is None:
                    self._thread = ThreadPoolExecutor(1, thread_name_prefix="wiretrace-merge")
                self._pending = (merge, self._thread.submit(writer.merged_keys, snapshot, merge))
        return merged

    def close(self) -> None:
        """Drop a merge in flight (the runs stay as they are: merged by a later add)."""
        self._pending = None
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None

    def _wait(self, conn: sqlite3.Connection) -> Snapshot | None:
        if self._pending is None:
            return None
        merge, future = self._pending
        self._pending = None
        keys = future.result()
        return self._transaction(conn, lambda snap: writer.apply_merge(conn, snap, merge, keys))

    def _transaction(self, conn: sqlite3.Connection,
                     step: Callable[[Snapshot], Snapshot | None]) -> Snapshot | None:
        with write_transaction(conn):
            merged = step(self._refresh(conn))
        if merged is not None:
            self._publish(merged)
        return merged
