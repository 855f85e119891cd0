"""What attribution costs a trace: the real archive traced with and without it, in turns.

Traces the Reuters + BBC archive (``real_stories.archive_articles``, 21,268
articles) in this process, ``--rounds`` times each way, alternating (the
machine is shared: compare within one run), and prints the wall time and the
time of each stage.

    python benchmarks/attribution_cost.py              # 2 rounds
    python benchmarks/attribution_cost.py --rounds 3 --workers 2
"""

from __future__ import annotations

import argparse
import time

from real_stories import archive_articles
from wiretrace.pipeline import trace


def timed(articles: list, attribute: bool, workers: int | None) -> tuple[float, dict[str, float]]:
    stages: dict[str, float] = {}
    current = [None, time.perf_counter()]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if stage != current[0]:
            if current[0] is not None:
                stages[current[0]] = stages.get(current[0], 0.0) + now - current[1]
            current[0], current[1] = stage, now

    started = time.perf_counter()
    result = trace(articles, progress=progress, attribute=attribute, workers=workers)
    progress("end", 0, 0)
    stages["attributions found"] = result.stats["attributions"]
    return time.perf_counter() - started, stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    articles = archive_articles()
    print(f"{len(articles):,} articles")
    for round_ in range(1, args.rounds + 1):
        for attribute in (False, True):
            seconds, stages = timed(articles, attribute, args.workers)
            shown = ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v:,}"
                              for k, v in stages.items())
            print(f"round {round_}, attributions {'on ' if attribute else 'off'}: "
                  f"{seconds:.1f} s ({shown})")


if __name__ == "__main__":
    main()
