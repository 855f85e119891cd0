"""The service against slow, greedy and malformed clients, over raw sockets to a real
``wiretrace serve`` on 127.0.0.1: deadlines for a request's head and body, the
connection cap, the query text cap, protocol errors as JSON and a port in use.

Bounded: every socket read has a timeout of a few seconds, and the servers run
with deadlines of one second so that nothing waits long.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest

from wiretrace.server.process import ServerProcess, free_port

TOKEN = "limits-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FAST = ("--head-timeout", "1", "--body-timeout", "1", "--max-query-chars", "2000")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("limits") / "index.db"
    with ServerProcess(db, TOKEN, *FAST) as running:
        yield running


def exchange(port: int, data: bytes = b"", pause: float = 0.0, pieces: int = 1,
             wait: float = 5.0) -> tuple[bytes, float]:
    """Send ``data`` in ``pieces`` with ``pause`` seconds between them, then read until
    the server closes; what came back, and the seconds until it closed."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        step = max(1, -(-len(data) // pieces))
        try:
            for k in range(0, len(data), step):
                s.sendall(data[k:k + step])
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed on us while sending: what it answered is still there to read
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return answer, time.monotonic() - start


def json_error(answer: bytes, status: int) -> dict:
    """The JSON error in a raw HTTP answer."""
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), answer[:300]
    assert b"content-type: application/json" in head.lower()
    error = json.loads(body)
    assert error["status"] == status and error["error"]
    return error


HEAD = b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow\r\n\r\n"


def test_a_head_that_never_ends_is_cut_off_with_408(server):
    answer, took = exchange(server.port, HEAD[:30])
    assert "did not arrive within 1 s" in json_error(answer, 408)["error"]
    assert took < 4


def test_a_head_sent_a_byte_at_a_time_is_cut_off_too(server):
    # each byte once would cancel uvicorn's keep-alive timer: the deadline is for the
    # whole head, whatever trickles in
    answer, took = exchange(server.port, HEAD, pause=0.25, pieces=len(HEAD))
    assert "request line and headers" in json_error(answer, 408)["error"]
    assert took < 4


def test_a_body_that_stops_coming_is_cut_off(server):
    head = (b"POST /api/query HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n")
    answer, took = exchange(server.port, head + b'{"text": "only the start')
    assert "body did not arrive within 1 s" in json_error(answer, 408)["error"]
    assert took < 4
    assert "Traceback" not in server.log_tail(20_000)


def test_an_idle_connection_is_closed_quietly_and_others_are_served(server):
    answer, took = exchange(server.port)
    assert answer == b"" and took < 4
    assert httpx.get(server.url + "/api/health", timeout=10).json()["status"] == "ok"


@pytest.mark.parametrize("request_bytes", [
    b"GARBAGE\r\n\r\n",
    b"GET /api/\xff HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nHost: other\r\n\r\n",
    b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n",
    b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n",
])
def test_malformed_http_gets_a_json_400(server, request_bytes):
    error = json_error(exchange(server.port, request_bytes)[0], 400)
    assert error["error"].startswith("malformed HTTP request: its request line or headers")


def test_query_text_has_a_cap_of_its_own(server):
    def query(text: str) -> httpx.Response:
        return httpx.post(server.url + "/api/query", json={"text": text}, timeout=30)

    assert query("word " * 400).status_code == 200  # 2,000 characters: the limit
    r = query("word " * 401)
    assert r.status_code == 413, r.text
    assert r.json()["error"] == ("body.text: 2,005 characters, over the limit of 2,000 "
                                 "per query")
    added = httpx.post(server.url + "/api/articles", json={"id": "long", "text": "word " * 900},
                       headers=AUTH, timeout=30)
    assert added.status_code == 200, added.text  # an added article has the article limit


