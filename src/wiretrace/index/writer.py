"""Adding a batch of articles to the index: one transaction, all or nothing.

Everything a batch changes (versions, postings run, boilerplate, pairs,
stories, the generation counter) is written in one SQLite transaction, so a
process killed at any moment leaves each article either fully indexed or
absent, and running the same add again finds the committed ones unchanged
and adds the rest.  The in-memory postings are published to readers only
after the commit.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from wiretrace.index import engine
from wiretrace.index.postings import BANDS, SHINGLES, TOP_LEVEL, Postings, merged, pack
from wiretrace.index.results import ADDED, NEW_VERSION, UNCHANGED, AddResult
from wiretrace.index.store import (
    article_values,
    chunks,
    load_docs,
    matched_words,
)
from wiretrace.index.storyset import update_stories
from wiretrace.index.workers import AlignWorkers
from wiretrace.model import Article
from wiretrace.params import TraceParams

# Runs of one level merged into one of the next level once there are this many.
FANOUT = 8
# A run is not merged past this many keys (SQLite BLOBs stop at 1 GB).
MAX_RUN_KEYS = 32 * 1024 * 1024


@dataclass(frozen=True)
class Snapshot:
    """Postings and boilerplate set as of one committed generation."""

    postings: Postings
    boilerplate: np.ndarray  # sorted shingles held by more than max_df current versions


_NO_KEYS = np.empty(0, dtype=np.uint64)


def text_hash(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()


def _bump_generation(conn: sqlite3.Connection) -> int:
    conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
    return int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])


def _insert_run(conn: sqlite3.Connection, kind: int, level: int, keys: np.ndarray) -> int:
    cur = conn.execute("INSERT INTO runs (kind, level, n, keys) VALUES (?, ?, ?, ?)",
                       (kind, level, len(keys), keys.astype("<u8").tobytes()))
    return int(cur.lastrowid)


@dataclass
class Plan:
    """One batch's add worked out up to its alignment; nothing is written yet.

    ``snapshot`` is the postings and boilerplate as they will be once the
    batch is in (its runs under placeholder ids): the next batch can be
    planned on it before this one is written (see :func:`plan_batch`).
    """

    results: list[AddResult]
    new: list[engine.Doc] = field(default_factory=list)
    versions: dict[int, int] = field(default_factory=dict)
    hashes: dict[int, bytes] = field(default_factory=dict)
    killed: list[int] = field(default_factory=list)
    redone: set[int] = field(default_factory=set)  # stored docs whose pairs are made again
    runs: tuple[np.ndarray, np.ndarray] = (_NO_KEYS, _NO_KEYS)  # shingle and band keys
    snapshot: Snapshot | None = None
    boilerplate_before: np.ndarray = field(default_factory=lambda: _NO_KEYS)
    # shingles that entered or left the boilerplate set
    changed: np.ndarray = field(default_factory=lambda: _NO_KEYS)
    docs: dict[int, engine.Doc] = field(default_factory=dict)
    pairs: list[tuple[int, int]] = field(default_factory=list)
    next_doc: int = 0
    next_seq: int = 0
    alignment: engine.PairAlignment | None = None
    found: dict[tuple[int, int], bytes] | None = None  # the alignment's, packed


def _existing(conn: sqlite3.Connection, ids: list[str],
              pending: Plan | None) -> dict[str, tuple[int, int, int, bytes]]:
    """``(doc, seq, versions, text hash)`` of the current version of each known id."""
    existing: dict[str, tuple[int, int, int, bytes]] = {}
    for part in chunks(ids):
        marks = ",".join("?" * len(part))
        for article_id, doc, seq, versions, digest in conn.execute(
                f"SELECT a.id, a.doc, a.seq, a.versions, d.text_hash FROM articles a "
                f"JOIN docs d ON d.doc = a.doc WHERE a.id IN ({marks})", part):
            existing[article_id] = (doc, seq, versions, digest)
    if pending is not None:
        wanted = set(ids)
        for d in pending.new:
            if d.article.id in wanted:
                existing[d.article.id] = (d.doc, d.seq, pending.versions[d.doc],
                                          pending.hashes[d.doc])
    return existing


def _docs(conn: sqlite3.Connection, wanted: set[int], params: TraceParams,
          pending: Plan | None, fingerprinted: bool = False) -> dict[int, engine.Doc]:
    """Versions by number: the pending batch's own, the rest stored.

    ``fingerprinted``: with their shingles and band keys too (the versions an
    add supersedes or re-pairs need them; partners to align do not).
    """
    found = {d: pending.docs[d] for d in wanted if pending is not None and d in pending.docs}
    stored = {d: engine.Doc(d, r.article, r.seq, r.words)
              for d, r in load_docs(conn, wanted - set(found)).items()}
    docs = found | stored
    if fingerprinted:
        engine.fingerprint([d for d in docs.values() if len(d.shingles) == 0], params)
    return docs


def _placeholder(snap: Snapshot) -> int:
    """A run id for a batch not written yet: below every id in use."""
    return min([0, *snap.postings.runs[SHINGLES], *snap.postings.runs[BANDS]]) - 1


def plan_batch(conn: sqlite3.Connection, snap: Snapshot, params: TraceParams,
               articles: Sequence[Article], pending: Plan | None = None) -> Plan:
    """Work out the add of articles with distinct ids, up to the pairs to align.

    ``snap`` is the state the batch goes onto: the committed one, or the
    ``snapshot`` of ``pending``, a batch planned but not written yet (whose
    versions this one then sees as if stored).
    """
    existing = _existing(conn, [a.id for a in articles], pending)
    next_doc = conn.execute("SELECT COALESCE(MAX(doc), -1) + 1 FROM docs").fetchone()[0]
    next_seq = conn.execute("SELECT COALESCE(MAX(seq), -1) + 1 FROM articles").fetchone()[0]
    if pending is not None:
        next_doc, next_seq = max(next_doc, pending.next_doc), max(next_seq, pending.next_seq)
    plan = Plan([], boilerplate_before=snap.boilerplate, snapshot=snap)
    for article in articles:
        digest = text_hash(article.text)
        known = existing.get(article.id)
        if known is not None and known[3] == digest:
            plan.results.append(AddResult(article.id, UNCHANGED, known[2]))
            continue
        if known is not None:
            plan.killed.append(known[0])
            seq, version, status = known[1], known[2] + 1, NEW_VERSION
        else:
            seq, version, status = next_seq, 1, ADDED
            next_seq += 1
        doc = engine.Doc(next_doc, article, seq)
        next_doc += 1
        plan.new.append(doc)
        plan.versions[doc.doc], plan.hashes[doc.doc] = version, digest
        plan.results.append(AddResult(article.id, status, version))
    plan.next_doc, plan.next_seq = next_doc, next_seq
    if plan.new:
        _plan_pairs(conn, snap, params, plan, pending)
    return plan


def _plan_pairs(conn: sqlite3.Connection, snap: Snapshot, params: TraceParams, plan: Plan,
                pending: Plan | None) -> None:
    """Postings, boilerplate, affected versions and candidate pairs of a planned batch."""
    new = plan.new
    engine.fingerprint(new, params)
    old = _docs(conn, set(plan.killed), params, pending, fingerprinted=True)
    (shingle_values, shingle_docs), (band_values, band_docs) = engine.postings_of(new)
    plan.runs = (pack(shingle_values, shingle_docs), pack(band_values, band_docs))
    placeholder = _placeholder(snap)
    view = (snap.postings.with_run(SHINGLES, placeholder, plan.runs[0])
            .with_run(BANDS, placeholder, plan.runs[1])
            .with_alive([d.doc for d in new], plan.killed))
    touched = np.concatenate([d.shingles for d in [*new, *old.values()]])
    boilerplate, plan.changed, known = engine.boilerplate_after(
        view, touched, snap.boilerplate, params.max_df or 0)
    plan.snapshot = Snapshot(view, boilerplate)
    new_docs = {d.doc for d in new}
    affected = _docs(conn, engine.holders(view, plan.changed) - new_docs, params, pending,
                     fingerprinted=True)
    # the touched shingles' look-up serves again (the rest are looked up)
    pairs = engine.candidate_pairs(view, [*new, *affected.values()], boilerplate, params, known)
    plan.redone = set(affected) | set(plan.killed)
    plan.docs = {d.doc: d for d in new} | affected
    plan.docs |= _docs(conn, {x for pair in pairs for x in pair} - set(plan.docs), params,
                       pending)
    plan.pairs = sorted(pairs)


def start_alignment(plan: Plan, params: TraceParams, pool: AlignWorkers | None = None,
                    shared: engine.TokenCache | None = None) -> None:
    """Send the plan's pairs to be aligned (by ``pool`` when there are many).

    ``shared`` keeps the tokens of stored versions across calls (the new
    ones stay out: their numbers are reused if the transaction rolls back).
    """
    if plan.new and plan.snapshot is not None:
        plan.alignment = engine.PairAlignment(plan.pairs, plan.docs, plan.snapshot.boilerplate,
                                              params, pool, shared,
                                              frozenset(d.doc for d in plan.new))


def wait_for_alignment(plan: Plan) -> dict[tuple[int, int], bytes]:
    """The passages of the plan's pairs, once :func:`start_alignment` has sent them
    (packed as stored: ``store.encode_passages``)."""
    if plan.found is None:
        plan.found = plan.alignment.records() if plan.alignment is not None else {}
    return plan.found


def add_batch(conn: sqlite3.Connection, snap: Snapshot, params: TraceParams,
              articles: Sequence[Article], pool: AlignWorkers | None = None,
              shared: engine.TokenCache | None = None) -> tuple[list[AddResult], Snapshot]:
    """Add articles with distinct ids inside the caller's ``BEGIN IMMEDIATE``."""
    plan = plan_batch(conn, snap, params, articles)
    start_alignment(plan, params, pool, shared)
    return write_batch(conn, snap, plan, params)


