"""Read-only look-ups of the index, each inside the caller's read transaction."""

from __future__ import annotations

import sqlite3

import numpy as np

from wiretrace.diff.changes import diff_versions
from wiretrace.fingerprint.minhash import shingles
from wiretrace.index import engine
from wiretrace.index.postings import BANDS, SHINGLES, Postings, pack
from wiretrace.index.results import NEW_VERSION, UNCHANGED, QueryResult, VersionInfo
from wiretrace.index.store import (
    DOC_COLUMNS,
    chunks,
    decode_passages,
    decode_story,
    doc_row,
    load_docs,
    pair_rows,
)
from wiretrace.index.writer import Snapshot, text_hash
from wiretrace.model import Article, Diff, Passage, Story
from wiretrace.params import TraceParams
from wiretrace.stories.build import covered_chars, diff_bases, sharing_base
from wiretrace.text.tokens import tokenize


def load_snapshot(conn: sqlite3.Connection, old: Snapshot, generation: int) -> Snapshot:
    """The postings as committed at ``generation``, reusing the runs already loaded."""
    runs: dict[int, dict[int, np.ndarray]] = {SHINGLES: {}, BANDS: {}}
    for run_id, kind in conn.execute("SELECT id, kind FROM runs"):
        known = old.postings.runs.get(kind, {}).get(run_id)
        if known is None:
            blob = conn.execute("SELECT keys FROM runs WHERE id = ?", (run_id,)).fetchone()[0]
            known = np.frombuffer(blob, dtype="<u8").astype(np.uint64, copy=False)
        runs[kind][run_id] = known
    top = conn.execute("SELECT COALESCE(MAX(doc), -1) FROM docs").fetchone()[0]
    alive = np.ones(top + 1, dtype=bool)
    dead = [r[0] for r in conn.execute("SELECT doc FROM docs WHERE live = 0")]
    alive[np.asarray(dead, dtype=np.int64)] = False
    boilerplate = np.array(sorted(r[0] for r in conn.execute("SELECT shingle FROM boilerplate")),
                           dtype=np.uint64)
    return Snapshot(Postings(runs, alive, generation), boilerplate)


def _current(conn: sqlite3.Connection, article_id: str) -> tuple[int, int, bytes] | None:
    """``(doc, seq, text_hash)`` of the article's current version."""
    return conn.execute("SELECT a.doc, a.seq, d.text_hash FROM articles a JOIN docs d "
                        "ON d.doc = a.doc WHERE a.id = ?", (article_id,)).fetchone()


def query(conn: sqlite3.Connection, snap: Snapshot, params: TraceParams,
          article: Article, shared: engine.TokenCache | None = None) -> QueryResult:
    current = _current(conn, article.id)
    if current is not None and current[2] == text_hash(article.text):
        found = passages(conn, article.id)
        story = story_of(conn, article.id)
        return QueryResult(article.id, UNCHANGED, found, _sources(found), [story] if story else [],
                           list(story.members) if story else [], 0)
    killed = [current[0]] if current else []
    seq = current[1] if current else conn.execute(
        "SELECT COALESCE(MAX(seq), -1) + 1 FROM articles").fetchone()[0]
    me = engine.Doc(len(snap.postings.alive), article, seq)
    engine.fingerprint([me], params)
    old = {d: engine.Doc(d, r.article, r.seq, r.words) for d, r in load_docs(conn, killed).items()}
    engine.fingerprint(list(old.values()), params)
    (sv, sd), (bv, bd) = engine.postings_of([me])
    view = (snap.postings.with_run(SHINGLES, -1, pack(sv, sd)).with_run(BANDS, -1, pack(bv, bd))
            .with_alive([me.doc], killed))
    touched = np.concatenate([me.shingles, *[d.shingles for d in old.values()]])
    boilerplate, _, found = engine.boilerplate_after(view, touched, snap.boilerplate,
                                                     params.max_df or 0)
    pairs = engine.candidate_pairs(view, [me], boilerplate, params, found)
    docs = {me.doc: me}
    docs |= {d: engine.Doc(d, r.article, r.seq, r.words)
             for d, r in load_docs(conn, {x for p in pairs for x in p} - {me.doc}).items()}
    found = engine.align_pairs(sorted(pairs), docs, boilerplate, params, shared=shared,
                               fresh=frozenset([me.doc]))
    oriented: list[Passage] = []
    linked: list[int] = []
    for (a, b), between in found.items():
        other = b if a == me.doc else a
        oriented += [p if p.a == article.id else p.swapped() for p in between]
        if engine.is_link(between, me, docs[other], params):
            linked.append(other)
    oriented.sort(key=lambda p: (p.a_start, p.b, p.b_start))
    stories: dict[str, Story] = {}
    for part in chunks(sorted(linked)):
        marks = ",".join("?" * len(part))
        for story_id, data in conn.execute(
                f"SELECT DISTINCT s.id, s.data FROM story_members m JOIN stories s "
                f"ON s.id = m.story WHERE m.doc IN ({marks})", part):
            stories[story_id] = decode_story(story_id, data)
    status = NEW_VERSION if current else "new"
    return QueryResult(article.id, status, oriented, _sources(oriented), list(stories.values()),
                       sorted(docs[d].article.id for d in linked), len(pairs))


