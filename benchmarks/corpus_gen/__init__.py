"""Generating scale corpora with planted, recorded reuse (``benchmarks/make_corpus.py``).

``config`` (kinds, mixture, ``Config``), ``words`` (word tables), ``material``
(the cleaned real texts and their cache), ``frames`` (template families found in
the Reuters items), ``fill`` (templated items made from them, corrections),
``plan`` (stories, chunks, originals), ``derive`` (the derivation kinds),
``chunk`` (building one chunk with its truth), ``output`` (writing chunks, truth
and meta) and ``check`` (shared-run check).
"""

from .check import check_runs
from .config import (
    ALL_KINDS,
    DEFAULT_KIND_WEIGHTS,
    KINDS,
    OUTLETS,
    RUN,
    SERIES_KINDS,
    VERBATIM_KINDS,
    Config,
)
from .material import Material, material
from .output import generate
from .plan import Plan, make_plan

__all__ = ["ALL_KINDS", "DEFAULT_KIND_WEIGHTS", "KINDS", "OUTLETS", "RUN", "SERIES_KINDS",
           "VERBATIM_KINDS", "Config",
           "Material", "Plan", "check_runs", "generate", "make_plan", "material"]
