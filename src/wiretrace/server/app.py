"""The FastAPI application: routes, error handlers and guards around one index."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from wiretrace import __version__
from wiretrace.params import TraceParams
from wiretrace.server import openapi, routes, web
from wiretrace.server.errors import install_error_handlers
from wiretrace.server.security import Guard
from wiretrace.server.service import IndexService
from wiretrace.server.settings import ServerSettings

DESCRIPTION = """\
Which passages of a news article were reused, and from where: add articles to a
persistent index and get, for each, the earlier articles it shares text with
(character offsets on both sides), the story it joins and what each version
changed.  Article ids go in paths percent-encoded as one segment (`/` as `%2F`).
Errors are JSON: `{"error": "...", "status": 422, "details": [...]}`.
"""


def create_app(db: str | os.PathLike, settings: ServerSettings | None = None,
               params: TraceParams | None = None, create: bool = True,
               service: IndexService | None = None) -> FastAPI:
    """The service over the index file ``db``, opened when the app starts.

    ``service``: the index already opened (the command line opens it first, to
    report a bad file in one line); it is closed when the app stops.
    """
    settings = settings or ServerSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = service or IndexService(db, params=params, create=create)
        try:
            yield
        finally:
            app.state.service.close()

    app = FastAPI(title="wiretrace", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json")
    app.state.settings = settings
    openapi.install(app, settings, DESCRIPTION)
    install_error_handlers(app)
    app.include_router(routes.router)
    app.include_router(web.router)
    # Outermost: the guard answers a bad Host, an oversized or non-JSON body
    # before any route reads it, and adds the browser headers to every response.
    app.add_middleware(Guard, settings=settings, router=app.router)
    return app
