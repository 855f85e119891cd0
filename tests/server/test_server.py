"""The HTTP service: a real ``wiretrace serve`` on 127.0.0.1 over a real SQLite index.

Every request goes over a socket to the child process, as a client's would.
"""

from __future__ import annotations

import json
import random
from urllib.parse import quote

import httpx
import pytest

from wiretrace.cli.main import main
from wiretrace.server.process import ServerProcess
from wiretrace.server.security import tokens_match

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Content-Type": "application/json", **AUTH}
LIMITS = ("--max-article-chars", "20000", "--max-body-bytes", "200000", "--max-batch", "20")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("serve") / "index.db"
    with ServerProcess(db, TOKEN, *LIMITS) as running:
        yield running


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


@pytest.fixture(scope="module")
def seeded(client, seed_articles):
    a, b = seed_articles
    body = {"articles": [
        {"id": a.id, "text": a.text, "title": "Niger junta asks Wagner for help",
         "outlet": "AP", "published": "2023-08-05T10:00:00Z"},
        {"id": b.id, "text": b.text, "title": "Niger junta seeks Wagner's help",
         "outlet": "Vanguard", "published": "2023-08-06T08:00:00Z"}]}
    r = client.post("/api/articles/batch", json=body, headers=AUTH)
    assert r.status_code == 200, r.text
    return r.json()["results"]


def check_passages(rows: list[dict], a_text: str, texts: dict[str, str]) -> None:
    """Every passage's offsets point at its text, on both sides."""
    assert rows
    for p in rows:
        assert p["a_text"] == a_text[p["a_start"]:p["a_end"]]
        assert p["b_text"] == texts[p["b"]][p["b_start"]:p["b_end"]]
        assert p["a_end"] - p["a_start"] >= 40 and 0 < p["score"] <= 1


# ------------------------------------------------------------------ adding, reading

def test_batch_add_returns_the_reuse_of_each_article(seeded, seed_articles):
    a, b = seed_articles
    first, second = seeded
    assert (first["id"], first["status"], first["version"]) == (a.id, "added", 1)
    assert first["passages"] == [] and first["sources"] == []  # nothing before it
    assert (second["id"], second["status"]) == (b.id, "added")
    assert {p["a"] for p in second["passages"]} == {b.id}
    check_passages(second["passages"], b.text, {a.id: a.text})
    [source] = second["sources"]
    assert source["id"] == a.id and source["outlet"] == "AP"
    assert 0.80 <= source["share"] <= 0.92  # the seed acceptance band for B
    assert second["shared"] == source["share"] and len(second["stories"]) == 1


def test_article_passages_and_story_read_back(client, seeded, seed_articles):
    a, b = seed_articles
    got = client.get(f"/api/articles/{b.id}").json()
    assert got["text"] == b.text and got["version"] == 1 and got["versions"] == [1]
    assert got["title"] == "Niger junta seeks Wagner's help"
    assert got["published"].startswith("2023-08-06T08:00")
    assert got["story"] == seeded[1]["stories"][0]

    rows = client.get(f"/api/articles/{a.id}/passages").json()["passages"]
    assert {p["a"] for p in rows} == {a.id}  # oriented: a is the article asked about
    check_passages(rows, a.text, {b.id: b.text})

    story = client.get(f"/api/articles/{a.id}/story").json()
    assert story["story"] == got["story"] and sorted(story["members"]) == sorted([a.id, b.id])


def test_story_with_versions_and_diffs(client, seeded, seed_articles):
    a, b = seed_articles
    story_id = seeded[1]["stories"][0]
    listed = client.get("/api/stories", params={"limit": 10}).json()
    assert story_id in [s["story"] for s in listed["stories"]]
    story = client.get(f"/api/stories/{story_id}").json()
    assert story["origin"] == a.id  # earliest published
    assert [m["id"] for m in story["articles"]] == story["members"]
    [diff] = story["diffs"]
    assert (diff["a"], diff["b"]) == (a.id, b.id)
    kinds = {c["kind"] for c in diff["changes"]}
    assert {"added", "dropped"} <= kinds
    for c in diff["changes"]:
        if c["kind"] == "added":
            assert c["b_text"] == b.text[c["b_start"]:c["b_end"]]
    assert "Bazoum" in {v["a_form"] for v in diff["spelling_variants"]}
    check_passages(diff["passages"], a.text, {b.id: b.text})


