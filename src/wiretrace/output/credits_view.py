"""Credits in the report: who each version credits, what changed, the story's
provenance graph drawn as SVG, and which outlet takes from which.

The graph is laid out in columns by how far a node is from the first teller
(a source, then the media it told, then the outlets that relayed them, then
the versions), drawn with plain SVG elements: no script, no network, so it
holds under the report's Content-Security-Policy.
"""

from __future__ import annotations

from collections import defaultdict

from wiretrace.attribute import credited_entities
from wiretrace.attribute.provenance import outlet_credits
from wiretrace.diff.credits import entity_key
from wiretrace.model import Attribution, Diff, Provenance, Story, TraceResult
from wiretrace.output.markup import Span, escaped, span

__all__ = ["credit_spans", "credited_entities", "credits_note", "outlets_panel",
           "pair_credits", "provenance_svg", "story_graph"]

RELATION_WORDS = {"told": "told", "relayed": "relayed by", "credited_by": "credited by",
                  "derived": "text taken by"}


def credit_spans(text: str, found: list[Attribution], changed: set[str], mark: str
                 ) -> list[Span | None]:
    """A span per credited source (and named medium); ``changed`` entities (added
    in the version, or dropped from the base) get class ``mark`` too."""
    spans: list[Span | None] = []
    for item in found:
        if not item.is_credit:
            continue
        for entity, start, end in ((item.source_entity, item.source_start, item.source_end),
                                   (item.medium_entity, item.medium_start, item.medium_end)):
            if not entity or start is None:
                continue
            extra = f" {mark}" if entity_key(entity) in changed else ""
            title = escaped(f"credited: {entity} ({item.kind.replace('_', ' ')}, "
                            f"cue “{item.cue_text}”)")
            spans.append(span(text, start, end, "credit",
                              f'<span class="credit{extra}" title="{title}">', "</span>"))
    return spans


def pair_credits(diff: Diff | None, role: str, base: tuple[str, list[Attribution]],
                 version: tuple[str, list[Attribution]]
                 ) -> tuple[list[Span | None], list[Span | None], str]:
    """The credit marks of a pair's two sides (text, attributions each), and its note."""
    added = {entity_key(c.entity) for c in diff.credits_added} if diff else set()
    dropped = {entity_key(c.entity) for c in diff.credits_dropped} if diff else set()
    return (credit_spans(base[0], base[1], dropped, "credit-gone"),
            credit_spans(version[0], version[1], added, "credit-new"),
            credits_note(diff, role, credited_entities(base[1]), credited_entities(version[1])))


def story_graph(provenance: Provenance | None, versions: list[str]) -> str:
    """A story's provenance graph in a folding panel (nothing when it has no credit)."""
    drawn = provenance_svg(provenance, versions) if provenance else ""
    if not drawn:
        return ""
    return ("<details open><summary>Who told whom: sources, the media they told, the outlets "
            "that relayed them, the versions that credit them</summary>"
            f'<div class="graph">{drawn}</div></details>')


