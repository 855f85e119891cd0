"""The one data model shared by every stage (one module per kind of record:
``articles``, ``passages``, ``stories``, ``diffs``, ``attributions``,
``result``).

Every result that points into text does so with a pair of character offsets
into the *original* article text (``text[start:end]``), never into a
normalised copy, so any passage, change or variant can be highlighted where a
reader sees it.  All records are plain dataclasses with a ``to_dict`` that
gives the JSON row written to the output files.
"""

from __future__ import annotations

from wiretrace.model.articles import Article, FieldWarning, Rejected
from wiretrace.model.attributions import (
    Attribution,
    Credit,
    CreditChange,
    CreditEdge,
    OutletCredit,
    Provenance,
    QuoteTrail,
)
from wiretrace.model.diffs import Change, ChangedFact, Diff, SpellingVariant, WordChange
from wiretrace.model.passages import (
    KIND_CODE,
    PASSAGE_DTYPE,
    PASSAGE_FIELDS,
    PASSAGE_KINDS,
    Passage,
    PassageField,
    PassageTable,
    passages_by_pair,
)
from wiretrace.model.result import TraceResult
from wiretrace.model.stories import DerivationEdge, Story

__all__ = [
    "Article",
    "Attribution",
    "Change",
    "Credit",
    "CreditChange",
    "CreditEdge",
    "ChangedFact",
    "DerivationEdge",
    "Diff",
    "FieldWarning",
    "KIND_CODE",
    "PASSAGE_DTYPE",
    "PASSAGE_FIELDS",
    "PASSAGE_KINDS",
    "Passage",
    "PassageField",
    "OutletCredit",
    "PassageTable",
    "Provenance",
    "QuoteTrail",
    "Rejected",
    "SpellingVariant",
    "Story",
    "TraceResult",
    "WordChange",
    "passages_by_pair",
]