def test_search_finds_articles_by_their_words(client, seeded, seed_articles):
    a, b = seed_articles
    phrase = " ".join(a.text.split()[20:32])
    hits = client.get("/api/search", params={"q": phrase}).json()
    assert {h["id"] for h in hits["results"]} >= {a.id, b.id}
    none = client.get("/api/search", params={"q": "zzyzx quokka"}).json()
    assert none["results"] == []


def test_query_finds_reuse_without_storing(client, seeded, seed_articles):
    a, b = seed_articles
    before = client.get("/api/stats").json()
    lead = a.text[: a.text.index("\n\n", 400)]
    text = "A new report, filed this morning.\n\n" + lead + "\n\nMore to follow."
    r = client.post("/api/query", json={"text": text})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["sources"][0]["id"] == a.id and out["sources"][0]["share"] > 0.8
    assert out["stories"] == seeded[1]["stories"]  # it would join the seed story
    check_passages(out["passages"], text, {a.id: a.text, b.id: b.text})
    assert client.get("/api/stats").json() == before


def test_query_says_who_the_article_and_each_source_credit(client, seeded, seed_articles):
    a, b = seed_articles
    r = client.post("/api/query", json={"id": "check", "text": b.text})
    assert r.status_code == 200, r.text
    out = r.json()
    entities = {c["source_entity"] for c in out["credits"]}
    assert {"Vanguard", "VOA", "Wassim Nasr"} <= entities
    for c in out["credits"]:  # every span a slice of the text sent
        assert b.text[c["source_start"]:c["source_end"]] == c["source_text"]
        assert b.text[c["cue_start"]:c["cue_end"]] == c["cue_text"]
    source = next(s for s in out["sources"] if s["id"] == a.id)
    assert "AP" in source["credits"] and "VOA" not in source["credits"]


def test_readding_is_a_no_op_and_a_new_text_is_a_new_version(client, seeded, seed_articles):
    _, b = seed_articles
    again = client.post("/api/articles", json={"id": b.id, "text": b.text}, headers=AUTH).json()
    [row] = again["results"]
    assert (row["status"], row["version"]) == ("unchanged", 1)
    assert row["sources"] and row["sources"][0]["id"] == "niger-wagner-a"  # reuse still told
    # an add does not look for credits: null, not an empty list that would say "no one"
    assert row["credits"] is None and row["sources"][0]["credits"] is None

    old = "The council met on Tuesday to discuss the new budget for the city's parks and pools."
    new = old.replace("Tuesday", "Wednesday") + " It passed by nine votes to two."
    assert client.post("/api/articles", json={"id": "feed/council-1", "text": old},
                       headers=AUTH).json()["results"][0]["status"] == "added"
    row = client.post("/api/articles", json={"id": "feed/council-1", "text": new},
                      headers=AUTH).json()["results"][0]
    assert (row["status"], row["version"]) == ("new_version", 2)
    # an id with a slash, as URLs often are, is one path tail
    assert client.get("/api/articles/feed/council-1").json()["text"] == new
    assert client.get("/api/articles/feed/council-1", params={"version": 1}).json()["text"] == old
    versions = client.get("/api/articles/feed/council-1/versions").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert [v["chars"] for v in versions] == [len(old), len(new)]


@pytest.mark.parametrize("article_id", ["sfx/passages", "x/story", "y/versions", "z/diff",
                                        "100% sure?/v2"])
