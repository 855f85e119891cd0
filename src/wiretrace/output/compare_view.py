"""The terminal ``compare`` view: what B changed against A (:mod:`.changes_view`),
and with ``--passages`` every reused passage side by side with its marks."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from wiretrace.attribute import attribute_text
from wiretrace.model import Article, Diff, Passage
from wiretrace.output.changes_view import Edit, EditLine, change_list, counted

__all__ = ["render_diff", "render_passages"]

# Colours of the compare view (the HTML report uses the same meaning).
STYLE_ADDED = "green"
STYLE_DROPPED = "red"
STYLE_MOVED = "blue"
STYLE_WORD_A = "bold red"  # reworded: the origin side's words
STYLE_WORD_B = "bold green"  # reworded: the new version's words
STYLE_VARIANT = "bold magenta underline"
STYLE_FACT = "bold white on red"  # a changed fact: what a reader must not miss


Span = tuple[int, int, str]


def _spans(diff: Diff) -> tuple[list[Span], list[Span]]:
    """Highlight spans (start, end, style) on the a side and on the b side."""
    a_spans: list[Span] = []
    b_spans: list[Span] = []
    for change in diff.changes:
        if change.kind == "added" and change.b_start is not None:
            b_spans.append((change.b_start, change.b_end or change.b_start, STYLE_ADDED))
        elif change.kind == "dropped" and change.a_start is not None:
            a_spans.append((change.a_start, change.a_end or change.a_start, STYLE_DROPPED))
        for wc in change.word_changes:
            if wc.op != "insert" and wc.a_end > wc.a_start:
                a_spans.append((wc.a_start, wc.a_end, STYLE_WORD_A))
            if wc.op != "delete" and wc.b_end > wc.b_start:
                b_spans.append((wc.b_start, wc.b_end, STYLE_WORD_B))
    for v in diff.spelling_variants:
        a_spans.append((v.a_start, v.a_end, STYLE_VARIANT))
        b_spans.append((v.b_start, v.b_end, STYLE_VARIANT))
    for f in diff.changed_facts:  # last: drawn over the word change it sits in
        a_spans.append((f.a_start, f.a_end, STYLE_FACT))
        b_spans.append((f.b_start, f.b_end, STYLE_FACT))
    return a_spans, b_spans


def _marked(text: str, start: int, end: int, spans: list[Span], base: str = "") -> Text:
    """``text[start:end]`` with every span that overlaps it highlighted."""
    out = Text(text[start:end], style=base)
    for s, e, style in spans:
        s, e = max(s, start), min(e, end)
        if s < e:
            out.stylize(style, s - start, e - start)
    return out


def _pct(value: float) -> str:
    return f"{100.0 * value:.1f}%"


def _head(role: str, article: Article | None, article_id: str) -> Text:
    head = Text(f"{role}: ", style="bold")
    head.append(article_id, style="bold cyan")
    if article is not None:
        extra = [x for x in (article.outlet, article.title) if x]
        if article.published:
            extra.append(article.published.date().isoformat())
        extra.append(f"{len(article.text):,} chars")
        head.append("  " + " | ".join(extra), style="dim")
    return head


def _print_set_aside(console: Console, passages: list[Passage], a_text: str,
                     b_text: str) -> None:
    """Say which passages are template matches or boilerplate, and why: they are
    matched text, yet no reuse (they link no story)."""
    from wiretrace.align.evidence import passage_evidence

    aside = [(k, p) for k, p in enumerate(passages, 1) if p.kind != "reuse"]
    if not aside:
        return
    which = "The passage is" if len(passages) == 1 else \
        f"{len(aside)} of the {len(passages)} passages {'is' if len(aside) == 1 else 'are'}"
    console.print(Text(
        f"{which} set aside, not reuse: a template match is the same frame filled with "
        "other names or figures, boilerplate is stock wording; neither links a story.",
        style="yellow"))
    for k, p in aside:
        why = passage_evidence(p.kind, a_text, p.a_start, p.a_end, b_text, p.b_start, p.b_end)
        console.print(Text(f"  #{k} {p.kind}: {why}", style="yellow"))
    console.print()


def _credited_by_side(diff: Diff, articles: Mapping[str, Article]
                      ) -> tuple[list[str], list[str]] | None:
    """The entities A credits and those B credits, each once in text order; None when
    a text is missing."""
    a, b = articles.get(diff.a), articles.get(diff.b)
    if a is None or b is None:
        return None
    side_a, side_b = (list(dict.fromkeys(e for item in attribute_text(x.text)
                                         for e in item.credited)) for x in (a, b))
    return side_a, side_b


def _print_credits(console: Console, diff: Diff, articles: Mapping[str, Article]) -> None:
    """Who each side credits, and what b did to a's credits."""
    sides = _credited_by_side(diff, articles)
    if sides is None or not sides[0] and not sides[1]:
        return
    table = Table(title="Credits", expand=True)
    table.add_column("credited", no_wrap=True)
    table.add_column(f"A: {diff.a}", justify="center")
    table.add_column(f"B: {diff.b}", justify="center")
    for entity in dict.fromkeys(sides[0] + sides[1]):
        in_a, in_b = entity in sides[0], entity in sides[1]
        style = "" if in_a and in_b else STYLE_ADDED if in_b else STYLE_DROPPED
        table.add_row(Text(entity, style=style), "yes" if in_a else "-", "yes" if in_b else "-")
    for change in diff.credits_changed:
        what = {"credit_cut": "credit cut, words kept", "recredited": "recredited",
                "quote_altered": "quote altered"}[change.kind]
        table.add_row(Text(what, style=STYLE_FACT), change.a_entity or "-",
                      change.b_entity or "-")
    console.print(table)