def credits_note(diff: Diff | None, role: str, base_credits: list[str],
                 version_credits: list[str]) -> str:
    """The list under a pair: each side's credits, and what changed."""
    if not base_credits and not version_credits:
        return ""
    rows = [f"<li>the {escaped(role)} credits {escaped(', '.join(base_credits) or 'no one')}"
            f"</li>", f"<li>this version credits {escaped(', '.join(version_credits) or 'no one')}"
            "</li>"]
    if diff is not None:
        if diff.credits_added:
            rows.append("<li><b>credited here only</b>: "
                        + escaped(", ".join(c.text or c.entity for c in diff.credits_added))
                        + "</li>")
        if diff.credits_dropped:
            rows.append(f"<li><b>no longer credited</b> (only in the {escaped(role)}): "
                        + escaped(", ".join(c.entity for c in diff.credits_dropped)) + "</li>")
        for change in diff.credits_changed:
            if change.kind == "credit_cut":
                rows.append(f"<li><b>credit cut</b>: {escaped(change.a_entity)}'s credit is "
                            f"gone, its words kept: “{escaped(_short(change.b_text, 120))}”</li>")
            elif change.kind == "recredited":
                rows.append(f"<li><b>recredited</b>: what the {escaped(role)} credits to "
                            f"{escaped(change.a_entity)} this version credits to "
                            f"{escaped(change.b_entity)}</li>")
            else:
                rows.append(f"<li><b>quote altered</b>: “{escaped(_short(change.a_text, 120))}”"
                            f" → “{escaped(_short(change.b_text, 120))}”</li>")
    return f'<div class="note credits">Credits:<ul>{"".join(rows)}</ul></div>'


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def provenance_svg(provenance: Provenance, versions: list[str]) -> str:
    """The story's provenance graph as an inline SVG (empty when it has no credit)."""
    edges = [e for e in provenance.edges if e.relation != "derived"]
    if not edges:
        return ""
    edges += [e for e in provenance.edges if e.relation == "derived"]
    nodes = list(dict.fromkeys([n for e in edges for n in (e.source, e.target)]))
    version_set = set(versions)
    depth = {n: 0 for n in nodes}
    for _ in range(len(nodes)):  # longest path from a teller, on a graph that may loop
        changed = False
        for e in edges:
            if e.relation != "derived" and depth[e.target] < depth[e.source] + 1:
                depth[e.target] = min(depth[e.source] + 1, len(nodes))
                changed = True
        if not changed:
            break
    last = max(depth.values()) + 1
    for n in nodes:
        if n in version_set:
            depth[n] = last  # the versions in the last column, in order
    columns: dict[int, list[str]] = defaultdict(list)
    for n in sorted(nodes, key=lambda n: (versions.index(n) if n in version_set else -1)):
        columns[depth[n]].append(n)
    width, height, col_w, row_h = 0, 0, 210, 34
    place = {}
    for c, (_column, members) in enumerate(sorted(columns.items())):
        for r, n in enumerate(members):
            place[n] = (20 + c * col_w, 24 + r * row_h)
        width = max(width, 40 + (c + 1) * col_w)
        height = max(height, 40 + len(members) * row_h)
    parts = [f'<svg class="provenance" xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="who told whom in {escaped(provenance.story)}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
             'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>']
    for e in edges:
        (x1, y1), (x2, y2) = place[e.source], place[e.target]
        title = escaped(f"{e.source} {RELATION_WORDS.get(e.relation, e.relation)} {e.target} "
                        f"(read in {', '.join(e.versions)})")
        parts.append(f'<line class="rel-{escaped(e.relation)}" x1="{x1 + 170}" y1="{y1}" '
                     f'x2="{x2 - 4}" y2="{y2}" marker-end="url(#arrow)"><title>{title}</title>'
                     "</line>")
    for n, (x, y) in place.items():
        kind = "version" if n in version_set else "source"
        parts.append(f'<g class="node node-{kind}"><rect x="{x}" y="{y - 12}" width="170" '
                     f'height="24" rx="5"/><text x="{x + 6}" y="{y + 4}">{escaped(_short(n))}'
                     f"<title>{escaped(n)}</title></text></g>")
    parts.append("</svg>")
    return "".join(parts)


def outlets_panel(result: TraceResult, stories: list[Story], max_rows: int) -> str:
    """Which outlet takes text from which, and how often it says so: across the
    corpus when the run looked for credits, else over the stories shown."""
    rows = result.outlets
    where = "across the corpus"
    if rows is None:
        rows = outlet_credits(stories, lambda a: getattr(result.articles.get(a), "outlet", None),
                              {})
        where = "over the stories shown; credits not looked for"
    if not rows:
        return ""
    cells = "".join(f"<tr><td>{escaped(r.outlet)}</td><td>{escaped(r.source_outlet)}</td>"
                    f"<td>{r.taken}</td>"
                    f"<td>{r.credited if result.outlets is not None else '-'}</td></tr>"
                    for r in rows[:max_rows])
    pairs = f"{len(rows)} pair" + ("s" if len(rows) != 1 else "")
    return ('<details class="panel" id="outlets"><summary>Which outlet takes from which '
            f"({pairs} of outlets, {where})</summary><table>"
            "<tr><th>outlet</th><th>took text from</th><th>times</th>"
            f"<th>crediting it</th></tr>{cells}</table></details>")
