"""Stage `stories` on Spark: connected components in Spark, then `stories.build_stories` in each.

`stories.group` joins documents by copies and merges groups joined by same-story reports with
average linkage, in order of score. Both only ever join documents that some relation connects, so
every story lies inside one connected component of the relation graph (all kinds). The components
are found in Spark (min-label propagation with pointer jumping); each one with two or more members
then goes, with its relations in candidate order and its documents, to `build_stories`, which does
the grouping, quote-fidelity orientation, siblings and originals exactly as the local engine. A
document without relations is a story of its own, settled by the same function in batches.
Stories are numbered as the local engine numbers them: largest first, then by first member.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from copytrace.config import Config
from copytrace.spark import rows
from copytrace.stories import build_stories

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

OUT_SCHEMA = pa.schema([
    ("a", pa.int64()), ("b", pa.int64()), ("rel", pa.struct(rows.RELATION_FIELDS)),
    ("members", pa.list_(pa.string())), ("original", pa.string()),
    ("original_basis", pa.string()),
])  # fmt: skip


def components(spark: SparkSession, edges: DataFrame, max_rounds: int = 100) -> DataFrame:
    """Return (node, label): the smallest node of each node's connected component.

    Each round takes the smallest label among a node's neighbours, then jumps to the label of that
    label (pointer jumping), so long chains settle in a logarithmic number of rounds.
    """
    from pyspark.sql import functions as F

    both = edges.select(F.col("a").alias("src"), F.col("b").alias("dst")).unionByName(
        edges.select(F.col("b").alias("src"), F.col("a").alias("dst"))
    )
    labels = both.select(F.col("src").alias("node")).distinct().withColumn("label", F.col("node"))
    labels = labels.localCheckpoint()
    for _ in range(max_rounds):
        seen = (
            both.join(labels.withColumnRenamed("node", "dst"), "dst")
            .groupBy("src")
            .agg(F.min("label").alias("near"))
        )
        moved = labels.join(seen.withColumnRenamed("src", "node"), "node", "left").select(
            "node", F.least("label", F.coalesce("near", "label")).alias("label")
        )
        jumped = (
            moved.alias("x")
            .join(moved.alias("y"), F.col("x.label") == F.col("y.node"), "left")
            .select(
                F.col("x.node"), F.least("x.label", F.coalesce("y.label", "x.label")).alias("label")
            )
        ).localCheckpoint()
        changed = jumped.join(labels.withColumnRenamed("label", "old"), "node").filter(
            F.col("label") != F.col("old")
        )
        labels = jumped
        if changed.limit(1).count() == 0:
            return labels
    raise RuntimeError(f"story components did not settle in {max_rounds} rounds")


def _component_stories(config: Config, rels: pa.Table, docs: pa.Table) -> pa.Table:
    given = sorted(rels.to_pylist(), key=lambda r: (r["a"], r["b"]))
    documents = {
        r["id"]: rows.row_document(r) for r in sorted(docs.to_pylist(), key=lambda r: r["order"])
    }
    relations = [rows.row_relation(r["rel"]) for r in given]
    oriented, stories = build_stories(relations, documents, config.stories)
    out: list[dict[str, Any]] = [
        {"a": r["a"], "b": r["b"], "rel": rows.relation_row(rel)}
        for r, rel in zip(given, oriented, strict=True)
    ]
    out += [rows.story_row(s) for s in stories]
    return pa.Table.from_pylist(out, schema=OUT_SCHEMA)


def _single_stories(config: Config, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for b in batches:
        documents = {r["id"]: rows.row_document(r) for r in b.to_pylist()}
        _, stories = build_stories([], documents, config.stories)
        yield rows.batch([rows.story_row(s) for s in stories], OUT_SCHEMA)


def build(
    spark: SparkSession, relations: DataFrame, prepared: DataFrame, config: Config
) -> tuple[DataFrame, DataFrame]:
    """Return the oriented relations (a, b, rel) and the stories (id, members, original, ...)."""
    from pyspark.sql import functions as F

    from copytrace.spark.corpus import _spark_schema

    schema = _spark_schema(OUT_SCHEMA)
    docs = prepared.filter(F.size("sentences") > 0)
    labels = components(spark, relations.select("a", "b"))
    grouped = docs.join(
        labels.select(F.col("node").alias("order"), F.col("label").alias("dl")), "order"
    )
    rels = relations.join(labels.withColumnRenamed("node", "a"), "a")
    joined = rels.groupBy("label").cogroup(grouped.groupBy("dl")).applyInArrow(
        lambda r, d: _component_stories(config, r.drop_columns(["label"]),
                                        d.drop_columns(["dl"])),
        schema,
    )  # fmt: skip
    joined = joined.persist()
    alone = docs.join(labels.withColumnRenamed("node", "order"), "order", "left_anti")
    singles = alone.mapInArrow(functools.partial(_single_stories, config), schema)
    found = joined.filter(F.col("members").isNotNull()).unionByName(singles)
    stories = number_stories(found.select("members", "original", "original_basis"))
    oriented = joined.filter(F.col("rel").isNotNull()).select("a", "b", "rel")
    return oriented, stories


def number_stories(stories: DataFrame) -> DataFrame:
    """Return stories with ids s1, s2, ... largest first, then by first member (as `group` sorts).

    The ranks are dense without moving every story to one task: the rows are range-sorted, each
    partition counted, and a row's rank is its partition's offset plus its place in the partition.
    """
    from pyspark.sql import functions as F

    ordered = (
        stories.withColumn("size", F.size("members"))
        .withColumn("first", F.col("members")[0])
        .orderBy(F.desc("size"), F.asc("first"))
        .withColumn("pid", F.spark_partition_id())
        .withColumn("mid", F.monotonically_increasing_id())
        .localCheckpoint()
    )
    counts: dict[int, int] = {
        r["pid"]: r["count"] for r in ordered.groupBy("pid").count().collect()
    }
    offsets, total = {}, 0
    for pid in sorted(counts):
        offsets[pid] = total
        total += counts[pid]
    start = F.create_map(*[x for pid, off in offsets.items() for x in (F.lit(pid), F.lit(off))])
    place = F.col("mid") - F.shiftleft(F.col("pid").cast("long"), 33)
    ranked = ordered.withColumn("rank", start[F.col("pid")] + place + 1)
    return ranked.select(
        F.concat(F.lit("s"), F.col("rank").cast("string")).alias("id"),
        "members", "original", "original_basis", "size", "rank",
    )  # fmt: skip
