"""What the OpenAPI description allows, the server does: the cases schemathesis found
where they disagreed (``--checks all``, every phase), each as one request.

- a text the description allows (not empty, not only whitespace) is taken, even one
  a file reader would call binary: a JSON string is text by construction;
- an id given twice in one batch is two adds in a row, as with ``Index.add`` (the
  second ``unchanged`` or a ``new_version``), each row showing its own text;
- the story of an article in no story is a 200 that says so (``"story": null``);
  404 stays for an article that does not exist.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from wiretrace.server.process import ServerProcess

TOKEN = "contract-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
OLD = ("The council met on Tuesday to discuss the new budget for the city's parks and "
       "pools, and the mayor said the vote would come before the end of the month.")
NEW = OLD.replace("Tuesday", "Wednesday") + " It passed by nine votes to two."
LATER = ("Heavy rain is expected across the north of the region tonight, with winds "
         "easing by the morning and a dry, bright day to follow for most places.")
ALONE = ("The library will close for two weeks in August while its roof is repaired; "
         "books may be returned at the town hall, which keeps its usual hours.")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("contract") / "index.db"
    with ServerProcess(db, TOKEN) as running, \
            httpx.Client(base_url=running.url, timeout=120) as c:
        yield c
        assert "Traceback" not in running.log_tail(100_000)


def add(client: httpx.Client, *articles: dict) -> list[dict]:
    r = client.post("/api/articles/batch", json={"articles": list(articles)}, headers=AUTH)
    assert r.status_code == 200, r.text
    return r.json()["results"]


def url(article_id: str, tail: str = "") -> str:
    return "/api/articles/" + quote(article_id, safe="") + tail


@pytest.mark.parametrize("text", ["\u0000" * 50, "\u0001\u0006\u0081%\u00ba\u000b",
                                  "\U000e4cb9\u0087^\b", "word \u0000 " * 100, "\u007f"])
def test_a_text_the_description_allows_is_added_and_queried(client, text):
    article_id = f"controls-{len(text)}-{ord(text[0])}"
    r = client.post("/api/articles", json={"id": article_id, "text": text}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["status"] in ("added", "unchanged")
    assert client.get(url(article_id)).json()["text"] == text  # kept exactly as sent
    r = client.post("/api/query", json={"text": text})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("body,phrase", [
    ({"id": "x", "text": ""}, "body.text: empty text"),
    ({"id": "x", "text": " \t\n\u001c\u00a0"}, "only whitespace"),
])
def test_a_text_the_description_refuses_is_still_422(client, body, phrase):
    r = client.post("/api/articles", json=body, headers=AUTH)
    assert r.status_code == 422 and phrase in r.json()["error"], r.text


def test_an_id_twice_in_a_batch_is_two_adds_in_a_row(client):
    rows = add(client, {"id": "twice", "text": OLD}, {"id": "twice", "text": OLD},
               {"id": "twice", "text": NEW})
    assert [(r["id"], r["status"], r["version"]) for r in rows] == \
        [("twice", "added", 1), ("twice", "unchanged", 1), ("twice", "new_version", 2)]
    assert [r["chars"] for r in rows] == [len(OLD), len(OLD), len(NEW)]
    diff = rows[2]["diff"]
    assert (diff["a"], diff["b"]) == ("twice", "twice") and "Wednesday" in diff["summary"]
    assert [v["chars"] for v in client.get(url("twice", "/versions")).json()["versions"]] \
        == [len(OLD), len(NEW)]
    assert client.get(url("twice")).json()["text"] == NEW  # the last one is current
    # the same id in one batch and in two requests end the same
    add(client, {"id": "twice-apart", "text": OLD})
    add(client, {"id": "twice-apart", "text": NEW})
    assert client.get(url("twice-apart", "/versions")).json()["versions"][-1]["version"] == 2


def test_passages_point_into_the_version_they_were_found_in(client, seed_articles):
    """A batch that adds an article, reuses it, then replaces it: the reuse is of the
    version that was current, and its ``b_text`` is that version's text."""
    a, b = seed_articles
    rows = add(client, {"id": "src", "text": a.text}, {"id": "copy", "text": b.text},
               {"id": "src", "text": LATER}, {"id": "src", "text": LATER})
    assert [(r["status"], r["version"]) for r in rows] == \
        [("added", 1), ("added", 1), ("new_version", 2), ("unchanged", 2)]
    passages = rows[1]["passages"]
    assert passages and {p["b"] for p in passages} == {"src"}
    for p in passages:
        assert p["b_text"] == a.text[p["b_start"]:p["b_end"]]
        assert p["a_text"] == b.text[p["a_start"]:p["a_end"]]
    assert rows[3]["passages"] == [] and rows[3]["chars"] == len(LATER)
    # an unchanged row that a later one replaces: the reuse of the version it names
    rows = add(client, {"id": "src", "text": a.text}, {"id": "src", "text": a.text},
               {"id": "src", "text": "A new first paragraph.\n\n" + a.text})
    assert [(r["status"], r["version"]) for r in rows] == \
        [("new_version", 3), ("unchanged", 3), ("new_version", 4)]
    assert rows[1]["passages"] == rows[0]["passages"] != []
    for p in rows[1]["passages"]:
        assert p["a_text"] == a.text[p["a_start"]:p["a_end"]]


def test_the_story_of_an_article_in_no_story_is_null(client, seed_articles):
    add(client, {"id": "alone", "text": ALONE})
    r = client.get(url("alone", "/story"))
    assert r.status_code == 200, r.text
    assert r.json() == {"id": "alone", "story": None, "members": [], "size": 0,
                        "origin": None, "origin_reason": None, "edges": []}
    r = client.get(url("no-such-article", "/story"))
    assert r.status_code == 404 and "no article 'no-such-article'" in r.json()["error"]

    a, b = seed_articles
    add(client, {"id": a.id, "text": a.text}, {"id": b.id, "text": b.text})
    story = client.get(url(b.id, "/story")).json()
    assert story["id"] == b.id and story["story"].startswith("story-")
    assert {a.id, b.id} <= set(story["members"]) and story["size"] == len(story["members"])
    assert story["origin"] in story["members"] and story["edges"]


def test_an_id_reads_back_as_it_was_added_whitespace_and_all(client):
    """An add drops the whitespace around an id (as the file readers do); a read of
    the id as sent finds the article too, under its stored id."""
    rows = add(client, {"id": " spaced id\u00a0", "text": LATER + " Spaced."})
    assert rows[0]["id"] == "spaced id"
    for sent in (" spaced id\u00a0", "spaced id"):
        got = client.get(url(sent))
        assert got.status_code == 200 and got.json()["id"] == "spaced id", got.text
        assert client.get(url(sent, "/passages")).json()["id"] == "spaced id"
        assert client.get(url(sent, "/versions")).json()["id"] == "spaced id"
        assert client.get(url(sent, "/story")).json()["id"] == "spaced id"
    assert client.get(url(" ")).status_code == 404
