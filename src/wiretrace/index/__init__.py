"""A persistent, incremental wiretrace index: "is this new article a copy of something we have?"

One SQLite file (WAL mode) holds the articles (every version), their
fingerprints, the reused passages between them and the stories.  Adding
articles one at a time or in batches gives the same passages and stories as
a batch :func:`wiretrace.trace` over the same articles in the same order,
with the same (explicit) parameters: the index runs the pipeline's own
stage functions on just the articles an add touches.

API (all results are :mod:`wiretrace.model` dataclasses or the small ones in
:mod:`wiretrace.index.results`, each with ``to_dict()`` for JSON)::

    from wiretrace.index import Index

    with Index.open("news.db") as index:            # created if missing
        results = index.add(articles)                # list[AddResult], one per article
        r = results[0]
        r.status        # "added" | "unchanged" | "new_version"
        r.version       # 1, 2, ...
        r.passages      # reuse found against articles before it (a = this article)
        r.story_id      # its story after the add, or None
        r.diff          # new_version only: Diff against the previous version

        # a large load: one transaction per batch, each batch planned while the
        # one before is aligned (by ``workers`` alignment programs) and written
        for batch_results in index.add_stream(batches, workers=2):
            ...

        q = index.query(article)    # QueryResult: passages, sources, stories it would
                                    # join, links; nothing is stored
        index.article("id")                   # current Article (or version=N), or None
        index.versions("id")                  # list[VersionInfo], oldest first
        index.version_diff("id", 2)           # Diff of version 2 against version 1
        index.passages("id")                  # list[Passage], a = this article
        index.story_of("id")                  # Story or None
        index.story("story-3")                # (Story, [Diff of each version vs origin]) or None
        index.stories(limit=50, offset=0)     # largest first
        index.search("some text", limit=10)   # [(article_id, score)], best first
        index.stats()                         # counts, file size, bytes/article, params

Guarantees:

* **Parameters** are fixed per index (stored in the file).  ``max_df``
  (boilerplate n-grams) cannot be derived from the corpus size as a batch
  run does; a new index fixes it at 100 unless given.  Opening with other
  parameters raises ``ValueError``.
* **Versions**: re-adding an id with the same text is a no-op
  (``unchanged``); with another text it becomes version N+1, indexed in place
  of the previous one (which is kept, see ``versions``/``version_diff``);
  nothing is overwritten silently.
* **Crash safety**: one ``add`` call (one batch of ``add_stream``) is one
  transaction; a killed process leaves every article of it fully indexed or
  absent.
* **Workers**: ``workers`` > 1 aligns in that many separate programs
  (:mod:`.workers`), started by the first large add and kept until
  :meth:`Index.close`; safe inside a threaded server, and the results do not
  depend on it.
* **Threads**: one ``Index`` can be shared by the threads of a server: each
  thread gets its own SQLite connection, adds are serialised by a lock (and
  across processes by SQLite's write lock), reads do not wait for an add and
  only ever see committed adds.  Several processes may open the same file;
  each reloads the postings another one committed.
* **Memory**: the postings (8 bytes per distinct word 5-gram of every
  article, about 3 KB per news article) are held in memory by every process
  that opens the index.

Errors: :class:`IndexFileError` for a path that is not a usable index
(missing with ``create=False``, a folder, not SQLite, another format).
"""

from wiretrace.index.core import Index
from wiretrace.index.results import AddResult, QueryResult, VersionInfo
from wiretrace.index.schema import DEFAULT_MAX_DF, IndexFileError

__all__ = ["DEFAULT_MAX_DF", "AddResult", "Index", "IndexFileError", "QueryResult",
           "VersionInfo"]