def _sources(found: list[Passage]) -> list[str]:
    """Ids of the other sides, most characters of the article covered first."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for p in found:
        spans.setdefault(p.b, []).append((p.a_start, p.a_end))
    return sorted(spans, key=lambda b: (-covered_chars(spans[b]), b))


def article(conn: sqlite3.Connection, article_id: str, version: int | None) -> Article | None:
    if version is None:
        row = conn.execute(f"SELECT {DOC_COLUMNS} FROM docs WHERE article_id = ? AND live = 1",
                           (article_id,)).fetchone()
    else:
        row = conn.execute(f"SELECT {DOC_COLUMNS} FROM docs WHERE article_id = ? "
                           f"AND version = ?", (article_id, version)).fetchone()
    return doc_row(row).article if row else None


def versions(conn: sqlite3.Connection, article_id: str) -> list[VersionInfo]:
    return [VersionInfo(article_id, version, bool(live), chars, words, added_at, title)
            for version, live, chars, words, added_at, title in conn.execute(
                "SELECT version, live, LENGTH(text), words, added_at, title FROM docs "
                "WHERE article_id = ? ORDER BY version", (article_id,))]


def _ids(conn: sqlite3.Connection, docs: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for part in chunks(sorted(docs)):
        marks = ",".join("?" * len(part))
        found.update(conn.execute(f"SELECT doc, article_id FROM docs WHERE doc IN ({marks})",
                                  part))
    return found


def passages(conn: sqlite3.Connection, article_id: str) -> list[Passage]:
    current = _current(conn, article_id)
    if current is None:
        return []
    doc = current[0]
    rows = pair_rows(conn, [doc])
    ids = _ids(conn, {x for a, b, _, _ in rows for x in (a, b)})
    found: list[Passage] = []
    for a, b, _, text in rows:
        found += [p if a == doc else p.swapped() for p in decode_passages(text, ids[a], ids[b])]
    return sorted(found, key=lambda p: (p.a_start, p.b, p.b_start))


def story_of(conn: sqlite3.Connection, article_id: str) -> Story | None:
    row = conn.execute("SELECT s.id, s.data FROM articles a JOIN story_members m ON m.doc = a.doc "
                       "JOIN stories s ON s.id = m.story WHERE a.id = ?", (article_id,)).fetchone()
    return decode_story(*row) if row else None


def stories(conn: sqlite3.Connection, limit: int, offset: int) -> list[Story]:
    return [decode_story(i, data) for i, data in conn.execute(
        "SELECT id, data FROM stories ORDER BY size DESC, id LIMIT ? OFFSET ?",
        (max(0, int(limit)), max(0, int(offset))))]


def story(conn: sqlite3.Connection, snap: Snapshot, params: TraceParams,
          story_id: str) -> tuple[Story, list[Diff]] | None:
    """A story and the diff of each version against its base (``stories.diff_base``),
    as a batch ``trace`` makes them."""
    row = conn.execute("SELECT data FROM stories WHERE id = ?", (story_id,)).fetchone()
    if row is None:
        return None
    found = decode_story(story_id, row[0])
    docs_of = dict(conn.execute(
        "SELECT a.id, a.doc FROM story_members m JOIN articles a ON a.doc = m.doc "
        "WHERE m.story = ?", (story_id,)).fetchall())
    rows = load_docs(conn, docs_of.values())
    docs = {d: engine.Doc(d, r.article, r.seq, r.words) for d, r in rows.items()}
    bases = diff_bases(found)
    prepared = engine.PreparedDocs(docs, params, snap.boilerplate)

    def reuse_words(a: str, b: str) -> int:
        stored = _pair_passages(conn, docs_of[a], docs_of[b])
        return 0 if stored is None else sum(
            p.matched_words for p in decode_passages(stored[2], a, b) if p.kind == "reuse")

    diffs = []
    for member in found.members:
        if member == found.origin:
            continue
        base = docs_of[sharing_base(found, member, bases[member], reuse_words)]
        doc = docs_of[member]
        tokens_a = prepared.tokens(base)[0]
        tokens_m = prepared.tokens(doc)[0]
        stored = _pair_passages(conn, base, doc)
        pair_passages = [] if stored is None else \
            decode_passages(stored[2], docs[stored[0]].article.id, docs[stored[1]].article.id)
        if not pair_passages:  # a version with no edge, diffed against the origin: align
            aligned = engine.align_pairs([(base, doc)], docs, snap.boilerplate, params)
            pair_passages = next(iter(aligned.values()), [])
        diffs.append(diff_versions(docs[base].article, tokens_a, docs[doc].article, tokens_m,
                                   pair_passages, params, story_id))
    return found, diffs


def _pair_passages(conn: sqlite3.Connection, x: int, y: int) -> tuple[int, int, str] | None:
    """``(a, b, encoded passages)`` of the stored pair of docs ``x`` and ``y``, either way round."""
    row = conn.execute("SELECT a, b, passages FROM pairs WHERE (a = ? AND b = ?) "
                       "OR (a = ? AND b = ?)", (x, y, y, x)).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def search(conn: sqlite3.Connection, snap: Snapshot, params: TraceParams, text: str,
           limit: int) -> list[tuple[str, float]]:
    wanted = shingles(tokenize(text), params.seed_ngram)
    if len(wanted) == 0:
        needle = text.strip().lower()
        if not needle:
            return []
        rows = conn.execute(
            "SELECT article_id FROM docs WHERE live = 1 AND (instr(lower(title), ?) > 0 "
            "OR instr(lower(text), ?) > 0) ORDER BY seq LIMIT ?", (needle, needle, limit))
        return [(r[0], 1.0) for r in rows]
    # n-grams in very many articles say little and cost much: skip them
    found = snap.postings.lookup(SHINGLES, wanted, cap=10 * (params.max_df or 100))
    if len(found.docs) == 0:
        return []
    docs, counts = np.unique(found.docs, return_counts=True)
    best = np.lexsort((docs, -counts))[:limit]
    ids = _ids(conn, set(docs[best].tolist()))
    return [(ids[int(docs[k])], round(float(counts[k]) / len(wanted), 4)) for k in best]


def counts(conn: sqlite3.Connection) -> dict:
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    return {"articles": one("SELECT COUNT(*) FROM articles"),
            "versions": one("SELECT COUNT(*) FROM docs"),
            "pairs": one("SELECT COUNT(*) FROM pairs"),
            "linked_pairs": one("SELECT COUNT(*) FROM pairs WHERE linked = 1"),
            "stories": one("SELECT COUNT(*) FROM stories"),
            "articles_in_stories": one("SELECT COUNT(*) FROM story_members"),
            "generation": int(one("SELECT value FROM meta WHERE key = 'generation'"))}
