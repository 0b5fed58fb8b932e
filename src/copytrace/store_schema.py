"""The store's file: its schema and migrations, opening checks, and the writer's lock.

A store is an SQLite database whose header carries copytrace's application id, with its schema
version in `meta`. Opening refuses a file that is not a store (without writing to it) or that a
newer copytrace wrote, and upgrades an older one step by step when a writer opens it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copytrace import __version__
from copytrace.errors import CopytraceError

if TYPE_CHECKING:
    from copytrace.records import Document

APPLICATION_ID = 0x43545243  # "CTRC" in the SQLite header: tells a store from any other database
SCHEMA_VERSION = 5

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE documents(
    key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, content TEXT NOT NULL, digest TEXT NOT NULL,
    path TEXT, line INTEGER, title TEXT, published TEXT, url TEXT, source TEXT,
    body_start INTEGER NOT NULL, chars INTEGER NOT NULL, batch INTEGER NOT NULL,
    added TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX documents_digest ON documents(digest);
CREATE INDEX documents_content ON documents(content);
-- int32 (start, end) pairs of sentences and boilerplate lines, float16 sentence vectors, and
-- `features`: JSON [anchors of each sentence, quotes of the text] (NULL: computed when loaded)
CREATE TABLE sentences(
    key INTEGER PRIMARY KEY, spans BLOB NOT NULL, boilerplate BLOB NOT NULL, vectors BLOB NOT NULL,
    features TEXT);
-- uint32 MinHash signature and float16 candidate vector (the ANN index is rebuilt from these)
CREATE TABLE fingerprints(key INTEGER PRIMARY KEY, minhash BLOB NOT NULL, vector BLOB NOT NULL);
CREATE TABLE bands(hash INTEGER NOT NULL, key INTEGER NOT NULL, PRIMARY KEY(hash, key))
    WITHOUT ROWID;
CREATE TABLE passages(hash INTEGER NOT NULL, key INTEGER NOT NULL, PRIMARY KEY(hash, key))
    WITHOUT ROWID;
CREATE INDEX passages_by_key ON passages(key);
CREATE TABLE words(hash INTEGER NOT NULL, key INTEGER NOT NULL, PRIMARY KEY(hash, key))
    WITHOUT ROWID;
CREATE INDEX words_by_key ON words(key);
CREATE TABLE line_counts(line TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE term_df(term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
-- a < b: one row per related pair, derived/source/direction/reason as oriented by the stories,
-- `relation` is the JSON of the relation as aligned, with all its evidence
CREATE TABLE relations(
    a INTEGER NOT NULL, b INTEGER NOT NULL, derived INTEGER NOT NULL, source INTEGER NOT NULL,
    kind TEXT NOT NULL, score REAL NOT NULL, direction TEXT NOT NULL, reason TEXT NOT NULL,
    batch INTEGER NOT NULL, relation TEXT NOT NULL, PRIMARY KEY(a, b)) WITHOUT ROWID;
CREATE INDEX relations_b ON relations(b);
CREATE TABLE stories(
    key INTEGER PRIMARY KEY, original INTEGER, basis TEXT NOT NULL, size INTEGER NOT NULL,
    updated TEXT NOT NULL);
CREATE TABLE story_members(doc INTEGER PRIMARY KEY, story INTEGER NOT NULL);
CREATE INDEX story_members_story ON story_members(story);
CREATE TABLE batches(
    key INTEGER PRIMARY KEY, finished TEXT NOT NULL, documents INTEGER NOT NULL,
    relations INTEGER NOT NULL, seconds REAL NOT NULL);
"""


def _stored(conn: sqlite3.Connection, keys: list[int], columns: str) -> Iterator[list[Any]]:
    """Yield `(key, *columns)` rows of stored documents (`d.` documents, `s.` sentences), a
    thousand keys at a time."""
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        marks = ",".join("?" * len(chunk))
        yield conn.execute(
            f"SELECT d.key, {columns} FROM documents d JOIN sentences s ON s.key = d.key "
            f"WHERE d.key IN ({marks})",
            chunk,
        ).fetchall()


def _backfill(
    conn: sqlite3.Connection, table: str, hashes: Callable[[Document], list[int]]
) -> bool:
    """Store `hashes(document)` of every stored document in `table`; return whether any is."""
    from copytrace.records import Document
    from copytrace.store_codec import stored_sentences

    keys = [k for (k,) in conn.execute("SELECT key FROM fingerprints ORDER BY key")]
    for rows in _stored(conn, keys, "d.text, s.spans"):
        found = []
        for key, text, blob in rows:
            doc = Document(id="", text=text, sentences=stored_sentences(text, blob))
            found += [(h, key) for h in hashes(doc)]
        conn.executemany(f"INSERT OR IGNORE INTO {table}(hash, key) VALUES(?, ?)", found)
    return bool(keys)


def _remember(conn: sqlite3.Connection, settings: dict[str, int]) -> None:
    # the settings the stored hashes were made with (see `incremental.settings`)
    conn.executemany(
        "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)",
        [(k, str(v)) for k, v in settings.items()],
    )


def backfill_passages(conn: sqlite3.Connection) -> None:
    """Store the long-sentence hashes of every stored document, with the default length."""
    from copytrace.config import CandidateConfig
    from copytrace.signatures import passage_digests

    min_words = CandidateConfig().passage_min_words
    if _backfill(conn, "passages", lambda doc: passage_digests(doc, min_words)):
        _remember(conn, {"passage_min_words": min_words})


def backfill_words(conn: sqlite3.Connection) -> None:
    """Store the winnowed word-gram hashes of every stored document, with the default settings."""
    from copytrace.config import CandidateConfig
    from copytrace.signatures import word_fingerprints

    c = CandidateConfig()
    if _backfill(conn, "words", lambda doc: word_fingerprints(doc, c.words_gram, c.words_window)):
        _remember(conn, {"words_gram": c.words_gram, "words_window": c.words_window})


