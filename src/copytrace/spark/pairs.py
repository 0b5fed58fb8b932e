"""Stage `candidates` on Spark: the pairs worth aligning, found without collecting the corpus.

The same five signals as `candidates.find_candidates`, with the same thresholds and scores:

- exact: documents grouped by digest; pairs as `candidates.exact_pairs` makes them;
- minhash: each document's band hashes (`index.LSHIndex.band_hashes`, bands and rows from
  `index.lsh_params`) exploded and grouped by (band, hash), buckets over `max_bucket` skipped, then
  the estimated Jaccard of each pair filtered at the threshold;
- vector: up to the size below which `index.VectorIndex` searches exactly (20,000 documents), every
  worker builds that very index once over the broadcast matrix and queries its share of documents,
  so the neighbours and cosines are the local engine's. Above it, random-hyperplane buckets (a few
  independent tables) with an exact top-k inside each bucket, merged per document: approximate, as
  the local engine's HNSW search is at that size;
- passage: each document's long-sentence hashes (`signatures.passage_digests`) exploded and grouped
  by hash, hashes held by more than `passage_max_docs` skipped, pairs counted and kept from
  `passage_min_shared` shared sentences, scored as `candidates.passage_pairs` scores them;
- words: the same with each document's winnowed word n-grams (`signatures.word_fingerprints`)
  and `words_min_shared`.

Corpora smaller than `all_pairs_below` also get every pair, scored by the vectors' dot product.
"""

from __future__ import annotations

import functools
import inspect
import math
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from copytrace.candidates import EXACT_ALL_PAIRS
from copytrace.config import CandidateConfig
from copytrace.index import LSHIndex, VectorIndex
from copytrace.records import Document
from copytrace.signatures import jaccard, passage_digests, word_fingerprints
from copytrace.spark.rows import bytes_array, row_document
from copytrace.spark.workers import cached, rows_of

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# Below this many documents VectorIndex searches exactly; the Spark engine then does the same.
EXACT_KNN_MAX: int = inspect.signature(VectorIndex).parameters["exact_below"].default
# the order find_candidates records them in
REASONS = ("small", "exact", "minhash", "vector", "passage", "words")
PAIR_SCHEMA = "a long, b long, reason string, score double"
BUCKET_TARGET = 2_000  # documents per hyperplane bucket, on average (large corpora only)
HYPERPLANE_TABLES = 4  # independent bucketings; a neighbour missed by one is found by another


def _pairs_batch(found: list[tuple[int, int, str, float]]) -> pa.RecordBatch:
    a, b, reason, score = zip(*found, strict=True) if found else ((), (), (), ())
    return pa.RecordBatch.from_pydict(
        {"a": list(a), "b": list(b), "reason": list(reason), "score": list(score)},
        schema=pa.schema([("a", pa.int64()), ("b", pa.int64()), ("reason", pa.string()),
                          ("score", pa.float64())]),
    )  # fmt: skip


def group_pairs(members: list[int]) -> list[tuple[int, int]]:
    """Return the pairs of one digest group, sorted members, as `candidates.exact_pairs` does."""
    if len(members) <= EXACT_ALL_PAIRS:
        return [(a, b) for k, a in enumerate(members) for b in members[k + 1 :]]
    return [(members[0], b) for b in members[1:]]


