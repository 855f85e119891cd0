"""A self-contained HTML report of a trace, for the journalist who reads it.

The page lists the stories in a table that can be searched, filtered and
sorted (largest first); a story opens below it (:mod:`.report_script` draws it
from the packed data of :mod:`.report_data`).  For each story it shows every
version other than the origin side by side with the text it was diffed
against (the origin, or the version's main source when the origin is not
among its sources: ``stories.diff_base``; a base dated after the version is
called a later copy, never its source), with reused passages, additions,
drops, changed facts, reworded words and spelling variants marked in the
original text.

The marks themselves (nested, never straddling) are made in
:mod:`wiretrace.output.markup`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from wiretrace.diff.changes import NO_SHARED_TEXT
from wiretrace.model import (
    Article,
    Attribution,
    Diff,
    Passage,
    Story,
    TraceResult,
    passages_by_pair,
)
from wiretrace.output.changes_view import change_list, changes_html
from wiretrace.output.credits_view import outlets_panel, pair_credits, story_graph
from wiretrace.output.markup import Span, escaped, marked_up, span
from wiretrace.output.pictures import member_timeline, origin_guessed, stamp, story_pictures
from wiretrace.output.report_data import diffs_by_story, packed, story_key, story_row
from wiretrace.output.report_panels import (
    count_cards,
    pictures_panel,
    rejected_panel,
    unstoried_panel,
)
from wiretrace.output.report_script import APP_JS, BROWSER_CSS, STORY_BROWSER
from wiretrace.output.report_style import CSS, LEGEND
from wiretrace.stories.build import diff_base

__all__ = ["render_report", "write_report"]

def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def _when(dt: datetime | None) -> str:
    return dt.strftime("%Y-%m-%d %H:%M") if dt else "undated"


def _name(result: TraceResult, article_id: str) -> str:
    art = result.articles.get(article_id)
    label = f"<b>{escaped(article_id)}</b>"
    if art is not None and art.title:
        label += f" “{escaped(art.title)}”"
    return label


def _anchor(index: int, story_id: str) -> str:
    return f"story-{index}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", str(story_id))[:40]


def _origin_note(result: TraceResult, story: Story) -> str:
    """The origin as the page states it: plainly a guess when only input order chose it."""
    if origin_guessed(story):
        return (f"origin: first in input order, {_name(result, story.origin)}; no evidence "
                f'which came first <span class="meta">({escaped(story.origin_reason)})</span>')
    return f"origin {_name(result, story.origin)} ({escaped(story.origin_reason)})"


def _role(story: Story, base: Article | None, version: Article | None) -> str:
    """What the text a version is compared with is to it."""
    if base is not None and version is not None and base.published and version.published \
            and stamp(base.published) > stamp(version.published):
        return "later copy"  # published after the version: it cannot be its source
    if base is not None and base.id == story.origin:
        return "first in input order" if origin_guessed(story) else "origin"
    return "source"


def _pair_passages(by_pair: Callable[[], dict[tuple[str, str], list[Passage]]],
                   diff: Diff | None, base: str, version: str) -> list[Passage]:
    """Passages between the two versions, oriented base (the diff's a) first."""
    if diff is not None and diff.passages:
        candidates = diff.passages
    else:
        grouped = by_pair()
        candidates = grouped.get((base, version), []) + grouped.get((version, base), [])
    found = [p for p in candidates if p.a == base and p.b == version]
    found += [p.swapped() for p in candidates if p.a == version and p.b == base]
    return sorted(found, key=lambda p: (p.a_start, p.b_start))


def _story_title(result: TraceResult, story: Story) -> str:
    """What a story is called: its origin's title, else a member's, else its origin's id."""
    origin = result.articles.get(story.origin)
    if origin is not None and origin.title:
        return origin.title
    titles = (getattr(result.articles.get(m), "title", None) for m in story.members)
    return next((t for t in titles if t), None) or story.origin


def _head_label(role: str) -> str:
    return "Compared with a later copy" if role == "later copy" else role.capitalize()


def _article_head(art: Article, role: str) -> str:
    bits = [x for x in (art.outlet, _when(art.published) if art.published else None) if x]
    url = f'<div class="url">{escaped(art.url)}</div>' if art.url else ""
    title = f" “{escaped(art.title)}”" if art.title else ""
    return (f"<h3>{role}: <span style=\"color:var(--ink)\">{escaped(art.id)}</span>{title}"
            f"{' · ' + escaped(' · '.join(bits)) if bits else ''}</h3>{url}")


class _Renderer:
    def __init__(self, result: TraceResult) -> None:
        self.r = result
        self.counter = 0
        # looked up once per version shown: index them, or a large run is quadratic;
        # by story and version, as a version has one diff (against stories.diff_base)
        self.diffs = {(d.story, d.b): d for d in reversed(result.diffs)}
        self._by_pair: dict[tuple[str, str], list[Passage]] | None = None
        self.attributions: dict[str, list[Attribution]] = defaultdict(list)
        for item in result.attributions or []:
            self.attributions[item.article].append(item)
        self.provenance = {p.story: p for p in result.provenance or []}

    def by_pair(self) -> dict[tuple[str, str], list[Passage]]:
        """All passages by pair: built only if a diff lacks its passages."""
        if self._by_pair is None:
            self._by_pair = passages_by_pair(self.r.passages)
        return self._by_pair

    def pair(self, story: Story, version: str) -> str:
        """``version`` side by side with the text its diff is against (``diff.a``)."""
        r = self.r
        diff = self.diffs.get((story.id, version)) or self.diffs.get((None, version))
        base = diff.a if diff is not None else diff_base(story, version)
        a, b = r.articles.get(base), r.articles.get(version)
        role = _role(story, a, b)
        if a is None or b is None:
            gone = version if b is None else base
            return f'<p class="note">The text of {escaped(gone)} is not available.</p>'
        a_spans: list[Span | None] = []
        b_spans: list[Span | None] = []
        for p in _pair_passages(self.by_pair, diff, base, version):
            self.counter += 1
            k = self.counter
            if p.kind == "reuse":
                tag = (f'<mark class="reused" data-passage="{k}" title="reused passage {k}: '
                       f'{p.score:.0%} of words identical">')
            else:  # aligned, but not reuse: say so, so that no one reads it as copied
                what = ("template match: the same frame, other names or figures "
                        f"({p.slots_changed} changed, {p.slots_kept} kept)"
                        if p.kind == "template" else "stock wording (boilerplate)")
                tag = (f'<mark class="reused set-aside" data-kind="{escaped(p.kind)}" '
                       f'data-passage="{k}" title="passage {k}, {what}">')
            a_spans.append(span(a.text, p.a_start, p.a_end, "reused", tag, "</mark>"))
            b_spans.append(span(b.text, p.b_start, p.b_end, "reused", tag, "</mark>"))
        for c in diff.changes if diff else []:
            if c.kind == "added":
                b_spans.append(span(b.text, c.b_start, c.b_end, "added",
                                    '<ins class="added">', "</ins>"))
            elif c.kind == "dropped":
                a_spans.append(span(a.text, c.a_start, c.a_end, "dropped",
                                    '<del class="dropped">', "</del>"))
            elif c.kind == "moved":
                mv = ('<span class="moved" title="moved">', "</span>")
                a_spans.append(span(a.text, c.a_start, c.a_end, "moved", *mv))
                b_spans.append(span(b.text, c.b_start, c.b_end, "moved", *mv))
            for w in c.word_changes:
                now = escaped(w.b_text or "(removed)")
                was = escaped(w.a_text or f"(not in {role})")
                a_spans.append(span(a.text, w.a_start, w.a_end, "word",
                                    f'<span class="word-change" title="this version: {now}">',
                                    "</span>"))
                b_spans.append(span(b.text, w.b_start, w.b_end, "word",
                                    f'<span class="word-change" title="{role}: {was}">',
                                    "</span>"))
        facts = diff.changed_facts if diff else []
        for f in facts:
            title = escaped(f"{f.kind} changed: {f.a_text or '(nothing)'} → "
                            f"{f.b_text or '(nothing)'}")
            tag = f'<span class="fact" data-kind="{escaped(f.kind)}" title="{title}">'
            a_spans.append(span(a.text, f.a_start, f.a_end, "fact", tag, "</span>"))
            b_spans.append(span(b.text, f.b_start, f.b_end, "fact", tag, "</span>"))
        credit_html = ""
        if r.attributions is not None:
            marks_a, marks_b, credit_html = pair_credits(
                diff, role, (a.text, self.attributions[base]),
                (b.text, self.attributions[version]))
            a_spans += marks_a
            b_spans += marks_b
        variants = diff.spelling_variants if diff else []
        for v in variants:
            a_spans.append(span(a.text, v.a_start, v.a_end, "variant",
                                '<span class="variant" title="this version: '
                                f'{escaped(v.b_form)}">',
                                "</span>"))
            b_spans.append(span(b.text, v.b_start, v.b_end, "variant",
                                f'<span class="variant" title="{role}: {escaped(v.a_form)}">',
                                "</span>"))
        if diff is None:
            summary = f"No diff was computed for {version} against the {role} {base}."
        elif diff.summary == NO_SHARED_TEXT or not diff.passages and not diff.summary:
            summary = f"{version} and {base} have no text in common."
        else:
            summary = diff.summary or (f"{diff.b_shared:.0%} of this article is shared "
                                       f"with {base}.")
        if version not in summary:
            summary = f"{version}: {summary}"
        if role == "later copy":
            summary = f"Compared with a later copy, {base}: {summary}"
        fact_html = ""
        if facts:
            items = "".join(f"<li><b>{escaped(f.kind)}</b> “{escaped(f.a_text)}” in the {role} → "
                            f"“{escaped(f.b_text)}” here</li>" if f.a_text and f.b_text else
                            f"<li><b>{escaped(f.kind)}</b> “{escaped(f.a_text or f.b_text)}” "
                            f"{'added here' if f.b_text else 'removed here'}</li>"
                            for f in facts)
            fact_html = f'<div class="note facts">Changed facts:<ul>{items}</ul></div>'
        var_html = ""
        if variants:
            items = "".join(f"<li>“{escaped(v.a_form)}” in the {role} → "
                            f"“{escaped(v.b_form)}” here</li>"
                            for v in variants)
            var_html = f'<div class="note variants">Spelling variants:<ul>{items}</ul></div>'
        # the left side keeps its class "side-origin" whichever text it shows
        return (f'<article class="pair" data-origin="{escaped(story.origin)}" '
                f'data-base="{escaped(base)}" data-version="{escaped(version)}">'
                f'<p class="summary">{escaped(summary)}</p><div class="cols">'
                f'<div class="side side-origin" data-side="origin">'
                f'{_article_head(a, _head_label(role))}'
                f'<div class="text">{marked_up(a.text, a_spans)}</div></div>'
                f'<div class="side side-version" data-side="version">'
                f'{_article_head(b, "Version")}<div class="text">{marked_up(b.text, b_spans)}'
                f"</div></div></div>{fact_html}{credit_html}{var_html}"
                f"{changes_html(change_list(diff, b.text), role) if diff else ''}</article>")

    def version_row(self, story: Story, version: str) -> str:
        """One line for a version not shown side by side: its base and diff summary."""
        diff = self.diffs.get((story.id, version)) or self.diffs.get((None, version))
        base = diff.a if diff is not None else diff_base(story, version)
        summary = diff.summary if diff is not None else "no diff kept"
        if _role(story, self.r.articles.get(base), self.r.articles.get(version)) == "later copy":
            base += " (a later copy)"
        return (f"<tr><td>{_name(self.r, version)}</td><td>{escaped(base)}</td>"
                f"<td>{escaped(summary)}</td></tr>")

    def story(self, index: int, story: Story) -> str:
        r = self.r
        versions = [m for m in dict.fromkeys(story.members) if m != story.origin]
        def when(m: str) -> float:
            art = r.articles.get(m)
            return stamp(art.published) if art and art.published else float("inf")

        versions.sort(key=when)
        graph = story_graph(self.provenance.get(story.id), [story.origin, *versions])
        edges = ""
        if story.edges:
            strongest = sorted(story.edges, key=lambda e: (-e.shared_chars, e.source, e.target))
            rows = "".join(f"<tr><td>{escaped(e.source)}</td><td>{escaped(e.target)}</td>"
                           f"<td>{e.target_share:.0%}</td><td>{e.source_share:.0%}</td>"
                           f"<td>{e.shared_chars:,}</td></tr>"
                           for e in strongest[:MAX_EDGES])
            cut = (f" ({MAX_EDGES} most shared of {len(strongest):,}; stories.jsonl has all)"
                   if len(strongest) > MAX_EDGES else "")
            edges = (f"<details><summary>How the text travelled{cut}</summary><table><tr>"
                     "<th>from</th><th>to</th><th>share of target</th><th>share of source</th>"
                     f"<th>shared chars</th></tr>{rows}</table></details>")
        pairs = "".join(self.pair(story, v) for v in versions[:MAX_VERSIONS])
        if not pairs:
            pairs = '<p class="note">Only one article: nothing to compare.</p>'
        if len(versions) > MAX_VERSIONS:
            rows = "".join(self.version_row(story, v) for v in versions[MAX_VERSIONS:])
            pairs += (f"<details><summary>{_n(len(versions) - MAX_VERSIONS, 'more version')}"
                      " (diffs.jsonl has each in full)</summary><table><tr><th>version</th>"
                      f"<th>diffed against</th><th>what changed</th></tr>{rows}</table>"
                      "</details>")
        return (f'<section class="story" id="{_anchor(index, story.id)}">'
                f"<h2>{escaped(_story_title(r, story))}</h2>"
                f"<p class=\"meta\">{escaped(story.id)} · {_n(len(story.members), 'article')}"
                f" · {_origin_note(r, story)}</p>{VIEW_SWITCH}"
                f"{member_timeline(story, r.articles)}{story_pictures(story, r.articles)}{graph}"
                f"{edges}{pairs}"
                "</section>")


# Stories are drawn when opened (report_data, report_script), so the page opens
# fast at any size; the packed markup of the largest MAX_STORIES is embedded
# (a real archive's 1,706 stories pack into 3.9 MB), each with its first
# versions side by side (the others one line each) and its most shared edges.
MAX_STORIES = 5000
# each version side by side with its base, or only what it changed
VIEW_SWITCH = ('<div class="view-switch" role="group" aria-label="View">'
               '<button type="button" data-view="sides" aria-pressed="true">Side by side</button>'
               '<button type="button" data-view="changes" aria-pressed="false">Changes only'
               "</button></div>")
MAX_VERSIONS = 12
MAX_EDGES = 50
MAX_LISTED = 2000


def render_report(result: TraceResult, title: str = "wiretrace report",
                  max_stories: int = MAX_STORIES) -> str:
    """The whole report as one self-contained HTML page.

    Every story is a row of the stories table, which can be searched, filtered
    and sorted; a story's section (its versions side by side with what each
    changed) is drawn when the reader opens it.  The ``max_stories`` largest
    are in the page, the first ``MAX_VERSIONS`` versions of each side by side
    and the others one line each; all of them are in ``stories.jsonl`` and
    ``diffs.jsonl``.
    """
    r = _Renderer(result)
    stories = sorted(result.stories, key=lambda s: (-len(s.members), story_key(s.id)))
    shown_note = ""
    if len(stories) > max_stories:
        shown_note = (f'<p class="meta">The {max_stories:,} largest of {len(stories):,} stories '
                      "are in this page; stories.jsonl lists them all.</p>")
        stories = stories[:max_stories]
    counts = count_cards(result)
    legend = "".join(f"<span>{swatch}{' – ' + note if note else ''}</span>"
                     for swatch, note in LEGEND)
    body: list[str] = []
    data = ""
    if not result.articles:
        body.append('<div class="panel"><p class="empty">Nothing to show: '
                    "no articles were read.</p></div>")
    elif not stories:
        body.append('<div class="panel"><p class="empty">No stories found: '
                    "no two articles share enough text.</p></div>")
    else:
        diffs = diffs_by_story(result)
        rows = [story_row(result, s, _story_title(result, s), _anchor(i, s.id), r.story(i, s),
                          diffs.get(s.id, [])) for i, s in enumerate(stories, 1)]
        data = (f'<script id="report-data" type="application/octet-stream">{packed(rows)}'
                "</script>")
        body.append(f'<div class="legend">{legend}</div>')
        body.append(pictures_panel(result, stories))
        body.append(STORY_BROWSER.replace("<h2>Stories</h2>", f"<h2>Stories</h2>{shown_note}"))
        body.append(outlets_panel(result, stories, MAX_LISTED))
    if stories:
        body.append(unstoried_panel(result, MAX_LISTED))
    body.append(rejected_panel(result, MAX_LISTED))
    csp = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
           "img-src data:")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escaped(title)}</title><style>{CSS}{BROWSER_CSS}</style></head><body><main>"
            f'<header><h1>{escaped(title)}</h1><p class="meta">Where each story\'s text came from '
            f'and what each version changed.</p><div class="counts">{counts}</div></header>'
            f'{"".join(body)}<p class="meta">Generated by wiretrace.</p></main>'
            f"{data}<script>{APP_JS}</script></body></html>\n")


def write_report(result: TraceResult, path: str | os.PathLike,
                 title: str = "wiretrace report") -> Path:
    """Write the report to ``path`` atomically (temp file + rename); return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    html = render_report(result, title)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="") as fh:
            fh.write(html)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
