"""The JSON API: one declaration per operation over :class:`IndexService`.

Article ids may hold any printable character, ``/`` included (ids are often
URLs): the article routes take the id as one percent-encoded path segment
(``%2F`` for ``/``), read from the raw path (:mod:`.paths`), so that an id ending
in ``/passages`` or ``/story`` has a URL of its own.
Articles from a request are read as articles from files are
(:func:`wiretrace.ingest.records.to_article`: the id, the optional fields, the
dates), but their text is held to the rule the OpenAPI description states, no
more: not empty, not only whitespace, no unpaired surrogate.  A file reader's
guess that a text is binary (NUL bytes, mostly control characters) is about
files that are not text at all; a JSON string is text, and the description cannot
state a rule on proportions, so what it allows is taken.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BeforeValidator

from wiretrace import __version__
from wiretrace.ingest.records import SURROGATE, FieldNames, Options, to_article
from wiretrace.model import Article, Rejected
from wiretrace.server import schemas as s
from wiretrace.server.errors import ApiError, describe
from wiretrace.server.paths import ARTICLE_ID
from wiretrace.server.security import require_read, require_write
from wiretrace.server.service import IndexService
from wiretrace.server.settings import ServerSettings
from wiretrace.server.uploads import (
    MAX_NAME_CHARS,
    NAME_PATTERN,
    UploadProblem,
    check_name,
    read_upload,
)

ERRORS = {code: {"model": s.ErrorOut} for code in (400, 401, 403, 404, 413, 415, 422)}


async def known_query(request: Request) -> None:
    """A query parameter the operation does not take is refused (422), as an unknown
    field of a body is: ``?nme=feed.jsonl`` is a typo the client wants to hear about."""
    route = request.scope.get("route")
    taken = getattr(route, "wiretrace_query_names", None) if route is not None else frozenset()
    if taken is None:  # once per route: its parameters are fixed when the app is built
        taken = frozenset(_query_names(route.dependant))
        route.wiretrace_query_names = taken
    unknown = sorted(set(request.query_params) - taken)
    if unknown:
        problem = (f"unknown query parameter {', '.join(map(repr, unknown))}: this operation "
                   f"takes {', '.join(map(repr, sorted(taken))) or 'none'}")
        raise ApiError(422, problem, [{"where": f"query.{unknown[0]}", "problem": problem}])


def _query_names(dependant: Any) -> set[str]:
    """The query parameters an operation takes, its dependencies' included."""
    found = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        found |= _query_names(sub)
    return found


router = APIRouter(prefix="/api", responses=ERRORS, dependencies=[Depends(known_query)])
reads = APIRouter(dependencies=[Depends(require_read)])
writes = APIRouter(dependencies=[Depends(require_write)])
ArticleId = Path(min_length=1, max_length=512,
                 description="the article's id, percent-encoded as one path segment "
                             "(`/` as `%2F`); whitespace around it is no part of it, as "
                             "in an add")


