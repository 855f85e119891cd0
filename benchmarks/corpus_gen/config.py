"""What a corpus is made of: the derivation kinds, their default mixture, the
outlets, and ``Config``, the options of one generation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("copy", "trimmed", "added_paragraphs", "spliced", "reworded", "spelling",
         "reordered", "headline")
VERBATIM_KINDS = frozenset(KINDS) - {"reworded", "spelling"}
DEFAULT_KIND_WEIGHTS = {"copy": 0.15, "trimmed": 0.15, "added_paragraphs": 0.12,
                        "spliced": 0.10, "reworded": 0.18, "spelling": 0.10,
                        "reordered": 0.10, "headline": 0.10}
OUTLETS = ("Reuters", "BBC News", "The Daily Ledger", "Northern Post", "Capital Herald",
           "Evening Courier", "Harbour Gazette", "Morning Standard", "The Tribune Online",
           "Valley Times", "Metro Wire", "Coastal Record", "The Observer Desk",
           "Business Dispatch", "National Chronicle", "City Press", "World Briefing",
           "The Sentinel", "Market Watchdog", "Regional Echo", "Daily Examiner",
           "Global Monitor", "The Review", "Sunday Bulletin")
EPOCH_2024 = 1_704_067_200  # 2024-01-01T00:00:00Z: originals are spread over 2024
RUN = 8  # real material shares no run of this many words between two texts


@dataclass
class Config:
    """What to generate; every default is the documented mixture."""

    articles: int = 1000
    seed: int = 1
    derived_share: float = 0.40
    kind_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_KIND_WEIGHTS))
    story_min: int = 2
    story_max: int = 50
    story_exponent: float = 2.5
    from_original: float = 0.70
    max_real: int | None = None  # cap on real texts used as originals (None: all)
    chunk_articles: int = 4096

    def check(self) -> None:
        if not 1 <= self.articles <= 10_000_000:
            raise ValueError("articles must be in 1..10,000,000")
        if not 0.0 <= self.derived_share < 1.0:
            raise ValueError("derived_share must be in [0, 1)")
        if not 2 <= self.story_min <= self.story_max:
            raise ValueError("need 2 <= story_min <= story_max")
        unknown = set(self.kind_weights) - set(KINDS)
        if unknown or not self.kind_weights or min(self.kind_weights.values()) < 0 \
                or sum(self.kind_weights.values()) <= 0:
            raise ValueError(f"kind weights must be >= 0 over {', '.join(KINDS)}")
        if not 0.0 <= self.from_original <= 1.0:
            raise ValueError("from_original must be in [0, 1]")
