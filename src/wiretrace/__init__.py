"""wiretrace: where a news story's text came from, and what each outlet did to it.

The Python API returns plain objects from :mod:`wiretrace.model`::

    import wiretrace
    warnings = []  # filled with a FieldWarning per field left empty (an unreadable date...)
    articles, rejected = wiretrace.read_articles(["articles/"], warnings=warnings)
    result = wiretrace.trace(articles)
    for story in result.stories:
        print(story.origin, story.members)
"""

from wiretrace.ingest import FieldNames, read_articles
from wiretrace.model import (
    Article,
    Change,
    DerivationEdge,
    Diff,
    FieldWarning,
    Passage,
    Rejected,
    SpellingVariant,
    Story,
    TraceResult,
    WordChange,
)
from wiretrace.params import TraceParams
from wiretrace.pipeline import compare, diff_articles, trace

__version__ = "0.1.0"

__all__ = [
    "Article", "Change", "DerivationEdge", "Diff", "FieldNames", "FieldWarning", "Passage",
    "Rejected",
    "SpellingVariant", "Story", "TraceParams", "TraceResult", "WordChange",
    "compare", "diff_articles", "read_articles", "trace",
]
