"""The service's guards: tokens, request limits, Host names and browser headers.

Two layers.  ``Guard`` is a raw ASGI middleware that answers before any route
runs: a malformed or unknown ``Host`` (DNS rebinding), a body over the byte
limit, a write whose body is not JSON (only where a route takes the write: a
method a path does not take is the router's 405).  It also hands the router
article paths read from the raw path (:mod:`.paths`).  The token checks are
FastAPI dependencies; :mod:`.openapi` makes the description say which
operations of this server need the bearer token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.routing import Match, Router

from wiretrace.server.errors import (
    ApiError,
    describe,
    error_bytes,
    internal_message,
    unexpected,
)
from wiretrace.server.paths import canonical_article_path
from wiretrace.server.service import read_only_message
from wiretrace.server.settings import ServerSettings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BEARER = HTTPBearer(auto_error=False, scheme_name="token",
                    description="the server's token (WIRETRACE_TOKEN or --token)")

# The page and the API load nothing from anywhere but this server.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'")
# Swagger UI starts itself from an inline script; still nothing from elsewhere.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
WRITE_METHODS = {"POST", "PUT", "PATCH"}
# paths whose body is a file's bytes, not JSON
FILE_PATHS = {"/api/files"}


def tokens_match(given: str, expected: str) -> bool:
    """Constant-time comparison; hashing first hides the token's length too."""
    a = hashlib.sha256(given.encode("utf-8", "surrogatepass")).digest()
    b = hashlib.sha256(expected.encode("utf-8", "surrogatepass")).digest()
    return hmac.compare_digest(a, b)


def _check(request: Request, credentials: HTTPAuthorizationCredentials | None,
           write: bool) -> None:
    settings: ServerSettings = request.app.state.settings
    read_only = request.app.state.service.read_only
    if write and read_only:
        raise ApiError(503, read_only_message(read_only))
    if settings.token is None:
        if write:
            raise ApiError(403, "this server takes no writes: start it with a token "
                                "(WIRETRACE_TOKEN or --token) to add articles")
        return
    if not write and not settings.protect_reads:
        return
    challenge = {"WWW-Authenticate": 'Bearer realm="wiretrace"'}
    if credentials is None:
        raise ApiError(401, "this needs the server's token: send 'Authorization: Bearer "
                            "<token>'", headers=challenge)
    if not tokens_match(credentials.credentials, settings.token):
        raise ApiError(401, "wrong token", headers=challenge)


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]


async def require_write(request: Request, credentials: Credentials) -> None:
    """Dependency of every operation that changes the index."""
    _check(request, credentials, write=True)


async def require_read(request: Request, credentials: Credentials) -> None:
    """Dependency of every read; a no-op unless the server protects reads."""
    _check(request, credentials, write=False)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


# RFC 9110's Host: a name (letters, digits, '-', '.', and the '_' some local names
# use) or a bracketed IPv6 address, then an optional port of digits.  Nothing
# else: 'localhost:1@evil.example' is a userinfo trick, not a host.
_HOST = re.compile(r"(?:\[(?P<ip6>[0-9A-Fa-f:.]{2,45})\]"
                   r"|(?P<name>[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}))"
                   r"(?::(?P<port>[0-9]{1,5}))?")


def host_name(host: str) -> str | None:
    """The name in a ``Host`` value, lower case (``[::1]:8000`` -> ``[::1]``);
    None when the value is not a host name with an optional port."""
    found = _HOST.fullmatch(host)
    if found is None or (found["port"] and int(found["port"]) > 65535):
        return None
    return f"[{found['ip6'].lower()}]" if found["ip6"] else found["name"].lower()


def host_problem(host: str | None, allowed: tuple[str, ...]) -> str | None:
    """Why a request's ``Host`` header is refused, or None.

    A malformed value is refused whatever the server answers to; a missing one
    only where the server answers to named hosts (HTTP/1.0 clients send none).
    """
    if host is None:
        return (f"no Host header: this server answers to {', '.join(allowed)}"
                if allowed else None)
    name = host_name(host)
    if name is None:
        return (f"malformed Host header {describe(host)}: expected a host name and an "
                "optional port, such as localhost:8000")
    if allowed and name not in allowed:
        return f"unknown Host header {describe(host)}: this server answers to {', '.join(allowed)}"
    return None


class Guard:
    """Raw ASGI checks that must happen before a route reads anything."""

    def __init__(self, app: ASGIApp, settings: ServerSettings, router: Router) -> None:
        self.app, self.settings, self.router = app, settings, router

    def _routed(self, scope: Scope) -> bool:
        """Whether a route takes this method at this path."""
        return any(route.matches(scope)[0] is Match.FULL for route in self.router.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._with_headers(scope, send)
        scope["path"] = canonical_article_path(scope.get("path", ""), scope.get("raw_path"))
        path, method = scope["path"], scope.get("method", "GET")
        problem = host_problem(_header(scope, b"host"), self.settings.allowed_hosts)
        if problem:
            await _answer(send, 400, problem)
            return
        if method not in WRITE_METHODS or not self._routed(scope):
            # No route takes this method here: the router answers 404, or 405 with
            # the methods that are allowed, before any body check could say 415.
            await self._run(scope, receive, send)
            return
        upload = path in FILE_PATHS
        if path.startswith("/api/"):
            ctype = (_header(scope, b"content-type") or "").split(";", 1)[0].strip().lower()
            wanted = "application/octet-stream" if upload else "application/json"
            if ctype != wanted:
                what = "the file's bytes" if upload else "JSON"
                await _answer(send, 415, f"the body must be {what}: send 'Content-Type: "
                                         f"{wanted}' (got {ctype or 'none'!r})")
                return
        body = await self._read_body(scope, receive, send)
        if body is None:
            return
        # an empty file is a file (an empty JSONL holds no records), read as one
        if not body.strip() and path.startswith("/api/") and not upload:
            await _answer(send, 400, "empty request body: send a JSON object")
            return
        await self._run(scope, _replay(body, receive), send)

    async def _run(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app; an exception it lets out becomes a 500 JSON answer, and stops here.

        Re-raised (as Starlette's outermost handler does), uvicorn would drop the
        connection after the answer, and a client's next request on that
        keep-alive connection would fail too.
        """
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:  # noqa: BLE001 - this is the last line of defence
            ref = unexpected(exc, scope.get("method", ""), scope.get("path", ""))
            if started:
                raise  # half an answer is out: only closing the connection is honest
            await _answer(send, 500, internal_message(ref, exc))

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The whole body, or None once a 413 has been sent."""
        limit = self.settings.max_body_bytes
        declared = _header(scope, b"content-length")
        too_big = (f"request body over the limit of {limit:,} bytes "
                   "(send fewer articles per request)")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _answer(send, 413, too_big)
            return None
        # A chunked body declares no length: count as it arrives, stop at the limit.
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _answer(send, 413, too_big)
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _with_headers(self, scope: Scope, send: Send) -> Send:
        path = scope.get("path", "")
        csp = DOCS_CSP if path.startswith("/docs") else PAGE_CSP
        extra = [(b"content-security-policy", csp.encode()),
                 (b"x-content-type-options", b"nosniff"),
                 (b"referrer-policy", b"no-referrer"),
                 (b"x-frame-options", b"DENY")]
        if path.startswith("/api/"):
            extra.append((b"cache-control", b"no-store"))

        async def sender(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        return sender


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later calls wait for the disconnect, as ASGI expects

    return replay


async def _answer(send: Send, status: int, message: str) -> None:
    body = error_bytes(status, message)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
