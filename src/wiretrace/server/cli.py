"""``wiretrace serve DB``: the HTTP service and its web page, on uvicorn.

Registered by :mod:`wiretrace.cli` through :func:`add_parser`; FastAPI and
uvicorn are imported only when the command runs, so the other commands start
as fast as before.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from wiretrace.parallel import default_workers
from wiretrace.server.settings import (
    DEFAULT_MAX_ARTICLE_CHARS,
    DEFAULT_MAX_BATCH,
    DEFAULT_MAX_BODY_BYTES,
    ServerSettings,
    is_loopback,
)

TOKEN_ENV = "WIRETRACE_TOKEN"


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return int(value)


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
                              max_batch=args.max_batch, allowed_hosts=hosts)
    except ValueError as e:
        args.parser.error(str(e))
        raise  # not reached: error() exits


def run(args: argparse.Namespace, out: Any, err: Any) -> int:
    """Serve until interrupted (the ``func`` of the ``serve`` command)."""
    import uvicorn

    from wiretrace.index import IndexFileError
    from wiretrace.server.app import create_app
    from wiretrace.server.service import IndexService

    def say(line: str) -> None:
        err.print(line, markup=False, highlight=False, soft_wrap=True)

    settings = settings_from(args)
    new = not args.db.exists()
    try:
        service = IndexService(args.db, workers=args.workers or default_workers())
    except (IndexFileError, ValueError, OSError) as e:
        say(f"wiretrace: error: {e}")
        return 1
    app = create_app(args.db, settings, service=service)
    where = f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}"
    say(f"wiretrace: serving {args.db}{' (new, empty)' if new else ''} at {where}/ "
        f"(API docs at {where}/docs)")
    say("wiretrace: writes " + ("need the token" if settings.token else
                                f"are off (no token: set {TOKEN_ENV} to allow them)")
        + "; reads " + ("need the token" if settings.protect_reads else "are open"))
    if not is_loopback(args.host) and not settings.protect_reads:
        say(f"wiretrace: warning: listening on {args.host} with open reads: anyone who can "
            "reach this machine can read the index (--protect-reads)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="info",
                access_log=not args.no_access_log, server_header=False)
    return 0
