"""What a corpus is made of: the derivation kinds, their default mixture, the
outlets, and ``Config``, the options of one generation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("copy", "trimmed", "added_paragraphs", "spliced", "reworded", "spelling",
         "reordered", "headline")
# A series item's re-issue (the first version after it, when it is a story's original):
# one figure put right, or the same item sent again.
SERIES_KINDS = ("corrected", "resent")
CORRECTED_SHARE = 0.5  # of those re-issues (the others are re-sent as they were)
ALL_KINDS = KINDS + SERIES_KINDS
VERBATIM_KINDS = frozenset(ALL_KINDS) - {"reworded", "spelling", "corrected"}
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
    # shares of all articles that are templated originals (the frame of a real Reuters
    # item filled with other names and figures): one-off templates (earnings tables,
    # dividends, bond issues, filing and stake briefs) and items of periodic series
    # (money-market reports, weekly statistics)
    template_share: float = 0.10
    series_share: float = 0.03

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
        if min(self.template_share, self.series_share) < 0 \
                or self.template_share + self.series_share > 1.0 - self.derived_share:
            raise ValueError("template_share and series_share must be >= 0 and sum to at "
                             "most 1 - derived_share (templated items are originals)")
