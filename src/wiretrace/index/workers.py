"""Alignment processes for the index: started once, kept warm, safe beside threads.

The batch pipeline forks workers for a stage and lets them go.  An index
lives long (a server, a large ``index add``) and aligns a few thousand pairs
per add, so its workers are started once, load the compiled kernels once,
and keep the tokens of the versions they aligned (a story's members are the
candidates of add after add).

They are separate programs (a ``python`` running :func:`serve`) speaking
pickles over two pipes, not ``multiprocessing`` children: a fork of a
threaded server can inherit a lock another thread held (and hang), and a
spawned ``multiprocessing`` child imports the caller's main module again
(running an unguarded script a second time).  Starting a program has
neither problem.

A caller sends related pairs (a connected group) to the same worker every
time and finds their tokens there; texts a worker holds are not sent again
(the sender keeps a copy of the worker's bookkeeping).  A stored version's
text never changes, but a version number can be given again after a
rolled-back add, so a text is known by number *and* content.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import OrderedDict
from collections.abc import Callable
from multiprocessing.connection import Connection

import numpy as np

from wiretrace.index.store import encode_passages
from wiretrace.model import Article
from wiretrace.params import TraceParams
from wiretrace.text.cache import TextCache
from wiretrace.text.tokens import Tokens

# Versions a worker keeps, text and tokens (with their sentences and anchor
# index: tens of KB each); the sender sends only the texts it does not hold.
TEXTS_PER_WORKER = 4096


class WorkerError(RuntimeError):
    """An alignment failed inside a worker (the message carries its traceback)."""


class _Worker:
    """One worker program and the two ends of its pipes."""

    def __init__(self, capacity: int) -> None:
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        env = dict(os.environ)
        # the same modules as this process, however it found them
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from wiretrace.index.workers import serve; "
             "serve(*map(int, sys.argv[1:]))", str(to_child), str(from_child), str(capacity)],
            pass_fds=(to_child, from_child), env=env, stdin=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self.send = Connection(from_parent, readable=False)
        self.receive = Connection(to_parent, writable=False)
        # the texts the worker holds, by doc (with this process's hash of each):
        # kept exactly in step with the worker's own store (see ``texts_for``)
        self.holds: OrderedDict[int, int] = OrderedDict()
        self.capacity = capacity

    def texts_for(self, needed: list[int], articles: dict[int, Article],
                  fresh: frozenset[int]) -> list[tuple[int, str | None]]:
        """``(doc, text)`` for each doc, the text ``None`` where the worker holds it.

        The worker applies the same steps to its store in the same order (see
        :func:`_store_texts`), so the two stay the same without a round trip.
        """
        out: list[tuple[int, str | None]] = []
        for doc in needed:
            text = articles[doc].text
            if doc in fresh:
                out.append((doc, text))
                continue
            held = self.holds.get(doc) == hash(text)
            out.append((doc, None if held else text))
            self.holds[doc] = hash(text)
            self.holds.move_to_end(doc)
            while len(self.holds) > self.capacity:
                self.holds.popitem(last=False)
        return out

    def hang_up(self) -> None:
        """Close the pipes: the worker leaves when its input closes, once it has
        loaded the kernels (see :meth:`wait`)."""
        for end in (self.send, self.receive):
            try:
                end.close()
            except OSError:
                pass

    def wait(self) -> None:
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class AlignWorkers:
    """``processes`` alignment workers: :meth:`send` one job to each, then :meth:`receive`.

    One sender at a time (the index's write lock sees to it).
    """

    def __init__(self, processes: int, texts_per_worker: int = TEXTS_PER_WORKER) -> None:
        if processes < 1 or texts_per_worker < 1:
            raise ValueError("processes and texts_per_worker must be at least 1")
        self.processes, self.texts_per_worker = processes, texts_per_worker
        self._workers: list[_Worker] = []
        self._sent: list[_Worker] = []

    def start(self) -> None:
        """Start the workers now (they load the kernels while the caller goes on)."""
        if not self._workers:
            self._workers = [_Worker(self.texts_per_worker) for _ in range(self.processes)]

    def send(self, jobs: list[list[tuple[int, int]]], articles: dict[int, Article],
             boilerplate: np.ndarray, params: TraceParams, fresh: frozenset[int]) -> bool:
        """Send ``jobs[k]`` to worker ``k`` (they start at once); :meth:`receive` answers.

        ``fresh`` versions (a query's, not stored) are not kept.  False when a
        worker is gone (killed from outside, out of memory): the caller aligns
        in its own process instead, and the workers start afresh next time.
        """
        if len(jobs) > self.processes:
            raise ValueError(f"{len(jobs)} jobs for {self.processes} workers")
        self.start()
        self._sent = []
        try:
            for worker, pairs in zip(self._workers, jobs, strict=False):
                needed = sorted({x for pair in pairs for x in pair})
                worker.send.send((pairs, worker.texts_for(needed, articles, fresh),
                                  boilerplate, params, fresh & set(needed)))
                self._sent.append(worker)
        except OSError:
            self.close()
            return False
        return True

    def receive(self) -> list[list[bytes]] | None:
        """The passages of each pair of each job sent, as ``store.encode_passages``
        packs them, or None when a worker is gone.

        A failure inside an alignment raises :class:`WorkerError`.
        """
        sent, self._sent = self._sent, []
        try:
            answers = [worker.receive.recv() for worker in sent]
        except (OSError, EOFError):
            self.close()
            return None
        failed = [message for ok, message in answers if not ok]
        if failed:
            raise WorkerError(failed[0])
        return [result for _, result in answers]

    def abandon(self) -> None:
        """Forget jobs sent and not received (the caller failed): the workers are
        stopped, as their answers would come out of turn."""
        if self._sent:
            self.close()

    def close(self) -> None:
        """Stop the workers (they are started again on the next :meth:`send`)."""
        workers, self._workers = self._workers, []
        for worker in workers:  # all told first: they wind down side by side
            worker.hang_up()
        for worker in workers:
            worker.wait()


# --------------------------------------------------------------------------- in a worker

# The versions this worker aligned lately, text and tokens (replaced by ``serve``
# with one of the capacity its sender keeps track of).
_TEXTS = TextCache(TEXTS_PER_WORKER)


def _store_texts(texts: list[tuple[int, str | None]], fresh: frozenset[int]) -> dict[int, str]:
    """The job's texts, the store updated exactly as the sender's ``texts_for`` did."""
    entries: dict[int, str] = {}
    for doc, text in texts:
        if doc in fresh:
            assert text is not None  # a fresh text is always sent
            entries[doc] = text
            continue
        _TEXTS.hold(doc, text)  # None: held (the sender keeps track)
        entries[doc] = _TEXTS.text(doc)
    return entries


def aligned_records(pairs: list[tuple[int, int]],
                    prepare: Callable[[int], tuple[str, Tokens, np.ndarray | None]],
                    params: TraceParams) -> list[bytes]:
    """Per pair, its passages packed by ``store.encode_passages``; ``prepare(doc)``
    gives a doc's text, tokens and boilerplate mask.  The index stores the
    records as they come and makes ``Passage`` objects only for results that
    are read; a worker and the caller aligning in its own process share this.
    """
    from wiretrace.align import align_tokens

    out = []
    for x, y in pairs:
        (text_x, tokens_x, ignore_x), (text_y, tokens_y, ignore_y) = prepare(x), prepare(y)
        out.append(encode_passages(align_tokens(text_x, tokens_x, text_y, tokens_y, params,
                                                ignore_x, ignore_y)))
    return out


def _align_job(pairs: list[tuple[int, int]], texts: list[tuple[int, str | None]],
               boilerplate: np.ndarray, params: TraceParams,
               fresh: frozenset[int]) -> list[bytes]:
    """:func:`aligned_records` of a job, on the texts and tokens this worker holds."""
    from wiretrace.candidates.lsh import boilerplate_mask
    from wiretrace.text.tokens import tokenize

    entries = _store_texts(texts, fresh)
    prepared: dict[int, tuple[Tokens, np.ndarray | None]] = {}

    def prepare(doc: int) -> tuple[str, Tokens, np.ndarray | None]:
        if doc not in prepared:
            # a held text's tokens are kept (without changing the store's order of
            # use, which mirrors the sender's); a fresh one's, or one a large job
            # pushed out, are made for this job only
            tokens = _TEXTS.tokens(doc, touch=False) if doc not in fresh and doc in _TEXTS \
                else tokenize(entries[doc])
            # the boilerplate set changes from job to job: masks are not kept
            prepared[doc] = tokens, boilerplate_mask(tokens.hashes, params.seed_ngram,
                                                     boilerplate)
        return entries[doc], *prepared[doc]

    return aligned_records(pairs, prepare, params)


def serve(read_fd: int, write_fd: int, capacity: int = TEXTS_PER_WORKER) -> None:
    """A worker's life: warm up, then answer jobs until the input closes."""
    import signal
    import traceback

    from wiretrace.align import warm_up
    from wiretrace.runtime import compiled as kernels

    # Ctrl-C reaches the whole process group: the caller stops, and closing its
    # pipes ends this worker, without a second traceback from here
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    receive, send = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    global _TEXTS
    _TEXTS = TextCache(capacity)
    kernels.warm_up()
    warm_up()
    while True:
        try:
            job = receive.recv()
        except (EOFError, OSError):
            return
        try:
            answer = (True, _align_job(*job))
        except Exception:  # reported to the caller, which raises it
            answer = (False, traceback.format_exc())
        try:
            send.send(answer)
        except OSError:
            return

