"""The Spark engine: `copytrace scan` for corpora beyond one machine, with the same answers.

Spark is an adapter here: every stage calls the local engine's functions inside `mapInArrow` or
grouped Arrow UDFs and checkpoints its tables to Parquet. pyspark is imported only when a job
starts, so this package imports without it; `spark_scan` then says how to install it.
"""

from copytrace.spark.job import COLLECT_LIMIT, STAGES, SparkRun, spark_scan

__all__ = ["COLLECT_LIMIT", "STAGES", "SparkRun", "spark_scan"]
