"""The persistent index through its Python API, on real SQLite files.

The central property: adding articles one at a time or in batches gives the
same passages and stories as one batch ``trace`` over the same articles with
the same parameters, including when n-grams become boilerplate on the way.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace

import pytest

import wiretrace
from index.test_index_support import (
    bbc_sample,
    consistency_problems,
    index_passages,
    passage_key,
    story_key,
)
from wiretrace.index import Index, IndexFileError
from wiretrace.model import Article
from wiretrace.params import TraceParams
from wiretrace.stories.build import diff_base

PARAMS = TraceParams(max_df=4)  # small: the planted footer becomes boilerplate on the way


@pytest.fixture(scope="module")
def sample() -> list[Article]:
    return bbc_sample()


@pytest.fixture(scope="module")
def batch(sample):
    return wiretrace.trace(sample, params=PARAMS, workers=1)


def _same_as_trace(index: Index, articles: list[Article], result) -> None:
    ids = [a.id for a in articles]
    assert index_passages(index, ids) == {passage_key(p) for p in result.passages}
    stories = index.stories(limit=10_000)
    assert sorted(map(story_key, stories)) == sorted(map(story_key, result.stories))


def test_seed_pair_one_at_a_time_matches_trace(tmp_path, seed_articles):
    params = TraceParams(max_df=100)
    result = wiretrace.trace(list(seed_articles), params=params, workers=1)
    with Index.open(tmp_path / "seeds.db", params) as index:
        first, second = (index.add([a])[0] for a in seed_articles)
        assert (first.status, first.passages, first.story_id) == ("added", [], None)
        assert second.status == "added" and second.story_id is not None
        counted = second.passage_count  # before the passages are made
        assert counted == len(second.passages) > 0 and second.passage_count == counted
        assert second.passages == sorted(second.passages,
                                         key=lambda p: (p.a_start, p.b, p.b_start))
        assert {passage_key(p) for p in second.passages} == \
            {passage_key(p) for p in result.passages}
        assert all(p.a == "niger-wagner-b" for p in second.passages)
        _same_as_trace(index, list(seed_articles), result)
        story, diffs = index.story(second.story_id)
        assert [d.summary for d in diffs] == [d.summary for d in result.diffs]
        assert [d.to_dict() for d in diffs] == [d.to_dict() for d in result.diffs]


def test_one_at_a_time_and_batches_match_trace(tmp_path, sample, batch):
    assert batch.stats["boilerplate_ngrams"] > 0 and len(batch.stories) >= 10
    with Index.open(tmp_path / "one.db", PARAMS) as index:
        for article in sample:
            index.add([article])
        _same_as_trace(index, sample, batch)
        stats = index.stats()
        assert stats["boilerplate_ngrams"] == batch.stats["boilerplate_ngrams"]
        assert stats["runs"] < 2 * len(sample) / 4  # postings runs were merged
        assert consistency_problems(tmp_path / "one.db", index) == []
    with Index.open(tmp_path / "batches.db", PARAMS) as index:
        for k in range(0, len(sample), 37):
            index.add(sample[k:k + 37])
        _same_as_trace(index, sample, batch)


def test_aligning_in_worker_processes_gives_the_same(tmp_path, sample, batch, monkeypatch):
    from wiretrace.index import engine

    monkeypatch.setattr(engine, "PARALLEL_MIN_PAIRS", 1)  # fork even for small batches
    assert batch.stats["candidate_pairs"] > 100  # more than one chunk of pairs: forks
    with Index.open(tmp_path / "workers.db", PARAMS) as index:
        index.add(sample[:20], workers=2)
        index.add(sample[20:], workers=2)
        _same_as_trace(index, sample, batch)


def test_streamed_batches_in_worker_processes_match_trace(tmp_path, sample, batch,
                                                          monkeypatch):
    """``add_stream`` plans each batch while the one before is aligned, in worker
    programs: the same index as a batch run."""
    from wiretrace.index import engine

    monkeypatch.setattr(engine, "PARALLEL_MIN_PAIRS", 1)  # the workers even for small batches
    with Index.open(tmp_path / "stream.db", PARAMS) as index:
        parts = [sample[k:k + 13] for k in range(0, len(sample), 13)]
        results = list(index.add_stream(iter(parts), workers=2))
        assert [len(r) for r in results] == [len(p) for p in parts]
        assert all(r.status == "added" for rs in results for r in rs)
        assert index._pool is not None and index._pool._workers  # they did the aligning
        _same_as_trace(index, sample, batch)
        assert consistency_problems(tmp_path / "stream.db", index) == []


def test_workers_holding_few_texts_give_the_same(tmp_path, sample, batch, monkeypatch):
    """Texts a worker holds are not sent again: with room for a few, the sender's
    record of what each worker holds must follow every eviction."""
    from wiretrace.index import engine
    from wiretrace.index.workers import AlignWorkers

    monkeypatch.setattr(engine, "PARALLEL_MIN_PAIRS", 1)
    with Index.open(tmp_path / "few.db", PARAMS) as index:
        index._pool = AlignWorkers(2, texts_per_worker=7)
        for k in range(0, len(sample), 11):
            index.add(sample[k:k + 11], workers=2)
        assert index._pool._workers and len(index._pool._workers[0].holds) == 7
        _same_as_trace(index, sample, batch)


def test_a_worker_killed_from_outside_costs_nothing(tmp_path, sample, batch, monkeypatch):
    """A worker gone (killed, out of memory): that add aligns in the caller, and the
    next one starts fresh workers."""
    import signal

    from wiretrace.index import engine

    monkeypatch.setattr(engine, "PARALLEL_MIN_PAIRS", 1)
    with Index.open(tmp_path / "killed.db", PARAMS) as index:
        index.add(sample[:40], workers=2)
        first = index._pool._workers[0].process
        first.send_signal(signal.SIGKILL)
        first.wait()
        index.add(sample[40:70], workers=2)  # aligned here: the worker was gone
        index.add(sample[70:], workers=2)
        assert index._pool._workers and index._pool._workers[0].process is not first
        assert index._pool._workers[0].process.poll() is None
        _same_as_trace(index, sample, batch)


def test_stream_sees_the_versions_of_the_batch_planned_before(tmp_path, sample):
    """A batch is planned before the batch before it is written: a new version of an
    article of that batch must still supersede it."""
    first, second = sample[:30], sample[30:60]
    old = first[3]
    v2 = replace(old, text=old.text + "\n\nAn update added at noon by the desk.")
    v3 = replace(old, text=old.text + "\n\nA second update, in the evening, by the desk.")
    with Index.open(tmp_path / "v.db", PARAMS) as index:
        results = list(index.add_stream([first, [v2, *second], [v3, old]]))
        # one list per batch; the last repeats an id, so it is added in two parts
        assert [len(r) for r in results] == [30, 31, 2]
        mine = [r for rs in results[1:] for r in rs if r.article_id == old.id]
        assert [(r.status, r.version) for r in mine] == \
            [("new_version", 2), ("new_version", 3), ("new_version", 4)]
        assert mine[1].diff is not None and mine[1].diff.changes  # against version 2
        assert [v.version for v in index.versions(old.id)] == [1, 2, 3, 4]
        final = [*first, *second]  # the last version has the first text again
        _same_as_trace(index, final, wiretrace.trace(final, params=PARAMS, workers=1))
        # (superseded versions keep their postings until a merge: not counted here)
        assert [p for p in consistency_problems(tmp_path / "v.db", index)
                if not p.startswith("postings")] == []


def test_stream_plans_again_when_another_writer_came_between(tmp_path, sample):
    path = tmp_path / "two.db"
    parts = [sample[0:25], sample[26:50], sample[50:75]]
    with Index.open(path, PARAMS) as index, Index.open(path, PARAMS) as other:
        stream = index.add_stream(iter(parts))
        next(stream)  # the first batch is in; the second is planned already
        other.add([sample[25]])
        rest = list(stream)
        assert all(r.status == "added" for rs in rest for r in rs)
        in_order = [*parts[0], sample[25], *parts[1], *parts[2]]
        _same_as_trace(index, in_order, wiretrace.trace(in_order, params=PARAMS, workers=1))
        assert consistency_problems(path, index) == []


def test_stream_merges_while_another_writer_adds_between(tmp_path, sample):
    """One-article batches make a merge due every few adds; the other handle's runs,
    which the stream's snapshot lacks, must be left to a later merge."""
    path = tmp_path / "merging.db"
    mine, theirs = sample[:40], sample[40:46]
    with Index.open(path, PARAMS) as index, Index.open(path, PARAMS) as other:
        stream = index.add_stream([[a] for a in mine])
        for k, article in enumerate(theirs):
            for _ in range(k + 3):
                next(stream)
            other.add([article])
        assert all(r.status == "added" for rs in stream for r in rs)
        assert index.stats()["articles"] == len(mine) + len(theirs)
        assert consistency_problems(path, index) == []


