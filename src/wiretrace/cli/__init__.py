"""The ``wiretrace`` command: ``trace`` and ``compare`` (``main.py``), ``index``
(``index.py``) and ``serve`` (``serve.py``), over shared options
(``common.py``).
"""
