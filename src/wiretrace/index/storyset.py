"""Keeping the index's stories up to date as pairs appear and disappear.

Stories are the connected groups of linked articles (``stories.py``).  An
add can only change the stories of the articles whose pairs it touched, so
only those are taken apart and built again, with ``stories.build_stories``
over their members (in index order, which stands for the input order of a
batch run): the same members, origin and derivation edges a batch run over
the whole index gives.  Story ids are stable: a story keeps its id while it
grows, a merge keeps the id of the larger part, a split gives the smaller
parts new ids (``story-N``, numbered in order of creation, not by size).
"""

from __future__ import annotations

import sqlite3
from collections import Counter

import numpy as np

from wiretrace.index.store import (
    chunks,
    encode_story,
    load_story_facts,
    pairs_among,
    passage_rows,
)
from wiretrace.model import PassageTable, Story
from wiretrace.params import TraceParams
from wiretrace.stories import ArticleFacts, build_stories, connected_components


def _components(nodes: set[int], links: list[tuple[int, int]]) -> list[list[int]]:
    """The connected groups of two or more ``nodes``, each in ascending order."""
    order = np.array(sorted(nodes), dtype=np.int64)
    ends = np.array(links, dtype=np.int64).reshape(-1, 2)
    labels = connected_components(len(order), np.searchsorted(order, ends[:, 0]),
                                  np.searchsorted(order, ends[:, 1]))
    by_label = np.argsort(labels, kind="stable")  # ascending within a group
    starts = np.flatnonzero(np.diff(labels[by_label], prepend=-1))
    return [group.tolist() for group in np.split(order[by_label], starts[1:]) if len(group) > 1]


def _new_story_id(conn: sqlite3.Connection) -> str:
    number = int(conn.execute("SELECT value FROM meta WHERE key='next_story'").fetchone()[0])
    conn.execute("UPDATE meta SET value=? WHERE key='next_story'", (str(number + 1),))
    return f"story-{number}"


def update_stories(conn: sqlite3.Connection, dirty: set[int], params: TraceParams) -> None:
    """Rebuild the stories of ``dirty`` docs (whose pairs changed), inside the caller's
    transaction."""
    if not dirty:
        return
    wanted = sorted(dirty)
    old_of: dict[int, str] = {}
    hit: set[str] = set()
    for part in chunks(wanted):
        marks = ",".join("?" * len(part))
        hit.update(r[0] for r in conn.execute(
            f"SELECT DISTINCT story FROM story_members WHERE doc IN ({marks})", part))
    for part in chunks(sorted(hit)):
        marks = ",".join("?" * len(part))
        old_of.update(conn.execute(
            f"SELECT doc, story FROM story_members WHERE story IN ({marks})", part))
    live = set()
    for part in chunks(wanted):
        marks = ",".join("?" * len(part))
        live.update(r[0] for r in conn.execute(
            f"SELECT doc FROM docs WHERE live = 1 AND doc IN ({marks})", part))
    nodes = set(old_of) | live
    # a story is closed under links, and new links only join dirty docs: every
    # link of these nodes stays among them (so only pairs among them are read)
    rows = pairs_among(conn, nodes)
    strong = [(a, b) for a, b, linked, _ in rows if linked]
    groups = sorted(_components(nodes, strong), key=lambda g: (-len(g), g[0]))

    for part in chunks(sorted(nodes)):
        marks = ",".join("?" * len(part))
        conn.execute(f"DELETE FROM story_members WHERE doc IN ({marks})", part)
    for part in chunks(sorted(hit)):
        marks = ",".join("?" * len(part))
        conn.execute(f"DELETE FROM stories WHERE id IN ({marks})", part)
    stories = build_group_stories(conn, groups, rows, params)
    used: set[str] = set()
    for group, story in zip(groups, stories, strict=True):
        votes = Counter(old_of[d] for d in group if d in old_of)
        story.id = next((sid for sid, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
                         if sid not in used), None) or _new_story_id(conn)
        used.add(story.id)
    conn.executemany("INSERT INTO stories (id, size, data) VALUES (?, ?, ?)",
                     [(story.id, len(story.members), encode_story(story)) for story in stories])
    conn.executemany("INSERT INTO story_members (doc, story) VALUES (?, ?)",
                     [(d, story.id) for group, story in zip(groups, stories, strict=True)
                      for d in group])


def build_group_stories(conn: sqlite3.Connection, groups: list[list[int]],
                        rows: list[tuple[int, int, bool, bytes]],
                        params: TraceParams) -> list[Story]:
    """The story of each connected group of docs, as ``stories.build_stories`` makes it,
    from the stored passages of their pairs (``rows``, see ``store.pairs_among``).

    One ``build_stories`` call for all groups: it finds the same groups again
    (they are connected by the same links), and its per-call work is paid once
    per add rather than once per story.  It reads the docs' facts and the
    passages' records as arrays: building Articles and Passages was most of
    the cost, for stories that use only lengths, dates and spans.
    """
    if not groups:
        return []
    group_of = {doc: k for k, group in enumerate(groups) for doc in group}
    facts = load_story_facts(conn, group_of)
    ordered = sorted(facts, key=lambda doc: facts[doc].seq)  # index order = input order
    number = {doc: k for k, doc in enumerate(ordered)}
    ids = [facts[doc].article_id for doc in ordered]
    inside = [(a, b, blob) for a, b, _, blob in rows
              if a in group_of and group_of[a] == group_of.get(b)]
    stories = build_stories(
        ArticleFacts(ids, np.array([facts[doc].length for doc in ordered], dtype=np.int64),
                     [facts[doc].published for doc in ordered]),
        PassageTable(passage_rows(inside, number), ids), params,
        np.array([facts[doc].words for doc in ordered], dtype=np.int64))
    doc_of = dict(zip(ids, ordered, strict=True))
    by_group: list[Story | None] = [None] * len(groups)
    for story in stories:
        by_group[group_of[doc_of[story.members[0]]]] = story
    if len(stories) != len(groups) or any(
            story is None or len(story.members) != len(group)
            for story, group in zip(by_group, groups, strict=True)):
        # the groups are connected by links, so this cannot happen
        raise RuntimeError(f"index stories out of step: {len(stories)} stories "
                           f"for {len(groups)} groups")
    return by_group  # type: ignore[return-value]
