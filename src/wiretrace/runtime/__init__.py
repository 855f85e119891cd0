"""What every driver runs on: worker processes (``workers.py``), the article
store shared with them (``article_store.py``) and compiled code
(``compiled.py``).
"""
