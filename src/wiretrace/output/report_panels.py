"""The report's page-level panels: the counts at the top, the corpus in
pictures (:mod:`.pictures`), the articles in no story and the rejected records."""

from __future__ import annotations

import numpy as np

from wiretrace.model import KIND_CODE, PassageTable, Story, TraceResult
from wiretrace.output.changes_view import counted
from wiretrace.output.markup import escaped
from wiretrace.output.pictures import matrix_svg, outlet_flows, shares_svg


def reuse_count(result: TraceResult) -> int:
    """Passages of kind ``reuse`` (the others are template matches or boilerplate)."""
    passages = result.passages
    if isinstance(passages, PassageTable):
        return int(np.count_nonzero(passages.rows["kind"] == KIND_CODE["reuse"]))
    return sum(1 for p in passages if p.kind == "reuse")


def count_cards(result: TraceResult) -> str:
    reused = reuse_count(result)
    return "".join(f'<div class="count"><b>{n:,}</b>{label if n == 1 else plural}</div>'
                   for n, label, plural in (
        (len(result.articles), "article", "articles"), (len(result.stories), "story", "stories"),
        (reused, "reused passage", "reused passages"),
        (len(result.passages) - reused, "template match set aside",
         "template matches set aside"),
        (len(result.rejected), "rejected record", "rejected records")))


def pictures_panel(result: TraceResult, stories: list[Story]) -> str:
    """Which outlet takes from which, and how much of a version its source explains."""
    credited = None if result.outlets is None else \
        {(o.outlet, o.source_outlet): o.credited for o in result.outlets}
    matrix = matrix_svg(outlet_flows(result.stories, result.articles), credited=credited)
    shares = shares_svg(result.stories)
    if not matrix and not shares:
        return ""
    figures = []
    if matrix:
        figures.append("<figure><figcaption>Which outlet takes text from which: characters "
                       "taken over the stories' derivation edges (outlets.jsonl has the "
                       f"numbers)</figcaption>{matrix}</figure>")
    if shares:
        figures.append("<figure><figcaption>How much of a version its source explains"
                       f"</figcaption>{shares}</figure>")
    return ('<details class="panel" id="pictures"><summary>The corpus in pictures: which '
            "outlet takes from which, how much of a version its source explains</summary>"
            f'<div class="figures">{"".join(figures)}</div></details>')


def unstoried_panel(result: TraceResult, most: int) -> str:
    in_story = {m for s in result.stories for m in s.members}
    alone = [a for a in result.articles.values() if a.id not in in_story][:most]
    if not alone:
        return ""
    items = "".join(f"<li><b>{escaped(a.id)}</b>{' – ' + escaped(a.title) if a.title else ''}"
                    "</li>" for a in alone)
    cut = f" (the first {most:,} listed)" if len(alone) == most else ""
    return (f'<details class="panel" id="unstoried"><summary>'
            f"{counted(len(result.articles) - len(in_story), 'article')} in no story{cut}"
            f"</summary><ul>{items}</ul></details>")


def rejected_panel(result: TraceResult, most: int) -> str:
    if not result.rejected:
        return ""
    rows = "".join(f"<tr><td>{escaped(x.source)}</td><td>{escaped(x.location or '')}</td>"
                   f"<td>{escaped(x.record_id or '')}</td><td>{escaped(x.reason)}</td></tr>"
                   for x in result.rejected[:most])
    return (f'<details class="panel" id="rejected"><summary>'
            f"{counted(len(result.rejected), 'rejected record')}</summary><table><tr>"
            "<th>source</th><th>location</th><th>record</th><th>reason</th></tr>"
            f"{rows}</table></details>")
