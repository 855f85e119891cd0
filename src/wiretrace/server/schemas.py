"""Request and response bodies of the HTTP API (they make the OpenAPI description).

Field names follow the output files (``passages.jsonl``, ``stories.jsonl``,
``diffs.jsonl``) so a client reads the API and the batch results the same way.
Offsets are Unicode code-point indices into the article text, as everywhere in
wiretrace: ``text[a_start:a_end]``.
"""

from __future__ import annotations

import typing
from dataclasses import fields as dataclass_fields
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from wiretrace.model import (
    PASSAGE_FIELDS,
    Attribution,
    Change,
    ChangedFact,
    Credit,
    CreditChange,
    SpellingVariant,
    WordChange,
)

# No control character, and one character that is not a space (\S alone would let
# one control character through: it is not a space either).
ID_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
# The published values the API takes, every one of them read by ingest/dates.py:
# ISO 8601, a calendar date of 1000-2999 with an optional time and zone, or epoch
# seconds (nine or ten digits: 1973 to 2286).  Spelt out to the day of the month,
# so that the OpenAPI description is the rule itself: a value that matches is
# accepted, one that does not is refused (422), nothing is left to guess.
_YEAR = "(?:1[0-9]{3}|2[0-9]{3})"
_LEAP_YEAR = "(?:(?:1[0-9]|2[0-9])(?:0[48]|[2468][048]|[13579][26])|(?:12|16|20|24|28)00)"
_MONTH_DAY = ("(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
              "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))")
_DATE = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
_ZONE = "(?:Z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)"
PUBLISHED_PATTERN = (f"^(?:{_DATE}(?:[T ]{_TIME}{_ZONE}?)?"
                     r"|[1-9][0-9]{8,9}(?:\.[0-9]{1,6})?)$")
PUBLISHED_HELP = ("ISO 8601, a date of the years 1000-2999 with an optional time and zone "
                  "(2024-05-06, 2024-05-06T09:00:00Z, 2024-05-06 09:00+02:00), or epoch "
                  "seconds (1714986000)")
# "Not only whitespace" as the description's pattern: a character that is not
# whitespace by Python's str.isspace, the server's rule, spelt out.  A plain "\S"
# reads differently in the ECMA regexes OpenAPI tools use (\x1c-\x1f and \x85
# are not white space there), so a client's generator sent "\x1c" as valid text.
TEXT_PATTERN = "[^" + "".join(f"\\u{c:04x}" for c in range(0x3001) if chr(c).isspace()) + "]"
TEXT_HELP = ("the article text, kept exactly as sent: every offset points into it.  Not "
             "empty and not only whitespace (422); any other character is taken, control "
             "characters and NUL included (a JSON string is text: the file readers' test "
             "for binary content does not apply).  An unpaired surrogate escape "
             "(\"\\ud800\" alone) is not a character: 422")


# a topic or place label: kept as given, never matched on
Label = Annotated[str, Field(max_length=200)]
LABELS_HELP = "labels the article is filed under (kept, shown, never matched on)"


class _Strict(BaseModel):
    # An unknown field is a typo ("txt") the client wants to hear about.  Patterns
    # are Python's, as the OpenAPI tools that generate requests from them read them.
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


class ArticleIn(_Strict):
    """One article to add.  Re-adding an id with the same text changes nothing;
    with another text it is stored as a new version and diffed."""

    id: str = Field(min_length=1, max_length=512, pattern=ID_PATTERN,
                    examples=["reuters-2024-05-06-bridge"])
    text: str = Field(description=TEXT_HELP, examples=["Officials said on Monday..."],
                      json_schema_extra={"minLength": 1, "pattern": TEXT_PATTERN})
    title: str | None = Field(None, max_length=2000)
    outlet: str | None = Field(None, max_length=500)
    url: str | None = Field(None, max_length=4000)
    published: str | None = Field(None, max_length=64, pattern=PUBLISHED_PATTERN,
                                  description=PUBLISHED_HELP, examples=["2024-05-06T09:00:00Z"])
    author: str | None = Field(None, max_length=500, description="the byline")
    topics: list[Label] | None = Field(None, max_length=100, description=LABELS_HELP,
                                       examples=[["earn", "acq"]])
    places: list[Label] | None = Field(None, max_length=100, description=LABELS_HELP,
                                       examples=[["usa"]])


class ArticleBatch(_Strict):
    articles: list[ArticleIn] = Field(min_length=1, description="the articles to add, in order "
                                      "(earlier ones can be the source of later ones); an id "
                                      "given twice is two adds in a row, as in two requests: "
                                      "the second is unchanged or a new version")