def write_batch(conn: sqlite3.Connection, snap: Snapshot, plan: Plan,
                params: TraceParams) -> tuple[list[AddResult], Snapshot]:
    """Write a planned batch over the committed ``snap``, inside the caller's
    ``BEGIN IMMEDIATE``; its results and the snapshot to publish after the commit."""
    if not plan.new or plan.snapshot is None:
        return plan.results, snap
    if plan.alignment is None and plan.found is None:
        start_alignment(plan, params)
    found = wait_for_alignment(plan)
    new, docs, versions, hashes = plan.new, plan.docs, plan.versions, plan.hashes
    new_docs = {d.doc for d in new}
    # the stories of every doc that loses a pair change too
    dirty = new_docs | plan.redone | _partners(conn, plan.redone)
    dirty |= {x for pair in found for x in pair}

    now = time.time()
    conn.executemany(
        "INSERT INTO docs (doc, article_id, version, seq, live, text, text_hash, title, outlet, "
        "url, published, origin, words, added_at, meta) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [article_values(d.doc, d.article, versions[d.doc], d.seq, hashes[d.doc], d.words, now)
         for d in new])
    conn.executemany("UPDATE docs SET live = 0 WHERE doc = ?", [(k,) for k in plan.killed])
    conn.executemany(
        "INSERT INTO articles (id, seq, doc, versions) VALUES (?, ?, ?, ?) ON CONFLICT (id) "
        "DO UPDATE SET doc = excluded.doc, versions = excluded.versions",
        [(d.article.id, d.seq, d.doc, versions[d.doc]) for d in new])
    shingle_run, band_run = plan.runs
    shingle_id = _insert_run(conn, SHINGLES, 0, shingle_run)
    band_id = _insert_run(conn, BANDS, 0, band_run)
    gone = np.intersect1d(plan.changed, plan.boilerplate_before)
    conn.executemany("DELETE FROM boilerplate WHERE shingle = ?", [(int(s),) for s in gone])
    conn.executemany("INSERT INTO boilerplate (shingle) VALUES (?)",
                     [(int(s),) for s in np.setdiff1d(plan.changed, gone)])
    for part in chunks(sorted(plan.redone), 450):
        marks = ",".join("?" * len(part))
        conn.execute(f"DELETE FROM pairs WHERE a IN ({marks}) OR b IN ({marks})", [*part, *part])
    ends, blobs = list(found), list(found.values())
    matched, agreeing, unchanged = matched_words(blobs)
    linked = engine.pair_links(matched, agreeing, ends, docs, params, unchanged)
    rows = [(a, b, words, link, blob) for (a, b), words, link, blob
            in zip(ends, matched.tolist(), linked.tolist(), blobs, strict=True)]
    conn.executemany(
        "INSERT OR REPLACE INTO pairs (a, b, words, linked, passages) VALUES (?, ?, ?, ?, ?)",
        rows)
    update_stories(conn, dirty, params)
    generation = _bump_generation(conn)

    order = {d.doc: k for k, d in enumerate(new)}
    story_of = dict(_stories_of(conn, new_docs))
    reported = _reported(found, order, docs)
    for result, doc in zip([r for r in plan.results if r.status != UNCHANGED], new,
                           strict=True):
        result.found = reported.get(doc.doc, [])
        result.story_id = story_of.get(doc.doc)
    view = Postings({SHINGLES: {**snap.postings.runs[SHINGLES], shingle_id: shingle_run},
                     BANDS: {**snap.postings.runs[BANDS], band_id: band_run}},
                    plan.snapshot.postings.alive, generation)
    return plan.results, Snapshot(view, plan.snapshot.boilerplate)


