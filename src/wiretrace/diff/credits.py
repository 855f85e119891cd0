"""What one version did to the other's credits.

- **added / dropped**: an entity (a source or a medium, normalised) credited
  in one version and nowhere in the other;
- **recredited**: the same reused text credited to another source;
- **credit_cut**: the words kept, the credit gone ("..., the AP news agency
  reports quoting an analyst" cut from a lead that b keeps; ``b_entity``
  is ``None``);
- **quote_altered**: a direct quote found in both versions whose words
  changed (punctuation and brackets aside: "(Wagner)" and "[Wagner]" are the
  same quote).

Reused text is found through the diff's aligned passages; an attribution
stands for its content, or for its sentence when the tagger found no content.
"""

from __future__ import annotations

import re

from wiretrace.attribute import attribute_text
from wiretrace.attribute.entities import outlet_of
from wiretrace.attribute.rules import CLAUSE_END, PARAGRAPH_START
from wiretrace.model import SpellingVariant
from wiretrace.model.attributions import Attribution, Credit, CreditChange
from wiretrace.model.passages import Passage
from wiretrace.text.tokens import Tokens

WORD = re.compile(r"\w+")


def attributions_of(text: str, tokens: Tokens) -> list[Attribution]:
    """The text's credits (the attributions that credit someone: all a diff
    compares), kept with its tokens, as an origin meets every version; a batch
    run fills the slot from its attribution stage instead."""
    if tokens.facts.attributions is None:
        tokens.facts.attributions = [a for a in attribute_text(text) if a.is_credit]
    return tokens.facts.attributions


def entity_key(entity: str) -> str:
    """How two spellings of one name compare: case, possessives, punctuation and
    middle initials aside ("Shamrock Capital L.P" and "Shamrock Capital LP",
    "Moody's" and "Moody", "Sonya A. Zoghlin" and "Sonya Zoghlin")."""
    plain = re.sub(r"[’']s\b", "", entity.casefold())
    words = re.sub(r"[^\w\s-]", "", plain).split()
    # middle initials and Jr/Sr: "James P. Kennedy Jr" is "James Kennedy"
    kept = [w for w in words if len(w) > 1 and w not in ("jr", "sr")]
    return " ".join(kept or words)


def _credits(found: list[Attribution]) -> dict[str, Credit]:
    """Each named entity credited (a person, an organisation, an outlet), first
    place it is named; one entity under a short and a long name counted once."""
    credits: dict[str, Credit] = {}
    for item in found:
        if not item.is_credit:
            continue
        named = []
        if item.source_entity and item.source_named and item.source_start is not None \
                and item.source_end is not None:
            named.append(Credit(item.source_entity, item.source_start, item.source_end,
                                item.source_text or ""))
        if item.medium_entity and item.medium_start is not None and item.medium_end is not None:
            named.append(Credit(item.medium_entity, item.medium_start, item.medium_end,
                                item.medium_entity))
        for credit in named:
            key = entity_key(credit.entity)
            if key and key not in credits and not _same_entity(key, set(credits)):
                credits[key] = credit
    return credits


def _scope(item: Attribution, text: str) -> tuple[int, int]:
    """The text an attribution vouches for: its content, else its sentence."""
    if item.content_start is not None and item.content_end is not None:
        return item.content_start, item.content_end
    breaks = [m.end() for m in PARAGRAPH_START.finditer(text, 0, item.cue_start)]
    start = max(text.rfind(". ", 0, item.cue_start) + 2, breaks[-1] if breaks else 0)
    stop = CLAUSE_END.search(text, item.cue_end)
    return start, stop.end() if stop else len(text)


def _to_a(passages: list[Passage], start: int, end: int) -> list[tuple[int, int]]:
    """The a-side ranges a b-side range is aligned with (scaled inside each passage)."""
    ranges = []
    for p in passages:
        lo, hi = max(start, p.b_start), min(end, p.b_end)
        if lo >= hi:
            continue
        scale = (p.a_end - p.a_start) / max(1, p.b_end - p.b_start)
        ranges.append((p.a_start + int((lo - p.b_start) * scale),
                       p.a_start + int((hi - p.b_start) * scale)))
    return ranges


def _overlap(ranges: list[tuple[int, int]], start: int, end: int) -> int:
    return sum(max(0, min(e, end) - max(s, start)) for s, e in ranges)


def _entities(item: Attribution) -> set[str]:
    found = {entity_key(e) for e in item.credited}
    return found | {e.split()[-1] for e in found}  # a surname alone is the same person


def _respelled(entity: str, variants: list[SpellingVariant]) -> str:
    """``entity`` (of b) with b's spellings of names put back as a spells them."""
    words = entity.split()
    forms = {v.b_form.casefold(): v.a_form for v in variants}
    return entity_key(" ".join(forms.get(w.casefold(), w) for w in words))


