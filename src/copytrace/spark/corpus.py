"""Stages `read`, `prepare` and `encode` on Spark, each a thin layer over the local functions.

- read: the driver lists the files (`ingest.expand_paths`, or Hadoop's listing for URIs); executors
  read them with `ingest.read_file`. Duplicate ids are renamed as `ingest.iter_documents` does.
- prepare: short lines are counted per document in executors and thresholded with
  `clean.repeated_from_counts`; then `sentences.prepare` runs per document with the broadcast set.
- encode: `pipeline.encode_all` and `signatures.minhashes` per batch, with the static model loaded
  once per worker; term document frequencies are counted in Spark and handed, per document, to
  `pipeline.document_vectors`, which yields the same vectors as over the whole corpus.
"""

from __future__ import annotations

import functools
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np
import pyarrow as pa

from copytrace.clean import repeated_from_counts, short_line_keys
from copytrace.config import Config
from copytrace.errors import InputError
from copytrace.ingest import expand_paths, file_format, read_file
from copytrace.pipeline import document_vectors, encode_all
from copytrace.records import Problem
from copytrace.sentences import prepare
from copytrace.signatures import minhashes, terms
from copytrace.spark import rows
from copytrace.spark.workers import rows_of, static_embedder

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# ---- read -------------------------------------------------------------------------------------

DOCS_PER_PARTITION = 5_000  # documents per partition after reading (a few tens of MB of text)
READ_SCHEMA = pa.schema([*rows.DOCUMENT_SCHEMA, pa.field("message", pa.string())])


def is_uri(path: str) -> bool:
    """Return True for a Hadoop URI (hdfs://, s3a://, file:/...), False for a plain local path."""
    scheme = urlparse(path).scheme
    return len(scheme) > 1  # "C:" is a drive letter, not a scheme


def list_inputs(spark: SparkSession, inputs: Iterable[str]) -> list[str]:
    """Return the files to read, in the order `ingest.expand_paths` gives for local folders."""
    files: list[str] = []
    for given in inputs:
        if is_uri(given):
            files.extend(_list_hadoop(spark, given))
        else:
            files.extend(str(p) for p in expand_paths([given]))
    return files


def _list_hadoop(spark: SparkSession, uri: str) -> list[str]:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    root = jvm.org.apache.hadoop.fs.Path(uri)
    fs = root.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not fs.exists(root) or not fs.getFileStatus(root).isDirectory():
        return [uri]  # read_file reports a missing file or an unknown type
    base = str(fs.makeQualified(root).toString()).rstrip("/")
    found = []
    listing = fs.listFiles(root, True)
    while listing.hasNext():
        full = str(listing.next().getPath().toString())
        parts = tuple(full[len(base) :].strip("/").split("/"))
        if any(p.startswith(".") for p in parts) or not file_format(Path(parts[-1])):
            continue  # hidden files and unknown types, as expand_paths skips them
        found.append((parts, full))
    return [full for _, full in sorted(found)]  # sorted by parts, as pathlib sorts paths


def _read_one(path: str, content: bytes | None, config: Config) -> Iterator[Any]:
    if content is None:
        yield from read_file(path, config.read)
        return
    # A file of a Hadoop file system arrives as bytes: read_file reads it from a local copy under
    # the same name (the id is the file's stem), then the original URI is put back as its path.
    import dataclasses

    with tempfile.TemporaryDirectory(prefix="copytrace-") as folder:
        local = Path(folder, Path(urlparse(path).path).name)
        local.write_bytes(content)
        for item in read_file(local, config.read):
            yield dataclasses.replace(item, path=path)