def _edit_text(line: EditLine) -> Text:
    """A run of word edits in its context: ``… plan [on → ] Friday …``."""
    out = Text("  ")
    for k, part in enumerate(line.parts):
        if not isinstance(part, Edit):
            out.append(part, style="dim")
            continue
        style = STYLE_FACT if part.fact else ""
        out.append("[" if part.old and part.new else "[-" if part.old else "[+", style="dim")
        if part.old:
            out.append(part.old, style=style or STYLE_WORD_A)
        if part.old and part.new:
            out.append(" → ", style="dim")
        if part.new:
            out.append(part.new, style=style or STYLE_WORD_B)
        out.append("]", style="dim")
        following = line.parts[k + 1] if k + 1 < len(line.parts) else ""
        if isinstance(following, str) and following and not following[0].isspace() \
                and following[0] not in ",.;:!?’'”)":
            out.append(" ")
    return out


def _paragraph(mark: str, text: str, style: str, width: int) -> Text:
    """One added or dropped paragraph on at most two lines."""
    room = max(40, 2 * (width - 4) - 2)
    shown = text if len(text) <= room else text[:room - 1].rstrip() + "…"
    return Text.assemble(("  " + mark + " ", style), (shown, style))


def render_diff(console: Console, diff: Diff, articles: Mapping[str, Article]) -> None:
    """Print what ``diff`` changed, and only that (:mod:`.changes_view`): changed facts,
    added and dropped paragraphs (headings apart), rewordings in context, spelling
    variants, credits; the unchanged text is left out (``--passages`` shows it)."""
    a, b = articles.get(diff.a), articles.get(diff.b)
    a_text, b_text = (a.text if a else ""), (b.text if b else "")
    console.print(_head("A", a, diff.a))
    console.print(_head("B", b, diff.b))
    changes = change_list(diff, b_text)
    if not changes.shares_text:
        console.print(Text("No shared text: A and B have no reused passage, so B is not "
                           "a version of A and nothing is listed as added or dropped.",
                           style="bold yellow"))
        return
    passages = [p if p.a == diff.a else p.swapped() for p in diff.passages]
    reused = sum(p.kind == "reuse" for p in passages)
    aside = len(passages) - reused
    console.print(Text.assemble(
        ("Shared: ", "bold"), (f"{diff.a_shared:.0%}", "bold"), " of A is in B, ",
        (f"{diff.b_shared:.0%}", "bold"), " of B comes from A, in ",
        counted(reused, "reused passage"),
        (f" ({counted(aside, 'template match', 'template matches')} set aside)"
         if aside else ""), ("  (--passages shows them)", "dim")))
    if changes.empty:
        console.print(Text("No changes: B repeats A's text.", style="bold"))
    width = console.width
    if changes.facts:
        console.print(Text(f"Changed facts ({len(changes.facts)})", style="bold"))
        for kind, old, new in changes.facts:
            console.print(Text.assemble(f"  {kind}: ", (old or "(nothing)", STYLE_FACT),
                                        " → ", (new or "(nothing)", STYLE_FACT)))
    for title, texts, headings, mark, style in (
            ("Added", changes.added, changes.added_headings, "+", STYLE_ADDED),
            ("Dropped", changes.dropped, changes.dropped_headings, "-", STYLE_DROPPED)):
        if not texts and not headings:
            continue
        what = ", ".join(x for x in (counted(len(texts), "paragraph") if texts else "",
                                     counted(len(headings), "heading") if headings else "")
                         if x)
        console.print(Text(f"{title} ({what})", style="bold"))
        for text in texts:
            console.print(_paragraph(mark, text, style, width))
        if headings:
            console.print(Text.assemble(f"  {mark} headings: ",
                                        (" · ".join(headings), style)))
    if changes.edits:
        console.print(Text(f"Reworded ({counted(changes.reworded, 'paragraph')}, "
                           f"{counted(changes.word_edits, 'word edit')}; [old → new] in B's "
                           "words)", style="bold"))
        for line in changes.edits:
            console.print(_edit_text(line))
    if changes.moved:
        console.print(Text(f"Moved ({counted(len(changes.moved), 'paragraph')})", style="bold"))
        for text in changes.moved:
            console.print(_paragraph("~", text, STYLE_MOVED, width))
    if changes.variants:
        console.print(Text.assemble((f"Spelling variants ({len(changes.variants)}): ", "bold"),
                                    ", ".join(f"{x}/{y}" for x, y in changes.variants)))
    _credit_lines(console, diff, articles)
    if aside:
        _print_set_aside(console, passages, a_text, b_text)
    if diff.summary:
        console.print(Text.assemble(("In one line: ", "bold"), diff.summary))


