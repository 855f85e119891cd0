"""A bounded load test: concurrent clients adding and querying over 127.0.0.1.

Four clients send 50 requests each (adds of two articles, re-adds, queries,
reads) at once to one real server; not one request may fail and every article
added must be in the index afterwards.  Bounded in count, not in time, and
nothing here measures speed (that is ``benchmarks/server_bench.py``).
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import httpx

from wiretrace.server.process import ServerProcess

TOKEN = "load-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CLIENTS, REQUESTS = 4, 50


def vocabulary(texts: list[str]) -> list[str]:
    return sorted({w.strip(".,;:“”\"'()") for t in texts for w in t.split()} - {""})


def make_text(rng: random.Random, words: list[str], borrowed: str | None) -> str:
    own = " ".join(rng.choice(words) for _ in range(rng.randint(60, 140))) + "."
    return f"{own}\n\n{borrowed}" if borrowed else own


def answer(resp: httpx.Response) -> object:
    """What a failed request got: each article's status, else the start of the body."""
    if resp.status_code == 200 and "results" in resp.text:
        return [(x.get("id"), x.get("status")) for x in resp.json()["results"]]
    return resp.text[:300]


def run_client(url: str, client: int, words: list[str]) -> tuple[list[str], set[str]]:
    """One client's requests; returns the failures and the ids it added."""
    rng = random.Random(client)
    failures: list[str] = []
    added: dict[str, str] = {}
    with httpx.Client(base_url=url, timeout=120, headers=AUTH) as http:
        for r in range(REQUESTS):
            kind = r % 5
            if kind in (0, 1):  # add two new articles, one may borrow an earlier paragraph
                earlier = rng.choice(list(added.values())) if added else None
                borrowed = earlier.split("\n\n")[0] if earlier and rng.random() < 0.5 else None
                batch = [{"id": f"c{client}-r{r}-{k}", "text": make_text(rng, words, borrowed)}
                         for k in range(2)]
                resp = http.post("/api/articles/batch", json={"articles": batch})
                ok = resp.status_code == 200 and \
                    [x["status"] for x in resp.json()["results"]] == ["added", "added"]
                if ok:
                    added.update({a["id"]: a["text"] for a in batch})
            elif kind == 2 and added:  # the same article again: a no-op
                aid = rng.choice(sorted(added))
                resp = http.post("/api/articles", json={"id": aid, "text": added[aid]})
                ok = resp.status_code == 200 and resp.json()["results"][0]["status"] == "unchanged"
            elif kind == 3:  # what would this text reuse?
                text = make_text(rng, words, next(iter(added.values()), None))
                resp = http.post("/api/query", json={"text": text})
                ok = resp.status_code == 200
            else:
                aid = rng.choice(sorted(added)) if added else "none-yet"
                resp = http.get(f"/api/articles/{aid}/passages")
                ok = resp.status_code == (200 if added else 404)
            if not ok:
                failures.append(f"client {client} request {r}: {resp.status_code} "
                                f"{answer(resp)}")
    return failures, set(added)


def test_concurrent_clients_fail_nothing_and_lose_nothing(tmp_path, seed_articles):
    words = vocabulary([a.text for a in seed_articles])
    with ServerProcess(tmp_path / "load.db", TOKEN) as server:
        with ThreadPoolExecutor(CLIENTS) as pool:
            done = list(pool.map(lambda c: run_client(server.url, c, words), range(CLIENTS)))
        failures = [f for fs, _ in done for f in fs]
        ids = set().union(*(ids for _, ids in done))
        assert failures == []
        assert len(ids) == CLIENTS * (REQUESTS // 5) * 2 * 2
        with httpx.Client(base_url=server.url, timeout=60) as http:
            stats = http.get("/api/stats").json()
            assert stats["articles"] == len(ids)
            assert stats["versions"] == len(ids)  # re-adds stored nothing
            missing = [i for i in sorted(ids) if http.get(f"/api/articles/{i}").status_code != 200]
            assert missing == []
        assert server.stop() == 0
