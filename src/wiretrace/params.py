"""The tunable parameters of a run, validated in one place.

Like scikit-learn estimators, every knob has a documented default chosen for
news text, and a bad value fails at once with a message that names it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class TraceParams:
    """Parameters of candidate search, alignment and story building.

    seed_ngram: words per n-gram used to find candidate pairs across the corpus.
    max_df: an n-gram found in more articles than this is treated as
        boilerplate ("Follow us on ...") and never seeds a candidate pair.
        ``None`` picks 5% of the corpus, clamped to [10, 100].
    min_shared_seeds: distinct shared n-grams a pair needs to be aligned (4
        five-word n-grams: about eight words of identical wording); pairs that
        share fewer are wire templates and stock phrases far more often than
        reuse (measured on Reuters + BBC: 9% of such pairs align at all).
    lsh_threshold: approximate Jaccard similarity at which MinHash LSH proposes
        whole-document near-duplicates (catches copies of stories so popular
        their n-grams exceed ``max_df``).
    num_perm: MinHash permutations.
    anchor_ngram: words per exact match used to anchor an alignment.
    max_gap: most unmatched words allowed between two anchors of one passage
        (on either side); larger gaps start a new passage.
    min_passage_words: passages with fewer matched words are dropped.
    min_passage_chars: passages shorter than this (on either side) are dropped.
    sentence_similarity: two sentences seed a reworded passage when both their
        tf-idf cosine and their Dice coefficient over content words reach
        this; ``1.0`` turns sentence seeding off (exact wording only).
    max_sentence_gap: sentences without a seed that a reworded passage may
        span on either side.
    min_reworded_chars: a passage found only by sentence similarity (no
        exact wording in it) must be at least this long on both sides.
    story_min_share: two articles join one story only if the words their
        passages match are at least this share of the shorter one's words (a
        weak link, such as one common sentence in two long articles, or a
        loose paraphrase of background, does not join stories).
    spelling_min_similarity: normalised edit similarity (0-1) at which two
        differing words count as spelling variants of each other.
    close_in_time_days: versions of one story are close in time.  When both
        articles of a pair are dated and further apart than this, only
        passages whose names and figures all agree (no slot filled with
        another) count towards their link: next week's report in the same
        frame is another event, a follow-up that reuses the background of
        one episode keeps its names.
    story_cohesion: two parts of a connected group of linked articles make one
        story only when the links between them are at least this share of
        the pairs they could form (average linkage, see wiretrace.links): an
        article joins a story through links to a good share of its members,
        not through any path.
    """

    seed_ngram: int = 5
    max_df: int | None = None
    min_shared_seeds: int = 4
    lsh_threshold: float = 0.7
    num_perm: int = 128
    anchor_ngram: int = 3
    max_gap: int = 12
    min_passage_words: int = 14
    min_passage_chars: int = 40
    sentence_similarity: float = 0.33
    max_sentence_gap: int = 4
    min_reworded_chars: int = 150
    story_min_share: float = 0.2
    spelling_min_similarity: float = 0.75
    close_in_time_days: float = 1.5
    story_cohesion: float = 0.3

    def __post_init__(self) -> None:
        positive_ints = ("seed_ngram", "min_shared_seeds", "num_perm", "anchor_ngram",
                         "min_passage_words")
        for name in positive_ints:
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        for name in ("max_gap", "min_passage_chars", "max_sentence_gap", "min_reworded_chars"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        if not isinstance(self.close_in_time_days, (int, float)) or \
                not 0.0 <= self.close_in_time_days < float("inf"):
            raise ValueError("close_in_time_days must be a non-negative number of days, "
                             f"got {self.close_in_time_days!r}")
        if self.max_df is not None and (not isinstance(self.max_df, int) or self.max_df < 2):
            raise ValueError(f"max_df must be None or an integer >= 2, got {self.max_df!r}")
        for name in ("lsh_threshold", "story_min_share", "story_cohesion",
                     "spelling_min_similarity",
                     "sentence_similarity"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value!r}")

    def effective_max_df(self, n_articles: int) -> int:
        if self.max_df is not None:
            return self.max_df
        return int(min(100, max(10, 0.05 * n_articles)))

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]
