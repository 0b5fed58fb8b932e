"""The Spark job, top to bottom: read, prepare, encode, candidates, relate, stories, output.

Each stage writes its tables under `OUTPUT/_stages/<stage>/` and then a `_DONE` marker; a rerun
reads finished stages back, and `stop_after` ends the run after the named stage.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from copytrace import __version__
from copytrace.config import Config
from copytrace.embeddings import semantic_available, static_model_path
from copytrace.errors import ConfigError
from copytrace.spark import corpus, pairs, relate, rows, stories
from copytrace.spark.session import Checkpoints, spark_session

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

STAGES = ("read", "prepare", "encode", "candidates", "relate", "stories", "output")
# result.json holds every document and relation; past this many rows together it is not written
# (the driver would have to hold them all) and the Parquet tables are the result.
COLLECT_LIMIT = 200_000


@dataclass
class SparkRun:
    """What a Spark scan did: the stages run or skipped, their seconds and figures."""

    output: str
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    stopped_after: str | None = None
    result_json: str | None = None

    @property
    def seconds(self) -> dict[str, float]:
        """Return each stage's wall time in seconds (0 for a stage read back from a checkpoint)."""
        return {name: float(info.get("seconds", 0.0)) for name, info in self.stages.items()}


def spark_scan(
    inputs: Sequence[str],
    output: str,
    config: Config | None = None,
    *,
    master: str | None = None,
    stop_after: str | None = None,
    conf: Sequence[tuple[str, str]] = (),
    collect_limit: int = COLLECT_LIMIT,
    restart: bool = False,
    spark: SparkSession | None = None,
) -> SparkRun:
    """Scan `inputs` on Spark and write the result under `output` (see docs/spark.md).

    Example:
        >>> run = spark_scan(["hdfs:///news/2024/"], "hdfs:///copytrace/2024", master="yarn")
    """
    config = config or Config()
    if stop_after is not None and stop_after not in STAGES:
        raise ConfigError(f"unknown stage {stop_after!r}; stages: {', '.join(STAGES)}")
    spark = spark or spark_session(master, conf)
    store = Checkpoints(spark, output)
    if restart:
        store.delete(store.path())
    semantic = config.align.model == "static" and semantic_available()
    store.begin({
        "inputs": list(inputs), "config": dataclasses.asdict(config), "semantic": semantic,
        "copytrace": __version__,
    })  # fmt: skip
    run = SparkRun(output)
    job = _Job(spark, store, config, semantic, list(inputs), collect_limit)
    for name in STAGES:
        info = store.done(name)
        if info is None:
            start = time.perf_counter()
            info = getattr(job, name)()
            info["seconds"] = round(time.perf_counter() - start, 3)
            store.finish(name, info)
        else:
            run.skipped.append(name)
            info = {**info, "seconds": 0.0}
        run.stages[name] = info
        if name == stop_after:
            run.stopped_after = name
            break
    if "output" in run.stages and run.stages["output"].get("result_json"):
        run.result_json = f"{store.root}/result.json"
    return run


