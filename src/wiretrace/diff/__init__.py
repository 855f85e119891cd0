"""What one version of a story changed against another (``changes.py``): the
changed facts (``facts.py``), spelling variants (``spelling.py``) and the word
lists they read (``wordlists.py``, ``lexicon.py``).
"""
