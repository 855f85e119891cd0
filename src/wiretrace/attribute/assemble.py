"""Tagged spans tied into attributions: each cue with its source and content.

The tagger marks spans, not which belong together.  Ties, by distance:
- a **content** piece joins the nearest cue of its sentence, else the nearest
  within one sentence either side (a quote whose "he said" closes the next
  sentence); pieces of one cue make one span, first to last;
- a **source** joins the nearest cue of its sentence that has none yet.

Then each attribution gets its ``kind`` and its medium ("told The
Associated Press"); its source entity is resolved later, over the whole text
in reading order (``entities.py``).
"""

from __future__ import annotations

import re

from wiretrace.attribute.entities import is_medium, leading_name, outlet_of
from wiretrace.attribute.features import CLOSING_MARKS, OPENING_QUOTES, Tokens
from wiretrace.model.attributions import Attribution

TokenSpan = tuple[str, int, int]  # type, first token, end token
# the outlet a source's words were given to: "told The Associated Press",
# "told broadcaster BFM", "in an interview with CNN"
MEDIUM_AFTER_CUE = re.compile(
    r"^\s*(?:(?:to|with)\s+)?((?:the\s+)?(?:(?:news agency|broadcaster|newspaper|channel|"
    r"network|daily|radio|television)\s+)?[A-Z][\w.’'&-]*(?:\s+(?:of\s+)?[A-Z0-9][\w.’'&-]*)*)")
MEDIUM_CUES = re.compile(r"\b(told|telling|interview|speaking|spoke|quoted by)\b", re.I)
QUOTE_MARKS = set(OPENING_QUOTES) | CLOSING_MARKS | {'"'}
TRAILING_DAY = re.compile(r"\s+(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
                          r"Sunday|January|February|March|April|May|June|July|August|September|"
                          r"October|November|December|Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\b.*$")


def _distance(a: TokenSpan, b: TokenSpan) -> int:
    return max(a[1] - b[2], b[1] - a[2], 0)


def tie(tokens: Tokens, spans: list[TokenSpan]) -> list[tuple[TokenSpan | None, TokenSpan,
                                                              list[TokenSpan]]]:
    """(source, cue, content pieces) for every cue, in text order."""
    cues = [s for s in spans if s[0] == "Cue"]
    if not cues:
        return []
    sentence = tokens.sentence
    sources: dict[int, TokenSpan] = {}
    contents: dict[int, list[TokenSpan]] = {i: [] for i in range(len(cues))}
    for span in spans:
        if span[0] == "Content":
            here = sentence[span[1]]
            near = [(abs(int(sentence[c[1]]) - int(here)), _distance(span, c), i)
                    for i, c in enumerate(cues) if abs(int(sentence[c[1]]) - int(here)) <= 1]
            if near:
                contents[min(near)[2]].append(span)
    for span in sorted((s for s in spans if s[0] == "Source"), key=lambda s: s[1]):
        near = sorted((_distance(span, c), i) for i, c in enumerate(cues)
                      if sentence[c[1]] == sentence[span[1]] and i not in sources)
        if near:
            sources[near[0][1]] = span
    return [(sources.get(i), cue, contents[i]) for i, cue in enumerate(cues)]


# what may follow a closing cue before the stop: "..., API added today."
CLOSING_CUE_TAIL = re.compile(r"^(?:\s+(?:on|in|at|last|this|late|early|earlier|later|today|"
                              r"yesterday|tonight|here|there|a|an|the|its|his|her|their|"
                              r"statement|interview|[A-Z][a-z]+day|\d+))*\s*[.!?]")
OPENING_QUOTE_AFTER_CUE = re.compile(r"^\s*,?\s*[“\"]")


