"""What the index's methods return: plain dataclasses with a ``to_dict`` for JSON."""

from __future__ import annotations

from dataclasses import dataclass, field

from wiretrace.index.store import PASSAGE_RECORD, decode_passages
from wiretrace.model import Diff, Passage, Story

ADDED, UNCHANGED, NEW_VERSION = "added", "unchanged", "new_version"


def passage_dict(p: Passage) -> dict:
    return p.to_dict()


@dataclass(slots=True)
class AddResult:
    """What adding one article did.

    ``status`` is ``added`` (a new id), ``unchanged`` (this id with this text
    was indexed already: nothing was done, ``passages`` is empty) or
    ``new_version`` (this id with another text: stored as version
    ``version``, the previous version kept; ``diff`` is the new version
    against the previous one).  ``passages`` is the reuse found between this
    article and the articles before it in the index (earlier adds and earlier
    articles of the same call), oriented so that ``a`` is this article.
    ``story_id`` is the story it belongs to after the add.
    """

    article_id: str
    status: str
    version: int
    story_id: str | None = None
    diff: Diff | None = None
    # ``(a, b, packed passages)`` of the aligned pairs, as stored (either way round):
    # made into ``passages`` on first use (``index add`` only counts them)
    found: list[tuple[str, str, bytes]] = field(default_factory=list, repr=False,
                                                compare=False)
    _passages: list[Passage] | None = field(default=None, repr=False, compare=False)

    @property
    def passages(self) -> list[Passage]:
        if self._passages is None:
            me = self.article_id
            self._passages = sorted(
                (p if a == me else p.swapped()
                 for a, b, blob in self.found for p in decode_passages(blob, a, b)),
                key=lambda p: (p.a_start, p.b, p.b_start))
        return self._passages

    @property
    def passage_count(self) -> int:
        """``len(passages)``, without making them."""
        if self._passages is not None:
            return len(self._passages)
        return sum(len(blob) for _, _, blob in self.found) // PASSAGE_RECORD.itemsize

    def to_dict(self) -> dict:
        return {"article_id": self.article_id, "status": self.status, "version": self.version,
                "story_id": self.story_id, "passages": [p.to_dict() for p in self.passages],
                "diff": self.diff.to_dict() if self.diff else None}


@dataclass(slots=True)
class QueryResult:
    """What adding an article would find, without adding it.

    ``status``: ``new`` (id not in the index), ``unchanged`` (indexed with
    this very text: the stored passages and story are returned) or
    ``new_version`` (indexed with another text: the result is what the new
    version would find; its own previous version is not counted as a source).
    ``passages`` are oriented so that ``a`` is the queried article;
    ``sources`` are the ids of the articles it reuses text from, most shared
    first; ``stories`` the existing stories it would join (it links to one of
    their members strongly enough, see ``TraceParams.story_min_share``);
    ``links`` the ids of those strongly linked articles.
    """

    article_id: str
    status: str
    passages: list[Passage]
    sources: list[str]
    stories: list[Story]
    links: list[str]
    candidates: int = 0

    def to_dict(self) -> dict:
        return {"article_id": self.article_id, "status": self.status,
                "candidates": self.candidates, "sources": self.sources, "links": self.links,
                "stories": [s.to_dict() for s in self.stories],
                "passages": [p.to_dict() for p in self.passages]}


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One stored version of an article (``current``: the one that is indexed)."""

    article_id: str
    version: int
    current: bool
    chars: int
    words: int
    added_at: float  # seconds since the epoch
    title: str | None

    def to_dict(self) -> dict:
        return {"article_id": self.article_id, "version": self.version,
                "current": self.current, "chars": self.chars, "words": self.words,
                "added_at": self.added_at, "title": self.title}
