"""Candidate pairs without comparing all pairs: LSH over MinHash signatures
(``lsh.py``), the seed index of shared word n-grams (``seed_index.py``), and
the compiled banding loops (``kernels.py``).
"""
