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
from collections.abc import Iterable, Iterator, Sequence

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


Part = tuple[list[Candidate], dict[str, int]]  # candidate pairs, the stored documents they name


def store_candidates(
    store: Store,
    docs: Sequence[Document],
    signatures: np.ndarray,
    bands: np.ndarray,
    hashes: Hashes,
    vectors: np.ndarray,
    config: Config,
    limit: int | None = None,
) -> Part:
    """Return the candidate pairs of a batch (among it and with stored documents) and the stored
    documents involved (id: key, in key order).

    A pair with a stored document is `(stored, new)`: stored documents came first, as in a scan
    of the same documents in the order they were added. A corpus smaller than `all_pairs_below`
    pairs everything, as a scan of that size does. `limit` keeps each new document's best pairs
    with stored documents only (a query aligns a few).
    """
    return joined(candidate_parts(store, docs, signatures, bands, hashes, vectors, config, limit))


def joined(parts: Iterable[Part]) -> Part:
    """Return the candidates of `candidate_parts` as `store_candidates` orders them: the pairs
    inside the batch (the last part), then those with stored documents, part by part."""
    found = list(parts)
    if not found:
        return [], {}
    *cross, (local, _) = found
    candidates = local + [c for part, _ in cross for c in part]
    stored = {i: key for _, named in cross for i, key in named.items()}
    return candidates, dict(sorted(stored.items(), key=lambda kv: kv[1]))


def part_starts(sizes: Sequence[int]) -> list[int]:
    """Return where each part's candidates start among `joined`'s, given the parts' sizes in the
    order `candidate_parts` yields them.

    >>> part_starts([3, 4, 2])
    [2, 5, 0]
    """
    starts, at = [0] * len(sizes), 0
    for k in [len(sizes) - 1, *range(len(sizes) - 1)]:  # `joined`'s order: the batch first
        starts[k], at = at, at + sizes[k]
    return starts


def candidate_parts(
    store: Store,
    docs: Sequence[Document],
    signatures: np.ndarray,
    bands: np.ndarray,
    hashes: Hashes,
    vectors: np.ndarray,
    config: Config,
    limit: int | None = None,
    chunk: int | None = None,
    first: int | None = None,
) -> Iterator[Part]:
    """Yield the candidates of `store_candidates` in parts: the pairs with stored documents of
    `chunk` new documents at a time (all of them by default; `first` of them in the first part,
    so that aligning starts soon), then the pairs inside the batch.

    Each part is final when it is yielded (a new document's pairs with stored documents come from
    lookups of that document alone), so a caller can align one part while the next is looked up;
    `joined` puts them in the order of `store_candidates`. The pairs inside the batch come last:
    their vector neighbours are known only when every new document has been looked up.
    """
    c = config.candidates
    local: dict[tuple[int, int], Reasons] = defaultdict(dict)
    if len(docs) < c.all_pairs_below:
        for a in range(len(docs)):
            for b in range(a + 1, len(docs)):
                local[(a, b)]["small"] = float(vectors[a] @ vectors[b])
    n_stored = len(store)
    small = n_stored > 0 and n_stored + len(docs) < c.all_pairs_below
    everything = _stored_vectors(store) if small else {}
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
    batch = batch_neighbours(vectors, c.knn)
    step = max(1, chunk or len(docs))
    ends = [*range(min(first or step, step), len(docs), step), len(docs)]
    for start, end in zip([0, *ends], ends, strict=False):
        if end <= start:
            continue  # no new documents
        rows = range(start, end)
        cross: dict[tuple[int, int], Reasons] = defaultdict(dict)
        for key, vector in everything.items():
            for i in rows:
                cross[(i, key)]["small"] = float(vector @ vectors[i])
        _exact_stored(store, docs, rows, cross)
        _minhash_stored(store, signatures, bands, rows, config, cross)
        _passages_stored(store, "passages", "passage", sentences, rows, c.passage_min_shared,
                         config, cross)  # fmt: skip
        _passages_stored(store, "words", "words", words, rows, c.words_min_shared, config, cross)
        _neighbours(store, vectors, rows, batch, config, local, cross)
        yield _with_stored(store, docs, cross, limit)
    yield (
        [
            Candidate(docs[a].id, docs[b].id, tuple(reasons), max(reasons.values()))
            for (a, b), reasons in sorted(local.items())
        ],
        {},
    )


def _with_stored(
    store: Store,
    docs: Sequence[Document],
    cross: dict[tuple[int, int], Reasons],
    limit: int | None,
) -> Part:
    """Return the pairs `(new row, stored key)` of `cross` as candidates, each new document's
    strongest first, and the stored documents they name (id: key, in key order)."""
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
        Candidate(ids[key], docs[i].id, tuple(reasons), max(reasons.values()))
        for (i, key), reasons in pairs
    ]
    return out, {ids[key]: key for key in keys}


def _exact_stored(
    store: Store, docs: Sequence[Document], rows: range, cross: dict[tuple[int, int], Reasons]
) -> None:
    for i in rows:
        for (key,) in store.conn.execute(
            "SELECT key FROM documents WHERE digest = ? ORDER BY key LIMIT ?",
            (docs[i].digest, EXACT_ALL_PAIRS),
        ):
            cross[(i, key)]["exact"] = 1.0


def _minhash_stored(
    store: Store,
    signatures: np.ndarray,
    bands: np.ndarray,
    rows: range,
    config: Config,
    cross: dict[tuple[int, int], Reasons],
) -> None:
    threshold = config.candidates.minhash_threshold
    hits = band_hits(store, bands[rows.start : rows.stop])
    stored = _stored_minhashes(store, {k for keys in hits for k in keys})
    for i, keys in zip(rows, hits, strict=True):
        for key in keys:
            estimate = jaccard(signatures[i], stored[key])
            if estimate >= threshold:
                cross[(i, key)]["minhash"] = estimate


def _passages_stored(
    store: Store,
    table: str,
    reason: str,
    digests: Sequence[Sequence[int]],
    rows: range,
    min_shared: int,
    config: Config,
    cross: dict[tuple[int, int], Reasons],
) -> None:
    """Pair the new documents `rows` with the stored ones that share `min_shared` of their hashes
    in `table` ("passages": long sentences, "words": winnowed word n-grams), for `reason`."""
    cap = config.candidates.passage_max_docs
    query = f"SELECT key FROM {table} WHERE hash = ? LIMIT ?"
    for i in rows:
        row = digests[i]
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
    rows: range,
    batch: list[list[tuple[int, float]]],
    config: Config,
    local: dict[tuple[int, int], Reasons],
    cross: dict[tuple[int, int], Reasons],
) -> None:
    """Add the `knn` nearest neighbours of the new documents `rows` over the store and the batch
    together (`batch`: `batch_neighbours` of every new document)."""
    c = config.candidates
    if not len(rows):
        return
    stored = store.index.query(vectors[rows.start : rows.stop], c.knn)
    for i, found in zip(rows, stored, strict=True):
        merged = [(cos, 0, key) for key, cos in found] + [(cos, 1, j) for j, cos in batch[i]]
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