def refresh_anchors(conn: sqlite3.Connection) -> None:
    """Recompute the stored anchors of every sentence (their quotes stay), in the current form."""
    from copytrace.records import Document
    from copytrace.signatures import sentence_anchors
    from copytrace.store_codec import features, features_text, stored_sentences

    keys = [k for (k,) in conn.execute("SELECT key FROM sentences WHERE features IS NOT NULL")]
    for rows in _stored(conn, keys, "d.text, d.title, s.spans, s.features"):
        updates = []
        for key, text, title, blob, stored in rows:
            doc = Document(id="", text=text, title=title, sentences=stored_sentences(text, blob))
            updates.append((features_text(sentence_anchors(doc), features(stored)[1]), key))
        conn.executemany("UPDATE sentences SET features = ? WHERE key = ?", updates)


# Schema migrations: MIGRATIONS[v] takes a store from version v to v + 1, in one transaction.
# A step is an SQL statement or a function of the connection.
MIGRATIONS: dict[int, tuple[str | Callable[[sqlite3.Connection], None], ...]] = {
    # 2: stored anchors and quotes, so loading a stored partner does not recompute them; the rows
    # of older stores stay NULL and are computed when loaded, as before
    1: ("ALTER TABLE sentences ADD COLUMN features TEXT",),
    # 3: the hashes of each document's long sentences, for the passage candidates; stored
    # documents get theirs now (about a minute per 100,000 documents)
    2: (
        "CREATE TABLE passages(hash INTEGER NOT NULL, key INTEGER NOT NULL, "
        "PRIMARY KEY(hash, key)) WITHOUT ROWID",
        "CREATE INDEX passages_by_key ON passages(key)",
        backfill_passages,
    ),
    # 4: the winnowed word-gram hashes of each document, for passages pasted mid-sentence; stored
    # documents get theirs now (about a minute per 100,000 documents)
    3: (
        "CREATE TABLE words(hash INTEGER NOT NULL, key INTEGER NOT NULL, "
        "PRIMARY KEY(hash, key)) WITHOUT ROWID",
        "CREATE INDEX words_by_key ON words(key)",
        backfill_words,
    ),
    # 5: numbers with a scale word anchor as their value ("1.82 mln" as "1,820,000" does), so
    # stored anchors are recomputed (about a minute per 100,000 documents)
    4: (refresh_anchors,),
}


class StoreError(CopytraceError):
    """A store cannot be opened or used as asked; the message names the file and what to do."""


class DiskFull(StoreError):
    """The disk under a store ran out of room while it was written."""

    def __init__(self, path: Path, cause: Exception) -> None:
        free = shutil.disk_usage(path.parent).free / 2**20
        self.what = f"{path}: the disk is full ({cause}; {free:,.0f} MB free there now)"
        super().__init__(
            f"{self.what}. The last batch was not stored; free some space and run the same "
            "command again to finish"
        )


@contextlib.contextmanager
def disk_errors(path: Path) -> Iterator[None]:
    """Report a full disk under the store at `path` as a `StoreError` that says so (SQLite's
    "database or disk is full", or an OSError ENOSPC), instead of an internal error."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "full" not in str(exc):
            raise
        raise DiskFull(path, exc) from None
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        raise DiskFull(path, exc) from None


class StoreLocked(StoreError):
    """Another process is writing to the store."""


def lock_writer(path: Path) -> Any:
    """Take the writer's lock (a file beside the store), or say who holds it."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        handle = open(lock_path, "a+")  # noqa: SIM115 - held open for the writer's lifetime
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the lock file {lock_path}: {exc}") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise StoreLocked(
            f"{path}: locked by a writer ({holder}); wait for it to finish (queries still work)"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    return handle


def connect(path: Path, readonly: bool) -> sqlite3.Connection:
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MiB of page cache
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a copytrace store (not readable as SQLite: {exc})") from None
    return conn


def create_schema(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.executemany(
        "INSERT INTO meta(key, value) VALUES(?, ?)",
        [("schema_version", str(SCHEMA_VERSION)), ("copytrace", __version__), ("batch", "0")],
    )
    conn.execute("COMMIT")


def check_identity(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a file that is not a copytrace store."""
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.DatabaseError:
        raise StoreError(f"{path}: not a copytrace store (not an SQLite database)") from None
    if app != APPLICATION_ID:
        raise StoreError(f"{path}: an SQLite database, but not a copytrace store")


def check_version(conn: sqlite3.Connection, path: Path, readonly: bool) -> None:
    """Refuse a store newer than this copytrace; migrate an older one (a writer only)."""
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    version = int(meta.get("schema_version", "0"))
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: written by a newer copytrace ({meta.get('copytrace', '?')}, store schema "
            f"{version}); this is copytrace {__version__} (schema {SCHEMA_VERSION}): upgrade "
            "copytrace to use it"
        )
    if version < SCHEMA_VERSION:
        if readonly:
            raise StoreError(
                f"{path}: store schema {version} is older than this copytrace's "
                f"({SCHEMA_VERSION}); upgrade it once with: copytrace add --db {path}"
            )
        print(
            f"copytrace: upgrading {path} from store schema {version} to {SCHEMA_VERSION} "
            "(once; a large store takes a minute or so)",
            file=sys.stderr,
        )
        migrate(conn, version)


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Bring a store from schema `version` to the current one, one transaction per step."""
    while version < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        for step in MIGRATIONS[version]:
            if callable(step):
                step(conn)
            else:
                conn.execute(step)
        version += 1
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
        conn.execute("COMMIT")
