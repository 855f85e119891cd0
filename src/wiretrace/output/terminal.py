"""Terminal output of the command line: progress and the side-by-side compare view."""

from __future__ import annotations

import time
from collections.abc import Mapping

from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from wiretrace.attribute import attribute_text
from wiretrace.model import Article, Diff, Passage

__all__ = ["StageProgress", "render_diff", "summary_table"]

# Colours of the compare view (the HTML report uses the same meaning).
STYLE_ADDED = "green"
STYLE_DROPPED = "red"
STYLE_MOVED = "blue"
STYLE_WORD_A = "bold red"  # reworded: the origin side's words
STYLE_WORD_B = "bold green"  # reworded: the new version's words
STYLE_VARIANT = "bold magenta underline"
STYLE_FACT = "bold white on red"  # a changed fact: what a reader must not miss


class StageProgress:
    """``progress(stage, done, total)`` callback that shows work on stderr.

    On a terminal: one rich progress bar per stage.  Otherwise (a log file, a
    pipe, CI): a plain line when a stage starts, finishes, and at most every
    ``interval`` seconds in between.  ``enabled=False`` (``--quiet``) shows
    nothing.
    """

    def __init__(self, console: Console, enabled: bool = True, live: bool | None = None,
                 interval: float = 10.0) -> None:
        self.console = console
        self.enabled = enabled
        self.live = console.is_terminal if live is None else live
        self.interval = interval
        self._progress: Progress | None = None
        self._tasks: dict[str, int] = {}
        self._last: dict[str, tuple[float, int]] = {}

    def __enter__(self) -> StageProgress:
        if self.enabled and self.live:
            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description:<10}"), BarColumn(),
                MofNCompleteColumn(), TimeElapsedColumn(),
                console=self.console, transient=False)
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        total_or_none = total if total and total > 0 else None
        if self._progress is not None:
            task = self._tasks.get(stage)
            if task is None:
                task = self._progress.add_task(stage, total=total_or_none)
                self._tasks[stage] = task
            self._progress.update(task, completed=done, total=total_or_none)
            return
        now = time.monotonic()
        last = self._last.get(stage)
        finished = total_or_none is not None and done >= total_or_none
        if last is not None and last[1] == done:
            return
        if last is None or finished or now - last[0] >= self.interval:
            self._last[stage] = (now, done)
            if total_or_none:
                pct = 100.0 * done / total_or_none
                self.console.print(f"wiretrace: {stage}: {done}/{total_or_none} ({pct:.0f}%)",
                                   highlight=False, markup=False)
            else:
                self.console.print(f"wiretrace: {stage}: {done or '...'}", highlight=False,
                                   markup=False)

    def log(self, message: str, style: str | None = None) -> None:
        """A message on stderr, above the bars when they are shown."""
        target = self._progress.console if self._progress is not None else self.console
        target.print(message, style=style, highlight=False, markup=False)


def summary_table(title: str, rows: list[tuple[str, object, str | None]]) -> Table:
    """Two-column table of (label, value, style); integers get thousands separators."""
    table = Table(title=title, show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for label, value, style in rows:
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        table.add_row(label, Text(shown, style=style or ""))
    return table


# --------------------------------------------------------------------------- compare view

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


def _print_credits(console: Console, diff: Diff, articles: Mapping[str, Article]) -> None:
    """Who each side credits, and what b did to a's credits."""
    a, b = articles.get(diff.a), articles.get(diff.b)
    if a is None or b is None:
        return
    sides = [list(dict.fromkeys(e for item in attribute_text(x.text) for e in item.credited))
             for x in (a, b)]
    if not sides[0] and not sides[1]:
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


def render_diff(console: Console, diff: Diff, articles: Mapping[str, Article]) -> None:
    """Print ``diff`` side by side: reused passages, changes, changed facts, reworded
    words, spelling variants, summary."""
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
