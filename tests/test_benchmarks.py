"""The README's benchmark commands run from a fresh environment: each script, on a small input.

They read the labelled data in ../shared (skipped without it) and check what the run found, not
how fast: the figures themselves come from full runs of the scripts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=BENCHMARKS.parent, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_scale_trial_runs_every_step_and_finds_the_injected_copies(
    shared: Callable[..., Path], tmp_path: Path
) -> None:
    shared("eval", "reuters21578", "corpus.jsonl.gz")
    shared("eval", "rewrites-dev", "gold.jsonl")
    out = tmp_path / "scale"
    _run(str(BENCHMARKS / "scale.py"), "--docs", "1000", "--reuters", "600",
         "--batch-size", "500", "--out", str(out))  # fmt: skip
    results = json.loads((out / "results.json").read_text())
    assert results["corpus"] == {"documents": 1000, "real": 600, "generated": 320, "per_kind": 20}
    for step in ("full", "add_1000", "scan"):
        assert min(results[step]["recall"].values()) >= 0.95, results[step]
    assert results["query"]["queries"] == 200
    assert results["query"]["copies_with_a_copy_source"] >= 0.95
    assert results["index_recall"]["reader"]["documents_with_a_neighbour"] > 0
    assert results["datasketch"]["recall"]["exact"] == 1.0  # the baseline ran (datasketch is in)
    assert results["rewrites_dev"]["derived"] == 96
    assert results["rewrites_dev"]["own_source_first"] >= 0.9
    # the A/B script adds one batch to copies of that store, once per revision and round
    printed = _run(str(BENCHMARKS / "ab_batch.py"), "--store", str(out / "scale.ct"), "--docs",
                   "40", "--runs", "1", "--out", str(tmp_path / "ab"), "HEAD", ".")  # fmt: skip
    runs = json.loads((tmp_path / "ab" / "results.json").read_text())
    assert [r["ref"] for r in runs] == ["HEAD", "."] and printed.count("round 1") == 2
    assert all(min(r["recall"].values()) == 1.0 and r["relations"] > 0 for r in runs), runs


def test_quality_prints_the_seeds_targets(shared: Callable[..., Path]) -> None:
    shared("eval", "seeds", "gold.jsonl")
    printed = _run(str(BENCHMARKS / "quality.py"), "--sets", "seeds")
    assert "== seeds" in printed
    assert "MISS" not in printed  # the seeds' targets are all met (test_acceptance checks them too)


def test_speed_scores_rewrites_dev_inside_the_larger_scan(
    shared: Callable[..., Path], tmp_path: Path
) -> None:
    shared("eval", "reuters21578", "corpus.jsonl.gz")
    shared("eval", "rewrites-dev", "gold.jsonl")
    printed = _run(str(BENCHMARKS / "speed.py"), "--articles", "100", "--out", str(tmp_path))
    assert "wall time" in printed
    assert "rewrites-dev figures, as scored" in printed
    result = json.loads((tmp_path / "speed-result.json").read_text())
    assert len(result["documents"]) > 100  # the Reuters sample and rewrites-dev, in one scan


def test_changed_facts_changes_the_copies_and_counts_the_conflicts(
    shared: Callable[..., Path], tmp_path: Path
) -> None:
    shared("eval", "rewrites-dev", "gold.jsonl")
    printed = _run(str(BENCHMARKS / "changed_facts.py"), "--kind", "number", "--out", str(tmp_path))
    changes = json.loads((tmp_path / "number" / "changes.json").read_text())
    assert len(changes) >= 10
    for change in changes:
        text = (tmp_path / "number" / "docs" / f"{change['doc']}.txt").read_text()
        assert change["new"] in text and change["old"] != change["new"]
    hits = sum(change["found"] for change in changes)
    assert f"found {hits} of {len(changes)}" in printed
    assert hits >= len(changes) // 2  # the conflict check finds most changed figures


def test_sentence_overlap_prints_the_three_kinds_of_pair(shared: Callable[..., Path]) -> None:
    shared("eval", "rewrites-dev", "gold.jsonl")
    printed = _run(str(BENCHMARKS / "sentence_overlap.py"), "--sets", "rewrites-dev")
    for kind in ("aligned one to one", "unlinked beside a link", "random unlinked"):
        assert kind in printed
