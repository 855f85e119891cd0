"""Measuring the tool: PAN text-alignment measures (``pan.py``) and the shared
real corpora the tests and benchmarks read (``corpora.py``).
"""
