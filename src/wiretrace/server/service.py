"""The service's one door to the index: index calls off the event loop, JSON-ready rows.

:class:`~wiretrace.index.Index` is shared by threads (one SQLite connection
each; adds serialised by its lock, reads never wait for an add), so index
calls run on worker threads and the routes ``await`` them: the event loop
stays free for other requests (health, the page) while a batch is aligned.
Adds have a thread of their own (the index runs one at a time anyway), so
queued adds never take the threads that reads and queries need.  Turning
index records into response rows (passages with their text, per-source
shares) lives here too, so the routes stay declarations.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any, TypeVar

from wiretrace.align.evidence import passage_evidence
from wiretrace.attribute import attribute_text, credited_entities
from wiretrace.diff.articles import diff_articles
from wiretrace.index import Index
from wiretrace.index.results import ADDED, NEW_VERSION, UNCHANGED, AddResult
from wiretrace.model import Article, Diff, Passage, Story
from wiretrace.params import TraceParams
from wiretrace.server.adds import AddQueue
from wiretrace.server.errors import ApiError
from wiretrace.stories.build import covered_chars

T = TypeVar("T")
SNIPPET = 200


def _iso(article: Article) -> str | None:
    return article.published.isoformat() if article.published else None


def _oriented(passages: Iterable[Passage], article_id: str) -> list[Passage]:
    """Passages with ``a`` the article asked about, in reading order."""
    out = [p if p.a == article_id else p.swapped() for p in passages
           if article_id in (p.a, p.b)]
    return sorted(out, key=lambda p: (p.a_start, p.a_end, p.b, p.b_start))


def write_problem(path: str) -> str | None:
    """Why the index at ``path`` cannot be written, or None if it can.

    Permissions do not tell (root writes a file whatever its mode; a read-only
    mount or an immutable file refuses everyone), so SQLite is asked: a no-op
    write in a transaction rolled back at once.  A lock held by another writer
    means the file is writable; waiting for it is not worth a slow start.
    """
    try:
        conn = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    except sqlite3.Error as e:
        return str(e)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("UPDATE meta SET value = value WHERE key = 'format'")
        finally:
            conn.execute("ROLLBACK")
    except sqlite3.OperationalError as e:
        return None if "locked" in str(e) or "busy" in str(e) else str(e)
    finally:
        conn.close()
    return None


def read_only_message(reason: str) -> str:
    return (f"this server takes no adds: its index file cannot be written ({reason}); "
            "make the file and its folder writable, then restart the server")


class IndexService:
    """Runs index calls on one thread and shapes their results for the API."""

    def __init__(self, path: str | os.PathLike, params: TraceParams | None = None,
                 create: bool = True, threads: int = 3, workers: int = 1) -> None:
        self._index = Index.open(path, params=params, create=create)
        # Why adds cannot work (a read-only file), found now rather than by the
        # first add's failure; None when the index takes writes.
        self.read_only: str | None = write_problem(os.fspath(path))
        self._reads = concurrent.futures.ThreadPoolExecutor(threads,
                                                            thread_name_prefix="wiretrace-read")
        self._adds = AddQueue(self._index, workers)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on a worker thread and wait for it without blocking."""
        return await asyncio.wrap_future(self._reads.submit(fn, *args))

    async def add(self, articles: list[Article]) -> list[dict]:
        """Add articles (one transaction) and shape the reuse found for each.

        A file that turns read-only while serving is found here: from then on
        the service is read-only (503), as if it had been so at start.
        """
        try:
            results = await asyncio.wrap_future(self._adds.submit(articles))
        except sqlite3.OperationalError as e:
            if "readonly" not in str(e):
                raise
            self.read_only = str(e)
            raise ApiError(503, read_only_message(self.read_only)) from None
        return await self.run(self._added_rows, articles, results)

    def close(self) -> None:
        self._adds.close()
        self._reads.shutdown(wait=True)
        self._index.close()

    # ------------------------------------------------------- on the worker threads

    def _text_of(self, article_id: str, cache: dict[str, Article | None]) -> Article | None:
        if article_id not in cache:
            cache[article_id] = self._index.article(article_id)
        return cache[article_id]

    def _passage_rows(self, article: Article, passages: Iterable[Passage],
                      cache: dict[str, Article | None]) -> list[dict]:
        rows = []
        for p in _oriented(passages, article.id):
            other = self._text_of(p.b, cache)
            b_text = other.text[p.b_start:p.b_end] if other else ""
            row = p.to_dict()
            row.update(a_text=article.text[p.a_start:p.a_end], b_text=b_text,
                       evidence=passage_evidence(p.kind, article.text, p.a_start, p.a_end,
                                                 other.text, p.b_start, p.b_end)
                       if other else None)
            rows.append(row)
        return rows

    def _reuse(self, article: Article, passages: Iterable[Passage], stories: list[str],
               cache: dict[str, Article | None], credits: bool = False) -> dict:
        """What an article reuses, by source; with ``credits``, who it and each
        source credit (a query asks for them; an add does not, so that adding
        stays as fast as the index is)."""
        rows = self._passage_rows(article, passages, cache)
        by_source: dict[str, list[dict]] = {}
        for row in rows:
            by_source.setdefault(row["b"], []).append(row)
        n = max(1, len(article.text))
        sources = []
        for source_id, group in by_source.items():
            other = self._text_of(source_id, cache)
            shared = covered_chars((r["a_start"], r["a_end"]) for r in group)
            sources.append({
                "id": source_id, "title": other.title if other else None,
                "outlet": other.outlet if other else None,
                "published": _iso(other) if other else None, "passages": len(group),
                "shared_chars": shared, "share": round(shared / n, 4),
                "credits": credited_entities(attribute_text(other.text))
                if credits and other else None})
        sources.sort(key=lambda s: (-s["shared_chars"], s["id"]))
        shared_all = covered_chars((r["a_start"], r["a_end"]) for r in rows)
        return {"id": article.id, "chars": len(article.text),
                "shared": round(shared_all / n, 4), "passages": rows, "sources": sources,
                "stories": stories,
                "credits": [a.to_dict() for a in attribute_text(article.text, article.id)
                            if a.is_credit] if credits else None}

    def _added_rows(self, articles: list[Article], results: list[AddResult]) -> list[dict]:
        """One row per article, its passages' texts as the index aligned them.

        An id given twice in one request is two adds in a row: :meth:`Index.add` cuts
        the request where an id repeats and adds the parts in turn, each against the
        index as the parts before it left it.  So the text a passage points into is
        the version of its part or of the parts before, not the request's last one.
        """
        rows = list(zip(articles, results, strict=True))
        cache: dict[str, Article | None] = {}
        last = {article.id: k for k, (article, _) in enumerate(rows)}
        if len(last) < len(rows):
            # more than one part: an earlier part may point into an article that a
            # later one replaces, as it was before the request
            first: dict[str, AddResult] = {}
            for article, r in rows:
                first.setdefault(article.id, r)
            for article_id in {a.id for a, r in rows if r.status == NEW_VERSION}:
                r = first[article_id]
                if r.status != ADDED:
                    cache[article_id] = self._index.article(
                        article_id, r.version - 1 if r.status == NEW_VERSION else r.version)
        made: dict[tuple[str, int], list[Passage]] = {}  # the passages of each version
        out: list[dict] = []
        end = 0  # where the part being shaped ends
        for k, (article, r) in enumerate(rows):
            if k == end:  # a part begins: its articles are in the index together
                ids: set[str] = set()
                while end < len(articles) and articles[end].id not in ids:
                    ids.add(articles[end].id)
                    cache[articles[end].id] = articles[end]
                    end += 1
            stories = [r.story_id] if r.story_id else []
            passages: list[Passage] = r.passages
            if r.status == UNCHANGED:
                # Nothing was aligned again, but the client still wants the reuse: the
                # index's, unless a later article of the request replaces this version;
                # then that of the row that made it, if the request made it
                passages = self._index.passages(r.article_id) if last[article.id] == k \
                    else made.get((article.id, r.version), [])
            made[article.id, r.version] = passages
            row = self._reuse(article, passages, stories, cache)
            row.update(status=r.status, version=r.version, diff=None)
            if r.diff is not None:
                row["diff"] = self._version_diff_row(r.article_id, r.version, r.diff)
            out.append(row)
        return out

    def _version_diff_row(self, article_id: str, version: int, diff: Diff) -> dict:
        """A diff between two versions of one article (both sides have its id)."""
        before = self._index.article(article_id, version - 1)
        after = self._index.article(article_id, version)
        row = diff.to_dict()
        # both sides have the article's id: say which version is which
        row["summary"] = diff.summary.replace(
            f" of {article_id} is shared with {article_id}",
            f" of version {version} is shared with version {version - 1}", 1)
        row["passages"] = []
        if before is not None and after is not None:
            for p in diff.passages:
                r = p.to_dict()
                r.update(a_text=before.text[p.a_start:p.a_end],
                         b_text=after.text[p.b_start:p.b_end])
                row["passages"].append(r)
        return row

    def version_diff(self, article_id: str, version: int | None) -> dict | None | bool:
        """Version ``version`` (default: the latest) against the one before it.

        ``None``: no such article or version; ``False``: it is the first version.
        """
        versions = self._versions(article_id)
        version = version if version is not None else (max(versions) if versions else None)
        if version is None or version not in versions:
            return None
        diff = self._index.version_diff(article_id, version)
        if diff is None:
            return False
        return {"id": article_id, "version": version, "against": version - 1,
                "diff": self._version_diff_row(article_id, version, diff)}

    def query(self, article: Article) -> dict:
        result = self._index.query(article)
        stories = [s.id for s in result.stories]
        return self._reuse(article, result.passages, stories, {article.id: article},
                           credits=True)

    def article(self, article_id: str, version: int | None = None) -> dict | None:
        article = self._index.article(article_id, version)
        if article is None:
            return None
        versions = self._versions(article_id)
        story = self._index.story_of(article_id)
        current = version if version is not None else max(versions, default=1)
        return {"id": article.id, "version": current, "versions": versions,
                "title": article.title, "outlet": article.outlet, "url": article.url,
                "published": _iso(article), "author": article.author,
                "topics": list(article.topics), "places": list(article.places),
                "chars": len(article.text),
                "story": story.id if story else None, "text": article.text}

    def _versions(self, article_id: str) -> list[int]:
        return sorted(v.version for v in self._index.versions(article_id))

    def versions(self, article_id: str) -> list[dict] | None:
        found = self._index.versions(article_id)
        if not found:
            return None
        return [{"version": v.version, "current": v.current, "chars": v.chars, "words": v.words,
                 "title": v.title,
                 "added_at": datetime.fromtimestamp(v.added_at, timezone.utc).isoformat()}
                for v in found]

    def passages(self, article_id: str) -> list[dict] | None:
        article = self._index.article(article_id)
        if article is None:
            return None
        return self._passage_rows(article, self._index.passages(article_id), {article_id: article})

    def story_of(self, article_id: str) -> dict | None:
        """The story the article is in, with its id; ``None`` for no such article.

        An article that shares no text with another is in no story: its row says so
        (``story`` null, no members), as an answer about an article that exists.
        """
        if self._index.article(article_id) is None:
            return None
        story = self._index.story_of(article_id)
        if story is None:
            return {"id": article_id, "story": None, "members": [], "size": 0,
                    "origin": None, "origin_reason": None, "edges": []}
        return {"id": article_id, **story.to_dict()}

    def story(self, story_id: str) -> dict | None:
        found = self._index.story(story_id)
        if found is None:
            return None
        story, diffs = found
        cache: dict[str, Article | None] = {}
        row = story.to_dict()
        row["articles"] = [self._member(m, cache) for m in story.members]
        row["diffs"] = [self._diff_row(d, cache) for d in diffs]
        return row

    def _member(self, article_id: str, cache: dict[str, Article | None]) -> dict:
        a = self._text_of(article_id, cache)
        versions = self._versions(article_id)
        return {"id": article_id, "title": a.title if a else None,
                "outlet": a.outlet if a else None, "published": _iso(a) if a else None,
                "chars": len(a.text) if a else 0, "version": max(versions, default=1)}

    def _diff_row(self, diff: Diff, cache: dict[str, Article | None]) -> dict:
        row = diff.to_dict()
        a = self._text_of(diff.a, cache)
        row["passages"] = self._passage_rows(a, diff.passages, cache) if a else []
        return row

    def stories(self, limit: int, offset: int) -> dict:
        stories: list[Story] = self._index.stories(limit=limit, offset=offset)
        total = self._index.stats().get("stories")
        cache: dict[str, Article | None] = {}
        rows = []
        for story in stories:  # each titled by its origin, as the report names it
            origin = self._text_of(story.origin, cache)
            rows.append({**story.to_dict(), "title": origin.title if origin else None})
        return {"total": total if isinstance(total, int) else None, "limit": limit,
                "offset": offset, "stories": rows}

    def compare(self, article: Article, source_id: str) -> dict | None:
        """What ``article`` (not stored) changed against the indexed ``source_id``:
        the diff a version gets against its base; ``None`` for no such article."""
        source = self._index.article(source_id)
        if source is None:
            return None
        diff = diff_articles(source, article, self._index.params)
        row = diff.to_dict()
        row["passages"] = self._passage_rows(source, diff.passages,
                                             {source.id: source, article.id: article})
        return {"source": source_id, "diff": row}

    def search(self, text: str, limit: int) -> list[dict]:
        hits = []
        cache: dict[str, Article | None] = {}
        for article_id, score in self._index.search(text, limit=limit):
            a = self._text_of(article_id, cache)
            snippet = " ".join(a.text[: SNIPPET * 2].split())[:SNIPPET] if a else ""
            hits.append({"id": article_id, "score": round(float(score), 4),
                         "title": a.title if a else None, "outlet": a.outlet if a else None,
                         "snippet": snippet})
        return hits

    def stats(self) -> dict:
        return dict(self._index.stats())