def test_connections_over_the_cap_get_a_json_503(tmp_path):
    with ServerProcess(tmp_path / "cap.db", None, "--max-connections", "3") as s:
        held = [socket.create_connection(("127.0.0.1", s.port), timeout=5) for _ in range(3)]
        try:
            time.sleep(0.2)  # the server has accepted them
            error = json_error(exchange(s.port, HEAD)[0], 503)
            assert "serving 3 connections, its most" in error["error"]
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.2)
        assert httpx.get(s.url + "/api/health", timeout=10).status_code == 200


def test_serve_on_a_port_in_use_says_so_in_one_line(tmp_path):
    port = free_port()
    with socket.create_server(("127.0.0.1", port)):
        done = subprocess.run([sys.executable, "-m", "wiretrace", "serve",
                               str(tmp_path / "x.db"), "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"wiretrace: error: cannot listen on 127.0.0.1:{port}: address already in use"]
    assert not (tmp_path / "x.db").exists()  # nothing opened or created


MESSAGE_CASES = [
    # (method, path, body bytes or None, headers, status)
    ("POST", "/api/articles", b"null", {}, 422),
    ("POST", "/api/articles", b"[]", {}, 422),
    ("POST", "/api/articles/batch", b'{"articles": [[], "x", null]}', {}, 422),
    ("POST", "/api/articles/batch", b'{"articles": {}}', {}, 422),
    ("POST", "/api/articles", b'{"id": 12, "text": ["a"]}', {}, 422),
    ("POST", "/api/articles", b'{"id": "x", "text": "abc", "title": ' + b"9" * 5000 + b"}",
     {}, 400),
    ("POST", "/api/articles", b'{"id": "x",', {}, 400),
    ("POST", "/api/articles", b"", {}, 400),
    ("POST", "/api/articles", b'{"id": "a", "text": "never ends', {}, 400),
    ("POST", "/api/articles", b'{"id": "a", "text": "tab\there"}', {}, 400),
    ("POST", "/api/articles", b'{"id": "a", "text": "\\q"}', {}, 400),
    ("POST", "/api/articles", b"{'id': 'a'}", {}, 400),
    ("POST", "/api/articles", b'{"id": "a", "text": "b"} x', {}, 400),
    ("POST", "/api/articles", b'{"id": "a", "text": "\xff"}', {}, 400),
    ("POST", "/api/query", b'{"text": "abc", "published": "last Tuesday"}', {}, 422),
    ("POST", "/api/articles", b'{"id": "a\\u0001", "text": "abc"}', {}, 422),
    ("GET", "/api/stories?limit=x", None, {}, 422),
    ("GET", "/api/nowhere", None, {}, 404),
    ("PUT", "/api/health", None, {}, 405),
    ("POST", "/api/articles", b"{}", {"Content-Type": "text/plain"}, 415),
    ("GET", "/api/health", None, {"Host": "localhost:1@evil.example"}, 400),
]


@pytest.mark.parametrize("method,path,body,headers,status", MESSAGE_CASES)
def test_error_messages_read_as_sentences(server, method, path, body, headers, status):
    """One JSON shape, and words a person reads: no doubled word, 'an array' not 'a
    array', no exception class names or validator jargon."""
    sent = {**AUTH, "Content-Type": "application/json", **headers}
    r = httpx.request(method, server.url + path, content=body, headers=sent, timeout=30)
    assert r.status_code == status, r.text
    error = r.json()
    message = " ".join([error["error"]] + [d["problem"] for d in error["details"] or []])
    assert not re.search(r"\b(\w+) \1\b", message, re.I), message
    assert not re.search(r"\ba (?:[aeio]\w*|null)\b", message), message
    assert not re.search(r"\b[A-Z]\w*(?:Error|Exception)\b", message), message
    assert "dictionary" not in message and "Value error" not in message, message
    # Python's own JSON wording, and a doubled or dangling "at"
    assert not re.search(r"Expecting|Unterminated|Invalid|Extra data|\bat \(|\bat$|b'",
                         message), message
