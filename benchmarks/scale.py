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
import dataclasses
import importlib.util
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MAKE_CORPUS = ROOT / "benchmarks" / "make_corpus.py"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
SAMPLE_SECONDS = 0.5
# Peak memory of ``wiretrace trace``: a fixed part (the interpreter, NumPy, pyarrow)
# and a part per article, 31 kB on the default mixture at 100,000 articles with 2
# workers (3.2 GB: the sum of PSS, in the diff stage; the largest single process,
# 3.1 GB, is the main one in the candidates stage).  Used for a size when this run
# has measured no size of at least ESTIMATE_FROM articles (smaller corpora are all
# long real texts and overstate it); otherwise that size's measured rate is used.
BASE_BYTES = 150 << 20
BYTES_PER_ARTICLE = 31_000
ESTIMATE_FROM = 50_000
# Disk: the corpus's Parquet files (660 B per article at 100,000) and the result
# files (10.3 kB per article at 100,000, 783 MB of it passages.jsonl), with margins.
CORPUS_BYTES_PER_ARTICLE = 1_000
OUTPUT_BYTES_PER_ARTICLE = 20_000
MEMORY_FLOOR = 512 << 20  # stop a run when less memory than this (or 3 %) is available
KIB = 1024


# --------------------------------------------------------------------------- helpers

def rel(path: Path) -> str:
    """``path`` relative to the project root when inside it (no machine paths shown)."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def human_bytes(n: float | None) -> str:
    if n is None:
        return "-"
    for unit, size in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n >= size:
            value = n / size
            digits = 2 if value < 10 else 1 if value < 100 else 0
            return f"{value:.{digits}f}{unit}"
    return f"{n:.0f}B"


def meminfo() -> dict[str, int]:
    """``/proc/meminfo`` in bytes (empty where there is none)."""
    out = {}
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                name, _, rest = line.partition(":")
                parts = rest.split()
                if parts:
                    out[name] = int(parts[0]) * (KIB if parts[1:] == ["kB"] else 1)
    except OSError:
        pass
    return out


def available_memory() -> int | None:
    info = meminfo()
    if "MemAvailable" in info:
        return info["MemAvailable"]
    try:
        import psutil  # type: ignore[import-not-found]
    except ImportError:
        return None
    return int(psutil.virtual_memory().available)


def total_memory() -> int | None:
    info = meminfo()
    if "MemTotal" in info:
        return info["MemTotal"]
    try:
        import psutil  # type: ignore[import-not-found]
    except ImportError:
        return None
    return int(psutil.virtual_memory().total)


def load_make_corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", MAKE_CORPUS)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- corpus

def ensure_corpus(n: int, seed: int, corpus_root: Path, jobs: int) -> tuple[Path, dict, bool]:
    """The corpus of ``n`` articles: reused when its meta.json has the same config,
    else (re)generated by make_corpus.py in a subprocess (its memory stays its own).
    Returns (folder, meta, generated)."""
    mc = load_make_corpus()
    want = dataclasses.asdict(mc.Config(articles=n, seed=seed))
    folder = corpus_root / f"corpus-{n}"
    meta_path = folder / "meta.json"
    files = [folder / f"{name}.parquet" for name in ("articles", "truth", "stories")]
    if meta_path.exists() and all(f.exists() for f in files):
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        if meta.get("config") == want and meta.get("format") == "parquet" \
                and meta.get("articles") == n:
            return folder, meta, False
    meta_path.unlink(missing_ok=True)  # no stale meta beside half-replaced files
    free = shutil.disk_usage(corpus_root if corpus_root.exists() else ROOT).free
    if free < 2 * CORPUS_BYTES_PER_ARTICLE * n:
        raise Refused(f"the corpus needs about {human_bytes(CORPUS_BYTES_PER_ARTICLE * n)} "
                      f"of disk; {human_bytes(free)} free")
    log(f"generating {n:,} articles into {rel(folder)} (make_corpus.py, seed {seed})")
    command = [sys.executable, rel(MAKE_CORPUS), "--articles", str(n), "--out", rel(folder),
               "--seed", str(seed), "--jobs", str(jobs)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        tail = (run.stderr or run.stdout).replace("\r", "\n").strip().splitlines()[-3:]
        raise RuntimeError(f"make_corpus.py failed (exit {run.returncode}): "
                           + " | ".join(tail))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    log(f"generated {n:,} articles in {meta.get('seconds')} s")
    return folder, meta, True


class Refused(Exception):
    """A size that is not run (not enough memory or disk): reported, not fatal."""


# --------------------------------------------------------------------------- process tree

def _proc_children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _proc_memory(pid: int) -> tuple[int, int | None] | None:
    """(RSS, PSS) of a process in bytes from /proc (PSS None where unreadable), or
    None when the process is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            values = {}
            for line in fh:
                name, _, rest = line.partition(":")
                if name in ("Rss", "Pss"):
                    values[name] = int(rest.split()[0]) * KIB
            if "Rss" in values:
                return values["Rss"], values.get("Pss")
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE"), None
    except (OSError, ValueError, IndexError):
        return None


