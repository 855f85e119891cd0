"""Per-pair cost of alignment and per-version cost of diffs, in CPU time.

The two per-pair stages decide how long a large ``trace`` takes: this times
them alone, in one process, on the candidate pairs and story diffs of a
generated corpus (``benchmarks/make_corpus.py``), as CPU seconds (steadier
than wall time on a shared machine), best of ``--repeat``.  Every article's
tokens are made before the clock starts, as a worker's cache holds them.

    .venv/bin/python benchmarks/align_speed.py --articles 10000

Prints a table: pairs aligned, milliseconds per pair; diffs made, ms per diff.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]


def _corpus(articles: int, folder: Path) -> Path:
    path = folder / f"corpus-{articles}" / "articles.parquet"
    if not path.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"),
                        "--articles", str(articles), "--out", str(path.parent)], check=True)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus-dir", type=Path, default=ROOT / ".cache")
    args = parser.parse_args(argv)

    import wiretrace
    from wiretrace.align import align_tokens
    from wiretrace.candidates.seed_index import SeedIndex
    from wiretrace.diff.changes import diff_versions
    from wiretrace.fingerprint.minhash import minhash_flat, shingles_batch
    from wiretrace.model import Article
    from wiretrace.params import TraceParams
    from wiretrace.pipeline import candidate_pairs
    from wiretrace.text.tokens import token_hashes_batch, tokenize

    table = pq.read_table(_corpus(args.articles, args.corpus_dir), columns=["id", "text"])
    articles = [Article(row["id"], row["text"]) for row in table.to_pylist()]
    texts = [a.text for a in articles]
    params = TraceParams()
    with tempfile.TemporaryDirectory() as folder:
        seeds = SeedIndex(folder)
        hashes, offsets = token_hashes_batch(texts)
        flat, flat_offsets = shingles_batch(hashes, offsets, params.seed_ngram)
        seeds.add(0, flat, flat_offsets)
        pairs, _ = candidate_pairs(seeds, minhash_flat(flat, flat_offsets, params.num_perm),
                                   np.diff(offsets) >= params.seed_ngram, params)
    result = wiretrace.trace(articles, params)  # for the story diffs' jobs
    jobs = [(d.a, d.b, d.passages) for d in result.diffs]
    by_id = {a.id: a for a in articles}

    def best_of(run) -> float:
        best = float("inf")
        for _ in range(args.repeat):
            tokens = {k: tokenize(t) for k, t in enumerate(texts)}
            tokens.update({a.id: tokenize(a.text) for a in articles})
            started = time.process_time()
            run(tokens)
            best = min(best, time.process_time() - started)
        return best

    align_seconds = best_of(lambda tokens: [
        align_tokens(texts[i], tokens[i], texts[j], tokens[j], params)
        for i, j in pairs.tolist()])
    diff_seconds = best_of(lambda tokens: [
        diff_versions(by_id[a], tokens[a], by_id[b], tokens[b], between, params)
        for a, b, between in jobs])
    print(f"{'articles':>9} {'pairs':>8} {'ms/pair':>8} {'diffs':>7} {'ms/diff':>8}")
    print(f"{len(articles):>9,} {len(pairs):>8,} {align_seconds / max(1, len(pairs)) * 1e3:>8.3f} "
          f"{len(jobs):>7,} {diff_seconds / max(1, len(jobs)) * 1e3:>8.3f}")
    print("CPU time of one process, best of", args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
