"""Articles as read, and the records a reader sets aside: rejected records and
field warnings."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as read from the input."""

    id: str
    text: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: datetime | None = None
    read_from: str | None = None  # where it was read from: "file" or "file:line"
    # the byline, and the subjects and places the source files it under (a page's
    # categories and tags, the wire's <TOPICS> and <PLACES>): kept, never matched on
    author: str | None = None
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "chars": len(self.text),
            "read_from": self.read_from,
            "author": self.author,
            "topics": list(self.topics),
            "places": list(self.places),
        }


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input record that could not be used, and why."""

    source: str  # file the record came from
    location: str | None  # line / row number, or None for a whole file
    record_id: str | None  # the record's id when it could be read
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class FieldWarning:
    """An optional field (title, outlet, url, published, author, topics, places) that
    could not be used: the article was kept with that field empty (None, or no
    labels), and this says where and why."""

    source: str  # file the record came from
    location: str | None  # line / row number, or None for a whole file
    record_id: str | None  # the article's id
    field: str  # the article attribute left empty: "published", "title", "author" ...
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)
