"""Keeping the index's stories up to date as pairs appear and disappear.

Stories are cut from the connected groups of linked articles
(``links.py``: a group splits into stories that do not chain).  An add can
only change the stories of the groups whose pairs it touched, so only those
groups are taken apart and built again, whole, with
``stories.build_stories`` over their members (in index order, which stands
for the input order of a batch run): the same members, origin and
derivation edges a batch run over the whole index gives.  A group is found
by following linked pairs from the touched docs until no new doc turns up.
Story ids are stable: a story keeps its id while it grows, a merge keeps the
id of the larger part, a split gives the smaller parts new ids
(``story-N``, numbered in order of creation, not by size).
"""

from __future__ import annotations

import sqlite3
from collections import Counter

import numpy as np

from wiretrace.index.store import (
    CHUNK,
    chunks,
    encode_story,
    load_story_facts,
    pairs_among,
    passage_rows,
)
from wiretrace.model import PassageTable, Story
from wiretrace.params import TraceParams
from wiretrace.stories.build import ArticleFacts, build_stories, connected_components


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
    hit = set(_stories_of_docs(conn, dirty).values())
    for part in chunks(sorted(hit)):
        marks = ",".join("?" * len(part))
        old_of.update(conn.execute(
            f"SELECT doc, story FROM story_members WHERE story IN ({marks})", part))
    live = set()
    for part in chunks(wanted):
        marks = ",".join("?" * len(part))
        live.update(r[0] for r in conn.execute(
            f"SELECT doc FROM docs WHERE live = 1 AND doc IN ({marks})", part))
    # stories are parts of linked groups, and a part depends on its whole
    # group: every doc linked, through any path, to a touched one
    nodes = _linked_closure(conn, set(old_of) | live)
    old_of.update(_stories_of_docs(conn, nodes - set(old_of)))
    hit.update(old_of.values())
    rows = pairs_among(conn, nodes)
    strong = [(a, b) for a, b, linked, _ in rows if linked]
    groups = sorted(_components(nodes, strong), key=lambda g: (-len(g), g[0]))

    for part in chunks(sorted(nodes)):
        marks = ",".join("?" * len(part))
        conn.execute(f"DELETE FROM story_members WHERE doc IN ({marks})", part)
    for part in chunks(sorted(hit)):
        marks = ",".join("?" * len(part))
        conn.execute(f"DELETE FROM stories WHERE id IN ({marks})", part)
    stories, docs_of = build_group_stories(conn, groups, rows, params)
    used: set[str] = set()
    for story, members in zip(stories, docs_of, strict=True):
        votes = Counter(old_of[d] for d in members if d in old_of)
        story.id = next((sid for sid, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
                         if sid not in used), None) or _new_story_id(conn)
        used.add(story.id)
    conn.executemany("INSERT INTO stories (id, size, data) VALUES (?, ?, ?)",
                     [(story.id, len(story.members), encode_story(story)) for story in stories])
    conn.executemany("INSERT INTO story_members (doc, story) VALUES (?, ?)",
                     [(d, story.id) for story, members in zip(stories, docs_of, strict=True)
                      for d in members])


def _linked_closure(conn: sqlite3.Connection, docs: set[int]) -> set[int]:
    """``docs`` and every doc linked to one of them through a path of linked pairs."""
    found, frontier = set(docs), set(docs)
    while frontier:
        reached: set[int] = set()
        for part in chunks(sorted(frontier), CHUNK // 2):
            marks = ",".join("?" * len(part))
            for a, b in conn.execute(
                    f"SELECT a, b FROM pairs WHERE linked = 1 AND a IN ({marks}) "
                    f"UNION ALL SELECT a, b FROM pairs WHERE linked = 1 AND b IN ({marks})",
                    [*part, *part]):
                reached.update((a, b))
        frontier = reached - found
        found |= frontier
    return found


def _stories_of_docs(conn: sqlite3.Connection, docs: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for part in chunks(sorted(docs)):
        marks = ",".join("?" * len(part))
        found.update(conn.execute(
            f"SELECT doc, story FROM story_members WHERE doc IN ({marks})", part))
    return found


def build_group_stories(conn: sqlite3.Connection, groups: list[list[int]],
                        rows: list[tuple[int, int, bool, bytes]],
                        params: TraceParams) -> tuple[list[Story], list[list[int]]]:
    """The stories of connected groups of docs, as ``stories.build_stories`` makes
    them, from the stored passages of their pairs (``rows``, see
    ``store.pairs_among``); and the docs of each story.

    One ``build_stories`` call for all groups: it finds the same groups again
    (they are connected by the same links) and cuts them into stories, and
    its per-call work is paid once per add rather than once per story.  It
    reads the docs' facts and the passages' records as arrays: building
    Articles and Passages was most of the cost, for stories that use only
    lengths, dates and spans.
    """
    if not groups:
        return [], []
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
    return stories, [[doc_of[m] for m in story.members] for story in stories]
