"""The store's nearest-neighbour index of document vectors: a usearch file beside the database.

The database is the source of truth: every document vector is in its `fingerprints` table, and the
index file is a cache of them. Keys only grow, so the index is caught up by adding the vectors of
keys above the largest it holds: after a crash (the batch committed, the file not yet saved), after
the file was deleted, or while a reader watches a writer. The writer saves the file atomically
(write beside, then rename), so a reader never sees half a file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from copytrace.store import Store

EXACT_BELOW = 2_000  # brute force (exact) below this many vectors: it costs 3x HNSW at 10k
# Candidates examined per insertion: usearch's default, 128. At 64, adding 5,000 to 100k took
# 7.1 s instead of 11.6 s, but the graph lost paraphrases: 3 more rewrites-dev queries at 100k found
# no source at all (an exact search found theirs).
EXPANSION_ADD = 128
# Candidates examined per search. usearch's default, 64, misses true neighbours on these vectors
# (a hashed TF-IDF half and a static half, many near-identical copies): in the 100k benchmark
# store, 2 of rewrites-dev's 96 derived documents got no candidate at all although their sources
# sat at cosine 0.85 and 0.81 (the search returned 0.45-0.57). A writer searches a whole batch at
# 128 (a search costs 1.8 times the default's; the add's CPU time grew ~1%). A reader answers
# one query at a time, where the search is a few ms of a 30 ms query, and looks wider still:
# in a rebuilt 100k store, own source first was 93/96 at 128, 94 at 256 and 95 at 512, with
# query latency within noise (p50 28-33 ms, p95 46-64 ms). With 8-bit vectors (`DTYPE`) a writer
# looks at 160: see there.
EXPANSION_SEARCH = 160
READER_EXPANSION_SEARCH = 512
# How the index holds vectors. 8-bit integers, not 16-bit floats: usearch's int8 cosine runs on
# the VNNI instructions of this machine's CPU, its float16 one converts every component first.
# Inserting the last 5,000 of the first 60,000 vectors of the 100k benchmark store took 6.5 CPU s
# instead of 11.0 (one thread), and the file is half the size. The cosines it returns differ
# from the exact ones by 0.004 (median; 0.013 at the 99th percentile), and at equal breadth the
# graph finds fewer true neighbours (of each new vector's exact ten nearest at cosine >= 0.5,
# 0.705 at 128 against 0.736), hence the writer's 160 (0.726; 0.748 at 192). In the 100k
# benchmark that search finds a stored document's nearest other 0.828 of the time (0.818 before),
# a reader's 0.919 (0.902). Adding 5,000 documents to a copy of the 100k store took 68.1,
# 66.9 and 70.4 s against 76.5, 70.3 and 78.0 s before, alternating. A store written with
# float16 keeps its file: a loaded file brings its own type.
DTYPE = "i8"


def _new_index(dim: int, breadth: int = EXPANSION_SEARCH) -> Any:
    from usearch.index import Index

    return Index(
        ndim=dim,
        metric="cos",
        dtype=DTYPE,
        expansion_add=EXPANSION_ADD,
        expansion_search=breadth,
    )


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
        self._main = _new_index(max(self.dim, 1), self.breadth)
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
                self._main = _new_index(self.dim, self.breadth)
                self._dirty = True
            if self._main.ndim != self.dim:
                self._main = _new_index(self.dim, self.breadth)
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
            self._main = _new_index(self.dim, self.breadth)
        if self.writable:
            self._main.add(np.asarray(keys, dtype=np.uint64), vectors)
            self._dirty = True
        else:
            if self._tail is None:
                self._tail = _new_index(self.dim, self.breadth)
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
        self._main.save(str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
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
