"""The provenance graph of a story: who told whom, who credits whom, who first
carried each quote.

Read from the versions' attributions, in the order the versions appeared
(publication time, else the story's order):

- a source that gave its words to a medium: ``source --told--> medium``;
- an attribution inside the content of an outlet's report ("Voice of America
  reports that ..., Wassim Nasr ... told The Associated Press"): the inner
  medium was relayed by the outer outlet, ``AP --relayed--> VOA``;
- what a version credits: ``source --credited_by--> version`` (the outermost
  credit of a chain, so that Nasr -> AP -> VOA -> version B reads as a path);
- the story's derivation edges: ``version --derived--> version``.

Quotes: a direct quote is the same quote in two versions when its words match
(case and punctuation aside, so "(Wagner)" and "[Wagner]" are one); a quote
whose speaker and opening words match but whose words differ is altered.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime

from wiretrace.attribute.entities import outlet_of
from wiretrace.model import Attribution, Story
from wiretrace.model.attributions import CreditEdge, OutletCredit, Provenance, QuoteTrail
from wiretrace.stories.links import epoch_seconds

WORD = re.compile(r"\w+")
QUOTE_OPENING_WORDS = 4  # words that tie two versions' quotes to one place


def appearance_order(story: Story, published: list[datetime | None]) -> list[str]:
    """A story's members in the order they appeared (``published``: each member's
    date, in ``story.members`` order): the origin first, then the dated ones by
    instant, then the undated in the story's order."""
    seconds = epoch_seconds([p.isoformat() if p else None for p in published]).tolist()
    order = sorted(range(len(story.members)), key=lambda k: (
        story.members[k] != story.origin, math.isnan(seconds[k]),
        0.0 if math.isnan(seconds[k]) else seconds[k], k))
    return [story.members[k] for k in order]


def _inside(inner: Attribution, outer: Attribution) -> bool:
    if outer.content_start is None or outer.content_end is None or inner is outer:
        return False
    return outer.content_start <= inner.cue_start and inner.cue_end <= outer.content_end


def story_provenance(story: Story, versions: list[str],
                     attributions: dict[str, list[Attribution]]) -> Provenance:
    """``versions``: the story's members in the order they appeared."""
    steps: dict[tuple[str, str, str], list[str]] = defaultdict(list)

    def step(source: str, target: str, relation: str, version: str) -> None:
        seen = steps[(source, target, relation)]
        if version not in seen:
            seen.append(version)

    quotes: dict[tuple[str, ...], list[tuple[str, Attribution]]] = defaultdict(list)
    for version in versions:
        found = [a for a in attributions.get(version, []) if a.is_credit]
        for item in found:
            if item.source_entity and item.medium_entity \
                    and item.source_entity != item.medium_entity:
                step(item.source_entity, item.medium_entity, "told", version)
            outers = [o for o in found if _inside(item, o) and o.medium_entity]
            last = item.medium_entity or item.source_entity
            for outer in outers:
                if last and outer.medium_entity and last != outer.medium_entity:
                    step(last, outer.medium_entity, "relayed", version)
            # the version credits the source; a medium it was told to ("told BBC
            # News") is the told step's end, not a credit of its own
            if not outers and item.source_entity:
                step(item.source_entity, version, "credited_by", version)
            if item.kind == "direct_quote" and item.content_text:
                words = tuple(w.casefold() for w in WORD.findall(item.content_text))
                if words:
                    quotes[words].append((version, item))
    for edge in story.edges:
        step(edge.source, edge.target, "derived", edge.target)

    trails = []
    by_opening: dict[tuple[str, ...], list[tuple[tuple[str, ...], str, Attribution]]] = \
        defaultdict(list)
    for words, carriers in quotes.items():
        for version, item in carriers:
            by_opening[words[:QUOTE_OPENING_WORDS]].append((words, version, item))
    for words, carriers in quotes.items():
        first_version, first = carriers[0]
        altered = tuple(dict.fromkeys(
            v for other, v, _ in by_opening[words[:QUOTE_OPENING_WORDS]] if other != words))
        if any(t.text == first.content_text for t in trails):
            continue
        trails.append(QuoteTrail(first.content_text or "", first.source_entity, first_version,
                                 tuple(dict.fromkeys(v for v, _ in carriers)), altered))
    edges = [CreditEdge(s, t, r, tuple(v)) for (s, t, r), v in steps.items()]
    return Provenance(story.id, edges, trails)


def outlet_credits(stories: list[Story], outlet: Callable[[str], str | None],
                   credits: Mapping[str, list[Attribution]]) -> list[OutletCredit]:
    """Which outlet takes text from which, over every story's derivation edges
    between articles of two different named outlets (``outlet``: an article's
    outlet by id), and how often the taking article credits the source outlet
    (by its name, or the short name of a known outlet: AP for The Associated
    Press), most taken first."""
    taken: Counter[tuple[str, str]] = Counter()
    credited: Counter[tuple[str, str]] = Counter()
    for story in stories:
        for edge in story.edges:
            source, target = outlet(edge.source), outlet(edge.target)
            if not source or not target or source == target:
                continue
            taken[(target, source)] += 1
            wanted = {source.casefold(), (outlet_of(source) or "").casefold()}
            if any(e.casefold() in wanted for item in credits.get(edge.target, [])
                   for e in item.credited):
                credited[(target, source)] += 1
    return [OutletCredit(t, s, n, credited[(t, s)]) for (t, s), n in taken.most_common()]
