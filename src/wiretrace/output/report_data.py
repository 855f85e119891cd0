"""What the report's page holds about its stories, packed once.

A report of a real archive holds thousands of stories; drawn all at once it was
10.7 MB of markup, 795,000 px tall and 6 s to open.  Here each story becomes a
:class:`StoryRow` (what the stories table searches, filters and sorts on) and
its section's markup, drawn only when the reader opens it.  All of it goes
into the page once, as gzip-compressed JSON in base64
(:func:`packed`): the browser inflates it with its own
``DecompressionStream``, so the page stays one self-contained file with no
library and no network.  Measured on the 21,268-article archive (1,706
stories): the sections' markup is 27 MB, packed 3.9 MB, inflated and parsed in
well under a second.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass

from wiretrace.model import Diff, Story, TraceResult
from wiretrace.stories.links import as_utc


@dataclass(frozen=True, slots=True)
class StoryRow:
    """One story as the stories table shows it, and the markup of its section."""

    id: str
    anchor: str  # the section's element id, and the page's #fragment for it
    title: str  # its origin's title, else the first member title, else the origin's id
    size: int
    outlets: list[str]
    first: str | None  # earliest and latest publication date, YYYY-MM-DD HH:MM (UTC)
    last: str | None
    shared: float  # mean share of a version's text found in the text it is compared with
    facts: int  # changed facts across the story's diffs
    credits: int  # credits added, dropped or changed across them
    search: str  # lower-cased ids, titles, outlets and texts, for the search box
    html: str


def story_key(story_id: str) -> tuple:
    """Story ids in the order a reader counts them: story-2 before story-10."""
    return tuple(int(part) if part.isdigit() else part
                 for part in re.split(r"(\d+)", story_id))


def story_row(result: TraceResult, story: Story, title: str, anchor: str, html: str,
              diffs: list[Diff]) -> StoryRow:
    arts = [result.articles[m] for m in story.members if m in result.articles]
    dated = sorted(as_utc(a.published) for a in arts if a.published)
    when = [d.strftime("%Y-%m-%d %H:%M") for d in (dated[:1] + dated[-1:])] if dated else []
    shared = sum(d.b_shared for d in diffs) / len(diffs) if diffs else 0.0
    outlets = sorted({a.outlet for a in arts if a.outlet})
    search = " ".join([story.id, *outlets, *(f"{a.id} {a.title or ''} {a.text}" for a in arts)])
    return StoryRow(
        id=story.id, anchor=anchor, title=title, size=len(story.members), outlets=outlets,
        first=when[0] if when else None, last=when[-1] if when else None,
        shared=round(shared, 3), facts=sum(len(d.changed_facts) for d in diffs),
        credits=sum(len(d.credits_added) + len(d.credits_dropped) + len(d.credits_changed)
                    for d in diffs),
        search=" ".join(search.lower().split()), html=html)


def diffs_by_story(result: TraceResult) -> dict[str | None, list[Diff]]:
    found: dict[str | None, list[Diff]] = defaultdict(list)
    for diff in result.diffs:
        found[diff.story].append(diff)
    return found


def packed(rows: list[StoryRow]) -> str:
    """The rows as the page embeds them: JSON, gzip-compressed, in base64."""
    data = json.dumps({"stories": [asdict(r) for r in rows]}, ensure_ascii=False,
                      separators=(",", ":"))
    return base64.b64encode(gzip.compress(data.encode("utf-8"), 6)).decode("ascii")


def unpacked(blob: str) -> list[dict]:
    """The rows of :func:`packed` back (for tests and tools reading a report)."""
    return json.loads(gzip.decompress(base64.b64decode(blob)))["stories"]
