"""The index's SQLite file: tables, connections, stored parameters.

One file in WAL mode (readers never block the writer, a killed writer leaves
the last committed state).  Tables:

* ``meta``: format version, the :class:`~wiretrace.params.TraceParams` the
  index was built with (fixed: results must not drift as the corpus grows),
  a generation counter bumped by every write (other connections reload their
  in-memory postings when it moves) and the story id counter;
* ``articles``: one row per article id: its position (``seq``, the order it
  was first added in, which plays the role of input order in a batch
  ``trace``), its current version's ``doc`` and the number of versions;
* ``docs``: one row per version of an article: the text as given, metadata
  (author, topics and places as JSON in ``meta``, a column files made before
  it gain when first opened for writing: :func:`add_meta_column`), word
  count, whether it is the current (``live``) version;
* ``runs``: sorted postings BLOBs (see :mod:`.postings`);
* ``boilerplate``: shingles held by more than ``max_df`` current versions;
* ``pairs``: two current versions with reused passages, ``a`` the one with
  the earlier position; the passages (packed records, see
  :data:`.store.PASSAGE_RECORD`), their matched words and
  whether the pair is strong enough to link a story;
* ``stories`` and ``story_members``: the stories, with stable ids.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields

from wiretrace.params import TraceParams

# 4: passage kinds set briefs that report other figures aside as templates, and the
# time rule counts agreeing passages (links.agrees): an index made before holds
# other kinds and links, so it is refused with a word on rebuilding it.
FORMAT = "wiretrace-index-4"
# A fixed max_df stands in for the batch default (5% of the corpus, clamped
# to 10..100): 100 is what the batch run uses from 2,000 articles up.
DEFAULT_MAX_DF = 100

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, doc INTEGER NOT NULL,
    versions INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    doc INTEGER PRIMARY KEY, article_id TEXT NOT NULL, version INTEGER NOT NULL,
    seq INTEGER NOT NULL, live INTEGER NOT NULL, text TEXT NOT NULL, text_hash BLOB NOT NULL,
    title TEXT, outlet TEXT, url TEXT, published TEXT, origin TEXT,
    words INTEGER NOT NULL, added_at REAL NOT NULL, meta TEXT, UNIQUE (article_id, version));
CREATE INDEX IF NOT EXISTS docs_dead ON docs (live) WHERE live = 0;
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, level INTEGER NOT NULL,
    n INTEGER NOT NULL, keys BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS boilerplate (shingle INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS pairs (
    a INTEGER NOT NULL, b INTEGER NOT NULL, words INTEGER NOT NULL, linked INTEGER NOT NULL,
    passages BLOB NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pairs_b ON pairs (b, a);
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY, size INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS stories_size ON stories (size DESC, id);
CREATE TABLE IF NOT EXISTS story_members (doc INTEGER PRIMARY KEY, story TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS story_members_story ON story_members (story);
"""


class IndexFileError(Exception):
    """The path is not a usable wiretrace index (missing, not SQLite, other format)."""


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (``BEGIN IMMEDIATE``: it takes the write lock at once),
    committed at the end or rolled back if anything fails or interrupts it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def connect(path: str) -> sqlite3.Connection:
    """A connection with the index's pragmas (WAL, waits for the write lock)."""
    conn = sqlite3.connect(path, timeout=60.0, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL: durable up to the last checkpoint
        conn.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
        conn.execute("PRAGMA foreign_keys=OFF")
    except sqlite3.DatabaseError as e:
        conn.close()
        raise IndexFileError(f"{path}: not a wiretrace index ({e})") from None
    return conn


def add_meta_column(conn: sqlite3.Connection) -> None:
    """Give an index made before ``docs.meta`` existed that column (empty), so that
    its articles read and new ones keep their author, topics and places.  Nothing
    else changed, so such a file is not refused.  A file opened read-only cannot
    gain it: this connection then reads ``docs`` through a temporary view that
    adds it (a temporary view is this connection's alone, never written to the file)."""
    columns = {row[1] for row in conn.execute("PRAGMA main.table_info(docs)")}
    if not columns or "meta" in columns:
        return
    try:
        with write_transaction(conn):
            conn.execute("ALTER TABLE main.docs ADD COLUMN meta TEXT")
    except sqlite3.OperationalError:  # read-only file or folder
        conn.execute("CREATE TEMP VIEW IF NOT EXISTS docs AS SELECT *, NULL AS meta "
                     "FROM main.docs")


def params_to_json(params: TraceParams) -> str:
    return json.dumps(asdict(params), sort_keys=True)


def params_from_json(text: str) -> TraceParams:
    given = json.loads(text)
    known = {f.name for f in fields(TraceParams)}
    return TraceParams(**{k: v for k, v in given.items() if k in known})


def fixed(params: TraceParams | None) -> TraceParams:
    """``params`` with a fixed ``max_df`` (the index cannot derive it from a corpus size)."""
    from dataclasses import replace

    params = params or TraceParams()
    return params if params.max_df is not None else replace(params, max_df=DEFAULT_MAX_DF)


def initialise(conn: sqlite3.Connection, path: str, params: TraceParams | None,
               create: bool) -> TraceParams:
    """Create the tables of a new index or check an existing one; its parameters."""
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" in tables:
            row = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if row.get("format") != FORMAT:
                if str(row.get("format", "")).startswith("wiretrace-index-"):
                    raise IndexFileError(
                        f"{path}: made by another version of wiretrace (format "
                        f"{row.get('format')!r}, this one reads {FORMAT!r}), whose passages "
                        "and story links follow other rules; build it again from its "
                        "inputs with 'wiretrace index add' into a new file")
                raise IndexFileError(f"{path}: not a wiretrace index "
                                     f"(format {row.get('format')!r}, expected {FORMAT!r})")
            add_meta_column(conn)
            stored = params_from_json(row["params"])
            if params is not None:
                wanted = params if params.max_df is not None else \
                    TraceParams(**{**asdict(params), "max_df": stored.max_df})
                if wanted != stored:
                    differ = [f.name for f in fields(TraceParams)
                              if getattr(wanted, f.name) != getattr(stored, f.name)]
                    raise ValueError(f"{path} was built with other parameters "
                                     f"({', '.join(differ)}); an index keeps its parameters")
            return stored
        if tables:
            raise IndexFileError(f"{path}: an SQLite database, but not a wiretrace index")
        if not create:
            raise IndexFileError(f"{path}: not a wiretrace index (empty database)")
        params = fixed(params)
        with write_transaction(conn):
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)", [
                ("format", FORMAT), ("params", params_to_json(params)), ("generation", "0"),
                ("next_story", "1")])
        return params_from_json(
            conn.execute("SELECT value FROM meta WHERE key='params'").fetchone()[0])
    except sqlite3.DatabaseError as e:
        raise IndexFileError(f"{path}: not a wiretrace index ({e})") from None


def file_bytes(path: str) -> int:
    """Bytes of the index on disk, write-ahead log included."""
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