class QueryIn(_Strict):
    """An article to check against the index without storing it."""

    text: str = Field(description=TEXT_HELP, json_schema_extra={"minLength": 1,
                                                                "pattern": TEXT_PATTERN})
    id: str = Field("(query)", min_length=1, max_length=512, pattern=ID_PATTERN)
    title: str | None = Field(None, max_length=2000)
    outlet: str | None = Field(None, max_length=500)
    url: str | None = Field(None, max_length=4000)
    published: str | None = Field(None, max_length=64, pattern=PUBLISHED_PATTERN,
                                  description=PUBLISHED_HELP)


# A passage's fields, types, defaults and descriptions are the model's
# (``model.PASSAGE_FIELDS``), so the API, the output files and the index agree.
PassageOut = create_model(
    "PassageOut",
    __doc__="``a[a_start:a_end]`` (the article asked about) reused in ``b[b_start:b_end]``.",
    **{f.name: (f.python, Field(f.default, description=f.help or None))
       for f in PASSAGE_FIELDS})


def _out_model(name: str, source: type, doc: str | None = None, **types: object) -> type:
    """A response model with the fields of the data model's dataclass ``source``, in
    its order and with its types (``types`` narrows some, e.g. a kind to its
    values), every one required: the API says what the output files say."""
    hints = typing.get_type_hints(source)
    fields_of = {f.name: (types.get(f.name, hints[f.name]), ...) for f in dataclass_fields(source)}
    return create_model(name, __doc__=doc, **fields_of)  # type: ignore[call-overload]


AttributionOut = _out_model(
    "AttributionOut", Attribution,
    "A credit: the source, cue and content spans (character offsets into the article),\n"
    "    the kind, the medium and the normalised entities.",
    kind=Literal["direct_quote", "indirect", "reported_by", "according_to"])


class SourceOut(BaseModel):
    """An indexed article the one asked about shares text with."""

    id: str
    title: str | None
    outlet: str | None
    published: str | None
    passages: int
    shared_chars: int = Field(description="characters of the article asked about inside "
                                          "passages with this one")
    share: float = Field(description="shared_chars over the length of the article asked about")
    credits: list[str] | None = Field(
        description="who this indexed article credits (normalised sources and media, in "
                    "text order); null in the answer to an add, which does not look")


class ReuseOut(BaseModel):
    """What an added or queried article reuses."""

    id: str
    chars: int
    shared: float = Field(description="share of the article's characters in any passage")
    passages: list[PassageOut]
    sources: list[SourceOut]
    stories: list[str] = Field(description="stories the article is (or would be) in")
    credits: list[AttributionOut] | None = Field(  # type: ignore[valid-type]
        description="who the article credits for what: each attribution that credits a "
                    "source, with its spans (attributions.jsonl's rows); null in the answer "
                    "to an add, which does not look (query the article to see them)")


class ArticleOut(BaseModel):
    id: str
    version: int
    versions: list[int]
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    author: str | None = None
    topics: list[str] = []
    places: list[str] = []
    chars: int
    story: str | None
    text: str


class EdgeOut(BaseModel):
    source: str
    target: str
    target_share: float
    source_share: float
    shared_chars: int


class StoryOut(BaseModel):
    story: str
    members: list[str]
    size: int
    origin: str
    origin_reason: str
    edges: list[EdgeOut]
    title: str | None = Field(None, description="the origin's title (in story lists)")


class ArticleStoryOut(BaseModel):
    """The story an article is in.  An article that shares no text with another is in
    none: then ``story``, ``origin`` and ``origin_reason`` are null, ``members`` and
    ``edges`` empty and ``size`` 0."""

    id: str = Field(description="the article asked about")
    story: str | None
    members: list[str]
    size: int
    origin: str | None
    origin_reason: str | None
    edges: list[EdgeOut]


class MemberOut(BaseModel):
    id: str
    title: str | None
    outlet: str | None
    published: str | None
    chars: int
    version: int


WordChangeOut = _out_model("WordChangeOut", WordChange)
ChangeOut = _out_model("ChangeOut", Change,
                       kind=Literal["added", "dropped", "reworded", "moved"],
                       word_changes=list[WordChangeOut])  # type: ignore[valid-type]
