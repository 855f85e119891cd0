"""One cache of texts and their tokens, for every driver and worker.

Alignment and diff read an article's tokens (and the sentences and anchors
the aligner caches on them) pair after pair; pairs come grouped by connected
articles, so a text's tokens are reused soon or not at all.  A bounded
cache, least recently used out, keeps them: in the batch run's workers, in
the index (across queries), in the index's alignment workers (which also
keep the texts, so a sender need not send them again), and in the command
line's ``compare --pairs``.  Thread-safe: the index's readers align in
threads of their own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from wiretrace.text.tokens import Tokens, tokenize


class TextCache:
    """Up to ``size`` texts by key, each with its tokens once asked for."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, list] = OrderedDict()  # key -> [text, tokens]
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def _keep(self, key: Hashable, entry: list) -> None:
        self._items[key] = entry
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def hold(self, key: Hashable, text: str | None) -> None:
        """Keep ``text`` under ``key`` (its tokens made when first asked for);
        ``None``: the text held already, now the most recently used."""
        with self._lock:
            entry = self._items[key] if text is None else [text, None]
            self._keep(key, entry)

    def text(self, key: Hashable) -> str:
        """The text held under ``key``."""
        with self._lock:
            return self._items[key][0]

    def get(self, key: Hashable) -> Tokens | None:
        """The tokens kept under ``key``, if made yet."""
        with self._lock:
            entry = self._items.get(key)
            if entry is None or entry[1] is None:
                return None
            self._items.move_to_end(key)
            return entry[1]

    def tokens(self, key: Hashable, text: str | Callable[[], str] | None = None,
               touch: bool = True) -> Tokens:
        """The tokens under ``key``, made (and kept) when not there yet: from the
        text held, else from ``text`` (or what it returns: read only on a miss).
        A key names one text: a caller that can give a key another text
        gives it to :meth:`hold` first.  ``touch=False`` leaves the order of use
        as it is (an index worker keeps it in step with its sender's copy)."""
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                if touch:
                    self._items.move_to_end(key)
                if entry[1] is not None:
                    return entry[1]
        if entry is not None and entry[0] is not None:
            source = entry[0]
        elif text is None:
            raise KeyError(key)
        else:
            source = text() if callable(text) else text
        tokens = tokenize(source)  # outside the lock: other threads go on meanwhile
        with self._lock:
            if touch or key not in self._items:
                self._keep(key, [source, tokens])
            else:
                self._items[key][1] = tokens
        return tokens