def test_a_read_begun_before_a_commit_does_not_turn_the_snapshot_back(tmp_path, sample):
    """A read that began before an add committed sees the index as it was; the
    snapshot it loads is its own, and the handle keeps the newer one (a stream plans
    and merges on it: an older one made a merge look for runs it lacked)."""
    with Index.open(tmp_path / "early.db", PARAMS) as index:
        index.add(sample[:10])
        begun, added = threading.Event(), threading.Event()
        seen: dict[str, int] = {}

        def early_reader() -> None:
            conn = index._conn()
            conn.execute("BEGIN")
            seen["before"] = index._refresh(conn).postings.generation
            begun.set()
            added.wait()
            seen["during"] = index._refresh(conn).postings.generation
            conn.execute("COMMIT")

        thread = threading.Thread(target=early_reader)
        thread.start()
        begun.wait()
        index.add(sample[10:20])
        latest = index._snapshot.postings.generation
        added.set()
        thread.join()
        assert seen["before"] == seen["during"] < latest
        assert index._snapshot.postings.generation == latest
        rest = list(index.add_stream([[a] for a in sample[20:40]]))
        assert all(r.status == "added" for rs in rest for r in rs)
        assert consistency_problems(tmp_path / "early.db", index) == []


def test_readding_is_a_no_op(tmp_path, seed_articles):
    with Index.open(tmp_path / "x.db") as index:
        index.add(seed_articles)
        before = index.stats()
        again = index.add(seed_articles)
        assert [r.status for r in again] == ["unchanged", "unchanged"]
        assert [r.version for r in again] == [1, 1]
        after = index.stats()
        assert after["generation"] == before["generation"]
        assert after["versions"] == 2 and after["articles"] == 2


