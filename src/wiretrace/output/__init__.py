"""What a run gives a person: result files (``files.py``), the HTML report
(``report.py``, ``report_style.py``) and the terminal views (``terminal.py``).
"""
