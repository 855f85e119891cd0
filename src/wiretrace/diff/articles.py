"""Two given articles aligned and diffed: ``compare`` of the library and the
command line, and the index's diff of two versions.
"""

from __future__ import annotations

from wiretrace.align.articles import align_articles
from wiretrace.diff.changes import diff_versions
from wiretrace.model import Article, Diff
from wiretrace.params import TraceParams
from wiretrace.text.tokens import tokenize


def diff_articles(a: Article, b: Article, params: TraceParams | None = None,
                  story: str | None = None) -> Diff:
    """Align two articles and diff b against a (the diff carries the passages)."""
    params = params or TraceParams()
    tokens_a, tokens_b = tokenize(a.text), tokenize(b.text)
    passages = align_articles(a, tokens_a, b, tokens_b, params)
    return diff_versions(a, tokens_a, b, tokens_b, passages, params, story)


def _as_article(item: Article | str, default_id: str) -> Article:
    return item if isinstance(item, Article) else Article(id=default_id, text=str(item))


def compare(a: Article | str, b: Article | str, params: TraceParams | None = None, *,
            a_id: str = "a", b_id: str = "b") -> Diff:
    """Reused passages and changes between two texts or articles: what ``b`` changed
    against ``a``.  Texts are named ``a_id`` and ``b_id`` (articles keep their ids)."""
    return diff_articles(_as_article(a, a_id), _as_article(b, b_id), params)
