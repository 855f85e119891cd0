"""Stories: which linked articles tell one story (``links.py`` decides story
links), their origin and derivation edges (``build.py``), and the compiled
loops (``kernels.py``).
"""
