"""Stage one against a store: the pairs worth aligning for a batch of new documents.

The scan's five signals as indexed lookups: equal digests (an index on `documents.digest`),
shared MinHash bands (an index on `bands.hash`, then the Jaccard estimate from the stored
signature), shared long sentences (an index on `passages.hash`), shared winnowed word n-grams
(an index on `words.hash`) and nearest neighbours of the document vector (the store's ANN
index). Inside the batch the scan's own `exact_pairs`, `minhash_pairs` and `passage_pairs` apply,
and neighbours are taken jointly over the store and the batch, so a new document gets its `knn`
closest documents wherever they are, as in a scan of everything at once, not `knn` in each place.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from copytrace.candidates import (
    EXACT_ALL_PAIRS,
    Hashes,
    exact_pairs,
    minhash_pairs,
    passage_pairs,
)
from copytrace.config import Config
from copytrace.index import VectorIndex
from copytrace.records import Candidate, Document
from copytrace.signatures import jaccard
from copytrace.store import Store

MAX_BUCKET = 500  # a band hash shared by more stored documents is boilerplate (as in LSHIndex)
Reasons = dict[str, float]


def store_candidates(
    store: Store,
    docs: Sequence[Document],
    signatures: np.ndarray,
    bands: np.ndarray,
    hashes: Hashes,
    vectors: np.ndarray,
    config: Config,
    limit: int | None = None,
) -> tuple[list[Candidate], dict[str, int]]:
    """Return the candidate pairs of a batch (among it and with stored documents) and the stored
    documents involved (id: key, in key order).

    A pair with a stored document is `(stored, new)`: stored documents came first, as in a scan
    of the same documents in the order they were added. A corpus smaller than `all_pairs_below`
    pairs everything, as a scan of that size does. `limit` keeps each new document's best pairs
    with stored documents only (a query aligns a few).
    """
    c = config.candidates
    local: dict[tuple[int, int], Reasons] = defaultdict(dict)
    cross: dict[tuple[int, int], Reasons] = defaultdict(dict)
    n_stored = len(store)
    if len(docs) < c.all_pairs_below:
        for a in range(len(docs)):
            for b in range(a + 1, len(docs)):
                local[(a, b)]["small"] = float(vectors[a] @ vectors[b])
    if n_stored and n_stored + len(docs) < c.all_pairs_below:
        for key, vector in _stored_vectors(store).items():
            for i in range(len(docs)):
                cross[(i, key)]["small"] = float(vector @ vectors[i])
    for pair, score in exact_pairs(docs).items():
        local[pair]["exact"] = score
    if len(docs) > 1:
        for pair, score in minhash_pairs(signatures, c).items():
            local[pair]["minhash"] = score
    sentences, words = hashes
    for pair, score in passage_pairs(sentences, c).items():
        local[pair]["passage"] = score
    for pair, score in passage_pairs(words, c, c.words_min_shared).items():
        local[pair]["words"] = score
    _exact_stored(store, docs, cross)
    _minhash_stored(store, signatures, bands, config, cross)
    _passages_stored(store, "passages", "passage", sentences, c.passage_min_shared, config, cross)
    _passages_stored(store, "words", "words", words, c.words_min_shared, config, cross)
    _neighbours(store, vectors, config, local, cross)
    pairs = sorted(cross.items(), key=lambda kv: (kv[0][0], -max(kv[1].values()), kv[0][1]))
    if limit is not None:
        taken: Counter[int] = Counter()
        kept = []
        for item in pairs:
            taken[item[0][0]] += 1
            if taken[item[0][0]] <= limit:
                kept.append(item)
        pairs = kept
    keys = sorted({key for (_, key), _ in pairs})
    ids = store.ids(keys)
    out = [
        Candidate(docs[a].id, docs[b].id, tuple(reasons), max(reasons.values()))
        for (a, b), reasons in sorted(local.items())
    ]
    out += [
        Candidate(ids[key], docs[i].id, tuple(reasons), max(reasons.values()))
        for (i, key), reasons in pairs
    ]
    return out, {ids[key]: key for key in keys}


def _exact_stored(
    store: Store, docs: Sequence[Document], cross: dict[tuple[int, int], Reasons]
) -> None:
    for i, doc in enumerate(docs):
        for (key,) in store.conn.execute(
            "SELECT key FROM documents WHERE digest = ? ORDER BY key LIMIT ?",
            (doc.digest, EXACT_ALL_PAIRS),
        ):
            cross[(i, key)]["exact"] = 1.0


def _minhash_stored(
    store: Store,
    signatures: np.ndarray,
    bands: np.ndarray,
    config: Config,
    cross: dict[tuple[int, int], Reasons],
) -> None:
    threshold = config.candidates.minhash_threshold
    hits = band_hits(store, bands)
    stored = _stored_minhashes(store, {k for keys in hits for k in keys})
    for i, keys in enumerate(hits):
        for key in keys:
            estimate = jaccard(signatures[i], stored[key])
            if estimate >= threshold:
                cross[(i, key)]["minhash"] = estimate


def _passages_stored(
    store: Store,
    table: str,
    reason: str,
    digests: Sequence[Sequence[int]],
    min_shared: int,
    config: Config,
    cross: dict[tuple[int, int], Reasons],
) -> None:
    """Pair new documents with the stored ones that share `min_shared` of their hashes in `table`
    ("passages": long sentences, "words": winnowed word n-grams), for `reason`."""
    cap = config.candidates.passage_max_docs
    query = f"SELECT key FROM {table} WHERE hash = ? LIMIT ?"
    for i, row in enumerate(digests):
        shared: Counter[int] = Counter()
        for value in row:
            holders = store.conn.execute(query, (value, cap + 1)).fetchall()
            if len(holders) <= cap:
                shared.update(key for (key,) in holders)
        for key, n in shared.items():
            if n >= min_shared:
                (total,) = store.conn.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE key = ?", (key,)
                ).fetchone()
                cross[(i, key)][reason] = n / min(len(row), total)


def _neighbours(
    store: Store,
    vectors: np.ndarray,
    config: Config,
    local: dict[tuple[int, int], Reasons],
    cross: dict[tuple[int, int], Reasons],
) -> None:
    """Add each new document's `knn` nearest neighbours over the store and the batch together."""
    c = config.candidates
    if not len(vectors):
        return
    stored = store.index.query(vectors, c.knn)
    batch = batch_neighbours(vectors, c.knn)
    for i in range(len(vectors)):
        merged = [(cos, 0, key) for key, cos in stored[i]] + [(cos, 1, j) for j, cos in batch[i]]
        for cos, in_batch, other in sorted(merged, reverse=True)[: c.knn]:
            if cos < c.min_cosine:
                break
            pair = (min(i, other), max(i, other)) if in_batch else (i, other)
            reasons = (local if in_batch else cross)[pair]
            reasons["vector"] = max(cos, reasons.get("vector", 0.0))


