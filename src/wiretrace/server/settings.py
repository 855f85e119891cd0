"""The service's settings: who may write and read, and how much one request may carry.

One frozen, validated dataclass, like :class:`wiretrace.TraceParams`, so that the
command line, a test and a Python caller configure the server the same way.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

# A news article is a few thousand characters; a whole book is about a million.
DEFAULT_MAX_ARTICLE_CHARS = 500_000
# Enough for a batch of a few thousand typical articles, small enough that one
# request cannot exhaust the memory of a small machine.
DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
DEFAULT_MAX_BATCH = 1_000
# Queries are open to anyone who can read, and their cost grows faster than their
# text (on a 10,000-article index: 100,000 characters 0.2 s of CPU, 500,000 1.9 s;
# 10.8 s was seen on a larger one), so their text has a lower cap than an added
# article's.  A long news article is about 20,000 characters.
DEFAULT_MAX_QUERY_CHARS = 100_000
# Slow clients: the request line and headers must arrive within HEAD seconds of
# the server waiting for them, the whole body within BODY seconds of the head
# (32 MiB in 120 s needs 280 KB/s); an idle keep-alive connection closes after
# KEEP_ALIVE seconds; at most MAX_CONNECTIONS connections at once (503 above).
DEFAULT_HEAD_TIMEOUT_S = 10.0
DEFAULT_BODY_TIMEOUT_S = 120.0
DEFAULT_KEEP_ALIVE_S = 5
DEFAULT_MAX_CONNECTIONS = 64
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a bind address or host name) only reaches this machine."""
    if host.strip("[]") in ("localhost", "::1"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """How the HTTP service guards its index.

    token: the secret a client sends as ``Authorization: Bearer <token>``; needed
        for every write, and for reads too with ``protect_reads``.  ``None``
        disables writes (reads stay as ``protect_reads`` says).
    protect_reads: reads (and the web page's data) need the token as well.
    max_body_bytes: the largest request body accepted (413 above it).
    max_article_chars: the longest article text accepted (413 above it).
    max_batch: the most articles one request may add (413 above it).
    max_query_chars: the longest text ``/api/query`` takes (413 above it).
    head_timeout_s: seconds a request's line and headers may take to arrive.
    body_timeout_s: seconds a request's body may take to arrive after its head.
    max_connections: connections served at once; more are answered 503.
    allowed_hosts: ``Host`` header values accepted (without port); empty accepts
        any.  A server on the loopback interface accepts only loopback names, so a
        web page elsewhere cannot reach it through DNS rebinding.
    """

    token: str | None = None
    protect_reads: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_article_chars: int = DEFAULT_MAX_ARTICLE_CHARS
    max_batch: int = DEFAULT_MAX_BATCH
    max_query_chars: int = DEFAULT_MAX_QUERY_CHARS
    head_timeout_s: float = DEFAULT_HEAD_TIMEOUT_S
    body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    allowed_hosts: tuple[str, ...] = field(default=LOOPBACK_NAMES)

    def __post_init__(self) -> None:
        if self.token is not None and len(self.token) < 16:
            # A short token over plain HTTP can be guessed; ask for a real secret.
            raise ValueError("token must be at least 16 characters "
                             "(e.g. python -c 'import secrets; print(secrets.token_urlsafe())')")
        if self.protect_reads and self.token is None:
            raise ValueError("protect_reads needs a token")
        for name in ("max_body_bytes", "max_article_chars", "max_batch", "max_query_chars",
                     "max_connections"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        for name in ("head_timeout_s", "body_timeout_s"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 < value <= 86_400:
                raise ValueError(f"{name} must be a number of seconds over 0, got {value!r}")

    @staticmethod
    def hosts_for(bind: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
        """The ``Host`` names to accept for a server bound to ``bind``."""
        if is_loopback(bind):
            return tuple(dict.fromkeys((*LOOPBACK_NAMES, bind, *extra)))
        # Bound to a public address: the operator chose to be reachable under any
        # name unless they listed the names (a reverse proxy usually fixes them).
        return tuple(extra)
