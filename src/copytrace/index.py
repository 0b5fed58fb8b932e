"""The two stage-one indexes: MinHash LSH bands, and nearest neighbours on document vectors.

Both are small classes with the same verbs (`add`, `query`, `save`, `load`, `__len__`) and integer
keys; the caller maps keys to document ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int, fp_weight: float = 0.5) -> tuple[int, int]:
    """Return `(bands, rows)` minimising weighted false positives and negatives at `threshold`.

    The probability that two sets of Jaccard similarity s share a band is 1 - (1 - s^r)^b; the
    false-positive mass is its integral below the threshold, the false-negative mass the integral of
    the complement above it (Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3.4).
    """
    grid = np.linspace(0.0, 1.0, 201)
    below, above = grid[grid <= threshold], grid[grid >= threshold]
    best, best_cost = (1, num_perm), float("inf")
    for bands in range(1, num_perm + 1):
        rows = num_perm // bands
        if rows < 1:
            break
        fp = float(np.trapezoid(1 - (1 - below**rows) ** bands, below)) if len(below) > 1 else 0.0
        fn = float(np.trapezoid((1 - above**rows) ** bands, above)) if len(above) > 1 else 0.0
        cost = fp_weight * fp + (1 - fp_weight) * fn
        if cost < best_cost:
            best, best_cost = (bands, rows), cost
    return best


# Candidates examined per insertion: usearch's default, 128. At 64, adding 5,000 to 100k took
# 7.1 s instead of 11.6 s, but the graph lost paraphrases: 3 more rewrites-dev queries at 100k found
# no source at all (an exact search found theirs).
EXPANSION_ADD = 128
# Candidates examined per search. usearch's default, 64, misses true neighbours on these vectors
# (a hashed TF-IDF half and a static half, many near-identical copies): in the 100k benchmark
# store, 2 of rewrites-dev's 96 derived documents got no candidate at all although their sources
# sat at cosine 0.85 and 0.81 (the search returned 0.45-0.57). A store's writer searches a whole
# batch at 128 (a search costs 1.8 times the default's; the add's CPU time grew ~1%), and at 160
# with 8-bit vectors (`DTYPE`: see there); a store's reader looks wider still
# (`store_index.READER_EXPANSION_SEARCH`). A scan's graph (above `VectorIndex.exact_below`) is
# searched the same way; it used usearch's defaults (float16, 64) until 2026-11-25.
EXPANSION_SEARCH = 160
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


def hnsw(dim: int, breadth: int = EXPANSION_SEARCH) -> Any:
    """Return an empty usearch HNSW graph for unit vectors of `dim` dimensions, searched at
    `breadth`: the scan's above `VectorIndex.exact_below`, and the store's."""
    from usearch.index import Index

    return Index(
        ndim=dim,
        metric="cos",
        dtype=DTYPE,
        expansion_add=EXPANSION_ADD,
        expansion_search=breadth,
    )


class LSHIndex:
    """MinHash LSH: documents whose signatures agree on a whole band become candidates."""

    def __init__(self, num_perm: int, threshold: float, max_bucket: int = 500) -> None:
        self.num_perm = num_perm
        self.threshold = threshold
        self.bands, self.rows = lsh_params(threshold, num_perm)
        # Buckets bigger than this are boilerplate shared by hundreds of texts; they are skipped
        # when enumerating pairs (a real copy still shares other bands with its source).
        self.max_bucket = max_bucket
        rng = np.random.default_rng(20240601)
        self._mult = rng.integers(1, 2**63, size=self.rows, dtype=np.uint64) | np.uint64(1)
        self._buckets: list[dict[int, list[int]]] = [defaultdict(list) for _ in range(self.bands)]
        self._count = 0

    def band_hashes(self, signatures: np.ndarray) -> np.ndarray:
        """Return a `(n, bands)` uint64 matrix: one hash per band of each signature."""
        sig = np.asarray(signatures, dtype=np.uint64)[:, : self.bands * self.rows]
        sig = sig.reshape(len(sig), self.bands, self.rows)
        with np.errstate(over="ignore"):
            return (sig * self._mult).sum(axis=2, dtype=np.uint64) & _MASK

    def add(self, keys: Sequence[int], signatures: np.ndarray) -> None:
        """Add signatures under integer keys."""
        hashes = self.band_hashes(signatures)
        for key, row in zip(keys, hashes.tolist(), strict=True):
            for band, value in enumerate(row):
                self._buckets[band][value].append(int(key))
        self._count += len(keys)

    def query(self, signature: np.ndarray) -> set[int]:
        """Return the keys that share at least one band with `signature`."""
        found: set[int] = set()
        row = self.band_hashes(np.asarray(signature)[None, :])[0].tolist()
        for band, value in enumerate(row):
            found.update(self._buckets[band].get(value, ()))
        return found

    def pairs(self) -> Iterator[tuple[int, int]]:
        """Yield each pair of keys that share a band (possibly more than once)."""
        for buckets in self._buckets:
            for keys in buckets.values():
                if 1 < len(keys) <= self.max_bucket:
                    for i, a in enumerate(keys):
                        for b in keys[i + 1 :]:
                            yield (a, b) if a < b else (b, a)

    def save(self, path: str | Path) -> None:
        """Write the index to an `.npz` file."""
        keys, bands, values = [], [], []
        for band, buckets in enumerate(self._buckets):
            for value, members in buckets.items():
                keys.extend(members)
                bands.extend([band] * len(members))
                values.extend([value] * len(members))
        with open(path, "wb") as fh:  # a file object keeps the name as given (no ".npz" added)
            np.savez(
                fh,
                meta=np.array([self.num_perm, self.threshold, self.max_bucket, self._count]),
                keys=np.array(keys, dtype=np.int64),
                bands=np.array(bands, dtype=np.int32),
                values=np.array(values, dtype=np.uint64),
            )

    @classmethod
    def load(cls, path: str | Path) -> LSHIndex:
        """Read an index written by `save`."""
        with np.load(path) as data:
            num_perm, threshold, max_bucket, count = data["meta"].tolist()
            index = cls(int(num_perm), float(threshold), int(max_bucket))
            for key, band, value in zip(
                data["keys"].tolist(), data["bands"].tolist(), data["values"].tolist(), strict=True
            ):
                index._buckets[band][value].append(key)
            index._count = int(count)
        return index

    def __len__(self) -> int:
        return self._count


class VectorIndex:
    """Nearest neighbours by cosine on unit vectors: exact below `exact_below` vectors (a matrix
    product), usearch HNSW above.

    Below the threshold no graph is built at all: inserting into HNSW costs a few milliseconds a
    vector at these dimensions, more than the exact search it would replace.
    """

    def __init__(self, dim: int, exact_below: int = 20_000) -> None:
        self.dim = dim
        self.exact_below = exact_below
        self._keys: list[np.ndarray] = []  # while exact: the added keys and vectors, in parts
        self._rows: list[np.ndarray] = []
        self._count = 0
        self._index: Any = None  # the HNSW graph, once built

    def add(self, keys: Sequence[int], vectors: np.ndarray) -> None:
        """Add unit vectors under integer keys."""
        if not len(keys):
            return
        keys_array = np.asarray(keys, dtype=np.int64)
        rows = np.asarray(vectors, np.float32).reshape(len(keys_array), self.dim)
        if self._index is not None:
            self._index.add(keys_array.astype(np.uint64), rows)
            return
        self._keys.append(keys_array)
        self._rows.append(rows)
        self._count += len(keys_array)
        if self._count >= self.exact_below:
            self._build()

    def _build(self) -> None:
        self._index = hnsw(self.dim)
        if self._count:
            keys = np.concatenate(self._keys).astype(np.uint64)
            self._index.add(keys, np.concatenate(self._rows))
        self._keys, self._rows = [], []

    def query(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return `(keys, cosines)`, each `(len(vectors), k)`; missing neighbours have key -1."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        keys = np.full((len(vectors), k), -1, dtype=np.int64)
        cosines = np.zeros((len(vectors), k), dtype=np.float32)
        if len(self) == 0 or len(vectors) == 0:
            return keys, cosines
        if self._index is None:
            return self._exact(vectors, k, keys, cosines)
        found = self._index.search(vectors, min(k, len(self)))
        got_keys = np.atleast_2d(np.asarray(found.keys)).astype(np.int64)
        got_dist = np.atleast_2d(np.asarray(found.distances)).astype(np.float32)
        # one query gives a `Matches` without `counts`; a batch gives `BatchMatches` with them
        counts = np.atleast_1d(getattr(found, "counts", len(np.atleast_1d(found.keys))))
        for row, count in enumerate(counts.tolist()):
            keys[row, :count] = got_keys[row, :count]
            cosines[row, :count] = 1.0 - got_dist[row, :count]
        return keys, cosines

    def _exact(
        self, vectors: np.ndarray, k: int, keys: np.ndarray, cosines: np.ndarray, chunk: int = 1024
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact neighbours, the same whatever the batch of queries: products in float64 rounded
        to float32 (a row's cosines do not depend on which rows share its matrix product, so the
        Spark engine, querying by partition, finds the very same ones), ties by lower key."""
        stored_keys = np.concatenate(self._keys)
        matrix = _unit_rows(np.concatenate(self._rows))
        self._keys, self._rows = [stored_keys], [matrix]
        wide = matrix.astype(np.float64).T
        queries = _unit_rows(vectors).astype(np.float64)
        top = min(k, len(stored_keys))
        for start in range(0, len(queries), chunk):
            sims = (queries[start : start + chunk] @ wide).astype(np.float32)
            best = np.argpartition(-sims, top - 1, axis=1)[:, :top]
            kth = np.take_along_axis(sims, best, axis=1).min(axis=1, keepdims=True)
            # several at the k-th cosine (duplicates): take the lowest keys among them
            for row in np.nonzero((sims >= kth).sum(axis=1) > top)[0]:
                tied = np.nonzero(sims[row] >= kth[row])[0]
                best[row] = tied[np.lexsort((stored_keys[tied], -sims[row, tied]))[:top]]
            best_sims = np.take_along_axis(sims, best, axis=1)
            order = np.lexsort((stored_keys[best], -best_sims), axis=1)
            rows = slice(start, start + len(sims))
            keys[rows, :top] = stored_keys[np.take_along_axis(best, order, axis=1)]
            cosines[rows, :top] = np.take_along_axis(best_sims, order, axis=1)
        return keys, cosines

    def save(self, path: str | Path) -> None:
        """Write the index to a file (as an HNSW graph, whatever its size)."""
        if self._index is None:
            self._build()
        self._index.save(str(path))

    @classmethod
    def load(cls, path: str | Path, dim: int) -> VectorIndex:
        """Read an index written by `save` (memory-mapped, so large indexes load at once)."""
        index = cls(dim)
        index._index = hnsw(dim)  # a file brings its own vector type
        index._index.view(str(path))
        index._index.expansion_search = EXPANSION_SEARCH  # ... and usearch's default breadth
        return index

    def __len__(self) -> int:
        return self._count if self._index is None else len(self._index)


def _unit_rows(rows: np.ndarray) -> np.ndarray:
    """Return the rows scaled to unit length (zero rows stay zero), as cosine sees them."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
