"""``wiretrace serve DB``: the HTTP service and its web page, on uvicorn.

Registered by :mod:`wiretrace.cli.main` through :func:`add_parser`; FastAPI and
uvicorn are imported only when the command runs, so the other commands start
as fast as before.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path
from typing import Any

from wiretrace.runtime.workers import default_workers
from wiretrace.server.settings import (
    DEFAULT_BODY_TIMEOUT_S,
    DEFAULT_HEAD_TIMEOUT_S,
    DEFAULT_KEEP_ALIVE_S,
    DEFAULT_MAX_ARTICLE_CHARS,
    DEFAULT_MAX_BATCH,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_QUERY_CHARS,
    ServerSettings,
    is_loopback,
)

TOKEN_ENV = "WIRETRACE_TOKEN"


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return int(value)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 86_400:
        raise argparse.ArgumentTypeError(f"expected a number of seconds over 0, got {value!r}")
    return seconds


def _port(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0-65535, got {value!r}")
    return int(value)


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               epilog: str) -> argparse.ArgumentParser:
    """Add ``serve`` to the ``wiretrace`` command (run by :func:`run`)."""
    p = subparsers.add_parser(
        "serve", parents=parents, epilog=epilog,
        help="serve an index over HTTP (JSON API, OpenAPI docs, web page)",
        description="Serve the index DB over HTTP: a JSON API to add articles and get the "
                    "reuse found for each, articles, passages, stories with their diffs, "
                    "search and stats (OpenAPI description at /openapi.json, docs at /docs), "
                    "and a web page at / to paste an article and see what it reuses.  "
                    f"Writes need a token (--token, or the {TOKEN_ENV} environment variable, "
                    "which keeps it out of the process list); without one the server is "
                    "read-only.  DB is created if missing.")
    p.add_argument("db", type=Path, metavar="DB", help="the index file (SQLite)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only; "
                        "0.0.0.0 listens on every interface)")
    p.add_argument("--port", type=_port, default=8000, help="port (default: 8000)")
    p.add_argument("--token", default=None, metavar="SECRET",
                   help=f"the token writes need, at least 16 characters (default: "
                        f"${TOKEN_ENV}; none: no writes)")
    p.add_argument("--protect-reads", action="store_true",
                   help="reads need the token too (by default anyone who reaches the "
                        "server can read)")
    p.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help="accept requests for this Host name too (repeatable); on 127.0.0.1 "
                        "only localhost names are accepted, which blocks DNS rebinding")
    p.add_argument("--max-body-bytes", type=_positive, default=DEFAULT_MAX_BODY_BYTES,
                   metavar="N", help=f"largest request body (default: {DEFAULT_MAX_BODY_BYTES:,})")
    p.add_argument("--max-article-chars", type=_positive, default=DEFAULT_MAX_ARTICLE_CHARS,
                   metavar="N",
                   help=f"longest article text (default: {DEFAULT_MAX_ARTICLE_CHARS:,})")
    p.add_argument("--max-batch", type=_positive, default=DEFAULT_MAX_BATCH, metavar="N",
                   help=f"most articles per request (default: {DEFAULT_MAX_BATCH:,})")
    p.add_argument("--max-query-chars", type=_positive, default=DEFAULT_MAX_QUERY_CHARS,
                   metavar="N", help="longest text /api/query takes, open to every reader "
                                     f"(default: {DEFAULT_MAX_QUERY_CHARS:,})")
    p.add_argument("--head-timeout", type=_seconds, default=DEFAULT_HEAD_TIMEOUT_S,
                   metavar="S", help="seconds a request's line and headers may take to arrive "
                                     f"(default: {DEFAULT_HEAD_TIMEOUT_S:g}; then 408)")
    p.add_argument("--body-timeout", type=_seconds, default=DEFAULT_BODY_TIMEOUT_S,
                   metavar="S", help="seconds a request's body may take after its headers "
                                     f"(default: {DEFAULT_BODY_TIMEOUT_S:g}; then 408)")
    p.add_argument("--max-connections", type=_positive, default=DEFAULT_MAX_CONNECTIONS,
                   metavar="N", help="connections served at once, more are answered 503 "
                                     f"(default: {DEFAULT_MAX_CONNECTIONS})")
    p.add_argument("--workers", type=_positive, default=None, metavar="N",
                   help="processes aligning large adds (default: one per core)")
    p.add_argument("--no-access-log", action="store_true", help="do not log every request")
    p.set_defaults(func=run, parser=p)
    return p


def settings_from(args: argparse.Namespace) -> ServerSettings:
    """The server settings the options ask for (exits with usage error 2 if invalid)."""
    token = args.token if args.token is not None else os.environ.get(TOKEN_ENV) or None
    hosts = ServerSettings.hosts_for(args.host, tuple(h.lower() for h in args.allowed_host))
    try:
        return ServerSettings(token=token, protect_reads=args.protect_reads,
                              max_body_bytes=args.max_body_bytes,
                              max_article_chars=args.max_article_chars,
                              max_batch=args.max_batch, max_query_chars=args.max_query_chars,
                              head_timeout_s=args.head_timeout,
                              body_timeout_s=args.body_timeout,
                              max_connections=args.max_connections, allowed_hosts=hosts)
    except ValueError as e:
        args.parser.error(str(e))
        raise  # not reached: error() exits


def listen(host: str, port: int) -> list[socket.socket]:
    """Sockets bound to every address ``host`` names, or OSError saying why not.

    Bound here rather than by uvicorn, which logs a bind failure and exits with
    its own code 3: a port in use is a one-line error and exit 1 like any other.
    """
    found = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                               flags=socket.AI_PASSIVE)
    bound: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys((f[0], f[1], f[2], "", f[4])
                                                             for f in found):
            sock = socket.socket(family, kind, proto)
            bound.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
    except OSError:
        for sock in bound:
            sock.close()
        raise
    return bound


# The packages of the ``serve`` extra (pyproject.toml), by import name: the
# server is optional, so that a batch or index user installs no web stack.
SERVER_PACKAGES = ("fastapi", "uvicorn", "fastapi_offline")


def missing_server_packages() -> list[str]:
    """The packages of the ``serve`` extra this installation lacks."""
    import importlib.util

    def importable(name: str) -> bool:
        if name in sys.modules:  # imported, or marked unimportable (None)
            return sys.modules[name] is not None
        return importlib.util.find_spec(name) is not None

    return [name for name in SERVER_PACKAGES if not importable(name)]


def uvicorn_server(app: Any, settings: ServerSettings, access_log: bool) -> Any:
    """uvicorn with the service's protocol: deadlines, the connection cap, JSON errors."""
    import functools

    import uvicorn

    from wiretrace.server.protocol import MAX_HEAD_BYTES, Deadlines, GuardedH11Protocol

    deadlines = Deadlines(settings.head_timeout_s, settings.body_timeout_s)
    config = uvicorn.Config(app, log_level="info", access_log=access_log, server_header=False,
                            http=functools.partial(GuardedH11Protocol, deadlines=deadlines),
                            ws="none", lifespan="on", timeout_keep_alive=DEFAULT_KEEP_ALIVE_S,
                            h11_max_incomplete_event_size=MAX_HEAD_BYTES,
                            limit_concurrency=settings.max_connections)
    return uvicorn.Server(config)