def _digits(value: object) -> object:
    """A number in a query string must be written in digits: pydantic alone would
    read ``7\u00a0`` or `` 7`` as 7, which the description (an integer) does not allow."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError(f"expected a whole number in digits, got {describe(value)}")
    return value


DIGITS = BeforeValidator(_digits)


def _service(request: Request) -> IndexService:
    return request.app.state.service


def _settings(request: Request) -> ServerSettings:
    return request.app.state.settings


def _article(item: s.ArticleIn | s.QueryIn, where: str, settings: ServerSettings,
             query: bool = False) -> Article:
    """The request's article, checked like one read from a file.

    A query's text has a cap of its own: anyone who may read may query, and the
    cost of a query grows with its text.
    """
    limit = settings.max_query_chars if query else settings.max_article_chars
    if len(item.text) > limit:
        raise ApiError(413, f"{where}.text: {len(item.text):,} characters, over the limit of "
                            f"{limit:,} per {'query' if query else 'article'}")
    if problem := _text_problem(item.text):
        raise ApiError(422, f"{where}.text: {problem}",
                       [{"where": f"{where}.text", "problem": problem}])
    # the text, checked above, stands aside while the rest is read as from a file
    opts = Options(FieldNames(), limit, "utf-8")
    found = to_article({**item.model_dump(), "text": "text"}, "request", where, opts)
    if isinstance(found, Rejected):
        field = "published" if "published" in found.reason else "id"
        raise ApiError(422, f"{where}.{field}: {found.reason}",
                       [{"where": f"{where}.{field}", "problem": found.reason}])
    return replace(found, text=item.text)


def _text_problem(text: str) -> str | None:
    """Why the API refuses a text (the description's ``minLength`` 1 and ``pattern``
    ``schemas.TEXT_PATTERN``: a character that is not Python's whitespace), or None;
    sizes are checked before."""
    if not text:
        return "empty text"
    if text.isspace():
        return "text is only whitespace"
    if not text.isascii() and SURROGATE.search(text):
        return "invalid Unicode: unpaired surrogate in text"
    return None


def _batch(items: list[s.ArticleIn], settings: ServerSettings) -> list[Article]:
    if len(items) > settings.max_batch:
        raise ApiError(413, f"{len(items):,} articles in one request, over the limit of "
                            f"{settings.max_batch:,}: send them in smaller batches")
    # an id given twice is two adds in a row, as Index.add takes it
    return [_article(item, f"body.articles[{i}]", settings) for i, item in enumerate(items)]


def _found(value: dict | list | None, what: str) -> dict | list:
    if value is None:
        raise ApiError(404, f"no {what}")
    return value


@router.get("/health", tags=["service"], response_model=s.HealthOut, summary="Is the service up?")
async def health(request: Request) -> dict:
    settings = _settings(request)
    writes = settings.token is not None and _service(request).read_only is None
    return {"status": "ok", "version": __version__, "writes": writes,
            "protect_reads": settings.protect_reads}


@writes.post("/articles", tags=["articles"],
             response_model=s.AddResponse, summary="Add one article",
             description="Index one article and return the reuse found in earlier articles. "
                         "The same id and text again is a no-op (`unchanged`); the same id "
                         "with another text is stored as a `new_version`.")
async def add_one(body: s.ArticleIn, request: Request) -> dict:
    article = _article(body, "body", _settings(request))
    return {"results": await _service(request).add([article])}


@writes.post("/articles/batch", tags=["articles"],
             response_model=s.AddResponse, summary="Add many articles",
             description="Index the articles in order (an article can reuse one earlier in "
                         "the same batch) and return, for each, the reuse found.  An id "
                         "given twice is two adds in a row, as in two requests: the second "
                         "is `unchanged` (same text) or a `new_version`.")
async def add_batch(body: s.ArticleBatch, request: Request) -> dict:
    articles = _batch(body.articles, _settings(request))
    return {"results": await _service(request).add(articles)}


FILE_BODY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


@writes.post("/files", tags=["articles"], response_model=s.FileAddResponse,
             summary="Add the articles of a file", openapi_extra=FILE_BODY,
             description="Send a file's bytes (`Content-Type: application/octet-stream`) "
                         "and its name: JSONL, CSV, Parquet, .txt, a web page (.html, "
                         ".htm, .gz), a web archive (.warc, .arc, .gz), Reuters SGML "
                         "(.sgm) or a tar archive of .sgm files, read as `wiretrace index "
                         "add` reads the file.  Its articles are added in order, "
                         "`max_batch` to a transaction; each bad record is listed in "
                         "`rejected` with where and why, and the others are added.")
async def add_file(request: Request,
                   name: Annotated[str, Query(
                       min_length=1, max_length=MAX_NAME_CHARS,
                       json_schema_extra={"pattern": NAME_PATTERN},
                       description="the file's name (feed.jsonl, crawl.warc.gz): no folder, "
                                   "not hidden; its ending picks the reader")]) -> dict:
    try:
        name = check_name(name)
    except UploadProblem as problem:
        raise ApiError(problem.status, str(problem)) from None
    settings, service = _settings(request), _service(request)
    data = await request.body()
    articles, rejected, warnings = await service.run(read_upload, data, name,
                                                     settings.max_article_chars)
    results: list[dict] = []
    for k in range(0, len(articles), settings.max_batch):
        results += await service.add(articles[k:k + settings.max_batch])
    return {"file": name, "results": results, "rejected": [r.to_dict() for r in rejected],
            "warnings": [w.to_dict() for w in warnings]}


@reads.post("/query", tags=["articles"],
            response_model=s.ReuseOut, summary="Check an article without adding it",
            description="The passages the text shares with indexed articles, per source, and "
                        "the stories it would join.  Nothing is stored.")
async def query(body: s.QueryIn, request: Request) -> dict:
    article = _article(body, "body", _settings(request), query=True)
    return await _service(request).run(_service(request).query, article)


@reads.post("/compare", tags=["articles"], response_model=s.CompareOut,
            summary="What a text changed against an indexed article",
            description="The diff of the text (b) against the indexed article `source` (a), "
                        "as a version's diff against its base: reused passages, added, "
                        "dropped and reworded paragraphs, changed facts, spelling variants.  "
                        "Nothing is stored.")
async def compare_text(body: s.CompareIn, request: Request) -> dict:
    article = _article(body, "body", _settings(request), query=True)
    service = _service(request)
    return _found(await service.run(service.compare, article, body.source),
                  f"article {body.source!r}")


@reads.get(f"/articles/{ARTICLE_ID}/passages", tags=["articles"],
           response_model=s.PassageListOut,
           summary="An article's reused passages")
async def passages(request: Request, article_id: str = ArticleId) -> dict:
    rows = await _service(request).run(_service(request).passages, article_id)
    return {"id": article_id, "passages": _found(rows, f"article {article_id!r}")}


@reads.get(f"/articles/{ARTICLE_ID}/story", tags=["articles"],
           response_model=s.ArticleStoryOut, summary="The story an article belongs to",
           description="The story the article is in.  An article that shares no text with "
                       "another is in none: `story` is null (404 is for an article that "
                       "does not exist).")
async def story_of(request: Request, article_id: str = ArticleId) -> dict:
    row = await _service(request).run(_service(request).story_of, article_id)
    return _found(row, f"article {article_id!r}")


@reads.get(f"/articles/{ARTICLE_ID}/versions", tags=["articles"],
           response_model=s.VersionListOut,
           summary="The stored versions of an article")
async def versions(request: Request, article_id: str = ArticleId) -> dict:
    rows = await _service(request).run(_service(request).versions, article_id)
    return {"id": article_id, "versions": _found(rows, f"article {article_id!r}")}


@reads.get(f"/articles/{ARTICLE_ID}/diff", tags=["articles"], response_model=s.VersionDiffOut,
           summary="What a version of an article changed against the one before")
async def version_diff(request: Request, article_id: str = ArticleId,
                       version: Annotated[int | None, Query(
                           ge=1, le=1_000_000, description="default: the latest"),
                           DIGITS] = None) -> dict:
    row = await _service(request).run(_service(request).version_diff, article_id, version)
    if row is False:  # the first version: it exists, nothing comes before it
        return {"id": article_id, "version": version or 1, "against": None, "diff": None}
    what = f"article {article_id!r}" + (f" version {version}" if version else "")
    return _found(row, what)


@reads.get(f"/articles/{ARTICLE_ID}", tags=["articles"],
           response_model=s.ArticleOut, summary="An article")
async def article(request: Request, article_id: str = ArticleId,
                  version: Annotated[int | None, Query(
                      ge=1, le=1_000_000, description="a stored version (default: the latest)"),
                      DIGITS] = None) -> dict:
    row = await _service(request).run(_service(request).article, article_id, version)
    what = f"article {article_id!r}" + (f" version {version}" if version else "")
    return _found(row, what)


@reads.get("/stories", tags=["stories"],
           response_model=s.StoryListOut, summary="Stories, largest first")
async def stories(request: Request,
                  limit: Annotated[int, Query(ge=1, le=1000), DIGITS] = 50,
                  offset: Annotated[int, Query(ge=0, le=10_000_000), DIGITS] = 0) -> dict:
    return await _service(request).run(_service(request).stories, limit, offset)


@reads.get("/stories/{story_id}", tags=["stories"], response_model=s.StoryDetailOut,
           summary="A story with its versions and their diffs",
           description="Each version other than the origin is diffed against the origin "
                       "when the origin is one of its sources (or it has none), otherwise "
                       "against its main source, the version it took most text from: "
                       "each diff's `a`.")
async def story(request: Request, story_id: str = Path(min_length=1, max_length=200)) -> dict:
    row = await _service(request).run(_service(request).story, story_id)
    return _found(row, f"story {story_id!r}")


@reads.get("/search", tags=["search"],
           response_model=s.SearchOut, summary="Articles whose text matches")
async def search(request: Request,
                 q: str = Query(min_length=1, max_length=10_000, description="words to find"),
                 limit: Annotated[int, Query(ge=1, le=100), DIGITS] = 10) -> dict:
    if not q.strip():
        raise ApiError(422, "query.q: nothing to search for (only whitespace)",
                       [{"where": "query.q", "problem": "only whitespace"}])
    hits = await _service(request).run(_service(request).search, q, limit)
    return {"query": q, "results": hits}


@reads.get("/stats", tags=["service"], summary="Counts and sizes of the index")
async def stats(request: Request) -> dict:
    return await _service(request).run(_service(request).stats)


router.include_router(writes)
router.include_router(reads)