def content_by_layout(tokens: Tokens, cue: TokenSpan, source: TokenSpan | None
                      ) -> tuple[int, int] | None:
    """A content the tagger missed that the sentence's shape gives away:

    - a cue that closes its sentence after the source ("Imports fell 3 pct,
      API added."): the clause before the source's comma;
    - a cue followed by a quotation ("The summary said, \"These reforms ...\""):
      the quotation, marks included."""
    text, starts, ends = tokens.text, tokens.starts, tokens.ends
    cue_end = int(ends[cue[2] - 1])
    after = text[cue_end:cue_end + 200]
    if OPENING_QUOTE_AFTER_CUE.match(after):
        opening = cue_end + after.index(after.lstrip(" ,")[0])
        mark = text[opening]
        closing = text.find("”" if mark == "“" else '"', opening + 1)
        paragraph = text.find("\n\n", opening)
        if closing > 0 and (paragraph < 0 or closing < paragraph):
            return opening, closing + 1
        return None
    if source is None or source[1] > cue[1] or not CLOSING_CUE_TAIL.match(after):
        return None
    sentence = tokens.sentence[source[1]]
    first = source[1]
    while first > 0 and tokens.sentence[first - 1] == sentence:
        first -= 1
    before = text[int(starts[first]):int(starts[source[1]])].rstrip()
    if first == source[1] or not before.endswith(","):
        return None
    return int(starts[first]), int(starts[first]) + len(before) - 1


def kind_of(cue_text: str, content: str | None, source_is_medium: bool) -> str:
    cue = cue_text.lower()
    if content and content[0] in QUOTE_MARKS:
        return "direct_quote"
    if cue.startswith("according"):
        return "according_to"
    if source_is_medium or "report" in cue or "quot" in cue or "cit" in cue:
        return "reported_by"
    return "indirect"


def medium_after(text: str, cue_start: int, cue_end: int) -> tuple[str, int, int] | None:
    """The outlet named right after a cue such as "told", if it is one, and where."""
    if not MEDIUM_CUES.search(text[cue_start:cue_end]):
        return None
    found = MEDIUM_AFTER_CUE.match(text[cue_end:cue_end + 80])
    if found:
        # "The Associated Press. He said", "broadcaster BFM Friday"
        named = TRAILING_DAY.sub("", re.split(r"\.\s", found.group(1))[0])
        entity = outlet_of(named) or leading_name(named) if is_medium(named) else None
        if entity:
            start = cue_end + found.start(1)
            return entity, start, start + len(named.rstrip("."))
    return None


CharSpan = tuple[int, int]


def make_attribution(article: str, text: str, source: CharSpan | None, cue: CharSpan,
                     content: CharSpan | None, source_is_medium: bool) -> Attribution:
    """One attribution from its character spans: texts, kind and medium; the
    entities are left for :func:`wiretrace.attribute.resolve_entities`, which reads
    the whole text in order."""
    source_text = text[source[0]:source[1]] if source else None
    content_text = text[content[0]:content[1]] if content else None
    cue_text = text[cue[0]:cue[1]]
    medium = medium_after(text, *cue)
    return Attribution(
        article=article, source_start=source[0] if source else None,
        source_end=source[1] if source else None, cue_start=cue[0], cue_end=cue[1],
        content_start=content[0] if content else None,
        content_end=content[1] if content else None,
        kind=kind_of(cue_text, content_text, source_is_medium), source_text=source_text,
        source_entity=None, medium_entity=medium[0] if medium else None, cue_text=cue_text,
        content_text=content_text, medium_start=medium[1] if medium else None,
        medium_end=medium[2] if medium else None)


def attributions(article: str, tokens: Tokens, spans: list[TokenSpan]) -> list[Attribution]:
    """The tagged spans of a text, tied into attributions."""
    text, starts, ends = tokens.text, tokens.starts, tokens.ends
    found = []
    for source, cue, pieces in tie(tokens, spans):
        cue_span = (int(starts[cue[1]]), int(ends[cue[2] - 1]))
        source_span = (int(starts[source[1]]), int(ends[source[2] - 1])) if source else None
        if pieces:
            content = (int(starts[min(p[1] for p in pieces)]),
                       int(ends[max(p[2] for p in pieces) - 1]))
        else:
            content = content_by_layout(tokens, cue, source)
        is_outlet = source_span is not None and \
            outlet_of(text[source_span[0]:source_span[1]]) is not None
        found.append(make_attribution(article, text, source_span, cue_span, content,
                                      is_outlet))
    return found