def _credit_lines(console: Console, diff: Diff, articles: Mapping[str, Article]) -> None:
    """Who only one side credits, and what B did to A's credits, in a line each."""
    sides = _credited_by_side(diff, articles)
    if sides is None:
        return
    only_b = [e for e in sides[1] if e not in sides[0]]
    only_a = [e for e in sides[0] if e not in sides[1]]
    lines = []
    if only_b:
        lines.append(Text.assemble("  B credits ", (", ".join(only_b), STYLE_ADDED),
                                   "; A does not"))
    if only_a:
        lines.append(Text.assemble("  A credits ", (", ".join(only_a), STYLE_DROPPED),
                                   "; B does not"))
    names = {"credit_cut": "credit cut, words kept", "recredited": "credited to another",
             "quote_altered": "quote altered"}
    for change in diff.credits_changed:
        lines.append(Text.assemble("  ", (names[change.kind], STYLE_FACT), ": ",
                                   change.a_entity or "-", " → ", change.b_entity or "-"))
    if lines:
        console.print(Text("Credits", style="bold"))
        for line in lines:
            console.print(line)


def render_passages(console: Console, diff: Diff, articles: Mapping[str, Article]) -> None:
    """Print ``diff`` in full (``compare --passages``): the reused passages side by side
    with every mark, then each change, changed fact, reworded word and spelling
    variant in tables, and the summary."""
    a, b = articles.get(diff.a), articles.get(diff.b)
    a_text, b_text = (a.text if a else ""), (b.text if b else "")
    a_spans, b_spans = _spans(diff)

    console.print(_head("A", a, diff.a))
    console.print(_head("B", b, diff.b))
    console.print(Text.assemble(
        ("Reused: ", "bold"), (_pct(diff.a_shared), "bold"), " of A appears in B; ",
        (_pct(diff.b_shared), "bold"), " of B comes from A"))
    legend = Text("Marks: ")
    for label, style in (("changed fact", STYLE_FACT), ("added", STYLE_ADDED),
                         ("dropped", STYLE_DROPPED),
                         ("reworded (A side)", STYLE_WORD_A), ("reworded (B side)", STYLE_WORD_B),
                         ("spelling variant", STYLE_VARIANT), ("moved", STYLE_MOVED)):
        legend.append(label, style=style)
        legend.append("  ")
    console.print(legend)
    console.print()

    passages: list[Passage] = [p if p.a == diff.a else p.swapped() for p in diff.passages]
    passages.sort(key=lambda p: (p.a_start, p.b_start))
    reused = sum(p.kind == "reuse" for p in passages)
    title = f"Reused passages ({reused})" if reused == len(passages) else \
        f"Matched passages ({len(passages)}: {reused} reused, {len(passages) - reused} set aside)"
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(f"A: {diff.a}", ratio=1)
    table.add_column(f"B: {diff.b}", ratio=1)
    table.add_column("match", justify="right", no_wrap=True)
    for i, p in enumerate(passages, 1):
        table.add_row(
            str(i),
            Group(Text(f"[{p.a_start}:{p.a_end}]", style="dim"),
                  _marked(a_text, p.a_start, p.a_end, a_spans)),
            Group(Text(f"[{p.b_start}:{p.b_end}]", style="dim"),
                  _marked(b_text, p.b_start, p.b_end, b_spans)),
            f"{p.score:.2f}\n{p.matched_words} w" + ("" if p.kind == "reuse" else f"\n{p.kind}"))
    if passages:
        console.print(table)
        _print_set_aside(console, passages, a_text, b_text)
    else:
        console.print(Text("No reused passages found.", style="bold yellow"))

    changes = [c for c in diff.changes if c.kind != "reworded"]
    reworded = diff.changes_of("reworded")
    if changes:
        table = Table(title=f"Added, dropped and moved text ({len(changes)})",
                      show_lines=True, expand=True)
        table.add_column("change", no_wrap=True)
        table.add_column(f"A: {diff.a}", ratio=1)
        table.add_column(f"B: {diff.b}", ratio=1)
        styles = {"added": STYLE_ADDED, "dropped": STYLE_DROPPED, "moved": STYLE_MOVED}
        for c in changes:
            style = styles.get(c.kind, "")
            table.add_row(Text(c.kind, style=style), Text(c.a_text, style=style),
                          Text(c.b_text, style=style))
        console.print(table)
    if diff.changed_facts:
        table = Table(title=f"Changed facts ({len(diff.changed_facts)})", expand=True)
        table.add_column("what", no_wrap=True)
        table.add_column(f"A: {diff.a}", ratio=1)
        table.add_column(f"B: {diff.b}", ratio=1)
        for f in diff.changed_facts:
            table.add_row(f.kind, *(Text(side or "(none)", style=STYLE_FACT if side else "dim")
                                    for side in (f.a_text, f.b_text)))
        console.print(table)
    _print_credits(console, diff, articles)
    if reworded:
        n_words = sum(len(c.word_changes) for c in reworded)
        table = Table(title=f"Reworded words ({n_words} in {len(reworded)} passages)",
                      expand=True)
        table.add_column(f"A: {diff.a}", ratio=1)
        table.add_column(f"B: {diff.b}", ratio=1)
        for c in reworded:
            for wc in c.word_changes:
                table.add_row(Text(wc.a_text or "-", style=STYLE_WORD_A if wc.a_text else "dim"),
                              Text(wc.b_text or "-", style=STYLE_WORD_B if wc.b_text else "dim"))
        console.print(table)
    if diff.spelling_variants:
        table = Table(title=f"Spelling variants ({len(diff.spelling_variants)})")
        table.add_column(f"A: {diff.a}")
        table.add_column(f"B: {diff.b}")
        table.add_column("similarity", justify="right")
        for v in diff.spelling_variants:
            table.add_row(Text(v.a_form, style=STYLE_VARIANT), Text(v.b_form, style=STYLE_VARIANT),
                          f"{v.similarity:.2f}")
        console.print(table)
    if diff.summary:
        console.print(Panel(Text(diff.summary), title="Summary", expand=True))
