"""The service's adds: one thread feeding a queue of requests to the index's add stream.

Requests arrive one by one, each to be one transaction, and each client waits
for its answer.  Handing them to :meth:`Index.add_stream
<wiretrace.index.Index.add_stream>` as they come lets the index plan one
request while it aligns the one before and write it while it aligns the next
(the same results as adding them one after the other); when no request is
waiting, what is planned is written at once, so a lone request never waits
for a second.  Only this thread adds, so queued adds never take the threads
that reads and queries need.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future

from wiretrace.index import Index
from wiretrace.index.results import AddResult
from wiretrace.model import Article


class AddQueue:
    """Adds articles to ``index`` on a thread of its own, in the order submitted."""

    def __init__(self, index: Index, workers: int = 1) -> None:
        self._index, self._workers = index, workers
        self._stopping = False
        self._jobs: queue.SimpleQueue[tuple[list[Article], Future] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="wiretrace-add", daemon=True)
        self._thread.start()

    def submit(self, articles: list[Article]) -> Future[list[AddResult]]:
        """Queue an add; the future holds its results, or the error it raised."""
        future: Future[list[AddResult]] = Future()
        self._jobs.put((list(articles), future))
        return future

    def close(self) -> None:
        """Finish the queued adds, then stop the thread."""
        self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        while not self._stopping:
            taken: deque[tuple[list[Article], Future]] = deque()
            try:
                for results in self._index.add_stream(self._batches(taken),
                                                      workers=self._workers):
                    taken.popleft()[1].set_result(results)
            except BaseException:
                # which request failed is not known here: each one not answered yet
                # is added again on its own, and gets its result or its own error
                for articles, future in taken:
                    try:
                        future.set_result(self._index.add(articles, workers=self._workers))
                    except BaseException as error:
                        future.set_exception(error)

    def _batches(self, taken: deque[tuple[list[Article], Future]]
                 ) -> Iterator[list[Article] | None]:
        """The queued requests' articles, ``None`` when none is waiting (see
        ``Index.add_stream``); each request taken goes to ``taken``."""
        idle = True
        while True:
            if idle:
                job = self._jobs.get()  # nothing planned: wait for a request
            else:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    idle = True
                    yield None  # none waiting: write what is planned now
                    continue
            if job is None:
                self._stopping = True
                return
            if job[1].set_running_or_notify_cancel():
                taken.append(job)
                idle = False
                yield job[0]