def test_ids_ending_like_a_route_read_back_encoded(client, article_id):
    text = f"An article whose id, {article_id}, ends the way a route of the API does."
    r = client.post("/api/articles", json={"id": article_id, "text": text}, headers=AUTH)
    assert r.status_code == 200, r.text
    url = "/api/articles/" + quote(article_id, safe="")  # one segment: '/' as %2F
    assert client.get(url).json()["text"] == text
    assert client.get(url + "/versions").json()["id"] == article_id
    assert client.get(url + "/passages").json() == {"id": article_id, "passages": []}
    assert client.get(url + "/story").json()["story"] is None  # it is in no story
    # the first version exists and has nothing before it: 200 with no diff, not 404
    assert client.get(url + "/diff").json() == {"id": article_id, "version": 1,
                                                "against": None, "diff": None}


def test_health_and_stats(client, seeded):
    health = client.get("/api/health").json()
    assert health == {"status": "ok", "version": health["version"], "writes": True,
                      "protect_reads": False}
    stats = client.get("/api/stats").json()
    assert stats["articles"] >= 2


# --------------------------------------------------------------------------- errors

def _error(r: httpx.Response, status: int, phrase: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["status"] == status and phrase in body["error"], body
    assert "Traceback" not in r.text and "File \"" not in r.text
    return body


BAD_BODIES = [
    # (body bytes, status, phrase in the message)
    (b"", 400, "empty request body"),
    (b'{"id": "x",', 400, "malformed JSON"),
    (b'{"id": "x", "text": "caf\xe9 au lait"}', 400, "not UTF-8 (byte 24 is 0xe9)"),
    (b"[" * 100_000 + b"]" * 100_000, 400, "nested too deeply"),
    (b'{"id": "x", "text": "abc", "title": ' + b"9" * 5000 + b"}", 400, "number too long"),
    (bytes(range(256)) * 4, 400, ""),
    (b"[]", 422, "must be a JSON object, not an array"),
    (b"null", 422, "must be a JSON object"),
    (b'{"id": "x"}', 422, "body.text: Field required"),
    (b'{"id": "x", "text": ""}', 422, "body.text: empty text"),
    (b'{"id": "x", "text": "  \\n\\t "}', 422, "only whitespace"),
    (b'{"id": "x", "text": "bad \\ud800 surrogate"}', 422, "unpaired surrogate"),
    (b'{"id": "", "text": "abc"}', 422, "body.id"),
    (b'{"id": "a\\nb", "text": "abc"}', 422, "body.id"),
    (b'{"id": "x", "text": 123}', 422, "body.text"),
    (b'{"id": "x", "text": "abc", "published": "soon"}', 422, "unparseable published date"),
    (b'{"id": "x", "txt": "abc"}', 422, "body.txt: Extra inputs are not permitted"),
]


@pytest.mark.parametrize("body,status,phrase", BAD_BODIES)
def test_bad_article_bodies_get_a_clear_4xx(client, body, status, phrase):
    r = client.post("/api/articles", content=body, headers=JSON)
    _error(r, status, phrase)


@pytest.mark.parametrize("method,path,kwargs,status,phrase", [
    ("GET", "/api/articles/no-such-article", {}, 404, "no article 'no-such-article'"),
    ("GET", "/api/articles/no-such-article/passages", {}, 404, "no article"),
    ("GET", "/api/articles/no-such-article/story", {}, 404, "no article"),
    ("GET", "/api/articles/niger-wagner-a", {"params": {"version": 99}}, 404, "version 99"),
    ("GET", "/api/articles/niger-wagner-a", {"params": {"version": 0}}, 422, "query.version"),
    ("GET", "/api/stories/story-999999", {}, 404, "no story"),
    ("GET", "/api/stories", {"params": {"limit": 5000}}, 422, "query.limit"),
    ("GET", "/api/stories", {"params": {"limit": "7\u00a0"}}, 422,
     "query.limit: expected a whole number in digits, got '7\\xa0'"),
    ("GET", "/api/search", {"params": {"q": "x", "limit": " 7"}}, 422, "query.limit"),
    ("POST", "/api/query", {"json": {"text": "A text.", "published": "5 August 2023"}}, 422,
     "body.published: unparseable published date '5 August 2023': the API takes ISO 8601"),
    ("GET", "/api/search", {}, 422, "query.q: Field required"),
    ("GET", "/api/search", {"params": {"q": "   "}}, 422, "only whitespace"),
    ("GET", "/api/nothing-here", {}, 404, "no such endpoint"),
    ("DELETE", "/api/stats", {}, 405, "not allowed"),
    ("POST", "/api/articles", {"content": b"hello", "headers": {**AUTH, "Content-Type":
                                                                 "text/plain"}}, 415, "JSON"),
    ("POST", "/api/articles", {"content": b'{"id":"x","text":"abc"}', "headers": AUTH}, 415,
     "Content-Type"),
    ("POST", "/api/articles/batch", {"json": {"articles": []}, "headers": AUTH}, 422,
     "body.articles"),
], ids=lambda v: v if isinstance(v, str) and v.startswith("/") else None)
def test_bad_requests_get_a_clear_4xx(client, seeded, method, path, kwargs, status, phrase):
    _error(client.request(method, path, **kwargs), status, phrase)


def test_size_limits_answer_413(client):
    r = client.post("/api/articles", json={"id": "big", "text": "word " * 5000}, headers=AUTH)
    _error(r, 413, "over the limit of 20,000 per article")
    huge = json.dumps({"id": "huge", "text": "x" * 300_000}).encode()
    _error(client.post("/api/articles", content=huge, headers=JSON), 413,
           "over the limit of 200,000 bytes")

    def chunks():  # no Content-Length: the server counts as the body arrives
        for _ in range(30):
            yield b" " * 10_000

    _error(client.post("/api/articles/batch", content=chunks(), headers=JSON), 413, "bytes")
    many = {"articles": [{"id": f"m{i}", "text": "short text"} for i in range(21)]}
    _error(client.post("/api/articles/batch", json=many, headers=AUTH), 413,
           "21 articles in one request, over the limit of 20")
    assert client.get("/api/articles/big").status_code == 404  # nothing was stored


# ------------------------------------------------------------------------- security

def test_writes_need_the_token(client):
    article = {"id": "sneaky", "text": "An article someone tries to add without the token."}
    for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"},
                    {"Authorization": f"Basic {TOKEN}"}, {"Authorization": TOKEN}):
        r = client.post("/api/articles", json=article, headers=headers)
        _error(r, 401, "token")
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/api/articles/sneaky").status_code == 404


