"""Prepared text: normalisation and tokenisation that keep character offsets
(``tokens.py``), and its compiled scan (``kernels.py``).
"""
