"""The web page and the API docs, served from package data by the same process.

Only a fixed list of files is served, read from the installed package, so no
part of a request ever becomes a file-system path.  Swagger UI comes from the
``fastapi-offline`` package (its static files), not from a CDN.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from wiretrace.server.errors import ApiError

router = APIRouter(include_in_schema=False)

PAGE_FILES = {"app.js": "text/javascript", "render.js": "text/javascript", "app.css": "text/css",
              "favicon.svg": "image/svg+xml"}
DOCS_FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}


def _page_file(name: str) -> bytes:
    return (resources.files("wiretrace.server") / "static" / name).read_bytes()


def _docs_file(name: str) -> bytes:
    return (resources.files("fastapi_offline") / "static" / name).read_bytes()


@router.get("/", response_class=HTMLResponse)
async def page() -> Response:
    return Response(_page_file("index.html"), media_type="text/html; charset=utf-8")


@router.get("/static/{name}")
async def static(name: str) -> Response:
    if name not in PAGE_FILES:
        raise ApiError(404, f"no static file {name!r}")
    return Response(_page_file(name), media_type=PAGE_FILES[name],
                    headers={"cache-control": "no-cache"})


@router.get("/docs", response_class=HTMLResponse)
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="wiretrace API",
                               swagger_js_url="/docs/static/swagger-ui-bundle.js",
                               swagger_css_url="/docs/static/swagger-ui.css",
                               swagger_favicon_url="/static/favicon.svg",
                               # no spec validation badge from swagger.io
                               swagger_ui_parameters={"validatorUrl": None})


@router.get("/docs/static/{name}")
async def docs_static(name: str) -> Response:
    if name not in DOCS_FILES:
        raise ApiError(404, f"no docs file {name!r}")
    return Response(_docs_file(name), media_type=DOCS_FILES[name],
                    headers={"cache-control": "max-age=86400"})
