"""Article ids in URLs: one percent-encoded path segment, read from the raw path.

Ids may hold any printable character, ``/`` included (ids are often URLs), and
the article routes end in words of their own (``/passages``, ``/story``,
``/versions``, ``/diff``).  Read from the decoded path, ``/api/articles/sfx/passages``
could be the article ``sfx/passages`` or the passages of ``sfx``; the router picked
the second, so such an article could be added but never read back.

The rule, applied to the path exactly as the client sent it (``raw_path``, where
``%2F`` is still distinct from ``/``):

* the id is one path segment, percent-encoded (``sfx%2Fpassages``): an encoded
  ``/`` is always part of the id, so every id has one unambiguous URL;
* for compatibility, an id sent with literal slashes still works, unless its last
  segment is one of the route words: ``/api/articles/feed/council-1`` is the
  article ``feed/council-1``, ``/api/articles/feed/council-1/versions`` its versions;
* whitespace around an id is no part of it, in a path as in an add.

:func:`canonical_article_path` turns the raw path into one the router matches
without ambiguity (the id re-encoded as one segment); :class:`ArticleIdConvertor`
decodes it again for the route, so validation and handlers see the id itself.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from starlette.convertors import Convertor, register_url_convertor

ARTICLES = "/api/articles/"
ROUTE_WORDS = frozenset({"passages", "story", "versions", "diff"})
CONVERTOR = "article_id"
# the path parameter of the article routes: /api/articles/{ARTICLE_ID}/passages
ARTICLE_ID = "{article_id:" + CONVERTOR + "}"


def article_target(raw_tail: str) -> tuple[str, str | None] | None:
    """``(id, route word or None)`` for the raw path after ``/api/articles/``.

    ``None`` when there is no id (an empty tail, or a route word alone).
    """
    segments = raw_tail.split("/")
    word = segments[-1] if len(segments) > 1 and segments[-1] in ROUTE_WORDS else None
    raw_id = "/".join(segments[:-1]) if word else raw_tail
    if not raw_id:
        return None
    return unquote(raw_id, errors="replace"), word


def canonical_article_path(path: str, raw_path: bytes | None) -> str:
    """The path the router should match: article ids as one encoded segment.

    Paths outside ``/api/articles/`` come back unchanged.  Without a raw path
    (not every ASGI server sends one) the decoded path is all there is.
    """
    raw = raw_path.decode("ascii", "replace") if raw_path else quote(path, safe="/")
    if not raw.startswith(ARTICLES):
        return path
    target = article_target(raw[len(ARTICLES):])
    if target is None:
        return path
    article_id, word = target
    return ARTICLES + quote(article_id, safe="") + (f"/{word}" if word else "")


class ArticleIdConvertor(Convertor[str]):
    """One encoded path segment, decoded: the article id the route declares."""

    regex = "[^/]+"

    def convert(self, value: str) -> str:
        # Surrounding whitespace is not part of an id: adds drop it, as the file
        # readers do, so a read does too ("x%20" is the article "x"); an id of only
        # whitespace stays as sent, and no article has it (404)
        article_id = unquote(value, errors="replace")
        return article_id.strip() or article_id

    def to_string(self, value: str) -> str:
        return quote(value, safe="")


register_url_convertor(CONVERTOR, ArticleIdConvertor())
