"""wiretrace in a notebook: rich displays of results and their tables as Arrow or pandas.

Jupyter shows an object through its ``_repr_html_``; :class:`~wiretrace.model.Diff`,
:class:`~wiretrace.model.Story` and :class:`~wiretrace.model.TraceResult`
delegate theirs to the functions here, so a cell ending in
``wiretrace.compare(a, b, a_id="wire", b_id="paper")`` shows what the paper
changed (the report's changes view, :mod:`.changes_view`), a story its members
and how the text travelled, a run its counts and largest stories.
:func:`result_tables` gives the run's tables (the same rows as the output
files) as pyarrow tables, for pandas, Polars or DuckDB.
"""

from __future__ import annotations

from typing import Any

from wiretrace.model import Diff, Story, TraceResult
from wiretrace.output.changes_view import change_list, changes_html, counted
from wiretrace.output.markup import escaped

# The report's colours, scoped to the display so a notebook's own style is untouched.
NOTEBOOK_CSS = """<style>
.wt-view{font:14px/1.5 system-ui,sans-serif;max-width:980px}
.wt-view h4{margin:10px 0 4px}.wt-view ul{margin:0 0 6px;padding-left:20px}
.wt-view ins,.wt-view del{text-decoration:none;border-radius:2px;padding:0 1px}
.wt-view del.dropped,.wt-view del.was{background:#fbd5d5}
.wt-view del.was{text-decoration:line-through;margin-right:3px}
.wt-view ins.added,.wt-view ins.now{background:#c9f2d4}.wt-view ins.now{margin-right:2px}
.wt-view .fact{background:#b91c1c;color:#fff}.wt-view .ctx,.wt-view .note{color:#5d6673}
.wt-view .variant{border-bottom:2px double #0891b2}
.wt-view table{border-collapse:collapse}.wt-view td,.wt-view th{padding:2px 8px;
text-align:left;border-bottom:1px solid #dde1e6}
</style>"""


def _paragraph_texts(diff: Diff) -> str:
    """b's text as far as the diff holds it: each reworded paragraph at its place
    (the context of a word edit never leaves its paragraph)."""
    reworded = [c for c in diff.changes_of("reworded")
                if c.b_start is not None and c.b_end is not None]
    chars = [" "] * max((c.b_end for c in reworded), default=0)  # type: ignore[type-var]
    for c in reworded:
        chars[c.b_start:c.b_end] = c.b_text[:c.b_end - c.b_start].ljust(c.b_end - c.b_start)
    return "".join(chars)


def diff_html(diff: Diff, b_text: str | None = None) -> str:
    """What ``diff.b`` changed against ``diff.a``, as the report's changes view."""
    text = b_text if b_text is not None else _paragraph_texts(diff)
    head = (f"<p><b>{escaped(diff.b)}</b> against <b>{escaped(diff.a)}</b>: "
            f"{escaped(diff.summary or 'no summary')}</p>")
    return (f'{NOTEBOOK_CSS}<div class="wt-view">{head}'
            f"{changes_html(change_list(diff, text), 'first text')}</div>")


def story_html(story: Story) -> str:
    """A story's members, its origin and why, and the strongest edges."""
    edges = sorted(story.edges, key=lambda e: -e.shared_chars)[:20]
    rows = "".join(f"<tr><td>{escaped(e.source)}</td><td>{escaped(e.target)}</td>"
                   f"<td>{e.target_share:.0%}</td><td>{e.shared_chars:,}</td></tr>"
                   for e in edges)
    table = ("<table><tr><th>from</th><th>to</th><th>share of target</th>"
             f"<th>shared chars</th></tr>{rows}</table>") if rows else ""
    members = ", ".join(escaped(m) for m in story.members[:30])
    more = f" and {len(story.members) - 30:,} more" if len(story.members) > 30 else ""
    return (f'{NOTEBOOK_CSS}<div class="wt-view"><p><b>{escaped(story.id)}</b>: '
            f"{len(story.members):,} articles, origin <b>{escaped(story.origin)}</b> "
            f"({escaped(story.origin_reason)})</p><p>{members}{more}</p>{table}</div>")


def result_html(result: TraceResult, largest: int = 10) -> str:
    """A run's counts and its largest stories, titled."""
    counts = ", ".join((counted(len(result.articles), "article"),
                        counted(len(result.stories), "story", "stories"),
                        counted(len(result.passages), "passage"),
                        counted(len(result.rejected), "rejected record")))
    stories = sorted(result.stories, key=lambda s: -len(s.members))[:largest]
    rows = "".join(
        f"<tr><td>{escaped(s.id)}</td><td>{len(s.members):,}</td>"
        f"<td>{escaped(getattr(result.articles.get(s.origin), 'title', None) or s.origin)}"
        "</td></tr>" for s in stories)
    table = (f"<table><tr><th>story</th><th>articles</th><th>origin's title</th></tr>{rows}"
             "</table>") if rows else '<p class="note">No stories.</p>'
    return f'{NOTEBOOK_CSS}<div class="wt-view"><p>{counts}</p>{table}</div>'


def result_tables(result: TraceResult) -> dict[str, Any]:
    """The run's tables as pyarrow tables: ``articles``, ``passages``, ``stories``,
    ``diffs`` (one row per diff, its changes counted), ``changed_facts``,
    ``attributions`` and ``outlets`` when the run looked for credits."""
    import pyarrow as pa

    from wiretrace.output.files import (
        _schemas,
        _table,
        article_rows,
        outlet_rows,
        passage_rows,
    )

    schemas = _schemas()
    tables = {
        "articles": _table(list(article_rows(result)), schemas["articles"]),
        "passages": _table(list(passage_rows(result)), schemas["passages"]),
        "stories": _table([s.to_dict() for s in result.stories], schemas["stories"]),
        "diffs": pa.Table.from_pylist([
            {"story": d.story, "a": d.a, "b": d.b, "a_shared": d.a_shared,
             "b_shared": d.b_shared, "summary": d.summary,
             **{k: len(d.changes_of(k)) for k in ("added", "dropped", "reworded", "moved")},
             "changed_facts": len(d.changed_facts),
             "spelling_variants": len(d.spelling_variants),
             "credits_added": len(d.credits_added), "credits_dropped": len(d.credits_dropped)}
            for d in result.diffs], schema=_diff_schema()),
        "changed_facts": pa.Table.from_pylist([
            {"story": d.story, "a": d.a, "b": d.b, **f.to_dict()}
            for d in result.diffs for f in d.changed_facts]),
    }
    tables["outlet_flows"] = pa.Table.from_pylist(list(outlet_rows(result)))
    if result.attributions is not None:
        tables["attributions"] = pa.Table.from_pylist([a.to_dict() for a in result.attributions])
    if result.outlets is not None:
        tables["outlets"] = pa.Table.from_pylist([o.to_dict() for o in result.outlets])
    return tables


def _diff_schema() -> Any:
    """The ``diffs`` table's columns (built when pyarrow is imported)."""
    import pyarrow as pa

    counts = [(k, pa.int64()) for k in ("added", "dropped", "reworded", "moved",
                                        "changed_facts", "spelling_variants",
                                        "credits_added", "credits_dropped")]
    return pa.schema([("story", pa.string()), ("a", pa.string()), ("b", pa.string()),
                      ("a_shared", pa.float64()), ("b_shared", pa.float64()),
                      ("summary", pa.string()), *counts])