def test_new_text_is_a_new_version_diffed_and_traced(tmp_path, sample):
    articles = sample[:60]
    with Index.open(tmp_path / "v.db", PARAMS) as index:
        index.add(articles)
        old = articles[4]
        changed = replace(old, text=old.text.replace("\n\n", "\n\nA new sentence was added "
                                                     "to this paragraph by the editor.\n\n", 1))
        result = index.add([changed])[0]
        assert (result.status, result.version) == ("new_version", 2)
        assert result.diff is not None and result.diff.changes_of("added")
        assert index.article(old.id).text == changed.text
        assert index.article(old.id, version=1).text == old.text
        assert [(v.version, v.current) for v in index.versions(old.id)] == [(1, False), (2, True)]
        assert index.version_diff(old.id, 2).to_dict() == result.diff.to_dict()
        # the index now equals a batch run over the current texts, in the same order
        final = [changed if a.id == old.id else a for a in articles]
        _same_as_trace(index, final, wiretrace.trace(final, params=PARAMS, workers=1))
        assert index.stats()["versions"] == len(articles) + 1


def test_an_id_twice_in_one_call_is_two_adds(tmp_path, seed_articles):
    a, b = seed_articles
    with Index.open(tmp_path / "twice.db") as index:
        results = index.add([a, a, replace(a, text=b.text)])
        assert [(r.status, r.version) for r in results] == \
            [("added", 1), ("unchanged", 1), ("new_version", 2)]


