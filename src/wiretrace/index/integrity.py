"""Is the index file whole?  SQLite's own checks, and messages that never quote an article.

A disk fault or a copy cut short can damage pages of the index.  Two kinds of
damage, two checks:

* structure (a page that is not a b-tree page any more, a pointer to nowhere):
  ``PRAGMA quick_check`` finds it, in about 0.1 s per 64 MiB, so
  :meth:`Index.open <wiretrace.index.Index.open>` runs it on files up to
  :data:`QUICK_CHECK_MAX_BYTES` and refuses a damaged one at once, instead of
  failing later in the middle of a query;
* contents: a text whose bytes changed is still a valid page, and SQLite only
  notices when it cannot decode it, with an error quoting the text around the
  damage.  :func:`problems` with ``full=True`` (``wiretrace index check DB``)
  runs ``PRAGMA integrity_check`` and decodes every text of every table.

Problems are reported by table, row and column, never with the text itself:
:func:`safe_reason` strips what SQLite quotes from an error message.
"""

from __future__ import annotations

import os
import re
import sqlite3

# Files up to this size are checked (quick_check) whenever an index is opened;
# larger ones on request (``wiretrace index check``), as the check reads every page.
QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024
MAX_PROBLEMS = 1000
# SQLite's decoding errors end in the undecodable text: "... with text '<text>".
_QUOTED_TEXT = re.compile(r" with text '.*", re.S)


def safe_reason(error: BaseException, limit: int = 200) -> str:
    """An SQLite error's message without the text it may quote from the file."""
    reason = _QUOTED_TEXT.sub("", str(error)).strip() or type(error).__name__
    return reason if len(reason) <= limit else reason[: limit - 3] + "..."


def damage_hint(error: BaseException) -> bool:
    """Whether an SQLite error says the file is damaged (rather than locked, full...)."""
    reason = str(error).lower()
    return any(word in reason for word in ("malformed", "decode", "not a database",
                                           "corrupt"))


def _pragma_problems(conn: sqlite3.Connection, pragma: str, limit: int) -> list[str]:
    try:
        rows = conn.execute(f"PRAGMA {pragma}({int(limit)})").fetchall()
    except sqlite3.DatabaseError as e:  # too damaged for the check to run through
        return [f"{pragma}: {safe_reason(e)}"]
    lines = [line.strip() for row in rows for line in str(row[0]).splitlines()]
    return [line for line in lines if line and line != "ok" and not line.startswith("***")]


def _text_problems(conn: sqlite3.Connection, limit: int) -> list[str]:
    """Every TEXT value of every table that is not valid UTF-8, by table, row, column."""
    found: list[str] = []
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for table in tables:
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')
                   if "TEXT" in str(r[2]).upper()]
        if not columns:
            continue
        cast = ", ".join(f'CAST("{c}" AS BLOB)' for c in columns)
        try:
            for rowid, *row in conn.execute(f'SELECT _rowid_, {cast} FROM "{table}"'):
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    try:
                        value.decode("utf-8")
                    except UnicodeDecodeError as e:
                        found.append(f"{table} row {rowid}: {column} is not valid UTF-8 "
                                     f"(byte {e.start} of {len(value):,})")
                        if len(found) >= limit:
                            return found
        except sqlite3.DatabaseError as e:
            found.append(f"{table}: cannot be read through ({safe_reason(e)})")
    return found


def problems(conn: sqlite3.Connection, full: bool, limit: int = MAX_PROBLEMS) -> list[str]:
    """What is damaged in the database of ``conn``, one line each (empty: whole).

    ``full``: ``integrity_check`` (also every index against its table) and every
    text decoded; otherwise ``quick_check``, the pages' structure only.
    """
    if not full:
        return _pragma_problems(conn, "quick_check", limit)
    found = _pragma_problems(conn, "integrity_check", limit)
    if found and found[0].startswith("integrity_check: "):
        # The full check stopped at the damage; the quick one, which does not read
        # the indexes through their tables, often still says which pages.
        quick = _pragma_problems(conn, "quick_check", limit)
        if quick and not quick[0].startswith("quick_check: "):
            found = quick
    return found + _text_problems(conn, limit - len(found)) if len(found) < limit else found


def check_on_open(conn: sqlite3.Connection, path: str) -> str | None:
    """Why a just-opened index file is damaged (quick_check, small files only), or None."""
    try:
        size = os.path.getsize(path)
    except OSError:
        return None
    if not 0 < size <= QUICK_CHECK_MAX_BYTES:
        return None
    found = problems(conn, full=False, limit=10)
    if not found:
        return None
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return (f"{path}: the index file is damaged: {found[0]}{more}; "
            f"'wiretrace index check {path}' lists every problem")
