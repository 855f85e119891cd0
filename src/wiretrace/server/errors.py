"""Every error the service returns is one JSON shape, never a stack trace.

``{"error": "<one clear sentence>", "status": <code>, "details": [...] | null}``:
validation problems list where (``body.articles[2].text``) and what; an
unexpected exception is logged with a reference the client gets instead of
the internals.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from wiretrace.index.integrity import damage_hint, safe_reason
from wiretrace.ingest.records import kind
from wiretrace.server.schemas import PUBLISHED_HELP

log = logging.getLogger("wiretrace.server")

REASONS = {400: "bad request", 401: "authentication needed", 403: "forbidden",
           404: "not found", 405: "method not allowed", 408: "request timeout",
           413: "request too large", 415: "unsupported media type", 422: "invalid request",
           500: "internal error", 503: "service unavailable"}
OBJECT_EXPECTED = {"model_attributes_type", "dict_type", "model_type", "missing"}


class ApiError(Exception):
    """An expected failure with its status and message (raised by the routes)."""

    def __init__(self, status: int, message: str, details: list[dict] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.details, self.headers = status, message, details, headers


def error_body(status: int, message: str, details: list[dict] | None = None) -> dict:
    return {"error": message, "status": status, "details": details}


def error_response(status: int, message: str, details: list[dict] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message, details), status_code=status,
                        headers=headers)


def _where(loc: tuple | list) -> str:
    """``("body", "articles", 2, "text")`` -> ``body.articles[2].text``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def a_kind(value: Any) -> str:
    """``an array``, ``a string``, ``null``: a JSON value's type with its article."""
    name = kind(value)
    return name if name == "null" else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _problem(error: dict) -> str:
    """What is wrong with one field, in words a person reads (pydantic's, else)."""
    loc, what, given = tuple(error.get("loc", ())), error.get("type"), error.get("input")
    field = loc[-1] if loc else None
    if loc == ("body",) and what in OBJECT_EXPECTED:
        return f"the body must be a JSON object, not {a_kind(given)}"
    if what in OBJECT_EXPECTED - {"missing"}:
        return f"must be a JSON object, not {a_kind(given)}"
    if what == "list_type":
        return f"must be an array, not {a_kind(given)}"
    if what == "string_type":
        return f"must be a string, not {a_kind(given)}"
    if what == "string_pattern_mismatch" and field == "published":
        return f"unparseable published date {describe(given)}: the API takes {PUBLISHED_HELP}"
    if what == "string_pattern_mismatch" and field == "id":
        return "an id needs a character other than a space, and no control characters"
    if what == "value_error" and (error.get("ctx") or {}).get("error"):
        return str(error["ctx"]["error"])  # our own validators' words, without "Value error, "
    return error.get("msg", "invalid")


def _validation(exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    for e in errors:
        if e.get("type") == "json_invalid":
            # A body that is not JSON at all is a bad request, not a bad field.
            pos = e.get("loc", (None, None))[-1]
            reason = str((e.get("ctx") or {}).get("error", ""))
            return error_response(400, f"malformed JSON body: {_json_problem(reason)} "
                                       f"at character {pos}")
    details = [{"where": _where(e.get("loc", ())), "problem": _problem(e)} for e in errors]
    shown = "; ".join(f"{d['where']}: {d['problem']}" for d in details[:3]) or "invalid request"
    more = f" (and {len(details) - 3} more)" if len(details) > 3 else ""
    return error_response(422, shown + more, details)


# Python's JSON messages, in words a person reads (they end on a dangling "at")
JSON_PROBLEMS = (
    ("Unterminated string", "a string that never ends"),
    ("Invalid control character", "a control character inside a string"),
    ("Invalid \\escape", "a backslash escape that JSON does not have"),
    ("Invalid \\u", "a backslash escape that JSON does not have"),
    ("Expecting property name", "a key that is not in double quotes"),
    ("Expecting ','", "a missing comma"),
    ("Expecting ':'", "a missing colon"),
    ("Expecting value", "a missing value"),
    ("Extra data", "more text after the JSON value"),
)


def _json_problem(reason: str) -> str:
    for start, words in JSON_PROBLEMS:
        if reason.startswith(start):
            return words
    return "text that is not JSON"


def _unreadable(cause: BaseException | None) -> str:
    """Why FastAPI could not parse a body (it keeps the reason as the cause)."""
    if isinstance(cause, UnicodeDecodeError):
        return (f"the request body is not UTF-8 (byte {cause.start} is "
                f"0x{cause.object[cause.start]:02x})")
    if isinstance(cause, RecursionError):
        return "the request body is JSON nested too deeply"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "the request body holds a number too long to read"
    return "the request body could not be read as JSON"


def install_error_handlers(app: FastAPI) -> None:
    """Route every kind of failure to the one JSON error shape."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404 and exc.detail == "Not Found":
            message = f"no such endpoint: {request.method} {request.url.path}"
        elif exc.status_code == 405:
            message = f"method {request.method} not allowed on {request.url.path}"
        elif exc.status_code == 400 and "parsing the body" in str(exc.detail):
            message = _unreadable(exc.__cause__)
        else:
            message = str(exc.detail) if exc.detail else REASONS.get(exc.status_code, "error")
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))

    # Unexpected exceptions are answered by the Guard middleware (security.py),
    # which, unlike a handler here, keeps the client's connection usable.


def unexpected(exc: BaseException, method: str, path: str) -> str:
    """Log an unexpected exception with its traceback; the reference for the client.

    SQLite's errors about a damaged text quote the text: the log gets the message
    without it (the operator needs where, not what), and a hint to check the file.
    """
    ref = secrets.token_hex(6)
    shown, hint = exc, ""
    if isinstance(exc, sqlite3.Error):
        shown = type(exc)(safe_reason(exc))
        if damage_hint(exc):
            hint = " (the index file may be damaged: 'wiretrace index check DB' lists where)"
    log.error("unexpected error %s on %s %s%s", ref, method, path, hint,
              exc_info=(type(shown), shown, exc.__traceback__))
    return ref


def internal_message(ref: str, exc: BaseException | None = None) -> str:
    where = f"internal error (reference {ref} in the server log)"
    return where + (": the index file could not be used" if isinstance(exc, sqlite3.Error)
                    else "")


def error_bytes(status: int, message: str) -> bytes:
    """The JSON error body, for the raw ASGI middlewares that answer before routing."""
    return json.dumps(error_body(status, message)).encode()


def describe(value: Any, limit: int = 60) -> str:
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."
