"""uvicorn's HTTP/1.1 protocol with deadlines for slow clients, a connection cap and
JSON for the errors it answers itself.

uvicorn (h11) waits for a request's head and body as long as the client keeps the
connection open: its one timer, keep-alive, is cancelled by any byte, so a client
sending a byte every few seconds holds a connection for ever, and a few hundred
such clients hold them all.  This protocol gives each request two deadlines:

* the request line and headers must arrive within ``head_timeout_s`` of the
  moment the server starts waiting for them (the connection opened, or the
  answer before was sent): 408, or a silent close when nothing came at all;
* the whole body must arrive within ``body_timeout_s`` of the head: 408 unless
  the answer has begun, then the connection closes.

A connection over the cap (uvicorn's ``limit_concurrency``) is answered 503 at
once, and the 400 uvicorn gives a request it cannot parse is JSON like every
other error of the service, not plain text.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from wiretrace.server.errors import error_body

# The request line and headers may not need more buffer than this (uvicorn's
# h11 default is 16 KiB; a long URL id or many cookies fit in 64).
MAX_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Deadlines:
    """How long a request's parts may take to arrive, in seconds."""

    head_s: float
    body_s: float


def raw_error(status: int, message: str) -> bytes:
    """A whole HTTP response carrying the service's JSON error, closing the connection."""
    body = json.dumps(error_body(status, message)).encode()
    head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            "content-type: application/json\r\n"
            f"content-length: {len(body)}\r\n"
            "cache-control: no-store\r\n"
            "x-content-type-options: nosniff\r\n"
            "connection: close\r\n\r\n")
    return head.encode("ascii") + body


class GuardedH11Protocol(H11Protocol):
    """:class:`H11Protocol` with per-request deadlines, the cap checked when a
    connection opens, and JSON protocol errors."""

    def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None, *,
                 deadlines: Deadlines) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.deadlines = deadlines
        # uvicorn's own check answers 503 in plain text per request; the cap is
        # enforced in connection_made instead, in JSON, before anything is read.
        self.max_connections = self.limit_concurrency
        self.limit_concurrency = None
        self._timer: asyncio.TimerHandle | None = None
        self._waiting: str | None = None  # "head" or "body": what the timer waits for

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.max_connections is not None and len(self.connections) > self.max_connections:
            self._refuse(503, f"the server is serving {self.max_connections} connections, "
                              "its most: try again shortly")
            return
        self._expect("head")

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request h11 cannot parse (it logged ``msg``), as JSON."""
        self._refuse(400, "malformed HTTP request: its request line or headers cannot be "
                          f"read (or are over {MAX_HEAD_BYTES // 1024} KiB)")

    # ----------------------------------------------------------------- deadlines

    def _follow(self) -> None:
        """Point the timer at what the connection waits for now."""
        if self.transport is None or self.transport.is_closing():
            return
        state = self.conn.their_state
        if state is h11.IDLE:  # the next request's head
            if self._waiting != "head":
                self._expect("head")
        elif state is h11.SEND_BODY:
            if self._waiting != "body":
                self._expect("body")
        else:  # the request is in: the app answers, then on_response_complete follows
            self._cancel()

    def _expect(self, what: str) -> None:
        self._cancel()
        seconds = self.deadlines.head_s if what == "head" else self.deadlines.body_s
        self._waiting = what
        self._timer = self.loop.call_later(seconds, self._expired, what)

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._waiting = None, None

    def _expired(self, what: str) -> None:
        self._timer, self._waiting = None, None
        if self.transport.is_closing():
            return
        if what == "head":
            if not self.conn.trailing_data[0]:
                self.transport.close()  # an idle connection: nothing to answer
                return
            seconds, part = self.deadlines.head_s, "request line and headers"
        else:
            seconds, part = self.deadlines.body_s, "body"
        self.logger.warning("closing a connection: its request's %s took over %g s", part,
                            seconds)
        cycle = self.cycle
        if what == "body" and cycle is not None and cycle.response_started:
            self.transport.close()  # half an answer is out: closing is all that is left
            return
        if cycle is not None and what == "body":
            cycle.disconnected = True  # the app reads a disconnect and answers nothing
            cycle.message_event.set()
        self._refuse(408, f"the request's {part} did not arrive within {seconds:g} s")

    def _refuse(self, status: int, message: str) -> None:
        """Answer with a JSON error and close, whatever state h11 is in."""
        self._cancel()
        self.transport.write(raw_error(status, message))
        self.transport.close()
