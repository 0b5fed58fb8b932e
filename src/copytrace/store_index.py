"""The store's nearest-neighbour index of document vectors: a usearch file beside the database.

The database is the source of truth: every document vector is in its `fingerprints` table, and the
index file is a cache of them. Keys only grow, so the index is caught up by adding the vectors of
keys above the largest it holds: after a crash (the batch committed, the file not yet saved), after
the file was deleted, or while a reader watches a writer. The writer saves the file atomically
(write beside, then rename), so a reader never sees half a file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from copytrace.index import EXPANSION_SEARCH, hnsw
from copytrace.store_schema import DiskFull

if TYPE_CHECKING:
    from copytrace.store import Store

EXACT_BELOW = 2_000  # brute force (exact) below this many vectors: it costs 3x HNSW at 10k
# A reader answers one query at a time and looks wider than a writer (`index.EXPANSION_SEARCH`):
# the search is a few ms of a 30 ms query. In a rebuilt 100k store, own source first was 93/96
# at 128, 94 at 256 and 95 at 512, with query latency within noise (p50 28-33 ms, p95 46-64 ms).
READER_EXPANSION_SEARCH = 512


def index_path(db: Path) -> Path:
    """Return the path of the index file of the store at `db`."""
    return db.with_name(db.name + ".usearch")


class StoreIndex:
    """Nearest neighbours over every stored document vector: the saved file plus a caught-up tail.

    A writer loads the file into memory and adds to it; a reader memory-maps the file (so large
    indexes open at once and share pages) and keeps the vectors added since in a small exact
    index of its own.
    """

    def __init__(self, store: Store, writable: bool) -> None:
        self.store = store
        self.writable = writable
        self.path = index_path(store.path)
        self.dim = int(store.meta.get("vector_dim", "0"))
        self.breadth = EXPANSION_SEARCH if writable else READER_EXPANSION_SEARCH
        self._main = hnsw(max(self.dim, 1), self.breadth)
        self._tail: Any = None  # a reader's index of what was added after the file was saved
        self._dirty = False
        if self.dim and self.path.exists():
            try:
                if writable:
                    self._main.load(str(self.path))
                else:
                    self._main.view(str(self.path))
            except (RuntimeError, ValueError):
                # a damaged or foreign file is only a cache: start again from the database
                self._main = hnsw(self.dim, self.breadth)
                self._dirty = True
            if self._main.ndim != self.dim:
                self._main = hnsw(self.dim, self.breadth)
                self._dirty = True
        self._main.expansion_search = self.breadth  # a loaded or mapped file brings the default
        self.max_key = int(np.max(self._main.keys)) if len(self._main) else 0
        self.refresh()

    def refresh(self) -> int:
        """Add the stored vectors the index does not hold yet; return how many were added."""
        rows = self.store.conn.execute(
            "SELECT key, vector FROM fingerprints WHERE key > ? ORDER BY key", (self.max_key,)
        ).fetchall()
        if not rows:
            return 0
        keys = [r[0] for r in rows]
        vectors = np.stack([np.frombuffer(r[1], dtype=np.float16) for r in rows])
        self.add(keys, vectors)
        return len(rows)

    def add(self, keys: list[int], vectors: np.ndarray) -> None:
        """Add the vectors of newly committed documents."""
        if not keys:
            return
        vectors = np.asarray(vectors, dtype=np.float32)
        if self.dim != vectors.shape[1]:  # the store's first batch sets the dimension
            self.dim = vectors.shape[1]
            self._main = hnsw(self.dim, self.breadth)
        if self.writable:
            self._main.add(np.asarray(keys, dtype=np.uint64), vectors)
            self._dirty = True
        else:
            if self._tail is None:
                self._tail = hnsw(self.dim, self.breadth)
            self._tail.add(np.asarray(keys, dtype=np.uint64), vectors)
        self.max_key = max(self.max_key, max(keys))

    def query(self, vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """Return, for each vector, up to `k` `(key, cosine)` neighbours, closest first."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        out = _search(self._main, vectors, k)
        if self._tail is not None:
            for row, extra in enumerate(_search(self._tail, vectors, k)):
                out[row] = sorted(out[row] + extra, key=lambda x: -x[1])[:k]
        return out

    def save(self) -> None:
        """Write the index file atomically if it changed (the writer only)."""
        if not (self.writable and self._dirty):
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self._main.save(str(tmp))
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        except (RuntimeError, OSError) as exc:  # usearch says only "Failed to serialize"
            tmp.unlink(missing_ok=True)
            if shutil.disk_usage(self.path.parent).free < 2 * self._main.serialized_length:
                raise DiskFull(self.path, exc) from None
            raise
        os.replace(tmp, self.path)
        self._dirty = False

    def __len__(self) -> int:
        return len(self._main) + (len(self._tail) if self._tail is not None else 0)


def _search(index: Any, vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """Return up to `k` `(key, cosine)` neighbours per vector from a usearch index."""
    out: list[list[tuple[int, float]]] = [[] for _ in range(len(vectors))]
    n = len(index)
    if not n or not len(vectors):
        return out
    found = index.search(vectors, min(k, n), exact=n < EXACT_BELOW)
    keys = np.atleast_2d(found.keys)
    dist = np.atleast_2d(found.distances)
    # one query vector gives a `Matches` (no counts), several a `BatchMatches`
    counts = getattr(found, "counts", [len(found.keys)])
    for row, count in enumerate(np.atleast_1d(counts).tolist()):
        out[row] = [(int(keys[row, j]), 1.0 - float(dist[row, j])) for j in range(count)]
    return out
