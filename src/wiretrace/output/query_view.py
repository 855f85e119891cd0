"""What ``wiretrace index query`` prints for a person: the sources an article
reuses, with how much of it each explains, its passages, and the story it would
join, or why it joins none (``--json`` gives the same as JSON)."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.table import Table
from rich.text import Text

from wiretrace.index.results import QueryResult
from wiretrace.model import Article
from wiretrace.output.changes_view import counted
from wiretrace.stories.build import covered_chars

STATUS = {"new": "not in the index", "unchanged": "already indexed with this text",
          "new_version": "indexed with another text: this would be a new version"}
SNIPPET = 90


def source_shares(result: QueryResult, article: Article) -> dict[str, float]:
    """For each source, the share of the queried article's characters its passages
    cover (0-1), most first: how much of the article each one explains."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for p in result.passages:
        if p.kind == "reuse":
            spans.setdefault(p.b, []).append((p.a_start, p.a_end))
    length = max(len(article.text), 1)
    return {source: round(covered_chars(spans.get(source, [])) / length, 4)
            for source in result.sources}


def print_query(console: Console, article: Article, result: QueryResult,
                known: Mapping[str, Article | None]) -> None:
    console.print(Text.assemble(("Query: ", "bold"), (article.id, "bold cyan"),
                                f"  {len(article.text):,} chars, "
                                f"{STATUS.get(result.status, result.status)}"))
    shares = source_shares(result, article)
    if not result.passages:
        console.print(Text("No reused text: nothing in the index shares a passage with it.",
                           style="yellow"))
        return
    table = Table(title=f"Sources ({len(shares)}), most shared first", expand=True)
    for column, justify in (("id", "left"), ("title", "left"), ("outlet", "left"),
                            ("of this article", "right"), ("reused passages", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for source, share in shares.items():
        other = known.get(source)
        count = sum(1 for p in result.passages if p.b == source and p.kind == "reuse")
        table.add_row(source, (other.title or "") if other else "",
                      (other.outlet or "") if other else "", f"{share:.0%}", f"{count:,}")
    console.print(table)
    passages = Table(title=f"Passages ({len(result.passages)})", expand=True)
    passages.add_column("from")
    passages.add_column("where (this article)", no_wrap=True)
    passages.add_column("text", ratio=1)
    passages.add_column("kind")
    for p in sorted(result.passages, key=lambda p: (p.a_start, p.b)):
        text = article.text[p.a_start:p.a_end].replace("\n", " ")
        shown = text if len(text) <= SNIPPET else text[:SNIPPET - 1].rstrip() + "…"
        passages.add_row(p.b, f"{p.a_start:,}-{p.a_end:,}", shown,
                         p.kind if p.kind != "reuse" else f"reuse, {p.score:.0%} same words")
    console.print(passages)
    if result.stories:
        for story in result.stories:
            console.print(Text.assemble(("Would join: ", "bold"), story.id,
                                        f" ({counted(len(story.members), 'article')}, "
                                        f"origin {story.origin})"))
    elif result.links:
        console.print(Text.assemble(("Would make a new story with: ", "bold"),
                                    ", ".join(result.links),
                                    " (in no story yet)"))
    else:
        console.print(Text("Would join no story: its reused text with each source is below "
                           "the share that links a story (story_min_share), or is a template "
                           "match.", style="yellow"))
