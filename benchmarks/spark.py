"""Spark engine against the local engine on one corpus, on the same machine, in the same run.

Prints both wall times, how the Spark run's time splits across its stages, and whether the two
engines agree (relations as derived/source/kind/direction, and story memberships).

    python benchmarks/spark.py                      # all 19,043 Reuters-21578 articles, local[2]
    python benchmarks/spark.py --corpus DIR --master local[4]

Outputs go under benchmarks/out/ (gitignored): the Spark tables and a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from copytrace.config import Config
from copytrace.pipeline import Models, scan
from copytrace.report import to_json
from copytrace.spark import spark_scan

HERE = Path(__file__).resolve().parent
REUTERS = HERE.parent.parent / "shared" / "eval" / "reuters21578" / "corpus.jsonl.gz"


def signature(result: dict) -> tuple[set, set]:
    """Return the relations (derived, source, kind, direction) and the stories' member sets."""
    relations = {
        (r["derived"], r["source"], r["kind"], r["direction"]) for r in result["relations"]
    }
    stories = {tuple(s["members"]) for s in result["stories"]}
    return relations, stories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(REUTERS))
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--out", default=str(HERE / "out" / "spark-bench"))
    parser.add_argument("--driver-memory", default="4g")
    args = parser.parse_args()
    config = Config()

    start = time.perf_counter()
    run = spark_scan(
        [args.corpus], args.out, config, master=args.master, restart=True,
        conf=[("spark.driver.memory", args.driver_memory)],
    )  # fmt: skip
    spark_seconds = time.perf_counter() - start

    start = time.perf_counter()
    local = scan([args.corpus], config, Models(config.align))
    local_seconds = time.perf_counter() - start

    ours = json.loads(Path(args.out, "result.json").read_text()) if run.result_json else None
    theirs = to_json(local)
    summary = {
        "corpus": args.corpus, "master": args.master, "cores": os.cpu_count(),
        "machine": platform.platform(), "documents": len(local.documents),
        "local": {"seconds": round(local_seconds, 1), "stages": local.timings,
                  "relations": len(local.relations), "stories": len(local.stories)},
        "spark": {"seconds": round(spark_seconds, 1), "stages": run.seconds,
                  "figures": {k: {x: y for x, y in v.items() if x != "seconds"}
                              for k, v in run.stages.items()}},
    }  # fmt: skip
    if ours is not None:
        (rel_a, story_a), (rel_b, story_b) = signature(ours), signature(theirs)
        summary["agreement"] = {
            "relations_same": rel_a == rel_b, "relations_only_spark": len(rel_a - rel_b),
            "relations_only_local": len(rel_b - rel_a), "stories_same": story_a == story_b,
            "json_identical": ours == json.loads(json.dumps(theirs)),
            "only_spark": sorted(rel_a - rel_b)[:20], "only_local": sorted(rel_b - rel_a)[:20],
        }  # fmt: skip
    Path(HERE / "out").mkdir(exist_ok=True)
    Path(HERE / "out" / "spark.json").write_text(json.dumps(summary, indent=2) + "\n")

    print(f"corpus: {args.corpus} ({len(local.documents):,} documents), {os.cpu_count()} cores")
    print(f"local engine:           {local_seconds:8.1f} s  {local.timings}")
    print(f"spark-scan {args.master}: {spark_seconds:8.1f} s")
    for name, seconds in run.seconds.items():
        share = seconds / spark_seconds if spark_seconds else 0.0
        print(f"  {name:<11} {seconds:8.1f} s  {share:6.1%}  {summary['spark']['figures'][name]}")
    if "agreement" in summary:
        print("agreement:", summary["agreement"])


if __name__ == "__main__":
    main()
