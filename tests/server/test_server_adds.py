"""The service's add queue: requests added in order, one transaction each, through
the index's add stream (one planned while the one before is aligned and written)."""

from __future__ import annotations

import pytest

import wiretrace
from index.test_index_support import bbc_sample, index_passages, passage_key, story_key
from wiretrace.index import Index
from wiretrace.model import Article
from wiretrace.params import TraceParams
from wiretrace.server.adds import AddQueue

PARAMS = TraceParams(max_df=4)


@pytest.fixture(scope="module")
def sample() -> list[Article]:
    return bbc_sample()[:80]


def test_queued_requests_give_what_adding_them_in_turn_gives(tmp_path, sample):
    with Index.open(tmp_path / "q.db", PARAMS) as index:
        adds = AddQueue(index)
        requests = [sample[k:k + 9] for k in range(0, len(sample), 9)]
        futures = [adds.submit(r) for r in requests]  # all queued before the first is done
        answers = [f.result(timeout=120) for f in futures]
        adds.close()
        assert [[r.article_id for r in a] for a in answers] == \
            [[x.id for x in r] for r in requests]
        result = wiretrace.trace(sample, params=PARAMS, workers=1)
        assert index_passages(index, [a.id for a in sample]) == \
            {passage_key(p) for p in result.passages}
        assert sorted(map(story_key, index.stories(limit=1000))) == \
            sorted(map(story_key, result.stories))


def test_a_bad_request_fails_alone(tmp_path, sample):
    with Index.open(tmp_path / "bad.db", PARAMS) as index:
        adds = AddQueue(index)
        good, bad, after = adds.submit(sample[:5]), adds.submit(["not an article"]), \
            adds.submit(sample[5:10])
        assert [r.status for r in good.result(timeout=60)] == ["added"] * 5
        with pytest.raises(TypeError, match="expected an Article"):
            bad.result(timeout=60)
        assert [r.status for r in after.result(timeout=60)] == ["added"] * 5
        # the queue goes on after the failure
        assert adds.submit(sample[:1]).result(timeout=60)[0].status == "unchanged"
        adds.close()
        assert index.stats()["articles"] == 10
