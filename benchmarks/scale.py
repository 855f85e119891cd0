"""How ``wiretrace trace`` scales: time, memory and accuracy on generated corpora.

For each size in ``--sizes`` (default 10,000, 100,000 and 1,000,000 articles):

1. a corpus with planted reuse from ``benchmarks/make_corpus.py`` (default mixture,
   ``--seed``) in ``.cache/corpus-<N>``, generated in a subprocess, or reused when
   its ``meta.json`` holds the same configuration;
2. the real command line, ``wiretrace trace .cache/corpus-<N>/articles.parquet
   --out DIR --quiet``, in a subprocess of its own, so reading the Parquet file and
   writing every result file (``report.html`` included) are timed;
3. the result files (``passages.jsonl``, or ``passages.parquet`` with ``--parquet``,
   and ``stories.jsonl``) scored against the corpus's ``truth.parquet`` and
   ``stories.parquet``.

Time and memory
    ``seconds`` is the wall time of the ``wiretrace`` process, from start to exit
    (interpreter start and imports included).  ``max RSS`` is the ``ru_maxrss`` that
    ``wait4`` reports for it: the peak resident set of the *largest single process*
    among the command and its worker processes (Linux folds the peak of every reaped
    descendant into it), not their sum.  The whole process tree is therefore also
    sampled every 0.5 s from ``/proc`` (``psutil`` where there is no ``/proc``):
    ``sum RSS`` is the highest total RSS of the tree seen, which counts the pages
    forked workers share copy-on-write with their parent once per process, so it
    overstates the real footprint; ``sum PSS`` (proportional set size, shared pages
    split between their sharers, Linux only) is the fair total.  Samples can miss a
    spike shorter than 0.5 s.

Accuracy
    * pairs: an unordered pair of articles is *predicted* when wiretrace reports at
      least one passage between them.  ``pair rec`` is the share of the pairs of the
      truth rows (target, source) that are predicted.  ``pair prec`` is the share of
      predicted pairs that do hold common planted text: paragraphs traced back through
      the truth rows to the same first paragraph, at least wiretrace's minimum passage
      (14 words) in all.  That counts two copies of one original, or a copy of a copy,
      as right: they share text although no truth row names them together (against the
      truth rows alone, ``prec rows``, precision mostly measures how many versions the
      stories have).  The pairs table gives all the counts, and ``prec comp``: the
      share of predicted pairs inside one connected component of the truth's reuse
      graph (a pair across components is reuse the generator never planted).
    * char recall: for every truth row, the share of its target span covered by
      passages between its target and its source (either orientation), averaged
      over the rows, verbatim stretches and edited ones (``reworded``, ``spelling``)
      apart; the JSON has it per kind and weighted by characters too.
    * stories: adjusted Rand index between wiretrace's stories and two truths, over
      every article (an article in no story is a singleton): the generator's
      ``story`` field, and the connected components of the truth's reuse graph (a
      ``spliced`` version takes text from two planted stories and rightly joins
      them); and the pairwise precision and recall of "in the same story".  The
      stories table adds a third truth, wiretrace's own linking rule applied to the
      planted text: components of the pairs whose common planted text is at least
      ``story_min_share`` (0.2) of the shorter article's words, since a splice of one
      short paragraph into a long article is deliberately not a link.

The 1,000,000 size needs memory: before its corpus is made, the peak is estimated
from the memory per article measured at the largest earlier size of this run (of at
least 50,000 articles) or else at 100,000 articles on the default mixture (31 kB per
article, 2 workers), with no margin; a size that clearly does not fit in the available
memory is skipped with a message (``--force`` runs it anyway).  While a
size runs, it is stopped if available memory falls under 3 % (at least 512 MiB),
so that the kernel's OOM killer never has to pick a process, and ``--timeout``
(default 3600 s) stops a size that takes too long; both are reported in the table.

    python benchmarks/scale.py --sizes 2000 10000
    python benchmarks/scale.py --sizes 100000 --json scale.json --keep
    python benchmarks/scale.py --sizes 10000 --workers 1 --params max_df=50 no_report
    python benchmarks/scale.py --sizes 10000 --stages   # + time and memory per stage
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

# Run as a script, benchmarks/ is on sys.path; loaded from its path, it may not be.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from scaling.common import DEFAULT_SIZES, ROOT, log, total_memory  # noqa: E402
from scaling.size import run_size  # noqa: E402
from scaling.table import print_tables  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES),
                        metavar="N", help="corpus sizes in articles (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default: 1)")
    parser.add_argument("--workers", type=int, default=None,
                        help="wiretrace trace --workers (default: its own, one per core)")
    parser.add_argument("--timeout", type=float, default=3600.0,
                        help="seconds one size may run before it is stopped (default: 3600)")
    parser.add_argument("--params", nargs="+", default=[], metavar="NAME=VALUE",
                        action="extend",
                        help="passed to wiretrace trace as --name value (a bare NAME as the "
                             "flag --name, e.g. no_report)")
    parser.add_argument("--no-attributions", action="store_true",
                        help="run trace with --no-attributions (the figures before attribution "
                             "existed; it has its own figure in BENCHMARKS.md)")
    parser.add_argument("--parquet", action="store_true",
                        help="run trace with --parquet and score passages.parquet")
    parser.add_argument("--stages", action="store_true",
                        help="run without --quiet and time the stages from the progress lines")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures here")
    parser.add_argument("--keep", action="store_true",
                        help="keep the result files (under CORPUS_DIR/scale-runs)")
    parser.add_argument("--force", action="store_true",
                        help="run a size even when the memory estimate says it cannot fit")
    parser.add_argument("--corpus-dir", type=Path, default=ROOT / ".cache",
                        help="where corpus-<N> folders are made or reused (default: .cache)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="make_corpus.py --jobs (default: %(default)s)")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.sizes):
        parser.error("--sizes must be positive")
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be >= 1")
    args.corpus_dir = args.corpus_dir.resolve()
    args.corpus_dir.mkdir(parents=True, exist_ok=True)

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count()
    workers = str(args.workers) if args.workers else f"wiretrace's default (one per core: {cores})"
    rows: list[dict] = []
    try:
        for n in args.sizes:
            rows.append(run_size(n, args, rows))
    except KeyboardInterrupt:
        log("interrupted: reporting the sizes done")
    if rows:
        print_tables(rows, workers)
    if args.json:
        doc = {"machine": {"cpus": os.cpu_count(), "memory": total_memory(),
                           "python": platform.python_version(), "platform": platform.platform()},
               "options": {"sizes": args.sizes, "seed": args.seed, "workers": args.workers,
                           "timeout": args.timeout, "params": args.params,
                           "parquet": args.parquet},
               "sizes": rows}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 0 if rows and all(r["status"] in ("ok", "skipped") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
