"""Compiled code: numba, imported once and without its BLAS check, and the warm-ups.

Every stage keeps its compiled inner loops beside it (``text/kernels.py``,
``fingerprint/kernels.py``, ``candidates/kernels.py``, ``align/*``,
``stories/kernels.py``, ``index/lookup_kernels.py``); each imports numba
through this module, so that the first import in a process skips the half
second numba's BLAS check costs.

Compiled code is cached on disk (``cache=True``, in ``__pycache__`` beside
each module, or where ``NUMBA_CACHE_DIR`` says): the first run on a machine
compiles, later processes load it.  Kernel modules are imported lazily, so
commands that never tokenise do not pay for importing numba.  A package
folder that cannot be written (a pip-installed, not editable, package in a
system folder) needs nothing from us: numba then keeps the cache in the
user's cache folder (``~/.cache/numba``, its user-wide locator).

A **first run** compiles every kernel a trace uses: about 60 s of one core
(measured on the seed demo, 2026-12).  :func:`compile_kernels` spreads that
over worker processes, each compiling whole warm-up parts into the disk
cache (:data:`WARM_UP_PARTS`); the calling process then loads them all from
the cache.  A stamp beside the cache, keyed by the package's source files,
tells a later run that the cache is warm, so it loads in-process without
starting workers.
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path


def _import_numba() -> None:
    """Import numba without the half second its BLAS check costs a process.

    On first use numba's array maths looks for a BLAS by importing
    ``scipy.linalg`` when SciPy is installed: measured 0.6-1.0 s of the
    1.9-3.0 s a fresh process spent loading these kernels.  They use no BLAS
    (no ``np.dot``), so while numba's array maths is imported SciPy's linear
    algebra is made unimportable; numba then records that it has no BLAS.
    A process that has already imported either keeps what it has.
    """
    if "scipy.linalg" in sys.modules or "numba.np.arraymath" in sys.modules:
        return
    sys.modules["scipy.linalg"] = None  # type: ignore[assignment]
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        del sys.modules["scipy.linalg"]


_import_numba()


def warm_up() -> None:
    """Compile (or load from the disk cache) the kernels of tokenising,
    fingerprinting and candidate search, for the types they are used with."""
    from wiretrace.candidates import kernels as candidate_kernels
    from wiretrace.fingerprint import kernels as fingerprint_kernels
    from wiretrace.text import kernels as text_kernels

    text_kernels.warm_up()
    flat, offsets, signatures = fingerprint_kernels.warm_up()
    candidate_kernels.warm_up(signatures)


# The warm-up parts of a first run, (module, function), in the order workers
# take them.  Each compiles its own kernels into the disk cache (a kernel
# another worker has cached already is loaded, not compiled again); what they
# leave is compiled by the caller's own warm-up.  Compile times of one core
# (seed demo, 2026-12): reworded passages (sentences, their similarity, the
# clusters) 25 s; exact passages, their scores and kinds 15 s; tokenising,
# fingerprints and candidates 4-6 s; stories 4-5 s.  On 2 cores the two
# halves run side by side: a first trace of the seed demo took 50-55 s with
# each module's warm-up a part of its own (the whole alignment, left to the
# last part, waited for the rest), 60 s in one process.
WARM_UP_PARTS: tuple[tuple[str, str], ...] = (
    ("wiretrace.align", "warm_up_reworded"),
    ("wiretrace.runtime.compiled", "warm_up"),
    ("wiretrace.align", "warm_up_exact"),
    ("wiretrace.stories.kernels", "warm_up"),
)


def _run_part(module: str, function: str) -> None:
    getattr(importlib.import_module(module), function)()


def _stamp() -> Path | None:
    """The file that says the disk cache holds this code's kernels, beside that
    cache (so that clearing it clears the stamp): its name is a hash of the
    package's source files (path, size, time: a kernel may sit in any of them)
    and of the versions of Python and numba.  None when no folder for it can be
    written."""
    import numba

    digest = hashlib.sha256(f"{sys.version}|{numba.__version__}".encode())
    for path in sorted(Path(__file__).resolve().parents[1].rglob("*.py")):
        info = path.stat()
        digest.update(f"|{path}|{info.st_size}|{info.st_mtime_ns}".encode())
    name = f"wiretrace-kernels-{digest.hexdigest()[:24]}"
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"]) / name
    here = Path(__file__).resolve().parent
    if os.access(here, os.W_OK):  # numba caches in the package tree, so does the stamp
        return here / "__pycache__" / name
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(home) / "wiretrace" / name


def needs_compiling() -> bool:
    """Whether this looks like a first run: no stamp for these kernels (see the
    module docstring).  A wrong guess costs time, never a result."""
    stamp = _stamp()
    return stamp is None or not stamp.exists()


def compile_kernels(workers: int, step: Callable[[], None] | None = None) -> None:
    """Compile the kernels of :data:`WARM_UP_PARTS` into the disk cache in
    ``workers`` processes (``step`` is called as each part is done), then mark
    the cache warm.  The caller still loads them (each part's warm-up, now from
    the cache)."""
    if workers > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(WARM_UP_PARTS)),
                                 mp_context=get_context("fork")) as pool:
            for done in as_completed([pool.submit(_run_part, module, function)
                                      for module, function in WARM_UP_PARTS]):
                done.result()
                if step is not None:
                    step()
    else:
        for module, function in WARM_UP_PARTS:
            _run_part(module, function)
            if step is not None:
                step()
    mark_compiled()


def mark_compiled() -> None:
    """Leave the stamp that says the disk cache is warm (nothing when it cannot be
    written: the next run then compiles in workers again, loading what is cached)."""
    stamp = _stamp()
    if stamp is not None:
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.touch()
        except OSError:
            pass


# The stage a first run shows while numba compiles the kernels into its disk cache.
COMPILE_STAGE = "compiling (first run only)"


def prepare_for_run(progress: Callable[[str, int, int], None], workers: int) -> None:
    """Compile (or load from numba's disk cache) the kernels, before workers fork, so
    that they share them.  Loading takes about a second; compiling, on a first run
    with an empty cache, most of a minute of one core, so a first run compiles in
    ``workers`` processes (:func:`compile_kernels`) and
    shows it as a stage of its own: without it the run would seem to hang before
    its first article."""
    from wiretrace.align import warm_up as warm_up_alignment  # align imports runtime/

    first_run = needs_compiling()
    total = len(WARM_UP_PARTS) + 1
    if first_run:
        progress(COMPILE_STAGE, 0, total)
        done = itertools.count(1)
        compile_kernels(workers, lambda: progress(COMPILE_STAGE, next(done), total))
    warm_up()  # from the cache now, into this process
    warm_up_alignment()
    if first_run:
        progress(COMPILE_STAGE, total, total)
