"""Shared by the scale benchmark: paths, the memory and disk budgets, reading
the machine's memory, byte formatting, logging and ``Refused``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAKE_CORPUS = ROOT / "benchmarks" / "make_corpus.py"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
SAMPLE_SECONDS = 0.5
# Peak memory of ``wiretrace trace``: a fixed part (the interpreter, NumPy, pyarrow)
# and a part per article, 16 kB on the default mixture at 100,000 articles with 2
# workers (1.69 GB: the sum of RSS, in the diff stage, which counts the pages of the
# memory-mapped articles once per process; PSS 1.0 GB).  Used for a size when this
# run has measured no size of at least ESTIMATE_FROM articles (smaller corpora are
# all long real texts and overstate it); otherwise that size's measured rate is used.
# Linear, so it overstates large sizes: much of it is fixed.
BASE_BYTES = 150 << 20
BYTES_PER_ARTICLE = 16_000
ESTIMATE_FROM = 50_000
# Disk: the corpus's Parquet files (660 B per article at 100,000) and the result
# files (10.3 kB per article at 100,000, 783 MB of it passages.jsonl), with margins.
CORPUS_BYTES_PER_ARTICLE = 1_000
OUTPUT_BYTES_PER_ARTICLE = 20_000
MEMORY_FLOOR = 512 << 20  # stop a run when less memory than this (or 3 %) is available
KIB = 1024


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


def _memory(meminfo_field: str, psutil_field: str) -> int | None:
    """A figure from /proc/meminfo, else from psutil, else None."""
    info = meminfo()
    if meminfo_field in info:
        return info[meminfo_field]
    try:
        import psutil  # type: ignore[import-not-found]
    except ImportError:
        return None
    return int(getattr(psutil.virtual_memory(), psutil_field))


def available_memory() -> int | None:
    return _memory("MemAvailable", "available")


def total_memory() -> int | None:
    return _memory("MemTotal", "total")


class Refused(Exception):
    """A size that is not run (not enough memory or disk): reported, not fatal."""


def log(message: str) -> None:
    print(f"[scale] {message}", file=sys.stderr, flush=True)