def test_tokens_are_compared_whole():
    assert tokens_match(TOKEN, TOKEN)
    assert not tokens_match(TOKEN[:-1], TOKEN) and not tokens_match(TOKEN + "x", TOKEN)
    assert not tokens_match("", TOKEN)


def test_unknown_host_names_are_refused(client):
    # A page elsewhere that rebinds its DNS name to 127.0.0.1 sends its own Host.
    r = client.get("/api/stats", headers={"Host": "attacker.example"})
    _error(r, 400, "unknown Host header")
    assert client.get("/api/health", headers={"Host": "localhost:1234"}).status_code == 200


@pytest.mark.parametrize("host", ["localhost:1@evil.example", "localhost:8000:1",
                                  "localhost:port", "localhost/x", "[::1", "localhost:99999",
                                  "user@localhost", ""])
def test_malformed_host_headers_are_refused(client, host):
    _error(client.get("/api/health", headers={"Host": host}), 400, "malformed Host header")


def test_well_formed_local_host_headers_are_served(client):
    for host in ("localhost", "LOCALHOST:8000", "127.0.0.1:1", "[::1]:8000"):
        assert client.get("/api/health", headers={"Host": host}).status_code == 200, host


@pytest.mark.parametrize("method,path,allow", [
    ("PUT", "/api/health", "GET"), ("POST", "/api/stats", "GET"),
    ("PATCH", "/api/articles/niger-wagner-a", "GET"), ("GET", "/api/articles", "POST"),
    ("PUT", "/api/articles/batch", "POST"), ("DELETE", "/api/query", "POST")])
def test_an_unsupported_method_is_405_with_allow(client, method, path, allow):
    r = client.request(method, path, headers=AUTH)  # no body, no Content-Type: still 405
    _error(r, 405, f"method {method} not allowed on {path}")
    assert allow in r.headers["allow"].split(", ")