def _partners(conn: sqlite3.Connection, docs: set[int]) -> set[int]:
    """Docs sharing a stored pair with one of ``docs``."""
    found: set[int] = set()
    for part in chunks(sorted(docs), 450):
        marks = ",".join("?" * len(part))
        found.update(r[0] for r in conn.execute(
            f"SELECT b FROM pairs WHERE a IN ({marks}) UNION SELECT a FROM pairs "
            f"WHERE b IN ({marks})", [*part, *part]))
    return found


def _stories_of(conn: sqlite3.Connection, docs: set[int]) -> list[tuple[int, str]]:
    found = []
    for part in chunks(sorted(docs)):
        marks = ",".join("?" * len(part))
        found += conn.execute(f"SELECT doc, story FROM story_members WHERE doc IN ({marks})",
                              part).fetchall()
    return found


def _reported(found: dict[tuple[int, int], bytes], order: dict[int, int],
              docs: dict[int, engine.Doc]) -> dict[int, list[tuple[str, str, bytes]]]:
    """``(a, b, packed passages)`` of each new doc's pairs with the docs before it
    (older, or earlier in the call), ids by article (``AddResult.passages``
    decodes and orients them)."""
    out: dict[int, list[tuple[str, str, bytes]]] = {}
    for (a, b), passages in found.items():
        # the pair is reported with whichever of the two came later
        later = b if a not in order or (b in order and order[b] > order[a]) else a
        if later in order:  # else two older docs re-aligned after a boilerplate change
            out.setdefault(later, []).append((docs[a].article.id, docs[b].article.id,
                                              passages))
    return out


