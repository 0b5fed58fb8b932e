"""Stage `relate` on Spark: align and classify candidate pairs, with MiniLM's budget kept global.

`pipeline.relate` works in two passes: the static model aligns every pair; the pairs it leaves
between kinds are ranked (alignment coverage + candidate score), and MiniLM embeds their uncertain
sentences in that order until `align.max_rescore` sentences; those pairs are aligned again with the
MiniLM vectors. The budget is one for the whole corpus, so the Spark engine keeps it whole too,
which gives the local engine's answers on any input:

1. executors align and classify every pair with the static model (`align.align_encoded`,
   `classify.classify`, conflicts as `pipeline.relate` attaches them) and list the uncertain
   sentences of the pairs that need a second look (`align.uncertain_pairs`);
2. the driver walks those pairs in rank order from a sorted stream and stops where the local
   budget stops (it reads only that prefix: at most `max_rescore` sentences' worth of pairs, or
   as far as `pipeline.whole_queue_limit` when the whole queue may want fewer);
3. one executor task embeds the chosen sentences with MiniLM, in the local order and batches;
4. the vectors are broadcast, and executors align again the pairs the local engine would.

Each task receives its pairs together with the encoded documents they need (a cogroup), so no
document travels once per pair.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from copytrace import pipeline
from copytrace.config import Config
from copytrace.records import Candidate, Encoded, Relation
from copytrace.spark import rows
from copytrace.spark.workers import minilm

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Rescored = Mapping[tuple[str, int], np.ndarray]

FOUND_TYPE = pa.list_(pa.struct([("doc", pa.string()), ("i", pa.int64()), ("text", pa.string())]))
FIRST_SCHEMA = pa.schema([
    ("a", pa.int64()), ("b", pa.int64()), ("a_id", pa.string()),
    ("rel", pa.struct(rows.RELATION_FIELDS)), ("second", pa.bool_()),
    ("priority", pa.float64()), ("found", FOUND_TYPE),
])  # fmt: skip
SECOND_SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.int64()),
                           ("rel", pa.struct(rows.RELATION_FIELDS))])  # fmt: skip
PAIRS_PER_TASK = 1_000  # candidate pairs per relate task (each holds its documents in memory)


def _candidate(pair: Mapping[str, Any], a: Encoded, b: Encoded) -> Candidate:
    return Candidate(a.doc.id, b.doc.id, tuple(pair["reasons"]), float(pair["score"]))


def _row(rel: Relation | None, a: Encoded, b: Encoded, config: Config) -> dict[str, Any] | None:
    if rel is None:
        return None
    encoded = {a.doc.id: a, b.doc.id: b}
    return rows.relation_row(
        pipeline.with_conflicts(rel, encoded[rel.derived], encoded[rel.source], config)
    )


def first_look(
    pair: Mapping[str, Any], a: Encoded, b: Encoded, config: Config, rescoring: bool
) -> dict[str, Any]:
    """Run `pipeline.first_look` on one pair; a row of `FIRST_SCHEMA`.

    The row holds the relation with its conflicts (or None), whether the pair needs a second look,
    its rank in the queue and its uncertain sentences in the local order.
    """
    rel, priority = pipeline.first_look(_candidate(pair, a, b), a, b, config)
    found = (
        pipeline.uncertain_sentences(a, b, config.align)
        if priority is not None and rescoring
        else {}
    )
    return {
        "a": pair["a"], "b": pair["b"], "a_id": a.doc.id,
        "rel": _row(rel, a, b, config),
        "second": priority is not None, "priority": priority or 0.0,
        "found": [{"doc": d, "i": i, "text": t} for (d, i), t in found.items()],
    }  # fmt: skip


def second_look(
    pair: Mapping[str, Any], a: Encoded, b: Encoded, config: Config, rescored: Rescored
) -> dict[str, Any]:
    """Run `pipeline.second_look` on one pair with MiniLM's vectors; a row of `SECOND_SCHEMA`."""
    rel = pipeline.second_look(_candidate(pair, a, b), a, b, config, dict(rescored))
    return {"a": pair["a"], "b": pair["b"], "rel": _row(rel, a, b, config)}


def choose(
    queue: Iterable[list[dict[str, Any]]], budget: int, whole_below: int = 0
) -> dict[tuple[str, int], str]:
    """Return the sentences MiniLM embeds, in order: `pipeline.within_budget` over the queue.

    `queue` yields each second-look pair's uncertain sentences, best-ranked pair first.
    """
    return pipeline.within_budget(
        ({(f["doc"], f["i"]): f["text"] for f in found} for found in queue), budget, whole_below
    )


def pages(df: DataFrame, size: int = 1_000) -> Iterator[Any]:
    """Yield the rows of a sorted DataFrame a page at a time, fetching pages only as needed.

    The budget walk usually stops within the first page; unlike `toLocalIterator`, nothing is
    left open when it stops early.
    """
    taken = 0
    while True:
        page = df.offset(taken).limit(size).collect()
        yield from page
        if len(page) < size:
            return
        taken += size