def test_browser_headers_forbid_other_origins(client):
    for path in ("/", "/api/health", "/static/app.js"):
        r = client.get(path)
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/../pyproject.toml").status_code == 404
    assert client.get("/static/index.html").status_code == 404  # only the listed files


def test_openapi_description_and_offline_docs(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/articles", "/api/articles/batch", "/api/query", "/api/articles/{article_id}",
            "/api/articles/{article_id}/passages", "/api/articles/{article_id}/story",
            "/api/stories", "/api/stories/{story_id}", "/api/search", "/api/health",
            "/api/stats"} <= paths
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert spec["paths"]["/api/articles"]["post"]["security"] == [{"token": []}]
    docs = client.get("/docs").text
    assert "/docs/static/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200


def test_a_server_without_token_takes_no_writes(tmp_path):
    with ServerProcess(tmp_path / "ro.db", None) as ro, httpx.Client(base_url=ro.url) as c:
        assert c.get("/api/health").json()["writes"] is False
        r = c.post("/api/articles", json={"id": "x", "text": "some text here"}, headers=AUTH)
        _error(r, 403, "takes no writes")
        assert c.get("/api/stats").status_code == 200
        assert ro.stop() == 0  # Ctrl-C stops it cleanly


def test_protected_reads_need_the_token(tmp_path):
    with ServerProcess(tmp_path / "p.db", TOKEN, "--protect-reads") as p, \
            httpx.Client(base_url=p.url) as c:
        _error(c.get("/api/stats"), 401, "token")
        _error(c.post("/api/query", json={"text": "a text"}), 401, "token")
        assert c.get("/api/stats", headers=AUTH).status_code == 200
        assert c.get("/api/health").status_code == 200  # for load balancers
        spec = c.get("/openapi.json").json()  # the description says reads need the token
        assert spec["paths"]["/api/stats"]["get"]["security"] == [{"token": []}]
        assert "security" not in spec["paths"]["/api/health"]["get"]


@pytest.mark.parametrize("argv,message", [
    (["--token", "short"], "at least 16 characters"),
    (["--protect-reads"], "protect_reads needs a token"),
    (["--port", "70000"], "port number"),
])
def test_serve_rejects_bad_options(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.delenv("WIRETRACE_TOKEN", raising=False)
    assert main(["serve", str(tmp_path / "x.db"), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_a_failure_inside_is_a_500_without_internals(tmp_path):
    db = tmp_path / "broken.db"
    with ServerProcess(db, TOKEN) as s, httpx.Client(base_url=s.url, headers=AUTH) as c:
        text = "One article, added before the index file is overwritten with noise."
        assert c.post("/api/articles", json={"id": "a", "text": text}).status_code == 200
        noise = random.Random(5)
        for f in (db, db.with_name(db.name + "-wal")):  # a disk fault: the files turn to noise
            if f.exists():
                f.write_bytes(noise.randbytes(f.stat().st_size))
        answers = [c.get(path) for path in ("/api/stats", "/api/articles/a", "/api/stories",
                                            "/api/stats")]
        broken = [r for r in answers if r.status_code == 500]
        assert broken, [r.status_code for r in answers]
        for r in broken:
            body = _error(r, 500, "internal error (reference ")
            assert "sqlite" not in r.text.lower() and "malformed" not in r.text
            ref = body["error"].split("reference ")[1].split()[0]
            assert f"unexpected error {ref}" in s.log_tail(100_000)  # the operator can look
        # the connection that got the 500 still works: the server did not drop it
        assert c.get("/api/health").status_code == 200


def test_serve_reports_an_unusable_index_in_one_line(tmp_path, capsys):
    (tmp_path / "folder.db").mkdir()
    (tmp_path / "notes.db").write_text("not an index", encoding="utf-8")
    for name, message in [("folder.db", "is a folder"), ("notes.db", "not a wiretrace index")]:
        assert main(["serve", str(tmp_path / name), "--port", "1"]) == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
