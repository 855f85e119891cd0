"""The attribution stage of a batch run: every article of a store, on every core.

Each article's attributions go to a sink as they come (``attributions.jsonl``
of a large run); kept in memory are those of the members of the largest
stories (the report shows them) and the credits of every story member, from
which each story's provenance graph is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from wiretrace.attribute import attribute_text
from wiretrace.attribute.provenance import appearance_order, outlet_credits, story_provenance
from wiretrace.model import Attribution, OutletCredit, Provenance, Story
from wiretrace.runtime.article_store import ArticleStore
from wiretrace.runtime.workers import map_chunks, worker_state

ATTRIBUTED_PER_CHUNK = 200  # articles whose attributions one chunk of work finds


class Attributions(NamedTuple):
    """What the stage kept, how many it found, each story's provenance graph, and
    the credits of each story member (the diffs read them)."""

    kept: list[Attribution]
    found: int
    provenance: list[Provenance]
    member_credits: dict[str, list[Attribution]]
    outlets: list[OutletCredit]  # which outlet takes from which, across the corpus


@dataclass
class _State:
    """What the workers read (a fork inherits it)."""

    articles: ArticleStore


def _chunk(indices: list[int]) -> list[Attribution]:
    """The attributions of some articles, article by article."""
    store = worker_state(_State).articles
    return [found for k in indices for found in attribute_text(store.text(k), store.ids[k])]


def attribute_store(store: ArticleStore, stories: list[Story], workers: int,
                    progress: Callable[[str, int, int], None],
                    sink: Callable[[Attribution], None] | None,
                    keep_stories: int | None) -> Attributions:
    """Every article's attributions; each goes to ``sink``, and kept are all, or
    (with a sink) those of the members of the ``keep_stories`` largest stories."""
    kept = None if sink is None else {
        m for s in (stories if keep_stories is None else stories[:keep_stories])
        for m in s.members}
    in_story = {m for s in stories for m in s.members}
    credits: dict[str, list[Attribution]] = {}
    found: list[Attribution] = []
    total, done = 0, 0
    for chunk in map_chunks(_chunk, range(len(store)), workers, ATTRIBUTED_PER_CHUNK,
                            _State(store)):
        for item in chunk:
            if sink is not None:
                sink(item)
            if kept is None or item.article in kept:
                found.append(item)
            if item.is_credit and item.article in in_story:
                credits.setdefault(item.article, []).append(item)
        total += len(chunk)
        done = min(len(store), done + ATTRIBUTED_PER_CHUNK)  # articles, not attributions
        progress("attribute", done, len(store))
    provenance = [story_provenance(s, appearance_order(s, [store[m].published
                                                            for m in s.members]), credits)
                  for s in stories]
    outlets = outlet_credits(stories, lambda article: store[article].outlet, credits)
    return Attributions(found, total, provenance, credits, outlets)
