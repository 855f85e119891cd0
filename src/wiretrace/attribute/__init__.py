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

from wiretrace.attribute.assemble import attributions, make_attribution
from wiretrace.attribute.entities import EntityResolver, is_credit, is_medium
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
    # a pattern's source reads as an outlet (rules.py), whether named or not
    found += [make_attribution(article, text, c.source, c.cue, c.content, True)
              for c in credits]
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
