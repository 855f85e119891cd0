"""Who is credited for what in one article: an :class:`Attribution` per credit,
and the credits one version adds, drops or changes against another.

An attribution is three spans of the article's own text, PolNeAR's reading:
the **source** (who: a person, an outlet, an anonymous official), the **cue**
(said, told, reports that, according to) and the **content** (what is
attributed), each a pair of character offsets.  Source or content may be
absent (``None``): "said to be", a cue whose content the tagger missed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# what kind of credit: a quote in quotation marks, a reported clause, an
# outlet's report ("Vanguard reports that", "first reported by France 24"),
# an "according to"
ATTRIBUTION_KINDS = ("direct_quote", "indirect", "reported_by", "according_to")


@dataclass(frozen=True, slots=True)
class Attribution:
    article: str
    source_start: int | None
    source_end: int | None
    cue_start: int
    cue_end: int
    content_start: int | None
    content_end: int | None
    kind: str
    source_text: str | None
    source_entity: str | None  # normalised: "AP" for "The Associated Press"
    medium_entity: str | None  # the outlet the words reached: "told The Associated Press"
    cue_text: str
    content_text: str | None
    # where the medium is named, when it is not the source itself
    medium_start: int | None = None
    medium_end: int | None = None
    # a credit: a cue of saying or reporting (not "asked for", "rejected") and a
    # source that names or describes someone (attribute.entities.is_credit)
    is_credit: bool = False
    # the source is named (a person, an organisation, an outlet), not described
    # ("a Western military official"); only named credits are compared across
    # versions, as a tagger's description of one source varies with its words
    source_named: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def credited(self) -> list[str]:
        """The entities this attribution credits: its source, and its medium."""
        if not self.is_credit:
            return []
        return [e for e in (self.source_entity, self.medium_entity) if e]


@dataclass(frozen=True, slots=True)
class Credit:
    """An entity credited in one version and not the other, with where it is."""

    entity: str
    start: int  # the source (or medium) span in the version that credits it
    end: int
    text: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CreditChange:
    """The same content credited to another source in the other version, or a
    quote whose words changed."""

    kind: str  # "recredited", "credit_cut" or "quote_altered"
    a_entity: str | None
    b_entity: str | None
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_text: str
    b_text: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CreditEdge:
    """One step of how words reached a story's versions.

    ``relation``: ``told`` (a source gave its words to a medium: "Nasr told
    The Associated Press"), ``relayed`` (a medium's report inside another
    outlet's: "Voice of America reports that ... told The Associated
    Press"), ``credited_by`` (a version credits the source or outlet),
    ``derived`` (a version took text from another, the story's own edges).
    ``versions``: the versions in which the step is read.
    """

    source: str
    target: str
    relation: str
    versions: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"from": self.source, "to": self.target, "relation": self.relation,
                "versions": list(self.versions)}


@dataclass(frozen=True, slots=True)
class QuoteTrail:
    """A direct quote carried by versions of a story: who first carried it, and
    where its words changed."""

    text: str  # as the first version carrying it has it
    speaker: str | None
    first_version: str
    versions: tuple[str, ...]
    altered_in: tuple[str, ...]  # versions whose quote, by its place, has other words

    def to_dict(self) -> dict:
        return {"text": self.text, "speaker": self.speaker, "first_version": self.first_version,
                "versions": list(self.versions), "altered_in": list(self.altered_in)}


@dataclass(slots=True)
class Provenance:
    """Who told whom in one story, and its quotes (``provenance.jsonl``)."""

    story: str
    edges: list[CreditEdge]
    quotes: list[QuoteTrail]

    def to_dict(self) -> dict:
        return {"story": self.story, "edges": [e.to_dict() for e in self.edges],
                "quotes": [q.to_dict() for q in self.quotes]}


@dataclass(frozen=True, slots=True)
class OutletCredit:
    """Across a corpus: how often articles of ``outlet`` took text from articles of
    ``source_outlet`` (a story's derivation edge between two named outlets), and in
    how many of those the taking article credits the source outlet."""

    outlet: str
    source_outlet: str
    taken: int
    credited: int

    def to_dict(self) -> dict:
        return asdict(self)