VariantOut = _out_model("VariantOut", SpellingVariant)
ChangedFactOut = _out_model(
    "ChangedFactOut", ChangedFact,
    "A change of meaning inside reused text; the side without text (a negation\n"
    "    added) has an empty span where it would be.",
    kind=Literal["number", "negation", "opposite", "modal", "name"])


CreditOut = _out_model("CreditOut", Credit)
CreditChangeOut = _out_model("CreditChangeOut", CreditChange,
                             kind=Literal["recredited", "credit_cut", "quote_altered"])


class DiffOut(BaseModel):
    story: str | None
    a: str
    b: str
    a_shared: float
    b_shared: float
    summary: str = Field(description='one line: the share, changed facts first, then the other '
                                     'changes; "no shared text" when the two share none')
    changes: list[ChangeOut]
    spelling_variants: list[VariantOut]
    changed_facts: list[ChangedFactOut] = Field(
        description="figures, negations, opposites, modal verbs and names that changed")
    credits_added: list[CreditOut] = Field(  # type: ignore[valid-type]
        description="named sources and media credited in b and not in a")
    credits_dropped: list[CreditOut] = Field(  # type: ignore[valid-type]
        description="named sources and media credited in a and not in b")
    credits_changed: list[CreditChangeOut] = Field(  # type: ignore[valid-type]
        description="reused text credited to another source, a credit cut while its "
                    "words were kept, a quote whose words changed")
    passages: list[PassageOut] = Field(description="the aligned passages, a = this diff's a")


class AddedOut(ReuseOut):
    status: Literal["added", "unchanged", "new_version"]
    version: int
    diff: DiffOut | None = Field(description="new_version: what it changed against the "
                                             "version before (both sides are this article)")


class AddResponse(BaseModel):
    results: list[AddedOut]


class RejectedOut(BaseModel):
    """A record of the file that is no article, and why."""

    source: str = Field(description="the file, as named in the request (an archive's "
                                    "member after a colon)")
    location: str | None = Field(description="line, row or record; null for the whole file")
    record_id: str | None
    reason: str


class FieldWarningOut(BaseModel):
    """An optional field left empty (an unreadable date ...); the article was added."""

    source: str
    location: str | None
    record_id: str | None
    field: str
    reason: str


class FileAddResponse(AddResponse):
    file: str = Field(description="the file's name, as given")
    rejected: list[RejectedOut] = Field(description="records that are no article, and why "
                                                    "(what `wiretrace index add` reports)")
    warnings: list[FieldWarningOut]


class StoryDetailOut(StoryOut):
    articles: list[MemberOut] = Field(description="the members, in the order of ``members``")
    diffs: list[DiffOut] = Field(description="each member other than the origin (``b``) "
                                             "against ``a``: the origin when the origin is "
                                             "one of its sources or it has none, otherwise "
                                             "its main source (the first edge to it)")


class StoryListOut(BaseModel):
    total: int | None
    limit: int
    offset: int
    stories: list[StoryOut]


class PassageListOut(BaseModel):
    id: str
    passages: list[PassageOut]


class VersionOut(BaseModel):
    version: int
    current: bool = Field(description="the version that is indexed (the latest)")
    chars: int
    words: int
    title: str | None
    added_at: str = Field(description="when it was added (ISO 8601, UTC)")


class VersionListOut(BaseModel):
    id: str
    versions: list[VersionOut]


class CompareIn(QueryIn):
    """A text to compare with one indexed article, without storing it."""

    source: str = Field(min_length=1, max_length=512, pattern=ID_PATTERN,
                        description="the indexed article to compare the text with (its id)")


class CompareOut(BaseModel):
    source: str
    diff: DiffOut = Field(description="the text (b) against the indexed article (a): "
                                      "passages, changes, changed facts, spelling variants")


class VersionDiffOut(BaseModel):
    id: str
    version: int
    against: int | None = Field(description="the version it is compared with (the one "
                                            "before); null for the first version")
    diff: DiffOut | None = Field(description="null for the first version: nothing comes "
                                             "before it")


class SearchHit(BaseModel):
    id: str
    score: float
    title: str | None
    outlet: str | None
    snippet: str


class SearchOut(BaseModel):
    query: str
    results: list[SearchHit]


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str
    writes: bool = Field(description="whether the server takes writes: it has a token and "
                                     "its index file can be written")
    protect_reads: bool


class ErrorOut(BaseModel):
    error: str = Field(description="what went wrong, in one sentence")
    status: int
    details: list[dict] | None = Field(None, description="for invalid fields: where "
                                       "(body.articles[2].text) and the problem")
