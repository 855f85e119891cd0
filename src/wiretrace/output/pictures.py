"""Pictures where people would rather look than read: inline SVG, no script, no
network, each element titled with its numbers so that hovering says them.

Per story: who took from whom (:func:`derivation_svg`: members in layers by
derivation depth, an arrow per edge whose width is the share of the target
taken) and, when dates are known, its spread over time by outlet
(:func:`outlet_timeline_svg`).  For the corpus: which outlet takes from which
(:func:`outlet_flows`, drawn by :func:`matrix_svg`; the same rows are written
to ``outlets.jsonl``) and how much of a version its source explains
(:func:`shares_svg`, a histogram of the edges' target shares).

Every SVG carries ``data-`` attributes naming what each node, edge and cell
stands for, so that a test (or a reader's tool) can check it against the data.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from wiretrace.model import Article, Story
from wiretrace.output.markup import escaped
from wiretrace.stories.links import as_utc

MAX_NODES = 40  # a derivation graph larger than this is left to the table
BOX_W, BOX_H, GAP_X, GAP_Y = 150, 24, 70, 10


def _label(text: str, room: int = 22) -> str:
    return text if len(text) <= room else text[:room - 1] + "…"


def derivation_svg(story: Story) -> str:
    """Who took from whom in one story: a box per member, in layers by how many
    takings separate it from the origin, an arrow per derivation edge, its width
    the share of the target's text taken (hover: the numbers)."""
    members = list(dict.fromkeys(story.members))
    if len(members) < 2 or len(members) > MAX_NODES or not story.edges:
        return ""
    depth = {story.origin: 0}
    for _ in range(len(members)):  # longest path from the origin, edges as given
        changed = False
        for e in story.edges:
            if e.source in depth and depth.get(e.target, -1) < depth[e.source] + 1 \
                    and e.target != story.origin:
                depth[e.target] = depth[e.source] + 1
                changed = True
        if not changed:
            break
    layers: dict[int, list[str]] = defaultdict(list)
    for m in members:
        layers[depth.get(m, 1)].append(m)
    at: dict[str, tuple[int, int]] = {}
    for layer, names in sorted(layers.items()):
        for row, name in enumerate(names):
            at[name] = (10 + layer * (BOX_W + GAP_X), 10 + row * (BOX_H + GAP_Y))
    width = max(x for x, _ in at.values()) + BOX_W + 10
    height = max(y for _, y in at.values()) + BOX_H + 10
    parts = [f'<svg class="derivation" xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="who took text from whom in {escaped(story.id)}">'
             '<defs><marker id="dv-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
             'markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" '
             'orient="auto-start-reverse">'
             '<path d="M0,0 L10,5 L0,10 z"/></marker></defs>']
    for e in story.edges:
        if e.source not in at or e.target not in at:
            continue
        (x1, y1), (x2, y2) = at[e.source], at[e.target]
        forward = x2 > x1
        sx, tx = (x1 + BOX_W, x2) if forward else (x1 + BOX_W // 2, x2 + BOX_W // 2)
        sy, ty = y1 + BOX_H // 2, y2 + (BOX_H // 2 if forward else 0)
        stroke = 0.8 + 3.2 * max(0.0, min(1.0, e.target_share))
        parts.append(f'<line x1="{sx}" y1="{sy}" x2="{tx}" y2="{ty}" '
                     f'stroke-width="{stroke:.1f}" marker-end="url(#dv-arrow)" '
                     f'data-source="{escaped(e.source)}" data-target="{escaped(e.target)}" '
                     f'data-share="{e.target_share:.4f}"><title>{escaped(e.target)} took '
                     f"{e.target_share:.0%} of its text from {escaped(e.source)} "
                     f"({e.shared_chars:,} characters)</title></line>")
    for name, (x, y) in at.items():
        cls = "node origin" if name == story.origin else "node"
        parts.append(f'<g class="{cls}" data-node="{escaped(name)}"><rect x="{x}" y="{y}" '
                     f'width="{BOX_W}" height="{BOX_H}" rx="5"/><text x="{x + 7}" '
                     f'y="{y + 16}">{escaped(_label(name))}<title>{escaped(name)}'
                     f"{' (origin)' if name == story.origin else ''}</title></text></g>")
    parts.append("</svg>")
    return "".join(parts)


def outlet_timeline_svg(story: Story, articles: Mapping[str, Article]) -> str:
    """When each member appeared, a lane per outlet: how a story spread over time
    and outlets (nothing without two dated members of two outlets: the story's
    timeline already says when each appeared)."""
    dated = [(articles[m].published, articles[m].outlet or "(no outlet)", m)
             for m in dict.fromkeys(story.members)
             if m in articles and articles[m].published is not None]
    if len(dated) < 2 or len({outlet for _, outlet, _ in dated}) < 2:
        return ""

    stamps = [as_utc(d).timestamp() for d, _, _ in dated]
    t0, t1 = min(stamps), max(stamps)
    lanes = sorted({o for _, o, _ in dated})
    left, right, lane_h = 150, 620, 22
    height = 30 + lane_h * len(lanes)
    parts = [f'<svg class="outlet-timeline" xmlns="http://www.w3.org/2000/svg" '
             f'width="{right + 20}" height="{height}" viewBox="0 0 {right + 20} {height}" '
             f'role="img" aria-label="when each version appeared, by outlet">']
    for k, lane in enumerate(lanes):
        y = 15 + k * lane_h
        parts.append(f'<text x="4" y="{y + 4}" class="lane">{escaped(_label(lane, 20))}</text>'
                     f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" class="lane"/>')
    for (moment, outlet, member), stamp in zip(dated, stamps, strict=True):
        x = left + (0.5 if t1 == t0 else (stamp - t0) / (t1 - t0)) * (right - left)
        y = 15 + lanes.index(outlet) * lane_h
        cls = "dot origin" if member == story.origin else "dot"
        parts.append(f'<circle class="{cls}" cx="{x:.1f}" cy="{y}" r="5" '
                     f'data-member="{escaped(member)}"><title>{escaped(member)}, '
                     f"{escaped(outlet)}, {as_utc(moment):%Y-%m-%d %H:%M} UTC</title></circle>")
    first, last = min(dated)[0], max(dated)[0]
    parts.append(f'<text x="{left}" y="{height - 4}" class="tick">'
                 f"{as_utc(first):%Y-%m-%d %H:%M}</text><text x=\"{right}\" "
                 f'y="{height - 4}" class="tick" text-anchor="end">'
                 f"{as_utc(last):%Y-%m-%d %H:%M}</text></svg>")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class OutletFlow:
    """Across a corpus: articles of ``outlet`` took text from articles of
    ``source_outlet`` over ``edges`` derivation edges, ``chars`` characters in all
    (the same outlet on both sides: its own re-sends and updates)."""

    outlet: str
    source_outlet: str
    edges: int
    chars: int

    def to_dict(self) -> dict:
        return asdict(self)


def outlet_flows(stories: list[Story], articles: Mapping[str, Article]) -> list[OutletFlow]:
    """Which outlet takes from which, over every story's derivation edges between
    articles whose outlets are known, most characters first."""
    edges: Counter[tuple[str, str]] = Counter()
    chars: Counter[tuple[str, str]] = Counter()
    for story in stories:
        for e in story.edges:
            source, target = articles.get(e.source), articles.get(e.target)
            if source is None or target is None or not source.outlet or not target.outlet:
                continue
            key = (target.outlet, source.outlet)
            edges[key] += 1
            chars[key] += e.shared_chars
    return [OutletFlow(t, s, edges[(t, s)], n)
            for (t, s), n in sorted(chars.items(), key=lambda kv: (-kv[1], kv[0]))]


def matrix_svg(flows: list[OutletFlow], most: int = 20,
               credited: Mapping[tuple[str, str], int] | None = None) -> str:
    """The outlet x outlet matrix: a row per taking outlet, a column per source
    outlet, each cell shaded by the characters taken (hover: edges and characters).
    The ``most`` outlets that take or give the most characters are drawn;
    ``credited`` (by taker and source outlet: edges whose taker credits the
    source) is said in each cell's title when the run looked for credits."""
    if not flows:
        return ""
    weight: Counter[str] = Counter()
    for f in flows:
        weight[f.outlet] += f.chars
        weight[f.source_outlet] += f.chars
    names = [o for o, _ in weight.most_common(most)]
    cell, left, top = 34, 150, 110
    size_w, size_h = left + cell * len(names) + 10, top + cell * len(names) + 10
    peak = max(f.chars for f in flows) or 1
    parts = [f'<svg class="outlet-matrix" xmlns="http://www.w3.org/2000/svg" width="{size_w}" '
             f'height="{size_h}" viewBox="0 0 {size_w} {size_h}" role="img" '
             'aria-label="which outlet takes text from which">']
    for k, name in enumerate(names):
        parts.append(f'<text x="{left - 6}" y="{top + k * cell + cell // 2 + 4}" '
                     f'text-anchor="end">{escaped(_label(name, 20))}</text>'
                     f'<text transform="translate({left + k * cell + cell // 2 + 4},{top - 6}) '
                     f'rotate(-60)">{escaped(_label(name, 16))}</text>')
    by_key = {(f.outlet, f.source_outlet): f for f in flows}
    for row, taker in enumerate(names):
        for col, giver in enumerate(names):
            flow = by_key.get((taker, giver))
            if flow is None:
                continue
            shade = 0.15 + 0.85 * flow.chars / peak
            parts.append(f'<rect x="{left + col * cell}" y="{top + row * cell}" width="{cell - 2}" '
                         f'height="{cell - 2}" fill-opacity="{shade:.2f}" '
                         f'data-outlet="{escaped(taker)}" data-source="{escaped(giver)}" '
                         f'data-chars="{flow.chars}" data-edges="{flow.edges}"><title>'
                         f"{escaped(taker)} took {flow.chars:,} characters from "
                         f"{escaped(giver)} in {flow.edges:,} "
                         f"{'edge' if flow.edges == 1 else 'edges'}"
                         f"{_credited(credited, taker, giver)}</title></rect>")
    parts.append('<text x="4" y="14" class="axis">rows take from columns</text></svg>')
    return "".join(parts)


def _credited(credited: Mapping[tuple[str, str], int] | None, taker: str, giver: str) -> str:
    if credited is None or taker == giver:
        return ""
    return f", crediting it in {credited.get((taker, giver), 0):,}"


def shares_svg(stories: list[Story], bins: int = 10) -> str:
    """How much of a version its source explains: a histogram of the derivation
    edges' target shares, in tenths."""
    shares = [e.target_share for s in stories for e in s.edges]
    if not shares:
        return ""
    counts = [0] * bins
    for share in shares:
        counts[min(bins - 1, max(0, int(share * bins)))] += 1
    peak = max(counts)
    bar, left, base = 36, 40, 150
    width = left + bar * bins + 10
    parts = [f'<svg class="shares" xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{base + 34}" viewBox="0 0 {width} {base + 34}" role="img" '
             'aria-label="distribution of the share of a version taken from its source">']
    for k, n in enumerate(counts):
        h = round((base - 20) * n / peak) if peak else 0
        lo, hi = 100 * k // bins, 100 * (k + 1) // bins
        parts.append(f'<rect x="{left + k * bar}" y="{base - h}" width="{bar - 4}" height="{h}" '
                     f'data-from="{lo}" data-to="{hi}" data-count="{n}"><title>{n:,} '
                     f"{'edge' if n == 1 else 'edges'} where the source explains {lo}-{hi}% "
                     f"of the version</title></rect>"
                     f'<text x="{left + k * bar + bar // 2 - 2}" y="{base + 14}" '
                     f'text-anchor="middle">{lo}</text>')
    parts.append(f'<text x="{left}" y="{base + 30}" class="axis">% of the version taken from '
                 f'its source ({len(shares):,} edges)</text></svg>')
    return "".join(parts)


def stamp(moment: datetime) -> float:
    """Seconds since the epoch, a naive time taken as UTC (:func:`as_utc`)."""
    return as_utc(moment).timestamp()


def origin_guessed(story: Story) -> bool:
    """Whether nothing but the input order made this story's origin."""
    return story.origin_reason.startswith(("no evidence", "input order"))


def member_timeline(story: Story, articles: Mapping[str, Article]) -> str:
    """A row per dated member on one time axis (HTML, no SVG: the labels wrap)."""
    arts = [articles[m] for m in story.members if m in articles]
    dated = sorted((x for x in arts if x.published), key=lambda x: stamp(x.published))
    if not dated:
        return '<p class="note">No publication dates, so no timeline.</p>'
    t0, t1 = stamp(dated[0].published), stamp(dated[-1].published)
    guessed = origin_guessed(story)
    rows = []
    for x in dated:
        pct = 50.0 if t1 == t0 else 100.0 * (stamp(x.published) - t0) / (t1 - t0)
        cls = "tl-dot origin" if x.id == story.origin else "tl-dot"
        label = escaped(x.id) + (f" · {escaped(x.outlet)}" if x.outlet else "")
        if x.id == story.origin:
            label += " (first in input order)" if guessed else " (origin)"
        when = x.published.strftime("%Y-%m-%d %H:%M")
        rows.append(f'<div class="tl-row"><span>{escaped(when)}</span>'
                    f'<span class="tl-track"><span class="{cls}" style="left:{pct:.1f}%">'
                    f"</span></span><span>{label}</span></div>")
    undated = len(arts) - len(dated)
    note = f'<p class="note">{undated:,} undated.</p>' if undated else ""
    return f'<div class="timeline" role="list">{"".join(rows)}</div>{note}'


def story_pictures(story: Story, articles: Mapping[str, Article]) -> str:
    """Who took from whom, and the spread over outlets and time, when there is one."""
    taken = derivation_svg(story)
    spread = outlet_timeline_svg(story, articles)
    if not taken and not spread:
        return ""
    return ("<details open><summary>Who took from whom (arrow width: the share of the "
            "version taken)" + (", and when each outlet carried it" if spread else "")
            + f'</summary><div class="graph">{taken}{spread}</div></details>')
