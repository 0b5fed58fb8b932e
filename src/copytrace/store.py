"""The persistent store: one SQLite file (WAL) that grows, remembers and answers.

`Store` holds documents with their sentences, float16 sentence vectors and fingerprints, the corpus
statistics a new document is prepared against (repeated lines, term document frequencies), MinHash
band hashes for LSH lookups, relations with all their evidence, and stories. The nearest-neighbour
index of document vectors lives beside the file (`store_index.StoreIndex`); the database is the
source of truth and the index is caught up from it whenever it lags.

One writer, many readers: a writer holds an exclusive lock file for as long as it is open; readers
open the database read-only and keep answering while a writer commits (WAL). Every batch of `add`
is one transaction, so a crash leaves it wholly in or wholly out.

Example:
    >>> with Store.open("news.ct", create=True) as store:
    ...     report = store.add(documents)
    ...     results = store.query([suspect])
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from copytrace.records import Document, Encoded, Relation, Story
from copytrace.signatures import encode_document
from copytrace.store_codec import (
    bare_relation,
    features,
    relation_from_data,
    relation_from_row,
    spans,
    stored_sentences,
)
from copytrace.store_schema import (
    StoreError,
    StoreLocked,
    check_identity,
    check_version,
    connect,
    create_schema,
    lock_writer,
)

if TYPE_CHECKING:
    from copytrace.config import Config
    from copytrace.incremental import AddReport
    from copytrace.pipeline import Models
    from copytrace.records import Problem
    from copytrace.store_query import QueryResult

# Stored documents read per query. SQLite allows 32,766 parameters; on the 100k benchmark store,
# 4,000 documents read in queries of 500 took 0.31 s of CPU against 0.43 s one query each.
LOAD_CHUNK = 500


class Store:
    """A persistent, growing copytrace store: `open`, `add`, `query`, `stories`, `close`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, readonly: bool, lock: Any) -> None:
        self.path = path
        self.conn = conn
        self.readonly = readonly
        self._lock = lock
        self.meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        self._index: Any = None
        self.cache: dict[Any, Any] = {}  # what a reader computes once per open (repeated lines)

    # ---- opening and closing ------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, create: bool = False, readonly: bool = False) -> Store:
        """Open the store at `path`; `create` makes a new one if there is none.

        A writer (`readonly=False`) takes the store's lock and upgrades an older schema; a reader
        never writes and never waits for the writer.
        """
        path = Path(path)
        exists = path.exists() and path.stat().st_size > 0
        if path.is_dir():
            raise StoreError(f"{path}: is a directory; give the store's file, e.g. {path}/news.ct")
        if not exists and (readonly or not create):
            raise StoreError(
                f"{path}: no store here; create one with: copytrace add --db {path} FILES"
            )
        lock = None if readonly else lock_writer(path)
        try:
            conn = connect(path, readonly)
            if exists:  # before any write: a foreign database must stay untouched
                check_identity(conn, path)
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            if not exists:
                create_schema(conn)
            check_version(conn, path, readonly)
        except BaseException:
            if lock is not None:
                lock.close()
            raise
        return cls(path, conn, readonly, lock)

    def close(self) -> None:
        """Save the index if this is the writer, and release the file and its lock (even when
        the index cannot be saved: the database is the truth, and the next writer catches the
        index file up)."""
        try:
            if self._index is not None and not self.readonly:
                self._index.save()
        finally:
            self.conn.close()
            if self._lock is not None:
                self._lock.close()
                self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the verbs ----------------------------------------------------------------------------

    def add(
        self,
        docs: Iterable[Document],
        config: Config | None = None,
        models: Models | None = None,
        batch_size: int = 1000,
        problems: list[Problem] | None = None,
        workers: int | None = 1,
        on_batch: Callable[[str], None] | None = None,
    ) -> AddReport:
        """Add documents, comparing each batch with everything stored; return what changed.

        With `workers` > 1 (None: all cores), large batches are related in that many worker
        processes; they start with `multiprocessing`'s spawn method, so a script that asks for
        them needs the usual `if __name__ == "__main__":` guard (the CLI uses all cores).
        """
        from copytrace.incremental import add_documents

        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only; open it for writing to add")
        return add_documents(self, docs, config, models, batch_size, problems, workers, on_batch)

    def query(
        self, docs: Sequence[Document], config: Config | None = None, models: Models | None = None
    ) -> list[QueryResult]:
        """Return, for each document, the stored documents it relates to, best source first."""
        from copytrace.store_query import query_documents

        return query_documents(self, docs, config, models)

    def __len__(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def next_keys(self, count: int) -> list[int]:
        """Return the keys the next `count` documents will be stored under (the writer's lock
        keeps anyone else from inserting meanwhile)."""
        top = int(self.conn.execute("SELECT COALESCE(MAX(key), 0) FROM documents").fetchone()[0])
        return list(range(top + 1, top + 1 + count))

    def drop_index(self) -> None:
        """Forget the in-memory index unsaved (it holds vectors of a batch that was rolled back);
        the next use reloads the file and catches up from the database."""
        self._index = None

    def keys(self, ids: Iterable[str]) -> dict[str, int]:
        """Return the store keys of the given document ids that are stored."""
        out = {}
        for doc_id in ids:
            row = self.conn.execute("SELECT key FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row:
                out[doc_id] = row[0]
        return out

    def ids(self, keys: Iterable[int]) -> dict[int, str]:
        """Return the document id of each stored key."""
        return {k: self._id(k) for k in keys}

    def _id(self, key: int) -> str:
        row = self.conn.execute("SELECT id FROM documents WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: document key {key} is missing; the store is damaged")
        return str(row[0])

    def document(self, doc_id: str) -> Document | None:
        """Return a stored document with its sentences, or None."""
        key = self.keys([doc_id]).get(doc_id)
        return None if key is None else self.load_documents([key])[key]

    def load_headers(self, keys: Iterable[int]) -> dict[int, Document]:
        """Return stored documents by key with their metadata only: no text, no sentences (what
        grouping stories reads of most members)."""
        keys = list(keys)
        out = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, *row in self.conn.execute(
                "SELECT key, id, path, line, title, published, url, source, body_start, digest "
                f"FROM documents WHERE key IN ({marks})",
                chunk,
            ):
                out[key] = Document(
                    id=row[0], text="", path=row[1], line=row[2], title=row[3], published=row[4],
                    url=row[5], source=row[6], body_start=row[7], digest=row[8],
                )  # fmt: skip
        missing = set(keys) - set(out)
        if missing:
            raise StoreError(f"{self.path}: document key {min(missing)} is missing; store damaged")
        return out

    def load_documents(self, keys: Iterable[int]) -> dict[int, Document]:
        """Return stored documents by key, with the sentences they were stored with."""
        return {key: doc for key, (doc, _, _) in self._load(keys, "NULL, NULL").items()}

    def load_encoded(self, keys: Iterable[int]) -> dict[int, Encoded]:
        """Return stored documents ready for alignment, from their stored vectors (no model)."""
        dim = int(self.meta["dim"])
        out = {}
        for key, (doc, blob, stored) in self._load(keys, "s.vectors, s.features").items():
            vectors = np.frombuffer(blob, dtype=np.float16).reshape(-1, dim)
            known = features(stored) if stored is not None else None
            out[key] = encode_document(doc, vectors.astype(np.float32), known)
        return out

    def _load(self, keys: Iterable[int], extra: str) -> dict[int, tuple[Document, Any, Any]]:
        """Return stored documents by key (in the order given), each with the two `extra` columns
        of its sentences' row. Read in key order, `LOAD_CHUNK` keys a query: the rows of
        neighbouring keys share pages, and one query for many keys costs less than one each."""
        keys = list(keys)
        wanted = sorted(set(keys))
        found = {}
        for start in range(0, len(wanted), LOAD_CHUNK):
            chunk = wanted[start : start + LOAD_CHUNK]
            rows = self.conn.execute(
                "SELECT d.key, d.id, d.text, d.path, d.line, d.title, d.published, d.url, "
                f"d.source, d.body_start, d.digest, s.spans, s.boilerplate, {extra} "
                "FROM documents d JOIN sentences s ON s.key = d.key "
                f"WHERE d.key IN ({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
            for row in rows:
                doc = Document(
                    id=row[1], text=row[2], path=row[3], line=row[4], title=row[5],
                    published=row[6], url=row[7], source=row[8], body_start=row[9],
                    digest=row[10], sentences=stored_sentences(row[2], row[11]),
                    boilerplate=spans(row[12]),
                )  # fmt: skip
                found[row[0]] = (doc, row[13], row[14])
        missing = [key for key in wanted if key not in found]
        if missing:
            raise StoreError(f"{self.path}: document key {missing[0]} is missing; store damaged")
        return {key: found[key] for key in keys}

    def relations(self, doc_id: str) -> list[Relation]:
        """Return the stored relations of one document (either side), strongest first."""
        key = self.keys([doc_id]).get(doc_id)
        if key is None:
            return []
        rows = self.conn.execute(
            "SELECT derived, source, direction, reason, relation, kind, score FROM relations "
            "WHERE a = ? UNION ALL SELECT derived, source, direction, reason, relation, kind, "
            "score FROM relations WHERE b = ?",
            (key, key),
        ).fetchall()
        rels = [relation_from_row(row, self._id) for row in rows]
        return sorted(rels, key=lambda r: (not r.is_copy, -r.score, r.derived, r.source))

    def relations_among(self, ids: Mapping[int, str]) -> list[tuple[int, int, Relation, tuple]]:
        """Return `(a, b, relation as aligned, orientation)` for every stored relation with both
        ends among `ids` (key: document id, as the caller loaded them); the stories orient them
        afresh, and `orientation` (derived key, direction, reason, kind, score) tells whether that
        changed anything (stories may make a same-story relation a copy:
        `stories.through_rewrites`).

        Only what grouping stories reads is loaded (`store_codec.bare_relation`): ends, kind,
        score, direction, coverage, and for copies the reuse count and direction reason as
        aligned; a copy aligned without a direction comes whole, since witnesses vote on its
        links."""
        out = []
        for key in ids:
            for a, b, kind, score, text, cov_d, cov_s, *orientation in self.conn.execute(
                "SELECT a, b, kind, score, CASE WHEN kind = 'same_story' THEN NULL "
                "ELSE relation END, CASE WHEN kind = 'same_story' THEN "
                "json_extract(relation, '$.coverage[0]') END, CASE WHEN kind = 'same_story' "
                "THEN json_extract(relation, '$.coverage[1]') END, derived, direction, reason "
                "FROM relations WHERE a = ?",
                (key,),
            ):
                if b not in ids:
                    continue
                if text is None:
                    derived, direction, reason = orientation
                    source = b if derived == a else a
                    rel = bare_relation(
                        ids[derived], ids[source], kind, score, direction, reason, (cov_d, cov_s)
                    )
                else:
                    data = json.loads(text)
                    if data["direction"] == "unknown":
                        rel = relation_from_data(data)
                    else:
                        rel = bare_relation(
                            data["derived"], data["source"], data["kind"], data["score"],
                            data["direction"], data["evidence"]["direction_reason"],
                            tuple(data["coverage"]), data["evidence"]["reused"],
                        )  # fmt: skip
                out.append((a, b, rel, (*orientation, kind, score)))
        return out

    def story_of(self, key: int) -> int | None:
        """Return the story key of a stored document."""
        row = self.conn.execute("SELECT story FROM story_members WHERE doc = ?", (key,)).fetchone()
        return None if row is None else int(row[0])

    def story(self, story_key: int) -> Story:
        """Return one stored story."""
        row = self.conn.execute(
            "SELECT original, basis FROM stories WHERE key = ?", (story_key,)
        ).fetchone()
        members = [
            r[0]
            for r in self.conn.execute(
                "SELECT d.id FROM story_members m JOIN documents d ON d.key = m.doc "
                "WHERE m.story = ? ORDER BY d.id",
                (story_key,),
            )
        ]
        original = None if row is None or row[0] is None else self._id(row[0])
        return Story(f"s{story_key}", tuple(members), original, row[1] if row else "")

    def stories(self, since: str | None = None, min_size: int = 2) -> list[Story]:
        """Return stories of at least `min_size` documents, largest first; `since` (an ISO date)
        keeps those that changed on or after it."""
        rows = self.conn.execute(
            "SELECT key FROM stories WHERE size >= ? AND updated >= ? ORDER BY size DESC, key",
            (min_size, since or ""),
        ).fetchall()
        return [self.story(r[0]) for r in rows]

    def members(self, story_key: int) -> list[int]:
        """Return the document keys of a story."""
        rows = self.conn.execute("SELECT doc FROM story_members WHERE story = ?", (story_key,))
        return [r[0] for r in rows]

    def iter_documents(self) -> Iterator[tuple[int, Document]]:
        """Yield `(key, document)` of every stored document in the order they were added
        (without sentences: for export)."""
        for row in self.conn.execute(
            "SELECT key, id, text, path, line, title, published, url, source, body_start, digest "
            "FROM documents ORDER BY key"
        ):
            yield row[0], Document(
                id=row[1], text=row[2], path=row[3], line=row[4], title=row[5], published=row[6],
                url=row[7], source=row[8], body_start=row[9], digest=row[10],
            )  # fmt: skip

    def copy_relations(self) -> Iterator[tuple[int, int, str, float]]:
        """Yield `(derived, source, kind, score)` of every stored copy relation."""
        yield from self.conn.execute(
            "SELECT derived, source, kind, score FROM relations WHERE kind != 'same_story'"
        )

    @property
    def index(self) -> Any:
        """The nearest-neighbour index of document vectors, caught up with the database."""
        if self._index is None:
            from copytrace.store_index import StoreIndex

            self._index = StoreIndex(self, writable=not self.readonly)
        return self._index

    def set_meta(self, key: str, value: object) -> None:
        """Record a setting in the store (inside the caller's transaction)."""
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET "
            "value = excluded.value",
            (key, str(value)),
        )
        self.meta[key] = str(value)


def to_blob(array: np.ndarray, dtype: Any) -> bytes:
    """Return an array as the bytes stored in a BLOB column."""
    return np.ascontiguousarray(array, dtype=dtype).tobytes()


__all__ = ["Store", "StoreError", "StoreLocked"]
