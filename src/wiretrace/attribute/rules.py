"""Credits to outlets that the tagger may not mark: patterns of wire copy.

PolNeAR marks one attribution per token, so a credit inside another's
content ("He said ... confirmed the meeting first reported by France 24")
is never a training example, and outlets crediting each other are rarer in
political news than in wire copy.  These patterns add such credits when no
tagged cue covers them:

- an outlet's own report: "Vanguard reports that ...", "..., the AP news
  agency reports quoting an analyst", "..., Niger's state television
  reported Friday";
- a passive credit: "first reported by France 24", "as reported by Reuters".

The source must read as an outlet (``entities.is_medium``), which keeps "he
reported" and "officials reported" to the tagger.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from wiretrace.attribute.entities import is_medium

# an outlet's name on one line: "the AP news agency", "Niger's state television"
WORD = r"[A-Z][\w’'&-]*(?:\.[A-Z][\w’'&-]*)*"
NAME = (rf"(?:[Tt]he[ ]+)?(?:{WORD}(?:[ ]+(?:of[ ]+)?{WORD})*[’']s[ ]+)?"
        r"(?:(?:state|national|public)[ ]+)?"
        rf"(?:{WORD}(?:[ ]+(?:of[ ]+)?[A-Z0-9][\w’'&-]*)*|television|radio|media)"
        r"(?:[ ]+(?:news agency|agency|newspaper|broadcaster|television|TV|radio))?")
OUTLET_REPORTS = re.compile(
    rf"(?P<source>{NAME})\s+(?P<cue>(?:reports|reported|said|says)(?:\s+(?:quoting|citing))?)"
    r"(?P<that>\s+that)?")
REPORTED_BY = re.compile(
    rf"(?P<cue>(?:(?:first|originally|initially|as)\s+)?(?:reported|revealed|broken)\s+by)"
    rf"\s+(?P<source>{NAME})")
# a clause ends at a stop or at a paragraph's end, not at a wrapped line
PARAGRAPH_START = re.compile(r"\n[ \t]*\n[ \t]*|\n[ \t]+")
CLAUSE_END = re.compile(r"[.!?](?=\s|$)|\n[ \t]*\n|\n[ \t]+(?=\S)")


class RuleCredit(NamedTuple):
    source: tuple[int, int]
    cue: tuple[int, int]
    content: tuple[int, int] | None


def _sentence_bounds(text: str, at: int) -> tuple[int, int]:
    breaks = [m.end() for m in PARAGRAPH_START.finditer(text, 0, at)]
    start = max(breaks[-1] if breaks else 0, _last_stop(text, at))
    end_match = CLAUSE_END.search(text, at)
    return start, end_match.start() if end_match else len(text)


def _last_stop(text: str, at: int) -> int:
    stops = [m.end() for m in re.finditer(r"[.!?]\s+(?=[A-Z“\"])", text[:at])]
    return stops[-1] if stops else 0


def rule_credits(text: str) -> list[RuleCredit]:
    found = []
    for match in OUTLET_REPORTS.finditer(text):
        source = match.group("source")
        if not is_medium(source) or source.lower() in {"he", "she", "it", "they"}:
            continue
        start, end = _sentence_bounds(text, match.start())
        if match.group("that") or text[match.end("cue"):match.end("cue") + 1] == " " \
                and match.start("source") - start < 3:
            # "Vanguard reports that ...": the content follows to the clause's end
            content = (match.end(), end) if match.end() < end else None
        else:
            # "..., Niger's state television reported Friday": the content is
            # the sentence before the credit
            before = text[start:match.start("source")].rstrip(" ,")
            content = (start, start + len(before)) if before else None
        if content is not None:
            content = (content[0] + len(text[content[0]:content[1]])
                       - len(text[content[0]:content[1]].lstrip()), content[1])
        found.append(RuleCredit((match.start("source"), match.end("source")),
                                (match.start("cue"), match.end("cue")), content))
    for match in REPORTED_BY.finditer(text):
        if is_medium(match.group("source")):
            found.append(RuleCredit((match.start("source"), match.end("source")),
                                    (match.start("cue"), match.end("cue")), None))
    return found
