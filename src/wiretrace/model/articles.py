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

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "chars": len(self.text),
            "read_from": self.read_from,
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
    """An optional field (title, outlet, url, published) that could not be used: the
    article was kept with that field empty (None), and this says where and why."""

    source: str  # file the record came from
    location: str | None  # line / row number, or None for a whole file
    record_id: str | None  # the article's id
    field: str  # the article attribute left empty: "published", "title", "outlet", "url"
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)
