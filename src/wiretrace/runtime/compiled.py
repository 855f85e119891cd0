"""Compiled code: numba, imported once and without its BLAS check, and the warm-ups.

Every stage keeps its compiled inner loops beside it (``text/kernels.py``,
``fingerprint/kernels.py``, ``candidates/kernels.py``, ``align/*``,
``stories/kernels.py``, ``index/lookup_kernels.py``); each imports numba
through this module, so that the first import in a process skips the half
second numba's BLAS check costs.

Compiled code is cached on disk (``cache=True``, in ``__pycache__`` beside
each module, or where ``NUMBA_CACHE_DIR`` says): the first run on a machine
compiles, later processes load it.  Kernel modules are imported lazily, so
commands that never tokenise do not pay for importing numba.
"""

from __future__ import annotations

import sys


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
