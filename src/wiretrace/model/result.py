"""Everything one ``trace`` run found."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wiretrace.model.articles import Article, FieldWarning, Rejected
from wiretrace.model.attributions import Attribution, OutletCredit, Provenance
from wiretrace.model.diffs import Diff
from wiretrace.model.passages import Passage
from wiretrace.model.stories import Story


@dataclass(slots=True)
class TraceResult:
    """Everything one ``trace`` run found."""

    articles: Mapping[str, Article]  # a dict, or an ArticleStore for a run of trace
    passages: Sequence[Passage]  # a list, or a PassageTable for a large run
    stories: list[Story]
    diffs: list[Diff]
    rejected: list[Rejected]
    stats: dict = field(default_factory=dict)
    warnings: list[FieldWarning] = field(default_factory=list)
    # who each article credits (attribute/); None when the run did not look
    attributions: list[Attribution] | None = None
    provenance: list[Provenance] | None = None  # one per story, in the stories' order
    outlets: list[OutletCredit] | None = None  # which outlet takes from which, and credits it

    def _repr_html_(self) -> str:  # a notebook's display: counts, largest stories
        from wiretrace.output.notebook import result_html

        return result_html(self)

    def to_arrow(self) -> dict[str, Any]:
        """The run's tables as pyarrow tables (:func:`wiretrace.output.notebook.result_tables`)."""
        from wiretrace.output.notebook import result_tables

        return result_tables(self)

    def to_pandas(self) -> dict[str, Any]:
        """The run's tables as pandas DataFrames (needs pandas: ``wiretrace[notebook]``)."""
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise ImportError("to_pandas needs pandas: pip install 'wiretrace[notebook]'"
                              ) from None
        return {name: table.to_pandas() for name, table in self.to_arrow().items()}

    def attributions_of(self, article_id: str) -> list[Attribution]:
        return [a for a in self.attributions or [] if a.article == article_id]

    def story_of(self, article_id: str) -> Story | None:
        for story in self.stories:
            if article_id in story.members:
                return story
        return None

    def passages_of(self, article_id: str) -> list[Passage]:
        """Passages involving the article, oriented so that ``a`` is it."""
        found = []
        for p in self.passages:
            if p.a == article_id:
                found.append(p)
            elif p.b == article_id:
                found.append(p.swapped())
        return sorted(found, key=lambda p: (p.a_start, p.b))

    def diff_of(self, article_id: str) -> Diff | None:
        for d in self.diffs:
            if d.b == article_id:
                return d
        return None
