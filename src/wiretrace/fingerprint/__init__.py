"""Document fingerprints: word n-gram shingles and MinHash signatures
(``minhash.py``), and their compiled loops (``kernels.py``).
"""