def _first(config: Config, rescoring: bool, pairs: pa.Table, docs: pa.Table) -> pa.Table:
    encoded = {r["order"]: rows.row_encoded(r) for r in docs.to_pylist()}
    out = [
        first_look(p, encoded[p["a"]], encoded[p["b"]], config, rescoring)
        for p in sorted(pairs.to_pylist(), key=lambda p: (p["a"], p["b"]))
    ]
    return pa.Table.from_pylist(out, schema=FIRST_SCHEMA)


def _second(config: Config, shared: Any, pairs: pa.Table, docs: pa.Table) -> pa.Table:
    encoded = {r["order"]: rows.row_encoded(r) for r in docs.to_pylist()}
    out = [
        second_look(p, encoded[p["a"]], encoded[p["b"]], config, shared.value)
        for p in pairs.to_pylist()
    ]
    return pa.Table.from_pylist(out, schema=SECOND_SCHEMA)


def _embed(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    # All at once, in the chosen order: MiniLM then batches the texts as the local engine does.
    given = [r for b in batches for r in b.to_pylist()]
    if not given:
        return
    vectors = minilm().encode([r["text"] for r in sorted(given, key=lambda r: r["k"])])
    ordered = sorted(r["k"] for r in given)
    yield pa.RecordBatch.from_pydict(
        {"k": ordered, "vector": [rows.array_bytes(v) for v in vectors]}
    )


def _cogroup(
    spark: SparkSession, pairs: DataFrame, encoded: DataFrame, run: Any, schema: pa.Schema
) -> DataFrame:
    """Run `run(pairs, docs)` per group of pairs, with the encoded documents the group needs."""
    from pyspark.sql import functions as F

    from copytrace.spark.corpus import _spark_schema

    count = pairs.count()
    groups = max(spark.sparkContext.defaultParallelism * 2, -(-count // PAIRS_PER_TASK), 1)
    pairs = pairs.withColumn("g", F.pmod(F.hash("a"), F.lit(groups)))
    # The documents' group column gets its own name: Spark refuses to cogroup two plans that
    # share a column's lineage.
    needed = (
        pairs.select(F.col("g").alias("dg"), F.col("a").alias("order"))
        .unionByName(pairs.select(F.col("g").alias("dg"), F.col("b").alias("order")))
        .distinct()
    )
    docs = needed.join(encoded, "order")
    return (
        pairs.groupBy("g")
        .cogroup(docs.groupBy("dg"))
        .applyInArrow(
            lambda p, d: run(p.drop_columns(["g"]), d.drop_columns(["dg"])), _spark_schema(schema)
        )
    )


def relate_pairs(
    spark: SparkSession,
    candidates: DataFrame,
    encoded: DataFrame,
    config: Config,
    rescoring: bool,
    save: Any,
) -> tuple[DataFrame, dict[str, Any]]:
    """Return the relations of the candidate pairs (a, b, rel) and figures on the MiniLM pass."""
    from pyspark.sql import functions as F

    first = _cogroup(
        spark, candidates, encoded, functools.partial(_first, config, rescoring), FIRST_SCHEMA
    )
    first = save("first", first)
    info: dict[str, Any] = {"second_look": 0, "rescored_sentences": 0, "realigned": 0}
    final = first.select("a", "b", "rel")
    if not rescoring:
        return final.filter(F.col("rel").isNotNull()), info
    queue = (
        first.filter(F.col("second") & (F.size("found") > 0))
        .orderBy(F.desc("priority"), F.desc("a"), F.desc("b"))
        .select("found")
    )
    whole = pipeline.whole_queue_limit(config.align, encoded.count())
    wanted = choose((r["found"] for r in pages(queue)), config.align.max_rescore, whole)
    info["second_look"] = first.filter("second").count()
    info["rescored_sentences"] = len(wanted)
    if not wanted:
        return final.filter(F.col("rel").isNotNull()), info
    keys = list(wanted)
    texts = spark.createDataFrame(
        [(k, wanted[key]) for k, key in enumerate(keys)], "k long, text string"
    ).coalesce(1)
    embedded = texts.mapInArrow(_embed, "k long, vector binary").collect()
    rescored = {keys[r["k"]]: rows.bytes_array(r["vector"]) for r in embedded}
    shared = spark.sparkContext.broadcast(rescored)
    touched = sorted({doc for doc, _ in rescored})
    # As pipeline.relate: every second-look pair whose first document has a rescored sentence.
    redo = first.filter(F.col("second") & F.col("a_id").isin(touched)).select("a", "b")
    redo = redo.join(candidates, ["a", "b"])
    info["realigned"] = redo.count()
    second = _cogroup(
        spark, redo, encoded, functools.partial(_second, config, shared), SECOND_SCHEMA
    )
    second = save("second", second)
    final = final.join(second.select("a", "b"), ["a", "b"], "left_anti").unionByName(second)
    return final.filter(F.col("rel").isNotNull()), info
