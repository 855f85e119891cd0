"""The OpenAPI description of one running server: what it does, no more and no less.

FastAPI describes every operation that depends on the bearer scheme as needing
it, and every operation with the errors declared for the whole router.  What
a given server does depends on how it was started: reads need the token only
with ``--protect-reads``, writes need it only when the server has one (without,
every write is a 403), an index file that cannot be written makes every write
a 503, and the limits are the server's own.  :func:`describe_server` rewrites
FastAPI's description to say exactly that, so that a client, or a tool that
generates requests from the description (schemathesis), expects what happens.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from wiretrace.server import routes
from wiretrace.server.settings import ServerSettings

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
REASONS = {"400": "Malformed request, JSON body or Host header",
           "401": "Missing or wrong token", "403": "This server takes no writes (no token)",
           "404": "No such article, story or version",
           "413": "Body, article, query or batch over the server's limit",
           "415": "The body is not of the type the operation takes (JSON, or a file's bytes "
                  "of a kind wiretrace reads)", "422": "Invalid fields",
           "503": "The index file cannot be written: this server takes no adds"}


def _operations(router: APIRouter, prefix: str = "/api") -> set[tuple[str, str]]:
    """``(method, path)`` of the router's operations, as the description names them."""
    return {(method.lower(), prefix + route.path_format) for route in router.routes
            if isinstance(route, APIRoute) for method in route.methods}


# operations whose body names an indexed article (an unknown one is a 404)
BODY_NAMES_ARTICLE = {"/api/compare"}


def _errors(kind: str, path: str, op: dict, protected: bool,
            settings: ServerSettings) -> set[str]:
    """The error statuses an operation of this server can answer (besides 405)."""
    codes = {"400"}
    if op.get("parameters") or "requestBody" in op:
        codes.add("422")
    if any(p.get("in") == "path" for p in op.get("parameters", [])) or \
            path in BODY_NAMES_ARTICLE:
        codes.add("404")
    if "requestBody" in op:
        codes |= {"413", "415"}
    if protected:
        codes.add("401")
    if kind == "write":
        codes |= {"503"} | ({"403"} if settings.token is None else set())
    return codes


def _limits(path: str, settings: ServerSettings) -> str:
    if path in ("/api/query", "/api/compare"):
        return (f"  The text may hold up to {settings.max_query_chars:,} characters (413 "
                "above).")
    if path == "/api/articles":
        return (f"  The text may hold up to {settings.max_article_chars:,} characters, the "
                f"body {settings.max_body_bytes:,} bytes (413 above).")
    if path == "/api/articles/batch":
        return (f"  At most {settings.max_batch:,} articles, texts up to "
                f"{settings.max_article_chars:,} characters, the body "
                f"{settings.max_body_bytes:,} bytes (413 above).")
    if path == "/api/files":
        return (f"  The file may hold up to {settings.max_body_bytes:,} bytes, its texts up "
                f"to {settings.max_article_chars:,} characters (413 above; a longer text is "
                "a rejected record).")
    return ""


def describe_server(schema: dict[str, Any], settings: ServerSettings,
                    read_only: bool = False) -> dict[str, Any]:
    """FastAPI's description, made to say what this server does (changed in place)."""
    reads, writes = _operations(routes.reads), _operations(routes.writes)
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            kind = ("write" if (method, path) in writes else
                    "read" if (method, path) in reads else "open")
            protected = (kind == "write" and settings.token is not None and not read_only) \
                or (kind == "read" and settings.protect_reads)
            if not protected:
                op.pop("security", None)
            if not path.startswith("/api/"):
                continue
            codes = _errors(kind, path, op, protected, settings)
            responses = op.setdefault("responses", {})
            for code in [c for c in responses if c[0] in "45" and c not in codes]:
                del responses[code]
            for code in sorted(codes - set(responses)):
                responses[code] = {"description": REASONS[code],
                                   "content": {"application/json": {"schema": ERROR_REF}}}
            if limits := _limits(path, settings):
                op["description"] = (op.get("description") or op.get("summary", "")) + limits
    return schema


def server_summary(settings: ServerSettings, read_only: bool) -> str:
    """The lines of the description that depend on how the server was started."""
    if read_only:
        writes = "This server takes no adds: its index file cannot be written (503)."
    elif settings.token is None:
        writes = "This server takes no adds: it was started without a token (403)."
    else:
        writes = "Adds need the server's token (`Authorization: Bearer <token>`)."
    reads = ("Reads need the token too." if settings.protect_reads else
             "Reads and queries are open: they need no token.")
    return f"{writes}  {reads}"


def install(app: FastAPI, settings: ServerSettings, description: str) -> None:
    """Serve the description of this server (built on first request, then kept)."""
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            service = getattr(app.state, "service", None)
            read_only = bool(getattr(service, "read_only", None))
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes,
                                 description=description + "\n"
                                 + server_summary(settings, read_only))
            app.openapi_schema = describe_server(schema, settings, read_only)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