class _Job:
    """The stages, each reading the tables of the ones before from their checkpoints."""

    def __init__(
        self,
        spark: SparkSession,
        store: Checkpoints,
        config: Config,
        semantic: bool,
        inputs: list[str],
        collect_limit: int,
    ) -> None:
        self.spark = spark
        self.store = store
        self.config = config
        self.semantic = semantic
        self.inputs = inputs
        self.collect_limit = collect_limit

    def _saver(self, stage: str) -> Callable[[str, DataFrame], DataFrame]:
        return lambda table, df: self.store.save(stage, table, df)

    def read(self) -> dict[str, Any]:
        docs, problems = corpus.read(self.spark, self.inputs, self.config)
        docs = self.store.save("read", "documents", docs)
        problems = self.store.save("read", "problems", problems)
        return {"documents": docs.count(), "problems": problems.count()}

    def prepare(self) -> dict[str, Any]:
        docs = self.store.load("read", "documents")
        prepared, repeated = corpus.prepare_docs(self.spark, docs, self.config)
        prepared = self.store.save("prepare", "documents", prepared)
        kept = prepared.filter("size(sentences) > 0").count()
        return {"documents": prepared.count(), "with_sentences": kept, "repeated_lines": repeated}

    def encode(self) -> dict[str, Any]:
        if self.semantic:
            # Ship the static model to every executor once; workers load it from SparkFiles.
            from copytrace.embeddings import load_static

            if not (static_model_path() / "model.safetensors").exists():
                load_static()  # distils it into the cache on first use
            self.spark.sparkContext.addFile(str(static_model_path()), recursive=True)
        prepared = self.store.load("prepare", "documents")
        encoded, n_docs = corpus.encode_docs(
            self.spark, prepared, self.config, self.semantic, self._saver("encode")
        )
        self.store.save("encode", "encoded", encoded)
        return {"documents": n_docs, "semantic": self.semantic}

    def candidates(self) -> dict[str, Any]:
        encoded = self.store.load("encode", "encoded")
        n_docs = self.store.done("encode") or {}
        found = pairs.find_pairs(self.spark, encoded, n_docs["documents"], self.config.candidates)
        found = self.store.save("candidates", "pairs", found)
        return {"pairs": found.count()}

    def relate(self) -> dict[str, Any]:
        encoded = self.store.load("encode", "encoded")
        candidates = self.store.load("candidates", "pairs")
        rescoring = self.semantic and self.config.align.rescore
        found, info = relate.relate_pairs(
            self.spark, candidates, encoded, self.config, rescoring, self._saver("relate")
        )
        found = self.store.save("relate", "relations", found)
        return {"relations": found.count(), **info}

    def stories(self) -> dict[str, Any]:
        relations = self.store.load("relate", "relations")
        prepared = self.store.load("prepare", "documents")
        oriented, found = stories.build(self.spark, relations, prepared, self.config)
        oriented = self.store.save("stories", "relations", oriented)
        found = self.store.save("stories", "stories", found)
        return {"relations": oriented.count(), "stories": found.count()}

    def output(self) -> dict[str, Any]:
        """Write documents/, relations/, stories/, problems/ and (when small) result.json."""
        from pyspark.sql import functions as F

        root = self.store.root
        prepared = self.store.load("prepare", "documents")
        found = self.store.load("stories", "stories")
        members = found.select(F.col("id").alias("story"), F.explode("members").alias("id"))
        documents = (
            prepared.join(members, "id", "left")
            .withColumn("chars", F.length("text"))
            .withColumn("sentence_count", F.size("sentences"))
            .select("order", "id", "path", "line", "title", "published", "url", "source",
                    "chars", "sentence_count", "story")
        )  # fmt: skip
        relations = self.store.load("stories", "relations")
        flat = relations.select("a", "b", "rel.*")
        documents.orderBy("order").write.mode("overwrite").parquet(f"{root}/documents")
        flat.orderBy("a", "b").write.mode("overwrite").parquet(f"{root}/relations")
        found.orderBy("rank").drop("rank").write.mode("overwrite").parquet(f"{root}/stories")
        problems = self.store.load("read", "problems")
        problems.orderBy("order").write.mode("overwrite").parquet(f"{root}/problems")
        n_docs, n_rels = prepared.count(), relations.count()
        info: dict[str, Any] = {"documents": n_docs, "relations": n_rels, "result_json": False}
        self.store.delete(f"{root}/result.json")
        if n_docs + n_rels <= self.collect_limit:
            result = collect_result(prepared, relations, found, problems)
            from copytrace.report import to_json

            text = json.dumps(to_json(result), indent=2, ensure_ascii=False)
            self.store.write_text(f"{root}/result.json", text + "\n")
            info["result_json"] = True
        return info


def collect_result(
    prepared: DataFrame, relations: DataFrame, found: DataFrame, problems: DataFrame
) -> Any:
    """Return the `ScanResult` of the stage tables, in the local engine's orders."""
    from pyspark.sql import functions as F

    from copytrace.records import ScanResult

    ordered = prepared.orderBy(F.size("sentences") == 0, "order").collect()
    documents = tuple(rows.row_document(r.asDict(recursive=True)) for r in ordered)
    rels = tuple(
        rows.row_relation(r["rel"].asDict(recursive=True))
        for r in relations.orderBy("a", "b").collect()
    )
    story_list = tuple(
        rows.row_story(r.asDict(recursive=True)) for r in found.orderBy("rank").collect()
    )
    issues = tuple(rows.row_problem(r.asDict()) for r in problems.orderBy("order").collect())
    return ScanResult(documents, rels, story_list, issues)