def test_query_finds_what_add_finds_and_stores_nothing(tmp_path, sample):
    with Index.open(tmp_path / "q.db", PARAMS) as index:
        index.add(sample[:-8])
        before = index.stats()
        for article in sample[-8:]:
            q = index.query(article)
            assert q.status == "new"
            assert index.stats() == before
            added = index.add([article])[0]
            assert [passage_key(p) for p in q.passages] == \
                [passage_key(p) for p in added.passages]
            assert all(p.a == article.id for p in q.passages)
            if added.story_id and q.stories:
                assert added.story_id in {s.id for s in q.stories}
            before = index.stats()
        again = index.query(sample[-1])
        assert again.status == "unchanged"
        assert [passage_key(p) for p in again.passages] == \
            [passage_key(p) for p in index.passages(sample[-1].id)]


def test_query_of_a_copy_names_its_source_and_story(tmp_path, seed_articles):
    with Index.open(tmp_path / "c.db") as index:
        index.add(seed_articles)
        copy = Article("copy", seed_articles[0].text)
        q = index.query(copy)
        assert q.sources[0] == "niger-wagner-a"
        assert [s.members for s in q.stories] == [["niger-wagner-a", "niger-wagner-b"]]
        assert set(q.links) == {"niger-wagner-a", "niger-wagner-b"}
        assert index.query(Article("other", "Nothing in common with anything here.")).passages \
            == []


def test_search(tmp_path, sample):
    with Index.open(tmp_path / "s.db", PARAMS) as index:
        index.add(sample[:50])
        target = sample[10]
        paragraph = target.text.split("\n\n")[1]
        hits = index.search(paragraph, limit=3)
        assert hits[0] == (target.id, 1.0)
        word = target.text.split()[0]
        assert target.id in {i for i, _ in index.search(word, limit=100)}
        assert index.search("", limit=5) == []
        assert index.search(paragraph, limit=0) == []


def test_stories_story_and_story_of(tmp_path, sample, batch):
    with Index.open(tmp_path / "st.db", PARAMS) as index:
        index.add(sample)
        stories = index.stories(limit=5)
        assert [len(s.members) for s in stories] == sorted(
            (len(s.members) for s in batch.stories), reverse=True)[:5]
        largest = stories[0]
        story, diffs = index.story(largest.id)
        assert [d.b for d in diffs] == story.members[1:]
        assert all(d.a == diff_base(story, d.b) for d in diffs)
        assert index.story_of(story.members[-1]).id == story.id
        assert index.story("story-999999") is None and index.story_of("nope") is None
        assert index.stories(limit=2, offset=1) == stories[1:3]
        # every version's diff against its base is the batch run's
        wanted = {(d.a, d.b): d.to_dict() for d in batch.diffs}
        got = {}
        for s in index.stories(limit=10_000):
            for d in index.story(s.id)[1]:
                assert d.a == diff_base(s, d.b)
                got[(d.a, d.b)] = {**d.to_dict(), "story": None}
        assert got == {k: {**v, "story": None} for k, v in wanted.items()}
        # some versions are diffed against a source other than the origin
        origins = {m: s.origin for s in batch.stories for m in s.members}
        assert any(a != origins[b] for a, b in got)


