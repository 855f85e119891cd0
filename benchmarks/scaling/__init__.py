"""The scale benchmark's parts (``benchmarks/scale.py`` is its command line).

``common`` (paths, budgets, memory readings, logging), ``corpus`` (making or
reusing corpora), ``run`` (running ``wiretrace trace``, memory sampling, stage
times), ``score`` (pair, character and story scores incl. ARI), ``size`` (one
size: resource check, command, run, score) and ``table`` (printing).
"""