@dataclass(frozen=True)
class Merge:
    """Runs of one kind and level, to be merged into one run of the next level."""

    kind: int
    level: int
    ids: tuple[int, ...]


def next_merge(conn: sqlite3.Connection) -> Merge | None:
    """The lowest level with ``FANOUT`` runs of a kind, if any."""
    levels = conn.execute("SELECT kind, level, COUNT(*) FROM runs WHERE level < ? "
                          "GROUP BY kind, level HAVING COUNT(*) >= ? ORDER BY level LIMIT 1",
                          (TOP_LEVEL, FANOUT)).fetchone()
    if levels is None:
        return None
    kind, level, _ = levels
    ids = tuple(r[0] for r in conn.execute(
        "SELECT id FROM runs WHERE kind = ? AND level = ? ORDER BY id", (kind, level)))
    return Merge(kind, level, ids)


def merged_keys(snap: Snapshot, merge: Merge) -> np.ndarray:
    """The merged run (keys of versions superseded by ``snap`` left out); NumPy only,
    so it can run on another thread while adds go on."""
    return merged([snap.postings.runs[merge.kind][i] for i in merge.ids], snap.postings.alive)


def apply_merge(conn: sqlite3.Connection, snap: Snapshot, merge: Merge,
                keys: np.ndarray) -> Snapshot | None:
    """Put the merged run in place of its parts (inside ``BEGIN IMMEDIATE``); the new
    snapshot, or ``None`` if the parts are gone (another process merged them).

    Keys of versions superseded after the merge was computed stay in it until a
    later merge: look-ups skip them.
    """
    runs = snap.postings.runs[merge.kind]
    marks = ",".join("?" * len(merge.ids))
    present = conn.execute(f"SELECT COUNT(*) FROM runs WHERE id IN ({marks})",
                           merge.ids).fetchone()[0]
    if present != len(merge.ids) or any(i not in runs for i in merge.ids):
        return None
    new_level = TOP_LEVEL if len(keys) > MAX_RUN_KEYS else merge.level + 1
    new_id = _insert_run(conn, merge.kind, new_level, keys)
    conn.executemany("DELETE FROM runs WHERE id = ?", [(i,) for i in merge.ids])
    generation = _bump_generation(conn)
    kept = {i: k for i, k in runs.items() if i not in merge.ids}
    kept[new_id] = keys
    all_runs = dict(snap.postings.runs)
    all_runs[merge.kind] = kept
    return Snapshot(Postings(all_runs, snap.postings.alive, generation), snap.boilerplate)


def merge_runs(conn: sqlite3.Connection, snap: Snapshot) -> Snapshot | None:
    """Merge one level's runs if it has ``FANOUT`` of them (inside ``BEGIN IMMEDIATE``).

    Returns the new snapshot, or ``None`` when nothing needed merging.
    """
    merge = next_merge(conn)
    return None if merge is None else apply_merge(conn, snap, merge, merged_keys(snap, merge))
