"""The Spark engine: row round trips, helpers against the local code, parity with `scan`,
checkpoints, `--stop-after` and the CLI.

The Spark tests share one local[2] session (JVM start-up costs ~10 s) and are skipped when pyspark
or Java is missing; `make test` installs Java first (scripts/system-deps.sh).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from copytrace.candidates import exact_pairs
from copytrace.cli import cli
from copytrace.config import Config
from copytrace.errors import ConfigError, MissingDependency
from copytrace.ingest import iter_documents
from copytrace.pipeline import Models, encode_all, scan
from copytrace.records import Document, Problem, ScanResult
from copytrace.report import to_json
from copytrace.spark import rows
from copytrace.spark.corpus import rename_duplicates
from copytrace.spark.pairs import group_pairs
from copytrace.spark.relate import choose
from copytrace.spark.session import require_pyspark

# ---- pure helpers ------------------------------------------------------------------------------


def test_documents_round_trip_through_arrow(seed_scan: ScanResult) -> None:
    batch = rows.batch(
        [rows.document_row(d, k) for k, d in enumerate(seed_scan.documents)], rows.DOCUMENT_SCHEMA
    )
    back = [rows.row_document(r) for r in batch.to_pylist()]
    assert back == list(seed_scan.documents)
    assert batch.column("order").to_pylist() == list(range(len(back)))


def test_relations_and_stories_round_trip_through_arrow(seed_scan: ScanResult) -> None:
    import pyarrow as pa

    schema = pa.schema(rows.RELATION_FIELDS)
    batch = rows.batch([rows.relation_row(r) for r in seed_scan.relations], schema)
    assert [rows.row_relation(r) for r in batch.to_pylist()] == list(seed_scan.relations)
    assert any(r.conflicts for r in seed_scan.relations)  # the nested records are exercised
    stories = rows.batch(
        [rows.story_row(s) for s in seed_scan.stories], pa.schema(rows.STORY_FIELDS)
    )
    assert [rows.row_story(s) for s in stories.to_pylist()] == list(seed_scan.stories)


def test_problem_and_order_rows() -> None:
    problem = Problem("in/bad.jsonl", 7, "not JSON")
    assert rows.row_problem(rows.problem_row(problem, 3)) == problem
    assert rows.order_key(1, 0) > rows.order_key(0, 10**6)  # files first, then items in a file


def test_encoded_round_trip_keeps_vectors_exact(seed_scan: ScanResult, models: Models) -> None:
    prepared = [d for d in seed_scan.documents if d.sentences]
    for enc in encode_all(prepared, models.static):
        back = rows.row_encoded(rows.encoded_row(enc, 0))
        assert np.array_equal(back.vectors, enc.vectors)
        assert np.array_equal(back.vector, enc.vector)
        assert (back.anchors, back.quotes, back.lengths) == (enc.anchors, enc.quotes, enc.lengths)


def test_arrays_round_trip() -> None:
    matrix = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)
    assert np.array_equal(rows.bytes_array(rows.array_bytes(matrix), np.float32, 5), matrix)
    sig = np.array([0, 1, 2**32 - 1], dtype=np.uint32)
    assert np.array_equal(rows.bytes_array(rows.array_bytes(sig, np.uint32), np.uint32), sig)


def test_rename_duplicates_matches_iter_documents(tmp_path: Path) -> None:
    lines = [{"id": i, "text": f"Text number {k} of the table, long enough."}
             for k, i in enumerate(["a", "b", "a", "a~2", "a", "b"])]  # fmt: skip
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    problems: list[Problem] = []
    local = [d.id for d in iter_documents([path], Config().read, problems)]
    items = [(k, x["id"], str(path), k + 1) for k, x in enumerate(lines)]
    renames, found = rename_duplicates(items)
    assert [renames.get(k, x["id"]) for k, x in enumerate(lines)] == local
    assert [p["message"] for p in found] == [p.message for p in problems]


def test_group_pairs_match_exact_pairs() -> None:
    one = (rows.from_value({"index": 0, "start": 0, "end": 1, "text": "x"}, _sentence()),)
    for size in (2, 5, 21, 30):
        docs = [Document(str(k), "x", sentences=one, digest="d") for k in range(size)]
        assert sorted(group_pairs(list(range(size)))) == sorted(exact_pairs(docs))


def _sentence() -> Any:
    from copytrace.records import Sentence

    return Sentence


def test_choose_stops_where_the_local_budget_stops() -> None:
    def found(*keys: tuple[str, int]) -> list[dict[str, Any]]:
        return [{"doc": d, "i": i, "text": f"{d}{i}"} for d, i in keys]

    queue = [found(("a", 0), ("b", 0)), found(("a", 0), ("c", 1)), found(("d", 0), ("e", 0))]
    assert list(choose(queue, 4)) == [("a", 0), ("b", 0), ("c", 1)]
    # as pipeline.rescore: a pair counts whole, shared keys included; the walk stops at a misfit
    assert list(choose(queue, 3)) == [("a", 0), ("b", 0)]
    assert len(choose(queue, 5)) == 5


def test_missing_pyspark_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(MissingDependency, match=r"pip install 'copytrace\[spark\]'"):
        require_pyspark()


def test_importing_copytrace_does_not_import_pyspark() -> None:
    import subprocess

    code = "import copytrace, copytrace.cli, copytrace.spark, sys; print('pyspark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---- Spark -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local[2] Spark session for the whole test session."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    if shutil.which("java") is None and not _java_home():
        pytest.skip("no Java runtime (make test installs default-jre-headless)")
    from copytrace.spark.session import spark_session

    session = spark_session("local[2]", [("spark.sql.shuffle.partitions", "4")])
    yield session
    session.stop()


def _java_home() -> bool:
    import os

    return bool(os.environ.get("JAVA_HOME"))


def _local(paths: list[Path], models: Models) -> dict[str, Any]:
    return json.loads(json.dumps(to_json(scan(paths, Config(), models))))


def _same_answers(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    def relations(result: dict[str, Any]) -> set[tuple[str, str, str, str]]:
        return {(r["derived"], r["source"], r["kind"], r["direction"]) for r in result["relations"]}

    def stories(result: dict[str, Any]) -> list[tuple[tuple[str, ...], str | None]]:
        return [(tuple(s["members"]), s["original"]) for s in result["stories"]]

    assert relations(ours) == relations(theirs)
    assert stories(ours) == stories(theirs)
    assert [d["id"] for d in ours["documents"]] == [d["id"] for d in theirs["documents"]]


def test_seeds_stop_after_resume_and_parity(
    spark: Any, seeds: Path, models: Models, tmp_path: Path
) -> None:
    from copytrace.spark import spark_scan

    out = str(tmp_path / "out")
    first = spark_scan([str(seeds)], out, spark=spark, stop_after="candidates")
    assert first.stopped_after == "candidates"
    assert list(first.stages) == ["read", "prepare", "encode", "candidates"]
    assert (tmp_path / "out/_stages/candidates/_DONE").exists()
    assert not (tmp_path / "out/_stages/relate").exists()
    assert not (tmp_path / "out/result.json").exists()

    second = spark_scan([str(seeds)], out, spark=spark)
    assert second.skipped == ["read", "prepare", "encode", "candidates"]
    assert second.result_json
    ours = json.loads((tmp_path / "out/result.json").read_text())
    _same_answers(ours, _local([seeds], models))
    for table in ("documents", "relations", "stories", "problems"):
        assert spark.read.parquet(f"{out}/{table}").count() == {
            "documents": 5, "relations": len(ours["relations"]),
            "stories": len(ours["stories"]), "problems": 0,
        }[table]  # fmt: skip

    # a finished run is read back whole; other settings on the same OUTPUT are refused
    third = spark_scan([str(seeds)], out, spark=spark)
    assert third.skipped == list(third.stages)
    other = Config().with_values({"candidates": {"knn": 3}})
    with pytest.raises(ConfigError, match="another OUTPUT"):
        spark_scan([str(seeds)], out, other, spark=spark)


def test_rewrites_dev_parity(
    spark: Any, shared: Callable[..., Path], models: Models, tmp_path: Path
) -> None:
    """144 documents: above `all_pairs_below`, so MinHash bands and kNN find the candidates."""
    from copytrace.spark import spark_scan

    docs = shared("eval", "rewrites-dev", "docs")
    run = spark_scan([str(docs)], str(tmp_path / "out"), spark=spark)
    assert run.stages["relate"]["rescored_sentences"] > 0  # the MiniLM pass ran
    ours = json.loads((tmp_path / "out/result.json").read_text())
    _same_answers(ours, _local([docs], models))


def test_bad_inputs_become_problems_in_order(spark: Any, tmp_path: Path) -> None:
    from copytrace.spark import spark_scan

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Officials said on Monday that the bridge would reopen soon.\n")
    (folder / "b.txt").write_bytes(b"\x00\x01binary")
    (folder / "c.jsonl").write_text(
        '{"id": "a", "text": "A second text with the same id as the file a.txt, long enough."}\n'
        "{not json\n"
    )
    run = spark_scan([str(folder)], str(tmp_path / "out"), spark=spark, stop_after="read")
    assert run.stages["read"] == {**run.stages["read"], "documents": 2, "problems": 3}
    problems: list[Problem] = []
    list(iter_documents([folder], Config().read, problems))
    found = spark.read.parquet(str(tmp_path / "out/_stages/read/problems")).orderBy("order")
    assert [rows.row_problem(r.asDict()) for r in found.collect()] == problems
    with pytest.raises(Exception, match="binary"):
        strict = dataclasses.replace(
            Config(), read=dataclasses.replace(Config().read, on_error="fail")
        )
        spark_scan([str(folder)], str(tmp_path / "strict"), strict, spark=spark)


def test_cli_spark_scan_stop_after(spark: Any, seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["spark-scan", str(seeds), str(out), "--stop-after", "prepare"]
    )
    assert result.exit_code == 0, result.output
    assert "stopped after prepare" in result.output
    assert (out / "_stages/prepare/_DONE").exists()
    bad = CliRunner().invoke(cli, ["spark-scan", str(seeds), str(out), "--conf", "nonsense"])
    assert bad.exit_code == 2


def test_hadoop_uris_are_listed_and_read_like_local_paths(
    spark: Any, seeds: Path, tmp_path: Path
) -> None:
    from copytrace.spark import spark_scan

    out = tmp_path / "out"
    spark_scan([seeds.resolve().as_uri()], str(out), spark=spark, stop_after="read")
    found = spark.read.parquet(str(out / "_stages/read/documents")).orderBy("order").collect()
    local = list(iter_documents([seeds], Config().read, []))
    assert [r["id"] for r in found] == [d.id for d in local]
    assert [r["text"] for r in found] == [d.text for d in local]
    assert all(r["path"].startswith("file:") for r in found)


def test_hyperplane_buckets_find_most_exact_neighbours(
    spark: Any, seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above 20,000 documents the kNN is bucketed; forced here on the seeds it must agree."""
    from copytrace.spark import pairs, spark_scan

    out = tmp_path / "out"
    spark_scan([str(seeds)], str(out), spark=spark, stop_after="encode")
    encoded = spark.read.parquet(str(out / "_stages/encode/encoded"))
    config = dataclasses.replace(Config().candidates, min_cosine=0.0)
    exact = {(r["a"], r["b"]) for r in pairs.vector_pairs(spark, encoded, 5, config).collect()}
    monkeypatch.setattr(pairs, "EXACT_KNN_MAX", 0)
    bucketed = pairs.vector_pairs(spark, encoded, 5, config).collect()
    found = {(r["a"], r["b"]) for r in bucketed}
    assert found <= exact and len(found) >= 0.5 * len(exact)
    assert all(r["a"] < r["b"] for r in bucketed)
