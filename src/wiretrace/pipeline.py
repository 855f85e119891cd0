"""Stub: replaced by the real pipeline."""
from wiretrace.model import Article, Diff, TraceResult, Rejected
from wiretrace.params import TraceParams

def trace(articles, params: TraceParams | None = None, rejected: list[Rejected] | None = None, progress=None) -> TraceResult:
    raise NotImplementedError

def compare(a, b, params: TraceParams | None = None) -> Diff:
    raise NotImplementedError

def diff_articles(a: Article, b: Article, params: TraceParams | None = None, story: str | None = None) -> Diff:
    raise NotImplementedError