def test_reopen_and_a_second_handle_see_the_same_index(tmp_path, sample):
    path = tmp_path / "shared.db"
    with Index.open(path, PARAMS) as writer, Index.open(path) as reader:
        writer.add(sample[:40])
        assert reader.stats()["articles"] == 40  # reloads what the other handle committed
        assert reader.passages(sample[5].id) == writer.passages(sample[5].id)
        assert reader.params == PARAMS
    with Index.open(path, create=False) as again:
        assert again.stats()["articles"] == 40


def test_threads_read_while_one_adds(tmp_path, sample):
    errors: list[BaseException] = []
    with Index.open(tmp_path / "t.db", PARAMS) as index:
        index.add(sample[:30])

        def reader() -> None:
            try:
                for article in sample[30:60]:
                    index.query(article)
                    index.search(article.text[:200])
                    index.stats()
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        for article in sample[30:90]:
            index.add([article])
        for t in threads:
            t.join()
        assert errors == []
        assert index.stats()["articles"] == 90
        del threads, t
        # the finished threads' connections are closed: only this thread's is left
        assert len(index._connections) == 1


def test_opening_what_is_not_an_index(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(IndexFileError, match="not a wiretrace index"):
        Index.open(junk)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(IndexFileError, match="not a wiretrace index"):
        Index.open(other)
    with pytest.raises(IndexFileError, match="no such index"):
        Index.open(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_an_index_of_an_older_format_is_refused_with_a_word_on_rebuilding(tmp_path):
    """Passage kinds and story links follow the rules of the version that made the
    file: one made by another version is not read as if it were current."""
    db = tmp_path / "old.db"
    with Index.open(db) as index:
        index.add([Article("a", "The harbour authority said the quay would close. " * 5)])
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = 'wiretrace-index-3' WHERE key = 'format'")
    with pytest.raises(IndexFileError, match="made by another version of wiretrace .*"
                                             "wiretrace index add"):
        Index.open(db)
    with pytest.raises(IndexFileError, match="folder"):
        Index.open(tmp_path)


def test_an_index_of_other_fingerprint_code_is_refused(tmp_path):
    path = tmp_path / "f.db"
    Index.open(path).close()
    with sqlite3.connect(path) as conn:  # as if another wiretrace had built it
        conn.execute("UPDATE meta SET value = 'something else' WHERE key = 'fingerprint'")
    with pytest.raises(IndexFileError, match="build the index again"):
        Index.open(path)


def test_an_index_keeps_its_parameters(tmp_path):
    path = tmp_path / "p.db"
    Index.open(path, TraceParams(max_df=7)).close()
    with Index.open(path) as index:
        assert index.params.max_df == 7
    with Index.open(path, TraceParams()) as index:  # max_df not given: the stored one
        assert index.params.max_df == 7
    with pytest.raises(ValueError, match="min_passage_words"):
        Index.open(path, TraceParams(max_df=7, min_passage_words=20))
    with Index.open(tmp_path / "d.db") as index:
        assert index.params.max_df == 100


def test_add_rejects_what_is_not_an_article(tmp_path):
    with Index.open(tmp_path / "a.db") as index, pytest.raises(TypeError):
        index.add(["just a string"])


def test_a_story_republished_many_times_is_indexed_as_traced(tmp_path, seed_articles):
    """230 copies of one story, each with a line of its own, added in batches:
    each aligned with its 50 earliest earlier copies (``max_earlier_candidates``),
    the same passages and the one story the batch run finds."""
    text = seed_articles[0].text
    versions = [Article(f"v{k:03d}", f"{text}\n\nPublished by outlet number {k} of many, "
                                     f"with its own closing line {k * 7919}.")
                for k in range(230)]
    params = TraceParams(max_earlier_candidates=50)
    result = wiretrace.trace(versions, params=params, attribute=False, workers=1)
    assert [len(s.members) for s in result.stories] == [230]
    with Index.open(tmp_path / "copies.db", params) as index:
        for k in range(0, len(versions), 60):
            index.add(versions[k:k + 60])
        _same_as_trace(index, versions, result)
