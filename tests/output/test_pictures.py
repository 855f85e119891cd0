"""The report's pictures, read back as SVG: every node, edge, cell and bar matches
the data it draws."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

from wiretrace.model import Article, DerivationEdge, Story, TraceResult
from wiretrace.output.files import outlet_rows
from wiretrace.output.pictures import (
    derivation_svg,
    matrix_svg,
    outlet_flows,
    outlet_timeline_svg,
    shares_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2024, 5, 6, 9, tzinfo=timezone.utc)
ARTICLES = {
    "wire-1": Article("wire-1", "x", outlet="Wire", published=T0),
    "paper-2": Article("paper-2", "x", outlet="Paper", published=T0 + timedelta(hours=2)),
    "blog-3": Article("blog-3", "x", outlet="Blog", published=T0 + timedelta(hours=5)),
    "wire-4": Article("wire-4", "x", outlet="Wire", published=T0 + timedelta(hours=6)),
}
EDGES = [DerivationEdge("wire-1", "paper-2", 0.9, 0.8, 900),
         DerivationEdge("paper-2", "blog-3", 0.3, 0.2, 150),
         DerivationEdge("wire-1", "wire-4", 1.0, 1.0, 1200)]
STORY = Story("s1", list(ARTICLES), "wire-1", "earliest published", EDGES)


def parsed(svg: str) -> ET.Element:
    assert svg.startswith("<svg") and "<script" not in svg
    return ET.fromstring(svg)


def test_who_took_from_whom_draws_every_member_and_edge_by_its_share():
    root = parsed(derivation_svg(STORY))
    nodes = [g.get("data-node") for g in root.iter(f"{SVG}g")]
    assert sorted(nodes) == sorted(ARTICLES)
    lines = {(x.get("data-source"), x.get("data-target")): x for x in root.iter(f"{SVG}line")}
    assert set(lines) == {(e.source, e.target) for e in EDGES}
    width = {k: float(x.get("stroke-width")) for k, x in lines.items()}
    assert width[("wire-1", "wire-4")] > width[("wire-1", "paper-2")] > \
        width[("paper-2", "blog-3")]
    assert "blog-3 took 30% of its text from paper-2 (150 characters)" in \
        lines[("paper-2", "blog-3")].find(f"{SVG}title").text
    origin = [g for g in root.iter(f"{SVG}g") if "origin" in g.get("class")]
    assert [g.get("data-node") for g in origin] == ["wire-1"]
    # blog-3 took from paper-2, which took from the origin: a layer further right
    x = {g.get("data-node"): float(g.find(f"{SVG}rect").get("x")) for g in root.iter(f"{SVG}g")}
    assert x["wire-1"] < x["paper-2"] < x["blog-3"] and x["wire-4"] == x["paper-2"]


def test_the_spread_over_outlets_has_a_lane_each_and_a_dot_per_dated_member():
    root = parsed(outlet_timeline_svg(STORY, ARTICLES))
    dots = {c.get("data-member"): c for c in root.iter(f"{SVG}circle")}
    assert set(dots) == set(ARTICLES)
    cx = {m: float(c.get("cx")) for m, c in dots.items()}
    assert cx["wire-1"] < cx["paper-2"] < cx["blog-3"] < cx["wire-4"]
    assert dots["wire-1"].get("cy") == dots["wire-4"].get("cy")  # one lane per outlet
    one_outlet = {k: Article(k, "x", outlet="Wire", published=a.published)
                  for k, a in ARTICLES.items()}
    assert outlet_timeline_svg(STORY, one_outlet) == ""  # the timeline says it already


def test_the_outlet_matrix_and_outlets_jsonl_hold_the_same_flows():
    flows = outlet_flows([STORY], ARTICLES)
    assert [(f.outlet, f.source_outlet, f.edges, f.chars) for f in flows] == [
        ("Wire", "Wire", 1, 1200), ("Paper", "Wire", 1, 900), ("Blog", "Paper", 1, 150)]
    root = parsed(matrix_svg(flows))
    cells = {(r.get("data-outlet"), r.get("data-source")): int(r.get("data-chars"))
             for r in root.iter(f"{SVG}rect")}
    assert cells == {(f.outlet, f.source_outlet): f.chars for f in flows}
    credited = parsed(matrix_svg(flows, credited={("Paper", "Wire"): 1}))
    titles = {(r.get("data-outlet"), r.get("data-source")): r.find(f"{SVG}title").text
              for r in credited.iter(f"{SVG}rect")}
    assert titles[("Paper", "Wire")].endswith("in 1 edge, crediting it in 1")
    assert titles[("Blog", "Paper")].endswith("in 1 edge, crediting it in 0")
    assert titles[("Wire", "Wire")].endswith("in 1 edge")  # its own re-sends: no credit asked
    result = TraceResult(ARTICLES, [], [STORY], [], [])
    rows = list(outlet_rows(result))
    assert [(r["outlet"], r["source_outlet"], r["chars"], r["credited"]) for r in rows] == [
        ("Wire", "Wire", 1200, None), ("Paper", "Wire", 900, None), ("Blog", "Paper", 150, None)]


def test_the_share_histogram_counts_every_edge_once():
    root = parsed(shares_svg([STORY]))
    bars = {int(r.get("data-from")): int(r.get("data-count")) for r in root.iter(f"{SVG}rect")}
    assert sum(bars.values()) == len(EDGES)
    assert bars[90] == 2 and bars[30] == 1  # 0.9 and 1.0 in the last tenth, 0.3 in its own
    assert shares_svg([Story("s", ["a"], "a", "x")]) == ""
