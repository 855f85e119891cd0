"""Stories: their members, origin and derivation edges."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class DerivationEdge:
    """``target`` took text from ``source``.

    ``target_share`` is the share of the target's characters covered by
    passages aligned with the source; ``source_share`` the share of the
    source's characters that reappear in the target.
    """

    source: str
    target: str
    target_share: float
    source_share: float
    shared_chars: int

    def to_dict(self) -> dict:
        # spelled out: ``dataclasses.asdict`` deep-copies field by field, ten
        # times slower, and the index encodes every edge of a story it rebuilds
        return {"source": self.source, "target": self.target,
                "target_share": self.target_share, "source_share": self.source_share,
                "shared_chars": self.shared_chars}


@dataclass(slots=True)
class Story:
    """Articles that share reused text, with the likely origin."""

    id: str
    members: list[str]
    origin: str
    origin_reason: str  # "earliest published" or "least explained by others"
    edges: list[DerivationEdge] = field(default_factory=list)

    def _repr_html_(self) -> str:  # a notebook's display
        from wiretrace.output.notebook import story_html

        return story_html(self)

    def to_dict(self) -> dict:
        return {
            "story": self.id,
            "members": list(self.members),
            "size": len(self.members),
            "origin": self.origin,
            "origin_reason": self.origin_reason,
            "edges": [e.to_dict() for e in self.edges],
        }