def tree_memory(root: int) -> tuple[int, int | None, int] | None:
    """(total RSS, total PSS, processes) of ``root`` and its descendants, or None
    when neither /proc nor psutil can tell."""
    if os.path.isdir("/proc/self"):
        children = _proc_children()
        todo, pids = [root], []
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo += children.get(pid, [])
        rss = pss = count = 0
        pss_known = True
        for pid in pids:
            got = _proc_memory(pid)
            if got is None:  # exited between the listing and the reading
                continue
            rss += got[0]
            count += 1
            if got[1] is None:
                pss_known = False
            else:
                pss += got[1]
        return rss, (pss if pss_known else None), count
    try:
        import psutil  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        proc = psutil.Process(root)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return None
    rss = 0
    for p in procs:
        try:
            rss += p.memory_info().rss
        except psutil.Error:
            pass
    return rss, None, len(procs)


# --------------------------------------------------------------------------- one run

def run_trace(command: list[str], timeout: float, stages: bool) -> dict:
    """Run the command (cwd: the project root) in a session of its own; wall time,
    ru_maxrss of the process and its reaped descendants, sampled tree memory."""
    total = total_memory()
    floor = max(MEMORY_FLOOR, int(0.03 * total)) if total else MEMORY_FLOOR
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    stderr_lines: list[tuple[float, str]] = []
    stdout_chunks: list[bytes] = []
    ended: dict = {}
    done = threading.Event()

    def drain_stderr() -> None:
        for raw in proc.stderr:
            stderr_lines.append((time.perf_counter() - started,
                                 raw.decode("utf-8", "replace").rstrip()))

    def drain_stdout() -> None:
        stdout_chunks.append(proc.stdout.read())

    def wait() -> None:  # reaps the process the moment it exits: an exact wall time
        _, ended["status"], ended["usage"] = os.wait4(proc.pid, 0)
        ended["at"] = time.perf_counter()
        done.set()

    threads = [threading.Thread(target=f, daemon=True) for f in (drain_stderr, drain_stdout)]
    waiter = threading.Thread(target=wait, daemon=True)
    for thread in (*threads, waiter):
        thread.start()
    samples: list[tuple[float, int, int | None, int]] = []
    try:
        stopped = _watch(proc.pid, done, started, timeout, floor, samples)
    except BaseException:  # Ctrl-C: the run is in a session of its own, stop it too
        _stop(proc.pid, done)
        raise
    waiter.join()
    seconds = ended["at"] - started
    proc.returncode = os.waitstatus_to_exitcode(ended["status"])
    try:  # workers of a stopped run may linger a moment: make sure the group is gone
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for thread in threads:
        thread.join(timeout=10)
    usage = ended["usage"]
    # ru_maxrss is in KiB on Linux, in bytes on macOS
    max_rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else KIB)
    return {
        "returncode": proc.returncode, "stopped": stopped, "seconds": round(seconds, 2),
        "max_rss": max_rss, "tree_rss": max((x[1] for x in samples), default=None),
        "tree_pss": max((x[2] for x in samples if x[2] is not None), default=None),
        "max_processes": max((x[3] for x in samples), default=1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "samples": samples, "stderr": stderr_lines,
        "stdout": b"".join(stdout_chunks).decode("utf-8", "replace"),
        "stages": stage_times(stderr_lines, samples, seconds) if stages else None,
    }


def _watch(pid: int, done: threading.Event, started: float, timeout: float, floor: int,
           samples: list) -> str | None:
    """Sample the tree's memory until the run ends; stop it (and say why) when it
    runs past ``timeout`` or available memory falls under ``floor``."""
    while not done.wait(SAMPLE_SECONDS):
        now = time.perf_counter() - started
        tree = tree_memory(pid)
        if tree is not None and tree[2]:  # (rss, pss or None, processes)
            samples.append((round(now, 2), *tree))
        available = available_memory()
        stopped = "memory" if available is not None and available < floor else \
            "timeout" if now > timeout else None
        if stopped:
            _stop(pid, done)
            return stopped
    return None


def _stop(pid: int, done: threading.Event) -> None:
    """SIGTERM to the run's process group, SIGKILL if it has not exited in 10 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        if done.wait(10):
            return


def stage_times(lines: list[tuple[float, str]], samples: list, seconds: float) -> list[dict]:
    """Stages from the progress lines (``wiretrace: STAGE: ...``, a line when a stage
    starts reporting and one when it is done): a stage runs from the previous stage's
    last line to its own last line; ``quiet`` is the part before its first line (work
    that reports nothing: the stories are built before diff's first line).  With the
    peak tree memory sampled meanwhile; ``exit`` is after the last line."""
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for at, line in lines:
        parts = line.split(": ")
        if len(parts) >= 3 and parts[0] == "wiretrace":
            first.setdefault(parts[1], at)
            last[parts[1]] = at
    names = sorted(first, key=first.get)
    out = []
    begin = 0.0
    for name, end in [*((name, last[name]) for name in names), ("exit", seconds)]:
        inside = [s for s in samples if begin <= s[0] <= end]
        out.append({"stage": name, "start": round(begin, 1), "seconds": round(end - begin, 1),
                    "quiet": round(first.get(name, end) - begin, 1),
                    "peak_rss": max((s[1] for s in inside), default=None),
                    "peak_pss": max((s[2] or 0 for s in inside), default=None) or None})
        begin = end
    return out


# --------------------------------------------------------------------------- scoring

def _codes(values, ids) -> np.ndarray:
    """Index of each value in ``ids`` (a pyarrow array), -1 where absent."""
    import pyarrow.compute as pc

    return np.asarray(pc.fill_null(pc.index_in(values, value_set=ids), -1)
                      .to_numpy(zero_copy_only=False), dtype=np.int64)


def read_passages(out_dir: Path, parquet: bool):
    import pyarrow as pa

    columns = ["a", "a_start", "a_end", "b", "b_start", "b_end"]
    types = [pa.string(), pa.int64(), pa.int64(), pa.string(), pa.int64(), pa.int64()]
    schema = pa.schema(list(zip(columns, types, strict=True)))
    if parquet:
        import pyarrow.parquet as pq

        return pq.read_table(out_dir / "passages.parquet", columns=columns)
    path = out_dir / "passages.jsonl"
    if path.stat().st_size == 0:
        return schema.empty_table()
    from pyarrow import json as pa_json

    # passage texts (a_text, b_text) are skipped by the parser, never built
    return pa_json.read_json(
        path, read_options=pa_json.ReadOptions(block_size=32 << 20),
        parse_options=pa_json.ParseOptions(explicit_schema=schema,
                                           unexpected_field_behavior="ignore"))


def read_stories(out_dir: Path):
    import pyarrow as pa

    path = out_dir / "stories.jsonl"
    schema = pa.schema([("story", pa.string()), ("members", pa.list_(pa.string()))])
    if path.stat().st_size == 0:
        return schema.empty_table()
    from pyarrow import json as pa_json

    return pa_json.read_json(
        path, read_options=pa_json.ReadOptions(block_size=32 << 20),
        parse_options=pa_json.ParseOptions(explicit_schema=schema,
                                           unexpected_field_behavior="ignore"))


def components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes for edges (u, v)."""
    parent = list(range(n))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in zip(u.tolist(), v.tolist(), strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([root(k) for k in range(n)], dtype=np.int64)


def _pairs(counts: np.ndarray) -> int:
    c = counts.astype(np.int64)
    return int((c * (c - 1) // 2).sum())


def clustering_scores(predicted: np.ndarray, truth: np.ndarray) -> dict:
    """Adjusted Rand index (Hubert & Arabie) from the contingency table, and the
    pairwise precision / recall of "same cluster" (predicted vs truth)."""
    n = len(predicted)
    _, p = np.unique(predicted, return_inverse=True)
    _, t = np.unique(truth, return_inverse=True)
    _, joint = np.unique(p.astype(np.int64) * (int(t.max(initial=0)) + 1) + t,
                         return_counts=True)
    both, pred_pairs, true_pairs = _pairs(joint), _pairs(np.bincount(p)), \
        _pairs(np.bincount(t))
    all_pairs = n * (n - 1) // 2
    expected = pred_pairs * true_pairs / all_pairs if all_pairs else 0.0
    best = (pred_pairs + true_pairs) / 2
    ari = 1.0 if best == expected else (both - expected) / (best - expected)
    return {"ari": ari,
            "precision": both / pred_pairs if pred_pairs else 1.0,
            "recall": both / true_pairs if true_pairs else 1.0,
            "predicted_pairs": pred_pairs, "true_pairs": true_pairs, "both": both}


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def planted_sharing(corpus: Path, ids, target: np.ndarray, source: np.ndarray,
                    t_start: np.ndarray, t_end: np.ndarray, s_start: np.ndarray) -> dict:
    """Which articles hold the same planted text, and how much of it.

    Truth rows copy whole paragraphs, one for one (an edited stretch keeps its
    paragraphs), so every paragraph of a target maps to a paragraph of its source;
    following the maps back gives each paragraph its root (the paragraph as first
    written).  Two articles share planted text when they hold paragraphs with a
    common root, whether the truth relates them directly or not (two copies of one
    original, a copy of a copy).  Words are whitespace-separated here (wiretrace's
    tokens differ a little: "Jan-Dec" is two).  Returns ``keys`` (``lo * n + hi``) and
    ``shared_words`` of every sharing pair, ``article_words`` and ``row_words`` (the
    words of each truth row's target span)."""
    import pyarrow.parquet as pq

    n = len(ids)
    owners, lengths, counts = [], [], []
    for batch in pq.ParquetFile(corpus / "articles.parquet").iter_batches(
            columns=["id", "text"], batch_size=8192):
        codes = _codes(batch.column("id"), ids)
        texts = batch.column("text").to_pylist()
        paragraphs = [p for text in texts for p in text.split("\n\n")]
        owners.append(np.repeat(codes, [text.count("\n\n") + 1 for text in texts]))
        lengths.append(np.fromiter((len(p) + 2 for p in paragraphs), dtype=np.int64,
                                   count=len(paragraphs)))
        counts.append(np.fromiter((len(p.split()) for p in paragraphs), dtype=np.int64,
                                  count=len(paragraphs)))
    owner = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    length = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)
    par_words = np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)
    # paragraph starts: cumulative lengths, restarted at each article
    first_of_run = np.concatenate([[True], owner[1:] != owner[:-1]])
    ends = np.cumsum(length)
    run_base = np.maximum.accumulate(np.where(first_of_run, ends - length, 0))
    par_start = ends - length - run_base
    keep = owner >= 0
    order = np.argsort(owner[keep], kind="stable")  # by article, paragraphs in order
    owner, par_start, par_words = owner[keep][order], par_start[keep][order], \
        par_words[keep][order]
    big = np.int64(1 << 32)  # longer than any text
    position = owner * big + par_start
    k0 = np.searchsorted(position, target * big + t_start)
    k1 = np.searchsorted(position, target * big + t_end)
    j0 = np.searchsorted(position, source * big + s_start)
    source_end = np.searchsorted(position, (source + 1) * big)
    count = np.maximum(0, np.minimum(k1 - k0, source_end - j0))
    step = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    parent = np.arange(len(owner))
    parent[np.repeat(k0, count) + step] = np.repeat(j0, count) + step
    while True:  # follow the maps to the roots (stories are shallow: a few rounds)
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    cumulative = np.concatenate([[0], np.cumsum(par_words)])
    row_words = cumulative[k1] - cumulative[k0]
    article_words = np.bincount(owner, weights=par_words, minlength=n)
    # every pair of articles holding paragraphs of one root
    copied = np.flatnonzero(parent != np.arange(len(parent)))
    held = np.concatenate([copied, np.unique(parent[copied])])
    combo = np.unique(parent[held] * n + owner[held])  # (root, article), sorted
    root, article = combo // n, combo % n
    group_end = np.searchsorted(root, root, "right")
    after = group_end - np.arange(len(root)) - 1
    left = np.repeat(np.arange(len(root)), after)
    right = left + 1 + np.arange(int(after.sum())) - np.repeat(np.cumsum(after) - after, after)
    keys, inverse = np.unique(article[left] * n + article[right], return_inverse=True)
    shared = np.bincount(inverse, weights=par_words[root[left]], minlength=len(keys))
    return {"keys": keys, "shared_words": shared, "article_words": article_words,
            "row_words": row_words}


def covered_by_passages(t_key: np.ndarray, target: np.ndarray, t_start: np.ndarray,
                        t_end: np.ndarray, p_key: np.ndarray, pa_: np.ndarray,
                        a_start: np.ndarray, a_end: np.ndarray, b_start: np.ndarray,
                        b_end: np.ndarray) -> np.ndarray:
    """Characters of each truth row's target span covered by the passages of its pair
    (the union of their target-side spans), all rows at once."""
    order = np.argsort(p_key, kind="stable")
    left = np.searchsorted(p_key[order], t_key, "left")
    count = np.searchsorted(p_key[order], t_key, "right") - left
    step = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    row = np.repeat(np.arange(len(t_key)), count)
    k = order[np.repeat(left, count) + step]
    on_a = pa_[k] == target[row]
    lo, hi = t_start[row], t_end[row]
    start = np.clip(np.where(on_a, a_start[k], b_start[k]), lo, hi)
    end = np.maximum(np.clip(np.where(on_a, a_end[k], b_end[k]), lo, hi), start)
    by = np.lexsort((start, row))
    big = np.int64(1 << 32)  # longer than any text: rows never mix
    start, end = row[by] * big + start[by], row[by] * big + end[by]
    reach = np.concatenate([[-1], np.maximum.accumulate(end)[:-1]])
    gain = np.maximum(0, end - np.maximum(start, reach))
    return np.bincount(row[by], weights=gain, minlength=len(t_key)).astype(np.int64)


def score(corpus: Path, out_dir: Path, parquet: bool, min_words: int,
          story_share: float) -> dict:
    import pyarrow.parquet as pq

    truth_stories = pq.read_table(corpus / "stories.parquet", columns=["id", "story"])
    ids = truth_stories.column("id").combine_chunks()
    n = len(ids)
    truth = pq.read_table(corpus / "truth.parquet", columns=[
        "target", "source", "kind", "target_start", "target_end", "source_start", "verbatim"])
    target, source = _codes(truth.column("target"), ids), _codes(truth.column("source"), ids)
    t_start = truth.column("target_start").to_numpy()
    t_end = truth.column("target_end").to_numpy()
    verbatim = truth.column("verbatim").to_numpy(zero_copy_only=False)
    kinds = np.array(truth.column("kind").to_pylist(), dtype=object)
    planted = planted_sharing(corpus, ids, target, source, t_start, t_end,
                              truth.column("source_start").to_numpy())

    passages = read_passages(out_dir, parquet)
    pa_, pb = _codes(passages.column("a"), ids), _codes(passages.column("b"), ids)
    unknown = int((pa_ < 0).sum() + (pb < 0).sum())
    known = (pa_ >= 0) & (pb >= 0)
    p_key = np.where(known, np.minimum(pa_, pb) * n + np.maximum(pa_, pb), -1)

    # (1) pairs sharing reused text
    t_key = np.minimum(target, source) * n + np.maximum(target, source)
    predicted, rows = np.unique(p_key[known]), np.unique(t_key)
    rows_found = int(np.intersect1d(predicted, rows, assume_unique=True).size)
    sharing = planted["keys"][planted["shared_words"] >= min_words]
    sharing_found = int(np.intersect1d(predicted, sharing, assume_unique=True).size)
    component = components(n, target, source)
    within = int((component[predicted // n] == component[predicted % n]).sum())

    # (2) characters of each truth stretch covered by passages of its pair
    covered = covered_by_passages(
        t_key, target, t_start, t_end, p_key, pa_,
        *(passages.column(c).to_numpy() for c in ("a_start", "a_end", "b_start", "b_end")))
    length = t_end - t_start
    share = covered / np.maximum(1, length)
    long_enough = planted["row_words"] >= min_words

    def recall(mask: np.ndarray) -> dict:
        rows, long_rows = int(mask.sum()), int((mask & long_enough).sum())
        return {"rows": rows, "mean": float(share[mask].mean()) if rows else None,
                "chars": float(covered[mask].sum() / length[mask].sum()) if rows else None,
                "found": float((share[mask] > 0).mean()) if rows else None,
                "short_rows": rows - long_rows,
                "mean_long": float(share[mask & long_enough].mean()) if long_rows else None}

    char_recall = {"verbatim": recall(verbatim), "edited": recall(~verbatim),
                   "by_kind": {k: recall(kinds == k) for k in sorted(set(kinds.tolist()))}}

    # (3) stories
    stories = read_stories(out_dir)
    predicted_story = np.full(n, -1, dtype=np.int64)
    if len(stories):
        members = stories.column("members").combine_chunks()
        member_codes = _codes(members.flatten(), ids)
        story_of = np.repeat(np.arange(len(stories)), np.diff(members.offsets.to_numpy()))
        predicted_story[member_codes[member_codes >= 0]] = story_of[member_codes >= 0]
    alone = predicted_story < 0
    predicted_story[alone] = len(stories) + np.arange(int(alone.sum()))
    planted_story = _codes(truth_stories.column("story"), ids)
    alone = planted_story < 0
    planted_story[alone] = n + np.arange(int(alone.sum()))
    # wiretrace's own rule on the planted text: linked when the shared words are at
    # least story_min_share of the shorter article's words
    keys, words = planted["keys"], planted["article_words"]
    lo, hi = keys // n, keys % n
    strong = (planted["shared_words"] >= story_share * np.minimum(words[lo], words[hi])) \
        & (planted["shared_words"] >= min_words)
    linked = components(n, lo[strong], hi[strong])
    return {
        "passages": len(passages), "passages_unknown_ids": unknown,
        "pairs": {
            "predicted": int(len(predicted)), "truth_rows": int(len(rows)),
            "truth_rows_found": rows_found, "sharing": int(len(sharing)),
            "sharing_found": sharing_found,
            # the table's pair precision and recall
            "precision": _ratio(sharing_found, len(predicted)),
            "recall": _ratio(rows_found, len(rows)),
            # the other ways to count
            "precision_truth_rows": _ratio(rows_found, len(predicted)),
            "recall_sharing": _ratio(sharing_found, len(sharing)),
            "within_truth_component": within,
            "precision_component": _ratio(within, len(predicted))},
        "char_recall": char_recall,
        "stories": {"predicted": len(stories),
                    "planted": clustering_scores(predicted_story, planted_story),
                    "components": clustering_scores(predicted_story, component),
                    "linked": clustering_scores(predicted_story, linked)},
    }


# --------------------------------------------------------------------------- a size

def estimate_peak(n: int, done: list[dict]) -> tuple[int, str]:
    """Bytes the trace of ``n`` articles needs at its peak, at least, and why: no
    margin, so that only a size that clearly cannot fit is refused (the run is stopped
    anyway if memory runs out)."""
    measured = [r for r in done if r.get("status") == "ok" and r.get("peak_total")
                and r["articles"] >= ESTIMATE_FROM]
    if measured:
        last = max(measured, key=lambda r: r["articles"])
        rate = max(0.0, (last["peak_total"] - BASE_BYTES) / last["articles"])
        return (int(BASE_BYTES + rate * n),
                f"{rate / 1000:.0f} kB per article, as measured at {last['articles']:,}")
    return BASE_BYTES + BYTES_PER_ARTICLE * n, \
        f"{BYTES_PER_ARTICLE / 1000:.0f} kB per article, as measured at 100,000"


def check_resources(n: int, done: list[dict], force: bool, folder: Path) -> dict:
    need, why = estimate_peak(n, done)
    available = available_memory()
    info = {"estimated_peak": need, "estimate_from": why, "available_memory": available}
    if available is not None and need > available and not force:
        raise Refused(f"{n:,} articles need at least {human_bytes(need)} of memory "
                      f"({why}) and {human_bytes(available)} is available; "
                      f"--force runs it anyway (it is stopped if memory runs out)")
    free = shutil.disk_usage(folder).free  # the result files go under it too
    if free < OUTPUT_BYTES_PER_ARTICLE * n and not force:
        raise Refused(f"the result files of {n:,} articles need about "
                      f"{human_bytes(OUTPUT_BYTES_PER_ARTICLE * n)} of disk; "
                      f"{human_bytes(free)} free")
    return info


def code_version() -> str | None:
    """The project's git commit (``+dirty`` when src/ has changes), if git can tell."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def wiretrace_command() -> list[str]:
    exe = Path(sys.executable).parent / "wiretrace"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "wiretrace"]


def param_options(params: list[str]) -> list[str]:
    """``NAME=VALUE`` -> ``--name value``; a bare ``NAME`` -> ``--name`` (a flag)."""
    out = []
    for item in params:
        name, eq, value = item.partition("=")
        out.append("--" + name.strip().lstrip("-").replace("_", "-"))
        if eq:
            out.append(value)
    return out


def param_value(params: list[str], name: str):
    """The value of a wiretrace parameter for this run (``--params`` or the default)."""
    from wiretrace.params import TraceParams

    default = getattr(TraceParams(), name)
    for item in params:
        key, _, value = item.partition("=")
        if key.strip().lstrip("-").replace("-", "_") == name and value:
            return type(default)(value)
    return default


def run_size(n: int, args: argparse.Namespace, done: list[dict]) -> dict:
    row: dict = {"articles": n, "status": "ok", "code": code_version()}
    try:
        # before making a corpus
        row["resources"] = check_resources(n, done, args.force, args.corpus_dir)
        corpus, meta, generated = ensure_corpus(n, args.seed, args.corpus_dir, args.jobs)
        row["corpus"] = {"path": rel(corpus), "generated": generated,
                         "seconds": meta.get("seconds") if generated else None,
                         "stories": meta.get("stories"), "counts": meta.get("counts")}
    except Refused as e:
        row["status"], row["message"] = "skipped", str(e)
        log(f"{n:,} articles: skipped: {e}")
        return row
    except RuntimeError as e:  # make_corpus.py failed
        row["status"], row["message"] = "failed", str(e)
        log(f"{n:,} articles: {e}")
        return row
    base = args.corpus_dir / "scale-runs"
    base.mkdir(parents=True, exist_ok=True)
    out_dir = Path(tempfile.mkdtemp(prefix=f"{n}-", dir=base))
    command = [*wiretrace_command(), "trace", rel(corpus / "articles.parquet"),
               "--out", rel(out_dir)]
    if not args.stages:
        command.append("--quiet")
    if args.parquet:
        command.append("--parquet")
    if args.workers:
        command += ["--workers", str(args.workers)]
    command += param_options(args.params)
    shown = ["wiretrace", *command[len(wiretrace_command()):]]
    row["command"] = " ".join(shown)
    log(f"{n:,} articles: {row['command']}")
    try:
        got = run_trace(command, args.timeout, args.stages)
        row.update({k: got[k] for k in ("returncode", "seconds", "max_rss", "tree_rss",
                                        "tree_pss", "max_processes", "cpu_seconds", "stages")})
        # what the machine must hold: the PSS sum, at least the largest process
        row["peak_total"] = max(got["tree_pss"] or got["tree_rss"] or 0, got["max_rss"])
        row["memory_samples"] = got["samples"][:: max(1, len(got["samples"]) // 400)]
        if got["stopped"] == "timeout":
            row["status"] = "timeout"
            row["message"] = f"stopped after {args.timeout:.0f} s (--timeout)"
            row["last_progress"] = [line for _, line in got["stderr"][-3:]]
        elif got["stopped"] == "memory":
            row["status"] = "out of memory"
            row["message"] = ("stopped: available memory fell under "
                              f"{human_bytes(MEMORY_FLOOR)} / 3 %")
        elif got["returncode"] != 0:
            row["status"] = "failed"
            row["message"] = " | ".join(line for _, line in got["stderr"][-5:])
        if row["status"] != "ok":
            log(f"{n:,} articles: {row['status']}: {row.get('message', '')}")
            return row
        summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
        stats = summary.get("stats", {})
        row["trace_stats"] = stats
        row["cli_wall_seconds"] = summary.get("wall_seconds")
        row["output_bytes"] = {p.name: p.stat().st_size for p in sorted(out_dir.iterdir())}
        started = time.perf_counter()
        row["scores"] = score(corpus, out_dir, args.parquet,
                              param_value(args.params, "min_passage_words"),
                              param_value(args.params, "story_min_share"))
        row["scoring_seconds"] = round(time.perf_counter() - started, 1)
    finally:
        if args.keep:
            row["output"] = rel(out_dir)
            log(f"{n:,} articles: results kept in {rel(out_dir)}")
        else:
            shutil.rmtree(out_dir, ignore_errors=True)
    return row


# --------------------------------------------------------------------------- tables

def _f(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_tables(rows: list[dict], workers: str) -> None:
    header = ["articles", "status", "seconds", "art/s", "max RSS", "sum RSS", "sum PSS",
              "pair prec", "pair rec", "char rec v/e", "ARI plant/comp", "x size", "x time",
              "slope"]
    table = []
    previous = None
    for r in rows:
        ok = r["status"] == "ok"
        s = r.get("scores", {})
        cells = [f"{r['articles']:,}", r["status"].replace(" ", "-"),
                 _f(r.get("seconds"), 1),
                 f"{r['articles'] / r['seconds']:.0f}" if ok else "-",
                 human_bytes(r.get("max_rss")), human_bytes(r.get("tree_rss")),
                 human_bytes(r.get("tree_pss"))]
        if ok:
            cr = s["char_recall"]
            cells += [_f(s["pairs"]["precision"]), _f(s["pairs"]["recall"]),
                      f"{_f(cr['verbatim']['mean'])}/{_f(cr['edited']['mean'])}",
                      f"{_f(s['stories']['planted']['ari'])}/"
                      f"{_f(s['stories']['components']['ari'])}"]
        else:
            cells += ["-"] * 4
        if ok and previous is not None:
            size_x = r["articles"] / previous["articles"]
            time_x = r["seconds"] / previous["seconds"]
            slope = math.log(time_x) / math.log(size_x) if size_x != 1 else float("nan")
            cells += [f"{size_x:.1f}", f"{time_x:.2f}", f"{slope:.2f}"]
        else:
            cells += ["-"] * 3
        if ok:
            previous = r
        table.append(cells)
    widths = [max(len(header[k]), *(len(c[k]) for c in table)) for k in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if k else c.ljust(w)
                         for k, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    print(line(header))
    print(line(["-" * w for w in widths]))
    for cells in table:
        print(line(cells))
    print()
    versions = sorted({str(r.get("code")) for r in rows})
    print(f"code: {', '.join(versions)}; workers: {workers}")
    print(f"max RSS = ru_maxrss (the largest single process); sum RSS / "
          f"PSS = peak total of the process tree sampled every {SAMPLE_SECONDS} s (RSS counts "
          f"copy-on-write pages shared with forked workers once per process; PSS splits them)")
    print("x size / x time: growth over the previous size; slope = log(x time) / log(x size)")

    ok_rows = [r for r in rows if r["status"] == "ok"]
    if ok_rows:
        print()
        print("stories: adjusted Rand index and same-story pairwise precision / recall vs "
              "the planted stories, the components of the truth's reuse graph, and the "
              "components of the pairs sharing planted text >= story_min_share of the "
              "shorter article (wiretrace's linking rule)")
        head = ["articles", "stories", "planted", "ARI", "prec", "rec", "components", "ARI",
                "prec", "rec", "linked", "ARI", "prec", "rec"]
        body = []
        for r in ok_rows:
            st = r["scores"]["stories"]
            cells = [f"{r['articles']:,}", f"{st['predicted']:,}"]
            for name in ("planted", "components", "linked"):
                got = st[name]
                cells += ["", _f(got["ari"]), _f(got["precision"]), _f(got["recall"])]
            body.append(cells)
        _print_simple(head, body)
        print()
        print("pairs: predicted = pairs with a passage; rows = pairs of a truth row (target, "
              "source); sharing = pairs holding common planted text (>= the minimum passage, "
              "directly related or not); comp = pairs inside one truth component")
        head = ["articles", "cand pairs", "passages", "predicted", "rows", "found", "prec rows",
                "rec rows", "sharing", "found", "prec shar", "rec shar", "prec comp"]
        body = []
        for r in ok_rows:
            s, stats = r["scores"]["pairs"], r["trace_stats"]
            body.append([f"{r['articles']:,}", f"{stats.get('candidate_pairs', 0):,}",
                         f"{r['scores']['passages']:,}", f"{s['predicted']:,}",
                         f"{s['truth_rows']:,}", f"{s['truth_rows_found']:,}",
                         _f(s["precision_truth_rows"]), _f(s["recall"]),
                         f"{s['sharing']:,}", f"{s['sharing_found']:,}", _f(s["precision"]),
                         _f(s["recall_sharing"]), _f(s["precision_component"])])
        _print_simple(head, body)
        print()
        print("char recall: mean share of each truth stretch's target span covered by "
              "passages of its pair (chars: weighted by length; found: any passage; "
              "short: stretches under the minimum passage; long: mean over the others)")
        kinds = sorted({k for r in ok_rows for k in r["scores"]["char_recall"]["by_kind"]})
        body = []
        for r in ok_rows:
            cr = r["scores"]["char_recall"]
            for name, got in [("verbatim", cr["verbatim"]), ("edited", cr["edited"]),
                              *((k, cr["by_kind"][k]) for k in kinds if k in cr["by_kind"])]:
                body.append([f"{r['articles']:,}", name, f"{got['rows']:,}", _f(got["mean"]),
                             _f(got["chars"]), _f(got["found"]), f"{got['short_rows']:,}",
                             _f(got["mean_long"])])
        _print_simple(["articles", "stretches", "rows", "mean", "chars", "found", "short",
                       "long"], body)
        print()
        print("where the time goes: trace = wiretrace.trace() (summary.json stats); read = "
              "the CLI's time before it; rest = imports, writing the result files and "
              "report.html, exit (--stages splits them); cpu = user + system of all processes")
        head = ["articles", "wall", "read", "trace", "rest", "cpu", "out MB", "procs"]
        body = []
        for r in ok_rows:
            trace_s = r["trace_stats"].get("seconds")
            cli = r.get("cli_wall_seconds")
            body.append([f"{r['articles']:,}", _f(r["seconds"], 1),
                         _f(cli - trace_s if cli is not None and trace_s is not None else None,
                            1),
                         _f(trace_s, 1),
                         _f(r["seconds"] - cli if cli is not None else None, 1),
                         _f(r.get("cpu_seconds"), 1),
                         f"{sum(r['output_bytes'].values()) / 1e6:.0f}",
                         str(r.get("max_processes", "-"))])
        _print_simple(head, body)
        for r in ok_rows:
            if r.get("stages"):
                print()
                print(f"stages at {r['articles']:,} articles (from the progress lines; "
                      f"quiet = before the stage's first line)")
                _print_simple(["stage", "start", "seconds", "quiet", "peak RSS sum",
                               "peak PSS sum"],
                              [[st["stage"], _f(st["start"], 1), _f(st["seconds"], 1),
                                _f(st["quiet"], 1), human_bytes(st["peak_rss"]),
                                human_bytes(st["peak_pss"])] for st in r["stages"]])
    for r in rows:
        if r["status"] != "ok":
            print(f"{r['articles']:,} articles: {r['status']}: {r.get('message', '')}")


def _print_simple(head: list[str], body: list[list[str]]) -> None:
    widths = [max(len(head[k]), *(len(b[k]) for b in body)) for k in range(len(head))]
    for cells in (head, *body):
        print("  ".join(c.rjust(w) if k else c.ljust(w)
                        for k, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip())


def log(message: str) -> None:
    print(f"[scale] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- main

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
