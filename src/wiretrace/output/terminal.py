"""Terminal output of the command line: progress of the stages and summary tables
(the compare view is :mod:`.compare_view`)."""

from __future__ import annotations

import time

from rich.console import Console
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

__all__ = ["StageProgress", "summary_table"]

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


