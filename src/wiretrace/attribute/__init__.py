"""Attribution: who each article credits for what.

One stage, in three steps: a CRF trained on PolNeAR tags every token as
part of a source, cue or content span (``features.py``, ``tagger.py``); the
spans are tied into attributions with a kind, a medium and normalised
entities (``assemble.py``, ``entities.py``); wire-copy credits to outlets
the tagger may not mark are added by pattern (``rules.py``).

    >>> from wiretrace.attribute import attribute_text
    >>> [a.source_entity for a in attribute_text("Rain is due, Reuters reported.")]
    ['Reuters']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from wiretrace.attribute.assemble import attributions, kind_of, medium_after
from wiretrace.attribute.entities import EntityResolver, is_credit, is_medium, outlet_of
from wiretrace.attribute.features import tokenize
from wiretrace.attribute.rules import rule_credits
from wiretrace.attribute.tagger import spans_from_tags, tag
from wiretrace.model import Article
from wiretrace.model.attributions import Attribution

__all__ = ["Attribution", "attribute_articles", "attribute_text", "credited_entities"]


def attribute_text(text: str, article: str = "") -> list[Attribution]:
    """Every attribution of ``text``, in text order, offsets into ``text``."""
    tokens = tokenize(text)
    tagged = attributions(article, tokens, spans_from_tags(tag(tokens)))
    credits = rule_credits(text)
    found = []
    for item in tagged:
        # a pattern's credit to an outlet wins over a tagged cue it overlaps; a
        # tagged cue that runs into it ("confirmed the meeting first reported")
        # keeps its part before
        if item.source_start is not None and any(
                item.source_start <= c.cue[0] and c.cue[1] <= (item.source_end or 0)
                for c in credits):
            continue  # "Vanguard reports that Nigerian Legislature" is no source
        clash = [c.cue for c in credits if c.cue[0] < item.cue_end and item.cue_start < c.cue[1]]
        if clash:
            cut = len(text[item.cue_start:min(c[0] for c in clash)].rstrip())
            if cut <= 0:
                continue
            item = replace(item, cue_end=item.cue_start + cut,
                           cue_text=text[item.cue_start:item.cue_start + cut])
        found.append(item)
    for credit in credits:
        source_text = text[credit.source[0]:credit.source[1]]
        content = text[credit.content[0]:credit.content[1]] if credit.content else None
        cue_text = text[credit.cue[0]:credit.cue[1]]
        outlet = outlet_of(source_text)
        medium = medium_after(text, *credit.cue)
        found.append(Attribution(
            article=article, source_start=credit.source[0], source_end=credit.source[1],
            cue_start=credit.cue[0], cue_end=credit.cue[1],
            content_start=credit.content[0] if credit.content else None,
            content_end=credit.content[1] if credit.content else None,
            kind=kind_of(cue_text, content, True), source_text=source_text,
            source_entity=outlet, medium_entity=medium[0] if medium else None,
            cue_text=cue_text, content_text=content, medium_start=medium[1] if medium else None,
            medium_end=medium[2] if medium else None))
    return resolve_entities(text, found)


def resolve_entities(text: str, found: list[Attribution]) -> list[Attribution]:
    """Sources normalised in reading order (surnames and pronouns need the
    names before them); a source that is an outlet is its own medium."""
    resolver = EntityResolver(text)
    resolved = []
    for item in sorted(found, key=lambda a: a.source_start if a.source_start is not None
                       else a.cue_start):
        entity = resolver.resolve(item.source_text, item.source_start) \
            if item.source_text else None
        medium = item.medium_entity
        if medium is None and item.source_text and is_medium(item.source_text):
            medium = entity
        before = text[max(0, item.cue_start - 30):item.cue_start]
        resolved.append(replace(item, source_entity=entity, medium_entity=medium,
                                is_credit=is_credit(item.cue_text, item.source_text, entity,
                                                    before),
                                source_named=entity in resolver.named))
    return sorted(resolved, key=lambda a: (a.cue_start, a.cue_end))


def attribute_articles(articles: Iterable[Article]) -> list[Attribution]:
    """The attributions of every article, article by article."""
    return [found for article in articles for found in attribute_text(article.text, article.id)]


def credited_entities(found: list[Attribution]) -> list[str]:
    """The entities credited, each once, in text order."""
    return list(dict.fromkeys(e for item in found for e in item.credited))