def run(args: argparse.Namespace, out: Any, err: Any) -> int:
    """Serve until interrupted (the ``func`` of the ``serve`` command)."""
    def say(line: str) -> None:
        err.print(line, markup=False, highlight=False, soft_wrap=True)

    missing = missing_server_packages()
    if missing:
        say(f"wiretrace: error: serve needs {', '.join(missing)}, which this installation "
            "lacks: install the server extra, pip install 'wiretrace[serve]'")
        return 1
    from wiretrace.index import IndexFileError
    from wiretrace.server.app import create_app
    from wiretrace.server.service import IndexService

    settings = settings_from(args)
    where = f"{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}"
    try:
        sockets = listen(args.host, args.port)
    except OSError as e:
        reason = e.strerror or str(e)
        say(f"wiretrace: error: cannot listen on {where}: {reason[:1].lower() + reason[1:]}")
        return 1
    new = not args.db.exists()
    try:
        service = IndexService(args.db, workers=args.workers or default_workers())
    except (IndexFileError, ValueError, OSError) as e:
        for sock in sockets:
            sock.close()
        say(f"wiretrace: error: {e}")
        return 1
    app = create_app(args.db, settings, service=service)
    say(f"wiretrace: serving {args.db}{' (new, empty)' if new else ''} at http://{where}/ "
        f"(API docs at http://{where}/docs)")
    if service.read_only:
        writes = f"are off (the index file cannot be written: {service.read_only})"
    elif settings.token:
        writes = "need the token"
    else:
        writes = f"are off (no token: set {TOKEN_ENV} to allow them)"
    say(f"wiretrace: writes {writes}; reads "
        + ("need the token" if settings.protect_reads else "are open"))
    if service.read_only and settings.token:
        say(f"wiretrace: warning: {args.db} is read-only: serving it read-only, every add "
            "answers 503")
    if not is_loopback(args.host) and not settings.protect_reads:
        say(f"wiretrace: warning: listening on {args.host} with open reads: anyone who can "
            "reach this machine can read the index (--protect-reads)")
    try:
        uvicorn_server(app, settings, access_log=not args.no_access_log).run(sockets=sockets)
    except KeyboardInterrupt:
        pass  # uvicorn stopped cleanly, then passed Ctrl-C on (as uvicorn.run expects)
    return 0