def _read_files(config: Config, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for row in rows_of(batches):
        out = []
        for seq, item in enumerate(_read_one(row["path"], row.get("content"), config)):
            order = rows.order_key(row["file"], seq)
            if isinstance(item, Problem):
                out.append({"order": order, "path": item.path, "line": item.line,
                            "message": item.message})  # fmt: skip
            else:
                out.append(rows.document_row(item, order))
        yield rows.batch(out, READ_SCHEMA)


def read(spark: SparkSession, inputs: list[str], config: Config) -> tuple[DataFrame, DataFrame]:
    """Read the inputs; return the documents and the problems (both sorted by `order`)."""
    from pyspark.sql import functions as F

    files = list_inputs(spark, inputs)
    table = spark.createDataFrame(list(enumerate(files)), "file long, path string")
    remote = [f for f in files if is_uri(f)]
    if remote:
        content = spark.read.format("binaryFile").load(remote).select("path", "content")
        table = table.join(content, "path", "left")
    else:
        table = table.withColumn("content", F.lit(None).cast("binary"))
    parts = max(1, min(len(files), spark.sparkContext.defaultParallelism * 4))
    table = table.repartition(parts, "file")
    items = table.mapInArrow(functools.partial(_read_files, config), _spark_schema(READ_SCHEMA))
    items = items.persist()
    problems = items.filter(F.col("message").isNotNull()).select("order", "path", "line", "message")
    docs = items.filter(F.col("message").isNull()).drop("message")
    if config.read.on_error == "fail":
        first = problems.orderBy("order").first()
        if first is not None:
            raise InputError(first["message"], first["path"], first["line"])
    docs, renamed = _rename_duplicates(spark, docs)
    if renamed:
        extra = spark.createDataFrame(renamed, _spark_schema(rows.PROBLEM_SCHEMA))
        problems = problems.unionByName(extra)
    count = docs.count()
    if count == 0:
        found = problems.orderBy("order").first()
        detail = f" (first problem: {rows.row_problem(found.asDict())})" if found else ""
        raise InputError(f"no readable documents in the given inputs{detail}")
    # One big table file is read by one task; spread its documents for the stages after.
    spread = max(spark.sparkContext.defaultParallelism * 2, -(-count // DOCS_PER_PARTITION))
    return docs.repartition(spread, "order"), problems


def rename_duplicates(
    items: list[tuple[int, str, str | None, int | None]],
) -> tuple[dict[int, str], list[dict[str, Any]]]:
    """Return new ids for repeated ids and the problems saying so, as `iter_documents` does.

    `items` are (order, id, path, line) in input order: every document whose id occurs more than
    once or contains "~" (only those can collide with a renamed id).
    """
    first_seen: dict[str, str] = {}
    suffixes: dict[str, int] = {}
    renames: dict[int, str] = {}
    problems = []
    for order, ident, path, line in items:
        if ident in first_seen:
            old, n = ident, suffixes.get(ident, 1) + 1
            while f"{old}~{n}" in first_seen:
                n += 1
            suffixes[old] = n
            ident = f"{old}~{n}"
            renames[order] = ident
            problems.append({
                "order": order, "path": path or "", "line": line,
                "message": f"duplicate id {old!r} (first used in {first_seen[old]}); renamed to "
                f"{ident!r} so both are kept; give documents unique ids to avoid this",
            })  # fmt: skip
        first_seen[ident] = path or ""
    return renames, problems


def _rename_duplicates(spark: SparkSession, docs: DataFrame) -> tuple[DataFrame, list[Any]]:
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    counted = docs.withColumn("n", F.count("*").over(Window.partitionBy("id")))
    family = counted.filter((F.col("n") > 1) | F.col("id").contains("~"))
    items = [
        (r["order"], r["id"], r["path"], r["line"])
        for r in family.select("order", "id", "path", "line").orderBy("order").collect()
    ]
    renames, problems = rename_duplicates(items)
    if not renames:
        return docs, []
    table = spark.createDataFrame(list(renames.items()), "order long, new_id string")
    docs = docs.join(F.broadcast(table), "order", "left")
    docs = docs.withColumn("id", F.coalesce("new_id", "id")).drop("new_id")
    return docs, problems


# ---- prepare ----------------------------------------------------------------------------------


def _line_keys(max_chars: int, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for b in batches:
        keys = [
            k for row in b.to_pylist() for k in short_line_keys(rows.row_document(row), max_chars)
        ]
        yield pa.RecordBatch.from_pydict({"key": keys}, schema=pa.schema([("key", pa.string())]))


def _prepare_docs(repeated: Any, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    lines = repeated.value
    for b in batches:
        out = [
            rows.document_row(prepare(rows.row_document(row), lines), row["order"])
            for row in b.to_pylist()
        ]
        yield rows.batch(out, rows.DOCUMENT_SCHEMA)


def prepare_docs(spark: SparkSession, docs: DataFrame, config: Config) -> tuple[DataFrame, int]:
    """Clean and split every document; return them and the number of repeated lines found."""
    from pyspark.sql import functions as F

    total = docs.count()
    keys = docs.mapInArrow(
        functools.partial(_line_keys, config.clean.repeated_max_chars), "key string"
    )
    # No line below `repeated_min_docs` can pass the threshold, so only the others are collected.
    counts = keys.groupBy("key").count().filter(F.col("count") >= config.clean.repeated_min_docs)
    counted = Counter({r["key"]: r["count"] for r in counts.collect()})
    repeated = repeated_from_counts(counted, total, config.clean)
    shared = spark.sparkContext.broadcast(repeated)
    prepared = docs.mapInArrow(
        functools.partial(_prepare_docs, shared), _spark_schema(rows.DOCUMENT_SCHEMA)
    )
    return prepared, len(repeated)


# ---- encode -----------------------------------------------------------------------------------

RAW_SCHEMA = pa.schema([
    *rows.DOCUMENT_SCHEMA, *rows.ENCODED_FIELDS,
    pa.field("signature", pa.binary()), pa.field("terms", pa.list_(pa.string())),
])  # fmt: skip
ENCODED_SCHEMA = pa.schema([
    *rows.DOCUMENT_SCHEMA, *rows.ENCODED_FIELDS,
    pa.field("signature", pa.binary()), pa.field("docvec", pa.binary()),
])  # fmt: skip


def _encode_docs(
    config: Config, semantic: bool, batches: Iterable[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    embedder = static_embedder(semantic)
    for b in batches:
        given = b.to_pylist()
        docs = [rows.row_document(r) for r in given]
        encoded = encode_all(docs, embedder)
        signatures = minhashes(docs, config.candidates.num_perm, config.candidates.shingle)
        out = []
        for row, enc, sig in zip(given, encoded, signatures, strict=True):
            item = rows.encoded_row(enc, row["order"])
            item["signature"] = rows.array_bytes(sig, np.uint32)
            item["terms"] = list(terms(enc.doc, enc.anchors))
            out.append(item)
        yield rows.batch(out, RAW_SCHEMA)


def _doc_vectors(
    config: Config, n_docs: int, batches: Iterable[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    for b in batches:
        given = b.to_pylist()
        encoded = [rows.row_encoded(r) for r in given]
        # Each row carries the frequencies of its own terms; their union covers the batch.
        df = {t["term"]: t["count"] for r in given for t in r["df"]}
        vectors = document_vectors(encoded, config, df, n_docs)
        out = []
        for row, vector in zip(given, vectors, strict=True):
            row.pop("df")
            row["docvec"] = rows.array_bytes(vector)
            out.append(row)
        yield rows.batch(out, ENCODED_SCHEMA)


def encode_docs(
    spark: SparkSession, prepared: DataFrame, config: Config, semantic: bool, save: Any
) -> tuple[DataFrame, int]:
    """Embed sentences, sign and vectorise each document with sentences; return them and N.

    `save(table, df)` checkpoints an intermediate table and returns it read back.
    """
    from pyspark.sql import functions as F

    kept = prepared.filter(F.size("sentences") > 0)
    raw = kept.mapInArrow(
        functools.partial(_encode_docs, config, semantic), _spark_schema(RAW_SCHEMA)
    )
    raw = save("raw", raw)
    n_docs = raw.count()
    pairs = raw.select("order", F.explode("terms").alias("term"))
    df = pairs.groupBy("term").count()
    per_doc = (
        pairs.join(df, "term")
        .groupBy("order")
        .agg(F.collect_list(F.struct("term", "count")).alias("df"))
    )
    joined = (
        raw.drop("terms")
        .join(per_doc, "order", "left")
        .withColumn(
            "df", F.coalesce("df", F.array().cast("array<struct<term:string,count:bigint>>"))
        )
    )
    encoded = joined.mapInArrow(
        functools.partial(_doc_vectors, config, n_docs), _spark_schema(ENCODED_SCHEMA)
    )
    return encoded, n_docs


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)
