"""The Spark side of a run: the session, and stage checkpoints under `OUTPUT/_stages/`.

Files are written through Hadoop's FileSystem API (via the JVM), so OUTPUT may be a local folder
or any Hadoop-compatible URI (hdfs://, s3a://, abfss://, gs://).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from copytrace.errors import ConfigError, MissingDependency

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def require_pyspark() -> None:
    """Raise `MissingDependency` with the pip line when pyspark is not installed."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise MissingDependency("pyspark", "spark", "The Spark engine (spark-scan)") from None


def spark_session(master: str | None, conf: Iterable[tuple[str, str]] = ()) -> SparkSession:
    """Return the active Spark session, or start one on `master` (spark-submit's when None)."""
    require_pyspark()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("copytrace")
    if master:
        builder = builder.master(master)
    # Arrow batches of whole documents with their sentence vectors: keep them a few MB each.
    defaults = {
        "spark.sql.execution.arrow.maxRecordsPerBatch": "1000",
        "spark.sql.adaptive.enabled": "true",
        "spark.ui.showConsoleProgress": "false",
    }
    if (master or "").startswith("local"):
        # Local workers run this very interpreter (the venv's), not whichever `python3` is first
        # on PATH, which may lack copytrace. pyspark reads only the environment variable for
        # this; one the user set still wins.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        # Spark's 200 shuffle partitions are 200 tasks per shuffle on a laptop; a few per core do.
        defaults["spark.sql.shuffle.partitions"] = str(4 * _local_cores(master or ""))
    for key, value in [*defaults.items(), *conf]:
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _local_cores(master: str) -> int:
    """Return the cores of a local master: local[2] -> 2, local[*] or local -> this machine's."""
    inside = master.partition("[")[2].partition("]")[0].partition(",")[0]
    return int(inside) if inside.isdigit() else os.cpu_count() or 1


class Checkpoints:
    """Stage outputs under `root/_stages/<stage>/<table>` with a `_DONE` marker per stage.

    A stage counts as finished only when its marker exists, written after all its tables; a rerun
    reads finished stages back instead of computing them. `run.json` records the inputs and the
    settings; resuming with others is refused, since stages would mix two runs.
    """

    def __init__(self, spark: SparkSession, root: str) -> None:
        self.spark = spark
        self.root = root.rstrip("/")
        jvm = spark.sparkContext._jvm
        assert jvm is not None
        self._jvm = jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def path(self, *parts: str) -> str:
        """Return the path of a stage file or table under the root."""
        return "/".join([self.root, "_stages", *parts])

    def _fs(self, path: str) -> tuple[Any, Any]:
        jpath = self._jvm.org.apache.hadoop.fs.Path(path)
        return jpath.getFileSystem(self._conf), jpath

    def exists(self, path: str) -> bool:
        """Return True when a file or folder exists."""
        fs, jpath = self._fs(path)
        return bool(fs.exists(jpath))

    def write_text(self, path: str, text: str) -> None:
        """Write a small text file (overwriting)."""
        fs, jpath = self._fs(path)
        stream = fs.create(jpath, True)
        try:
            data = text.encode()
            for at in range(0, len(data), 1 << 20):  # py4j copies byte arrays; keep them small
                stream.write(bytearray(data[at : at + (1 << 20)]))
        finally:
            stream.close()

    def read_text(self, path: str) -> str:
        """Read a small text file."""
        fs, jpath = self._fs(path)
        stream = fs.open(jpath)
        try:
            return str(self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
        finally:
            stream.close()

    def delete(self, path: str) -> None:
        """Delete a file or folder, if present."""
        fs, jpath = self._fs(path)
        if fs.exists(jpath):
            fs.delete(jpath, True)

    def begin(self, manifest: dict[str, Any]) -> None:
        """Record the run's inputs and settings, or check them against an earlier run's."""
        path = self.path("run.json")
        text = json.dumps(manifest, indent=1, sort_keys=True)
        if self.exists(path):
            if json.loads(self.read_text(path)) != json.loads(text):
                raise ConfigError(
                    f"{self.root} holds the stages of a run with other inputs or settings; "
                    "give another OUTPUT, or delete it (or pass --restart) to start over"
                )
            return
        self.write_text(path, text)

    def done(self, stage: str) -> dict[str, Any] | None:
        """Return what a finished stage recorded, or None when it has not finished."""
        marker = self.path(stage, "_DONE")
        return json.loads(self.read_text(marker)) if self.exists(marker) else None

    def finish(self, stage: str, info: dict[str, Any]) -> None:
        """Mark a stage finished, with its figures (counts, seconds)."""
        self.write_text(self.path(stage, "_DONE"), json.dumps(info, indent=1, sort_keys=True))

    def save(self, stage: str, table: str, df: DataFrame) -> DataFrame:
        """Write a table of a stage as Parquet and return it read back (lineage ends here)."""
        path = self.path(stage, table)
        df.write.mode("overwrite").parquet(path)
        return self.spark.read.parquet(path)

    def load(self, stage: str, table: str) -> DataFrame:
        """Read a table of a finished stage."""
        return self.spark.read.parquet(self.path(stage, table))
