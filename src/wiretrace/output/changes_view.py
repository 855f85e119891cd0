"""What a version changed, and only that: the changes view shared by the report,
the terminal ``compare`` and a notebook's display of a :class:`~wiretrace.model.Diff`.

Side by side, about nine tenths of a version is highlighted as reused and the
few changes are hard to find.  This view lists each change once, with a few
words of context, and leaves the unchanged text out:

* changed facts (a figure, a negation, an opposite, a modal, a name);
* added and dropped paragraphs, headings counted apart from paragraphs (a
  subheading dropped with its section is not a paragraph of news);
* rewordings: each run of word edits inside a reused paragraph, shown inline
  in the new version's words (``[old -> new]``) between the words around it;
* spelling variants and moves.

The words are the ones wiretrace uses everywhere: *reused passages* are the
aligned text two articles share; *paragraphs* are what the diff adds, drops,
rewords or moves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wiretrace.diff.changes import is_heading
from wiretrace.model import Change, Diff, WordChange
from wiretrace.output.markup import escaped

# Words of context either side of a run of edits; edits closer than
# JOIN_CHARS in the new version share one line.
CONTEXT_WORDS = 4
JOIN_CHARS = 40
# A side of an edit longer than this many words is shown by its first and last
# words around the count (a rewritten stretch, not a word edit to read whole).
EDIT_WORDS = 14


@dataclass(frozen=True, slots=True)
class Edit:
    """One word edit inside a line: the old words and the new ones."""

    old: str
    new: str
    fact: bool  # a changed fact sits inside it


@dataclass(frozen=True, slots=True)
class EditLine:
    """A run of word edits with their context, in the new version's order:
    ``parts`` alternate plain text (str) and edits."""

    parts: tuple[str | Edit, ...]
    b_start: int  # where the line's first edit is in the new version


@dataclass(frozen=True, slots=True)
class ChangeList:
    """The changes of one diff, as every view lists them."""

    added: list[str]  # paragraph texts, in order
    dropped: list[str]
    added_headings: list[str]
    dropped_headings: list[str]
    moved: list[str]
    reworded: int  # paragraphs reworded
    edits: list[EditLine]
    word_edits: int
    facts: list[tuple[str, str, str]]  # kind, old, new
    variants: list[tuple[str, str]]
    shares_text: bool

    @property
    def empty(self) -> bool:
        return not (self.added or self.dropped or self.added_headings or self.dropped_headings
                    or self.moved or self.edits or self.facts or self.variants)


def _context_before(text: str, start: int, floor: int) -> str:
    """Up to CONTEXT_WORDS words before ``start``, not before ``floor`` (the line's
    paragraph start), with an ellipsis when the paragraph goes on further."""
    left = text[floor:start]
    words = left.split(" ")
    kept = " ".join(words[-CONTEXT_WORDS - 1:]) if len(words) > CONTEXT_WORDS + 1 else left
    return ("… " if len(kept) < len(left) else "") + kept.lstrip("\n")


def _context_after(text: str, end: int, ceiling: int) -> str:
    right = text[end:ceiling]
    words = right.split(" ")
    kept = " ".join(words[:CONTEXT_WORDS + 1]) if len(words) > CONTEXT_WORDS + 1 else right
    return kept.rstrip("\n") + (" …" if len(kept) < len(right) else "")


def _edit_lines(change: Change, b_text: str, fact_spans: list[tuple[int, int]]
                ) -> list[EditLine]:
    """The word edits of one reworded paragraph, as lines with context."""
    if change.b_start is None or change.b_end is None:
        return []
    edits = sorted(change.word_changes, key=lambda w: (w.b_start, w.a_start))
    groups: list[list[WordChange]] = []
    for w in edits:
        if groups and w.b_start - groups[-1][-1].b_end <= JOIN_CHARS:
            groups[-1].append(w)
        else:
            groups.append([w])
    lines = []
    for group in groups:
        parts: list[str | Edit] = [_context_before(b_text, group[0].b_start, change.b_start)]
        for k, w in enumerate(group):
            if k:
                parts.append(b_text[group[k - 1].b_end:w.b_start])
            fact = any(s < max(w.b_end, w.b_start + 1) and e > w.b_start for s, e in fact_spans)
            parts.append(Edit(shortened(w.a_text), shortened(w.b_text), fact))
        parts.append(_context_after(b_text, group[-1].b_end, change.b_end))
        lines.append(EditLine(tuple(_flat(p) for p in parts if p != ""), group[0].b_start))
    return lines


def shortened(text: str, most: int = EDIT_WORDS) -> str:
    """``text`` on one line, and when longer than ``most`` words, its first and last
    words around how many were left out."""
    words = text.split()
    if len(words) <= most:
        return one_line(text)
    head, tail = words[:most // 2 + 2], words[-(most // 2 - 2):]
    return f"{' '.join(head)} … ({len(words) - len(head) - len(tail):,} words) … " \
           f"{' '.join(tail)}"


def one_line(text: str) -> str:
    """``text`` with its line breaks (and the indents around them) as single spaces;
    other characters, no-break spaces included, as they are."""
    return _BREAKS.sub(" ", text).strip()


_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")


def _flat(part: str | Edit) -> str | Edit:
    """Context on one line: line and paragraph breaks as single spaces."""
    return part if isinstance(part, Edit) else _BREAKS.sub(" ", part)


def change_list(diff: Diff, b_text: str) -> ChangeList:
    """The changes of ``diff`` (b against a), listed; ``b_text`` is b's text, where
    the context of each word edit comes from."""
    def paragraphs(kind: str, side: str) -> tuple[list[str], list[str]]:
        texts = [one_line(getattr(c, f"{side}_text")) for c in diff.changes if c.kind == kind]
        return ([t for t in texts if t and not is_heading(t)],
                [t for t in texts if t and is_heading(t)])

    added, added_headings = paragraphs("added", "b")
    dropped, dropped_headings = paragraphs("dropped", "a")
    reworded = diff.changes_of("reworded")
    fact_spans = [(f.b_start, f.b_end) for f in diff.changed_facts]
    edits = sorted((line for c in reworded for line in _edit_lines(c, b_text, fact_spans)),
                   key=lambda line: line.b_start)
    return ChangeList(
        added=added, dropped=dropped, added_headings=added_headings,
        dropped_headings=dropped_headings,
        moved=[one_line(c.b_text) for c in diff.changes_of("moved") if c.b_text.strip()],
        reworded=sum(1 for c in reworded if c.word_changes), edits=edits,
        word_edits=sum(len(c.word_changes) for c in reworded),
        facts=[(f.kind, f.a_text, f.b_text) for f in diff.changed_facts],
        variants=[(v.a_form, v.b_form) for v in diff.spelling_variants],
        shares_text=bool(diff.passages) or diff.b_shared > 0)


def counted(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def changes_html(changes: ChangeList, role: str) -> str:
    """The changes view as the report and the web page show it: one block per kind,
    each change once, word edits inline in their context (``role`` names the
    text the version is compared with: origin, source, later copy)."""
    if not changes.shares_text:
        return ('<div class="changes"><p class="note">No shared text: this is not a version '
                f"of the {escaped(role)}.</p></div>")
    if changes.empty:
        return '<div class="changes"><p class="note">No changes: the same text.</p></div>'
    blocks = []
    if changes.facts:
        items = "".join(f'<li><b>{escaped(kind)}</b> <span class="fact">'
                        f'{escaped(old or "(nothing)")}</span> → <span class="fact">'
                        f'{escaped(new or "(nothing)")}</span></li>'
                        for kind, old, new in changes.facts)
        blocks.append(f"<h4>Changed facts ({len(changes.facts)})</h4><ul>{items}</ul>")
    for title, texts, headings, tag in (
            ("Added", changes.added, changes.added_headings, "ins"),
            ("Dropped", changes.dropped, changes.dropped_headings, "del")):
        if not texts and not headings:
            continue
        cls = "added" if tag == "ins" else "dropped"
        what = ", ".join(x for x in (counted(len(texts), "paragraph") if texts else "",
                                     counted(len(headings), "heading") if headings else "")
                         if x)
        items = "".join(f'<li><{tag} class="{cls}">{escaped(t)}</{tag}></li>' for t in texts)
        if headings:
            items += ('<li class="headings">headings: ' + " · ".join(
                f'<{tag} class="{cls}">{escaped(h)}</{tag}>' for h in headings) + "</li>")
        blocks.append(f"<h4>{title} ({what})</h4><ul>{items}</ul>")
    if changes.edits:
        lines = "".join(f"<li>{_edit_html(line)}</li>" for line in changes.edits)
        blocks.append(f"<h4>Reworded ({counted(changes.reworded, 'paragraph')}, "
                      f"{counted(changes.word_edits, 'word edit')})</h4>"
                      f'<ul class="edits">{lines}</ul>')
    if changes.moved:
        items = "".join(f'<li><span class="moved">{escaped(t)}</span></li>'
                        for t in changes.moved)
        blocks.append(f"<h4>Moved ({counted(len(changes.moved), 'paragraph')})</h4>"
                      f"<ul>{items}</ul>")
    if changes.variants:
        pairs = ", ".join(f'<span class="variant">{escaped(x)}</span>/<span class="variant">'
                          f"{escaped(y)}</span>" for x, y in changes.variants)
        blocks.append(f"<h4>Spelling variants ({len(changes.variants)})</h4><p>{pairs}</p>")
    return f'<div class="changes">{"".join(blocks)}</div>'


def _edit_html(line: EditLine) -> str:
    out = []
    for part in line.parts:
        if not isinstance(part, Edit):
            out.append(f'<span class="ctx">{escaped(part)}</span>')
            continue
        fact = " fact" if part.fact else ""
        if part.old:
            out.append(f'<del class="was{fact}">{escaped(part.old)}</del>')
        if part.new:
            out.append(f'<ins class="now{fact}">{escaped(part.new)}</ins>')
    return "".join(out)