def _exact(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for row in rows_of(batches):
        yield _pairs_batch([(a, b, "exact", 1.0) for a, b in group_pairs(sorted(row["members"]))])


def _bands(config: CandidateConfig, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    index = LSHIndex(config.num_perm, config.minhash_threshold)
    for b in batches:
        orders = b.column("order").to_pylist()
        if not orders:
            continue
        sigs = np.stack([bytes_array(s, np.uint32) for s in b.column("signature").to_pylist()])
        hashes = index.band_hashes(sigs)  # (n, bands) uint64
        n, bands = hashes.shape
        yield pa.RecordBatch.from_pydict({
            "order": np.repeat(np.asarray(orders, np.int64), bands),
            "band": np.tile(np.arange(bands, dtype=np.int32), n),
            "hash": hashes.reshape(-1).view(np.int64),  # the same 64 bits, as Spark's long
        })  # fmt: skip


def _bucket_pairs(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for row in rows_of(batches):
        keys = sorted(row["members"])
        found = [(a, b, "minhash", 0.0) for k, a in enumerate(keys) for b in keys[k + 1 :]]
        yield _pairs_batch(found)


def _jaccard(threshold: float, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for b in batches:
        found = []
        for row in b.to_pylist():
            estimate = jaccard(bytes_array(row["sa"], np.uint32), bytes_array(row["sb"], np.uint32))
            if estimate >= threshold:
                found.append((row["a"], row["b"], "minhash", estimate))
        yield _pairs_batch(found)


def _knn_exact(
    shared: Any, config: CandidateConfig, batches: Iterable[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    token, orders, matrix = shared.value
    position = {o: k for k, o in enumerate(orders)}

    def build() -> VectorIndex:
        index = VectorIndex(matrix.shape[1])
        index.add(range(len(matrix)), matrix)
        return index

    index = cached(("knn", token), build)
    for b in batches:
        queries = b.column("order").to_pylist()
        if not queries:
            continue
        keys, cosines = index.query(matrix[[position[o] for o in queries]], config.knn + 1)
        found = []
        # As candidates.vector_pairs: every neighbour but itself above the floor, pair (low, high).
        for o, row_keys, row_cos in zip(queries, keys.tolist(), cosines.tolist(), strict=True):
            a = position[o]
            for k, cos in zip(row_keys, row_cos, strict=True):
                if k < 0 or k == a or cos < config.min_cosine:
                    continue
                x, y = (a, k) if a < k else (k, a)
                found.append((orders[x], orders[y], "vector", cos))
        yield _pairs_batch(found)


def _hyperplane_buckets(planes: Any, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    weights = planes.value  # (tables, dim, bits)
    powers = 1 << np.arange(weights.shape[2], dtype=np.int64)
    for b in batches:
        orders = b.column("order").to_pylist()
        if not orders:
            continue
        vectors = np.stack([bytes_array(v) for v in b.column("docvec").to_pylist()])
        for t in range(weights.shape[0]):
            bits = (vectors @ weights[t] > 0).astype(np.int64)
            yield pa.RecordBatch.from_pydict({
                "tbl": np.full(len(orders), t, np.int32), "bucket": bits @ powers,
                "order": np.asarray(orders, np.int64), "docvec": b.column("docvec"),
            })  # fmt: skip


def _bucket_knn(config: CandidateConfig, table: pa.Table) -> pa.Table:
    orders = table.column("order").to_pylist()
    vectors = np.stack([bytes_array(v) for v in table.column("docvec").to_pylist()])
    k = min(config.knn + 1, len(orders))
    found = []
    for start in range(0, len(orders), 1024):  # bound the similarity block's memory
        sims = vectors[start : start + 1024] @ vectors.T
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        for row, cols in enumerate(top.tolist()):
            a = orders[start + row]
            found += [
                (a, orders[c], "vector", float(sims[row, c])) for c in cols if c != start + row
            ]
    return pa.Table.from_batches([_pairs_batch(found)])


def vector_pairs(
    spark: SparkSession, encoded: DataFrame, n: int, config: CandidateConfig
) -> DataFrame:
    """Return the kNN pairs (a < b by order) with their cosine, exactly as local below 20,000."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    docs = encoded.select("order", "docvec")
    if n <= EXACT_KNN_MAX:
        rows = docs.orderBy("order").collect()
        orders = [r["order"] for r in rows]
        matrix = np.stack([bytes_array(r["docvec"]) for r in rows])
        shared = spark.sparkContext.broadcast((uuid.uuid4().hex, orders, matrix))
        return encoded.select("order").mapInArrow(
            functools.partial(_knn_exact, shared, config), PAIR_SCHEMA
        )
    first: Any = docs.first()
    dim = len(bytes_array(first["docvec"]))
    bits = max(1, round(math.log2(n / BUCKET_TARGET)))
    rng = np.random.default_rng(20240601)
    planes = rng.standard_normal((HYPERPLANE_TABLES, dim, bits)).astype(np.float32)
    planes_shared = spark.sparkContext.broadcast(planes)
    bucketed = docs.mapInArrow(
        functools.partial(_hyperplane_buckets, planes_shared),
        "tbl int, bucket long, order long, docvec binary",
    )
    directed = bucketed.groupBy("tbl", "bucket").applyInArrow(
        functools.partial(_bucket_knn, config), PAIR_SCHEMA
    )
    # Per document: the best `knn` neighbours over all tables, then the floor and (low, high).
    best = directed.groupBy("a", "b").agg(F.max("score").alias("score"))
    ranked = best.withColumn(
        "rank", F.row_number().over(Window.partitionBy("a").orderBy(F.desc("score"), "b"))
    )
    kept = ranked.filter((F.col("rank") <= config.knn) & (F.col("score") >= config.min_cosine))
    return kept.select(
        F.least("a", "b").alias("a"), F.greatest("a", "b").alias("b"),
        F.lit("vector").alias("reason"), "score",
    )  # fmt: skip


def _small(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for b in batches:
        found = [
            (r["a"], r["b"], "small", float(bytes_array(r["va"]) @ bytes_array(r["vb"])))
            for r in b.to_pylist()
        ]
        yield _pairs_batch(found)


def find_pairs(
    spark: SparkSession, encoded: DataFrame, n: int, config: CandidateConfig
) -> DataFrame:
    """Return the candidate pairs: a, b (orders, a < b), a_id, b_id, reasons, score."""
    from pyspark.sql import functions as F

    found = []
    if n < config.all_pairs_below:
        left = encoded.select(F.col("order").alias("a"), F.col("docvec").alias("va"))
        right = encoded.select(F.col("order").alias("b"), F.col("docvec").alias("vb"))
        found.append(left.crossJoin(right).filter("a < b").mapInArrow(_small, PAIR_SCHEMA))
    digests = encoded.groupBy("digest").agg(F.collect_list("order").alias("members"))
    found.append(digests.filter(F.size("members") > 1).mapInArrow(_exact, PAIR_SCHEMA))
    found.append(minhash_pairs(encoded, config))
    found.append(vector_pairs(spark, encoded, n, config))
    found.append(passage_pairs(encoded, config))
    if config.words_gram > 0:
        found.append(passage_pairs(encoded, config, words=True))
    union = found[0]
    for df in found[1:]:
        union = union.unionByName(df)
    reason_rank = F.array_position(F.array(*[F.lit(r) for r in REASONS]), F.col("reason"))
    merged = union.groupBy("a", "b", "reason").agg(F.max("score").alias("score"))
    merged = merged.groupBy("a", "b").agg(
        F.sort_array(F.collect_list(F.struct(reason_rank.alias("rank"), "reason"))).alias("rs"),
        F.max("score").alias("score"),
    )
    ids = encoded.select("order", "id")
    return (
        merged.withColumn("reasons", F.col("rs.reason"))
        .drop("rs")
        .join(ids.withColumnRenamed("order", "a").withColumnRenamed("id", "a_id"), "a")
        .join(ids.withColumnRenamed("order", "b").withColumnRenamed("id", "b_id"), "b")
        .select("a", "b", "a_id", "b_id", "reasons", "score")
    )


def _passage_rows(
    hashes: Callable[[Document], list[int]], batches: Iterable[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    for b in batches:
        orders, values = [], []
        for row in b.to_pylist():
            for value in hashes(row_document(row)):
                orders.append(row["order"])
                values.append(value)
        yield pa.RecordBatch.from_pydict(
            {"order": orders, "hash": values},
            schema=pa.schema([("order", pa.int64()), ("hash", pa.int64())]),
        )


def passage_pairs(encoded: DataFrame, config: CandidateConfig, words: bool = False) -> DataFrame:
    """Return the pairs that share enough long sentences word for word or, with `words`, enough
    winnowed word n-grams (reason "words")."""
    from pyspark.sql import functions as F

    if words:
        hashes = functools.partial(
            word_fingerprints, n=config.words_gram, window=config.words_window
        )
        min_shared, reason = config.words_min_shared, "words"
    else:
        hashes = functools.partial(passage_digests, min_words=config.passage_min_words)
        min_shared, reason = config.passage_min_shared, "passage"
    held = encoded.mapInArrow(functools.partial(_passage_rows, hashes), "order long, hash long")
    sizes = held.groupBy("order").count()
    buckets = held.groupBy("hash").agg(F.collect_list("order").alias("members"))
    sized = buckets.filter((F.size("members") > 1) & (F.size("members") <= config.passage_max_docs))
    shared = (
        sized.mapInArrow(_bucket_pairs, PAIR_SCHEMA)
        .groupBy("a", "b")
        .agg(F.count("*").alias("shared"))
        .filter(F.col("shared") >= min_shared)
    )
    return (
        shared.join(sizes.withColumnRenamed("order", "a").withColumnRenamed("count", "na"), "a")
        .join(sizes.withColumnRenamed("order", "b").withColumnRenamed("count", "nb"), "b")
        .select(
            "a", "b", F.lit(reason).alias("reason"),
            (F.col("shared") / F.least("na", "nb")).cast("double").alias("score"),
        )
    )  # fmt: skip


def minhash_pairs(encoded: DataFrame, config: CandidateConfig) -> DataFrame:
    """Return the pairs that share a MinHash band and reach the Jaccard threshold."""
    from pyspark.sql import functions as F

    max_bucket = LSHIndex(config.num_perm, config.minhash_threshold).max_bucket
    bands = encoded.select("order", "signature").mapInArrow(
        functools.partial(_bands, config), "order long, band int, hash long"
    )
    buckets = bands.groupBy("band", "hash").agg(F.collect_list("order").alias("members"))
    sized = buckets.filter((F.size("members") > 1) & (F.size("members") <= max_bucket))
    pairs = sized.mapInArrow(_bucket_pairs, PAIR_SCHEMA).select("a", "b").distinct()
    sigs = encoded.select("order", "signature")
    joined = pairs.join(
        sigs.withColumnRenamed("order", "a").withColumnRenamed("signature", "sa"), "a"
    ).join(sigs.withColumnRenamed("order", "b").withColumnRenamed("signature", "sb"), "b")
    return joined.mapInArrow(functools.partial(_jaccard, config.minhash_threshold), PAIR_SCHEMA)
