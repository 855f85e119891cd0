"""Marking spans in a text as HTML, for the report: nested, never straddling.

Markup scheme: each text is cut at every span boundary (passages, added and
dropped ranges, moved ranges, word changes, spelling variants, changed
facts) into segments.
Each segment is emitted on its own with one element per span covering it,
always nested in the same order, so elements never straddle each other:
``<mark class="reused" data-passage="K">`` (outermost; the same K on both
sides of a pair), ``<ins class="added">`` / ``<del class="dropped">``,
``<span class="moved">``, ``<span class="credit">`` (a source credited),
``<span class="variant">``,
``<span class="word-change">`` (its title gives the other side's words) and
``<span class="fact" data-kind="number">`` (innermost: a changed fact).  The
page has no external resources at all (a Content-Security-Policy forbids
them) and works without JavaScript, which only links the two halves of a
passage on hover and click.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

# Nesting order of span kinds, outermost first.
_ORDER = {"reused": 0, "added": 1, "dropped": 1, "moved": 2, "credit": 3, "variant": 4,
          "word": 5, "fact": 6}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    open_tag: str
    close_tag: str


def escaped(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def text_html(value: str) -> str:
    # A bare CR would be folded into LF by the HTML parser; keep it as a reference.
    return escape(value, quote=False).replace("\r", "&#13;").replace("\0", "\ufffd")


def span(text: str, start: int | None, end: int | None, kind: str, open_tag: str,
          close_tag: str) -> Span | None:
    """A span clipped to the text, or None when it is empty or unusable."""
    if start is None or end is None:
        return None
    try:
        s, t = max(0, int(start)), min(len(text), int(end))
    except (TypeError, ValueError):
        return None
    return Span(s, t, kind, open_tag, close_tag) if s < t else None


def marked_up(text: str, spans: list[Span | None]) -> str:
    """The text as HTML, each segment wrapped in every span that covers it."""
    live = sorted((s for s in spans if s is not None), key=lambda s: (_ORDER[s.kind], s.start))
    cuts = sorted({0, len(text), *(s.start for s in live), *(s.end for s in live)})
    starts: dict[int, list[int]] = {}
    for i, s in enumerate(live):
        starts.setdefault(s.start, []).append(i)
    active: set[int] = set()
    out: list[str] = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        active = {i for i in active if live[i].end > lo} | set(starts.get(lo, ()))
        cover = sorted(active)
        out.extend(live[i].open_tag for i in cover)
        out.append(text_html(text[lo:hi]))
        out.extend(live[i].close_tag for i in reversed(cover))
    return "".join(out)