def _same_entity(key: str, others: set[str]) -> bool:
    """One entity under two names: a surname alone and the full name, a short
    name and the long one it opens ("Southwest Forest" and "Southwest Forest
    Industries"), a one-word name inside the other ("Beazer" and "C.H. Beazer
    Holdings PLC"), or a first name shortened ("Marc Vernes", "Jean-Marc Vernes")."""
    words = key.split()
    for other in others:
        other_words = other.split()
        short, long_ = sorted((words, other_words), key=len)
        if not short:
            continue
        if short == long_[:len(short)] or short == long_[-1:] \
                or len(short) == 1 and short[0] in long_:
            return True
        if len(short) == len(long_) == 2 and short[1] == long_[1] \
                and (short[0].split("-")[-1] == long_[0].split("-")[-1]):
            return True
    return False


def credit_changes(text_a: str, found_a: list[Attribution], text_b: str,
                   found_b: list[Attribution], passages: list[Passage],
                   variants: list[SpellingVariant] | None = None
                   ) -> tuple[list[Credit], list[Credit], list[CreditChange]]:
    """(credits_added, credits_dropped, credits_changed) of b against a.

    ``passages`` are a-side first (``Passage.a`` is the a version); a name b
    spells as one of the diff's spelling ``variants`` is the same name
    (Bozoum/Bazoum), as is a surname alone against the full name."""
    credits_a, credits_b = _credits(found_a), _credits(found_b)
    variants = variants or []
    b_as_a = {key: _respelled(c.entity, variants) for key, c in credits_b.items()}
    a_keys = set(credits_a)
    added = [c for key, c in credits_b.items()
             if b_as_a[key] not in a_keys and not _same_entity(b_as_a[key], a_keys)]
    b_keys = set(b_as_a.values())
    dropped = [c for key, c in credits_a.items()
               if key not in b_keys and not _same_entity(key, b_keys)]
    changed: list[CreditChange] = []
    # each b credit's scope, and where the passages put it in a: once, not per a credit
    scoped_b = [(item, scope, _to_a(passages, *scope))
                for item, scope in ((item, _scope(item, text_b))
                                    for item in found_b if item.credited)]
    for item_a in (item for item in found_a if item.credited):
        scope_a = _scope(item_a, text_a)
        # b's credits over the text a credits to item_a's source
        over = []
        for item_b, scope_b, mapped in scoped_b:
            shared = _overlap(mapped, *scope_a)
            if mapped and shared >= 0.5 * min(scope_a[1] - scope_a[0],
                                              scope_b[1] - scope_b[0]):
                over.append((item_b, scope_b))
        same = [(b, s) for b, s in over if _entities(b) & _entities(item_a)]
        if same:
            item_b, scope_b = same[0]
            if item_a.kind == item_b.kind == "direct_quote" and _altered(_words(item_a),
                                                                         _words(item_b)):
                changed.append(_change("quote_altered", item_a, item_b, scope_a, scope_b,
                                       text_a, text_b))
        elif over:
            item_b, scope_b = over[0]
            changed.append(_change("recredited", item_a, item_b, scope_a, scope_b,
                                   text_a, text_b))
        elif item_a.kind in ("reported_by", "according_to"):
            # a credit cut while its words were kept: most of the text it vouched
            # for is in b, and nothing in b credits it
            inside = [p for p in passages if min(p.a_end, scope_a[1]) > max(p.a_start, scope_a[0])]
            covered = sum(min(p.a_end, scope_a[1]) - max(p.a_start, scope_a[0]) for p in inside)
            # the credit's own words still in b ("the official news agency Tass
            # said") are no cut, whatever b's tagger made of them
            still_there = (item_a.source_text or "").casefold() in text_b.casefold()
            if inside and not still_there and covered >= 0.5 * (scope_a[1] - scope_a[0]):
                start, end = min(p.b_start for p in inside), max(p.b_end for p in inside)
                changed.append(CreditChange("credit_cut", item_a.source_entity, None,
                                            scope_a[0], scope_a[1], start, end,
                                            text_a[scope_a[0]:scope_a[1]], text_b[start:end]))
    return added, dropped, changed


def _altered(a: list[str], b: list[str]) -> bool:
    """Words changed, not a quote's extent: one inside the other is the same quote
    (a paragraph break or a tagger's boundary took in more or less of it)."""
    if a == b:
        return False
    short, long_ = sorted((a, b), key=len)
    return not any(long_[k:k + len(short)] == short for k in range(len(long_) - len(short) + 1))


def _words(item: Attribution) -> list[str]:
    return [w.casefold() for w in WORD.findall(item.content_text or "")]


def _change(kind: str, item_a: Attribution, item_b: Attribution, scope_a: tuple[int, int],
            scope_b: tuple[int, int], text_a: str, text_b: str) -> CreditChange:
    return CreditChange(kind, item_a.source_entity or item_a.medium_entity,
                        item_b.source_entity or item_b.medium_entity, scope_a[0], scope_a[1],
                        scope_b[0], scope_b[1], text_a[scope_a[0]:scope_a[1]],
                        text_b[scope_b[0]:scope_b[1]])


def describe_credits(added: list[Credit], base: str) -> str:
    """The summary's words: "credits Vanguard and Voice of America, not credited in X"."""
    # an outlet as the text names it (Voice of America, not VOA); a person by name
    names = [c.text if c.text and outlet_of(c.text) else c.entity for c in added]
    names = [re.sub(r"^(An?)\s", lambda m: m.group(1).lower() + " ", n) for n in names]
    shown = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"credits {shown}, not credited in {base}"
