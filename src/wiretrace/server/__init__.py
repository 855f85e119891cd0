"""The HTTP service over the persistent index: JSON API, OpenAPI docs, web page.

``wiretrace serve DB`` runs it on uvicorn; from Python::

    from wiretrace.server.app import create_app
    from wiretrace.server.settings import ServerSettings
    app = create_app("news.db", ServerSettings(token="a-long-random-secret"))

This package imports nothing heavy itself, so the ``wiretrace`` command starts
fast; FastAPI and uvicorn load only in :mod:`wiretrace.server.app`.
"""