def batch_neighbours(vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """Return each vector's `k` nearest others in the batch, by exact cosine."""
    n = len(vectors)
    if n < 2:
        return [[] for _ in range(n)]
    index = VectorIndex(vectors.shape[1], exact_below=n + 1)  # exact whatever the batch size
    index.add(range(n), vectors)
    keys, cosines = index.query(vectors, min(k, n - 1) + 1)  # one more: itself is among them
    return [
        [(j, cos) for j, cos in zip(row_keys, row_cos, strict=True) if j != i][:k]
        for i, (row_keys, row_cos) in enumerate(zip(keys.tolist(), cosines.tolist(), strict=True))
    ]


def band_hits(store: Store, bands: np.ndarray) -> list[set[int]]:
    """Return, per row of band hashes, the stored keys sharing a band (big buckets skipped)."""
    out = []
    query = "SELECT key FROM bands WHERE hash = ? LIMIT ?"
    for row in band_keys(bands):
        keys: set[int] = set()
        for value in row:
            members = store.conn.execute(query, (value, MAX_BUCKET + 1)).fetchall()
            if len(members) <= MAX_BUCKET:
                keys.update(m[0] for m in members)
        out.append(keys)
    return out


def band_keys(bands: np.ndarray) -> list[list[int]]:
    """Return the stored form of band hashes: one signed 64-bit integer per band, band mixed in
    (so equal hashes in different bands do not meet)."""
    if not len(bands):
        return []
    offsets = np.arange(bands.shape[1], dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        mixed = np.asarray(bands, dtype=np.uint64) + offsets
    return mixed.view(np.int64).tolist()


def _stored_minhashes(store: Store, keys: Iterable[int]) -> dict[int, np.ndarray]:
    out = {}
    query = "SELECT minhash FROM fingerprints WHERE key = ?"
    for key in keys:
        row = store.conn.execute(query, (key,)).fetchone()
        if row is not None:
            out[key] = np.frombuffer(row[0], dtype=np.uint32)
    return out


def _stored_vectors(store: Store) -> dict[int, np.ndarray]:
    rows = store.conn.execute("SELECT key, vector FROM fingerprints").fetchall()
    return {k: np.frombuffer(v, dtype=np.float16).astype(np.float32) for k, v in rows}
